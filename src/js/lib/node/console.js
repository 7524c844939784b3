// Node's `console` module: the `console` global under its module name.
(function (host, lib, g) {
  "use strict";
  return g.console;
})
