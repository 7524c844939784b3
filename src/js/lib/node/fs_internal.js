// The machinery under Node's `fs` (lib/node/fs.js), not a module scripts can require:
// the drivers that run one operation in each of the three forms, Node's error objects,
// argument conversion (paths, flags, modes, encodings), the one permission check, and
// the Stats and Dirent classes.
//
// An operation is written once, as a generator that yields requests for natives of
// host.fs (src/js/mod_fs.c) and gets each one's value back (or its error thrown in).
// runSync calls the natives synchronously (the *Sync forms); runAsync passes each a
// callback, so the call runs on libuv's thread pool and the generator resumes on the
// owner when it completes: nothing blocks the script's thread.
(function (host, lib, g) {
  "use strict";
  const N = host.fs;
  const errors = lib("node/internal_errors");
  const { argType, argValue, outOfRange, abortError } = errors;
  const pathMod = lib("node/path");
  const C = N.constants;

  // ---- Errors ---------------------------------------------------------------------
  // Node's error for a failed system call: "ENOENT: no such file or directory, open
  // '/x'", with errno (negative), code, syscall, path and dest when they apply.
  function uvError(errno, req) {
    const [code, desc] = N.errname(errno);
    let msg = `${code}: ${desc}, ${req.syscall}`;
    if (req.path !== undefined) msg += ` '${req.path}'`;
    if (req.dest !== undefined) msg += ` -> '${req.dest}'`;
    const e = new Error(msg);
    e.errno = errno;
    e.code = code;
    e.syscall = req.syscall;
    if (req.path !== undefined) e.path = req.path;
    if (req.dest !== undefined) e.dest = req.dest;
    return e;
  }
  // Node's SystemError for a failure it detects itself (rm of a directory).
  function systemError(code, info, message, path) {
    const e = new Error(message);
    e.name = "SystemError";
    e.code = code;
    e.errno = info.errno;
    e.syscall = info.syscall;
    e.path = path;
    e.info = Object.assign({ path }, info);
    return e;
  }

  // ---- Requests and drivers ----------------------------------------------------------
  // A request: the native, its arguments (without the callback), and what an error
  // names (syscall, path, dest).
  function req(fn, syscall, path, dest, args) {
    return { fn, syscall, path, dest, args };
  }

  function runSync(gen) {
    let r = gen.next();
    while (!r.done) {
      const q = r.value;
      let v, err = null;
      try {
        v = q.fn(...q.args, undefined);
      } catch (e) {
        err = typeof e === "number" ? uvError(e, q) : e;
      }
      r = err ? gen.throw(err) : gen.next(v);
    }
    return r.value;
  }

  // Drives `gen` through asynchronous natives; done(err, value) once at the end, never
  // before runAsync has returned. `signal` (optional): when it is aborted, the next
  // step throws an AbortError into the operation (which closes what it opened).
  function runAsync(gen, done, signal) {
    let sync = true;
    let abortSent = false;
    const finish = (err, v) => {
      if (sync) queueMicrotask(() => done(err, v));
      else done(err, v);
    };
    const step = (err, v) => {
      for (;;) {
        let r;
        try {
          if (!err && !abortSent && signal && signal.aborted) {
            abortSent = true;
            err = abortError(signal);
          }
          r = err ? gen.throw(err) : gen.next(v);
        } catch (e) {
          return finish(e);
        }
        if (r.done) return finish(null, r.value);
        const q = r.value;
        try {
          q.fn(...q.args, (code, val) => step(code < 0 ? uvError(code, q) : null, val));
          return;
        } catch (e) { // could not start: the operation sees the error at once
          err = typeof e === "number" ? uvError(e, q) : e;
          v = undefined;
        }
      }
    };
    step(null, undefined);
    sync = false;
  }

  // The promise form: `make` builds the operation (and may throw: a rejection).
  function runPromise(make, signal) {
    return new Promise((resolve, reject) => {
      runAsync(make(), (err, v) => (err ? reject(err) : resolve(v)), signal);
    });
  }

  // ---- Permissions ---------------------------------------------------------------
  // The one check of every operation (SPEC §3.4): kind "read" or "write" on `path`
  // (as the script gave it), for `what` (the function's name).
  function allow(kind, path, what) {
    if (host.permission) {
      const abs = pathMod.resolve(String(path));
      host.permission.requireFs(kind, abs, `fs.${what} ${path}`);
    }
  }

  // ---- Arguments -----------------------------------------------------------------
  // A path argument (string, Uint8Array or file: URL) as a string without NUL.
  function toPath(p, name = "path") {
    if (typeof p !== "string") {
      if (p instanceof Uint8Array) p = decode(p, "utf8");
      else if (g.URL && p instanceof g.URL) p = lib("node/url").fileURLToPath(p);
      else throw argType(name, "of type string or an instance of Buffer or URL", p);
    }
    if (p.includes("\u0000"))
      throw argValue(name, p, "must be a string, Uint8Array, or URL without null bytes");
    return p;
  }

  function toFd(fd, name = "fd") {
    if (typeof fd !== "number") throw argType(name, "of type number", fd);
    if (!Number.isInteger(fd) || fd < 0 || fd > 2147483647)
      throw outOfRange(name, ">= 0 && <= 2147483647", fd);
    return fd;
  }

  const flagTable = {
    r: C.O_RDONLY, rs: C.O_RDONLY | C.O_SYNC, sr: C.O_RDONLY | C.O_SYNC,
    "r+": C.O_RDWR, "rs+": C.O_RDWR | C.O_SYNC, "sr+": C.O_RDWR | C.O_SYNC,
    w: C.O_TRUNC | C.O_CREAT | C.O_WRONLY,
    wx: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
    xw: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
    "w+": C.O_TRUNC | C.O_CREAT | C.O_RDWR,
    "wx+": C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
    "xw+": C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
    a: C.O_APPEND | C.O_CREAT | C.O_WRONLY,
    ax: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
    xa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
    as: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
    sa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
    "a+": C.O_APPEND | C.O_CREAT | C.O_RDWR,
    "ax+": C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
    "xa+": C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
    "as+": C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
    "sa+": C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
  };
  // open(2) flags from Node's strings ("r", "w+", "ax", ...) or a number.
  function toFlags(flags, dflt = "r") {
    if (flags === undefined || flags === null) flags = dflt;
    if (typeof flags === "number") return flags;
    if (typeof flags === "string" && Object.prototype.hasOwnProperty.call(flagTable, flags))
      return flagTable[flags];
    throw argValue("flags", flags);
  }
  // Does this open need write access (permission check)?
  const writes = (flags) => (flags & (C.O_WRONLY | C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_APPEND)) !== 0;
  const reads = (flags) => (flags & C.O_WRONLY) === 0;

  // A mode: a number or an octal string ("644"); `dflt` when absent.
  function toMode(mode, dflt, name = "mode") {
    if (mode === undefined || mode === null) return dflt;
    if (typeof mode === "string") {
      if (!/^[0-7]+$/.test(mode)) throw argValue(name, mode, "must be a 32-bit unsigned integer or an octal string");
      mode = parseInt(mode, 8);
    }
    if (typeof mode !== "number") throw argType(name, "of type number", mode);
    if (!Number.isInteger(mode) || mode < 0 || mode > 4294967295)
      throw outOfRange(name, ">= 0 && <= 4294967295", mode);
    return mode;
  }

  // options given as a string are the encoding; undefined/null: {}.
  function toOptions(options, defaults) {
    if (options === undefined || options === null || typeof options === "function") return Object.assign({}, defaults);
    if (typeof options === "string") return Object.assign({}, defaults, { encoding: options });
    if (typeof options !== "object") throw argType("options", "one of type string or an instance of Object", options);
    return Object.assign({}, defaults, options);
  }

  function toSignal(signal) {
    if (signal === undefined || signal === null) return undefined;
    if (!g.AbortSignal || !(signal instanceof g.AbortSignal))
      throw argType("options.signal", "an instance of AbortSignal", signal);
    return signal;
  }

  function toCallback(cb) {
    if (typeof cb !== "function") throw argType("cb", "of type function", cb);
    return cb;
  }

  // ---- Bytes and strings ----------------------------------------------------------
  // The bytes a script handed over (a typed array or DataView), as a Uint8Array view.
  function isView(v) {
    return ArrayBuffer.isView(v);
  }
  function viewBytes(v) {
    return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  // What a read returns: a Buffer over the same memory (the Uint8Array itself in a
  // runtime without Buffer).
  function toBuffer(u8) {
    const B = g.Buffer;
    if (typeof B !== "function" || u8 instanceof B) return u8;
    return B.from(u8.buffer, u8.byteOffset, u8.length);
  }

  const encAliases = {
    utf8: "utf8", "utf-8": "utf8", latin1: "latin1", binary: "latin1", ascii: "ascii",
    hex: "hex", base64: "base64", base64url: "base64url", ucs2: "utf16le", "ucs-2": "utf16le",
    utf16le: "utf16le", "utf-16le": "utf16le", buffer: "buffer",
  };
  function toEncoding(enc, name = "encoding") {
    if (enc === undefined || enc === null) return null;
    const e = typeof enc === "string" ? encAliases[enc.toLowerCase()] : undefined;
    if (e === undefined) {
      const err = new TypeError(`The argument '${name}' is invalid encoding. Received '${enc}'`);
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    return e;
  }

  // Bytes -> string in `enc` ("buffer": a Buffer over the same bytes).
  function decode(u8, enc) {
    const b = toBuffer(u8);
    return enc === "buffer" ? b : b.toString(enc);
  }
  // String -> bytes in `enc` (a Buffer).
  function encode(s, enc) {
    return g.Buffer.from(s, !enc || enc === "buffer" ? "utf8" : enc);
  }

  // ---- Stats and Dirent -------------------------------------------------------------
  const S_IFMT = C.S_IFMT;
  function typeTests(proto, modeOf) {
    const is = (bits) => function () { return (modeOf(this) & S_IFMT) === bits; };
    proto.isFile = is(C.S_IFREG);
    proto.isDirectory = is(C.S_IFDIR);
    proto.isSymbolicLink = is(C.S_IFLNK);
    proto.isBlockDevice = is(C.S_IFBLK);
    proto.isCharacterDevice = is(C.S_IFCHR);
    proto.isFIFO = is(C.S_IFIFO);
    proto.isSocket = is(C.S_IFSOCK);
  }

  const statNames = ["dev", "mode", "nlink", "uid", "gid", "rdev", "blksize", "ino", "size", "blocks"];
  const timeNames = ["atime", "mtime", "ctime", "birthtime"];
  // Stats from the native's 18 numbers (src/js/mod_fs.c, gp__fs_stat_value).
  class Stats {
    constructor(a, bigint) {
      const conv = bigint ? (x) => BigInt(x) : (x) => x;
      statNames.forEach((k, i) => { this[k] = conv(a[i]); });
      timeNames.forEach((k, i) => {
        const sec = a[10 + 2 * i], nsec = a[11 + 2 * i];
        const ms = sec * 1e3 + nsec / 1e6;
        if (bigint) {
          this[k + "Ms"] = BigInt(sec) * 1000n + BigInt(Math.floor(nsec / 1e6));
          this[k + "Ns"] = BigInt(sec) * 1000000000n + BigInt(nsec);
        } else {
          this[k + "Ms"] = ms;
        }
        this[k] = new Date(Math.round(ms));
      });
    }
  }
  typeTests(Stats.prototype, (s) => Number(s.mode));

  // Entries of a directory: name, parentPath (and `path`, its older name), and the type
  // scandir reported (UV_DIRENT_*).
  const kType = Symbol("type");
  const direntModes = [0, C.S_IFREG, C.S_IFDIR, C.S_IFLNK, C.S_IFIFO, C.S_IFSOCK, C.S_IFCHR, C.S_IFBLK];
  class Dirent {
    constructor(name, type, parentPath) {
      this.name = name;
      this.parentPath = parentPath;
      this.path = parentPath;
      this[kType] = type;
    }
  }
  typeTests(Dirent.prototype, (d) => direntModes[d[kType]] || 0);
  // The UV_DIRENT_* type of a stat mode.
  function direntType(mode) {
    const i = direntModes.indexOf(mode & S_IFMT);
    return i > 0 ? i : C.UV_DIRENT_UNKNOWN;
  }

  return {
    C, uvError, systemError, req, runSync, runAsync, runPromise, allow,
    toPath, toFd, toFlags, toMode, toOptions, toSignal, toCallback, writes, reads,
    isView, viewBytes, toBuffer, toEncoding, decode, encode,
    Stats, Dirent, direntType, errors, pathMod,
  };
})
