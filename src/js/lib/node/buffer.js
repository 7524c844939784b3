// Node's `buffer` module (SPEC §3.2): the Buffer global and its neighbours under their
// module names.
(function (host, lib, g) {
  "use strict";
  const kMaxLength = 2 ** 32;
  return {
    get Buffer() { return g.Buffer; },
    get Blob() { return g.Blob; },
    get File() { return g.File; },
    get atob() { return g.atob; },
    get btoa() { return g.btoa; },
    kMaxLength,
    constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 30 - 25 },
  };
})
