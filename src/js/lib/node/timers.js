// Node's `timers` module (SPEC §3.2): the timer globals under their module names.
// Every file of src/js/lib/node/ is one function expression called once, on the first
// require of its module, as f(host, lib, globalThis); it returns the module's exports.
(function (host, lib, g) {
  "use strict";
  return {
    setTimeout: g.setTimeout, clearTimeout: g.clearTimeout,
    setInterval: g.setInterval, clearInterval: g.clearInterval,
    promises: lib("node/timers_promises"),
  };
})
