// The script environment (SPEC §3), built over the native `__host` primitives:
// console, queueMicrotask, sleep, assert, process, CommonJS require and the entry
// points the C host calls (runMain, runEval). Evaluated once per VM, on the owner.
(function (host) {
  "use strict";
  const g = globalThis;

  // ---- console -----------------------------------------------------------------
  function inspect(v, depth, seen) {
    if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
    if (typeof v === "function") return "[Function: " + (v.name || "anonymous") + "]";
    if (typeof v === "symbol" || typeof v === "bigint") return String(v);
    if (v === null || typeof v !== "object") return String(v);
    if (v instanceof Error) return v.stack ? v.name + ": " + v.message + "\n" + v.stack : String(v);
    if (seen.includes(v)) return "[Circular]";
    if (depth > 4) return Array.isArray(v) ? "[Array]" : "[Object]";
    const next = seen.concat([v]);
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return "[ " + v.map((x) => inspect(x, depth + 1, next)).join(", ") + " ]";
    }
    if (v instanceof Promise) return "Promise {}";
    const keys = Object.keys(v);
    if (keys.length === 0) return "{}";
    const parts = keys.map((k) => {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
      return key + ": " + inspect(v[k], depth + 1, next);
    });
    return "{ " + parts.join(", ") + " }";
  }
  // console's text: Node's util.format. Plain strings and numbers are joined here;
  // anything else (objects, format directives) goes through util (compiled on first use).
  function format(args) {
    let plain = true;
    for (let i = 0; i < args.length && plain; i++) {
      const t = typeof args[i];
      plain = t === "string" ? !(i === 0 && args[i].includes("%")) : t === "number" || t === "boolean";
    }
    if (plain) return args.join(" ");
    return lib("node/util").formatWithOptions({}, ...args);
  }
  const console = {
    log: (...a) => host.print(1, format(a)),
    info: (...a) => host.print(1, format(a)),
    debug: (...a) => host.print(1, format(a)),
    warn: (...a) => host.print(2, format(a)),
    error: (...a) => host.print(2, format(a)),
  };
  Object.defineProperty(g, "console", { value: console, writable: true, configurable: true });

  // ---- microtasks, sleep ---------------------------------------------------------
  g.queueMicrotask = function queueMicrotask(fn) {
    if (typeof fn !== "function") throw new TypeError("queueMicrotask needs a function");
    Promise.resolve().then(() => fn());
  };
  g.sleep = function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  };

  // ---- assert --------------------------------------------------------------------
  class AssertionError extends Error {
    constructor(message) {
      super(message);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
    }
  }
  function show(v) { try { return inspect(v, 1, []); } catch (e) { return String(v); } }
  function deepEq(a, b) {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEq(a[k], b[k]));
  }
  function assert(cond, message) {
    if (!cond) throw new AssertionError(message || "assertion failed");
  }
  assert.AssertionError = AssertionError;
  assert.ok = assert;
  assert.equal = (a, b, m) => { if (!Object.is(a, b)) throw new AssertionError(m || `expected ${show(b)}, got ${show(a)}`); };
  assert.strictEqual = assert.equal;
  assert.notEqual = (a, b, m) => { if (Object.is(a, b)) throw new AssertionError(m || `expected a value other than ${show(b)}`); };
  assert.deepEqual = (a, b, m) => { if (!deepEq(a, b)) throw new AssertionError(m || `expected ${show(b)}, got ${show(a)}`); };
  assert.deepStrictEqual = assert.deepEqual;
  function matches(err, expected) {
    if (expected === undefined) return true;
    if (typeof expected === "function") return err instanceof expected;
    if (expected instanceof RegExp) return expected.test(String(err && err.message));
    return Object.keys(expected).every((k) =>
      expected[k] instanceof RegExp ? expected[k].test(String(err[k])) : deepEq(err[k], expected[k]));
  }
  assert.throws = (fn, expected, m) => {
    try { fn(); } catch (e) {
      if (!matches(e, expected)) throw new AssertionError(m || `unexpected error: ${show(e)} (code ${e && e.code})`);
      return e;
    }
    throw new AssertionError(m || "expected the function to throw");
  };
  assert.rejects = async (p, expected, m) => {
    try { await (typeof p === "function" ? p() : p); } catch (e) {
      if (!matches(e, expected)) throw new AssertionError(m || `unexpected rejection: ${show(e)} (code ${e && e.code})`);
      return e;
    }
    throw new AssertionError(m || "expected the promise to reject");
  };
  assert.fail = (m) => { throw new AssertionError(m || "failed"); };
  g.assert = assert;

  // ---- a small event emitter (private) ----------------------------------------------
  // What process, process.stdin and readline need of Node's EventEmitter: listeners
  // called in order, synchronously, `this` the emitter; once; removal of the most
  // recently added instance; "error" with no listener throws. `onChange(name)` (optional)
  // hears every change of a name's listeners.
  class Emitter {
    #events = new Map();
    #onChange;
    constructor(onChange) { this.#onChange = onChange; }
    #add(name, fn, once, prepend) {
      if (typeof fn !== "function") {
        const e = new TypeError(`The "listener" argument must be of type function. Received ${show(fn)}`);
        e.code = "ERR_INVALID_ARG_TYPE";
        throw e;
      }
      let list = this.#events.get(name);
      if (list === undefined) this.#events.set(name, list = []);
      const entry = { fn, once };
      if (prepend) list.unshift(entry); else list.push(entry);
      if (this.#onChange) this.#onChange(name);
      return this;
    }
    on(name, fn) { return this.#add(name, fn, false, false); }
    addListener(name, fn) { return this.#add(name, fn, false, false); }
    prependListener(name, fn) { return this.#add(name, fn, false, true); }
    once(name, fn) { return this.#add(name, fn, true, false); }
    prependOnceListener(name, fn) { return this.#add(name, fn, true, true); }
    off(name, fn) { return this.removeListener(name, fn); }
    removeListener(name, fn) {
      const list = this.#events.get(name);
      if (list === undefined) return this;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].fn !== fn) continue;
        list.splice(i, 1);
        if (list.length === 0) this.#events.delete(name);
        if (this.#onChange) this.#onChange(name);
        break;
      }
      return this;
    }
    removeAllListeners(name) {
      const names = name === undefined ? [...this.#events.keys()] : [name];
      for (const n of names) {
        if (!this.#events.delete(n)) continue;
        if (this.#onChange) this.#onChange(n);
      }
      return this;
    }
    emit(name, ...args) {
      const list = this.#events.get(name);
      if (list === undefined || list.length === 0) {
        if (name === "error") throw args[0] instanceof Error ? args[0] : new Error("Unhandled error: " + show(args[0]));
        return false;
      }
      for (const l of list.slice()) {
        if (l.once) this.removeListener(name, l.fn);
        l.fn.apply(this, args);
      }
      return true;
    }
    listenerCount(name) { const l = this.#events.get(name); return l ? l.length : 0; }
    listeners(name) { const l = this.#events.get(name); return l ? l.map((x) => x.fn) : []; }
    rawListeners(name) { return this.listeners(name); }
    eventNames() { return [...this.#events.keys()]; }
    setMaxListeners() { return this; }
    getMaxListeners() { return Infinity; }
  }
  host.Emitter = Emitter;

  // ---- UTF-8 in pieces (private) -------------------------------------------------------
  // A decoder of a byte stream cut anywhere: write(u8) gives the text of every complete
  // character and keeps an incomplete one at the end for the next piece; end() gives
  // what is left (an incomplete character becomes U+FFFD).
  function completeLength(b) {
    const n = b.length;
    for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
      const c = b[i];
      if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
      const need = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;
      return n - i < need ? i : n;
    }
    return n;
  }
  host.utf8Decoder = function utf8Decoder() {
    let carry = null;
    return {
      write(u8) {
        let b = u8;
        if (carry !== null) {
          b = new Uint8Array(carry.length + u8.length);
          b.set(carry);
          b.set(u8, carry.length);
          carry = null;
        }
        const cut = completeLength(b);
        if (cut < b.length) carry = b.slice(cut);
        return cut === 0 ? "" : host.process.decodeUtf8(cut === b.length ? b : b.subarray(0, cut));
      },
      end() {
        const c = carry;
        carry = null;
        return c === null ? "" : host.process.decodeUtf8(c);
      },
    };
  };

  // ---- process -------------------------------------------------------------------
  // process.env under --permission without --allow-env: every read, test, listing or
  // change throws ERR_ACCESS_DENIED (host.permission.requireEnv), and the environment
  // is not even copied in. Symbol keys (inspection, coercion) read as undefined.
  function deniedEnv() {
    const deny = (k) => host.permission.requireEnv(typeof k === "string" ? k : undefined);
    return new Proxy(Object.create(null), {
      get: (t, k) => (typeof k === "symbol" ? undefined : deny(k)),
      has: (t, k) => deny(k),
      ownKeys: () => deny(),
      getOwnPropertyDescriptor: (t, k) => deny(k),
      set: (t, k) => deny(k),
      defineProperty: (t, k) => deny(k),
      deleteProperty: (t, k) => deny(k),
    });
  }
  const ph = host.process; // natives of mod_process.c
  const monoStart = host.monoMs();
  function codeOf(c) { return c === undefined || c === null ? 0 : Number(c) | 0; }
  function argTypeError(what, expected, v) {
    const e = new TypeError(`The "${what}" argument must be ${expected}. Received ${show(v)}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    return e;
  }
  // SIGINT/SIGTERM listeners replace the signal's default action (mod_process.c tells
  // the signal thread); every other name is a plain event.
  const process = new Emitter((name) => {
    if (name === "SIGINT" || name === "SIGTERM") ph.signalListeners(name, process.listenerCount(name));
  });
  let exiting = false;
  // "exit" is emitted once, with the status the process ends with; listeners may
  // change process.exitCode (and so the status), as in Node.
  function emitExit() {
    if (exiting) return;
    exiting = true;
    process.emit("exit", codeOf(process.exitCode));
  }
  ph.emitExit = (code) => {
    if (code !== undefined) process.exitCode = code;
    emitExit();
    return codeOf(process.exitCode);
  };
  ph.onSignal = (name) => { process.emit(name, name); };
  function hrtime(prev) {
    const now = ph.hrtime();
    if (prev === undefined) return now;
    if (!Array.isArray(prev) || prev.length !== 2) throw argTypeError("time", "an instance of Array of length 2", prev);
    let s = now[0] - prev[0], ns = now[1] - prev[1];
    if (ns < 0) { s -= 1; ns += 1e9; }
    return [s, ns];
  }
  hrtime.bigint = () => {
    const [s, ns] = ph.hrtime();
    return BigInt(s) * 1000000000n + BigInt(ns);
  };
  // rss: the resident set size now; heapUsed: JavaScriptCore's live heap as of its last
  // collection (its capacity before the first); heapTotal: the heap's capacity;
  // external: memory JavaScriptCore's objects report outside the heap (an estimate);
  // arrayBuffers: not counted apart by JavaScriptCore, so `external` stands for it.
  function memoryUsage() {
    const h = ph.heap();
    return { rss: host.rss(), heapTotal: h.heapTotal, heapUsed: h.heapUsed, external: h.external,
             arrayBuffers: h.external };
  }
  memoryUsage.rss = () => host.rss();
  const ids = ph.ids();
  function stdWrite(fd) {
    return (s, enc, cb) => {
      const text = s instanceof Uint8Array ? ph.decodeUtf8(s) : String(s);
      host.print(fd, text, false);
      const done = typeof enc === "function" ? enc : cb;
      if (typeof done === "function") queueMicrotask(done);
      return true;
    };
  }
  // Node's stream.write for the two standard streams: the text as is, no newline.
  function stdStream(fd) {
    const st = new Emitter();
    st.fd = fd;
    st.isTTY = ph.isatty(fd);
    st.write = stdWrite(fd);
    return st;
  }
  let stdin;
  Object.assign(process, {
    argv: host.argv(),
    env: host.permission.has("env") ? host.env() : undefined,
    platform: host.platform,
    arch: ph.arch,
    title: "geppetto",
    pid: ids.pid,
    ppid: ids.ppid,
    execPath: host.argv()[0],
    exitCode: undefined,
    exit(code) {
      if (code !== undefined) process.exitCode = code;
      try { emitExit(); } catch (e) {
        host.print(2, "Uncaught " + inspect(e, 0, []));
        host.exit(1);
      }
      host.exit(codeOf(process.exitCode));
    },
    cwd: () => host.cwd(),
    // Node-like "v" + geppetto's version; there is no versions.node: geppetto is not
    // Node, and packages that look for it take their non-Node path (SPEC §3.3).
    version: "v" + host.version,
    versions: Object.freeze(Object.assign({}, ph.versions)),
    release: Object.freeze({ name: "geppetto" }),
    stdout: stdStream(1),
    stderr: stdStream(2),
    // As in Node: CPU in µs of the whole process (all threads), since `prev` if given;
    // peak RSS in KiB; RSS now in bytes.
    cpuUsage(prev) {
      const r = host.rusage();
      return prev ? { user: r.user - prev.user, system: r.system - prev.system }
                  : { user: r.user, system: r.system };
    },
    resourceUsage() {
      const r = host.rusage();
      return { userCPUTime: r.user, systemCPUTime: r.system, maxRSS: r.maxRSS };
    },
    memoryUsage,
    hrtime,
    uptime: () => (host.monoMs() - monoStart) / 1000,
    kill(pid, sig) {
      if (typeof pid !== "number" || !Number.isInteger(pid)) throw argTypeError("pid", "of type number", pid);
      let num = sig === undefined ? ph.signals.SIGTERM : sig;
      if (typeof num === "string") num = Object.prototype.hasOwnProperty.call(ph.signals, num) ? ph.signals[num] : undefined;
      if (typeof num !== "number" || !Number.isInteger(num)) {
        const e = new TypeError(`Unknown signal: ${String(sig)}`);
        e.code = "ERR_UNKNOWN_SIGNAL";
        throw e;
      }
      ph.kill(pid, num);
      return true;
    },
    getuid: () => ids.uid, getgid: () => ids.gid, geteuid: () => ids.euid, getegid: () => ids.egid,
    // Node's nextTick as a microtask (it runs before timers and I/O, after the
    // current job).
    nextTick(fn, ...args) {
      if (typeof fn !== "function") throw argTypeError("callback", "of type function", fn);
      queueMicrotask(() => fn(...args));
    },
    emitWarning(w, type) {
      const warning = w instanceof Error ? w : Object.assign(new Error(String(w)), { name: typeof type === "string" ? type : "Warning" });
      if (!process.emit("warning", warning))
        host.print(2, `(geppetto:${ids.pid}) ${warning.name}: ${warning.message}`);
    },
  });
  // process.stdin is made on first use (lib/node/stdin.js): a script that never touches
  // it opens nothing.
  Object.defineProperty(process, "stdin", {
    configurable: true, enumerable: true,
    get() { return stdin || (stdin = lib("node/stdin")); },
  });
  // A closed process.env is not enumerable, so that printing `process` still works.
  if (!host.permission.has("env"))
    Object.defineProperty(process, "env", { value: deniedEnv(), writable: true, configurable: true, enumerable: false });
  // As in Node, process.permission exists only when the permission model is on.
  if (host.permission.enabled) {
    const perm = host.permission;
    Object.defineProperty(process, "permission", {
      value: Object.freeze({ has: (scope, reference) => perm.has(scope, reference) }),
      enumerable: true,
    });
  }
  g.process = process;

  // ---- performance ---------------------------------------------------------------
  // The Web/Node `performance.now()`: milliseconds since the script environment began,
  // on the monotonic clock.
  const monoOrigin = host.monoMs();
  g.performance = { timeOrigin: Date.now(), now: () => host.monoMs() - monoOrigin };

  // ---- the web platform's globals (src/js/lib/web/) --------------------------------
  // Each file is compiled on first use of one of its globals: `lib(name)` runs it once
  // and keeps its exports. A global is a lazy accessor until then; assigning to it
  // replaces it, as for any writable global.
  const webExports = Object.create(null);
  function lib(name) {
    let e = webExports[name];
    if (e === undefined) {
      e = host.webFactory(name.includes("/") ? name : "web/" + name)(host, lib, g);
      webExports[name] = e;
    }
    return e;
  }
  host.lib = lib;
  // global name -> the file that defines it
  const webGlobals = {
    crypto: "crypto", Crypto: "crypto",
    fetch: "fetch", Headers: "fetch", Request: "fetch", Response: "fetch",
    DOMException: "events", Event: "events", CustomEvent: "events", EventTarget: "events",
    AbortController: "abort", AbortSignal: "abort",
    structuredClone: "clone",
    Blob: "blob", File: "blob", FormData: "blob",
    URL: "url", URLSearchParams: "url_params",
    ReadableStream: "streams", ReadableStreamDefaultReader: "streams",
    ReadableStreamDefaultController: "streams",
    CountQueuingStrategy: "streams", ByteLengthQueuingStrategy: "streams",
    TextEncoder: "encoding", TextDecoder: "encoding",
    atob: "base64", btoa: "base64",
    Buffer: "buffer",
  };
  for (const name of Object.keys(webGlobals)) {
    const file = webGlobals[name];
    const settle = (v) => Object.defineProperty(g, name, { value: v, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(g, name, {
      configurable: true, enumerable: false,
      get() { const v = lib(file)[name]; settle(v); return v; },
      set(v) { settle(v); },
    });
  }

  // ---- require -------------------------------------------------------------------
  // Resolution and loading as in Node (SPEC §3.3): built-ins, relative and absolute
  // paths, node_modules folders with package.json `exports`/`imports`/`main`; ES modules
  // are rewritten as CommonJS by host.esmToCjs and get their bindings from `esm` below.
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  function dirname(p) {
    const i = p.lastIndexOf("/");
    return i <= 0 ? (i === 0 ? "/" : ".") : p.slice(0, i);
  }
  function normalize(p) {
    const abs = p.startsWith("/");
    const out = [];
    for (const part of p.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") out.pop(); else out.push(part);
    }
    return (abs ? "/" : "") + out.join("/");
  }
  function codeError(code, message, props) {
    const e = new Error(message);
    e.code = code;
    return Object.assign(e, props);
  }
  function requireStack(parent) {
    const stack = [];
    for (let m = parent; m; m = m.parent) if (m.filename) stack.push(m.filename);
    return stack;
  }
  function notFound(id, parent, tried) {
    const from = parent && parent.filename;
    const stack = requireStack(parent);
    let msg = `Cannot find module '${id}'` + (from ? ` from '${from}'` : "");
    if (tried && tried.length) msg += "\nTried:\n- " + tried.join("\n- ");
    if (stack.length) msg += "\nRequire stack:\n- " + stack.join("\n- ");
    return codeError("MODULE_NOT_FOUND", msg, { requireStack: stack });
  }
  const cache = Object.create(null);
  const compiled = new Set(); // files compiled through the wrapper (their line 1 is shifted)
  let geppetto = null;
  let mainModule = null;

  // Node's built-in modules (SPEC §3.2): require(name) and require("node:" + name). Each
  // maps to its file of src/js/lib/node/, compiled on first require; a file returns the
  // module's exports.
  const builtins = {
    timers: "timers", "timers/promises": "timers_promises",
    util: "util", assert: "assert", url: "url", buffer: "buffer",
    readline: "readline", "readline/promises": "readline_promises",
    fs: "fs", "fs/promises": "fs_promises", path: "path", "path/posix": "path", os: "os",
  };
  // Node modules geppetto does not provide, with what to use instead.
  const instead = {
    http: "fetch()", https: "fetch()", http2: "fetch()", net: "fetch() for HTTP",
    tls: "fetch() for HTTPS", dgram: "fetch()", dns: "fetch() (names resolve on each request)",
    worker_threads: "concurrent runs and async tools (every run already works off the script's thread)",
    cluster: "several geppetto processes", vm: "eval() or new Function()",
    zlib: "fetch() (it decodes gzip/deflate/br) or Blob streams", stream: "ReadableStream",
    "stream/web": "the ReadableStream global", crypto: "the crypto global (randomUUID, getRandomValues)",
    perf_hooks: "the performance global", string_decoder: "TextDecoder with {stream: true}",
    querystring: "URLSearchParams", punycode: "URL (hosts are converted)",
    async_hooks: "AbortSignal to tie work to a run", inspector: "--log-level debug",
    v8: "process.memoryUsage()", repl: "geppetto chat", tty: "process.stdin.isTTY",
  };
  function builtin(id) {
    const name = id.startsWith("node:") ? id.slice(5) : id;
    if (has(builtins, name)) return lib("node/" + builtins[name]);
    if (id.startsWith("node:") || has(instead, name)) {
      const e = new Error(`Cannot find module '${id}': geppetto does not provide Node's '${name}' module` +
                          (instead[name] ? `; use ${instead[name]} instead` : ""));
      e.code = "MODULE_NOT_FOUND";
      throw e;
    }
    return undefined;
  }

  // ---- resolution ----
  // The conditions of package.json `exports`/`imports`, most preferred first: geppetto
  // is a web-platform runtime, so a package's worker build is the one that runs here.
  const REQUIRE_CONDS = ["geppetto", "worker", "require", "default"];
  const IMPORT_CONDS = ["geppetto", "worker", "import", "default"];
  const pkgCache = new Map(); // folder -> parsed package.json or null
  function readPackage(dir) {
    let p = pkgCache.get(dir);
    if (p !== undefined) return p;
    p = null;
    const file = dir + "/package.json";
    if (host.isFile(file)) {
      try { p = JSON.parse(host.readFile(file)); } catch (e) {
        throw codeError("ERR_INVALID_PACKAGE_CONFIG", `Invalid package config ${file}: ${e.message}`);
      }
      if (p === null || typeof p !== "object") p = {};
    }
    pkgCache.set(dir, p);
    return p;
  }
  // The nearest package.json above `dir`: {dir, pkg} or null.
  function packageScope(dir) {
    for (let d = dir; ; d = dirname(d)) {
      if (!d.endsWith("/node_modules")) {
        const pkg = readPackage(d);
        if (pkg) return { dir: d, pkg };
      }
      if (d === "/" || d === ".") return null;
    }
  }
  function tryFile(p, tried) {
    tried.push(p);
    return host.isFile(p) ? host.realpath(p) || p : null;
  }
  const EXTS = ["", ".js", ".json", ".cjs", ".mjs"];
  function asFile(base, tried) {
    for (const ext of EXTS) {
      const f = tryFile(base + ext, tried);
      if (f) return f;
    }
    return null;
  }
  function asIndex(dir, tried) {
    return tryFile(dir + "/index.js", tried) || tryFile(dir + "/index.json", tried);
  }
  function asDirectory(dir, tried) {
    const pkg = host.isDir(dir) ? readPackage(dir) : null;
    if (pkg && typeof pkg.main === "string" && pkg.main) {
      const m = normalize(dir + "/" + pkg.main);
      const f = asFile(m, tried) || asIndex(m, tried);
      if (f) return f;
    }
    return asIndex(dir, tried);
  }
  function asPath(base, tried) {
    return asFile(base, tried) || asDirectory(base, tried);
  }
  function notExported(sub, pkgDir, parent) {
    const where = pkgDir + "/package.json" + (parent && parent.filename ? " imported from " + parent.filename : "");
    return codeError("ERR_PACKAGE_PATH_NOT_EXPORTED", sub === "."
      ? `No "exports" main defined in ${where}`
      : `Package subpath '${sub}' is not defined by "exports" in ${where}`);
  }
  // A target of `exports`/`imports`: a path (string), a list, a conditions object or
  // null. Returns the resolved path, null when blocked, undefined when no condition fits.
  function resolveTarget(pkgDir, target, star, conds, isImports, parent) {
    if (typeof target === "string") {
      const t = star === null ? target : target.split("*").join(star);
      if (!t.startsWith("./")) {
        if (isImports && !t.startsWith("/") && !t.startsWith("../")) return { bare: t };
        throw codeError("ERR_INVALID_PACKAGE_TARGET", `Invalid "exports" target '${target}' in ${pkgDir}/package.json`);
      }
      const p = normalize(pkgDir + "/" + t);
      if (!p.startsWith(pkgDir + "/")) // a target or a pattern's match may not leave the package
        throw codeError("ERR_INVALID_PACKAGE_TARGET", `Invalid "exports" target '${target}' for '${t}' in ${pkgDir}/package.json`);
      return p;
    }
    if (Array.isArray(target)) {
      for (const t of target) {
        let r;
        try { r = resolveTarget(pkgDir, t, star, conds, isImports, parent); } catch (e) {
          if (e.code === "ERR_INVALID_PACKAGE_TARGET") continue;
          throw e;
        }
        if (r !== undefined && r !== null) return r;
      }
      return undefined;
    }
    if (target === null) return null;
    if (typeof target === "object") {
      for (const c of conds) {
        if (!has(target, c)) continue;
        const r = resolveTarget(pkgDir, target[c], star, conds, isImports, parent);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    return undefined;
  }
  // The `exports` (or `imports`) map entry for `sub`: exact key, else the `*` pattern
  // with the longest prefix. Returns what resolveTarget returns.
  function resolveMap(pkgDir, map, sub, conds, isImports, parent) {
    if (has(map, sub) && !sub.includes("*")) return resolveTarget(pkgDir, map[sub], null, conds, isImports, parent);
    let best = null, bestPrefix = "";
    for (const key of Object.keys(map)) {
      const i = key.indexOf("*");
      if (i < 0 || key.indexOf("*", i + 1) >= 0) continue;
      const prefix = key.slice(0, i), suffix = key.slice(i + 1);
      if (sub.length >= key.length && sub.startsWith(prefix) && sub.endsWith(suffix) &&
          (best === null || prefix.length > bestPrefix.length ||
           (prefix.length === bestPrefix.length && key.length > best.length))) {
        best = key;
        bestPrefix = prefix;
      }
    }
    if (best === null) return undefined;
    const star = sub.slice(bestPrefix.length, sub.length - (best.length - bestPrefix.length - 1));
    return resolveTarget(pkgDir, map[best], star, conds, isImports, parent);
  }
  function exportsMap(exp) {
    if (typeof exp === "string" || Array.isArray(exp)) return { ".": exp };
    if (exp && typeof exp === "object" && !Object.keys(exp).some((k) => k.startsWith("."))) return { ".": exp };
    return exp || {};
  }
  function resolveExports(pkgDir, pkg, sub, conds, parent, tried) {
    const r = resolveMap(pkgDir, exportsMap(pkg.exports), sub, conds, false, parent);
    if (r === undefined || r === null) throw notExported(sub, pkgDir, parent);
    const f = tryFile(r, tried);
    if (f) return f;
    return null;
  }
  function splitBare(id) {
    const parts = id.split("/");
    const n = id.startsWith("@") ? 2 : 1;
    const name = parts.slice(0, n).join("/");
    const rest = parts.slice(n).join("/");
    return { name, sub: rest ? "./" + rest : "." };
  }
  function nodeModulesPaths(dir) {
    const out = [];
    for (let d = dir; ; d = dirname(d)) {
      if (!d.endsWith("/node_modules")) out.push((d === "/" ? "" : d) + "/node_modules");
      if (d === "/" || d === ".") break;
    }
    return out;
  }
  function resolveBare(id, dir, conds, parent, tried) {
    const { name, sub } = splitBare(id);
    for (const nm of nodeModulesPaths(dir)) {
      const pkgDir = nm + "/" + name;
      if (!host.isDir(pkgDir)) { tried.push(pkgDir); continue; }
      const pkg = readPackage(pkgDir);
      if (pkg && pkg.exports !== undefined && pkg.exports !== null) {
        const f = resolveExports(pkgDir, pkg, sub, conds, parent, tried);
        if (f) return f;
        throw notFound(id, parent, tried); // the package's exports name a missing file
      }
      const f = asPath(nm + "/" + id, tried);
      if (f) return f;
    }
    // a package may name itself through its own exports
    const scope = packageScope(dir);
    if (scope && scope.pkg.name === name && scope.pkg.exports != null)
      return resolveExports(scope.dir, scope.pkg, sub, conds, parent, tried);
    return null;
  }
  function resolveImports(id, dir, conds, parent, tried) {
    const scope = packageScope(dir);
    if (!scope || !scope.pkg.imports || typeof scope.pkg.imports !== "object") return null;
    const r = resolveMap(scope.dir, scope.pkg.imports, id, conds, true, parent);
    if (r === undefined || r === null)
      throw codeError("ERR_PACKAGE_IMPORT_NOT_DEFINED", `Package import specifier '${id}' is not defined in ${scope.dir}/package.json`);
    if (typeof r === "object") return resolveBare(r.bare, scope.dir, conds, parent, tried);
    return tryFile(r, tried);
  }
  // The file `id` names from folder `dir`, or a built-in's id ("node:x", "geppetto").
  function resolve(id, dir, parent, conds) {
    if (typeof id !== "string" || id === "") throw new TypeError("require needs a module id string");
    if (id === "geppetto" || id === "geppetto/chat") return id;
    if (builtin(id) !== undefined) return id.startsWith("node:") ? id : "node:" + id;
    if (id.startsWith("file://")) id = decodeURIComponent(id.slice(7));
    const tried = [];
    let f;
    if (id.startsWith("./") || id.startsWith("../") || id.startsWith("/") || id === "." || id === "..") {
      const base = normalize(id.startsWith("/") ? id : dir + "/" + id);
      f = id.endsWith("/") ? asDirectory(base, tried) : asPath(base, tried);
    } else if (id.startsWith("#")) {
      f = resolveImports(id, dir, conds, parent, tried);
    } else {
      f = resolveBare(id, dir, conds, parent, tried);
    }
    if (!f) throw notFound(id, parent, tried);
    return f;
  }

  // ---- ES module interop ----
  const esmExports = new WeakSet(); // exports objects of ES modules
  const moduleOf = new WeakMap(); // exports object -> its module, for ES modules' imports
  // Import bindings are set once the imported modules are loaded; in an import cycle a
  // module's bindings are set again (its __gp_sync) each time a module finishes loading,
  // until every module it imports has.
  let pendingSyncs = [];
  function loadedExports(e) {
    const m = e !== null && (typeof e === "object" || typeof e === "function") ? moduleOf.get(e) : undefined;
    return !m || m.loaded;
  }
  function runPendingSyncs() {
    if (pendingSyncs.length === 0) return;
    const list = pendingSyncs;
    pendingSyncs = [];
    for (const p of list) {
      p.fn();
      if (!p.deps.every(loadedExports)) pendingSyncs.push(p);
    }
  }
  const cjsNamespaces = new WeakMap();
  function namespaceOf(exp) {
    if (esmExports.has(exp)) return exp;
    if (exp === null || (typeof exp !== "object" && typeof exp !== "function")) return { default: exp };
    let ns = cjsNamespaces.get(exp);
    if (!ns) {
      ns = {};
      for (const k of Object.keys(exp)) {
        if (k !== "default") Object.defineProperty(ns, k, { enumerable: true, get: () => exp[k] });
      }
      Object.defineProperty(ns, "default", { enumerable: true, value: exp });
      cjsNamespaces.set(exp, ns);
    }
    return ns;
  }
  function fileURL(path) {
    return "file://" + path.split("/").map(encodeURIComponent).join("/");
  }
  // The helpers an ES module's rewritten code calls (`__esm`), the `import()` function
  // and the `import.meta` object of module `mod`.
  function moduleHelpers(mod) {
    const importSync = (id) => {
      const f = resolve(id, mod.path, mod, IMPORT_CONDS);
      return requireFile(f, mod);
    };
    const esm = {
      imp: importSync,
      dflt: (m) => (esmExports.has(m) ? m.default : m),
      ns: namespaceOf,
      exp(getters) {
        const e = mod.exports;
        esmExports.add(e);
        Object.defineProperty(e, "__esModule", { value: true });
        for (const k of Object.keys(getters))
          Object.defineProperty(e, k, { enumerable: true, configurable: true, get: getters[k] });
      },
      watch(fn, deps) {
        if (!deps.every(loadedExports)) pendingSyncs.push({ fn, deps });
      },
      star(m) {
        const src = namespaceOf(m), e = mod.exports;
        for (const k of Object.keys(src)) {
          if (k === "default" || has(e, k)) continue;
          Object.defineProperty(e, k, { enumerable: true, configurable: true, get: () => src[k] });
        }
      },
    };
    const dynImport = (id) => new Promise((res) => res()).then(() => {
      const f = resolve(String(id), mod.path, mod, IMPORT_CONDS);
      const exp = requireFile(f, mod);
      const m = f !== "geppetto" && !f.startsWith("node:") ? cache[f] : null;
      return m && m.evaluating ? m.evaluating.then(() => namespaceOf(m.exports)) : namespaceOf(exp);
    });
    const meta = {
      url: fileURL(mod.filename), filename: mod.filename, dirname: mod.path,
      resolve: (id) => { const f = resolve(id, mod.path, mod, IMPORT_CONDS); return f.startsWith("/") ? fileURL(f) : f; },
    };
    return { esm, dynImport, meta };
  }

  // ---- loading ----
  function makeModule(filename, parent) {
    const mod = { id: filename, filename, path: dirname(filename), exports: {}, loaded: false,
                  parent: parent || null, children: [], paths: nodeModulesPaths(dirname(filename)) };
    mod.require = makeRequire(mod);
    return mod;
  }
  function makeRequire(mod) {
    const dir = mod ? mod.path : host.cwd();
    function require(id) {
      const f = resolve(id, dir, mod, REQUIRE_CONDS);
      const exp = requireFile(f, mod);
      const m = cache[f];
      if (m && m.evaluating && !m.loaded)
        throw codeError("ERR_REQUIRE_ASYNC_MODULE", `require() cannot load '${f}': it uses top-level await; use import() instead`);
      return exp;
    }
    require.resolve = (id, opts) => {
      if (opts && Array.isArray(opts.paths)) {
        for (const p of opts.paths) {
          try { return resolve(id, normalize(p.startsWith("/") ? p : host.cwd() + "/" + p), mod, REQUIRE_CONDS); } catch (e) {
            if (e.code !== "MODULE_NOT_FOUND") throw e;
          }
        }
        throw notFound(id, mod, []);
      }
      return resolve(id, dir, mod, REQUIRE_CONDS);
    };
    require.resolve.paths = (id) => (id.startsWith(".") || id.startsWith("/") ? [dir] : nodeModulesPaths(dir));
    require.cache = cache;
    Object.defineProperty(require, "main", { enumerable: true, get: () => mainModule || undefined });
    return require;
  }
  // The exports of resolved file `f` (or of a built-in), loading it once.
  function requireFile(f, parent) {
    if (f === "geppetto") {
      if (geppetto === null) geppetto = host.geppettoFactory(host.native, host);
      return geppetto;
    }
    if (f === "geppetto/chat") return lib("app/chat"); // the `geppetto chat` loop
    if (f.startsWith("node:")) return builtin(f);
    return load(f, parent).exports;
  }
  // 0 CommonJS, 1 ES module, 2 an ES module if it has import/export statements.
  function moduleMode(filename) {
    if (filename.endsWith(".mjs")) return 1;
    if (filename.endsWith(".cjs")) return 0;
    const scope = packageScope(dirname(filename));
    const type = scope && scope.pkg.type;
    return type === "module" ? 1 : type === "commonjs" ? 0 : 2;
  }
  const syntaxLocations = new WeakMap(); // SyntaxError -> "FILE:LINE:COL\nline\n   ^"
  // JavaScriptCore gives a syntax error's line, not its column: the column is that of
  // the token the message quotes (its last occurrence on the line; for a declaration
  // made twice, the declaration's), else of the line's first character.
  function locateSyntaxError(e, filename, src) {
    if (!(e instanceof SyntaxError) || typeof e.line !== "number") return;
    const lines = src.split(/\r\n|\r|\n/);
    while (lines.length > 1 && lines[lines.length - 1].trim() === "") lines.pop();
    let line = e.line, col = -1;
    if (line > lines.length) { // past the end: the source ended too early
      line = lines.length;
      col = lines[line - 1].length;
    }
    const text = lines[line - 1];
    if (text === undefined) return;
    const q = /'([^']+)'|"([^"]+)"/.exec(e.message);
    if (col < 0 && q) {
      const word = q[1] || q[2];
      if (/twice/.test(e.message)) {
        const d = new RegExp("\\b(?:let|const|var|class|function)\\s+(" + word.replace(/[^\w$]/g, "\\$&") + ")\\b").exec(text);
        col = d ? d.index + d[0].length - word.length : text.lastIndexOf(word);
      } else {
        col = text.lastIndexOf(word);
      }
    }
    if (col < 0) col = text.length - text.trimStart().length;
    syntaxLocations.set(e, `${filename}:${line}:${col + 1}\n${text}\n${text.slice(0, col).replace(/[^\t]/g, " ")}^`);
    e.line = line;
    e.column = col + 1;
  }
  function compileModule(mod, src) {
    return compileModuleAs(mod, src, moduleMode(mod.filename));
  }
  function compileModuleAs(mod, src, mode) {
    let code = src, kind = 0, awaits = false;
    if (mode !== 0 || src.includes("import") || src.includes("await")) {
      const r = host.esmToCjs(src, mod.filename, mode);
      code = r.code;
      kind = r.esm ? (r.tla ? 2 : 1) : 0;
      awaits = mode === 2 && !r.esm && r.tla;
    }
    let fn;
    try { fn = host.compile(code, mod.filename, kind); } catch (e) {
      // a .js file with top-level await and no import/export: an ES module (as Node's
      // syntax detection decides) when it does not compile as CommonJS
      if (!(awaits && e instanceof SyntaxError)) {
        locateSyntaxError(e, mod.filename, src);
        throw e;
      }
      return compileModuleAs(mod, src, 1);
    }
    compiled.add(mod.filename);
    return { fn, kind };
  }
  function load(filename, parent) {
    const cached = cache[filename];
    if (cached) {
      if (parent && !parent.children.includes(cached)) parent.children.push(cached);
      return cached;
    }
    const mod = makeModule(filename, parent);
    moduleOf.set(mod.exports, mod);
    if (parent) parent.children.push(mod);
    if (!mainModule && !parent) mainModule = mod;
    cache[filename] = mod;
    try {
      const src = host.readFile(filename);
      if (filename.endsWith(".json")) {
        try { mod.exports = JSON.parse(src); } catch (e) { e.message = filename + ": " + e.message; throw e; }
      } else {
        const { fn, kind } = compileModule(mod, src);
        const h = moduleHelpers(mod);
        const r = fn.call(kind === 0 ? mod.exports : undefined, mod.exports, mod.require, mod, filename,
                          mod.path, h.esm, h.dynImport, h.meta);
        if (kind === 2) {
          mod.evaluating = r.then(() => { mod.loaded = true; runPendingSyncs(); },
                                  (e) => { delete cache[filename]; throw e; });
          return mod;
        }
      }
    } catch (e) {
      delete cache[filename];
      fixLineOne(e);
      throw e;
    }
    mod.loaded = true;
    const e = mod.exports;
    if (e !== null && (typeof e === "object" || typeof e === "function") && moduleOf.get(e) !== mod) moduleOf.set(e, mod);
    runPendingSyncs();
    return mod;
  }

  // ---- positions on line 1 ----
  // A module's line 1 follows the wrapper's header on the same line (JavaScriptCore
  // takes no starting line below 1 nor a starting column), so the engine counts its
  // columns from the header's start: an error leaving a module while it loads, and one
  // printed as uncaught, gets them counted from the source (once).
  const fixedErrors = new WeakSet();
  // One stack frame with its line-1 column counted from the source; "" for a frame in
  // the wrapper's header or in the import code the rewriting added (__gp_hoist).
  function fixFrame(f) {
    if (/^__gp_hoist@/.test(f)) return "";
    return f.replace(/^(.*?@)?(.*):1:(\d+)$/, (m, fn, file, col) => {
      if (!compiled.has(file)) return m;
      return col > host.wrapperColumns ? `${fn || ""}${file}:1:${col - host.wrapperColumns}` : "";
    });
  }
  function fixLineOne(e) {
    if (e === null || typeof e !== "object" || fixedErrors.has(e)) return;
    try {
      fixedErrors.add(e);
      if (e.line === 1 && typeof e.column === "number" && compiled.has(e.sourceURL) && !syntaxLocations.has(e))
        e.column = Math.max(1, e.column - host.wrapperColumns);
      if (typeof e.stack === "string") e.stack = e.stack.split("\n").map(fixFrame).filter((f) => f).join("\n");
    } catch (err) { /* a frozen error keeps its positions */ }
  }

  // ---- uncaught errors ----
  // The text printed for an uncaught error: `what: message`, then its stack without the
  // runtime's own frames (all of them with --log-level debug), columns on a module's
  // line 1 counted from the source (not the wrapper); a syntax error in a module
  // starts with FILE:LINE:COLUMN, the line and a caret.
  host.formatUncaught = function formatUncaught(err, what, debug) {
    let msg;
    try { msg = String(err); } catch (e) { msg = "(exception)"; }
    let out = "";
    const loc = err !== null && typeof err === "object" ? syntaxLocations.get(err) : undefined;
    fixLineOne(err);
    if (loc) out += loc + "\n";
    out += what + ": " + msg;
    const stack = err !== null && typeof err === "object" && typeof err.stack === "string" ? err.stack : "";
    const frames = stack ? stack.split("\n") : [];
    const kept = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const internal = /(^|@)geppetto:/.test(f) ||
        (/@\[native code\]$/.test(f) && (i + 1 >= frames.length || /(^|@)geppetto:/.test(frames[i + 1])));
      if (internal && !debug) continue;
      kept.push(f);
    }
    if (kept.length) out += "\n" + kept.join("\n");
    return out;
  };

  // ---- entry points --------------------------------------------------------------
  host.runMain = function runMain(path) {
    const abs = normalize(path.startsWith("/") ? path : host.cwd() + "/" + path);
    if (!host.isFile(abs)) throw notFound(path, null, [abs]);
    const filename = host.realpath(abs) || abs;
    const argv = process.argv;
    if (argv.length > 1) argv[1] = filename;
    g.require = makeRequire(null);
    const mod = load(filename, null);
    return mod.evaluating; // a promise when the main script awaits at top level
  };
  host.runEval = function runEval(code) {
    const mod = { id: "[eval]", filename: host.cwd() + "/[eval]", path: host.cwd(), exports: {},
                  loaded: false, parent: null, children: [] };
    mod.require = makeRequire(mod);
    g.require = mod.require;
    g.module = mod;
    g.exports = mod.exports;
    g.__filename = mod.filename;
    g.__dirname = mod.path;
    if (code.includes("import")) { // import(spec) resolves from the current folder
      code = host.esmToCjs(code, mod.filename, 0).code;
      const dyn = moduleHelpers(mod).dynImport;
      Object.defineProperty(g, "_dyimp", { value: dyn, writable: true, configurable: true });
    }
    return (0, eval)(code);
  };
  host.format = format;
})
