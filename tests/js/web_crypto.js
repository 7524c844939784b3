// The `crypto` global (SPEC §3.1): randomUUID gives distinct version 4 UUIDs;
// getRandomValues fills an integer typed array in place and returns it, refuses more than
// 65,536 bytes (QuotaExceededError) and non-integer views (TypeMismatchError), and
// follows WebIDL for a missing argument or one that is no ArrayBufferView (TypeError).

// randomUUID: the version 4 layout, lower-case hex, no repeats over many calls
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const seen = new Set();
const N = 10000;
for (let i = 0; i < N; i++) {
  const u = crypto.randomUUID();
  assert.ok(uuidRe.test(u), `not a v4 UUID: ${u}`);
  seen.add(u);
}
assert.equal(seen.size, N, "every UUID differs");
// the random bits are spread: over N UUIDs each hex digit of the first group appears
const digits = new Set([...seen].map((u) => u[0]));
assert.equal(digits.size, 16, "the first digit takes all 16 values");

// getRandomValues fills the view it is given and returns that same object
const a = new Uint8Array(64);
const r = crypto.getRandomValues(a);
assert.ok(r === a, "returns its argument");
assert.ok(a.some((b) => b !== 0), "64 bytes are not all zero");
const b = crypto.getRandomValues(new Uint8Array(64));
assert.ok(a.some((x, i) => x !== b[i]), "two fills differ");
// a view into a larger buffer: only its own bytes change
const buf = new Uint8Array(48);
const mid = crypto.getRandomValues(buf.subarray(16, 32));
assert.equal(mid.length, 16);
assert.ok(buf.subarray(0, 16).every((x) => x === 0) && buf.subarray(32).every((x) => x === 0),
          "the bytes around a subarray are untouched");
assert.ok(buf.subarray(16, 32).some((x) => x !== 0));

// every integer type, the 64-bit ones included; exactly 65,536 bytes is allowed
for (const T of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
                 Uint32Array, BigInt64Array, BigUint64Array]) {
  const v = new T(8);
  assert.ok(crypto.getRandomValues(v) === v, T.name);
  const zero = T === BigInt64Array || T === BigUint64Array ? 0n : 0;
  assert.ok(v.some((x) => x !== zero), `${T.name} filled`);
}
const big = crypto.getRandomValues(new BigInt64Array(4));
assert.equal(typeof big[0], "bigint");
assert.equal(crypto.getRandomValues(new Uint8Array(65536)).length, 65536);
assert.equal(crypto.getRandomValues(new Uint8Array(0)).length, 0);

// more than 65,536 bytes: QuotaExceededError, the view untouched
function domError(fn, name, code) {
  let e;
  try { fn(); } catch (x) { e = x; }
  assert.ok(e instanceof DOMException, `${name}: a DOMException, got ${e}`);
  assert.equal(e.name, name);
  assert.equal(e.code, code);
}
const over = new Uint8Array(65537);
domError(() => crypto.getRandomValues(over), "QuotaExceededError", 22);
assert.ok(over.every((x) => x === 0), "a refused view is not filled");
domError(() => crypto.getRandomValues(new Uint32Array(16385)), "QuotaExceededError", 22);

// views that are not integer arrays: TypeMismatchError
domError(() => crypto.getRandomValues(new Float32Array(4)), "TypeMismatchError", 17);
domError(() => crypto.getRandomValues(new Float64Array(4)), "TypeMismatchError", 17);
domError(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4))), "TypeMismatchError", 17);

// WebIDL: no argument, or one that is no ArrayBufferView, is a TypeError
for (const [label, fn] of [
  ["no argument", () => crypto.getRandomValues()],
  ["undefined", () => crypto.getRandomValues(undefined)],
  ["null", () => crypto.getRandomValues(null)],
  ["an object", () => crypto.getRandomValues({ length: 4 })],
  ["an ArrayBuffer", () => crypto.getRandomValues(new ArrayBuffer(4))],
  ["an array", () => crypto.getRandomValues([1, 2, 3])],
]) {
  let e;
  try { fn(); } catch (x) { e = x; }
  assert.ok(e instanceof TypeError, `${label}: a TypeError, got ${e}`);
}
assert.throws(() => crypto.getRandomValues(), /1 argument required/);

// the object itself
assert.equal(Object.prototype.toString.call(crypto), "[object Crypto]");
assert.ok(crypto instanceof Crypto);
assert.equal(typeof crypto.subtle, "undefined", "crypto.subtle is not provided");
console.log("web_crypto: ok");
