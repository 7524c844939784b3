/* The native half of Node's `crypto` (lib/node/crypto.js): message digests and HMACs
 * through OpenSSL's libcrypto (EVP_MD_CTX, EVP_MAC), and a constant-time comparison.
 * A digest object is a JS object of class "CryptoDigest" owning one OpenSSL context:
 * digest() frees it at once, and the finalizer frees it when a script drops the object
 * without digesting. Everything is synchronous, as in Node (a hash of a large buffer
 * takes the owner as long as it takes Node's main thread). The only file that includes
 * OpenSSL's headers. Owner thread only (the finalizer touches no VM). */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/core.h"
#include "js/js_private.h"


/* One running digest, owned by its JS object (freed by the finalizer). */
typedef struct {
  EVP_MD_CTX *md;   /* a plain hash's context, or NULL (an HMAC, or digested) */
  EVP_MAC_CTX *mac; /* an HMAC's context, or NULL (a plain hash, or digested) */
  int xof;          /* an extendable-output function (shake128/256) */
  size_t xof_len;   /* its output length in bytes, when xof */
} gp__digest_t;

static JSClassRef gp__digest_class;

static void gp__digest_release(gp__digest_t *d) {
  EVP_MD_CTX_free(d->md);
  EVP_MAC_CTX_free(d->mac);
  d->md = NULL;
  d->mac = NULL;
}

static void gp__digest_free(gp__digest_t *d) {
  if (d == NULL) return;
  gp__digest_release(d);
  free(d);
}

/* The finalizer: frees the context of a digest the script never finished. */
static void gp__digest_finalize(JSObjectRef obj) { gp__digest_free(JSObjectGetPrivate(obj)); }

/* A new JS object owning d (which it frees). */
static JSObjectRef gp__digest_wrap(JSContextRef ctx, gp__digest_t *d) {
  if (gp__digest_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "CryptoDigest";
    def.finalize = gp__digest_finalize;
    gp__digest_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__digest_class, d);
}

static int gp__md_is_xof(const EVP_MD *md) { return (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0; }

/* The algorithm OpenSSL knows by `name` (Node's names: "sha256", "SHA256", "RSA-SHA256",
 * ...), or NULL. */
static const EVP_MD *gp__digest_md(const char *name) { return name ? EVP_get_digestbyname(name) : NULL; }

/* Sets the output length of d, running `md`, to `len` (< 0: the algorithm's own):
 * only an extendable-output function takes another length than its own. 0 when the
 * length is refused. */
static int gp__digest_set_length(gp__digest_t *d, const EVP_MD *md, double len) {
  size_t own = (size_t)EVP_MD_get_size(md);
  if (!gp__md_is_xof(md)) return len < 0 || (size_t)len == own;
  d->xof = 1;
  d->xof_len = len < 0 ? own : (size_t)len;
  return 1;
}

/* A digest of the algorithm `md` with, when key is not NULL, an HMAC over it (never of
 * an extendable-output function); NULL when OpenSSL refuses it (e.g. md5 under a
 * FIPS-only configuration). */
static gp__digest_t *gp__digest_new(const EVP_MD *md, const unsigned char *key, size_t keylen) {
  gp__digest_t *d = calloc(1, sizeof *d);
  if (d == NULL) return NULL;
  int ok;
  if (key == NULL) {
    ok = (d->md = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(d->md, md, NULL);
  } else if (gp__md_is_xof(md)) {
    ok = 0;
  } else {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    d->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
        OSSL_PARAM_construct_end()};
    ok = d->mac != NULL && EVP_MAC_init(d->mac, key, keylen, params);
  }
  if (!ok) {
    gp__digest_free(d);
    return NULL;
  }
  return d;
}

/* The bytes of a typed array or DataView argument (the JS side has converted strings
 * and checked types); NULL with *exc set for anything else. */
static unsigned char *gp__crypto_bytes(JSContextRef ctx, JSValueRef v, size_t *n, JSValueRef *exc) {
  *n = 0;
  JSTypedArrayType t = JSValueIsObject(ctx, v) ? JSValueGetTypedArrayType(ctx, v, NULL)
                                               : kJSTypedArrayTypeNone;
  if (t == kJSTypedArrayTypeNone || t == kJSTypedArrayTypeArrayBuffer) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "crypto: expected a typed array");
    return NULL;
  }
  JSObjectRef o = (JSObjectRef)v;
  static unsigned char empty[1];
  unsigned char *p = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  *n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  if (p == NULL) return *n == 0 ? empty : NULL;
  return p + JSObjectGetTypedArrayByteOffset(ctx, o, exc);
}

/* An output length argument: a number, or undefined for the algorithm's own (-1). */
static double gp__crypto_length_arg(JSContextRef ctx, JSValueRef v) {
  return JSValueIsNumber(ctx, v) ? JSValueToNumber(ctx, v, NULL) : -1;
}

/* hashNew(name[, key[, outputLength]]): a digest object for the algorithm (an HMAC with
 * the key's bytes when key is a typed array), null when OpenSSL has no such digest,
 * false when the output length is refused (an algorithm of fixed length). */
static JSValueRef gp__crypto_hash_new(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  const unsigned char *key = NULL;
  size_t keylen = 0;
  if (JSValueIsObject(ctx, GP__ARG(1)) && (key = gp__crypto_bytes(ctx, argv[1], &keylen, exc)) == NULL)
    return JSValueMakeUndefined(ctx);
  char *name = gp__js_to_cstr(ctx, GP__ARG(0));
  const EVP_MD *md = gp__digest_md(name);
  free(name);
  gp__digest_t *d = md ? gp__digest_new(md, key, keylen) : NULL;
  if (d == NULL) return JSValueMakeNull(ctx);
  if (!gp__digest_set_length(d, md, gp__crypto_length_arg(ctx, GP__ARG(2)))) {
    gp__digest_free(d);
    return JSValueMakeBoolean(ctx, false);
  }
  return gp__digest_wrap(ctx, d);
}

/* The running digest of a JS digest object; NULL with *exc set when it is none or is
 * finished (the JS side reports ERR_CRYPTO_HASH_FINALIZED before calling). */
static gp__digest_t *gp__digest_of(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  gp__digest_t *d = gp__js_private_of(ctx, v, gp__digest_class);
  if (d == NULL || (d->md == NULL && d->mac == NULL)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "crypto: not a running digest");
    return NULL;
  }
  return d;
}

/* hashUpdate(h, bytes): feeds a typed array's bytes to the digest. */
static JSValueRef gp__crypto_hash_update(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__digest_t *d = gp__digest_of(ctx, GP__ARG(0), exc);
  size_t n = 0;
  const unsigned char *p = d ? gp__crypto_bytes(ctx, GP__ARG(1), &n, exc) : NULL;
  if (p == NULL) return JSValueMakeUndefined(ctx);
  int ok = d->md ? EVP_DigestUpdate(d->md, p, n) : EVP_MAC_update(d->mac, p, n);
  if (!ok) return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "crypto: digest update failed");
  return JSValueMakeUndefined(ctx);
}

/* Finishes d into out[0..n) (n is its output length); 1 on success. */
static int gp__digest_final(gp__digest_t *d, unsigned char *out, size_t n) {
  if (d->mac) {
    size_t got = 0;
    return EVP_MAC_final(d->mac, out, &got, n) && got == n;
  }
  if (d->xof) return n == 0 || EVP_DigestFinalXOF(d->md, out, n);
  unsigned int got = 0;
  return EVP_DigestFinal_ex(d->md, out, &got) && got == n;
}

/* hashDigest(h): the digest's value as a new Uint8Array; frees its context. */
static JSValueRef gp__crypto_hash_digest(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__digest_t *d = gp__digest_of(ctx, GP__ARG(0), exc);
  if (d == NULL) return JSValueMakeUndefined(ctx);
  size_t n = d->mac ? EVP_MAC_CTX_get_mac_size(d->mac)
                    : d->xof ? d->xof_len : (size_t)EVP_MD_CTX_get_size(d->md);
  JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, n, exc);
  size_t len = 0;
  unsigned char *out = u8 ? gp__crypto_bytes(ctx, u8, &len, exc) : NULL;
  int ok = out != NULL && gp__digest_final(d, out, n);
  gp__digest_release(d);
  if (out == NULL) return JSValueMakeUndefined(ctx);
  if (!ok) return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "crypto: digest failed");
  return u8;
}

/* hashCopy(h[, outputLength]): a new digest object in the same state as h (an
 * extendable-output function's with outputLength or its own length); false when the
 * length is refused. */
static JSValueRef gp__crypto_hash_copy(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__digest_t *d = gp__digest_of(ctx, GP__ARG(0), exc);
  if (d == NULL) return JSValueMakeUndefined(ctx);
  gp__digest_t *c = calloc(1, sizeof *c);
  int ok = c != NULL;
  if (ok && d->md) ok = (c->md = EVP_MD_CTX_new()) != NULL && EVP_MD_CTX_copy_ex(c->md, d->md);
  if (ok && d->mac) ok = (c->mac = EVP_MAC_CTX_dup(d->mac)) != NULL;
  if (!ok) {
    gp__digest_free(c);
    return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "crypto: copying a digest failed");
  }
  /* as in Node, a copy without a length has the algorithm's own, not the original's */
  double len = gp__crypto_length_arg(ctx, GP__ARG(1));
  if (c->md && !gp__digest_set_length(c, EVP_MD_CTX_get0_md(c->md), len)) {
    gp__digest_free(c);
    return JSValueMakeBoolean(ctx, false);
  }
  return gp__digest_wrap(ctx, c);
}

/* What hashNames' callback fills: the array of names and its length. */
typedef struct {
  JSContextRef ctx; /* the calling native's */
  JSObjectRef arr;  /* the names so far */
  unsigned n;       /* arr's length */
} gp__md_names_t;

/* EVP_MD_do_all_sorted's callback: keeps the names createHash accepts (aliases too) and
 * that this OpenSSL can run, not only knows. */
static void gp__crypto_collect(const EVP_MD *md, const char *from, const char *to, void *arg) {
  (void)md;
  (void)to;
  gp__md_names_t *l = arg;
  const EVP_MD *m = from ? gp__digest_md(from) : NULL;
  gp__digest_t *d = m ? gp__digest_new(m, NULL, 0) : NULL;
  if (d == NULL) return;
  gp__digest_free(d);
  JSObjectSetPropertyAtIndex(l->ctx, l->arr, l->n++, gp__js_str(l->ctx, from), NULL);
}

/* hashNames(): the digest names createHash accepts, sorted, as getHashes() lists them. */
static JSValueRef gp__crypto_hash_names(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__md_names_t l = {ctx, JSObjectMakeArray(ctx, 0, NULL, NULL), 0};
  EVP_MD_do_all_sorted(gp__crypto_collect, &l);
  return l.arr;
}

/* equal(a, b): whether two typed arrays of the same byte length (checked by the JS
 * side) hold the same bytes, in time that depends only on their length. */
static JSValueRef gp__crypto_equal(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  size_t na = 0, nb = 0;
  const unsigned char *a = gp__crypto_bytes(ctx, GP__ARG(0), &na, exc);
  const unsigned char *b = a ? gp__crypto_bytes(ctx, GP__ARG(1), &nb, exc) : NULL;
  if (b == NULL) return JSValueMakeUndefined(ctx);
  if (na != nb) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "crypto: lengths differ");
  return JSValueMakeBoolean(ctx, CRYPTO_memcmp(a, b, na) == 0);
}

static const gp__js_fn_t gp__crypto_fns[] = {
    {"hashNew", gp__crypto_hash_new},       {"hashUpdate", gp__crypto_hash_update},
    {"hashDigest", gp__crypto_hash_digest}, {"hashCopy", gp__crypto_hash_copy},
    {"hashNames", gp__crypto_hash_names},   {"equal", gp__crypto_equal},
};

void gp__mod_crypto_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, o, gp__crypto_fns, sizeof gp__crypto_fns / sizeof gp__crypto_fns[0]);
  gp__js_set(ctx, host, "crypto", o);
}
