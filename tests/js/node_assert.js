// require("assert") (SPEC §3.2) behaves as Node's: equal is loose, strictEqual uses
// Object.is, deepEqual/deepStrictEqual compare structures (Maps and Sets in any order,
// prototypes in strict mode, cycles), throws/rejects validate with a class, a RegExp,
// a function or an object; AssertionError carries actual/expected/operator/code.
const A = require("node:assert");
assert.equal(require("assert"), A);
const S = A.strict;

function fails(fn, operator) {
  try { fn(); } catch (e) {
    if (!(e instanceof A.AssertionError)) throw e;
    assert.equal(e.code, "ERR_ASSERTION");
    if (operator) assert.equal(e.operator, operator);
    return e;
  }
  throw new Error("expected an AssertionError from " + fn);
}

A(true); A.ok(1);
const okErr = fails(() => A.ok(0), "==");
assert.equal(okErr.generatedMessage, true);
assert.equal(fails(() => A(false, "mine")).message, "mine");
A.equal(1, "1"); A.equal(null, undefined); A.equal(NaN, NaN);
fails(() => A.equal(1, 2), "==");
A.notEqual(1, 2);
A.strictEqual(NaN, NaN);
const se = fails(() => A.strictEqual(1, "1"), "strictEqual");
assert.equal(se.actual, 1);
assert.equal(se.expected, "1");
assert.ok(se.message.startsWith("Expected values to be strictly equal:"), se.message);
fails(() => A.strictEqual(0, -0));
A.notStrictEqual(1, "1");
S.equal(1, 1);
fails(() => S.equal(1, "1"), "strictEqual");

A.deepEqual({ a: 1 }, { a: "1" });
fails(() => A.deepStrictEqual({ a: 1 }, { a: "1" }), "deepStrictEqual");
A.deepStrictEqual(new Map([[1, { x: [1] }], [2, 3]]), new Map([[2, 3], [1, { x: [1] }]]));
A.deepStrictEqual(new Set([{ a: 1 }, 2]), new Set([2, { a: 1 }]));
fails(() => A.deepStrictEqual(new Set([1]), new Set([2])));
A.deepStrictEqual(new Date(5), new Date(5));
fails(() => A.deepStrictEqual(new Date(5), new Date(6)));
A.deepStrictEqual(/a/g, /a/g);
fails(() => A.deepStrictEqual(/a/g, /a/i));
A.deepStrictEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]));
fails(() => A.deepStrictEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])));
fails(() => A.deepStrictEqual(new Uint8Array([1]), new Int8Array([1])));
fails(() => A.deepStrictEqual({}, Object.create(null)), "deepStrictEqual");
A.deepEqual({}, Object.create(null));
fails(() => A.deepStrictEqual([1, 2], [1, 2, 3]));
const c1 = { v: 1 }; c1.self = c1;
const c2 = { v: 1 }; c2.self = c2;
A.deepStrictEqual(c1, c2);
A.notDeepStrictEqual({ a: 1 }, { a: 2 });
fails(() => A.notDeepStrictEqual({ a: 1 }, { a: 1 }));
A.deepStrictEqual(new Error("m"), new Error("m"));
fails(() => A.deepStrictEqual(new Error("m"), new Error("n")));

A.throws(() => { throw new TypeError("bad thing"); });
A.throws(() => { throw new TypeError("bad thing"); }, TypeError);
A.throws(() => { throw new TypeError("bad thing"); }, /bad/);
A.throws(() => { throw new TypeError("bad thing"); }, { name: "TypeError", message: /thing/ });
A.throws(() => { throw new TypeError("bad thing"); }, (e) => e instanceof TypeError);
fails(() => A.throws(() => {}), "throws");
fails(() => A.throws(() => { throw new Error("x"); }, { message: "y" }));
const wrongClass = assert.throws(() => A.throws(() => { throw new Error("plain"); }, TypeError));
assert.ok(wrongClass instanceof A.AssertionError || wrongClass.message === "plain");
A.doesNotThrow(() => 1);
fails(() => A.doesNotThrow(() => { throw new Error("x"); }), "doesNotThrow");
A.match("abc", /b/);
fails(() => A.match("abc", /z/), "match");
A.doesNotMatch("abc", /z/);
A.ifError(null); A.ifError(undefined);
assert.throws(() => A.ifError(new Error("e")), /e/);
fails(() => A.fail("boom"), "fail");
assert.throws(() => A.strictEqual(1, 2, new RangeError("own")), RangeError);
const custom = new A.AssertionError({ actual: 1, expected: 2, operator: "strictEqual" });
assert.equal(custom.generatedMessage, true);

(async () => {
  await A.rejects(Promise.reject(new Error("r")), /r/);
  await A.rejects(async () => { throw new RangeError("x"); }, RangeError);
  await assert.rejects(() => A.rejects(Promise.resolve(1)), { code: "ERR_ASSERTION", operator: "rejects" });
  await A.doesNotReject(Promise.resolve(1));
  await assert.rejects(() => A.doesNotReject(Promise.reject(new Error("no"))), { code: "ERR_ASSERTION" });
  console.log("node_assert: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
