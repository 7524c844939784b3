// Node's `assert/strict` module: assert.strict (equal is strictEqual, deepEqual is
// deepStrictEqual, ...) under its module name.
(function (host, lib, g) {
  "use strict";
  return lib("node/assert").strict;
})
