// structuredClone (HTML structured serialisation, SPEC §3.1): every supported type, cycles
// and shared references, typed array views sharing one buffer, errors, Blob and File,
// DataCloneError for what cannot be cloned, and the `transfer` option.
// expect-stdout: web_clone: ok
// timeout: 20

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
function expectCloneError(v, what) {
  let err;
  try { structuredClone(v); } catch (e) { err = e; }
  assert(err instanceof DOMException, what + ": throws a DOMException, got " + err);
  assert.equal(err.name, "DataCloneError", what);
  assert.equal(err.code, 25, what);
}

(async () => {
  // ---- primitives and JSON values -------------------------------------------------------
  for (const v of [undefined, null, true, false, 0, -0, 1.5, NaN, Infinity, "", "héllo 🦀", 10n, -(2n ** 70n)])
    assert(Object.is(structuredClone(v), v), "primitive " + String(v));
  {
    const v = { a: 1, b: "two", c: [1, 2, { d: null }], e: { f: { g: true } } };
    const c = structuredClone(v);
    assert(c !== v && c.c !== v.c && c.e.f !== v.e.f, "deep copy");
    assert.equal(JSON.stringify(c), JSON.stringify(v));
    const holes = [1, , 3];
    holes.extra = "x";
    const ch = structuredClone(holes);
    assert.equal(ch.length, 3);
    assert(!(1 in ch), "array holes kept");
    assert.equal(ch.extra, "x", "array's extra properties kept");
    assert(Array.isArray(ch));
  }
  // non-enumerable and symbol keys are dropped; getters are read
  {
    const v = { visible: 1, [Symbol("s")]: 2 };
    Object.defineProperty(v, "hidden", { value: 3, enumerable: false });
    Object.defineProperty(v, "computed", { get: () => 4, enumerable: true });
    const c = structuredClone(v);
    assert.equal(Object.getOwnPropertySymbols(c).length, 0, "symbol keys dropped");
    assert(!("hidden" in c), "non-enumerable dropped");
    assert.equal(c.computed, 4, "getter read");
    assert(Object.getOwnPropertyDescriptor(c, "computed").writable, "as a data property");
  }

  // an own "__proto__" key is copied as a key, not used as the clone's prototype
  {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const c = structuredClone(v);
    assert.equal(Object.getPrototypeOf(c), Object.prototype, "the clone's prototype is untouched");
    assert.equal(c.polluted, undefined);
    assert.equal(Object.keys(c).join(","), "__proto__,a", "__proto__ stays an own key");
    assert.equal(Object.getOwnPropertyDescriptor(c, "__proto__").value.polluted, true);
    const arr = [];
    Object.defineProperty(arr, "__proto__", { value: { evil: 1 }, enumerable: true, configurable: true, writable: true });
    const ca = structuredClone(arr);
    assert(Array.isArray(ca) && Object.getPrototypeOf(ca) === Array.prototype, "an array's too");
  }

  // ---- Date, RegExp ---------------------------------------------------------------------
  {
    const d = new Date(1700000000123);
    const c = structuredClone(d);
    assert(c instanceof Date && c !== d);
    assert.equal(c.getTime(), d.getTime());
    assert(Number.isNaN(structuredClone(new Date(NaN)).getTime()), "invalid date");
    const re = /ab+c/gimsuy;
    re.lastIndex = 3;
    re.custom = "dropped";
    const cr = structuredClone(re);
    assert(cr instanceof RegExp && cr !== re);
    assert.equal(cr.source, "ab+c");
    assert.equal(cr.flags, re.flags, "flags kept");
    assert.equal(cr.lastIndex, 0, "lastIndex reset");
    assert.equal(cr.custom, undefined, "RegExp's own properties are not copied");
    assert.equal(structuredClone(/x/d).flags, "d");
  }

  // ---- Map, Set ---------------------------------------------------------------------------
  {
    const key = { k: 1 };
    const m = new Map([[1, "one"], [key, { v: key }], ["s", new Set([1, 2])]]);
    const c = structuredClone(m);
    assert(c instanceof Map && c.size === 3);
    assert.equal(c.get(1), "one");
    const keys = Array.from(c.keys());
    assert.equal(keys[0], 1, "insertion order");
    const ck = keys[1];
    assert(ck !== key && ck.k === 1, "object keys are cloned");
    assert(c.get(ck).v === ck, "shared reference between key and value kept");
    assert(c.get("s") instanceof Set && c.get("s").has(2));
    const s = new Set(["a", { b: 1 }, 3]);
    const cs = structuredClone(s);
    assert(cs instanceof Set && cs.size === 3);
    assert.equal(Array.from(cs)[0], "a");
    assert.equal(Array.from(cs)[1].b, 1);
  }

  // ---- ArrayBuffer, typed arrays, DataView ---------------------------------------------
  {
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).set([1, 2, 3, 4, 5]);
    const cb = structuredClone(buf);
    assert(cb instanceof ArrayBuffer && cb !== buf && cb.byteLength === 16);
    assert(sameBytes(new Uint8Array(cb), new Uint8Array(buf)));
    new Uint8Array(buf)[0] = 99;
    assert.equal(new Uint8Array(cb)[0], 1, "a copy, not a view");
    const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
                   Uint32Array, Float32Array, Float64Array];
    if (typeof Float16Array === "function") kinds.push(Float16Array);
    for (const T of kinds) {
      const a = new T([1, 2, 3, -4, 250.5]);
      const c = structuredClone(a);
      assert(c instanceof T && c !== a && c.buffer !== a.buffer, T.name);
      assert(sameBytes(c, a), T.name + " values");
    }
    for (const T of [BigInt64Array, BigUint64Array]) {
      const a = new T([1n, 2n ** 40n]);
      const c = structuredClone(a);
      assert(c instanceof T && sameBytes(c, a), T.name);
    }
    // a view of part of a buffer keeps its offset and length, and the whole buffer
    const big = new ArrayBuffer(32);
    const part = new Uint16Array(big, 4, 3);
    part.set([7, 8, 9]);
    const cp = structuredClone(part);
    assert.equal(cp.byteOffset, 4);
    assert.equal(cp.length, 3);
    assert.equal(cp.buffer.byteLength, 32, "the whole buffer is cloned");
    assert(sameBytes(cp, part));
    const dv = new DataView(big, 2, 10);
    dv.setUint8(0, 42);
    const cdv = structuredClone(dv);
    assert(cdv instanceof DataView);
    assert.equal(cdv.byteOffset, 2);
    assert.equal(cdv.byteLength, 10);
    assert.equal(cdv.getUint8(0), 42);
    // views of one buffer still share one buffer in the clone
    const shared = new ArrayBuffer(8);
    const obj = { a: new Uint8Array(shared), b: new Float32Array(shared, 4, 1), dv: new DataView(shared), buf: shared };
    const co = structuredClone(obj);
    assert(co.a.buffer === co.b.buffer && co.b.buffer === co.dv.buffer && co.buf === co.a.buffer, "views share one buffer");
    assert(co.buf !== shared);
    co.a[0] = 5;
    assert.equal(co.dv.getUint8(0), 5, "writes through one view show in the other");
    // a resizable buffer stays resizable
    if (ArrayBuffer.prototype.resize) {
      const rb = new ArrayBuffer(4, { maxByteLength: 16 });
      const crb = structuredClone(rb);
      assert.equal(crb.resizable, true);
      assert.equal(crb.maxByteLength, 16);
    }
  }

  // ---- wrapper objects -------------------------------------------------------------------
  {
    const c = structuredClone([Object(false), Object(3.5), Object("str"), Object(7n)]);
    assert(typeof c[0] === "object" && c[0].valueOf() === false, "Boolean object");
    assert(typeof c[1] === "object" && c[1].valueOf() === 3.5, "Number object");
    assert(typeof c[2] === "object" && c[2].valueOf() === "str", "String object");
    assert(typeof c[3] === "object" && c[3].valueOf() === 7n, "BigInt object");
    assert(c[0] instanceof Boolean && c[2] instanceof String);
  }

  // ---- errors --------------------------------------------------------------------------
  {
    for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const e = new E("msg " + E.name);
      const c = structuredClone(e);
      assert(c instanceof E && c !== e, E.name);
      assert.equal(c.name, E.name);
      assert.equal(c.message, "msg " + E.name);
      assert.equal(c.stack, e.stack, "stack kept");
    }
    const withCause = new Error("outer", { cause: new TypeError("inner") });
    const c = structuredClone(withCause);
    assert(c.cause instanceof TypeError && c.cause.message === "inner", "cause cloned");
    // a custom error class becomes an Error; an unknown name becomes "Error"
    class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } }
    const cm = structuredClone(new MyError("custom"));
    assert.equal(Object.getPrototypeOf(cm), Error.prototype);
    assert.equal(cm.name, "Error");
    assert.equal(cm.message, "custom");
    const noMsg = structuredClone(new Error());
    assert(!Object.prototype.hasOwnProperty.call(noMsg, "message"), "no message stays no message");
    const dx = structuredClone(new DOMException("gone", "NotFoundError"));
    assert(dx instanceof DOMException, "DOMException is serialisable");
    assert.equal(dx.name, "NotFoundError");
    assert.equal(dx.message, "gone");
    assert.equal(dx.code, 8);
  }

  // ---- Blob, File -----------------------------------------------------------------------
  {
    const b = new Blob(["hello ", "blob"], { type: "text/plain" });
    const cb = structuredClone(b);
    assert(cb instanceof Blob && cb !== b);
    assert.equal(cb.type, "text/plain");
    assert.equal(cb.size, 10);
    assert.equal(await cb.text(), "hello blob");
    const f = new File(["abc"], "a.txt", { type: "text/x", lastModified: 12345 });
    const cf = structuredClone({ f });
    assert(cf.f instanceof File, "File stays a File");
    assert.equal(cf.f.name, "a.txt");
    assert.equal(cf.f.lastModified, 12345);
    assert.equal(cf.f.type, "text/x");
    assert.equal(await cf.f.text(), "abc");
  }

  // ---- cycles and shared references ---------------------------------------------------------
  {
    const a = { name: "a" };
    const b = { name: "b", a };
    a.b = b;
    a.self = a;
    a.list = [a, b, b];
    const m = new Map();
    m.set(m, a);
    a.m = m;
    const c = structuredClone(a);
    assert(c !== a);
    assert(c.self === c, "self cycle");
    assert(c.b.a === c, "two-object cycle");
    assert(c.list[0] === c && c.list[1] === c.b && c.list[2] === c.b, "shared references");
    assert(c.m.get(c.m) === c, "a Map keyed by itself");
    const arr = [];
    arr.push(arr);
    const ca = structuredClone(arr);
    assert(ca[0] === ca, "array cycle");
  }

  // ---- what cannot be cloned ----------------------------------------------------------------
  expectCloneError(() => {}, "function");
  expectCloneError({ f: function named() {} }, "nested function");
  expectCloneError(Symbol("s"), "symbol");
  expectCloneError({ s: Symbol.iterator }, "nested symbol");
  expectCloneError(Object(Symbol("s")), "Symbol object");
  expectCloneError(new WeakMap(), "WeakMap");
  expectCloneError(new WeakSet(), "WeakSet");
  expectCloneError(Promise.resolve(1), "Promise");
  expectCloneError(new EventTarget(), "EventTarget");
  expectCloneError(new AbortController(), "AbortController");
  expectCloneError(new ReadableStream(), "ReadableStream");
  expectCloneError(new FormData(), "FormData");
  {
    let threw = false;
    try { structuredClone(); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "structuredClone() without an argument is a TypeError");
  }
  // class instances lose their prototype: a plain object of their own enumerable fields
  {
    class Point { constructor() { this.x = 1; this.y = 2; } get len() { return 3; } }
    const c = structuredClone(new Point());
    assert.equal(Object.getPrototypeOf(c), Object.prototype, "prototype dropped");
    assert.equal(c.x, 1);
    assert.equal(c.len, undefined, "prototype getters are not copied");
    const nullProto = Object.create(null);
    nullProto.q = 1;
    const cn = structuredClone(nullProto);
    assert.equal(Object.getPrototypeOf(cn), Object.prototype);
    assert.equal(cn.q, 1);
  }

  // ---- transfer --------------------------------------------------------------------------
  {
    const buf = new Uint8Array([1, 2, 3]).buffer;
    const view = new Uint8Array(buf);
    const c = structuredClone({ buf, view }, { transfer: [buf] });
    assert.equal(buf.byteLength, 0, "the transferred buffer is detached");
    if ("detached" in ArrayBuffer.prototype) assert.equal(buf.detached, true);
    assert.equal(view.length, 0, "views of it see no bytes");
    assert.equal(c.buf.byteLength, 3);
    assert(c.view.buffer === c.buf, "a view of a transferred buffer uses the new one");
    assert(sameBytes(c.view, [1, 2, 3]));
    let err;
    try { structuredClone(buf); } catch (e) { err = e; }
    assert(err && err.name === "DataCloneError", "cloning a detached buffer fails");
    const b2 = new ArrayBuffer(2);
    err = undefined;
    try { structuredClone(b2, { transfer: [b2, b2] }); } catch (e) { err = e; }
    assert(err && err.name === "DataCloneError", "a buffer twice in transfer");
    assert.equal(b2.byteLength, 2, "nothing detached after a failure");
    // a failing clone detaches nothing
    const b3 = new ArrayBuffer(4);
    err = undefined;
    try { structuredClone({ b3, f() {} }, { transfer: [b3] }); } catch (e) { err = e; }
    assert(err && err.name === "DataCloneError");
    assert.equal(b3.byteLength, 4, "a failed clone does not detach the transfer list");
    err = undefined;
    try { structuredClone(1, { transfer: [{}] }); } catch (e) { err = e; }
    assert(err && err.name === "DataCloneError", "a non-transferable in transfer");
    // the transferred clone can be the value itself
    const b4 = new ArrayBuffer(5);
    const c4 = structuredClone(b4, { transfer: [b4] });
    assert.equal(c4.byteLength, 5);
    assert.equal(b4.byteLength, 0);
  }
  console.log("web_clone: ok");
})().catch((e) => { console.error("FAIL", e, e && e.stack); process.exit(1); });
