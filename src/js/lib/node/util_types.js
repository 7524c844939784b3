// Node's `util/types` module: util.types (SPEC §3.2) under its module name.
(function (host, lib, g) {
  "use strict";
  return lib("node/util").types;
})
