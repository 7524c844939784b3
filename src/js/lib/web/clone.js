// structuredClone (HTML's structured serialisation, SPEC §3.1): primitives, wrapper
// objects, plain objects and arrays (holes kept), Date, RegExp, Map, Set, ArrayBuffer,
// typed arrays and DataView (views of one buffer share one copy), errors (name,
// message, stack, cause), Blob and File; cycles and shared references are preserved.
// Anything else that cannot be cloned (functions, symbols, WeakMap, Promise, platform
// objects such as EventTarget) throws a DOMException "DataCloneError". `transfer` takes
// ArrayBuffers: the clone gets a copy of each and the original is detached.
(function (host, lib, g) {
  "use strict";
  const { DOMException } = lib("events");
  const toTag = Object.prototype.toString;
  const bufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
  const bufferResizable = (Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable") || {}).get;
  const bufferDetached = (Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached") || {}).get;
  const typedArrayProto = Object.getPrototypeOf(Int8Array.prototype);
  const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag).get;
  const viewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer").get;
  const errorNames = new Set(["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError",
                              "TypeError", "URIError"]);
  const typedArrays = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array };
  if (typeof g.Float16Array === "function") typedArrays.Float16Array = g.Float16Array;

  function fail(what) {
    return new DOMException(`${what} could not be cloned.`, "DataCloneError");
  }
  // brand checks that a Symbol.toStringTag cannot fool
  function has(fn, v) { try { fn.call(v); return true; } catch (e) { return false; } }
  const isArrayBuffer = (v) => has(bufferByteLength, v);
  const isDate = (v) => has(Date.prototype.getTime, v);
  const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get;
  const isRegExp = (v) => v !== RegExp.prototype && has(regexpSource, v);
  const isMap = (v) => has(Object.getOwnPropertyDescriptor(Map.prototype, "size").get, v);
  const isSet = (v) => has(Object.getOwnPropertyDescriptor(Set.prototype, "size").get, v);
  // objects of these classes are platform objects that are not serialisable
  const notCloneable = ["WeakMap", "WeakSet", "WeakRef", "Promise", "FinalizationRegistry",
    "EventTarget", "Event", "AbortController", "ReadableStream", "ReadableStreamDefaultReader",
    "FormData", "Headers", "Request", "Response", "URL", "URLSearchParams", "TextEncoder",
    "TextDecoder", "Crypto"];
  function platformName(v) {
    for (const name of notCloneable) {
      const C = name in g ? Object.getOwnPropertyDescriptor(g, name) : undefined;
      // a lazy web global not yet touched has no instances: skip it without loading it
      if (C === undefined || !("value" in C) || typeof C.value !== "function") continue;
      if (v instanceof C.value) return name;
    }
    for (const [name, C] of [["WeakMap", WeakMap], ["WeakSet", WeakSet], ["WeakRef", WeakRef], ["Promise", Promise]])
      if (v instanceof C) return name;
    return null;
  }

  function cloneError(v, memo, transferred) {
    let name = "Error";
    try { const n = v.name; if (errorNames.has(n)) name = n; } catch (e) { /* keep Error */ }
    const message = Object.prototype.hasOwnProperty.call(v, "message") ? String(v.message) : undefined;
    const out = new g[name](message);
    memo.set(v, out);
    if (message === undefined) delete out.message;
    const stack = v.stack;
    if (typeof stack === "string") Object.defineProperty(out, "stack", { value: stack, writable: true, configurable: true });
    if (Object.prototype.hasOwnProperty.call(v, "cause"))
      Object.defineProperty(out, "cause", { value: clone(v.cause, memo, transferred), writable: true, configurable: true });
    return out;
  }
  function cloneBuffer(v, memo) {
    if (bufferDetached && bufferDetached.call(v)) throw fail("An ArrayBuffer that is detached");
    const len = bufferByteLength.call(v);
    let out;
    if (bufferResizable && bufferResizable.call(v)) {
      out = new ArrayBuffer(len, { maxByteLength: v.maxByteLength });
      new Uint8Array(out).set(new Uint8Array(v));
    } else {
      out = v.slice(0);
    }
    memo.set(v, out);
    return out;
  }
  function cloneView(v, memo, transferred) {
    if (has(viewBuffer, v)) {
      const buf = clone(viewBuffer.call(v), memo, transferred);
      const out = new DataView(buf, v.byteOffset, v.byteLength);
      memo.set(v, out);
      return out;
    }
    const tag = typedArrayTag.call(v);
    const T = typedArrays[tag];
    if (T === undefined) throw fail(`A ${tag}`);
    const buf = clone(v.buffer, memo, transferred);
    const out = new T(buf, v.byteOffset, v.length);
    memo.set(v, out);
    return out;
  }
  // Own enumerable string keys, defined as data properties (an own "__proto__" key stays
  // a key; assigning it would set the clone's prototype).
  function copyProperties(v, out, memo, transferred) {
    for (const k of Object.keys(v)) {
      const value = clone(v[k], memo, transferred);
      Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
    }
    return out;
  }
  function cloneBlob(v) {
    const blob = lib("blob");
    const bytes = blob.blobBytes(v);
    if (v instanceof blob.File)
      return new blob.File([bytes], v.name, { type: v.type, lastModified: v.lastModified });
    return new blob.Blob([bytes], { type: v.type });
  }
  function isBlob(v) {
    const d = Object.getOwnPropertyDescriptor(g, "Blob");
    return d !== undefined && "value" in d && typeof d.value === "function" && v instanceof d.value;
  }

  // The clone of v; memo maps originals to their clones (cycles, shared references).
  function clone(v, memo, transferred) {
    const t = typeof v;
    if (t === "symbol") throw fail(`Symbol ${String(v.description)}`.trim());
    if (t === "function") throw fail(`${v.name ? "function " + v.name : "A function"}`);
    if (v === null || t !== "object") return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (Array.isArray(v)) {
      const out = new Array(v.length);
      memo.set(v, out);
      return copyProperties(v, out, memo, transferred);
    }
    if (isArrayBuffer(v)) return cloneBuffer(v, memo);
    if (ArrayBuffer.isView(v)) return cloneView(v, memo, transferred);
    if (isDate(v)) { const out = new Date(v.getTime()); memo.set(v, out); return out; }
    if (isRegExp(v)) { const out = new RegExp(v.source, v.flags); memo.set(v, out); return out; }
    if (isMap(v)) {
      const out = new Map();
      memo.set(v, out);
      const entries = Array.from(Map.prototype.entries.call(v));
      for (const [k, x] of entries) out.set(clone(k, memo, transferred), clone(x, memo, transferred));
      return out;
    }
    if (isSet(v)) {
      const out = new Set();
      memo.set(v, out);
      for (const x of Array.from(Set.prototype.values.call(v))) out.add(clone(x, memo, transferred));
      return out;
    }
    const tag = toTag.call(v);
    if (has(Boolean.prototype.valueOf, v)) return wrap(v, Boolean.prototype.valueOf.call(v), memo);
    if (has(Number.prototype.valueOf, v)) return wrap(v, Number.prototype.valueOf.call(v), memo);
    if (has(String.prototype.valueOf, v)) return wrap(v, String.prototype.valueOf.call(v), memo);
    if (has(BigInt.prototype.valueOf, v)) return wrap(v, BigInt.prototype.valueOf.call(v), memo);
    if (has(Symbol.prototype.valueOf, v)) throw fail("A Symbol object");
    const DOMEx = g.DOMException;
    if (v instanceof DOMException || (typeof DOMEx === "function" && v instanceof DOMEx)) {
      const out = new DOMException(v.message, v.name);
      memo.set(v, out);
      if (typeof v.stack === "string") Object.defineProperty(out, "stack", { value: v.stack, writable: true, configurable: true });
      return out;
    }
    if (tag === "[object Error]" || v instanceof Error) return cloneError(v, memo, transferred);
    if (isBlob(v)) { const out = cloneBlob(v); memo.set(v, out); return out; }
    const pname = platformName(v);
    if (pname !== null) throw fail(`#<${pname}>`);
    const out = {};
    memo.set(v, out);
    return copyProperties(v, out, memo, transferred);
  }
  function wrap(v, prim, memo) {
    const out = Object(prim);
    memo.set(v, out);
    return out;
  }

  function structuredClone(value, options) {
    if (arguments.length === 0) throw new TypeError("structuredClone: 1 argument required, but only 0 present");
    if (options !== undefined && options !== null && typeof options !== "object")
      throw new TypeError("structuredClone: the options must be an object");
    const memo = new Map();
    const transfer = [];
    const list = options && options.transfer !== undefined ? options.transfer : [];
    if (list === null || typeof list !== "object" || typeof list[Symbol.iterator] !== "function")
      throw new TypeError("structuredClone: options.transfer must be an iterable");
    for (const b of list) {
      if (!isArrayBuffer(b)) throw fail("A value in the transfer list that is not an ArrayBuffer");
      if (transfer.includes(b)) throw new DOMException("The ArrayBuffer is in the transfer list more than once.", "DataCloneError");
      if (bufferDetached && bufferDetached.call(b)) throw new DOMException("An ArrayBuffer is detached and could not be cloned.", "DataCloneError");
      transfer.push(b);
    }
    for (const b of transfer) cloneBuffer(b, memo);
    const out = clone(value, memo, transfer);
    for (const b of transfer) b.transfer(); // detaches the original
    return out;
  }
  return { structuredClone };
})
