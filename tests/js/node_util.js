// require("util") (SPEC §3.2): inspect prints what Node prints for the common types,
// format's directives, promisify (with util.promisify.custom) and callbackify, types,
// isDeepStrictEqual, inherits.
const util = require("node:util");
assert.equal(require("util"), util);
const { inspect, format } = util;

const cases = [
  [1, "1"], [-0, "-0"], ["s", "'s'"], ["it's", `"it's"`], [10n, "10n"], [null, "null"], [undefined, "undefined"],
  [Symbol("x"), "Symbol(x)"], [[], "[]"], [{}, "{}"], [[1, "a", [2, [3, [4, [5]]]]], "[ 1, 'a', [ 2, [ 3, [Array] ] ] ]"],
  [{ a: 1, "b-c": 2, [Symbol("s")]: 3 }, "{ a: 1, 'b-c': 2, [Symbol(s)]: 3 }"],
  [new Map([[1, { a: 1 }], ["k", "v"]]), "Map(2) { 1 => { a: 1 }, 'k' => 'v' }"],
  [new Set([1, "two"]), "Set(2) { 1, 'two' }"], [new Uint8Array([1, 2, 3]), "Uint8Array(3) [ 1, 2, 3 ]"],
  [[1, , 3], "[ 1, <1 empty item>, 3 ]"], [new Date(0), "1970-01-01T00:00:00.000Z"], [/a+/gi, "/a+/gi"],
  [function named() {}, "[Function: named]"], [async () => {}, "[AsyncFunction (anonymous)]"],
  [class K {}, "[class K]"], [Object.create(null), "[Object: null prototype] {}"],
  [new (class Point { constructor() { this.x = 1; } })(), "Point { x: 1 }"],
  [{ get g() { return 1; } }, "{ g: [Getter] }"], [new Number(3), "[Number: 3]"], [new String("s"), "[String: 's']"],
  [{ nested: { deeper: { deepest: { gone: 1 } } } }, "{ nested: { deeper: { deepest: [Object] } } }"],
  [new ArrayBuffer(2), "ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 }"],
];
for (const [v, want] of cases) assert.equal(inspect(v), want, `inspect of ${want}`);
const circ = { name: "c" };
circ.self = circ;
assert.equal(inspect(circ), "<ref *1> { name: 'c', self: [Circular *1] }");
assert.equal(inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }), "{ a: [Object] }");
assert.equal(inspect({ a: { b: { c: { d: 1 } } } }, { depth: null }), "{ a: { b: { c: { d: 1 } } } }");
assert.equal(inspect({ [inspect.custom]: () => "custom!" }), "custom!");
assert.ok(inspect(Array.from({ length: 120 }, (_, i) => i)).includes("... 20 more items"));
const long = inspect({ alpha: "a".repeat(30), beta: "b".repeat(30), gamma: "c".repeat(30) });
assert.equal(long, "{\n  alpha: '" + "a".repeat(30) + "',\n  beta: '" + "b".repeat(30) + "',\n  gamma: '" + "c".repeat(30) + "'\n}");
const errText = inspect(Object.assign(new Error("bad"), { code: "E_X" }));
assert.ok(errText.startsWith("Error: bad\n    at "), errText);
assert.ok(errText.endsWith("{ code: 'E_X' }"), errText);

assert.equal(format("%s=%d %i %f %j %%", "a", "42", 3.9, "1.5", { j: 1 }), "a=42 3 1.5 {\"j\":1} %");
assert.equal(format("%s", { a: [1] }), "{ a: [Array] }".replace("[Array]", "[Array]"));
assert.equal(format("%o", [1]).startsWith("[ 1"), true);
assert.equal(format("%O and", { x: 1 }, "rest", 2), "{ x: 1 } and rest 2");
assert.equal(format("no args %s"), "no args %s");
assert.equal(format(1, "a", { b: 2 }), "1 a { b: 2 }");
assert.equal(format("%c styled", "color: red"), " styled");

(async () => {
  const cbStyle = (a, b, cb) => setTimeout(() => (a < 0 ? cb(new Error("neg")) : cb(null, a + b)), 1);
  const p = util.promisify(cbStyle);
  assert.equal(await p(1, 2), 3);
  await assert.rejects(() => p(-1, 0), /neg/);
  const withCustom = () => {};
  withCustom[util.promisify.custom] = () => Promise.resolve("custom");
  assert.equal(await util.promisify(withCustom)(), "custom");
  assert.equal(util.promisify.custom, Symbol.for("nodejs.util.promisify.custom"));
  assert.throws(() => util.promisify(5), { code: "ERR_INVALID_ARG_TYPE" });
  const cbf = util.callbackify(async (x) => { if (x) throw new Error("x"); return "fine"; });
  const got = await new Promise((r) => cbf(0, (e, v) => r([e, v])));
  assert.deepEqual(got, [null, "fine"]);
  const gotErr = await new Promise((r) => cbf(1, (e) => r(e)));
  assert.equal(gotErr.message, "x");

  assert.ok(util.types.isPromise(Promise.resolve()));
  assert.ok(util.types.isDate(new Date()));
  assert.ok(util.types.isRegExp(/x/));
  assert.ok(util.types.isTypedArray(new Int8Array(1)) && !util.types.isTypedArray([]));
  assert.ok(util.types.isAsyncFunction(async () => {}));
  assert.ok(util.types.isUint8Array(new Uint8Array(1)));
  assert.ok(util.types.isArrayBufferView(new DataView(new ArrayBuffer(1))));
  assert.ok(util.isDeepStrictEqual({ a: [1, new Map([[1, 2]])] }, { a: [1, new Map([[1, 2]])] }));
  assert.ok(!util.isDeepStrictEqual({ a: 1 }, { a: "1" }));
  assert.ok(!util.isDeepStrictEqual([0], [-0]));
  function Base() {}
  Base.prototype.hi = () => "hi";
  function Derived() {}
  util.inherits(Derived, Base);
  assert.equal(new Derived().hi(), "hi");
  assert.equal(Derived.super_, Base);
  console.log("node_util: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
