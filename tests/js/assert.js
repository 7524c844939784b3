// assert(cond, message) throws an AssertionError; the helpers compare values.
let caught = null;
try { assert(false, "custom message"); } catch (e) { caught = e; }
assert(caught instanceof Error);
assert(caught instanceof assert.AssertionError);
assert.equal(caught.name, "AssertionError");
assert.equal(caught.message, "custom message");
assert(true, "no throw");
assert.deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] });
assert.throws(() => assert.deepEqual({ a: 1 }, { a: 2 }), assert.AssertionError);
assert.throws(() => assert.equal(1, 2), /expected 2, got 1/);
assert.throws(() => assert.throws(() => {}), assert.AssertionError);
