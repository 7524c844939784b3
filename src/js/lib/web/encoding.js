// `TextEncoder` and `TextDecoder` (SPEC §3.1) per the WHATWG Encoding Standard: UTF-8
// both ways; the decoder also reads UTF-16LE and windows-1252 (which the standard
// also names "latin1" and "ascii"). Whole buffers convert natively (host.encDecode,
// mod_encoding.c); this file keeps the streaming state: the few bytes of a character
// split across chunks, and whether the byte order mark was already looked for.
(function (host, lib, g) {
  "use strict";
  const UTF8 = 0, LATIN1 = 1, UTF16LE = 3; // host.encDecode's encoding numbers

  // Encoding Standard labels of the encodings provided, ASCII-lowercased.
  const labels = Object.create(null);
  for (const l of ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
                   "x-unicode20utf8"]) labels[l] = "utf-8";
  for (const l of ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16",
                   "utf-16le"]) labels[l] = "utf-16le";
  for (const l of ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
                   "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1",
                   "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252"])
    labels[l] = "windows-1252";

  // windows-1252 differs from latin1 only in 0x80-0x9F.
  const cp1252 = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030,
                  0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D,
                  0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178];
  const cp1252High = /[\x80-\x9f]/g;
  const cp1252Char = (c) => String.fromCharCode(cp1252[c.charCodeAt(0) - 0x80]);

  // The encoding a label names (trimmed of ASCII whitespace, ASCII case-insensitive).
  function encodingOf(label) {
    const key = label.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "")
      .replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
    const name = labels[key];
    if (name === undefined)
      throw new RangeError(`TextDecoder: the encoding label '${label}' is not supported ` +
                           "(geppetto decodes utf-8, utf-16le and windows-1252)");
    return name;
  }

  // The bytes of a BufferSource as a Uint8Array over the same memory.
  function bytesOf(input, who) {
    if (input instanceof Uint8Array) return input;
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (input instanceof ArrayBuffer ||
        (typeof g.SharedArrayBuffer === "function" && input instanceof g.SharedArrayBuffer))
      return new Uint8Array(input);
    throw new TypeError(`${who}: the input must be an ArrayBuffer, a typed array or a DataView`);
  }

  // UTF-8 sequence shapes: the length a lead byte announces (0 if it is no lead), and
  // the range its second byte must be in.
  function seqLength(b) { return b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0; }
  function secondLow(b) { return b === 0xE0 ? 0xA0 : b === 0xF0 ? 0x90 : 0x80; }
  function secondHigh(b) { return b === 0xED ? 0x9F : b === 0xF4 ? 0x8F : 0xBF; }
  // How many bytes at the end of bytes[start, n) begin a character that is valid so far
  // but incomplete (0 to 3).
  function incompleteTail(bytes, start, n) {
    for (let k = 1; k <= 3 && n - k >= start; k++) {
      const b = bytes[n - k];
      if (b >= 0x80 && b <= 0xBF) continue;
      if (seqLength(b) <= k) return 0;
      if (k >= 2 && (bytes[n - k + 1] < secondLow(b) || bytes[n - k + 1] > secondHigh(b))) return 0;
      return k;
    }
    return 0;
  }

  function invalid(encoding) {
    return new TypeError(`The encoded data was not valid for encoding ${encoding}`);
  }

  class TextDecoder {
    #encoding; #fatal; #ignoreBOM;
    #streaming = false; // the last decode() had {stream: true}: its state carries over
    #bomSeen = false;   // a character was produced since the stream began
    #pending = [];      // UTF-8: the bytes of an incomplete character; UTF-16LE: an odd byte
    #lead = "";         // UTF-16LE: a lead surrogate waiting for its trail

    constructor(label = "utf-8", options = undefined) {
      this.#encoding = encodingOf(String(label));
      const o = options == null ? {} : options;
      if (typeof o !== "object" && typeof o !== "function")
        throw new TypeError("TextDecoder: options must be an object");
      this.#fatal = Boolean(o.fatal);
      this.#ignoreBOM = Boolean(o.ignoreBOM);
    }
    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }

    decode(input = undefined, options = undefined) {
      const bytes = input === undefined ? new Uint8Array(0) : bytesOf(input, "TextDecoder.decode");
      const stream = options != null && Boolean(options.stream);
      if (!this.#streaming) {
        this.#pending = [];
        this.#lead = "";
        this.#bomSeen = false;
      }
      this.#streaming = stream;
      let out;
      try {
        if (this.#encoding === "utf-8") out = this.#utf8(bytes, stream);
        else if (this.#encoding === "utf-16le") out = this.#utf16(bytes, stream);
        else out = host.encDecode(bytes, 0, bytes.length, LATIN1, false).replace(cp1252High, cp1252Char);
      } catch (e) {
        this.#streaming = false;
        throw e;
      }
      if (!this.#bomSeen && out.length > 0 && this.#encoding !== "windows-1252") {
        this.#bomSeen = true;
        if (!this.#ignoreBOM && out.charCodeAt(0) === 0xFEFF) out = out.slice(1);
      }
      return out;
    }

    #utf8(bytes, stream) {
      const n = bytes.length;
      let out = "", start = 0;
      const p = this.#pending;
      if (p.length > 0) { // complete the character the last chunk ended inside
        const need = seqLength(p[0]);
        while (p.length < need && start < n) {
          const b = bytes[start];
          const lo = p.length === 1 ? secondLow(p[0]) : 0x80, hi = p.length === 1 ? secondHigh(p[0]) : 0xBF;
          if (b < lo || b > hi) break;
          p.push(b);
          start++;
        }
        if (p.length === need) {
          out = host.encDecode(Uint8Array.from(p), 0, need, UTF8, false);
        } else if (start < n || !stream) {
          if (this.#fatal) throw invalid("utf-8");
          out = "\uFFFD";
        } else {
          return ""; // still incomplete: everything is kept
        }
        this.#pending = [];
      }
      const end = stream ? n - incompleteTail(bytes, start, n) : n;
      const s = host.encDecode(bytes, start, end, UTF8, this.#fatal);
      if (s === null) throw invalid("utf-8");
      for (let i = end; i < n; i++) this.#pending.push(bytes[i]);
      return out + s;
    }

    #utf16(bytes, stream) {
      const n = bytes.length;
      let s = this.#lead, start = 0;
      this.#lead = "";
      if (this.#pending.length > 0 && n > 0) {
        s += String.fromCharCode(this.#pending[0] | (bytes[0] << 8));
        this.#pending = [];
        start = 1;
      }
      const even = start + ((n - start) & ~1);
      s += host.encDecode(bytes, start, even, UTF16LE, false);
      if (even < n) this.#pending = [bytes[even]];
      if (stream && s.length > 0) {
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xD800 && last <= 0xDBFF) {
          this.#lead = s[s.length - 1];
          s = s.slice(0, -1);
        }
      }
      if (!s.isWellFormed()) {
        if (this.#fatal) throw invalid("utf-16le");
        s = s.toWellFormed();
      }
      if (!stream && this.#pending.length > 0) {
        this.#pending = [];
        if (this.#fatal) throw invalid("utf-16le");
        s += "\uFFFD";
      }
      return s;
    }

    get [Symbol.toStringTag]() { return "TextDecoder"; }
  }

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return host.encEncode(String(input), UTF8); }
    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array))
        throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
      const r = host.encUtf8EncodeInto(String(source), destination);
      return { read: r[0], written: r[1] };
    }
    get [Symbol.toStringTag]() { return "TextEncoder"; }
  }

  return { TextEncoder, TextDecoder };
})
