// Node's `crypto` module: digests against published vectors (FIPS 180 "abc", RFC 1321,
// RFC 4231 HMAC-SHA256 cases 1 and 2), every input and output form, copy(), the
// finalized and unknown-algorithm errors, the random functions (types, ranges, callback
// forms, randomInt's uniformity), timingSafeEqual, webcrypto, and that a Hash dropped
// without digest() frees its OpenSSL context (memory stays flat over many of them).
// timeout: 60
const crypto = require("crypto");
const { Buffer } = require("buffer");

function code(fn, expected, Ctor) {
  const e = assert.throws(fn);
  assert.equal(e.code, expected, `${e.code}: ${e.message}`);
  if (Ctor) assert(e instanceof Ctor, `${e.name}: ${e.message}`);
  return e;
}
const later = () => new Promise((r) => setTimeout(r, 0));

// ---- the module and its names -----------------------------------------------------
assert.equal(require("node:crypto"), crypto);
assert.equal(crypto.webcrypto, globalThis.crypto);
assert(require("module").builtinModules.includes("crypto"));
assert(require("module").isBuiltin("node:crypto"));

// ---- digests: published vectors ---------------------------------------------------
const vectors = {
  md5: ["", "d41d8cd98f00b204e9800998ecf8427e"],
  sha1: ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
  sha224: ["abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"],
  sha256: ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  sha384: ["abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed" +
                  "8086072ba1e7cc2358baeca134c825a7"],
  sha512: ["abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
                  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"],
};
for (const [alg, [input, hex]] of Object.entries(vectors)) {
  assert.equal(crypto.createHash(alg).update(input).digest("hex"), hex, alg);
  assert.equal(crypto.hash(alg, input), hex, "hash() " + alg);
  assert(crypto.getHashes().includes(alg), alg);
}
assert.equal(crypto.createHash("md5").update("abc").digest("hex"), "900150983cd24fb0d6963f7d28e17f72");
// Node's other spellings of a name
assert.equal(crypto.createHash("SHA256").update("abc").digest("hex"), vectors.sha256[1]);
assert.equal(crypto.createHash("RSA-SHA1").update("abc").digest("hex"), vectors.sha1[1]);
// one million "a" (FIPS 180-2), one-shot and in uneven pieces
const million = "a".repeat(1e6), millionHex = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
assert.equal(crypto.createHash("sha256").update(million).digest("hex"), millionHex);
const pieces = crypto.createHash("sha256");
for (let at = 0, n = 1; at < million.length; at += n, n = n * 3 % 70001 + 1) pieces.update(million.slice(at, at + n));
assert.equal(pieces.digest("hex"), millionHex);

// ---- update's inputs --------------------------------------------------------------
const abc256 = vectors.sha256[1];
const sha256 = (...parts) => parts.reduce((h, p) => h.update(...p), crypto.createHash("sha256")).digest("hex");
assert.equal(sha256(["a"], ["b"], ["c"]), abc256, "multi-update equals one-shot");
assert.equal(sha256([Buffer.from("abc")]), abc256);
assert.equal(sha256([new Uint8Array([97, 98, 99])]), abc256);
assert.equal(sha256([new DataView(new Uint8Array([0, 97, 98, 99, 0]).buffer, 1, 3)]), abc256);
assert.equal(sha256([new Uint16Array(new Uint8Array([97, 98, 99, 100]).buffer).subarray(0, 1)], ["c"]), abc256);
assert.equal(sha256(["616263", "hex"]), abc256);
assert.equal(sha256(["YWJj", "base64"]), abc256);
assert.equal(sha256(["YWJj", "base64url"]), abc256);
assert.equal(sha256(["abc", "latin1"]), abc256);
assert.equal(sha256(["abc", "no-such-encoding"]), abc256, "an unknown input encoding is utf8, as in Node");
assert.equal(sha256(["é"]), sha256([Buffer.from([0xc3, 0xa9])]), "utf8 by default");
assert.equal(sha256(["é", "latin1"]), sha256([Buffer.from([0xe9])]));
assert.equal(sha256([""]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
code(() => crypto.createHash("sha256").update("abc", "hex"), "ERR_INVALID_ARG_VALUE", TypeError);
const badData = code(() => crypto.createHash("sha256").update(5), "ERR_INVALID_ARG_TYPE", TypeError);
assert(/"data" argument must be of type string or an instance of Buffer, TypedArray, or DataView/.test(badData.message));
code(() => crypto.createHash("sha256").update(new ArrayBuffer(3)), "ERR_INVALID_ARG_TYPE"); // as Node
code(() => crypto.createHash("sha256").update(), "ERR_INVALID_ARG_TYPE");

// ---- digest's outputs -------------------------------------------------------------
const raw = Buffer.from(abc256, "hex");
const out = (enc) => crypto.createHash("sha256").update("abc").digest(enc);
assert(Buffer.isBuffer(out()), "no encoding: a Buffer");
assert.deepEqual([...out()], [...raw]);
assert(Buffer.isBuffer(out("buffer")), "'buffer': a Buffer");
assert(Buffer.isBuffer(out("no-such-encoding")), "an unknown output encoding: a Buffer, as in Node");
assert.equal(out("hex"), abc256);
assert.equal(out("base64"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
assert.equal(out("base64url"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
assert.equal(out("latin1"), raw.toString("latin1"));
assert.equal(out("binary"), raw.toString("latin1"));
assert.equal(out("HEX"), abc256);
assert.equal(crypto.hash("sha256", "abc", "base64"), out("base64"));
assert(Buffer.isBuffer(crypto.hash("sha256", "abc", "buffer")));
assert.equal(crypto.hash("sha256", Buffer.from("abc")), abc256);
code(() => crypto.hash("sha256", "abc", "bogus"), "ERR_INVALID_ARG_VALUE");
code(() => crypto.hash("sha256", 5), "ERR_INVALID_ARG_TYPE");
code(() => crypto.hash(5, "abc"), "ERR_INVALID_ARG_TYPE");
assert.throws(() => crypto.hash("nope", "abc"), /Digest method nope is not supported/);

// ---- copy, finalization, errors ---------------------------------------------------
const h = crypto.createHash("sha256").update("a");
const c1 = h.copy();
h.update("bc");
const c2 = h.copy();
assert.equal(c1.update("bc").digest("hex"), abc256, "a copy goes on from the state it copied");
assert.equal(h.digest("hex"), abc256);
assert.equal(c2.digest("hex"), abc256);
const again = code(() => h.digest(), "ERR_CRYPTO_HASH_FINALIZED", Error);
assert.equal(again.message, "Digest already called");
code(() => h.update("x"), "ERR_CRYPTO_HASH_FINALIZED");
code(() => h.copy(), "ERR_CRYPTO_HASH_FINALIZED");
assert.throws(() => crypto.createHash("nope"), /Digest method not supported$/);
// extendable-output functions: their own length by default, or options.outputLength
assert.equal(crypto.createHash("shake128").update("abc").digest("hex"), "5881092dd818bf5cf8a3ddb793fbcba7");
assert.equal(crypto.createHash("shake256").update("abc").digest("hex"),
             "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739");
const shake = crypto.createHash("shake128", { outputLength: 5 }).update("abc");
assert.equal(shake.copy({ outputLength: 8 }).digest("hex"), "5881092dd818bf5c");
assert.equal(shake.copy().digest("hex"), "5881092dd818bf5cf8a3ddb793fbcba7", "a copy has its own length, as in Node");
assert.equal(shake.digest("hex"), "5881092dd8");
assert.equal(crypto.createHash("shake256", { outputLength: 0 }).digest("hex"), "");
assert.equal(crypto.createHash("sha256", { outputLength: 32 }).update("abc").digest("hex"), vectors.sha256[1]);
code(() => crypto.createHash("sha256", { outputLength: 5 }), "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH", Error);
code(() => crypto.createHash("sha256").copy({ outputLength: 5 }), "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH");
code(() => crypto.createHash("shake128", { outputLength: -1 }), "ERR_OUT_OF_RANGE", RangeError);
code(() => crypto.createHash("shake128", { outputLength: "1" }), "ERR_INVALID_ARG_TYPE", TypeError);
assert.equal(crypto.createHash("sha256", 5).update("abc").digest("hex"), vectors.sha256[1], "options not an object: ignored");
assert.equal(crypto.hash("shake256", "abc").length, 64);
code(() => crypto.createHash(5), "ERR_INVALID_ARG_TYPE", TypeError);
code(() => crypto.createHash(), "ERR_INVALID_ARG_TYPE");
assert(crypto.createHash("md5") instanceof crypto.Hash);
const chained = crypto.createHash("md5");
assert.equal(chained.update("x"), chained, "update returns the hash");

// ---- HMAC (RFC 4231) --------------------------------------------------------------
const tc1 = crypto.createHmac("sha256", Buffer.alloc(20, 0x0b)).update("Hi There").digest("hex");
assert.equal(tc1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
const tc2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
assert.equal(crypto.createHmac("sha256", "Jefe").update("what do ya want for nothing?").digest("hex"), tc2);
assert.equal(crypto.createHmac("sha256", "Jefe").update("what do ya ").update("want for nothing?").digest("hex"), tc2);
assert.equal(crypto.createHmac("sha256", new TextEncoder().encode("Jefe").buffer)
  .update("what do ya want for nothing?").digest("hex"), tc2, "an ArrayBuffer key");
assert.equal(crypto.createHmac("sha256", "4a656665", { encoding: "hex" })
  .update("what do ya want for nothing?").digest("hex"), tc2, "a key in an encoding");
assert.equal(crypto.createHmac("sha512", "Jefe").update("what do ya want for nothing?").digest("hex"),
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
assert.equal(crypto.createHmac("md5", "").digest("hex"), "74e6f7298a9c2d168935f58c001bad88");
for (const alg of Object.keys(vectors)) assert.equal(crypto.createHmac(alg, "k").update("x").digest().length,
  crypto.createHash(alg).digest().length, alg);
const mac = crypto.createHmac("sha256", "Jefe");
assert.equal(mac.update("a"), mac);
mac.digest();
assert.equal(mac.digest("hex"), "", "a second digest() is empty, as in Node");
assert.equal(mac.digest().length, 0);
code(() => mac.update("a"), "ERR_CRYPTO_HASH_FINALIZED");
const badMac = code(() => crypto.createHmac("nope", "k"), "ERR_CRYPTO_INVALID_DIGEST", TypeError);
assert.equal(badMac.message, "Invalid digest: nope");
code(() => crypto.createHmac("sha256"), "ERR_INVALID_ARG_TYPE", TypeError);
code(() => crypto.createHmac("sha256", 5), "ERR_INVALID_ARG_TYPE");

// ---- random values ----------------------------------------------------------------
const rb = crypto.randomBytes(32);
assert(Buffer.isBuffer(rb) && rb.length === 32);
assert(!rb.equals(crypto.randomBytes(32)), "two draws differ");
assert.equal(crypto.randomBytes(0).length, 0);
assert.equal(crypto.randomBytes(100000).length, 100000, "more than getRandomValues' 65,536");
code(() => crypto.randomBytes(-1), "ERR_OUT_OF_RANGE", RangeError);
code(() => crypto.randomBytes(2 ** 31), "ERR_OUT_OF_RANGE");
code(() => crypto.randomBytes("1"), "ERR_INVALID_ARG_TYPE", TypeError);
code(() => crypto.randomBytes(1, 5), "ERR_INVALID_ARG_TYPE");
const fillMe = Buffer.alloc(64);
assert.equal(crypto.randomFillSync(fillMe), fillMe);
assert(fillMe.some((b) => b !== 0));
const part = new Uint8Array(16);
crypto.randomFillSync(part, 4, 8);
assert(part.slice(0, 4).every((b) => b === 0) && part.slice(12).every((b) => b === 0), "only the range is filled");
const words = new Uint32Array(4); // offset and size count elements of a typed array
crypto.randomFillSync(words, 1, 2);
assert(words[0] === 0 && words[3] === 0 && (words[1] | words[2]) !== 0);
const ab = new ArrayBuffer(8);
crypto.randomFillSync(ab);
assert(new Uint8Array(ab).some((b) => b !== 0));
crypto.randomFillSync(new DataView(new ArrayBuffer(8)));
code(() => crypto.randomFillSync(Buffer.alloc(4), 5), "ERR_OUT_OF_RANGE");
const over = code(() => crypto.randomFillSync(Buffer.alloc(4), 1, 4), "ERR_OUT_OF_RANGE");
assert(/"size \+ offset"/.test(over.message), over.message);
code(() => crypto.randomFillSync(Buffer.alloc(4), "1"), "ERR_INVALID_ARG_TYPE");
code(() => crypto.randomFillSync("x"), "ERR_INVALID_ARG_TYPE");
code(() => crypto.randomFill(Buffer.alloc(1)), "ERR_INVALID_ARG_TYPE");

// randomInt: bounds, arguments, and a chi-square check of uniformity over 10 buckets
for (let i = 0; i < 2000; i++) {
  const n = crypto.randomInt(-3, 4);
  assert(Number.isInteger(n) && n >= -3 && n < 4, String(n));
}
assert.equal(crypto.randomInt(1), 0);
assert.equal(crypto.randomInt(7, 8), 7);
const big = crypto.randomInt(2 ** 48 - 1);
assert(Number.isSafeInteger(big) && big >= 0 && big < 2 ** 48 - 1);
const buckets = new Array(10).fill(0), draws = 100000;
for (let i = 0; i < draws; i++) buckets[crypto.randomInt(10)]++;
const chi2 = buckets.reduce((s, n) => s + (n - draws / 10) ** 2 / (draws / 10), 0);
assert(chi2 < 33.7, `chi-square ${chi2} over 9 degrees of freedom (p < 1e-4 for a fair draw): ${buckets}`);
// a range just above 2^47 is where a modulo would be most biased: the lower half would
// be drawn twice as often as the upper
const top = 2 ** 47 + 2 ** 46;
let low = 0;
for (let i = 0; i < 20000; i++) if (crypto.randomInt(top) < top / 2) low++;
assert(low > 9500 && low < 10500, `${low} of 20000 in the lower half`);
const same = code(() => crypto.randomInt(5, 5), "ERR_OUT_OF_RANGE", RangeError);
assert(same.message.includes('greater than the value of "min" (5)'), same.message);
const wide = code(() => crypto.randomInt(0, 2 ** 48 + 1), "ERR_OUT_OF_RANGE");
assert(wide.message.includes('"max - min"') && wide.message.includes("281_474_976_710_657"), wide.message);
code(() => crypto.randomInt(1.5), "ERR_INVALID_ARG_TYPE", TypeError);
code(() => crypto.randomInt("1"), "ERR_INVALID_ARG_TYPE");
code(() => crypto.randomInt(2 ** 53), "ERR_INVALID_ARG_TYPE");
code(() => crypto.randomInt(1, 5, 5), "ERR_INVALID_ARG_TYPE");

// uuid and getRandomValues: the web global's
const uuid = crypto.randomUUID();
assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid), uuid);
assert.notEqual(crypto.randomUUID({ disableEntropyCache: true }), uuid);
code(() => crypto.randomUUID(5), "ERR_INVALID_ARG_TYPE");
const gv = new Uint16Array(8);
assert.equal(crypto.getRandomValues(gv), gv);
assert.throws(() => crypto.getRandomValues(new Float32Array(1)));

// ---- timingSafeEqual --------------------------------------------------------------
assert.equal(crypto.timingSafeEqual(Buffer.from("secret"), Buffer.from("secret")), true);
assert.equal(crypto.timingSafeEqual(Buffer.from("secret"), Buffer.from("secreT")), false);
assert.equal(crypto.timingSafeEqual(new Uint8Array(4), new Uint32Array(1)), true, "byte lengths compared");
assert.equal(crypto.timingSafeEqual(new ArrayBuffer(2), new DataView(new ArrayBuffer(2))), true);
assert.equal(crypto.timingSafeEqual(Buffer.alloc(0), Buffer.alloc(0)), true);
const unequal = code(() => crypto.timingSafeEqual(Buffer.alloc(2), Buffer.alloc(3)),
                     "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", RangeError);
assert.equal(unequal.message, "Input buffers must have the same byte length");
code(() => crypto.timingSafeEqual("a", "b"), "ERR_INVALID_ARG_TYPE", TypeError);

// ---- the callback forms: called later, with (null, value); randomInt with (undefined, n) as Node
(async () => {
  let sync = true;
  const got = await new Promise((resolve, reject) => {
    crypto.randomBytes(16, (err, buf) => (err ? reject(err) : resolve(buf)));
  });
  assert(Buffer.isBuffer(got) && got.length === 16);
  const results = [];
  const called = (what, call) => new Promise((resolve) => call((err, v) => resolve(results.push([what, err, v, sync]))));
  const target = new Uint8Array(8);
  const all = Promise.all([
    called("int", (cb) => crypto.randomInt(10, cb)),
    called("int2", (cb) => crypto.randomInt(5, 6, cb)),
    called("fill", (cb) => crypto.randomFill(target, (err, buf) => cb(err, buf === target))),
    called("fillAt", (cb) => crypto.randomFill(new Uint8Array(8), 2, (err, buf) => cb(err, buf[0] + buf[1]))),
    called("fillRange", (cb) => crypto.randomFill(new Uint8Array(8), 2, 2, (err, buf) => cb(err, buf[4]))),
  ]);
  sync = false;
  await all;
  assert.equal(results.length, 5, JSON.stringify(results));
  for (const [what, err, , wasSync] of results) assert(err === (what.startsWith("int") ? undefined : null) && !wasSync, what);
  const [, , n] = results.find((r) => r[0] === "int");
  assert(n >= 0 && n < 10);
  assert.equal(results.find((r) => r[0] === "int2")[2], 5);
  assert.equal(results.find((r) => r[0] === "fill")[2], true);
  assert.equal(results.find((r) => r[0] === "fillAt")[2], 0);
  assert.equal(results.find((r) => r[0] === "fillRange")[2], 0);

  // ---- hashes dropped without digest(): their finalizer frees the OpenSSL context ----
  // (under a sanitizer, freed memory is held in quarantine: its leak check at exit covers
  // this instead)
  if (process.env.GP_TEST_SANITIZER) return console.log("node_crypto ok");
  const rss = () => process.memoryUsage().rss;
  const drop = (n) => { for (let i = 0; i < n; i++) crypto.createHash("sha512").update("x"); };
  drop(50000);
  await later();
  const before = rss();
  for (let round = 0; round < 10; round++) { drop(50000); await later(); }
  const grown = (rss() - before) / 1048576;
  // 500,000 leaked contexts would hold well over 100 MiB
  assert(grown < 60, `memory grew ${grown.toFixed(1)} MiB over 500,000 dropped hashes`);
  console.log(`node_crypto ok (rss ${grown >= 0 ? "+" : ""}${grown.toFixed(1)} MiB over 500,000 dropped hashes)`);
})().catch((e) => { console.error(String(e) + "\n" + e.stack); process.exit(1); });
