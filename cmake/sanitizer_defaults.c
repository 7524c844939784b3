/* Sanitizer defaults compiled into every geppetto binary, so that every way of
 * running them agrees. JavaScriptCore is not instrumented: its allocator races and its
 * own leaks are suppressed by library, never more widely (see ARCHITECTURE.md). */
const char *__tsan_default_suppressions(void);
const char *__lsan_default_suppressions(void);
const char *__tsan_default_options(void);
const char *__lsan_default_options(void);

const char *__tsan_default_suppressions(void) {
  /* GLib: JavaScriptCore's watchdog timer (runaway-callback interruption) runs on a
   * GLib work queue whose wakeup eventfd the owner thread writes; GLib synchronises with
   * futexes TSan cannot see. called_from_lib only silences interceptors (write, read...)
   * called by GLib itself, none of our code.
   * signal: JavaScriptCore's garbage collector stops threads with a signal whose handler
   * (in the library) leaves errno changed; TSan reports that as "signal handler spoils
   * errno" on whatever thread it interrupted. Only signal reports with a JavaScriptCore
   * frame: races are not of this type. */
  return "race_top:libjavascriptcoregtk-4.1.so.0\n"
         "called_from_lib:libjavascriptcoregtk-4.1.so.0\n"
         "signal:libjavascriptcoregtk-4.1.so.0\n"
         "called_from_lib:libglib-2.0.so.0\n";
}

const char *__lsan_default_suppressions(void) {
  return "leak:libjavascriptcoregtk-4.1.so.0\n";
}

const char *__tsan_default_options(void) {
  return "halt_on_error=1:second_deadlock_stack=1";
}

/* The list of suppressions LeakSanitizer matched is not printed at exit: it would land in
 * the stderr a test checks (JavaScriptCore's own leaks are expected, see above). */
const char *__lsan_default_options(void) {
  return "print_suppressions=0";
}
