// The text encodings under `URL` and `URLSearchParams` (SPEC §3.1): UTF-8 bytes of
// strings (a lone surrogate becomes U+FFFD), the URL Standard's percent-encode sets,
// UTF-8 percent-encoding and percent-decoding. Written in JS so that it needs no
// `TextEncoder`; the other url*.js files take it through lib("url_encoding").
(function (host, lib, g) {
  "use strict";

  // ---- percent-encode sets -----------------------------------------------------------
  // A set is a 128-entry table over ASCII: 1 means "encode". Every code point above
  // U+007E is in every set, so the tables only need ASCII.
  function makeSet(base, extra) {
    const t = new Uint8Array(128);
    if (base) t.set(base);
    for (const ch of extra) t[ch.charCodeAt(0)] = 1;
    return t;
  }
  const c0 = new Uint8Array(128);
  for (let i = 0; i < 0x20; i++) c0[i] = 1;
  c0[0x7f] = 1;
  const fragment = makeSet(c0, " \"<>`");
  const query = makeSet(c0, " \"#<>");
  const specialQuery = makeSet(query, "'");
  const path = makeSet(query, "?^`{}");
  const userinfo = makeSet(path, "/:;=@[\\]|");
  const component = makeSet(userinfo, "$%&+,");
  const form = makeSet(component, "!'()~");
  const sets = { c0, fragment, query, specialQuery, path, userinfo, component, form };

  const hex = [];
  for (let i = 0; i < 256; i++) hex.push("%" + (i < 16 ? "0" : "") + i.toString(16).toUpperCase());

  // The "%XX" escapes of the UTF-8 bytes of the code point starting at s[i]; lone
  // surrogates are encoded as U+FFFD. Returns [escapes, code units consumed].
  function escapeAt(s, i) {
    let cp = s.charCodeAt(i), n = 1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        n = 2;
      } else {
        cp = 0xfffd;
      }
    }
    let out;
    if (cp < 0x80) out = hex[cp];
    else if (cp < 0x800) out = hex[0xc0 | (cp >> 6)] + hex[0x80 | (cp & 63)];
    else if (cp < 0x10000)
      out = hex[0xe0 | (cp >> 12)] + hex[0x80 | ((cp >> 6) & 63)] + hex[0x80 | (cp & 63)];
    else
      out = hex[0xf0 | (cp >> 18)] + hex[0x80 | ((cp >> 12) & 63)] +
        hex[0x80 | ((cp >> 6) & 63)] + hex[0x80 | (cp & 63)];
    return [out, n];
  }

  // UTF-8 percent-encodes every code point of `s` that is in `set` (a table above).
  // With `spaceAsPlus` (the form serializer), U+0020 becomes "+".
  function encode(s, set, spaceAsPlus) {
    let out = "", start = 0, i = 0;
    const n = s.length;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x80 && set[c] === 0) { i++; continue; }
      if (start < i) out += s.slice(start, i);
      if (spaceAsPlus && c === 0x20) { out += "+"; i++; }
      else { const [e, k] = escapeAt(s, i); out += e; i += k; }
      start = i;
    }
    return start === 0 ? s : out + s.slice(start);
  }

  // ---- UTF-8 bytes ---------------------------------------------------------------------
  // The UTF-8 bytes of `s` appended to the array `out` (lone surrogates as U+FFFD).
  function pushUtf8(s, from, to, out) {
    for (let i = from; i < to; i++) {
      let cp = s.charCodeAt(i);
      if (cp < 0x80) { out.push(cp); continue; }
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const next = s.charCodeAt(i + 1);
        if (cp <= 0xdbff && i + 1 < to && next >= 0xdc00 && next <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          cp = 0xfffd;
        }
      }
      if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
      else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    }
    return out;
  }

  // The Encoding Standard's UTF-8 decode without BOM: a byte sequence that is not
  // UTF-8 gives U+FFFD for each maximal invalid subpart; a leading BOM is kept.
  function decodeUtf8(bytes) {
    const units = [];
    let need = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xbf;
    const emit = (v) => {
      if (v < 0x10000) units.push(v);
      else { v -= 0x10000; units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)); }
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (need === 0) {
        if (b < 0x80) units.push(b);
        else if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          need = 2; cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          need = 3; cp = b & 7;
        } else units.push(0xfffd);
        continue;
      }
      if (b < lower || b > upper) {
        need = seen = cp = 0; lower = 0x80; upper = 0xbf;
        units.push(0xfffd);
        i--; // the byte starts afresh
        continue;
      }
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === need) { emit(cp); need = seen = cp = 0; }
    }
    if (need !== 0) units.push(0xfffd);
    let s = "";
    for (let i = 0; i < units.length; i += 8192)
      s += String.fromCharCode.apply(null, units.slice(i, i + 8192));
    return s;
  }

  function hexValue(c) {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    c |= 0x20;
    return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
  }

  // Percent-decodes `s` ("%XX" with two hex digits becomes that byte; any other "%"
  // stays) and UTF-8 decodes the bytes. Returns `s` itself when it has no "%".
  function decode(s) {
    if (s.indexOf("%") < 0) return s;
    const bytes = [];
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) !== 0x25) continue;
      const h = hexValue(s.charCodeAt(i + 1)), l = hexValue(s.charCodeAt(i + 2));
      if (h < 0 || l < 0) continue;
      pushUtf8(s, start, i, bytes);
      bytes.push(h * 16 + l);
      i += 2;
      start = i + 1;
    }
    pushUtf8(s, start, s.length, bytes);
    return decodeUtf8(bytes);
  }

  // WebIDL's USVString conversion: String(v) with lone surrogates replaced by U+FFFD.
  function usv(v) {
    if (typeof v === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
    const s = String(v);
    if (typeof s.toWellFormed === "function") return s.toWellFormed();
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00)
        out += s[i] + s[++i];
      else out += c >= 0xd800 && c <= 0xdfff ? "\ufffd" : s[i];
    }
    return out;
  }

  return { sets, encode, decode, usv };
})
