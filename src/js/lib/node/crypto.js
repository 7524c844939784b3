// Node's `crypto` module (SPEC §3.2), the part scripts and npm packages use: hashes and
// HMACs (createHash, createHmac, hash, getHashes; OpenSSL's digests through
// host.crypto, mod_crypto.c), random values (randomBytes, randomFill(Sync), randomInt,
// randomUUID, getRandomValues: the kernel's source, host.randomFill) and
// timingSafeEqual; webcrypto is the `crypto` global. Everything is synchronous as in
// Node; the callback forms call back from a timer. No ciphers, signatures, key objects
// or subtle.
(function (host, lib, g) {
  "use strict";
  const { argType, argValue, outOfRange } = lib("node/internal_errors");
  const native = host.crypto;
  const Buffer = g.Buffer;
  const kMaxInt32 = 2 ** 31 - 1;

  function codeError(Ctor, code, message) {
    const e = new Ctor(message);
    e.code = code;
    return e;
  }
  const finalized = () => codeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
  // Node's way of showing a large number in a range error: 281_474_976_710_657.
  function separated(n) {
    let s = String(n), out = "";
    const start = s[0] === "-" ? 1 : 0;
    for (let i = s.length; i >= start + 4; i -= 3) { out = "_" + s.slice(i - 3, i) + out; s = s.slice(0, i - 3); }
    return s + out;
  }
  function validateFunction(fn, name) {
    if (typeof fn !== "function") throw argType(name, "of type function", fn);
  }
  // After the current job, as Node calls back from its thread pool.
  const later = (fn, ...args) => g.setTimeout(() => fn(...args), 0);

  // ---- bytes of the arguments -----------------------------------------------------
  const u8Of = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  // A string in `encoding` (utf8 when absent or unknown, as Node) or a view's bytes.
  function dataBytes(data, encoding, name) {
    if (typeof data === "string") {
      const enc = typeof encoding === "string" && Buffer.isEncoding(encoding) ? encoding : "utf8";
      if (enc.toLowerCase() === "hex" && data.length % 2 !== 0)
        throw argValue("encoding", encoding, `is invalid for data of length ${data.length}`);
      return Buffer.from(data, enc);
    }
    if (ArrayBuffer.isView(data)) return u8Of(data);
    throw argType(name, "of type string or an instance of Buffer, TypedArray, or DataView", data);
  }
  // A key (HMAC) or buffer argument that may also be an ArrayBuffer.
  function keyBytes(key, encoding) {
    if (typeof key === "string") return dataBytes(key, encoding, "key");
    if (ArrayBuffer.isView(key)) return u8Of(key);
    if (key instanceof ArrayBuffer) return new Uint8Array(key);
    throw argType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, " +
                  "KeyObject, or CryptoKey", key);
  }
  // A digest's bytes in Node's output form: a string for a known encoding, else a Buffer.
  function output(u8, encoding) {
    const b = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    return typeof encoding === "string" && Buffer.isEncoding(encoding) ? b.toString(encoding) : b;
  }

  // ---- Hash and Hmac --------------------------------------------------------------
  const kHandle = Symbol("handle"), kDone = Symbol("done"), kFinish = Symbol("finish");
  function validateAlgorithm(algorithm) {
    if (typeof algorithm !== "string") throw argType("algorithm", "of type string", algorithm);
  }
  // options.outputLength: the length of an extendable-output function's digest
  // (shake128, shake256); other algorithms accept only their own. Options that are no
  // object are ignored, as in Node.
  function outputLength(options) {
    const n = options == null ? undefined : options.outputLength;
    if (n === undefined) return undefined;
    if (typeof n !== "number") throw argType("options.outputLength", "of type number", n);
    if (!Number.isInteger(n)) throw outOfRange("options.outputLength", "an integer", n);
    if (n < 0 || n > 2 ** 32 - 1) throw outOfRange("options.outputLength", `>= 0 && <= ${2 ** 32 - 1}`, n);
    return n;
  }
  const badLength = () => codeError(Error, "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH",
                                    "error:030000B2:digital envelope routines::not XOF or invalid length");
  // What Hash and Hmac share: the native digest and update(); kFinish digests once.
  class Digest {
    constructor(handle) {
      this[kHandle] = handle;
      this[kDone] = false;
    }
    update(data, inputEncoding) {
      if (this[kDone]) throw finalized();
      native.hashUpdate(this[kHandle], dataBytes(data, inputEncoding, "data"));
      return this;
    }
    [kFinish](outputEncoding) {
      this[kDone] = true;
      const u8 = native.hashDigest(this[kHandle]);
      this[kHandle] = null; // its context is freed
      return output(u8, outputEncoding);
    }
  }
  class Hash extends Digest {
    constructor(algorithm, options, handle) {
      if (handle === undefined) {
        validateAlgorithm(algorithm);
        handle = native.hashNew(algorithm, undefined, outputLength(options));
        if (handle === null) throw new Error("Digest method not supported");
        if (handle === false) throw badLength();
      }
      super(handle);
    }
    digest(outputEncoding) {
      if (this[kDone]) throw finalized();
      return this[kFinish](outputEncoding);
    }
    copy(options) {
      if (this[kDone]) throw finalized();
      const handle = native.hashCopy(this[kHandle], outputLength(options));
      if (handle === false) throw badLength();
      return new Hash(undefined, undefined, handle);
    }
  }
  class Hmac extends Digest {
    constructor(algorithm, key, options) {
      validateAlgorithm(algorithm);
      const handle = native.hashNew(algorithm, keyBytes(key, options && options.encoding));
      if (handle === null) throw codeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${algorithm}`);
      super(handle);
    }
    // A second digest() gives an empty value, as in Node.
    digest(outputEncoding) {
      return this[kDone] ? output(new Uint8Array(0), outputEncoding) : this[kFinish](outputEncoding);
    }
  }
  const createHash = (algorithm, options) => new Hash(algorithm, options);
  const createHmac = (algorithm, key, options) => new Hmac(algorithm, key, options);

  // hash(algorithm, data[, outputEncoding]): a one-shot digest, hex by default.
  function hash(algorithm, data, outputEncoding = "hex") {
    validateAlgorithm(algorithm);
    if (typeof data !== "string" && !ArrayBuffer.isView(data))
      throw argType("input", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    if (typeof outputEncoding !== "string" || (outputEncoding !== "buffer" && !Buffer.isEncoding(outputEncoding)))
      throw argValue("outputEncoding", outputEncoding);
    const handle = native.hashNew(algorithm);
    if (handle === null) throw new Error(`Digest method ${algorithm} is not supported`);
    native.hashUpdate(handle, dataBytes(data, "utf8", "input"));
    return output(native.hashDigest(handle), outputEncoding);
  }
  let hashNames = null;
  const getHashes = () => (hashNames ??= native.hashNames()).slice();

  // ---- random values --------------------------------------------------------------
  function fill(u8) {
    // host.randomFill takes any length; getrandom(2) is cheap, so big ones run here too
    if (u8.byteLength > 0) host.randomFill(u8);
  }
  function randomBytes(size, callback) {
    if (typeof size !== "number") throw argType("size", "of type number", size);
    if (!(size >= 0 && size <= kMaxInt32)) throw outOfRange("size", `>= 0 && <= ${kMaxInt32}`, size);
    if (callback !== undefined) validateFunction(callback, "callback");
    const b = Buffer.alloc(size);
    fill(b);
    if (callback === undefined) return b;
    later(callback, null, b);
  }
  // The byte range [offset, offset + size) of buf, offset and size counted in elements
  // of a typed array, as Node does; checked with Node's errors.
  function fillRange(buf, offset, size) {
    const isView = ArrayBuffer.isView(buf);
    if (!isView && !(buf instanceof ArrayBuffer))
      throw argType("buf", "an instance of ArrayBuffer or ArrayBufferView", buf);
    const length = buf.byteLength, elementSize = buf.BYTES_PER_ELEMENT || 1;
    if (typeof offset !== "number") throw argType("offset", "of type number", offset);
    offset *= elementSize;
    if (!(offset >= 0 && offset <= length)) throw outOfRange("offset", `>= 0 && <= ${length}`, offset);
    if (size === undefined) size = length - offset;
    else {
      if (typeof size !== "number") throw argType("size", "of type number", size);
      size *= elementSize;
      if (!(size >= 0 && size <= kMaxInt32)) throw outOfRange("size", `>= 0 && <= ${kMaxInt32}`, size);
    }
    if (size + offset > length) throw outOfRange("size + offset", `<= ${length}`, size + offset);
    return isView ? new Uint8Array(buf.buffer, buf.byteOffset + offset, size) : new Uint8Array(buf, offset, size);
  }
  function randomFillSync(buf, offset = 0, size) {
    fill(fillRange(buf, offset, size));
    return buf;
  }
  // randomFill(buf[, offset[, size]], callback)
  function randomFill(buf, offset, size, callback) {
    if (typeof offset === "function") { callback = offset; offset = 0; size = undefined; }
    else if (typeof size === "function") { callback = size; size = undefined; }
    if (!ArrayBuffer.isView(buf) && !(buf instanceof ArrayBuffer))
      throw argType("buf", "an instance of ArrayBuffer or ArrayBufferView", buf);
    validateFunction(callback, "callback");
    fill(fillRange(buf, offset, size));
    later(callback, null, buf);
  }

  // randomInt([min, ]max[, callback]): uniform in [min, max), by rejection sampling of
  // 48-bit values (no modulo bias).
  const RAND_MAX = 0xFFFF_FFFF_FFFF;
  const pool = new Uint8Array(6 * 64);
  let poolAt = pool.length;
  function random48() {
    if (poolAt === pool.length) { host.randomFill(pool); poolAt = 0; }
    const p = poolAt;
    poolAt += 6;
    return pool[p] * 2 ** 40 + pool[p + 1] * 2 ** 32 + pool[p + 2] * 2 ** 24 +
      pool[p + 3] * 2 ** 16 + pool[p + 4] * 2 ** 8 + pool[p + 5];
  }
  function randomInt(min, max, callback) {
    const minNotGiven = max === undefined || typeof max === "function";
    if (minNotGiven) { callback = max; max = min; min = 0; }
    if (callback !== undefined) validateFunction(callback, "callback");
    if (!Number.isSafeInteger(min)) throw argType("min", "a safe integer", min);
    if (!Number.isSafeInteger(max)) throw argType("max", "a safe integer", max);
    if (!(max > min)) throw outOfRange("max", `greater than the value of "min" (${min})`, max);
    const range = max - min;
    if (!(range <= RAND_MAX))
      throw outOfRange(minNotGiven ? "max" : "max - min", `<= ${RAND_MAX}`, separated(range));
    // the largest multiple of range that fits: values at or above it are drawn again
    const limit = RAND_MAX - (RAND_MAX % range);
    let x;
    do x = random48(); while (x >= limit);
    const n = min + (x % range);
    if (callback === undefined) return n;
    later(callback, undefined, n); // as Node: no error is undefined here
  }

  function randomUUID(options) {
    if (options !== undefined && (options === null || typeof options !== "object"))
      throw argType("options", "of type object", options);
    return g.crypto.randomUUID();
  }
  function getRandomValues(view) {
    return g.crypto.getRandomValues(...arguments);
  }

  function timingSafeEqual(buf1, buf2) {
    const bytes = (v, name) => {
      if (ArrayBuffer.isView(v)) return u8Of(v);
      if (v instanceof ArrayBuffer) return new Uint8Array(v);
      throw argType(name, "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", v);
    };
    const a = bytes(buf1, "buf1"), b = bytes(buf2, "buf2");
    if (a.byteLength !== b.byteLength)
      throw codeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
    return native.equal(a, b);
  }

  return {
    createHash, createHmac, hash, getHashes, Hash, Hmac,
    randomBytes, pseudoRandomBytes: randomBytes, randomFillSync, randomFill, randomInt,
    randomUUID, getRandomValues, timingSafeEqual,
    get webcrypto() { return g.crypto; },
  };
})
