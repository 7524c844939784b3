/* The one conversion between C strings (UTF-8 bytes) and JavaScript strings (UTF-16).
 * Into JavaScript, invalid UTF-8 becomes U+FFFD per maximal subpart (the WHATWG
 * decoder, as Node's Buffer.toString); out of JavaScript, a lone surrogate becomes
 * U+FFFD (EF BF BD), as Node writes it. Neither direction ever drops the rest of the
 * text. The pure functions run on any thread; the JSString ones on the owner. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"

size_t gp__utf8_valid_prefix(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return i;
    if (len > n - i || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; k++)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return n;
}

size_t gp__utf8_to_utf16(const char *s, size_t n, uint16_t *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  uint32_t cp = 0;
  unsigned need = 0, seen = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  for (size_t i = 0; i < n;) {
    unsigned char b = p[i];
    if (need == 0) {
      i++;
      if (b < 0x80) out[o++] = b;
      else if (b >= 0xC2 && b <= 0xDF) need = 1, cp = b & 0x1F;
      else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
        need = 2, cp = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
        need = 3, cp = b & 0x07;
      } else {
        out[o++] = 0xFFFD;
      }
      continue;
    }
    if (b < lo || b > hi) { /* the maximal subpart ends before b: b is read again */
      need = seen = 0, lo = 0x80, hi = 0xBF;
      out[o++] = 0xFFFD;
      continue;
    }
    i++;
    lo = 0x80, hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
    if (++seen < need) continue;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out[o++] = (uint16_t)(0xD800 + (cp >> 10));
      out[o++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
    } else {
      out[o++] = (uint16_t)cp;
    }
    need = seen = 0;
  }
  if (need) out[o++] = 0xFFFD; /* truncated sequence at the end */
  return o;
}

size_t gp__utf16_to_utf8(const uint16_t *s, size_t n, char *out) {
  unsigned char *q = (unsigned char *)out;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00u);
        i++;
      } else {
        c = 0xFFFD; /* lone surrogate */
      }
    }
    if (c < 0x80) {
      if (out) q[o] = (unsigned char)c;
      o += 1;
    } else if (c < 0x800) {
      if (out) q[o] = (unsigned char)(0xC0 | (c >> 6)), q[o + 1] = (unsigned char)(0x80 | (c & 0x3F));
      o += 2;
    } else if (c < 0x10000) {
      if (out) {
        q[o] = (unsigned char)(0xE0 | (c >> 12));
        q[o + 1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        q[o + 2] = (unsigned char)(0x80 | (c & 0x3F));
      }
      o += 3;
    } else {
      if (out) {
        q[o] = (unsigned char)(0xF0 | (c >> 18));
        q[o + 1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        q[o + 2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        q[o + 3] = (unsigned char)(0x80 | (c & 0x3F));
      }
      o += 4;
    }
  }
  return o;
}

static JSStringRef gp__js_string_slow(const char *s, size_t n) {
  uint16_t stackbuf[256];
  uint16_t *buf = n <= 256 ? stackbuf : gp__xmalloc(n * sizeof *buf); /* n units suffice */
  size_t len = gp__utf8_to_utf16(s, n, buf);
  JSStringRef r = JSStringCreateWithCharacters((const JSChar *)buf, len);
  if (buf != stackbuf) free(buf);
  return r;
}

JSStringRef gp__js_string(const char *s) {
  if (s == NULL) s = "";
  size_t n = strlen(s);
  /* Fast path: valid UTF-8 is converted by JavaScriptCore itself, which keeps ASCII in
   * 8-bit strings (and returns "" for anything invalid, hence the check). */
  if (gp__utf8_valid_prefix(s, n) == n) return JSStringCreateWithUTF8CString(s);
  return gp__js_string_slow(s, n);
}

JSStringRef gp__js_string_n(const char *s, size_t n) {
  return gp__js_string_slow(s ? s : "", s ? n : 0);
}

char *gp__js_strdup_n(JSStringRef s, size_t *len) {
  /* Fast path: JavaScriptCore's own conversion (no 16-bit copy of an 8-bit string). It
   * stops at a lone surrogate, which shows as fewer UTF-16 units written than the
   * string has: then the string is converted again, here. */
  size_t n = JSStringGetLength(s);
  size_t max = JSStringGetMaximumUTF8CStringSize(s);
  char *out = gp__xmalloc(max);
  size_t w = JSStringGetUTF8CString(s, out, max);
  size_t bytes = w ? w - 1 : 0, units = 0;
  for (size_t i = 0; i < bytes; i++) {
    unsigned char c = (unsigned char)out[i];
    units += (c & 0xC0) != 0x80;  /* a lead byte: one unit */
    units += c >= 0xF0;           /* four bytes: a surrogate pair */
  }
  if (units == n) {
    if (len) *len = bytes;
    return out;
  }
  free(out);
  const uint16_t *u = (const uint16_t *)JSStringGetCharactersPtr(s);
  bytes = gp__utf16_to_utf8(u, n, NULL);
  out = gp__xmalloc(bytes + 1);
  gp__utf16_to_utf8(u, n, out);
  out[bytes] = '\0';
  if (len) *len = bytes;
  return out;
}

static int gp__hex4(const char *p, unsigned *v) {
  unsigned x = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    x <<= 4;
    if (c >= '0' && c <= '9') x |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') x |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') x |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *v = x;
  return 1;
}

size_t gp__json_fix_lone_surrogates(char *text) {
  size_t fixed = 0;
  int in_str = 0;
  for (char *p = text; *p; p++) {
    if (*p == '"') {
      in_str = !in_str;
      continue;
    }
    if (!in_str || *p != '\\') continue;
    if (p[1] != 'u') { /* a two-character escape: skip it whole */
      if (p[1]) p++;
      continue;
    }
    unsigned v, w;
    if (!gp__hex4(p + 2, &v)) continue;
    if (v >= 0xD800 && v <= 0xDBFF && p[6] == '\\' && p[7] == 'u' && gp__hex4(p + 8, &w) &&
        w >= 0xDC00 && w <= 0xDFFF) {
      p += 11; /* a pair */
      continue;
    }
    if (v >= 0xD800 && v <= 0xDFFF) {
      memcpy(p + 2, "fffd", 4);
      fixed++;
    }
    p += 5;
  }
  return fixed;
}
