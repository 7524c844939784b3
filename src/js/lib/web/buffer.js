// `Buffer` (SPEC §3.1): Node's Uint8Array subclass for bytes, with its encodings
// (utf8, latin1/binary, ascii, utf16le/ucs2, base64, base64url, hex), its static
// constructors and the instance methods scripts use most. Conversions between strings
// and bytes are native (host.encEncode / encDecode, mod_encoding.c), so megabytes
// convert in linear time; errors carry Node's `code` (ERR_INVALID_ARG_TYPE, ...).
(function (host, lib, g) {
  "use strict";
  // host's encoding numbers, by every name Node accepts (lower case)
  const UTF8 = 0, LATIN1 = 1, UTF16LE = 3, BASE64 = 4, BASE64URL = 5, HEX = 6;
  const encodings = Object.assign(Object.create(null), {
    "utf8": UTF8, "utf-8": UTF8, "latin1": LATIN1, "binary": LATIN1, "ascii": 2,
    "utf16le": UTF16LE, "utf-16le": UTF16LE, "ucs2": UTF16LE, "ucs-2": UTF16LE,
    "base64": BASE64, "base64url": BASE64URL, "hex": HEX,
  });
  const kMaxLength = 2 ** 32;

  // ---- Node-style errors ----------------------------------------------------------
  function nodeError(Ctor, code, message) {
    const e = new Ctor(message);
    e.code = code;
    return e;
  }
  function received(v) {
    if (v === null || v === undefined) return ` Received ${v}`;
    if (typeof v === "function") return ` Received function ${v.name || "<anonymous>"}`;
    if (typeof v === "object") {
      const name = v.constructor && v.constructor.name;
      return name ? ` Received an instance of ${name}` : " Received an instance of Object";
    }
    let shown = typeof v === "string" ? `'${v.length > 25 ? v.slice(0, 25) + "..." : v}'` : String(v);
    if (typeof v === "bigint") shown += "n";
    return ` Received type ${typeof v} (${shown})`;
  }
  function argType(name, expected, v) {
    return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}.${received(v)}`);
  }
  function outOfRange(name, range, v) {
    return nodeError(RangeError, "ERR_OUT_OF_RANGE",
                     `The value of "${name}" is out of range. It must be ${range}. Received ${String(v)}`);
  }
  function outOfBounds(name) {
    return nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS",
                     name ? `"${name}" is outside of buffer bounds` : "Attempt to access memory outside buffer bounds");
  }

  // The host number of an encoding name; undefined and null mean utf8.
  function encodingOf(enc) {
    if (enc === undefined || enc === null) return UTF8;
    const n = typeof enc === "string" ? encodings[enc] ?? encodings[enc.toLowerCase()] : undefined;
    if (n === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${String(enc)}`);
    return n;
  }

  // ---- the class ------------------------------------------------------------------
  // Instances are FastBuffers; `Buffer` itself is a function (callable with or without
  // `new`, as in Node) whose prototype is FastBuffer's.
  class FastBuffer extends Uint8Array {
    constructor(a, b, c) { super(a, b, c); }
  }
  const wrap = (u8) => new FastBuffer(u8.buffer, u8.byteOffset, u8.length);

  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === "number") {
      if (typeof encodingOrOffset === "string") throw argType("string", "of type string", arg);
      return alloc(arg);
    }
    return from(arg, encodingOrOffset, length);
  }
  Object.setPrototypeOf(Buffer, Uint8Array); // statics such as Buffer.of, and [Symbol.species]
  Buffer.prototype = FastBuffer.prototype;
  Object.defineProperty(FastBuffer.prototype, "constructor", { value: Buffer, writable: true, configurable: true });
  Buffer.poolSize = 8192;

  function checkSize(size) {
    if (typeof size !== "number") throw argType("size", "of type number", size);
    if (!(size >= 0 && size <= kMaxLength)) throw outOfRange("size", `>= 0 && <= ${kMaxLength}`, size);
    return Math.trunc(size);
  }
  function alloc(size, fill, encoding) {
    const b = new FastBuffer(checkSize(size));
    if (fill !== undefined && fill !== 0 && b.length > 0) b.fill(fill, encoding);
    return b;
  }
  const allocUnsafe = (size) => new FastBuffer(checkSize(size));

  function fromString(str, encoding) {
    return wrap(host.encEncode(str, encodingOf(encoding)));
  }
  function fromArrayBuffer(ab, byteOffset, length) {
    const off = byteOffset === undefined ? 0 : +byteOffset || 0;
    if (off < 0 || off > ab.byteLength) throw outOfBounds("offset");
    const len = length === undefined ? ab.byteLength - off : +length || 0;
    if (len < 0 || off + len > ab.byteLength) throw outOfBounds("length");
    return new FastBuffer(ab, off, len);
  }
  function fromArrayLike(a) {
    const n = a.length >>> 0;
    const b = new FastBuffer(n);
    for (let i = 0; i < n; i++) b[i] = a[i];
    return b;
  }
  const isArrayBuffer = (v) => v instanceof ArrayBuffer ||
    (typeof g.SharedArrayBuffer === "function" && v instanceof g.SharedArrayBuffer);

  function from(value, encodingOrOffset, length) {
    if (typeof value === "string") return fromString(value, encodingOrOffset);
    if (typeof value === "object" && value !== null) {
      if (isArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
      if (value instanceof DataView) // a copy of its bytes (Node gives an empty Buffer)
        return new FastBuffer(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (ArrayBuffer.isView(value)) return new FastBuffer(value); // a copy, element by element
      const prim = typeof value.valueOf === "function" ? value.valueOf() : value;
      if (prim != null && prim !== value) return from(prim, encodingOrOffset, length);
      if (typeof value.length === "number") return fromArrayLike(value);
      if (value.type === "Buffer" && Array.isArray(value.data)) return fromArrayLike(value.data);
      if (typeof value[Symbol.toPrimitive] === "function") {
        const p = value[Symbol.toPrimitive]("string");
        if (typeof p === "string") return fromString(p, encodingOrOffset);
      }
    }
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", "The first argument must be of type string or an instance " +
                    "of Buffer, ArrayBuffer, or Array or an Array-like Object." + received(value));
  }

  function base64Length(str) {
    let n = str.length;
    if (n > 0 && str.charCodeAt(n - 1) === 0x3D) n--;
    if (n > 1 && str.charCodeAt(n - 1) === 0x3D) n--;
    return (n * 3) >>> 2;
  }
  function byteLength(string, encoding) {
    if (typeof string !== "string") {
      if (ArrayBuffer.isView(string) || isArrayBuffer(string)) return string.byteLength;
      throw argType("string", "of type string or an instance of Buffer or ArrayBuffer", string);
    }
    switch (encodingOf(encoding)) {
      case UTF8: return host.encUtf8Length(string);
      case UTF16LE: return string.length * 2;
      case BASE64: case BASE64URL: return base64Length(string);
      case HEX: return string.length >>> 1;
      default: return string.length;
    }
  }

  function checkBytes(name, v) {
    if (!(v instanceof Uint8Array)) throw argType(name, "an instance of Buffer or Uint8Array", v);
  }
  // -1, 0 or 1 as a[as, ae) sorts before, equal to or after b[bs, be).
  function compareRanges(a, as, ae, b, bs, be) {
    const n = Math.min(ae - as, be - bs);
    for (let i = 0; i < n; i++) {
      const x = a[as + i], y = b[bs + i];
      if (x !== y) return x < y ? -1 : 1;
    }
    const la = ae - as, lb = be - bs;
    return la < lb ? -1 : la > lb ? 1 : 0;
  }

  function concat(list, totalLength) {
    if (!Array.isArray(list)) throw argType("list", "an instance of Array", list);
    list.forEach((b, i) => checkBytes(`list[${i}]`, b));
    let total = 0;
    if (totalLength === undefined) for (const b of list) total += b.length;
    else total = checkSize(totalLength);
    const out = new FastBuffer(total);
    let at = 0;
    for (const b of list) {
      if (at >= total) break;
      const n = Math.min(b.length, total - at);
      out.set(n === b.length ? b : b.subarray(0, n), at);
      at += n;
    }
    return out;
  }

  Object.assign(Buffer, {
    from, alloc, allocUnsafe, allocUnsafeSlow: allocUnsafe, concat, byteLength,
    isBuffer: (b) => b instanceof Buffer,
    isEncoding: (e) => typeof e === "string" && e.length > 0 && encodings[e.toLowerCase()] !== undefined,
    compare(a, b) {
      checkBytes("buf1", a);
      checkBytes("buf2", b);
      return compareRanges(a, 0, a.length, b, 0, b.length);
    },
  });

  // ---- instance methods -----------------------------------------------------------
  const P = FastBuffer.prototype;
  // An index argument: undefined gives dflt; the result is clamped to [0, len].
  function clampIndex(v, dflt, len) {
    if (v === undefined) return dflt;
    const n = Math.trunc(+v) || 0;
    return n < 0 ? 0 : n > len ? len : n;
  }
  function relIndex(v, dflt, len) { // negative counts from the end, as subarray does
    if (v === undefined) return dflt;
    let n = Math.trunc(+v) || 0;
    if (n < 0) n += len;
    return n < 0 ? 0 : n > len ? len : n;
  }

  const methods = {
    toString(encoding, start, end) {
      const len = this.length;
      const s = clampIndex(start, 0, len), e = clampIndex(end, len, len);
      if (e <= s) return "";
      return host.encDecode(this, s, e, encodingOf(encoding), false);
    },
    toLocaleString(encoding, start, end) { return this.toString(encoding, start, end); },
    toJSON() { return { type: "Buffer", data: Array.from(this) }; },
    equals(other) {
      checkBytes("otherBuffer", other);
      return this.length === other.length && compareRanges(this, 0, this.length, other, 0, other.length) === 0;
    },
    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      checkBytes("target", target);
      const ts = clampIndex(targetStart, 0, target.length), te = clampIndex(targetEnd, target.length, target.length);
      const ss = clampIndex(sourceStart, 0, this.length), se = clampIndex(sourceEnd, this.length, this.length);
      return compareRanges(this, ss, Math.max(ss, se), target, ts, Math.max(ts, te));
    },
    slice(start, end) { return this.subarray(start, end); },
    subarray(start, end) {
      const len = this.length, s = relIndex(start, 0, len), e = relIndex(end, len, len);
      return new FastBuffer(this.buffer, this.byteOffset + s, Math.max(0, e - s));
    },
    write(string, offset, length, encoding) {
      if (typeof string !== "string") throw argType("string", "of type string", string);
      if (typeof offset === "string") encoding = offset, offset = undefined, length = undefined;
      else if (typeof length === "string") encoding = length, length = undefined;
      const off = offset === undefined ? 0 : offset;
      if (typeof off !== "number") throw argType("offset", "of type number", off);
      if (!(off >= 0 && off <= this.length && Number.isInteger(off)))
        throw outOfRange("offset", `>= 0 && <= ${this.length}`, off);
      const room = this.length - off;
      const max = length === undefined ? room : Math.min(room, Math.max(0, Math.trunc(+length) || 0));
      const enc = encodingOf(encoding);
      const bytes = host.encEncode(string, enc);
      let n = Math.min(bytes.length, max);
      if (enc === UTF8) while (n > 0 && n < bytes.length && (bytes[n] & 0xC0) === 0x80) n--; // whole characters
      if (enc === UTF16LE) n &= ~1;
      this.set(n === bytes.length ? bytes : bytes.subarray(0, n), off);
      return n;
    },
    fill(value, offset, end, encoding) {
      if (typeof offset === "string") encoding = offset, offset = undefined, end = undefined;
      else if (typeof end === "string") encoding = end, end = undefined;
      const len = this.length;
      const s = offset === undefined ? 0 : offset, e = end === undefined ? len : end;
      if (typeof s !== "number") throw argType("offset", "of type number", s);
      if (typeof e !== "number") throw argType("end", "of type number", e);
      if (s < 0 || s > len) throw outOfRange("offset", `>= 0 && <= ${len}`, s);
      if (e < 0 || e > len) throw outOfRange("end", `>= 0 && <= ${len}`, e);
      if (e <= s) return this;
      let pattern;
      if (typeof value === "string") {
        if (value.length === 1 && value.charCodeAt(0) < 128 && encoding === undefined) {
          Uint8Array.prototype.fill.call(this, value.charCodeAt(0), s, e);
          return this;
        }
        pattern = host.encEncode(value, encodingOf(encoding));
        if (pattern.length === 0) {
          if (value.length > 0)
            throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'value' is invalid. Received '${value}'`);
          pattern = new Uint8Array(1);
        }
      } else if (value instanceof Uint8Array) {
        pattern = value;
        if (pattern.length === 0)
          throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The argument 'value' is invalid. Received an empty buffer");
      } else {
        Uint8Array.prototype.fill.call(this, (+value || 0) & 255, s, e);
        return this;
      }
      // copy the pattern once, then double the filled part
      let at = s + Math.min(pattern.length, e - s);
      this.set(pattern.subarray(0, at - s), s);
      while (at < e) {
        const n = Math.min(at - s, e - at);
        this.copyWithin(at, s, s + n);
        at += n;
      }
      return this;
    },
    copy(target, targetStart, sourceStart, sourceEnd) {
      checkBytes("target", target);
      const ts = targetStart === undefined ? 0 : Math.trunc(+targetStart) || 0;
      const ss = sourceStart === undefined ? 0 : Math.trunc(+sourceStart) || 0;
      let se = sourceEnd === undefined ? this.length : Math.trunc(+sourceEnd) || 0;
      if (ts < 0) throw outOfRange("targetStart", ">= 0", ts);
      if (ss < 0 || ss > this.length) throw outOfRange("sourceStart", `>= 0 && <= ${this.length}`, ss);
      if (se < 0) throw outOfRange("sourceEnd", ">= 0", se);
      if (se > this.length) se = this.length;
      if (ts >= target.length || se <= ss) return 0;
      const n = Math.min(se - ss, target.length - ts);
      target.set(new Uint8Array(this.buffer, this.byteOffset + ss, n), ts);
      return n;
    },
    indexOf(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, true); },
    lastIndexOf(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, false); },
    includes(value, byteOffset, encoding) { return search(this, value, byteOffset, encoding, true) !== -1; },
  };

  // indexOf / lastIndexOf of a byte value, a string (in `encoding`) or bytes.
  function search(buf, value, byteOffset, encoding, forward) {
    if (typeof byteOffset === "string") encoding = byteOffset, byteOffset = undefined;
    const len = buf.length;
    let from = byteOffset === undefined || byteOffset === null ? NaN : +byteOffset;
    if (Number.isNaN(from)) from = forward ? 0 : len;
    from = Math.trunc(from);
    if (from < 0) from += len;
    let needle;
    if (typeof value === "number") needle = value & 255;
    else if (typeof value === "string") needle = host.encEncode(value, encodingOf(encoding));
    else if (value instanceof Uint8Array) needle = value;
    else throw argType("value", "one of type number or string or an instance of Buffer or Uint8Array", value);
    if (typeof needle === "number") {
      if (forward) return from >= len ? -1 : Uint8Array.prototype.indexOf.call(buf, needle, Math.max(0, from));
      return from < 0 ? -1 : Uint8Array.prototype.lastIndexOf.call(buf, needle, Math.min(from, len - 1));
    }
    const m = needle.length;
    if (m === 0) return forward ? Math.min(Math.max(from, 0), len) : Math.min(Math.max(from, 0), len);
    const first = needle[0];
    const indexOf = Uint8Array.prototype.indexOf, lastIndexOf = Uint8Array.prototype.lastIndexOf;
    if (forward) {
      for (let i = indexOf.call(buf, first, Math.max(0, from)); i !== -1 && i + m <= len;
           i = indexOf.call(buf, first, i + 1))
        if (compareRanges(buf, i, i + m, needle, 0, m) === 0) return i;
    } else {
      const start = Math.min(from, len - m);
      if (start < 0) return -1; // (a negative index would count from the end)
      for (let i = lastIndexOf.call(buf, first, start); i >= 0;
           i = i === 0 ? -1 : lastIndexOf.call(buf, first, i - 1))
        if (compareRanges(buf, i, i + m, needle, 0, m) === 0) return i;
    }
    return -1;
  }

  // ---- integers and floats ----------------------------------------------------------
  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    if (typeof offset !== "number") throw argType("offset", "of type number", offset);
    const last = buf.length - size;
    if (!Number.isInteger(offset)) throw outOfRange("offset", "an integer", offset);
    if (last < 0) throw outOfBounds();
    if (offset < 0 || offset > last) throw outOfRange("offset", `>= 0 and <= ${last}`, offset);
    return offset;
  }
  function checkValue(value, min, max, size) {
    if (typeof value !== "number") throw argType("value", "of type number", value);
    if (!(value >= min && value <= max)) {
      const range = size > 3 ? `>= ${min === 0 ? "0" : `-(2 ** ${size * 8 - 1})`} and < 2 ** ${min === 0 ? size * 8 : size * 8 - 1}`
        : `>= ${min} and <= ${max}`;
      throw outOfRange("value", range, value);
    }
  }
  const view = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  // [name suffix, size, signed]: readUInt16LE, writeInt32BE, ...
  for (const [bits, signed] of [[8, false], [16, false], [32, false], [8, true], [16, true], [32, true]]) {
    const size = bits / 8;
    const min = signed ? -(2 ** (bits - 1)) : 0, max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    for (const endian of bits === 8 ? [""] : ["LE", "BE"]) {
      const little = endian !== "BE";
      const read = function (offset) {
        offset = checkOffset(this, offset, size);
        let v = 0;
        for (let i = 0; i < size; i++) v = v * 256 + this[offset + (little ? size - 1 - i : i)];
        return signed && v > max ? v - 2 ** bits : v;
      };
      const write = function (value, offset) {
        offset = checkOffset(this, offset, size);
        checkValue(value, min, max, size);
        let v = Math.trunc(value);
        if (v < 0) v += 2 ** bits;
        for (let i = 0; i < size; i++) {
          this[offset + (little ? i : size - 1 - i)] = v & 255;
          v = Math.floor(v / 256);
        }
        return offset + size;
      };
      const name = (signed ? "Int" : "UInt") + bits + endian;
      methods["read" + name] = read;
      methods["write" + name] = write;
      if (!signed) { // Node's lower-case aliases
        methods["readUint" + bits + endian] = read;
        methods["writeUint" + bits + endian] = write;
      }
    }
  }
  for (const [name, size, get, set] of [["Float", 4, "getFloat32", "setFloat32"], ["Double", 8, "getFloat64", "setFloat64"],
                                        ["BigInt64", 8, "getBigInt64", "setBigInt64"],
                                        ["BigUInt64", 8, "getBigUint64", "setBigUint64"]]) {
    const big = name.startsWith("Big");
    for (const endian of ["LE", "BE"]) {
      const little = endian === "LE";
      methods["read" + name + endian] = function (offset) {
        return view(this)[get](checkOffset(this, offset, size), little);
      };
      methods["write" + name + endian] = function (value, offset) {
        offset = checkOffset(this, offset, size);
        if (big && typeof value !== "bigint") throw argType("value", "of type bigint", value);
        if (!big && typeof value !== "number") throw argType("value", "of type number", value);
        view(this)[set](offset, value, little);
        return offset + size;
      };
    }
  }
  methods.readBigUint64LE = methods.readBigUInt64LE;
  methods.readBigUint64BE = methods.readBigUInt64BE;
  methods.writeBigUint64LE = methods.writeBigUInt64LE;
  methods.writeBigUint64BE = methods.writeBigUInt64BE;

  for (const name of Object.keys(methods))
    Object.defineProperty(P, name, { value: methods[name], writable: true, configurable: true, enumerable: false });

  return { Buffer };
})
