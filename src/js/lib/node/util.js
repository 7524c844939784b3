// Node's `util` module (SPEC §3.2): inspect (Node's output for the common types), format
// (printf-like, as console.log), promisify/callbackify, types, isDeepStrictEqual,
// inherits, deprecate, and the text codecs.
(function (host, lib, g) {
  "use strict";
  const customInspect = Symbol.for("nodejs.util.inspect.custom");
  const customPromisify = Symbol.for("nodejs.util.promisify.custom");
  const toStr = (v) => Object.prototype.toString.call(v);
  const typedArray = Object.getPrototypeOf(Uint8Array);

  // ---- inspect ----------------------------------------------------------------------
  const identifier = /^[A-Za-z_$][\w$]*$/;
  function quote(s) {
    const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes("`") ? "`" : "'";
    const body = s.replace(/[\\\n\r\t\b\f\v\x00-\x1f\x7f]/g, (c) => ({
      "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\v": "\\v",
    })[c] || "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase());
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  function keyOf(k) {
    if (typeof k === "symbol") return "[" + k.toString() + "]";
    return identifier.test(k) ? k : quote(k);
  }
  function constructorName(v) {
    let p = Object.getPrototypeOf(v);
    if (p === null) return null;
    const c = Object.prototype.hasOwnProperty.call(p, "constructor") ? p.constructor : null;
    return c && typeof c.name === "string" && c.name ? c.name : "Object";
  }
  function prefix(v, fallback, size) {
    const name = constructorName(v);
    const tag = v[Symbol.toStringTag];
    let p = name === null ? `[${fallback}: null prototype]` : name;
    if (tag && tag !== name) p += ` [${tag}]`;
    return size === undefined ? p : `${p}(${size})`;
  }
  function formatError(e, ctx) {
    host.cleanError(e); // its stack without the runtime's frames
    // JavaScriptCore's frames ("fn@file:line:col") in Node's form ("at fn (file:line:col)")
    const frame = (l) => {
      const at = l.indexOf("@");
      if (at < 0) return "    at " + l;
      return at === 0 ? "    at " + l.slice(1) : `    at ${l.slice(0, at)} (${l.slice(at + 1)})`;
    };
    let s = typeof e.stack === "string" && e.stack ? `${e.name}: ${e.message}\n` +
      e.stack.split("\n").filter((l) => l).map(frame).join("\n") : String(e);
    if (e.stack === undefined || e.stack === "") s = `[${String(e)}]`;
    const extra = Object.keys(e).filter((k) => k !== "stack" && k !== "message");
    if (extra.length) s += " " + "{ " + extra.map((k) => `${keyOf(k)}: ${fmt(e[k], ctx, 1)}`).join(", ") + " }";
    if (e.cause !== undefined && !extra.includes("cause")) s += ` { [cause]: ${fmt(e.cause, ctx, 1)} }`;
    return s;
  }
  function wrap(open, items, close, ctx, indent) {
    if (items.length === 0) return open.trim() === "{" ? (open.length > 1 ? open + "}" : "{}") : open + close;
    const one = open + " " + items.join(", ") + " " + close;
    if (one.length <= ctx.breakLength && !one.includes("\n")) return one;
    const pad = " ".repeat(indent + 2);
    return open + "\n" + items.map((x) => pad + x).join(",\n") + "\n" + " ".repeat(indent) + close;
  }
  function fmtPrimitive(v, quoteStrings) {
    switch (typeof v) {
      case "string": return quoteStrings ? quote(v) : v;
      case "bigint": return v + "n";
      case "symbol": return v.toString();
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "undefined": return "undefined";
      default: return String(v);
    }
  }
  function fmt(v, ctx, level) {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return fmtPrimitive(v, true);
    if (ctx.customInspect !== false && typeof v[customInspect] === "function") {
      const r = v[customInspect](ctx.depth - level, ctx, inspect);
      return typeof r === "string" ? r : fmt(r, ctx, level);
    }
    if (ctx.seen.includes(v)) {
      if (!ctx.circular.has(v)) ctx.circular.set(v, ctx.circular.size + 1);
      return `[Circular *${ctx.circular.get(v)}]`;
    }
    const indent = level * 2;
    let out;
    ctx.seen.push(v);
    try { out = fmtObject(v, ctx, level, indent); } finally { ctx.seen.pop(); }
    if (ctx.circular.has(v)) out = `<ref *${ctx.circular.get(v)}> ` + out;
    return out;
  }
  function ownEntries(v, ctx, level, skip) {
    const keys = Object.keys(v).filter((k) => !skip || !skip(k));
    if (ctx.showHidden) for (const k of Object.getOwnPropertyNames(v)) if (!keys.includes(k) && (!skip || !skip(k))) keys.push(k);
    const items = keys.map((k) => {
      const d = Object.getOwnPropertyDescriptor(v, k);
      const val = d && (d.get || d.set) ? (d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]")
                                          : fmt(v[k], ctx, level + 1);
      return `${ctx.showHidden && d && !d.enumerable ? "[" + k + "]" : keyOf(k)}: ${val}`;
    });
    for (const s of Object.getOwnPropertySymbols(v))
      if (Object.prototype.propertyIsEnumerable.call(v, s)) items.push(`${keyOf(s)}: ${fmt(v[s], ctx, level + 1)}`);
    return items;
  }
  function fmtObject(v, ctx, level, indent) {
    if (typeof v === "function") {
      const kind = toStr(v) === "[object AsyncFunction]" ? "AsyncFunction" :
        toStr(v) === "[object GeneratorFunction]" ? "GeneratorFunction" :
        /^class[\s{]/.test(Function.prototype.toString.call(v)) ? "class" : "Function";
      const base = kind === "class" ? `[class ${v.name || "(anonymous)"}]` : `[${kind}${v.name ? ": " + v.name : " (anonymous)"}]`;
      const items = ownEntries(v, ctx, level);
      return items.length ? wrap(base + " {", items, "}", ctx, indent) : base;
    }
    if (v instanceof Error) return formatError(v, ctx);
    if (v instanceof Date) return isNaN(v) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Promise) return "Promise { <pending> }".replace("<pending>", "<unknown>");
    if (v instanceof WeakMap) return "WeakMap { <items unknown> }";
    if (v instanceof WeakSet) return "WeakSet { <items unknown> }";
    if (level > ctx.depth) return Array.isArray(v) ? "[Array]" : `[${constructorName(v) || "Object"}]`;
    if (v instanceof Number || v instanceof String || v instanceof Boolean || (typeof BigInt === "function" && v instanceof BigInt))
      return `[${constructorName(v)}: ${fmtPrimitive(v.valueOf(), true)}]`;
    if (Array.isArray(v)) {
      const items = [];
      let holes = 0;
      const n = Math.min(v.length, ctx.maxArrayLength);
      for (let i = 0; i < n; i++) {
        if (!(i in v)) { holes++; continue; }
        if (holes) { items.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`); holes = 0; }
        items.push(fmt(v[i], ctx, level + 1));
      }
      if (holes) items.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      if (v.length > n) items.push(`... ${v.length - n} more item${v.length - n > 1 ? "s" : ""}`);
      items.push(...ownEntries(v, ctx, level, (k) => /^\d+$/.test(k)));
      const name = constructorName(v);
      return wrap(name === "Array" ? "[" : `${prefix(v, "Array", v.length)} [`, items, "]", ctx, indent);
    }
    if (typeof g.Buffer === "function" && v instanceof g.Buffer) {
      const n = Math.min(v.length, 50);
      let hex = "";
      for (let i = 0; i < n; i++) hex += " " + v[i].toString(16).padStart(2, "0");
      return `<Buffer${hex}${v.length > n ? ` ... ${v.length - n} more byte${v.length - n > 1 ? "s" : ""}` : ""}>`;
    }
    if (v instanceof typedArray) {
      const n = Math.min(v.length, ctx.maxArrayLength);
      const items = [];
      for (let i = 0; i < n; i++) items.push(fmtPrimitive(v[i], true));
      if (v.length > n) items.push(`... ${v.length - n} more item${v.length - n > 1 ? "s" : ""}`);
      return wrap(`${prefix(v, "TypedArray", v.length)} [`, items, "]", ctx, indent);
    }
    if (v instanceof ArrayBuffer) {
      const b = new Uint8Array(v, 0, Math.min(v.byteLength, 50));
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ") + (v.byteLength > 50 ? ` ... ${v.byteLength - 50} more bytes` : "");
      return `ArrayBuffer { [Uint8Contents]: <${hex}>, byteLength: ${v.byteLength} }`;
    }
    if (v instanceof Map) {
      const items = [];
      for (const [k, x] of v) items.push(`${fmt(k, ctx, level + 1)} => ${fmt(x, ctx, level + 1)}`);
      items.push(...ownEntries(v, ctx, level));
      return wrap(`${prefix(v, "Map", v.size)} {`, items, "}", ctx, indent);
    }
    if (v instanceof Set) {
      const items = [];
      for (const x of v) items.push(fmt(x, ctx, level + 1));
      items.push(...ownEntries(v, ctx, level));
      return wrap(`${prefix(v, "Set", v.size)} {`, items, "}", ctx, indent);
    }
    const items = ownEntries(v, ctx, level);
    const name = constructorName(v);
    const tag = v[Symbol.toStringTag];
    let open = "{";
    if (name === null) open = `[Object: null prototype] {`;
    else if (name !== "Object" || (tag && tag !== "Object")) open = `${prefix(v, "Object")} {`;
    if (items.length === 0 && open !== "{") return open + "}";
    return wrap(open, items, "}", ctx, indent);
  }
  function inspect(v, opts) {
    const o = typeof opts === "object" && opts !== null ? opts : {};
    const ctx = {
      depth: o.depth === null ? Infinity : typeof o.depth === "number" ? o.depth : 2,
      showHidden: !!o.showHidden, customInspect: o.customInspect,
      breakLength: typeof o.breakLength === "number" ? o.breakLength : 80,
      maxArrayLength: o.maxArrayLength === null ? Infinity : typeof o.maxArrayLength === "number" ? o.maxArrayLength : 100,
      seen: [], circular: new Map(),
    };
    return fmt(v, ctx, 0);
  }
  inspect.custom = customInspect;

  // ---- format -----------------------------------------------------------------------
  function format(...args) { return formatWithOptions({}, ...args); }
  function formatWithOptions(opts, ...args) {
    if (args.length === 0) return "";
    const show = (a) => (typeof a === "string" ? a : inspect(a, opts));
    let first = args[0], i = 1, out;
    if (typeof first === "string" && first.includes("%")) {
      out = first.replace(/%[sdifjoOc%]/g, (m) => {
        if (m === "%%") return "%";
        if (i >= args.length) return m;
        const a = args[i++];
        switch (m) {
          case "%s": return typeof a === "string" ? a : typeof a === "bigint" ? a + "n" :
            typeof a === "object" && a !== null ? inspect(a, { ...opts, depth: 0 }) : String(a);
          case "%d": return typeof a === "bigint" ? a + "n" : typeof a === "symbol" ? "NaN" : String(Number(a));
          case "%i": return typeof a === "bigint" ? a + "n" : typeof a === "symbol" ? "NaN" : String(parseInt(a));
          case "%f": return typeof a === "symbol" ? "NaN" : String(parseFloat(a));
          case "%j": try { return JSON.stringify(a); } catch { return "[Circular]"; }
          case "%o": return inspect(a, { ...opts, showHidden: true, depth: 4 });
          case "%O": return inspect(a, opts);
          default: return ""; // %c: CSS, ignored
        }
      });
    } else {
      out = show(first);
    }
    for (; i < args.length; i++) out += " " + show(args[i]);
    return out;
  }

  // ---- promisify, callbackify -----------------------------------------------------------
  function promisify(fn) {
    if (typeof fn !== "function") {
      const e = new TypeError('The "original" argument must be of type function');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    if (typeof fn[customPromisify] === "function") return fn[customPromisify];
    function promisified(...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => {
          if (err) reject(err);
          else resolve(values.length > 1 && fn.__promisifyAll ? values : values[0]);
        });
      });
    }
    Object.setPrototypeOf(promisified, Object.getPrototypeOf(fn));
    Object.defineProperty(promisified, customPromisify, { value: promisified });
    return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(fn));
  }
  promisify.custom = customPromisify;
  function callbackify(fn) {
    if (typeof fn !== "function") {
      const e = new TypeError('The "original" argument must be of type function');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== "function") {
        const e = new TypeError('The last argument must be of type function');
        e.code = "ERR_INVALID_ARG_TYPE";
        throw e;
      }
      fn.apply(this, args).then((v) => g.queueMicrotask(() => cb(null, v)), (err) => {
        if (!err) {
          const e = new Error("Promise was rejected with a falsy value");
          e.code = "ERR_FALSY_VALUE_REJECTION";
          e.reason = err;
          err = e;
        }
        g.queueMicrotask(() => cb(err));
      });
    };
  }

  // ---- types, deep equality -------------------------------------------------------------
  const types = {
    isPromise: (v) => v instanceof Promise,
    isDate: (v) => toStr(v) === "[object Date]",
    isRegExp: (v) => toStr(v) === "[object RegExp]",
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isSharedArrayBuffer: (v) => typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray: (v) => v instanceof typedArray,
    isUint8Array: (v) => v instanceof Uint8Array,
    isDataView: (v) => v instanceof DataView,
    isAsyncFunction: (v) => toStr(v) === "[object AsyncFunction]" || toStr(v) === "[object AsyncGeneratorFunction]",
    isGeneratorFunction: (v) => toStr(v) === "[object GeneratorFunction]" || toStr(v) === "[object AsyncGeneratorFunction]",
    isGeneratorObject: (v) => toStr(v) === "[object Generator]",
    isNativeError: (v) => v instanceof Error,
    isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean ||
      (typeof v === "object" && v !== null && (toStr(v) === "[object Symbol]" || toStr(v) === "[object BigInt]")),
    isProxy: () => false, // not observable from script code here
  };
  const deepEqual = lib("node/deep_equal");

  function inherits(ctor, superCtor) {
    if (typeof ctor !== "function" || typeof superCtor !== "function" || superCtor.prototype === undefined) {
      const e = new TypeError('The "ctor" and "superCtor" arguments must be functions with a prototype');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  const warned = new Set();
  function deprecate(fn, message, code) {
    return function (...args) {
      const key = code || message;
      if (!warned.has(key)) {
        warned.add(key);
        g.console.error(`(geppetto) ${code ? "[" + code + "] " : ""}DeprecationWarning: ${message}`);
      }
      return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
    };
  }

  return {
    inspect, format, formatWithOptions, promisify, callbackify, types, inherits, deprecate,
    isDeepStrictEqual: (a, b) => deepEqual(a, b, true),
    isArray: Array.isArray,
    stripVTControlCharacters: (s) => String(s).replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g, ""),
    toUSVString: (s) => String(s).toWellFormed ? String(s).toWellFormed() : String(s).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
    get TextEncoder() { return g.TextEncoder; },
    get TextDecoder() { return g.TextDecoder; },
  };
})
