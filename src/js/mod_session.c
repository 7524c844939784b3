/* stub */
#include "js/js_private.h"
void gp__mod_session_init(JSContextRef ctx, JSObjectRef native) {}
