// The script environment (SPEC §3), built over the native `__host` primitives:
// console, queueMicrotask, sleep, assert, process, performance and the lazy web globals;
// then the module system and the entry points, in its second part (modules.js).
// Evaluated once per VM, on the owner.
(function (host) {
  "use strict";
  const g = globalThis;

  // ---- console -----------------------------------------------------------------
  function inspect(v, depth, seen) {
    if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
    if (typeof v === "function") return "[Function: " + (v.name || "anonymous") + "]";
    if (typeof v === "symbol" || typeof v === "bigint") return String(v);
    if (v === null || typeof v !== "object") return String(v);
    if (v instanceof Error) {
      if (host.cleanError) host.cleanError(v); // its stack without the runtime's frames
      return v.stack ? v.name + ": " + v.message + "\n" + v.stack : String(v);
    }
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
    // a callback that throws is an uncaught exception, as in Node (not a rejection)
    Promise.resolve().then(() => { try { fn(); } catch (e) { host.fatal(e); } });
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
    if (typeof expected === "function") { // a class, else a validation function (as Node)
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (expected === Error || Error.isPrototypeOf(expected)) return false;
      return expected.call({}, err) === true;
    }
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
  // process.exit's end: under `geppetto` host.exit ends the process; in a C host's
  // runtime it ends the script only and returns, and the script unwinds with this
  // (a catch in the script still sees it; nothing the script scheduled runs any more).
  const scriptEnded = new Error("process.exit() ended the script");
  scriptEnded.code = "ERR_SCRIPT_ENDED";
  function endScript(code) {
    host.exit(code);
    throw scriptEnded;
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
        if (e !== scriptEnded) host.print(2, "Uncaught " + inspect(e, 0, []));
        endScript(1);
      }
      endScript(codeOf(process.exitCode));
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

  // ---- require, import, the entry points (modules.js) ------------------------------
  host.modulesFactory(host, lib, g);

  host.format = format;
})
