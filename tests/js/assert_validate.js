// The global assert's throws/rejects take what Node's take as `expected`: a class
// (instanceof), a RegExp, an object of properties, or a validation function (an arrow
// or plain function called with the error; it must return true).
// expect-stdout: assert_validate: ok
assert.throws(() => { throw new TypeError("x"); }, TypeError);
assert.throws(() => { throw new TypeError("x"); }, Error);
assert.throws(() => { throw new TypeError("x"); }, (e) => e.message === "x");
assert.throws(() => { throw new Error("x"); }, function (e) { return e.message === "x"; });
assert.throws(() => assert.throws(() => { throw new Error("x"); }, TypeError), assert.AssertionError);
assert.throws(() => assert.throws(() => { throw new Error("x"); }, () => false), assert.AssertionError);
assert.throws(() => assert.throws(() => { throw new Error("x"); }, () => "yes"), assert.AssertionError);
assert.rejects(Promise.reject(new Error("r")), (e) => e.message === "r")
  .then(() => assert.rejects(assert.rejects(Promise.reject(new Error("r")), (e) => e.message === "s")))
  .then(() => console.log("assert_validate: ok"));
