// require("readline/promises") (SPEC §3.2): the promise form of readline's interfaces,
// made in readline.js (one queue of lines for both forms).
(function (host, lib, g) {
  "use strict";
  return lib("node/readline").promises;
})
