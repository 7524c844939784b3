// Node's `process` module (SPEC §3.1): the `process` global under its module name.
(function (host, lib, g) {
  "use strict";
  return g.process;
})
