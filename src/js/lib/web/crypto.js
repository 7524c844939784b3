// `crypto` (SPEC §3.1): getRandomValues and randomUUID from the kernel's random source.
// Every file of src/js/lib/web/ is one function expression called once, on first use of
// one of its globals, as f(host, lib, globalThis): `lib(name)` gives another file's
// exports. It returns its exports (the prelude's lazy table maps globals to them).
(function (host, lib, g) {
  "use strict";
  const integerArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
                         Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
  // A DOMException of `name` once the events file provides the class, else an Error.
  function failure(msg, name, Fallback) {
    return typeof g.DOMException === "function" ? new g.DOMException(msg, name) : new Fallback(msg);
  }
  // WebIDL first (a missing argument or one that is no ArrayBufferView is a TypeError),
  // then the Web Crypto checks (DOMExceptions).
  function getRandomValues(argc, view) {
    if (argc < 1)
      throw new TypeError("crypto.getRandomValues: 1 argument required, but only 0 present");
    if (!ArrayBuffer.isView(view))
      throw new TypeError("crypto.getRandomValues: the argument is not an ArrayBufferView");
    if (!integerArrays.some((T) => view instanceof T))
      throw failure("crypto.getRandomValues: the argument must be an integer typed array",
                    "TypeMismatchError", TypeError);
    if (view.byteLength > 65536)
      throw failure(`crypto.getRandomValues: ${view.byteLength} bytes requested, at most 65536 are allowed`,
                    "QuotaExceededError", RangeError);
    return host.randomFill(view);
  }
  const hex = [];
  for (let i = 0; i < 256; i++) hex.push((i + 0x100).toString(16).slice(1));
  function randomUUID() {
    const b = host.randomFill(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // variant 10
    return hex[b[0]] + hex[b[1]] + hex[b[2]] + hex[b[3]] + "-" + hex[b[4]] + hex[b[5]] + "-" +
      hex[b[6]] + hex[b[7]] + "-" + hex[b[8]] + hex[b[9]] + "-" + hex[b[10]] + hex[b[11]] +
      hex[b[12]] + hex[b[13]] + hex[b[14]] + hex[b[15]];
  }
  class Crypto {
    getRandomValues(view) { return getRandomValues(arguments.length, view); }
    randomUUID() { return randomUUID(); }
    get [Symbol.toStringTag]() { return "Crypto"; }
  }
  return { crypto: new Crypto(), Crypto };
})
