// The URL Standard's host parser for `URL` (SPEC §3.1): IPv4 (decimal, hex, octal and
// short forms), IPv6 (with "::" compression and its serialization), opaque hosts of
// non-special schemes, and domains, which go through "domain to ASCII" (lowercase, then
// Punycode, RFC 3492, for non-ASCII labels). A host is kept as its serialization.
//
// Simplified, since we carry no Unicode data tables: UTS #46's mapping table is
// approximated by NFKC + lowercase (capital sigma always to U+03C3) with its list of
// ignored code points; its "disallowed" status by the general categories Cc, Cf, Cn,
// Co, Cs, Z, the noncharacters and the characters that decompose to a full stop;
// CheckBidi by "a label may not mix right-to-left characters with letters of other
// scripts"; CheckJoiners by "ZWJ/ZWNJ only after a combining mark, or ZWNJ between
// right-to-left characters" (no Joining_Type data). Rare scripts and compatibility
// characters can therefore map differently from a browser.
(function (host, lib, g) {
  "use strict";
  const { sets, encode, decode } = lib("url_encoding");

  // ---- IPv4 ----------------------------------------------------------------------------
  // One part of an IPv4 address ("0x1f", "017", "255", ""), as a number, or -1.
  function ipv4Number(s) {
    if (s === "") return -1;
    let radix = 10;
    if (s.length >= 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X")) { s = s.slice(2); radix = 16; }
    else if (s.length >= 2 && s[0] === "0") { s = s.slice(1); radix = 8; }
    if (s === "") return 0;
    const ok = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
    if (!ok.test(s)) return -1;
    return parseInt(s, radix);
  }

  // Whether a domain "ends in a number": its last label (ignoring one trailing dot) is
  // all digits or parses as an IPv4 number, so the host must be an IPv4 address.
  function endsInNumber(s) {
    const parts = s.split(".");
    if (parts[parts.length - 1] === "") {
      if (parts.length === 1) return false;
      parts.pop();
    }
    const last = parts[parts.length - 1];
    if (/^[0-9]+$/.test(last)) return true;
    return ipv4Number(last) >= 0;
  }

  // An IPv4 address in dotted-decimal form, or null on failure.
  function parseIPv4(s) {
    const parts = s.split(".");
    if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const nums = [];
    for (const p of parts) {
      const n = ipv4Number(p);
      if (n < 0) return null;
      nums.push(n);
    }
    for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return null;
    let addr = nums[nums.length - 1];
    if (addr >= 256 ** (5 - nums.length)) return null;
    for (let i = 0; i < nums.length - 1; i++) addr += nums[i] * 256 ** (3 - i);
    return [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255].join(".");
  }

  // ---- IPv6 ----------------------------------------------------------------------------
  const hexDigit = (c) => (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
  const digit = (c) => c >= "0" && c <= "9";

  // The eight 16-bit pieces of the address written in `s` (without brackets), or null.
  function parseIPv6Pieces(s) {
    const a = [0, 0, 0, 0, 0, 0, 0, 0];
    let piece = 0, compress = -1, p = 0;
    if (s[p] === ":") {
      if (s[p + 1] !== ":") return null;
      p += 2;
      compress = ++piece;
    }
    while (p < s.length) {
      if (piece === 8) return null;
      if (s[p] === ":") {
        if (compress >= 0) return null;
        p++;
        compress = ++piece;
        continue;
      }
      let value = 0, len = 0;
      while (len < 4 && p < s.length && hexDigit(s[p])) { value = value * 16 + parseInt(s[p], 16); p++; len++; }
      if (s[p] === ".") {
        if (len === 0) return null;
        p -= len;
        if (piece > 6) return null;
        let seen = 0;
        while (p < s.length) {
          let v4 = -1;
          if (seen > 0) {
            if (s[p] === "." && seen < 4) p++;
            else return null;
          }
          if (!digit(s[p])) return null;
          while (digit(s[p])) {
            const d = s.charCodeAt(p) - 48;
            if (v4 < 0) v4 = d;
            else if (v4 === 0) return null;
            else v4 = v4 * 10 + d;
            if (v4 > 255) return null;
            p++;
          }
          a[piece] = a[piece] * 256 + v4;
          seen++;
          if (seen === 2 || seen === 4) piece++;
        }
        if (seen !== 4) return null;
        break;
      } else if (s[p] === ":") {
        p++;
        if (p === s.length) return null;
      } else if (p < s.length) {
        return null;
      }
      a[piece++] = value;
    }
    if (compress >= 0) {
      let swaps = piece - compress;
      piece = 7;
      while (piece !== 0 && swaps > 0) {
        const t = a[piece]; a[piece] = a[compress + swaps - 1]; a[compress + swaps - 1] = t;
        piece--; swaps--;
      }
    } else if (piece !== 8) {
      return null;
    }
    return a;
  }

  // "[...]" with the first longest run of two or more zero pieces written as "::".
  function serializeIPv6(a) {
    let best = -1, bestLen = 1;
    for (let i = 0; i < 8;) {
      if (a[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && a[j] === 0) j++;
      if (j - i > bestLen) { best = i; bestLen = j - i; }
      i = j;
    }
    let out = "[";
    for (let i = 0; i < 8; i++) {
      if (i === best) { out += i === 0 ? "::" : ":"; i += bestLen - 1; continue; }
      out += a[i].toString(16);
      if (i !== 7) out += ":";
    }
    return out + "]";
  }

  // ---- Punycode (RFC 3492) ---------------------------------------------------------------
  const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
  function adapt(delta, points, first) {
    delta = first ? Math.floor(delta / DAMP) : delta >> 1;
    delta += Math.floor(delta / points);
    let k = 0;
    while (delta > ((BASE - TMIN) * TMAX) >> 1) { delta = Math.floor(delta / (BASE - TMIN)); k += BASE; }
    return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
  }
  const threshold = (k, bias) => (k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias);
  const digitChar = (d) => String.fromCharCode(d < 26 ? 97 + d : 22 + d);

  // The Punycode of a string of code points (without the "xn--" prefix).
  function punyEncode(str) {
    const cps = Array.from(str, (c) => c.codePointAt(0));
    let out = "";
    for (const c of cps) if (c < 0x80) out += String.fromCharCode(c);
    const b = out.length;
    let h = b, n = 128, delta = 0, bias = 72;
    if (b > 0) out += "-";
    while (h < cps.length) {
      let m = Infinity;
      for (const c of cps) if (c >= n && c < m) m = c;
      delta += (m - n) * (h + 1);
      n = m;
      for (const c of cps) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = threshold(k, bias);
          if (q < t) break;
          out += digitChar(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        out += digitChar(q);
        bias = adapt(delta, h + 1, h === b);
        delta = 0;
        h++;
      }
      delta++;
      n++;
    }
    return out;
  }

  // The string a Punycode label (without "xn--") stands for, or null if it is invalid.
  function punyDecode(s) {
    const last = s.lastIndexOf("-");
    const out = [];
    for (let j = 0; j < Math.max(last, 0); j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x80) return null;
      out.push(c);
    }
    let p = last >= 0 ? last + 1 : 0, n = 128, i = 0, bias = 72;
    while (p < s.length) {
      const oldi = i;
      let w = 1;
      for (let k = BASE; ; k += BASE) {
        if (p >= s.length) return null;
        const c = s.charCodeAt(p++);
        const d = c >= 48 && c <= 57 ? c - 22 : c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 97 : -1;
        if (d < 0) return null;
        i += d * w;
        if (i > 0x7fffffff) return null;
        const t = threshold(k, bias);
        if (d < t) break;
        w *= BASE - t;
      }
      bias = adapt(i - oldi, out.length + 1, oldi === 0);
      n += Math.floor(i / (out.length + 1));
      i %= out.length + 1;
      if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
      out.splice(i++, 0, n);
    }
    return String.fromCodePoint(...out);
  }

  // ---- domain to ASCII ---------------------------------------------------------------------
  const ignored = /[\u00ad\u034f\u115f\u1160\u180b-\u180f\u200b\u2060\u2064\u206a-\u206f\u17b4\u17b5\u3164\ufe00-\ufe0f\ufeff\uffa0\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0100}-\u{e01ef}]/gu;
  const disallowed = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Z}\p{Noncharacter_Code_Point}\ufffc\ufffd\u2ff0-\u2fff]/u;
  // A right-to-left character: in a right-to-left block, and not a mark or a digit.
  const rtl = /(?=[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}])[^\p{M}\p{N}]/u;
  const ltrLetter = /(?![\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}])\p{L}/u;

  // Whether a Unicode label passes the (simplified) validity checks of UTS #46.
  function validLabel(label) {
    if (label.normalize("NFC") !== label) return false;
    if (/^\p{M}/u.test(label)) return false;
    const stripped = label.replace(/[\u200c\u200d]/g, "");
    if (disallowed.test(stripped)) return false;
    if (rtl.test(label) && ltrLetter.test(label)) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label[i];
      if (c !== "\u200c" && c !== "\u200d") continue;
      const before = label.slice(0, i), after = label.slice(i + 1);
      if (/\p{Mn}$/u.test(before)) continue;
      if (c === "\u200c" && rtl.test(before.slice(-2)) && rtl.test(after.slice(0, 2))) continue;
      return false;
    }
    return true;
  }

  // The URL Standard's "domain to ASCII" (not strict), or null on failure.
  function domainToASCII(domain) {
    if (!/[^\x00-\x7f]/.test(domain)) return domain.toLowerCase();
    // UTS #46 disallows the compatibility characters that decompose to a full stop
    // (one/two dot leaders, "⒈"...), all but the ideographic and full-width full stops.
    for (const c of domain.match(/[^\x00-\x7f]/gu))
      if (c !== "\u3002" && c !== "\uff0e" && c !== "\uff61" && /[.\u3002]/.test(c.normalize("NFKC"))) return null;
    const mapped = domain.replace(ignored, "").replace(/\u03a3/g, "\u03c3").normalize("NFKC").toLowerCase().normalize("NFC")
      .replace(/\u3002/g, ".");
    const labels = mapped.split(".");
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (/^xn--/i.test(label)) {
        if (/[^\x00-\x7f]/.test(label)) return null;
        const u = punyDecode(label.slice(4));
        if (u === null || u === "" || !/[^\x00-\x7f]/.test(u) || !validLabel(u)) return null;
        labels[i] = label.toLowerCase();
      } else if (/[^\x00-\x7f]/.test(label)) {
        if (!validLabel(label)) return null;
        labels[i] = "xn--" + punyEncode(label);
      }
    }
    const out = labels.join(".");
    return out === "" ? null : out;
  }

  // ---- the host parser ----------------------------------------------------------------------
  const forbiddenHost = /[\x00\t\n\r #/:<>?@[\\\]^|]/;
  const forbiddenDomain = /[\x00-\x20#%/:<>?@[\\\]^|\x7f]/;

  // The serialized host that `input` stands for, or null on failure. `opaque` is true
  // for URLs whose scheme is not special (their hosts are not domains).
  function parseHost(input, opaque) {
    if (input[0] === "[") {
      if (input[input.length - 1] !== "]") return null;
      const a = parseIPv6Pieces(input.slice(1, -1));
      return a === null ? null : serializeIPv6(a);
    }
    if (opaque) {
      if (forbiddenHost.test(input)) return null;
      return encode(input, sets.c0);
    }
    const ascii = domainToASCII(decode(input));
    if (ascii === null || forbiddenDomain.test(ascii)) return null;
    if (endsInNumber(ascii)) return parseIPv4(ascii);
    return ascii;
  }

  return { parseHost, domainToASCII, punyEncode, punyDecode };
})
