// require("fs/promises") (SPEC §3.2): the same object as require("fs").promises.
(function (host, lib, g) {
  "use strict";
  return lib("node/fs").promises;
})
