// TextEncoder and TextDecoder: UTF-8 round trips decoded whole, split in two at every
// byte and fed byte by byte with {stream: true}; invalid sequences give one U+FFFD per
// maximal subpart, or a TypeError with `fatal`; the BOM is dropped once per stream unless
// ignoreBOM; encodeInto never splits a character; large inputs convert in linear time.
// timeout: 60
const enc = new TextEncoder();
const bytes = (a) => new Uint8Array(a);
const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join(" ");
const utf8 = (s) => new TextDecoder().decode(enc.encode(s));

assert.equal(enc.encoding, "utf-8");
assert.equal(new TextDecoder().encoding, "utf-8");
assert.equal(String(enc), "[object TextEncoder]");
assert(enc.encode("x") instanceof Uint8Array);
assert.equal(enc.encode().length, 0);

// 1-, 2-, 3- and 4-byte characters
assert.equal(hex(enc.encode("A")), "41");
assert.equal(hex(enc.encode("é")), "c3 a9");
assert.equal(hex(enc.encode("€")), "e2 82 ac");
assert.equal(hex(enc.encode("😀")), "f0 9f 98 80");
assert.equal(hex(enc.encode("\u0000\u007f\u0080\u07ff\u0800\uffff")), "00 7f c2 80 df bf e0 a0 80 ef bf bf");
// lone surrogates become EF BF BD
assert.equal(hex(enc.encode("\ud800")), "ef bf bd");
assert.equal(hex(enc.encode("a\udc00b")), "61 ef bf bd 62");
assert.equal(hex(enc.encode("\udc00\ud800")), "ef bf bd ef bf bd");
assert.equal(hex(enc.encode("\ud83d\ude00")), "f0 9f 98 80");

// streamed decoding: every two-piece split, and byte by byte
const samples = ["A", "é", "€", "😀", "aé€😀z", "日本語のテキスト", "👩‍👩‍👧‍👦 family",
                 "\u0000\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}", "Ωmega 🎉 done ✓"];
let splits = 0;
for (const s of samples) {
  const b = enc.encode(s);
  assert.equal(new TextDecoder().decode(b), s, "whole " + s);
  for (let cut = 0; cut <= b.length; cut++) {
    const d = new TextDecoder();
    const out = d.decode(b.subarray(0, cut), { stream: true }) + d.decode(b.subarray(cut), { stream: true }) + d.decode();
    assert.equal(out, s, `split at ${cut} of ${JSON.stringify(s)}`);
    const f = new TextDecoder("utf-8", { fatal: true }); // a split never makes valid input invalid
    assert.equal(f.decode(b.subarray(0, cut), { stream: true }) + f.decode(b.subarray(cut)), s);
    splits++;
  }
  const d = new TextDecoder();
  let out = "";
  for (let i = 0; i < b.length; i++) out += d.decode(b.subarray(i, i + 1), { stream: true });
  assert.equal(out + d.decode(), s, "byte by byte " + s);
}
// an incomplete character at the end of a non-streamed decode is one U+FFFD
const d1 = new TextDecoder();
assert.equal(d1.decode(bytes([0xF0, 0x9F]), { stream: true }), "");
assert.equal(d1.decode(), "\ufffd");
assert.equal(d1.decode(bytes([0x41])), "A", "the decoder starts afresh after a flush");
assert.equal(d1.decode(bytes([0xE2, 0x82]), { stream: true }), "");
assert.equal(d1.decode(bytes([0x41])), "\ufffdA");

// invalid sequences: one U+FFFD per maximal subpart
const invalid = [
  [[0xC0, 0x80], 2, "overlong NUL"],
  [[0xC1, 0xBF], 2, "overlong 2-byte"],
  [[0xE0, 0x80, 0x80], 3, "overlong 3-byte"],
  [[0xE0, 0x9F, 0xBF], 3, "overlong U+07FF"],
  [[0xF0, 0x80, 0x80, 0x80], 4, "overlong 4-byte"],
  [[0xF0, 0x8F, 0xBF, 0xBF], 4, "overlong U+FFFF"],
  [[0xED, 0xA0, 0x80], 3, "UTF-8 of a lead surrogate"],
  [[0xED, 0xBF, 0xBF], 3, "UTF-8 of a trail surrogate"],
  [[0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80], 6, "UTF-8 of a surrogate pair"],
  [[0xF4, 0x90, 0x80, 0x80], 4, "above U+10FFFF"],
  [[0xE2, 0x82], 1, "truncated 3-byte"],
  [[0xF0, 0x9F, 0x98], 1, "truncated 4-byte"],
  [[0xE2, 0x82, 0x41], 1, "truncated before ASCII", "\ufffdA"],
  [[0xF0, 0x9F, 0xE2, 0x82, 0xAC], 1, "truncated before a valid char", "\ufffd€"],
  [[0x80], 1, "lone continuation"],
  [[0x80, 0xBF, 0x80], 3, "continuations only"],
  [[0xF5], 1, "F5"], [[0xF8, 0x88, 0x80, 0x80, 0x80], 5, "5-byte form"], [[0xFE], 1, "FE"],
  [[0xFF, 0xFE], 2, "FF FE"],
];
for (let b = 0xF5; b <= 0xFF; b++) invalid.push([[b], 1, "byte " + b.toString(16)]);
for (const [input, n, name, expected] of invalid) {
  const out = new TextDecoder().decode(bytes(input));
  assert.equal(out, expected ?? "\ufffd".repeat(n), name);
  let err = null;
  try { new TextDecoder("utf-8", { fatal: true }).decode(bytes(input)); } catch (e) { err = e; }
  assert(err instanceof TypeError, "fatal throws TypeError: " + name);
  assert.equal(err.message, "The encoded data was not valid for encoding utf-8");
}
// the same sequences split at every position decode the same way
for (const [input, n, name, expected] of invalid) {
  for (let cut = 0; cut <= input.length; cut++) {
    const d = new TextDecoder();
    const out = d.decode(bytes(input.slice(0, cut)), { stream: true }) + d.decode(bytes(input.slice(cut)));
    assert.equal(out, expected ?? "\ufffd".repeat(n), `${name} split at ${cut}`);
  }
}
const fatal = new TextDecoder("utf-8", { fatal: true });
assert.equal(fatal.fatal, true);
assert.throws(() => fatal.decode(bytes([0xE2, 0x82]), { stream: false }), TypeError);
assert.equal(fatal.decode(bytes([0xE2, 0x82]), { stream: true }), "");
assert.throws(() => fatal.decode(), TypeError, "flushing an incomplete character is fatal");
assert.equal(fatal.decode(bytes([0x61])), "a", "usable after a fatal error");

// the BOM
const bom = [0xEF, 0xBB, 0xBF];
assert.equal(new TextDecoder().decode(bytes([...bom, 0x61])), "a");
assert.equal(new TextDecoder().decode(bytes([...bom, ...bom, 0x61])), "\ufeffa", "only the first BOM goes");
assert.equal(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes([...bom, 0x61])), "\ufeffa");
assert.equal(new TextDecoder().ignoreBOM, false);
assert.equal(new TextDecoder().decode(bytes([0x61, ...bom])), "a\ufeff", "a BOM later is text");
for (let cut = 0; cut <= 4; cut++) {
  const all = [...bom, 0x61];
  for (const ignoreBOM of [false, true]) {
    const d = new TextDecoder("utf-8", { ignoreBOM });
    let out = d.decode(bytes(all.slice(0, cut)), { stream: true });
    out += d.decode(bytes(all.slice(cut)), { stream: true }) + d.decode();
    assert.equal(out, ignoreBOM ? "\ufeffa" : "a", `BOM split at ${cut}, ignoreBOM ${ignoreBOM}`);
  }
}
{ // a BOM in the second chunk of a stream is text; a new stream strips it again
  const d = new TextDecoder();
  assert.equal(d.decode(bytes([0x61]), { stream: true }) + d.decode(bytes(bom)), "a\ufeff");
  assert.equal(d.decode(bytes([...bom, 0x62])), "b");
  assert.equal(d.decode(bytes([...bom, 0x62]), { stream: true }), "b");
  assert.equal(d.decode(bytes([...bom, 0x62]), { stream: true }), "\ufeffb");
}

// inputs: ArrayBuffer, typed arrays of other types, DataView, subarrays
const ab = enc.encode("héllo").buffer;
assert.equal(new TextDecoder().decode(ab), "héllo");
assert.equal(new TextDecoder().decode(new DataView(ab, 1, 2)), "é");
assert.equal(new TextDecoder().decode(new Uint16Array([0x6968])), "hi");
assert.equal(new TextDecoder().decode(new Uint8Array(ab, 3)), "llo");
assert.equal(new TextDecoder().decode(), "");
assert.throws(() => new TextDecoder().decode("text"), TypeError);
assert.throws(() => new TextDecoder().decode([0x61]), TypeError);

// labels
for (const l of ["utf-8", "UTF-8", "utf8", " utf8\n", "\tUnicode-1-1-UTF-8 ", "unicode11utf8", "x-unicode20utf8"])
  assert.equal(new TextDecoder(l).encoding, "utf-8", JSON.stringify(l));
let labelErr = null;
try { new TextDecoder("klingon"); } catch (e) { labelErr = e; }
assert(labelErr instanceof RangeError);
assert(labelErr.message.includes("klingon"), labelErr.message);
assert.throws(() => new TextDecoder("utf-8\u00a0"), RangeError);
assert.throws(() => new TextDecoder("utf-32"), RangeError);
// the optional encodings
assert.equal(new TextDecoder("UTF-16LE").encoding, "utf-16le");
assert.equal(new TextDecoder("utf-16le").decode(bytes([0xFF, 0xFE, 0x61, 0, 0x3D, 0xD8, 0, 0xDE])), "a😀");
assert.equal(new TextDecoder("utf-16le").decode(bytes([0x00, 0xD8, 0x61, 0])), "\ufffda");
assert.throws(() => new TextDecoder("utf-16le", { fatal: true }).decode(bytes([0x61])), TypeError);
assert.equal(new TextDecoder("latin1").encoding, "windows-1252");
assert.equal(new TextDecoder("ascii").decode(bytes([0x41, 0x80, 0xE9, 0x9F])), "A€éŸ");

// encodeInto: whole characters only
function into(s, size) {
  const dest = new Uint8Array(size);
  const r = enc.encodeInto(s, dest);
  return [r.read, r.written, hex(dest.subarray(0, r.written))];
}
assert.deepEqual(into("abc", 10), [3, 3, "61 62 63"]);
assert.deepEqual(into("abc", 2), [2, 2, "61 62"]);
assert.deepEqual(into("a€", 3), [1, 1, "61"], "€ needs 3 bytes, 2 are left");
assert.deepEqual(into("a€", 4), [2, 4, "61 e2 82 ac"]);
assert.deepEqual(into("😀", 3), [0, 0, ""], "a pair is never split");
assert.deepEqual(into("😀x", 4), [2, 4, "f0 9f 98 80"]);
assert.deepEqual(into("\ud800x", 4), [2, 4, "ef bf bd 78"]);
assert.deepEqual(into("", 0), [0, 0, ""]);
{
  const dest = new Uint8Array(8);
  const r = enc.encodeInto("é", dest.subarray(5));
  assert.deepEqual([r.read, r.written, dest[5], dest[6], dest[4]], [1, 2, 0xC3, 0xA9, 0]);
}
assert.throws(() => enc.encodeInto("a", new Uint16Array(4)), TypeError);
assert.throws(() => enc.encodeInto("a", new ArrayBuffer(4)), TypeError);

// large inputs convert in linear time
const scale = process.env.GP_TEST_SANITIZER ? 0.1 : 1;
const mb = Math.round(50 * scale);
const chunk = "Añ€😀 text ".repeat(1024);
const big = chunk.repeat(Math.ceil((mb << 20) / enc.encode(chunk).length));
let t = performance.now();
const bigBytes = enc.encode(big);
const tEnc = performance.now() - t;
t = performance.now();
const back = new TextDecoder().decode(bigBytes);
const tDec = performance.now() - t;
assert.equal(back.length, big.length);
assert(back === big, "50 MB round trip");
t = performance.now();
const sd = new TextDecoder();
let streamed = 0;
for (let i = 0; i < bigBytes.length; i += 65537) streamed += sd.decode(bigBytes.subarray(i, i + 65537), { stream: true }).length;
streamed += sd.decode().length;
const tStream = performance.now() - t;
assert.equal(streamed, big.length);
console.log(`${(bigBytes.length / 1048576).toFixed(1)} MB: encode ${tEnc.toFixed(0)} ms, decode ${tDec.toFixed(0)} ms, ` +
            `streamed decode in 64 KiB chunks ${tStream.toFixed(0)} ms; ${splits} split points checked`);
console.log("web_encoding ok");
