/* The natives behind the web platform's globals (SPEC §3.1) that the embedded library
 * src/js/lib/web/ builds: compiling one of its files on first use (the prelude installs
 * each global as a lazy property, so a script that never touches `URL` never compiles
 * it), and the kernel's random source for `crypto`. Owner thread only. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/core.h"
#include "js/js_private.h"


/* The generated table of embedded files (js_web_table.c), ending with {NULL, NULL}. */
extern const struct {
  const char *name;
  const char *src;
} gp__js_web_libs[];

/* webFactory(name): the function the file "DIR/NAME" (web/url, node/fs) evaluates to
 * (it is one function expression, called by the prelude with its arguments). Throws for
 * an unknown name. */
static JSValueRef gp__web_factory(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  char *name = gp__js_to_cstr(ctx, GP__ARG(0));
  const char *src = NULL;
  for (size_t i = 0; name && gp__js_web_libs[i].name; i++)
    if (strcmp(gp__js_web_libs[i].name, name) == 0) src = gp__js_web_libs[i].src;
  if (src == NULL) {
    JSValueRef r = gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "no web library '%s'",
                                name ? name : "?");
    free(name);
    return r;
  }
  char *label = gp__xasprintf("geppetto:%s.js", name);
  JSValueRef v = gp__js_eval_lib(ctx, src, label, exc);
  free(label);
  free(name);
  return v ? v : JSValueMakeUndefined(ctx);
}

/* randomFill(view): fills a typed array's bytes from the kernel's random source
 * (getrandom(2); blocks only before the pool is first initialised at boot). The web
 * library (lib/web/crypto.js) has already made the checks a script sees: the argument's
 * presence and type and the 65,536-byte limit; anything but a typed array (an
 * ArrayBuffer, a DataView, no argument) is refused here too. */
static JSValueRef gp__web_random_fill(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef v = GP__ARG(0);
  JSTypedArrayType t = JSValueIsObject(ctx, v) ? JSValueGetTypedArrayType(ctx, v, NULL)
                                               : kJSTypedArrayTypeNone;
  if (t == kJSTypedArrayTypeNone || t == kJSTypedArrayTypeArrayBuffer)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "randomFill: expected a typed array");
  JSObjectRef o = (JSObjectRef)v;
  unsigned char *p = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  size_t n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  if (p == NULL && n > 0) return JSValueMakeUndefined(ctx);
  /* the pointer is the start of the view's buffer: skip to the view's own bytes */
  p += JSObjectGetTypedArrayByteOffset(ctx, o, exc);
  size_t done = 0;
  while (done < n) {
    ssize_t r = getrandom(p + done, n - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return gp__js_throw(ctx, exc, GP_ERR_IO, 0, "getrandom failed: %s", strerror(errno));
    }
    done += (size_t)r;
  }
  return v;
}

static const gp__js_fn_t gp__web_fns[] = {
    {"webFactory", gp__web_factory},
    {"randomFill", gp__web_random_fill},
};

void gp__mod_web_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__web_fns, sizeof gp__web_fns / sizeof gp__web_fns[0]);
}
