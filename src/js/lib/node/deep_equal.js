// Deep equality as Node's assert and util define it: deepEqual(a, b, strict). Strict mode
// (deepStrictEqual, util.isDeepStrictEqual) compares primitives with Object.is and
// requires the same prototypes and type tags; loose mode (deepEqual) compares primitives
// with == and ignores prototypes. Both: Date by time, RegExp by source, flags and
// lastIndex, boxed primitives by value, Errors by name and message too, typed arrays and
// ArrayBuffers by contents, Map and Set regardless of order, own enumerable keys (and
// symbols in strict mode), cycles.
(function (host, lib, g) {
  "use strict";
  const toStr = (v) => Object.prototype.toString.call(v);
  const isObj = (v) => typeof v === "object" ? v !== null : typeof v === "function";

  function primitiveEq(a, b, strict) {
    if (strict) return Object.is(a, b);
    // eslint-disable-next-line eqeqeq
    return a == b || (Number.isNaN(a) && Number.isNaN(b));
  }
  function keysOf(o, strict) {
    const keys = Object.keys(o);
    if (strict) for (const s of Object.getOwnPropertySymbols(o)) if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
    return keys;
  }
  function bytesEq(a, b) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer || a, a.byteOffset || 0, a.byteLength);
    const y = new Uint8Array(b.buffer || b, b.byteOffset || 0, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  function setHas(set, v, strict, memo) {
    if (!isObj(v)) {
      if (set.has(v)) return true;
      if (strict) return false;
    }
    for (const x of set) if (eq(x, v, strict, memo)) return true;
    return false;
  }
  function mapEq(a, b, strict, memo) {
    if (a.size !== b.size) return false;
    outer: for (const [k, v] of a) {
      if (!isObj(k) && b.has(k)) {
        if (!eq(v, b.get(k), strict, memo)) return false;
        continue;
      }
      for (const [k2, v2] of b) if (eq(k, k2, strict, memo) && eq(v, v2, strict, memo)) continue outer;
      return false;
    }
    return true;
  }
  function setEq(a, b, strict, memo) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!setHas(b, v, strict, memo)) return false;
    return true;
  }
  function eq(a, b, strict, memo) {
    if (!isObj(a) || !isObj(b)) {
      if (isObj(a) || isObj(b)) return false;
      return primitiveEq(a, b, strict);
    }
    if (a === b) return true;
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const tag = toStr(a);
    if (tag !== toStr(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    // cycles: a pair already being compared is taken as equal
    let seen = memo.get(a);
    if (seen && seen.has(b)) return true;
    if (!seen) memo.set(a, (seen = new Set()));
    seen.add(b);

    if (a instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
    else if (a instanceof RegExp) {
      if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
    } else if (a instanceof Error) {
      if (a.message !== b.message || a.name !== b.name) return false;
    } else if (ArrayBuffer.isView(a)) {
      if (!bytesEq(a, b)) return false;
      if (!strict && !(a instanceof DataView) && a.length !== b.length) return false;
    } else if (a instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && a instanceof SharedArrayBuffer)) {
      if (!bytesEq(a, b)) return false;
    } else if (tag === "[object Number]" || tag === "[object String]" || tag === "[object Boolean]" ||
               tag === "[object BigInt]" || tag === "[object Symbol]") {
      if (!Object.is(a.valueOf(), b.valueOf())) return false;
    } else if (typeof a === "function") {
      return false; // different functions (the same one returned above)
    }
    if (a instanceof Map && !mapEq(a, b, strict, memo)) return false;
    if (a instanceof Set && !setEq(a, b, strict, memo)) return false;

    const ka = keysOf(a, strict), kb = keysOf(b, strict);
    if (ArrayBuffer.isView(a)) {
      // the elements were compared as bytes; only other own keys remain
      const notIndex = (k) => typeof k === "symbol" || !/^\d+$/.test(k);
      return sameKeys(ka.filter(notIndex), kb.filter(notIndex), a, b, strict, memo);
    }
    if (Array.isArray(a) && a.length !== b.length) return false;
    return sameKeys(ka, kb, a, b, strict, memo);
  }
  function sameKeys(ka, kb, a, b, strict, memo) {
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
      if (!eq(a[k], b[k], strict, memo)) return false;
    }
    return true;
  }
  return function deepEqual(a, b, strict) { return eq(a, b, !!strict, new Map()); };
})
