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


/* One running digest: a plain hash (md) or an HMAC (mac); both NULL once digested. */
typedef struct {
  EVP_MD_CTX *md;
  EVP_MAC_CTX *mac;
} gp__digest_t;

static JSClassRef gp__digest_class;

static void gp__digest_release(gp__digest_t *d) {
  EVP_MD_CTX_free(d->md);
  EVP_MAC_CTX_free(d->mac);
  d->md = NULL;
  d->mac = NULL;
}

/* The finalizer: frees the context of a digest the script never finished. */
static void gp__digest_finalize(JSObjectRef obj) {
  gp__digest_t *d = JSObjectGetPrivate(obj);
  if (d == NULL) return;
  gp__digest_release(d);
  free(d);
}

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

/* The algorithm OpenSSL knows by `name` (Node's names: "sha256", "SHA256", "RSA-SHA256",
 * ...), or NULL for an unknown one or an extendable-output function (shake*, whose
 * length Node takes as an option geppetto does not provide). */
static const EVP_MD *gp__digest_md(const char *name) {
  const EVP_MD *md = name ? EVP_get_digestbyname(name) : NULL;
  if (md == NULL || (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)) return NULL;
  return md;
}

/* The bytes of a typed array or DataView argument (the JS side has converted strings
 * and checked types); NULL with *exc set for anything else. */
static const unsigned char *gp__crypto_bytes(JSContextRef ctx, JSValueRef v, size_t *n,
                                             JSValueRef *exc) {
  *n = 0;
  JSTypedArrayType t = JSValueIsObject(ctx, v) ? JSValueGetTypedArrayType(ctx, v, NULL)
                                               : kJSTypedArrayTypeNone;
  if (t == kJSTypedArrayTypeNone || t == kJSTypedArrayTypeArrayBuffer) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "crypto: expected a typed array");
    return NULL;
  }
  JSObjectRef o = (JSObjectRef)v;
  static const unsigned char empty[1];
  unsigned char *p = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  *n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  if (p == NULL) return *n == 0 ? empty : NULL;
  return p + JSObjectGetTypedArrayByteOffset(ctx, o, exc);
}

/* A digest of the algorithm `md` with, when key is not NULL, an HMAC over it; NULL when
 * OpenSSL refuses it (e.g. md5 under a FIPS-only configuration). */
static gp__digest_t *gp__digest_new(const EVP_MD *md, const unsigned char *key, size_t keylen) {
  gp__digest_t *d = calloc(1, sizeof *d);
  if (d == NULL) return NULL;
  int ok;
  if (key == NULL) {
    ok = (d->md = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(d->md, md, NULL);
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
    gp__digest_release(d);
    free(d);
    return NULL;
  }
  return d;
}

/* hashNew(name[, key]): a digest object for the algorithm (an HMAC with the key's bytes
 * when key is given), or null when OpenSSL has no such digest. */
static JSValueRef gp__crypto_hash_new(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  const unsigned char *key = NULL;
  size_t keylen = 0;
  if (argc > 1 && (key = gp__crypto_bytes(ctx, argv[1], &keylen, exc)) == NULL)
    return JSValueMakeUndefined(ctx);
  char *name = gp__js_to_cstr(ctx, GP__ARG(0));
  const EVP_MD *md = gp__digest_md(name);
  free(name);
  gp__digest_t *d = md ? gp__digest_new(md, key, keylen) : NULL;
  return d ? (JSValueRef)gp__digest_wrap(ctx, d) : JSValueMakeNull(ctx);
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

/* hashDigest(h): the digest's value as a new Uint8Array; frees its context. */
static JSValueRef gp__crypto_hash_digest(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__digest_t *d = gp__digest_of(ctx, GP__ARG(0), exc);
  if (d == NULL) return JSValueMakeUndefined(ctx);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int un = 0;
  size_t n = 0;
  int ok = d->md ? EVP_DigestFinal_ex(d->md, out, &un) : EVP_MAC_final(d->mac, out, &n, sizeof out);
  if (d->md) n = un;
  gp__digest_release(d);
  if (!ok) return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "crypto: digest failed");
  JSObjectRef u8 = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeUint8Array, n, exc);
  if (u8 == NULL) return JSValueMakeUndefined(ctx);
  unsigned char *dst = JSObjectGetTypedArrayBytesPtr(ctx, u8, exc);
  if (dst) memcpy(dst, out, n);
  return u8;
}

/* hashCopy(h): a new digest object in the same state as h. */
static JSValueRef gp__crypto_hash_copy(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__digest_t *d = gp__digest_of(ctx, GP__ARG(0), exc);
  if (d == NULL) return JSValueMakeUndefined(ctx);
  gp__digest_t *c = calloc(1, sizeof *c);
  int ok = c != NULL;
  if (ok && d->md) ok = (c->md = EVP_MD_CTX_new()) != NULL && EVP_MD_CTX_copy_ex(c->md, d->md);
  if (ok && d->mac) ok = (c->mac = EVP_MAC_CTX_dup(d->mac)) != NULL;
  if (!ok) {
    if (c) gp__digest_release(c);
    free(c);
    return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "crypto: copying a digest failed");
  }
  return gp__digest_wrap(ctx, c);
}

/* What hashNames' callback fills: the array of names and its length. */
typedef struct {
  JSContextRef ctx;
  JSObjectRef arr;
  unsigned n;
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
  gp__digest_release(d);
  free(d);
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
