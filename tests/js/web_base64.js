// atob and btoa per the HTML standard: btoa of every Latin1 string against a reference
// encoder written here, InvalidCharacterError for units above 0xFF; atob's
// forgiving-base64 rules over the web-platform-tests table (tests/data/wpt/encoding/
// base64.json, from html/webappapis/atob/base64.any.js) and the WebIDL conversions.
const table = require("../data/wpt/encoding/base64.json");

function expectInvalid(fn, what) {
  let err = null;
  try { fn(); } catch (e) { err = e; }
  assert(err instanceof DOMException, what + ": expected a DOMException, got " + err);
  assert.equal(err.name, "InvalidCharacterError", what);
  assert.equal(err.code, 5, what + ": INVALID_CHARACTER_ERR");
}

// A reference btoa, RFC 4648 with padding, one character at a time.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function refBtoa(s) {
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
    out += alphabet[a >> 2] + alphabet[((a & 3) << 4) | (i + 1 < s.length ? b >> 4 : 0)];
    out += i + 1 < s.length ? alphabet[((b & 15) << 2) | (i + 2 < s.length ? c >> 6 : 0)] : "=";
    out += i + 2 < s.length ? alphabet[c & 63] : "=";
  }
  return out;
}

// ---- btoa (the inputs of base64.any.js) -----------------------------------------------
let cases = 0;
const inputs = ["עברית", "", "ab", "abc", "abcd", "abcde", "\xff\xff\xc0", "\0a", "a\0b",
                undefined, null, 7, 12, 1.5, true, false, NaN, +Infinity, -Infinity, 0, -0,
                { toString() { return "foo"; } }];
for (let i = 0; i < 258; i++) inputs.push(String.fromCharCode(i));
inputs.push(String.fromCharCode(10000), String.fromCharCode(65534), String.fromCharCode(65535),
            String.fromCharCode(0xd800, 0xdc00));
let everything = "";
for (let i = 0; i < 256; i++) everything += String.fromCharCode(i);
inputs.push(everything);
for (const input of inputs) {
  const s = String(input);
  if ([...s].some((c) => c.charCodeAt(0) > 255)) {
    expectInvalid(() => btoa(input), "btoa(" + JSON.stringify(s) + ")");
  } else {
    assert.equal(btoa(input), refBtoa(s), "btoa(" + JSON.stringify(s) + ")");
    assert.equal(atob(btoa(input)), s, "atob(btoa(" + JSON.stringify(s) + "))");
  }
  cases++;
}

// ---- atob: the forgiving-base64 table and the WebIDL conversions -----------------------
const idlTests = [
  [undefined, null], [null, [158, 233, 101]], [7, null], [12, [215]], [1.5, null], [true, [182, 187]],
  [false, null], [NaN, [53, 163]], [+Infinity, [34, 119, 226, 158, 43, 114]], [-Infinity, null], [0, null],
  [-0, null], [{ toString() { return "foo"; } }, [126, 138]], [{ toString() { return "abcd"; } }, [105, 183, 29]],
];
// the table gives all the bytes; the WebIDL cases only the first ones, as in WPT
for (const [input, output, exact] of table.map((t) => [t[0], t[1], true]).concat(idlTests)) {
  const what = "atob(" + JSON.stringify(String(input)) + ")";
  if (output === null) {
    expectInvalid(() => atob(input), what);
  } else {
    const r = atob(input);
    if (exact) assert.equal(r.length, output.length, what);
    for (let i = 0; i < output.length; i++) assert.equal(r.charCodeAt(i), output[i], what + " at " + i);
  }
  cases++;
}

// ---- more rules --------------------------------------------------------------------------
assert.equal(atob("SGVsbG8sIFdvcmxkIQ=="), "Hello, World!");
assert.equal(atob("SGVsbG8sIFdvcmxkIQ"), "Hello, World!", "padding is optional");
assert.equal(atob(" S G V s\nb G 8 = "), "Hello", "ASCII whitespace anywhere");
expectInvalid(() => atob("SGVsbG8-"), "the base64url alphabet is not accepted");
expectInvalid(() => atob("SGVs_G8"), "the base64url alphabet is not accepted");
expectInvalid(() => atob("SGVsbG8\u000b"), "vertical tab is not ASCII whitespace");
expectInvalid(() => atob("SGVsbG8=="), "too much padding");
expectInvalid(() => btoa("€"), "btoa above 0xFF");
expectInvalid(() => btoa("\ud83d\ude00"), "btoa of a surrogate pair");
assert.throws(() => atob(), TypeError);
assert.throws(() => btoa(), TypeError);
assert.equal(atob("/w=="), "\xff");
assert.equal(btoa("\xff\xfe\xfd"), "//79");

// ---- large inputs ------------------------------------------------------------------------
const scale = process.env.GP_TEST_SANITIZER ? 0.1 : 1;
const n = Math.round(10 * 1048576 * scale);
let big = "";
{
  const parts = [];
  for (let i = 0; i < 256; i++) parts.push(String.fromCharCode((i * 37) & 255));
  const block = parts.join("").repeat(64);
  big = block.repeat(Math.ceil(n / block.length)).slice(0, n);
}
let t = performance.now();
const b64 = btoa(big);
const tEnc = performance.now() - t;
t = performance.now();
const back = atob(b64);
const tDec = performance.now() - t;
assert.equal(b64.length, Math.ceil(n / 3) * 4);
assert(back === big, "large round trip");
console.log(`${(n / 1048576).toFixed(0)} MB: btoa ${tEnc.toFixed(0)} ms, atob ${tDec.toFixed(0)} ms; ${cases} table cases`);
console.log("web_base64 ok");
