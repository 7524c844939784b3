// `atob` and `btoa` (SPEC §3.1) per the HTML standard: btoa reads its argument as
// latin1 and writes base64; atob applies forgiving-base64 (ASCII whitespace ignored,
// padding optional but checked) and returns one character per byte. Bad input throws
// an InvalidCharacterError DOMException. The conversions are native (mod_encoding.c).
(function (host, lib, g) {
  "use strict";
  const LATIN1 = 1, BASE64 = 4, LATIN1_STRICT = 7; // host's encoding numbers

  function fail(msg) {
    return new g.DOMException(msg, "InvalidCharacterError");
  }
  function needArg(name, n) {
    if (n === 0) throw new TypeError(`${name}: 1 argument required, but only 0 present`);
  }
  function btoa(data) {
    needArg("btoa", arguments.length);
    const bytes = host.encEncode(String(data), LATIN1_STRICT);
    if (bytes === null) throw fail("btoa: the string contains characters outside of the Latin1 range");
    return host.encDecode(bytes, 0, bytes.length, BASE64, false);
  }
  function atob(data) {
    needArg("atob", arguments.length);
    const bytes = host.encForgivingBase64(String(data));
    if (bytes === null) throw fail("atob: the string to be decoded is not correctly encoded");
    return host.encDecode(bytes, 0, bytes.length, LATIN1, false);
  }
  return { atob, btoa };
})
