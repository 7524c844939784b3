/* stub */
#include "js/js_private.h"
void gp__mod_engines_init(JSContextRef ctx, JSObjectRef native) {}
struct gp_engine_s *gp__js_engine_of(JSContextRef ctx, JSValueRef v) { return NULL; }
