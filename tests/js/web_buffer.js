// Buffer: round trips in every encoding over random bytes and over a sample of all code
// points; the statics (from, alloc, concat, byteLength, compare, isBuffer, isEncoding);
// views that share memory; integer access with Node's range errors; write, fill, copy,
// indexOf, toJSON; require("buffer"); and a 10 MB base64/hex round trip, timed.
// timeout: 60
const rand = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
  return b;
};
function throwsCode(fn, Type, code, what) {
  let err = null;
  try { fn(); } catch (e) { err = e; }
  assert(err instanceof Type, `${what}: expected ${Type.name}, got ${err}`);
  assert.equal(err.code, code, what);
  return err;
}

// ---- the class -------------------------------------------------------------------------
const b0 = Buffer.from("abc");
assert(b0 instanceof Uint8Array && b0 instanceof Buffer, "a Buffer is a Uint8Array");
assert(Buffer.isBuffer(b0) && !Buffer.isBuffer(new Uint8Array(3)) && !Buffer.isBuffer("abc"));
assert.equal(b0.constructor, Buffer);
assert(Object.getPrototypeOf(Buffer.prototype) === Uint8Array.prototype);
assert(Buffer(3) instanceof Buffer && Buffer(3).length === 3, "callable without new");
for (const e of ["utf8", "UTF-8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "utf16le", "UCS2", "ucs-2", "utf-16le"])
  assert(Buffer.isEncoding(e), e);
for (const e of ["utf-16", "nope", "", 5, undefined]) assert(!Buffer.isEncoding(e), String(e));

// ---- round trips over random bytes --------------------------------------------------------
let roundTrips = 0;
for (const n of [0, 1, 2, 3, 4, 5, 31, 32, 33, 1000, 4097]) {
  const bytes = rand(n);
  for (const enc of ["hex", "base64", "base64url", "latin1", "binary"]) {
    const s = bytes.toString(enc);
    assert(Buffer.from(s, enc).equals(bytes), `${enc} round trip of ${n} bytes`);
    roundTrips++;
  }
  const even = bytes.subarray(0, n & ~1);
  assert(Buffer.from(even.toString("utf16le"), "utf16le").equals(even), "utf16le round trip");
  const ascii = Buffer.from(bytes.map((b) => b & 0x7f));
  assert(Buffer.from(ascii.toString("ascii"), "ascii").equals(ascii), "ascii round trip");
  // utf8 of arbitrary bytes agrees with TextDecoder
  assert.equal(bytes.toString("utf8"), new TextDecoder().decode(bytes));
  roundTrips += 3;
}
assert.equal(Buffer.from("ff00", "hex").toString("ascii"), "\x7f\x00", "ascii clears the high bit");
// base64 and hex against a reference over one known buffer
const known = Buffer.from([0, 1, 2, 0xfb, 0xff, 0xbf]);
assert.equal(known.toString("hex"), "000102fbffbf");
assert.equal(known.toString("base64"), "AAEC+/+/");
assert.equal(known.toString("base64url"), "AAEC-_-_");
assert.equal(Buffer.from([0xfb]).toString("base64"), "+w==");
assert.equal(Buffer.from([0xfb]).toString("base64url"), "-w", "base64url has no padding");
// lenient decoding, as Node's
assert(Buffer.from("AAEC-_-_", "base64").equals(known), "base64 accepts the url alphabet");
assert(Buffer.from("AAEC+/+/", "base64url").equals(known), "base64url accepts the standard alphabet");
assert(Buffer.from(" AA\nEC +/\t+/ ", "base64").equals(known), "whitespace is ignored");
assert(Buffer.from("AAEC+/+/====", "base64").equals(known));
assert.equal(Buffer.from("aGk=aGk=", "base64").toString(), "hi", "decoding stops at padding");
assert.equal(Buffer.from("aGk*", "base64").toString(), "hi", "other characters are skipped");
assert.equal(Buffer.from("0102zz03", "hex").toString("hex"), "0102", "hex stops at the first bad pair");
assert.equal(Buffer.from("abc", "hex").toString("hex"), "ab", "an odd last digit is dropped");
assert.equal(Buffer.from("ABCDEF", "hex").toString("hex"), "abcdef");

// ---- round trips over code points -----------------------------------------------------------
let text = "";
for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x800 ? 1 : cp < 0x10000 ? 7 : 251) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  text += String.fromCodePoint(cp);
}
const u8 = Buffer.from(text, "utf8");
assert(u8.equals(new TextEncoder().encode(text)), "utf8 agrees with TextEncoder");
assert.equal(u8.toString(), text, "utf8 round trip of all code points sampled");
assert.equal(Buffer.byteLength(text), u8.length);
assert.equal(Buffer.byteLength(text, "utf-8"), u8.length);
assert.equal(Buffer.from(text, "utf16le").toString("utf16le"), text);
assert.equal(Buffer.from(text, "ucs2").length, text.length * 2);
const lone = "a\ud800b\udc00";
assert.equal(Buffer.from(lone, "utf16le").toString("utf16le"), lone, "utf16le keeps lone surrogates");
assert.equal(Buffer.from(lone).toString("hex"), "61efbfbd62efbfbd", "utf8 writes them as U+FFFD");
const latin = text.slice(0, 256);
assert.equal(Buffer.from(latin, "latin1").toString("latin1"), latin);
assert.equal(Buffer.from("€", "latin1").toString("hex"), "ac", "latin1 keeps the low byte");
assert.equal(Buffer.from("héllo", "ascii").toString("hex"), "68e96c6c6f");
console.log(`${text.length} UTF-16 units of sampled code points, ${roundTrips} byte round trips`);

// ---- from -------------------------------------------------------------------------------------
assert.equal(Buffer.from([1, 2, 256, -1, 3.7]).toString("hex"), "010200ff03");
assert.equal(Buffer.from({ length: 2, 0: 9, 1: 8 }).toString("hex"), "0908");
assert.equal(Buffer.from({ type: "Buffer", data: [1, 2] }).toString("hex"), "0102");
assert.equal(Buffer.from(new String("hi")).toString(), "hi");
const ab = new ArrayBuffer(8);
const shared = Buffer.from(ab, 2, 4);
shared[0] = 7;
assert.equal(new Uint8Array(ab)[2], 7, "from(arrayBuffer) shares memory");
assert.equal(shared.length, 4);
assert.equal(Buffer.from(ab, 6).length, 2);
throwsCode(() => Buffer.from(ab, 9), RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "offset past the end");
throwsCode(() => Buffer.from(ab, 2, 7), RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "length past the end");
const src = Buffer.from("xyz");
const copied = Buffer.from(src);
copied[0] = 65;
assert.equal(src.toString(), "xyz", "from(buffer) copies");
assert.equal(Buffer.from(new Uint16Array([0x1234, 5])).toString("hex"), "3405", "a typed array's elements, as bytes");
assert.equal(Buffer.from(new Uint8Array([5, 6]).subarray(1)).toString("hex"), "06");
throwsCode(() => Buffer.from({}), TypeError, "ERR_INVALID_ARG_TYPE", "from({})");
throwsCode(() => Buffer.from(5), TypeError, "ERR_INVALID_ARG_TYPE", "from(5)");
throwsCode(() => Buffer.from("a", "utf-32"), TypeError, "ERR_UNKNOWN_ENCODING", "unknown encoding");
assert.equal(Buffer.from("68656C6C6F", "HEX").toString(), "hello", "encoding names ignore case");

// ---- alloc, concat, byteLength, compare ---------------------------------------------------------
assert.equal(Buffer.alloc(4).toString("hex"), "00000000");
assert.equal(Buffer.alloc(5, "ab").toString(), "ababa");
assert.equal(Buffer.alloc(3, 0x41).toString(), "AAA");
assert.equal(Buffer.alloc(4, "aGk=", "base64").toString(), "hihi");
assert.equal(Buffer.alloc(3, Buffer.from([1, 2])).toString("hex"), "010201");
assert.equal(Buffer.allocUnsafe(3).length, 3);
throwsCode(() => Buffer.alloc(-1), RangeError, "ERR_OUT_OF_RANGE", "alloc(-1)");
throwsCode(() => Buffer.alloc("3"), TypeError, "ERR_INVALID_ARG_TYPE", "alloc('3')");
const parts = [Buffer.from("ab"), new Uint8Array([0x63]), Buffer.from("de")];
assert.equal(Buffer.concat(parts).toString(), "abcde");
assert.equal(Buffer.concat(parts, 3).toString(), "abc");
assert.equal(Buffer.concat(parts, 7).toString("hex"), "61626364650000");
assert.equal(Buffer.concat([]).length, 0);
assert(Buffer.concat(parts) instanceof Buffer);
throwsCode(() => Buffer.concat([Buffer.from("a"), "b"]), TypeError, "ERR_INVALID_ARG_TYPE", "concat of a string");
throwsCode(() => Buffer.concat("ab"), TypeError, "ERR_INVALID_ARG_TYPE", "concat of no list");
assert.equal(Buffer.byteLength("€"), 3);
assert.equal(Buffer.byteLength("😀"), 4);
assert.equal(Buffer.byteLength("\ud800"), 3);
assert.equal(Buffer.byteLength("abcd", "hex"), 2);
assert.equal(Buffer.byteLength("aGk=", "base64"), 2);
assert.equal(Buffer.byteLength("aGVsbG8", "base64url"), 5);
assert.equal(Buffer.byteLength("é", "latin1"), 1);
assert.equal(Buffer.byteLength("é", "utf16le"), 2);
assert.equal(Buffer.byteLength(new Uint32Array(3)), 12);
assert.equal(Buffer.byteLength(new ArrayBuffer(5)), 5);
throwsCode(() => Buffer.byteLength(5), TypeError, "ERR_INVALID_ARG_TYPE", "byteLength(5)");
assert.equal(Buffer.compare(Buffer.from("a"), Buffer.from("b")), -1);
assert.equal(Buffer.compare(Buffer.from("b"), Buffer.from("a")), 1);
assert.equal(Buffer.compare(Buffer.from("ab"), Buffer.from("ab")), 0);
assert.equal(Buffer.compare(Buffer.from("a"), Buffer.from("ab")), -1);
assert.deepEqual([Buffer.from("c"), Buffer.from("a"), Buffer.from("b")].sort(Buffer.compare).map(String), ["a", "b", "c"]);

// ---- views share memory -----------------------------------------------------------------------------
const base = Buffer.from("hello world");
const sl = base.slice(0, 5), sub = base.subarray(6), neg = base.slice(-5, -1);
assert(sl instanceof Buffer && sub instanceof Buffer && neg instanceof Buffer);
sl[0] = 0x48;
sub[0] = 0x57;
assert.equal(base.toString(), "Hello World", "slice and subarray share memory");
assert.equal(neg.toString(), "Worl");
assert.equal(base.slice(3, 1).length, 0);
assert(base.map((x) => x) instanceof Buffer);
assert.equal(base.toString("utf8", 6), "World");
assert.equal(base.toString("utf8", 0, 5), "Hello");
assert.equal(base.toString("utf8", -3, 100), "Hello World");
assert.equal(base.toString("utf8", 7, 3), "");
assert(base.equals(Buffer.from("Hello World")) && !base.equals(Buffer.from("Hello")));
assert(base.equals(new Uint8Array(base)));
throwsCode(() => base.equals("Hello World"), TypeError, "ERR_INVALID_ARG_TYPE", "equals(string)");
assert.equal(base.compare(Buffer.from("Hello")), 1);
assert.equal(base.compare(Buffer.from("World"), 0, 5, 6, 11), 0);
assert.equal(String(base), "Hello World");
assert.equal(JSON.stringify(Buffer.from([1, 2, 255])), '{"type":"Buffer","data":[1,2,255]}');
assert.deepEqual(Buffer.from("hi").toJSON(), { type: "Buffer", data: [104, 105] });
assert(Buffer.from(JSON.parse(JSON.stringify(base))).equals(base), "toJSON round trip");

// ---- write, fill, copy, indexOf ---------------------------------------------------------------------------
const w = Buffer.alloc(8);
assert.equal(w.write("hi"), 2);
assert.equal(w.write("é€", 2), 5);
assert.equal(w.toString("utf8", 0, 7), "hié€");
assert.equal(w.write("€", 6), 0, "a character that does not fit is not written");
assert.equal(w.write("abcd", 6), 2);
assert.equal(w.write("ffee", 0, "hex"), 2);
assert.equal(w.write("ffeedd", 1, 1, "hex"), 1);
assert.equal(w.write("x", "latin1"), 1);
assert.equal(w.write("abc", 7, "utf16le"), 0, "no half a UTF-16 unit");
assert.equal(w.toString("hex"), "78ffc3a9e2826162");
throwsCode(() => w.write("a", 9), RangeError, "ERR_OUT_OF_RANGE", "write past the end");
throwsCode(() => w.write(5), TypeError, "ERR_INVALID_ARG_TYPE", "write(5)");
assert.equal(Buffer.alloc(6).fill("ab", 1, 5).toString("hex"), "006162616200");
assert.equal(Buffer.alloc(4).fill(0x1ff).toString("hex"), "ffffffff");
assert.equal(Buffer.alloc(5).fill("€").toString("hex"), "e282ace282");
assert.equal(Buffer.alloc(3).fill("").toString("hex"), "000000");
throwsCode(() => Buffer.alloc(3).fill("zz", "hex"), TypeError, "ERR_INVALID_ARG_VALUE", "fill with bad hex");
throwsCode(() => Buffer.alloc(3).fill(1, 4), RangeError, "ERR_OUT_OF_RANGE", "fill offset");
const target = Buffer.alloc(6, ".");
assert.equal(Buffer.from("abcd").copy(target, 1, 1, 3), 2);
assert.equal(target.toString(), ".bc...");
assert.equal(Buffer.from("abcdefgh").copy(target, 4), 2);
assert.equal(target.toString(), ".bc.ab");
const overlap = Buffer.from("abcdef");
overlap.copy(overlap, 2, 0, 4);
assert.equal(overlap.toString(), "ababcd", "copy within one buffer");
const hay = Buffer.from("this is a buffer, a buffer");
assert.equal(hay.indexOf("buffer"), 10);
assert.equal(hay.indexOf("buffer", 11), 20);
assert.equal(hay.indexOf(Buffer.from("a b")), 8);
assert.equal(hay.indexOf(0x61), 8);
assert.equal(hay.indexOf("zzz"), -1);
assert.equal(hay.indexOf("buffer", -6), 20);
assert.equal(hay.indexOf("6275", "hex"), 10);
assert.equal(hay.lastIndexOf("buffer"), 20);
assert.equal(hay.lastIndexOf("buffer", 19), 10);
assert.equal(hay.lastIndexOf("buffer", -30), -1);
assert.equal(Buffer.from("ab").lastIndexOf("abc"), -1);
assert.equal(hay.lastIndexOf(0x74, -100), -1);
assert(hay.includes("a buf") && !hay.includes("xyz") && hay.includes(0x2c));
assert.equal(hay.indexOf(""), 0);

// ---- integers ---------------------------------------------------------------------------------------------------
const ints = Buffer.alloc(8);
assert.equal(ints.writeUInt8(0xfe, 0), 1);
assert.equal(ints.writeUInt16LE(0x1234, 1), 3);
assert.equal(ints.writeUInt16BE(0x1234, 3), 5);
assert.equal(ints.toString("hex", 0, 5), "fe34121234");
assert.equal(ints.readUInt8(0), 0xfe);
assert.equal(ints.readInt8(0), -2);
assert.equal(ints.readUInt16LE(1), 0x1234);
assert.equal(ints.readUInt16BE(3), 0x1234);
assert.equal(ints.writeUInt32LE(0xdeadbeef, 0), 4);
assert.equal(ints.readUInt32LE(0), 0xdeadbeef);
assert.equal(ints.readUInt32BE(0), 0xefbeadde);
assert.equal(ints.readInt32LE(0), 0xdeadbeef | 0);
assert.equal(ints.writeInt32BE(-2, 4), 8);
assert.equal(ints.toString("hex", 4), "fffffffe");
assert.equal(ints.readInt32BE(4), -2);
assert.equal(ints.readInt16BE(6), -2);
assert.equal(ints.readInt16LE(6), -257);
ints.writeInt16LE(-32768, 0);
assert.equal(ints.readInt16LE(0), -32768);
ints.writeInt8(-128, 0);
assert.equal(ints.readUInt8(0), 0x80);
assert.equal(ints.readUint16LE, ints.readUInt16LE, "lower-case aliases");
ints.writeDoubleLE(1.5, 0);
assert.equal(ints.readDoubleLE(0), 1.5);
ints.writeFloatBE(-2.5, 4);
assert.equal(ints.readFloatBE(4), -2.5);
ints.writeBigInt64BE(-5n, 0);
assert.equal(ints.readBigInt64BE(0), -5n);
assert.equal(ints.readBigUInt64BE(0), 2n ** 64n - 5n);
// bounds
let e = throwsCode(() => ints.readUInt32LE(5), RangeError, "ERR_OUT_OF_RANGE", "read past the end");
assert.equal(e.message, 'The value of "offset" is out of range. It must be >= 0 and <= 4. Received 5');
throwsCode(() => ints.readUInt8(8), RangeError, "ERR_OUT_OF_RANGE", "readUInt8(8)");
throwsCode(() => ints.readUInt8(-1), RangeError, "ERR_OUT_OF_RANGE", "readUInt8(-1)");
throwsCode(() => ints.readUInt8(1.5), RangeError, "ERR_OUT_OF_RANGE", "readUInt8(1.5)");
throwsCode(() => ints.readUInt8("1"), TypeError, "ERR_INVALID_ARG_TYPE", "readUInt8('1')");
throwsCode(() => ints.writeUInt16BE(1, 7), RangeError, "ERR_OUT_OF_RANGE", "write past the end");
throwsCode(() => Buffer.alloc(1).readUInt16LE(0), RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "buffer too small");
e = throwsCode(() => ints.writeUInt8(256, 0), RangeError, "ERR_OUT_OF_RANGE", "value too big");
assert.equal(e.message, 'The value of "value" is out of range. It must be >= 0 and <= 255. Received 256');
throwsCode(() => ints.writeInt8(-129, 0), RangeError, "ERR_OUT_OF_RANGE", "value too small");
throwsCode(() => ints.writeUInt32LE(2 ** 32, 0), RangeError, "ERR_OUT_OF_RANGE", "2^32");
throwsCode(() => ints.writeInt16LE(32768, 0), RangeError, "ERR_OUT_OF_RANGE", "32768");
throwsCode(() => ints.writeUInt8(-1, 0), RangeError, "ERR_OUT_OF_RANGE", "-1");
throwsCode(() => ints.writeBigInt64LE(1, 0), TypeError, "ERR_INVALID_ARG_TYPE", "a number for a bigint");

// ---- 10 MB -------------------------------------------------------------------------------------------------------
const scale = process.env.GP_TEST_SANITIZER ? 0.1 : 1;
const big = rand(Math.round(10 * 1048576 * scale));
const times = [];
for (const enc of ["base64", "hex", "latin1", "utf16le", "utf8"]) {
  let t = performance.now();
  const s = big.toString(enc);
  const tEnc = performance.now() - t;
  t = performance.now();
  const back = Buffer.from(s, enc);
  const tDec = performance.now() - t;
  if (enc !== "utf8") assert(back.equals(big), enc + " 10 MB round trip");
  times.push(`${enc} ${tEnc.toFixed(0)}+${tDec.toFixed(0)} ms`);
}
let t = performance.now();
assert(Buffer.concat([big, big]).subarray(big.length).equals(big));
times.push(`concat+equals ${(performance.now() - t).toFixed(0)} ms`);
console.log(`${(big.length / 1048576).toFixed(0)} MB toString+from: ${times.join(", ")}`);
// the `buffer` module exports the same global (and its neighbours)
for (const name of ["buffer", "node:buffer"]) {
  const mod = require(name);
  assert(mod.Buffer === Buffer, name + ".Buffer is the global");
  assert(mod.Blob === Blob && mod.atob === atob && mod.btoa === btoa, name + ": Blob, atob, btoa");
  assert.equal(mod.constants.MAX_LENGTH, mod.kMaxLength);
}
console.log("web_buffer ok");
