// Node's argument errors, shared by the built-in modules of src/js/lib/node/ (not a
// module scripts can require): ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE /
// ERR_OUT_OF_RANGE with Node's messages, including its "Received ..." description of
// the offending value.
(function (host, lib, g) {
  "use strict";
  // How Node's messages describe a value: "Received undefined", "Received type number
  // (42)", "Received an instance of Object", "Received function f".
  function received(v) {
    if (v === null || v === undefined) return " Received " + v;
    if (typeof v === "function") return " Received function " + (v.name || "<anonymous>");
    if (typeof v === "object") {
      const name = v.constructor && v.constructor.name;
      return name ? " Received an instance of " + name : " Received " + String(v);
    }
    let shown = typeof v === "string" ? "'" + v + "'" : String(v);
    if (shown.length > 28) shown = shown.slice(0, 25) + "...";
    if (typeof v === "bigint") shown += "n";
    return ` Received type ${typeof v} (${shown})`;
  }
  function withCode(e, code) {
    e.code = code;
    return e;
  }
  // The "name" argument must be <expected>: expected is e.g. "of type string".
  function argType(name, expected, value) {
    const what = name.includes(".") ? "property" : "argument";
    return withCode(new TypeError(`The "${name}" ${what} must be ${expected}.${received(value)}`),
                    "ERR_INVALID_ARG_TYPE");
  }
  function argValue(name, value, reason) {
    let shown;
    try { shown = typeof value === "string" ? "'" + value + "'" : String(value); } catch (_) { shown = typeof value; }
    const what = name.includes(".") ? "property" : "argument";
    return withCode(new TypeError(`The ${what} '${name}' ${reason || "is invalid"}. Received ${shown}`),
                    "ERR_INVALID_ARG_VALUE");
  }
  function outOfRange(name, range, value) {
    return withCode(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${value}`),
                    "ERR_OUT_OF_RANGE");
  }
  function validateString(v, name) {
    if (typeof v !== "string") throw argType(name, "of type string", v);
  }
  function abortError(signal) {
    const e = new Error("The operation was aborted", { cause: signal.reason });
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    return e;
  }
  return { received, argType, argValue, outOfRange, validateString, abortError };
})
