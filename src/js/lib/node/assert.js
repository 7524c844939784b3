// Node's `assert` module (SPEC §3.2): ok, equal (==), strictEqual, deepEqual,
// deepStrictEqual and their negations, throws/doesNotThrow, rejects/doesNotReject,
// match/doesNotMatch, fail, ifError, `assert.strict`, and AssertionError with Node's
// properties (actual, expected, operator, generatedMessage, code ERR_ASSERTION). The
// messages are Node's first lines, without its coloured diffs.
(function (host, lib, g) {
  "use strict";
  const deepEqual = lib("node/deep_equal");
  const { inspect } = lib("node/util");
  const show = (v) => inspect(v, { depth: 3, breakLength: Infinity });

  class AssertionError extends Error {
    constructor(options) {
      if (options === null || typeof options !== "object") {
        const e = new TypeError('The "options" argument must be of type object');
        e.code = "ERR_INVALID_ARG_TYPE";
        throw e;
      }
      const { message, actual, expected, operator } = options;
      super(message !== undefined ? String(message) : `${show(actual)} ${operator} ${show(expected)}`);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = actual;
      this.expected = expected;
      this.operator = operator;
      this.generatedMessage = message === undefined;
    }
  }
  function fail(actual, expected, message, operator, generated) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: message === undefined ? generated : message, actual, expected, operator });
  }
  function innerOk(args, fn) {
    const [value, message] = args;
    if (args.length === 0) fail(undefined, true, "No value argument passed to `assert.ok()`", "==");
    if (!value) {
      const e = new AssertionError({
        message: message instanceof Error ? undefined : message === undefined
          ? "The expression evaluated to a falsy value:\n\n  assert" + (fn === assert ? "" : ".ok") + "(" + show(value) + ")\n" : message,
        actual: value, expected: true, operator: "==",
      });
      if (message instanceof Error) throw message;
      if (message === undefined) e.generatedMessage = true;
      throw e;
    }
  }
  function assert(...args) { innerOk(args, assert); }
  function ok(...args) { innerOk(args, ok); }

  // eslint-disable-next-line eqeqeq
  const loose = (a, b) => a == b || (Number.isNaN(a) && Number.isNaN(b));
  function equal(a, b, m) { if (!loose(a, b)) fail(a, b, m, "==", `${show(a)} == ${show(b)}`); }
  function notEqual(a, b, m) { if (loose(a, b)) fail(a, b, m, "!=", `${show(a)} != ${show(b)}`); }
  function strictEqual(a, b, m) {
    if (!Object.is(a, b)) fail(a, b, m, "strictEqual", `Expected values to be strictly equal:\n\n${show(a)} !== ${show(b)}\n`);
  }
  function notStrictEqual(a, b, m) {
    if (Object.is(a, b)) fail(a, b, m, "notStrictEqual", `Expected "actual" to be strictly unequal to: ${show(b)}`);
  }
  function deepEq(a, b, m) {
    if (!deepEqual(a, b, false)) fail(a, b, m, "deepEqual", `Expected values to be loosely deep-equal:\n\n${show(a)}\n\nshould loosely deep-equal\n\n${show(b)}`);
  }
  function notDeepEq(a, b, m) {
    if (deepEqual(a, b, false)) fail(a, b, m, "notDeepEqual", `"actual" deepEqual "expected": ${show(a)}`);
  }
  function deepStrictEq(a, b, m) {
    if (!deepEqual(a, b, true)) fail(a, b, m, "deepStrictEqual", `Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ${show(a)}\n- ${show(b)}`);
  }
  function notDeepStrictEq(a, b, m) {
    if (deepEqual(a, b, true)) fail(a, b, m, "notDeepStrictEqual", `Expected "actual" not to be strictly deep-equal to: ${show(b)}`);
  }
  function match(s, re, m) {
    if (!(re instanceof RegExp)) throw argType("regexp", "RegExp", re);
    if (typeof s !== "string" || !re.test(s))
      fail(s, re, m, "match", typeof s !== "string"
        ? `The "string" argument must be of type string. Received type ${typeof s} (${show(s)})`
        : `The input did not match the regular expression ${re}. Input:\n\n${show(s)}\n`);
  }
  function doesNotMatch(s, re, m) {
    if (!(re instanceof RegExp)) throw argType("regexp", "RegExp", re);
    if (typeof s !== "string" || re.test(s))
      fail(s, re, m, "doesNotMatch", typeof s !== "string"
        ? `The "string" argument must be of type string. Received type ${typeof s} (${show(s)})`
        : `The input was expected to not match the regular expression ${re}. Input:\n\n${show(s)}\n`);
  }
  function argType(name, type, v) {
    const e = new TypeError(`The "${name}" argument must be of type ${type}. Received ${show(v)}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    return e;
  }

  // ---- throws / rejects ------------------------------------------------------------------
  // Does `err` satisfy `expected` (a class, a RegExp, a validation function, an object or
  // an Error whose keys must match)? Throws the AssertionError when it does not.
  function check(err, expected, message, fnName) {
    if (expected === undefined) return;
    if (expected instanceof RegExp) {
      if (expected.test(String(err))) return;
      fail(err, expected, message, fnName, `The input did not match the regular expression ${expected}. Input:\n\n${show(String(err))}\n`);
    }
    if (typeof expected === "function") {
      if (expected.prototype !== undefined && err instanceof expected) return;
      if (Error.isPrototypeOf(expected) || expected === Error) {
        fail(err, expected, message, fnName, `The error is expected to be an instance of "${expected.name}". Received "${err && err.constructor ? err.constructor.name : typeof err}"`);
      }
      if (expected.call({}, err) === true) return;
      fail(err, expected, message, fnName, `The ${expected.name ? `"${expected.name}" validation function` : "validation function"} is expected to return "true". Received ${show(expected.call({}, err))}`);
    }
    if (typeof expected === "object" && expected !== null) {
      const keys = Object.keys(expected);
      if (expected instanceof Error) keys.push("name", "message");
      for (const k of keys) {
        const want = expected[k], got = err == null ? undefined : err[k];
        if (want instanceof RegExp && typeof got === "string" ? want.test(got) : deepEqual(got, want, true)) continue;
        fail(err, expected, message, fnName, `Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   ${String(k)}: ${show(got)}\n-   ${String(k)}: ${show(want)}\n  }`);
      }
      return;
    }
    throw argType("expected", "function or an instance of Error, RegExp, or Object", expected);
  }
  const NO_ERROR = Symbol("no error");
  function throws(fn, expected, message) {
    if (typeof fn !== "function") throw argType("fn", "function", fn);
    if (typeof expected === "string") { message = expected; expected = undefined; }
    let err = NO_ERROR;
    try { fn(); } catch (e) { err = e; }
    if (err === NO_ERROR) fail(undefined, expected, message, "throws", "Missing expected exception" + (message ? `: ${message}` : "."));
    check(err, expected, message, "throws");
    return undefined;
  }
  function doesNotThrow(fn, expected, message) {
    if (typeof expected === "string") { message = expected; expected = undefined; }
    try { fn(); } catch (e) {
      if (expected !== undefined && typeof expected === "function" && !(e instanceof expected)) throw e;
      fail(e, expected, message, "doesNotThrow", `Got unwanted exception${message ? ": " + message : "."}\nActual message: "${e && e.message}"`);
    }
  }
  async function rejects(p, expected, message) {
    if (typeof expected === "string") { message = expected; expected = undefined; }
    let err = NO_ERROR;
    try {
      const promise = typeof p === "function" ? p() : p;
      if (!promise || typeof promise.then !== "function") {
        const e = new TypeError(`Expected instance of Promise to be returned from the "promiseFn" function but got ${show(promise)}.`);
        e.code = "ERR_INVALID_RETURN_VALUE";
        throw e;
      }
      await promise;
    } catch (e) {
      if (e && e.code === "ERR_INVALID_RETURN_VALUE") throw e;
      err = e;
    }
    if (err === NO_ERROR) fail(undefined, expected, message, "rejects", "Missing expected rejection" + (message ? `: ${message}` : "."));
    check(err, expected, message, "rejects");
  }
  async function doesNotReject(p, expected, message) {
    if (typeof expected === "string") { message = expected; expected = undefined; }
    try { await (typeof p === "function" ? p() : p); } catch (e) {
      fail(e, expected, message, "doesNotReject", `Got unwanted rejection${message ? ": " + message : "."}\nActual message: "${e && e.message}"`);
    }
  }
  function ifError(v) {
    if (v === null || v === undefined) return;
    if (v instanceof Error) throw v;
    throw new AssertionError({ message: `ifError got unwanted exception: ${show(v)}`, actual: v, expected: null, operator: "ifError" });
  }

  const methods = {
    ok, equal, notEqual, strictEqual, notStrictEqual, deepEqual: deepEq, notDeepEqual: notDeepEq,
    deepStrictEqual: deepStrictEq, notDeepStrictEqual: notDeepStrictEq, throws, doesNotThrow,
    rejects, doesNotReject, match, doesNotMatch, ifError, AssertionError,
    fail(message) {
      if (message instanceof Error) throw message;
      throw new AssertionError({ message: message === undefined ? "Failed" : message, operator: "fail" });
    },
  };
  Object.assign(assert, methods);
  function strict(...args) { innerOk(args, strict); }
  Object.assign(strict, methods, { equal: strictEqual, notEqual: notStrictEqual,
    deepEqual: deepStrictEq, notDeepEqual: notDeepStrictEq });
  strict.strict = strict;
  assert.strict = strict;
  return assert;
})
