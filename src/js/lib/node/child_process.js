// Node's `child_process` (SPEC §3.2, §3.5): spawn → ChildProcess (an EventEmitter with
// stdin/stdout/stderr streams), execFile and exec with a callback (timeout, maxBuffer,
// signal, encoding, input), and the synchronous spawnSync/execFileSync/execSync. The
// children run on the owner's loop (mod_child.c); this file shapes what they do into
// Node's objects, events and errors. A child is killed when its `signal` aborts and
// when the script exits.
(function (host, lib, g) {
  "use strict";
  const EventEmitter = lib("node/events");
  const signals = host.childSignals;
  const signalNames = Object.create(null);
  for (const name of Object.keys(signals)) signalNames[signals[name]] = name;
  const UV_ESRCH = -3;

  // Every permission check of the module (SPEC §3.4).
  function checkPermission(what) {
    host.permission.requireChild(what);
  }

  // ---- errors ----------------------------------------------------------------------
  function typeError(code, message) {
    const e = new TypeError(message);
    e.code = code;
    return e;
  }
  function errnoError(errno, syscall, path) {
    const [code, text] = host.childErr(errno);
    const e = new Error(`${syscall} ${code}`);
    e.errno = errno;
    e.code = code;
    e.syscall = syscall;
    if (path !== undefined) e.path = path;
    e.description = text;
    return e;
  }
  function abortError(reason) {
    const e = new Error("The operation was aborted", { cause: reason });
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    return e;
  }
  function signalNumber(sig) {
    if (typeof sig === "number" && signalNames[sig] !== undefined) return sig;
    if (sig === 0) return 0;
    if (typeof sig === "string" && signals[sig] !== undefined) return signals[sig];
    throw typeError("ERR_UNKNOWN_SIGNAL", `Unknown signal: ${sig}`);
  }

  // ---- bytes and text --------------------------------------------------------------
  function toBytes(u8) {
    return g.Buffer ? g.Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) : u8;
  }
  function concat(chunks, total) {
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return toBytes(out);
  }
  function encodeUtf8(s) {
    if (g.TextEncoder) return new g.TextEncoder().encode(s);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
  // Decodes whole UTF-8 sequences; each invalid byte becomes U+FFFD.
  function decodeUtf8(u8) {
    const units = [];
    let s = "";
    for (let i = 0; i < u8.length;) {
      const b = u8[i];
      let cp = 0xfffd, n = 1;
      if (b < 0x80) cp = b;
      else {
        const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
        let ok = need > 0 && i + need <= u8.length;
        let v = need === 4 ? b & 7 : need === 3 ? b & 15 : b & 31;
        for (let k = 1; ok && k < need; k++) {
          if ((u8[i + k] & 0xc0) !== 0x80) ok = false;
          else v = (v << 6) | (u8[i + k] & 63);
        }
        const min = need === 4 ? 0x10000 : need === 3 ? 0x800 : 0x80;
        if (ok && v >= min && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff)) { cp = v; n = need; }
      }
      if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023));
      else units.push(cp);
      i += n;
      if (units.length >= 8192) { s += String.fromCharCode.apply(null, units); units.length = 0; }
    }
    return s + String.fromCharCode.apply(null, units);
  }
  // Where a chunk's incomplete last sequence starts (its length when none is).
  function completeLength(u8) {
    for (let i = u8.length - 1; i >= 0 && i >= u8.length - 3; i--) {
      const b = u8[i];
      if ((b & 0xc0) === 0x80) continue;
      if (b >= 0xc0) {
        const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        return u8.length - i < need ? i : u8.length;
      }
      return u8.length;
    }
    return u8.length;
  }
  function isUtf8(enc) {
    return enc === undefined || enc === null || /^utf-?8$/i.test(String(enc));
  }
  // A streaming decoder for setEncoding: a character split across chunks is whole.
  function makeDecoder(encoding) {
    if (isUtf8(encoding) || !g.Buffer) {
      if (g.TextDecoder) {
        const d = new g.TextDecoder("utf-8");
        return { write: (u8) => d.decode(u8, { stream: true }), end: () => d.decode() };
      }
      let carry = null;
      return {
        write(u8) {
          if (carry) { const m = new Uint8Array(carry.length + u8.length); m.set(carry); m.set(u8, carry.length); u8 = m; }
          const n = completeLength(u8);
          carry = n < u8.length ? u8.slice(n) : null;
          return decodeUtf8(n < u8.length ? u8.subarray(0, n) : u8);
        },
        end() { const c = carry; carry = null; return c ? decodeUtf8(c) : ""; },
      };
    }
    return { write: (u8) => toBytes(u8).toString(encoding), end: () => "" };
  }
  function decodeAll(bytes, encoding) {
    const d = makeDecoder(encoding);
    return d.write(bytes) + d.end();
  }

  // ---- streams -----------------------------------------------------------------------
  // A child's stdout or stderr: "data" chunks (Buffer, or strings after setEncoding),
  // then "end" and "close". Chunks wait while nobody reads (no "data" listener, paused).
  class ChildReadable extends EventEmitter {
    constructor(child, fd) {
      super();
      this._child = child;
      this._fd = fd;
      this._queue = [];
      this._flowing = null;          // null: not yet read, true: flowing, false: paused
      this._ended = false;
      this._done = false;
      this._decoder = null;
      this.readable = true;
      this.destroyed = false;
      this.readableEncoding = null;
    }
    on(name, fn) {
      super.on(name, fn);
      if (name === "data" && this._flowing !== false) this.resume();
      return this;
    }
    addListener(name, fn) { return this.on(name, fn); }
    once(name, fn) {
      super.once(name, fn);
      if (name === "data" && this._flowing !== false) this.resume();
      return this;
    }
    setEncoding(encoding) {
      this._decoder = makeDecoder(encoding);
      this.readableEncoding = isUtf8(encoding) ? "utf8" : String(encoding);
      return this;
    }
    pause() { this._flowing = false; return this; }
    resume() {
      this._flowing = true;
      queueMicrotask(() => this._flow());
      return this;
    }
    isPaused() { return this._flowing === false; }
    destroy() {
      if (this.destroyed) return this;
      this.destroyed = true;
      this._queue.length = 0;
      this._flowing = true;
      if (this._child && this._child._handle) host.childCloseStream(this._child._handle, this._fd);
      queueMicrotask(() => this._pushEnd());
      return this;
    }
    _push(u8) {
      if (this.destroyed) return;
      const chunk = this._decoder ? this._decoder.write(u8) : toBytes(u8);
      if (chunk.length === 0) return;
      this._queue.push(chunk);
      this._flow();
    }
    _pushEnd() {
      if (this._ended) return;
      this._ended = true;
      if (this._decoder) {
        const tail = this._decoder.end();
        if (tail.length && !this.destroyed) this._queue.push(tail);
      }
      this._flow();
    }
    // The child has closed: what nobody reads is dropped (as Node flushes its stdio).
    _finish() {
      this._pushEnd();
      if (this._flowing === null) { this._queue.length = 0; this._flowing = true; }
      this._flow();
    }
    _flow() {
      while (this._flowing && this._queue.length) this.emit("data", this._queue.shift());
      if (this._ended && !this._done && this._queue.length === 0 && this._flowing) {
        this._done = true;
        this.readable = false;
        if (!this.destroyed) this.emit("end");
        this.emit("close");
      }
    }
    async *[Symbol.asyncIterator]() {
      const q = [];
      let done = false, failure = null, wake = null;
      const poke = () => { if (wake) { const w = wake; wake = null; w(); } };
      const onData = (c) => { q.push(c); poke(); };
      const onEnd = () => { done = true; poke(); };
      const onError = (e) => { failure = e; poke(); };
      this.on("data", onData);
      this.on("end", onEnd);
      this.on("error", onError);
      try {
        for (;;) {
          if (q.length) { yield q.shift(); continue; }
          if (failure) throw failure;
          if (done) return;
          await new Promise((r) => (wake = r));
        }
      } finally {
        this.off("data", onData);
        this.off("end", onEnd);
        this.off("error", onError);
      }
    }
  }

  // A child's stdin: write(data, encoding?, cb?) and end(data?, cb?); write returns false
  // above 16 KiB not yet taken by the child, then "drain". Errors (EPIPE when the child
  // does not read) go to the callback and to "error".
  class ChildWritable extends EventEmitter {
    constructor(child) {
      super();
      this._child = child;
      this._callbacks = [];          // one per write in flight, in order
      this._pending = 0;             // bytes in flight
      this._needDrain = false;
      this._ending = false;
      this.writable = true;
      this.destroyed = false;
      this.writableEnded = false;
      this.writableFinished = false;
    }
    write(data, encoding, cb) {
      if (typeof encoding === "function") { cb = encoding; encoding = undefined; }
      let bytes;
      if (typeof data === "string") bytes = isUtf8(encoding) || !g.Buffer ? encodeUtf8(data) : g.Buffer.from(data, encoding);
      else if (data instanceof Uint8Array) bytes = data;
      else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
      else throw typeError("ERR_INVALID_ARG_TYPE", 'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
      if (this.writableEnded) {
        const e = new Error("write after end");
        e.code = "ERR_STREAM_WRITE_AFTER_END";
        queueMicrotask(() => { if (cb) cb(e); this.emit("error", e); });
        return false;
      }
      if (this.destroyed) {
        const e = new Error("Cannot call write after a stream was destroyed");
        e.code = "ERR_STREAM_DESTROYED";
        queueMicrotask(() => { if (cb) cb(e); });
        return false;
      }
      const rc = host.childWrite(this._child._handle, bytes);
      if (rc < 0) {
        const e = errnoError(rc, "write");
        queueMicrotask(() => { if (cb) cb(e); this.emit("error", e); });
        return false;
      }
      this._callbacks.push({ cb, len: bytes.length });
      this._pending += bytes.length;
      if (this._pending >= 16384) this._needDrain = true;
      return !this._needDrain;
    }
    _written(status) {
      const w = this._callbacks.shift();
      if (w === undefined) return;
      this._pending -= w.len;
      const e = status < 0 && status !== -125 /* ECANCELED: destroyed */ ? errnoError(status, "write") : null;
      if (w.cb) w.cb(e);
      if (e) this.emit("error", e);
      if (this._pending === 0 && this._needDrain) { this._needDrain = false; this.emit("drain"); }
      this._maybeFinish();
    }
    end(data, encoding, cb) {
      if (typeof data === "function") { cb = data; data = undefined; }
      if (typeof encoding === "function") { cb = encoding; encoding = undefined; }
      if (data !== undefined && data !== null) this.write(data, encoding);
      if (cb) this.once("finish", cb);
      if (this.writableEnded) return this;
      this.writableEnded = true;
      this.writable = false;
      if (!this.destroyed) host.childEnd(this._child._handle);
      this._maybeFinish();
      return this;
    }
    _maybeFinish() {
      if (!this.writableEnded || this.writableFinished || this._callbacks.length) return;
      this.writableFinished = true;
      queueMicrotask(() => this.emit("finish"));
    }
    destroy() { this.destroyed = true; this.writable = false; return this; }
    _closed() {
      this.destroyed = true;
      this.writable = false;
      this.emit("close");
    }
  }

  // ---- ChildProcess ------------------------------------------------------------------
  class ChildProcess extends EventEmitter {
    constructor() {
      super();
      this._handle = null;
      this.pid = undefined;
      this.stdin = this.stdout = this.stderr = null;
      this.stdio = [null, null, null];
      this.exitCode = null;
      this.signalCode = null;
      this.killed = false;
      this.connected = false;
      this.spawnfile = undefined;
      this.spawnargs = [];
    }
    kill(sig) {
      const n = signalNumber(sig === undefined ? "SIGTERM" : sig);
      if (this._handle === null) return false;
      const rc = host.childKill(this._handle, n);
      if (rc === 0) { this.killed = true; return true; }
      if (rc !== UV_ESRCH) this.emit("error", errnoError(rc, "kill"));
      return false;
    }
    ref() { if (this._handle) host.childRef(this._handle, true); }
    unref() { if (this._handle) host.childRef(this._handle, false); }
    _onEvent(kind, a, b) {
      switch (kind) {
        case "data": (a === 1 ? this.stdout : this.stderr)._push(b); break;
        case "end": (a === 1 ? this.stdout : this.stderr)._pushEnd(); break;
        case "written": if (this.stdin) this.stdin._written(a); break;
        case "exit":
          if (b) this.signalCode = signalNames[b] || b;
          else this.exitCode = a;
          if (this._cleanup) this._cleanup();
          // as Node, stdin is destroyed when the child exits (the native side closed it)
          if (this.stdin && !this.stdin.writableEnded) this.stdin.destroy();
          this.emit("exit", this.exitCode, this.signalCode);
          break;
        case "close":
          for (const s of [this.stdout, this.stderr]) if (s) s._finish();
          if (this.stdin) this.stdin._closed();
          this.emit("close", this.exitCode, this.signalCode);
          break;
      }
    }
  }

  // ---- options -------------------------------------------------------------------------
  function checkString(v, name) {
    if (typeof v !== "string") throw typeError("ERR_INVALID_ARG_TYPE", `The "${name}" argument must be of type string`);
    if (v.length === 0) throw typeError("ERR_INVALID_ARG_VALUE", `The argument '${name}' cannot be empty`);
  }
  function normalizeArgs(args, options) {
    if (args == null) args = [];
    else if (!Array.isArray(args)) {
      if (typeof args === "object" && options === undefined) { options = args; args = []; }
      else throw typeError("ERR_INVALID_ARG_TYPE", 'The "args" argument must be an instance of Array');
    }
    if (options == null) options = {};
    else if (typeof options !== "object") throw typeError("ERR_INVALID_ARG_TYPE", 'The "options" argument must be of type object');
    return [args.map(String), options];
  }
  function envArray(env) {
    const src = env == null ? g.process.env : env;
    const out = [];
    for (const k of Object.keys(src)) if (src[k] !== undefined) out.push(`${k}=${src[k]}`);
    return out;
  }
  function cwdOf(cwd) {
    if (cwd == null) return null;
    if (typeof cwd === "object" && cwd.protocol === "file:") return decodeURIComponent(cwd.pathname);
    if (typeof cwd !== "string") throw typeError("ERR_INVALID_ARG_TYPE", 'The "options.cwd" property must be of type string');
    return cwd;
  }
  function stdioEntry(v, fd) {
    if (v === null || v === undefined || v === "pipe" || v === "overlapped") return "pipe";
    if (v === "inherit" || v === "ignore") return v;
    if (typeof v === "number" && v >= 0) return v;
    if (v === g.process.stdin) return 0;
    if (v === g.process.stdout) return 1;
    if (v === g.process.stderr) return 2;
    const e = new TypeError(`The value of "stdio[${fd}]" is not supported by geppetto: ${String(v)}`);
    e.code = "ERR_INVALID_ARG_VALUE";
    throw e;
  }
  function stdioOf(stdio) {
    if (stdio === undefined || stdio === null) return ["pipe", "pipe", "pipe"];
    if (typeof stdio === "string") stdio = [stdio, stdio, stdio];
    if (!Array.isArray(stdio)) throw typeError("ERR_INVALID_ARG_VALUE", "The property 'options.stdio' is invalid");
    for (let i = 3; i < stdio.length; i++)
      if (stdio[i] != null && stdio[i] !== "ignore") throw typeError("ERR_INVALID_ARG_VALUE", `stdio[${i}]: geppetto gives a child only descriptors 0-2`);
    return [0, 1, 2].map((fd) => stdioEntry(stdio[fd], fd));
  }
  function checkSignal(signal) {
    if (signal !== undefined && !(signal instanceof g.AbortSignal))
      throw typeError("ERR_INVALID_ARG_TYPE", 'The "options.signal" property must be an instance of AbortSignal');
  }
  // The program and its arguments, through the shell when options.shell asks for it.
  function commandOf(file, args, options) {
    if (!options.shell) return { file, args };
    const line = [file, ...args].join(" ");
    const sh = typeof options.shell === "string" ? options.shell : "/bin/sh";
    return { file: sh, args: ["-c", line] };
  }

  // ---- spawn ---------------------------------------------------------------------------
  function spawn(file, args, options) {
    checkString(file, "file");
    [args, options] = normalizeArgs(args, options);
    checkPermission(`spawn ${file}`);
    checkSignal(options.signal);
    const killSignal = signalNumber(options.killSignal === undefined ? "SIGTERM" : options.killSignal);
    const cmd = commandOf(file, args, options);
    const stdio = stdioOf(options.stdio);
    const child = new ChildProcess();
    child.spawnfile = cmd.file;
    child.spawnargs = [cmd.file, ...cmd.args];
    const h = host.childSpawn(cmd.file, cmd.args, cwdOf(options.cwd), envArray(options.env), stdio,
                              !!options.detached, (k, a, b) => child._onEvent(k, a, b));
    if (typeof h === "number") return failed(child, h, stdio);
    child._handle = h;
    child.pid = host.childPid(h);
    if (stdio[0] === "pipe") child.stdin = new ChildWritable(child);
    if (stdio[1] === "pipe") child.stdout = new ChildReadable(child, 1);
    if (stdio[2] === "pipe") child.stderr = new ChildReadable(child, 2);
    child.stdio = [child.stdin, child.stdout, child.stderr];
    watch(child, options, killSignal);
    queueMicrotask(() => child.emit("spawn"));
    return child;
  }
  // uv_spawn failed: a missing or unusable program is an "error" event, then "close"
  // (as Node); anything else throws.
  function failed(child, errno, stdio) {
    const e = errnoError(errno, `spawn ${child.spawnfile}`, child.spawnfile);
    e.spawnargs = child.spawnargs.slice(1);
    const name = e.code;
    if (!["ENOENT", "EACCES", "EAGAIN", "EMFILE", "ENFILE", "ENOTDIR", "ELOOP", "ENAMETOOLONG"].includes(name)) throw e;
    child.exitCode = errno;
    if (stdio[1] === "pipe") child.stdout = new ChildReadable(child, 1);
    if (stdio[2] === "pipe") child.stderr = new ChildReadable(child, 2);
    if (stdio[0] === "pipe") { child.stdin = new ChildWritable(child); child.stdin.destroyed = true; }
    child.stdio = [child.stdin, child.stdout, child.stderr];
    queueMicrotask(() => {
      child.emit("error", e);
      g.setTimeout(() => child._onEvent("close"), 0);
    });
    return child;
  }
  // options.timeout and options.signal kill the child with killSignal.
  function watch(child, options, killSignal) {
    let timer = null;
    const signal = options.signal;
    const onAbort = () => {
      try {
        if (child.kill(killSignal)) child.emit("error", abortError(signal.reason));
      } catch (e) {
        child.emit("error", e);
      }
    };
    if (options.timeout > 0) {
      timer = g.setTimeout(() => {
        timer = null;
        try { child.kill(killSignal); } catch (e) { child.emit("error", e); }
      }, options.timeout);
    }
    if (signal) {
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener("abort", onAbort, { once: true });
    }
    child._cleanup = () => {
      if (timer !== null) g.clearTimeout(timer);
      timer = null;
      if (signal) signal.removeEventListener("abort", onAbort);
    };
  }

  // ---- execFile, exec ------------------------------------------------------------------
  function execOptions(options) {
    return {
      encoding: "utf8", timeout: 0, maxBuffer: 1024 * 1024, killSignal: "SIGTERM",
      ...options,
    };
  }
  function maxBufferError(name) {
    const e = new RangeError(`${name} maxBuffer length exceeded`);
    e.code = "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";
    return e;
  }
  // Collects one output stream up to maxBuffer bytes; onOverflow() once past it.
  function collector(stream, maxBuffer, name, onOverflow) {
    const c = { chunks: [], len: 0 };
    if (stream === null) return c;
    stream.on("data", (chunk) => {
      if (c.len + chunk.length > maxBuffer) {
        const keep = Math.max(0, maxBuffer - c.len);
        if (keep > 0) c.chunks.push(chunk.subarray(0, keep));
        c.len += keep;
        onOverflow(maxBufferError(name));
        return;
      }
      c.chunks.push(chunk);
      c.len += chunk.length;
    });
    return c;
  }
  function output(c, encoding) {
    const bytes = concat(c.chunks, c.len);
    return encoding === "buffer" || encoding === null ? bytes : decodeAll(bytes, encoding);
  }

  function execFile(file, args, options, callback) {
    if (typeof args === "function") { callback = args; args = undefined; options = undefined; }
    else if (typeof options === "function") { callback = options; options = undefined; }
    if (args != null && !Array.isArray(args) && typeof args === "object" && options === undefined) { options = args; args = undefined; }
    [args, options] = normalizeArgs(args, options);
    options = execOptions(options);
    const child = spawn(file, args, {
      cwd: options.cwd, env: options.env, shell: options.shell, signal: options.signal,
      killSignal: options.killSignal, stdio: options.stdio, detached: options.detached,
    });
    let cmd = options._command !== undefined ? options._command : [file, ...args].join(" ");
    let ex = null, killed = false, exited = false, timer = null;
    const kill = () => {
      if (child.stdout) child.stdout.destroy();
      if (child.stderr) child.stderr.destroy();
      killed = true;
      try { child.kill(options.killSignal); } catch (e) { ex = e; done(); }
    };
    const out = collector(child.stdout, options.maxBuffer, "stdout", (e) => { if (!ex) ex = e; kill(); });
    const err = collector(child.stderr, options.maxBuffer, "stderr", (e) => { if (!ex) ex = e; kill(); });
    if (options.timeout > 0) timer = g.setTimeout(() => { timer = null; kill(); }, options.timeout);
    function done(code, signal) {
      if (exited) return;
      exited = true;
      if (timer !== null) g.clearTimeout(timer);
      if (!callback) return;
      const stdout = output(out, options.encoding), stderr = output(err, options.encoding);
      if (!ex && code === 0 && signal === null) { callback(null, stdout, stderr); return; }
      if (!ex) {
        ex = new Error(`Command failed: ${cmd}\n${stderr}`);
        ex.code = code < 0 ? host.childErr(code)[0] : code;
        ex.killed = child.killed || killed;
        ex.signal = signal;
      }
      ex.cmd = cmd;
      ex.stdout = stdout;
      ex.stderr = stderr;
      callback(ex, stdout, stderr);
    }
    child.on("close", done);
    child.on("error", (e) => {
      ex = e;
      if (child.stdout) child.stdout.destroy();
      if (child.stderr) child.stderr.destroy();
      done();
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // a child that does not read its input
      if (options.input !== undefined) child.stdin.end(options.input);
    }
    return child;
  }

  function exec(command, options, callback) {
    if (typeof options === "function") { callback = options; options = undefined; }
    checkString(command, "command");
    options = { ...(options || {}) };
    options.shell = typeof options.shell === "string" ? options.shell : true;
    options._command = command;
    return execFile(command, [], options, callback);
  }

  // util.promisify(exec / execFile): a promise of {stdout, stderr}, as Node's.
  const custom = Symbol.for("nodejs.util.promisify.custom");
  for (const fn of [exec, execFile]) {
    Object.defineProperty(fn, custom, {
      value: (...args) => {
        let child;
        const p = new Promise((resolve, reject) => {
          child = fn(...args, (e, stdout, stderr) => (e ? reject(e) : resolve({ stdout, stderr })));
        });
        p.child = child;
        return p;
      },
    });
  }

  // ---- the synchronous forms -------------------------------------------------------------
  function inputBytes(input) {
    if (input === undefined || input === null) return null;
    if (typeof input === "string") return encodeUtf8(input);
    if (input instanceof Uint8Array) return input;
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw typeError("ERR_INVALID_ARG_TYPE", 'The "options.input" property must be of type string or an instance of Buffer, TypedArray, or DataView');
  }
  function spawnSync(file, args, options) {
    checkString(file, "file");
    [args, options] = normalizeArgs(args, options);
    checkPermission(`spawnSync ${file}`);
    const killSignal = signalNumber(options.killSignal === undefined ? "SIGTERM" : options.killSignal);
    const cmd = commandOf(file, args, options);
    const stdio = stdioOf(options.stdio);
    const maxBuffer = options.maxBuffer === undefined ? 1024 * 1024 : options.maxBuffer;
    const r = host.childSpawnSync(cmd.file, cmd.args, cwdOf(options.cwd), envArray(options.env), stdio,
                                  false, inputBytes(options.input), options.timeout > 0 ? options.timeout : 0,
                                  killSignal, maxBuffer === Infinity ? 0 : maxBuffer);
    const enc = options.encoding === undefined || options.encoding === "buffer" ? null : options.encoding;
    const conv = (u8, fd) => (stdio[fd] !== "pipe" ? null : enc ? decodeAll(u8, enc) : toBytes(u8));
    const ret = { pid: r.pid, output: [null, conv(r.stdout, 1), conv(r.stderr, 2)] };
    ret.stdout = ret.output[1];
    ret.stderr = ret.output[2];
    ret.status = r.error || r.signal ? null : r.status;
    ret.signal = r.signal ? signalNames[r.signal] || r.signal : null;
    const syscall = `spawnSync ${cmd.file}`;
    if (r.error) {
      ret.error = errnoError(r.error, syscall, cmd.file);
      ret.error.spawnargs = cmd.args;
    } else if (r.timedOut) {
      ret.error = errnoError(-110, syscall, cmd.file);
    } else if (r.overflow) {
      ret.error = errnoError(-105, syscall, cmd.file);
    }
    return ret;
  }
  // execFileSync/execSync: stdout (a Buffer unless `encoding`); throws when the child
  // failed, with status, signal, stdout, stderr. stderr goes to ours unless captured.
  function runSync(file, args, options, command) {
    const stdio = options.stdio === undefined ? ["pipe", "pipe", "inherit"] : options.stdio;
    const ret = spawnSync(file, args, { ...options, stdio: stdio === "inherit" ? stdio : stdioOf(stdio).map((v, i) => (i === 2 && v === "inherit" ? "pipe" : v)) });
    const inheritStderr = Array.isArray(stdio) ? stdio[2] === "inherit" : stdio === "inherit";
    if (inheritStderr && ret.stderr && ret.stderr.length && stdio !== "inherit") {
      g.process.stderr.write(typeof ret.stderr === "string" ? ret.stderr : decodeUtf8(ret.stderr));
    }
    let err = null;
    if (ret.error) {
      err = ret.error;
      Object.assign(err, ret);
      delete err.error;
    } else if (ret.status !== 0) {
      let msg = `Command failed: ${command}`;
      if (ret.stderr && ret.stderr.length > 0) msg += "\n" + (typeof ret.stderr === "string" ? ret.stderr : decodeUtf8(ret.stderr));
      err = new Error(msg);
      Object.assign(err, ret);
    }
    if (err) throw err;
    return ret.stdout;
  }
  function execFileSync(file, args, options) {
    checkString(file, "file");
    [args, options] = normalizeArgs(args, options);
    return runSync(file, args, options, [file, ...args].join(" "));
  }
  function execSync(command, options) {
    checkString(command, "command");
    options = { ...(options || {}) };
    options.shell = typeof options.shell === "string" ? options.shell : true;
    return runSync(command, [], options, command);
  }

  return { spawn, exec, execFile, spawnSync, execSync, execFileSync, ChildProcess };
})
