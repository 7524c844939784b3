// The error constructors the runtime's own JavaScript sees: vm.c and mod_web.c compile
// every embedded file inside a function taking them as parameters (gp__js_eval_lib),
// so `new TypeError(...)` in the runtime's code makes the engine's error and cleans
// its stack at once (host.cleanError, once modules.js has set it): an error the
// runtime makes for a script shows the script's frames, not the runtime's. Each is the
// engine's constructor to the script: same prototype (instanceof and `constructor`
// hold), its statics inherited (captureStackTrace). Evaluated first, once per VM.
(function (host) {
  "use strict";
  const names = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "URIError",
                 "EvalError", "AggregateError"];
  return names.map((name) => {
    const Engine = globalThis[name];
    const ctor = {
      [name]: function (...args) {
        const e = Reflect.construct(Engine, args, new.target || Engine);
        if (host.cleanError) host.cleanError(e);
        return e;
      },
    }[name];
    ctor.prototype = Engine.prototype;
    Object.setPrototypeOf(ctor, Engine);
    return ctor;
  });
})
