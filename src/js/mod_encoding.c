/* Natives behind TextEncoder/TextDecoder, atob/btoa and Buffer (src/js/lib/web/
 * encoding.js, base64.js, buffer.js): whole-buffer conversions between bytes and
 * strings in each encoding Buffer names, done here so that tens of megabytes convert in
 * linear time without a JavaScript loop. The JS side checks arguments and turns
 * ArrayBuffers and DataViews into Uint8Arrays first. Owner thread only. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"


/* The encodings, numbered as buffer.js and encoding.js number them. */
enum {
  GP__ENC_UTF8 = 0,
  GP__ENC_LATIN1 = 1,    /* one byte per UTF-16 unit, its low 8 bits */
  GP__ENC_ASCII = 2,     /* latin1 out; into a string, each byte's high bit cleared */
  GP__ENC_UTF16LE = 3,
  GP__ENC_BASE64 = 4,    /* decoding accepts both alphabets, skips other characters */
  GP__ENC_BASE64URL = 5, /* as base64, written without padding */
  GP__ENC_HEX = 6,       /* decoding stops at the first pair that is not hex */
  GP__ENC_LATIN1_STRICT = 7, /* latin1, but null if a unit is above 0xFF (btoa) */
};

static const char gp__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char gp__b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char gp__hexdig[] = "0123456789abcdef";

/* The value of each ASCII character in base64 of either alphabet, or -1. */
static const signed char gp__b64_values[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
};

static int gp__b64_value(unsigned c) {
  return c < 128 ? gp__b64_values[c] : -1;
}

static int gp__hex_value(unsigned c) {
  if (c >= '0' && c <= '9') return (int)(c - '0');
  if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
  return -1;
}

/* The bytes of a typed array argument (offset applied). 0 and an exception if v is not
 * a typed array. */
static int gp__enc_bytes(JSContextRef ctx, JSValueRef v, unsigned char **p, size_t *n,
                         JSValueRef *exc) {
  if (!JSValueIsObject(ctx, v) || JSValueGetTypedArrayType(ctx, v, NULL) == kJSTypedArrayTypeNone) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "expected a typed array");
    return 0;
  }
  JSObjectRef o = (JSObjectRef)v;
  unsigned char *b = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  *n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  *p = b ? b + JSObjectGetTypedArrayByteOffset(ctx, o, exc) : NULL;
  if (*p == NULL) *n = 0;
  return 1;
}

static double gp__enc_num(JSContextRef ctx, JSValueRef v, double dflt) {
  return JSValueIsNumber(ctx, v) ? JSValueToNumber(ctx, v, NULL) : dflt;
}

static JSValueRef gp__enc_units_string(JSContextRef ctx, const uint16_t *u, size_t n) {
  JSStringRef s = JSStringCreateWithCharacters(u, n);
  JSValueRef r = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return r;
}

/* A string of `n` ASCII characters at `a` (a[n] must be writable: it becomes NUL). */
static JSValueRef gp__enc_ascii_string(JSContextRef ctx, char *a, size_t n) {
  a[n] = '\0';
  JSStringRef s = JSStringCreateWithUTF8CString(a);
  JSValueRef r = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return r;
}

static JSValueRef gp__enc_nomem(JSContextRef ctx, JSValueRef *exc, size_t n) {
  return gp__js_throw(ctx, exc, GP_ERR_NOMEM, 0, "out of memory converting %zu bytes", n);
}

/* The UTF-16 units `n` bytes at `p` stand for in a text encoding (utf8, latin1, ascii,
 * utf16le), malloc'd, their count in *m; NULL when out of memory. */
static uint16_t *gp__enc_units_of(const unsigned char *p, size_t n, int enc, size_t *m) {
  uint16_t *u = malloc((n ? n : 1) * sizeof *u); /* never more units than bytes */
  if (u == NULL) return NULL;
  if (enc == GP__ENC_UTF8) {
    *m = gp__utf8_to_utf16((const char *)p, n, u);
  } else if (enc == GP__ENC_UTF16LE) {
    *m = n / 2; /* an odd last byte is dropped */
    for (size_t i = 0; i < *m; i++) u[i] = (uint16_t)(p[2 * i] | (p[2 * i + 1] << 8));
  } else {
    unsigned mask = enc == GP__ENC_ASCII ? 0x7F : 0xFF;
    for (size_t i = 0; i < n; i++) u[i] = (uint16_t)(p[i] & mask);
    *m = n;
  }
  return u;
}

/* The ASCII text of `n` bytes at `p` in base64, base64url or hex, malloc'd with room for
 * a NUL after its *k characters; NULL when out of memory. */
static char *gp__enc_text_of(const unsigned char *p, size_t n, int enc, size_t *k) {
  if (enc == GP__ENC_HEX) {
    char *o = malloc(2 * n + 1);
    if (o == NULL) return NULL;
    for (size_t i = 0; i < n; i++) o[2 * i] = gp__hexdig[p[i] >> 4], o[2 * i + 1] = gp__hexdig[p[i] & 15];
    *k = 2 * n;
    return o;
  }
  const char *alpha = enc == GP__ENC_BASE64 ? gp__b64 : gp__b64url;
  char *o = malloc((n + 2) / 3 * 4 + 1);
  if (o == NULL) return NULL;
  size_t j = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    o[j++] = alpha[v >> 18], o[j++] = alpha[(v >> 12) & 63];
    o[j++] = alpha[(v >> 6) & 63], o[j++] = alpha[v & 63];
  }
  if (i < n) { /* one or two bytes left */
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
    o[j++] = alpha[v >> 18], o[j++] = alpha[(v >> 12) & 63];
    if (i + 1 < n) o[j++] = alpha[(v >> 6) & 63];
    if (enc == GP__ENC_BASE64) {
      if (i + 1 == n) o[j++] = '=';
      o[j++] = '=';
    }
  }
  *k = j;
  return o;
}

/* decode(bytes, start, end, encoding, fatal): the string bytes[start, end) decode to.
 * UTF-8 is decoded per WHATWG (each maximal invalid subpart becomes U+FFFD; no BOM
 * handling); with `fatal`, invalid UTF-8 gives null instead. */
static JSValueRef gp__enc_decode(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  unsigned char *p;
  size_t n;
  if (!gp__enc_bytes(ctx, GP__ARG(0), &p, &n, exc)) return JSValueMakeUndefined(ctx);
  double a = gp__enc_num(ctx, GP__ARG(1), 0), b = gp__enc_num(ctx, GP__ARG(2), (double)n);
  if (!(b <= (double)n)) b = (double)n;
  if (!(a >= 0)) a = 0;
  if (a > b) a = b;
  p += (size_t)a;
  n = (size_t)b - (size_t)a;
  int enc = (int)gp__enc_num(ctx, GP__ARG(3), GP__ENC_UTF8);
  if (enc < GP__ENC_UTF8 || enc > GP__ENC_HEX)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "decode: unknown encoding %d", enc);
  if (n == 0) return gp__js_str(ctx, "");
  if (enc == GP__ENC_UTF8 && JSValueToBoolean(ctx, GP__ARG(4)) &&
      gp__utf8_valid_prefix((const char *)p, n) != n)
    return JSValueMakeNull(ctx);
  JSValueRef r;
  size_t m;
  if (enc >= GP__ENC_BASE64) {
    char *o = gp__enc_text_of(p, n, enc, &m);
    if (o == NULL) return gp__enc_nomem(ctx, exc, n);
    r = gp__enc_ascii_string(ctx, o, m);
    free(o);
  } else {
    uint16_t *u = gp__enc_units_of(p, n, enc, &m);
    if (u == NULL) return gp__enc_nomem(ctx, exc, n);
    r = gp__enc_units_string(ctx, u, m);
    free(u);
  }
  return r;
}

static void gp__enc_free_bytes(void *bytes, void *ctx) {
  free(bytes);
}

/* A new Uint8Array of the first `n` bytes of `out` (malloc'd, `cap` bytes; ownership
 * passes to the array). */
static JSValueRef gp__enc_array(JSContextRef ctx, unsigned char *out, size_t n, JSValueRef *exc) {
  JSObjectRef a = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, out, n,
                                                        gp__enc_free_bytes, NULL, exc);
  if (a == NULL) free(out);
  return a ? (JSValueRef)a : JSValueMakeUndefined(ctx);
}

/* Decodes base64 of either alphabet from `n` units at `u` into `out` (room for n*3/4+2
 * bytes): other characters are skipped, '=' ends the data; a lone last character is
 * dropped. Returns the bytes written. */
static size_t gp__b64_decode_lenient(const uint16_t *u, size_t n, unsigned char *out) {
  size_t k = 0;
  uint32_t acc = 0;
  int have = 0;
  for (size_t i = 0; i < n; i++) {
    if (u[i] == '=') break;
    int v = gp__b64_value(u[i]);
    if (v < 0) continue;
    acc = acc << 6 | (uint32_t)v;
    if (++have == 4) {
      out[k++] = (unsigned char)(acc >> 16), out[k++] = (unsigned char)(acc >> 8);
      out[k++] = (unsigned char)acc;
      acc = 0, have = 0;
    }
  }
  if (have == 2) out[k++] = (unsigned char)(acc >> 4);
  if (have == 3) out[k++] = (unsigned char)(acc >> 10), out[k++] = (unsigned char)(acc >> 2);
  return k;
}

/* encode(string, encoding): a new Uint8Array of String(string) in `encoding` (UTF-8
 * writes a lone surrogate as EF BF BD). LATIN1_STRICT gives null when a unit is above
 * 0xFF. */
static JSValueRef gp__enc_encode(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef s = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  int enc = (int)gp__enc_num(ctx, GP__ARG(1), GP__ENC_UTF8);
  size_t n = JSStringGetLength(s);
  const uint16_t *u = (const uint16_t *)JSStringGetCharactersPtr(s);
  size_t cap, len = 0;
  switch (enc) {
  case GP__ENC_UTF8: cap = gp__utf16_to_utf8(u, n, NULL); break;
  case GP__ENC_UTF16LE: cap = 2 * n; break;
  case GP__ENC_BASE64: case GP__ENC_BASE64URL: cap = n / 4 * 3 + 3; break;
  case GP__ENC_HEX: cap = n / 2; break;
  default: cap = n; break;
  }
  unsigned char *out = malloc(cap ? cap : 1);
  if (out == NULL) {
    JSStringRelease(s);
    return gp__enc_nomem(ctx, exc, cap);
  }
  switch (enc) {
  case GP__ENC_UTF8:
    len = gp__utf16_to_utf8(u, n, (char *)out);
    break;
  case GP__ENC_UTF16LE:
    for (size_t i = 0; i < n; i++) out[2 * i] = (unsigned char)u[i], out[2 * i + 1] = (unsigned char)(u[i] >> 8);
    len = 2 * n;
    break;
  case GP__ENC_BASE64:
  case GP__ENC_BASE64URL:
    len = gp__b64_decode_lenient(u, n, out);
    break;
  case GP__ENC_HEX:
    for (; len < n / 2; len++) {
      unsigned c1 = u[2 * len], c2 = u[2 * len + 1];
      int hi = c1 < 128 ? gp__hex_value(c1) : -1, lo = c2 < 128 ? gp__hex_value(c2) : -1;
      if (hi < 0 || lo < 0) break;
      out[len] = (unsigned char)(hi << 4 | lo);
    }
    break;
  case GP__ENC_LATIN1_STRICT:
    for (size_t i = 0; i < n; i++) {
      if (u[i] > 0xFF) {
        free(out);
        JSStringRelease(s);
        return JSValueMakeNull(ctx);
      }
      out[i] = (unsigned char)u[i];
    }
    len = n;
    break;
  default: /* latin1, ascii */
    for (size_t i = 0; i < n; i++) out[i] = (unsigned char)u[i];
    len = n;
    break;
  }
  JSStringRelease(s);
  return gp__enc_array(ctx, out, len, exc);
}

/* forgivingBase64(string): the bytes of the HTML standard's forgiving-base64 decode of
 * String(string) as a new Uint8Array, or null where that algorithm fails. */
static JSValueRef gp__enc_forgiving_b64(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef s = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  size_t n = JSStringGetLength(s);
  const uint16_t *u = (const uint16_t *)JSStringGetCharactersPtr(s);
  uint16_t *d = malloc((n ? n : 1) * sizeof *d); /* the input without ASCII whitespace */
  if (d == NULL) {
    JSStringRelease(s);
    return gp__enc_nomem(ctx, exc, n);
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!(u[i] == ' ' || u[i] == '\t' || u[i] == '\n' || u[i] == '\f' || u[i] == '\r')) d[m++] = u[i];
  JSStringRelease(s);
  if (m % 4 == 0 && m > 0 && d[m - 1] == '=') {
    m--;
    if (d[m - 1] == '=') m--;
  }
  int ok = m % 4 != 1;
  for (size_t i = 0; ok && i < m; i++)
    ok = gp__b64_value(d[i]) >= 0 && d[i] != '-' && d[i] != '_';
  unsigned char *out = ok ? malloc(m / 4 * 3 + 3) : NULL;
  if (ok && out == NULL) {
    free(d);
    return gp__enc_nomem(ctx, exc, m);
  }
  size_t len = ok ? gp__b64_decode_lenient(d, m, out) : 0;
  free(d);
  return ok ? gp__enc_array(ctx, out, len, exc) : JSValueMakeNull(ctx);
}

/* utf8EncodeInto(string, bytes): writes as much of String(string) in UTF-8 into the
 * Uint8Array `bytes` as fits without splitting a character; returns [units read,
 * bytes written]. */
static JSValueRef gp__enc_encode_into(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef s = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  unsigned char *p;
  size_t cap;
  if (!gp__enc_bytes(ctx, GP__ARG(1), &p, &cap, exc)) {
    JSStringRelease(s);
    return JSValueMakeUndefined(ctx);
  }
  size_t n = JSStringGetLength(s);
  const uint16_t *u = (const uint16_t *)JSStringGetCharactersPtr(s);
  size_t i = 0, w = 0;
  while (i < n) {
    size_t units = 1;
    if (u[i] >= 0xD800 && u[i] <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF)
      units = 2;
    size_t need = gp__utf16_to_utf8(u + i, units, NULL);
    if (need > cap - w) break;
    gp__utf16_to_utf8(u + i, units, (char *)p + w);
    i += units, w += need;
  }
  JSStringRelease(s);
  JSValueRef pair[2] = {JSValueMakeNumber(ctx, (double)i), JSValueMakeNumber(ctx, (double)w)};
  return JSObjectMakeArray(ctx, 2, pair, exc);
}

/* utf8Length(string): the number of bytes String(string) takes in UTF-8. */
static JSValueRef gp__enc_utf8_length(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef s = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  size_t n = gp__utf16_to_utf8((const uint16_t *)JSStringGetCharactersPtr(s), JSStringGetLength(s), NULL);
  JSStringRelease(s);
  return JSValueMakeNumber(ctx, (double)n);
}

static const gp__js_fn_t gp__encoding_fns[] = {
    {"encDecode", gp__enc_decode},
    {"encEncode", gp__enc_encode},
    {"encForgivingBase64", gp__enc_forgiving_b64},
    {"encUtf8EncodeInto", gp__enc_encode_into},
    {"encUtf8Length", gp__enc_utf8_length},
};

void gp__mod_encoding_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__encoding_fns, sizeof gp__encoding_fns / sizeof gp__encoding_fns[0]);
}
