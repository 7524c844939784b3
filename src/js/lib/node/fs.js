// Node's `fs` module (SPEC §3.2) in its three forms: callbacks (fs.readFile(p, cb)),
// promises (fs.promises.readFile, also require("fs/promises")) and synchronous
// (fs.readFileSync). Each operation is written once below as a "maker": it checks its
// arguments and the permission model at once (a bad argument throws, even in the
// callback form, as in Node) and returns a generator that yields native requests;
// fs_internal.js drives it synchronously or on libuv's thread pool.
//
// Large files are read and written in pieces of CHUNK bytes, one thread-pool request
// each, so a 100 MB readFile leaves the script's thread free between pieces.
(function (host, lib, g) {
  "use strict";
  const N = host.fs;
  const I = lib("node/fs_internal");
  const { C, req, runSync, runAsync, runPromise, allow, toPath, toFd, toFlags, toMode,
          toOptions, toSignal, toEncoding, Stats, Dirent, pathMod } = I;
  const { argType, outOfRange } = I.errors;

  const CHUNK = 2 << 20;          // bytes per read/write request of whole-file operations
  const MAX_FILE = 2 ** 31 - 1;   // Node's limit for readFile (kIoMaxLength)
  const S_IFMT = C.S_IFMT;
  const isDirMode = (mode) => (mode & S_IFMT) === C.S_IFDIR;

  // ---- Requests ---------------------------------------------------------------------
  const R = {
    open: (p, flags, mode) => req(N.open, "open", p, undefined, [p, flags, mode]),
    close: (fd) => req(N.close, "close", undefined, undefined, [fd]),
    // direct: fd is a regular file, read/written straight from `buf` on the thread pool
    read: (fd, buf, off, len, pos, direct = false) => req(N.read, "read", undefined, undefined, [fd, buf, off, len, pos, direct]),
    write: (fd, buf, off, len, pos, direct = false) => req(N.write, "write", undefined, undefined, [fd, buf, off, len, pos, direct]),
    stat: (p) => req(N.stat, "stat", p, undefined, [p]),
    lstat: (p) => req(N.lstat, "lstat", p, undefined, [p]),
    fstat: (fd) => req(N.fstat, "fstat", undefined, undefined, [fd]),
    scandir: (p) => req(N.scandir, "scandir", p, undefined, [p]),
    mkdir: (p, mode) => req(N.mkdir, "mkdir", p, undefined, [p, mode]),
    rmdir: (p) => req(N.rmdir, "rmdir", p, undefined, [p]),
    unlink: (p) => req(N.unlink, "unlink", p, undefined, [p]),
    fsync: (fd) => req(N.fsync, "fsync", undefined, undefined, [fd]),
    ftruncate: (fd, len) => req(N.ftruncate, "ftruncate", undefined, undefined, [fd, len]),
  };

  // A generator yielding one request and returning its value, mapped by `then`.
  function* one(request, then) {
    const v = yield request;
    return then ? then(v) : v;
  }

  // Runs `body` (a generator) on `fd`, closing fd afterwards when `own` (a failure of
  // that close after another failure is dropped).
  function* closing(fd, own, body) {
    let v;
    try {
      v = yield* body;
    } catch (e) {
      if (own) {
        try { yield R.close(fd); } catch (_) { /* the first error wins */ }
      }
      throw e;
    }
    if (own) yield R.close(fd);
    return v;
  }

  // The permission checks of an open with these flags.
  function allowOpen(path, flags, what) {
    if ((flags & C.O_WRONLY) === 0) allow("read", path, what);
    if (I.writes(flags)) allow("write", path, what);
  }

  // ---- Whole files --------------------------------------------------------------------
  function tooLarge(size) {
    const e = new RangeError(`File size (${size}) is greater than 2 GiB`);
    e.code = "ERR_FS_FILE_TOO_LARGE";
    return e;
  }

  // Everything left in fd: into one array of the file's size for a regular file, else
  // in 64 KiB pieces until the end (pipes, /proc files).
  function* readAll(fd) {
    const st = yield R.fstat(fd);
    const size = (st[1] & S_IFMT) === C.S_IFREG ? st[8] : 0;
    if (size > MAX_FILE) throw tooLarge(size);
    if (size > 0) {
      const buf = new Uint8Array(size);
      let n = 0;
      while (n < size) {
        const got = yield R.read(fd, buf, n, Math.min(CHUNK, size - n), -1, true);
        if (got === 0) break;
        n += got;
      }
      return n < size ? buf.subarray(0, n) : buf;
    }
    const pieces = [];
    let total = 0;
    for (;;) {
      const piece = new Uint8Array(65536);
      const got = yield R.read(fd, piece, 0, piece.length, -1);
      if (got === 0) break;
      pieces.push(piece.subarray(0, got));
      total += got;
      if (total > MAX_FILE) throw tooLarge(total);
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of pieces) { all.set(p, at); at += p.length; }
    return all;
  }

  // Large data into a regular file goes straight from `bytes` (see R.write).
  function* writeAll(fd, bytes, flush) {
    const direct = bytes.length > 65536 && ((yield R.fstat(fd))[1] & S_IFMT) === C.S_IFREG;
    let off = 0;
    while (off < bytes.length) {
      const n = yield R.write(fd, bytes, off, Math.min(CHUNK, bytes.length - off), -1, direct);
      if (!(n > 0)) throw I.uvError(-5, { syscall: "write" }); // EIO: never loop on a write of nothing
      off += n;
    }
    if (flush) yield R.fsync(fd);
  }

  // A FileHandle or a descriptor stands for an open file; anything else is a path.
  const fdOf = (f) => (f instanceof FileHandle ? f.fd : typeof f === "number" ? toFd(f) : null);
  function fdArg(f) {
    const fd = fdOf(f);
    if (fd === null) throw argType("fd", "of type number", f);
    return fd;
  }

  function readFile(file, options) {
    const o = toOptions(options, { flag: "r" });
    const enc = toEncoding(o.encoding);
    const signal = toSignal(o.signal);
    let fd = fdOf(file), flags;
    if (fd === null) {
      file = toPath(file);
      flags = toFlags(o.flag);
      allowOpen(file, flags, "readFile");
    }
    const gen = (function* () {
      const own = fd === null;
      const f = own ? yield R.open(file, flags, 0o666) : fd;
      const bytes = yield* closing(f, own, readAll(f));
      return enc ? I.decode(bytes, enc) : I.toBuffer(bytes);
    })();
    gen.signal = signal;
    return gen;
  }

  function dataBytes(data, enc) {
    if (typeof data === "string") return I.encode(data, enc);
    if (I.isView(data)) return I.viewBytes(data);
    throw argType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  }

  function writeFileWith(what, dfltFlag) {
    return function (file, data, options) {
      const o = toOptions(options, { encoding: "utf8", mode: 0o666, flag: dfltFlag });
      const enc = toEncoding(o.encoding);
      const signal = toSignal(o.signal);
      const bytes = dataBytes(data, enc);
      const mode = toMode(o.mode, 0o666);
      let fd = fdOf(file), flags;
      if (fd === null) {
        file = toPath(file);
        flags = toFlags(o.flag);
        allowOpen(file, flags, what);
      }
      const gen = (function* () {
        const own = fd === null;
        const f = own ? yield R.open(file, flags, mode) : fd;
        yield* closing(f, own, writeAll(f, bytes, o.flush === true));
      })();
      gen.signal = signal;
      return gen;
    };
  }
  const writeFile = writeFileWith("writeFile", "w");
  const appendFile = writeFileWith("appendFile", "a");

  // ---- Metadata -------------------------------------------------------------------------
  function statWith(kind) {
    return function (path, options) {
      const o = toOptions(options, {});
      path = toPath(path);
      allow("read", path, kind);
      return (function* () {
        try {
          return new Stats(yield R[kind](path), o.bigint === true);
        } catch (e) {
          if (o.throwIfNoEntry === false && e.code === "ENOENT") return undefined;
          throw e;
        }
      })();
    };
  }
  const stat = statWith("stat");
  const lstat = statWith("lstat");
  function fstat(fd, options) {
    const o = toOptions(options, {});
    const f = fdArg(fd);
    return one(R.fstat(f), (a) => new Stats(a, o.bigint === true));
  }

  function access(path, mode) {
    path = toPath(path);
    mode = toMode(mode, C.F_OK);
    allow("read", path, "access");
    return one(req(N.access, "access", path, undefined, [path, mode]));
  }

  function exists(path) {
    try { path = toPath(path); } catch (e) { return (function* () { throw e; })(); }
    allow("read", path, "exists");
    return one(req(N.access, "access", path, undefined, [path, C.F_OK]));
  }

  // realpath(3) in one request. Node's fs.realpath and realpathSync walk the path with
  // lstat and so fail naming lstat and the first component that failed; so do these
  // (found again after the failure). fs.realpath.native and fs.promises.realpath name
  // realpath and the whole path.
  function realpathWith(native) {
    return function (path, options) {
      const o = toOptions(options, {});
      const enc = toEncoding(o.encoding);
      path = toPath(path);
      allow("read", path, "realpath");
      return (function* () {
        let p;
        try {
          p = yield req(N.realpath, "realpath", path, undefined, [path]);
        } catch (e) {
          if (native || e.syscall !== "realpath") throw e;
          const abs = pathMod.resolve(path);
          let at = abs.indexOf("/", 1);
          for (;;) {
            const prefix = at < 0 ? abs : abs.slice(0, at);
            try { yield R.lstat(prefix); } catch (e2) { throw e2; }
            if (at < 0) throw e;
            at = abs.indexOf("/", at + 1);
          }
        }
        return enc === "buffer" ? I.toBuffer(I.encode(p)) : p;
      })();
    };
  }
  const realpath = realpathWith(false);
  const realpathNative = realpathWith(true);

  function readlink(path, options) {
    const o = toOptions(options, {});
    const enc = toEncoding(o.encoding);
    path = toPath(path);
    allow("read", path, "readlink");
    return one(req(N.readlink, "readlink", path, undefined, [path]), (p) => (enc === "buffer" ? I.toBuffer(I.encode(p)) : p));
  }

  function chmod(path, mode) {
    path = toPath(path);
    mode = toMode(mode, undefined);
    if (mode === undefined) throw argType("mode", "of type number", mode);
    allow("write", path, "chmod");
    return one(req(N.chmod, "chmod", path, undefined, [path, mode]));
  }

  // A time as seconds since the epoch (Date, number of seconds, numeric string).
  function toTime(t, name) {
    if (t instanceof Date) return t.getTime() / 1000;
    if (typeof t === "number" && Number.isFinite(t)) return t;
    if (typeof t === "string" && t.trim() !== "" && Number.isFinite(Number(t))) return Number(t);
    throw argType(name, "of type number or an instance of Date", t);
  }
  function utimes(path, atime, mtime) {
    path = toPath(path);
    const a = toTime(atime, "atime"), m = toTime(mtime, "mtime");
    allow("write", path, "utimes");
    return one(req(N.utimes, "utime", path, undefined, [path, a, m]));
  }

  // ---- Directories ---------------------------------------------------------------------
  // Names (or Dirents) of a directory; `recursive`: of everything under it, breadth
  // first, named relative to `path`. Symbolic links to directories are not followed.
  function readdir(path, options) {
    const o = toOptions(options, { encoding: "utf8" });
    const enc = toEncoding(o.encoding);
    const withTypes = o.withFileTypes === true, recursive = o.recursive === true;
    path = toPath(path);
    allow("read", path, "readdir");
    const name = (s) => (enc === "buffer" ? I.toBuffer(I.encode(s)) : s);
    return (function* () {
      const out = [];
      const queue = [[path, ""]];
      for (let qi = 0; qi < queue.length; qi++) {
        const [dir, rel] = queue[qi];
        const [names, types] = yield R.scandir(dir);
        for (let i = 0; i < names.length; i++) {
          let type = types[i];
          const full = pathMod.join(dir, names[i]);
          if (type === C.UV_DIRENT_UNKNOWN && (withTypes || recursive)) {
            try { type = I.direntType((yield R.lstat(full))[1]); } catch (_) { /* gone */ }
          }
          if (withTypes) out.push(new Dirent(name(names[i]), type, dir));
          else out.push(name(rel ? rel + "/" + names[i] : names[i]));
          if (recursive && type === C.UV_DIRENT_DIR) queue.push([full, rel ? rel + "/" + names[i] : names[i]]);
        }
      }
      return out;
    })();
  }

  // mkdir -p: the first directory it created, or undefined when all existed.
  function* mkdirp(path, mode) {
    try {
      yield R.mkdir(path, mode);
      return path;
    } catch (e) {
      if (e.code === "EEXIST") {
        const st = yield R.stat(path);
        if (!isDirMode(st[1])) throw e;
        return undefined;
      }
      const parent = pathMod.dirname(path);
      if (e.code !== "ENOENT" || parent === path) throw e;
      const first = yield* mkdirp(parent, mode);
      try {
        yield R.mkdir(path, mode);
      } catch (e2) {
        if (e2.code !== "EEXIST" || !isDirMode((yield R.stat(path))[1])) throw e2;
      }
      return first === undefined ? path : first;
    }
  }

  function mkdir(path, options) {
    const o = typeof options === "number" || typeof options === "string" ? { mode: options } : toOptions(options, {});
    const mode = toMode(o.mode, 0o777);
    path = toPath(path);
    allow("write", path, "mkdir");
    return o.recursive === true ? mkdirp(path, mode) : one(R.mkdir(path, mode));
  }

  function mkdtemp(prefix, options) {
    const o = toOptions(options, {});
    const enc = toEncoding(o.encoding);
    prefix = toPath(prefix, "prefix");
    allow("write", prefix, "mkdtemp");
    const tpl = prefix + "XXXXXX";
    return one(req(N.mkdtemp, "mkdtemp", tpl, undefined, [tpl]), (p) => (enc === "buffer" ? I.toBuffer(I.encode(p)) : p));
  }

  // Removes what is in `dir`, then dir; `force`: entries that vanish meanwhile are fine.
  function* rmTree(dir, force) {
    const ignore = (e) => { if (!(force && e.code === "ENOENT")) throw e; };
    let listing;
    try { listing = yield R.scandir(dir); } catch (e) { return ignore(e); }
    const [names, types] = listing;
    for (let i = 0; i < names.length; i++) {
      const child = dir + "/" + names[i];
      let type = types[i];
      try {
        if (type === C.UV_DIRENT_UNKNOWN) type = I.direntType((yield R.lstat(child))[1]);
        if (type === C.UV_DIRENT_DIR) yield* rmTree(child, force);
        else yield R.unlink(child);
      } catch (e) { ignore(e); }
    }
    try { yield R.rmdir(dir); } catch (e) { ignore(e); }
  }

  function rm(path, options) {
    const o = toOptions(options, {});
    const force = o.force === true, recursive = o.recursive === true;
    path = toPath(path);
    allow("write", path, "rm");
    return (function* () {
      let st;
      try {
        st = yield R.lstat(path);
      } catch (e) {
        if (force && e.code === "ENOENT") return;
        throw e;
      }
      if (isDirMode(st[1])) {
        if (!recursive)
          throw I.systemError("ERR_FS_EISDIR", { code: "EISDIR", message: "is a directory", errno: 21, syscall: "rm" },
                              `Path is a directory: rm returned EISDIR (is a directory) ${path}`, path);
        yield* rmTree(path, force);
      } else {
        try { yield R.unlink(path); } catch (e) { if (!(force && e.code === "ENOENT")) throw e; }
      }
    })();
  }

  function rmdir(path, options) {
    const o = toOptions(options, {});
    path = toPath(path);
    allow("write", path, "rmdir");
    if (o.recursive !== true) return one(R.rmdir(path));
    return (function* () {
      const st = yield R.lstat(path);
      if (!isDirMode(st[1])) throw I.uvError(-20, { syscall: "rmdir", path });
      yield* rmTree(path, false);
    })();
  }

  function unlink(path) {
    path = toPath(path);
    allow("write", path, "unlink");
    return one(R.unlink(path));
  }

  function rename(from, to) {
    from = toPath(from, "oldPath");
    to = toPath(to, "newPath");
    allow("write", from, "rename");
    allow("write", to, "rename");
    return one(req(N.rename, "rename", from, to, [from, to]));
  }

  function copyFile(src, dest, mode) {
    src = toPath(src, "src");
    dest = toPath(dest, "dest");
    mode = toMode(mode, 0, "mode");
    allow("read", src, "copyFile");
    allow("write", dest, "copyFile");
    return one(req(N.copyfile, "copyfile", src, dest, [src, dest, mode]));
  }

  function symlink(target, path, type) {
    target = toPath(target, "target");
    path = toPath(path);
    allow("write", path, "symlink");
    const flags = type === "dir" ? C.UV_FS_SYMLINK_DIR : type === "junction" ? C.UV_FS_SYMLINK_JUNCTION : 0;
    return one(req(N.symlink, "symlink", target, path, [target, path, flags]));
  }

  function truncate(file, len) {
    len = len === undefined || len === null ? 0 : len;
    if (typeof len !== "number") throw argType("len", "of type number", len);
    const fd = fdOf(file);
    if (fd !== null) return one(R.ftruncate(fd, Math.max(0, len)));
    file = toPath(file);
    allow("write", file, "truncate");
    return (function* () {
      const f = yield R.open(file, C.O_RDWR, 0o666);
      yield* closing(f, true, one(R.ftruncate(f, Math.max(0, len))));
    })();
  }

  // ---- Descriptors ----------------------------------------------------------------------
  function open(path, flags, mode) {
    path = toPath(path);
    const fl = toFlags(flags, "r");
    mode = toMode(mode, 0o666);
    allowOpen(path, fl, "open");
    return one(R.open(path, fl, mode));
  }
  const close = (fd) => one(R.close(toFd(fd)));
  const fsync = (fd) => one(R.fsync(fdArg(fd)));
  const ftruncate = (fd, len) => one(R.ftruncate(fdArg(fd), len === undefined ? 0 : len));

  function toPosition(pos) {
    if (pos === undefined || pos === null || pos === -1) return -1;
    if (typeof pos === "bigint") pos = Number(pos);
    if (typeof pos !== "number" || !Number.isInteger(pos) || pos < 0)
      throw outOfRange("position", ">= 0", pos);
    return pos;
  }

  // The (buffer, offset, length, position) of read/write in any of Node's spellings:
  // (buf, off, len, pos), (buf, {offset, length, position}), ({buffer, ...}).
  function ioArgs(buffer, offset, length, position, forRead) {
    let o = null;
    if (buffer !== null && typeof buffer === "object" && !I.isView(buffer)) { o = buffer; buffer = o.buffer; }
    else if (offset !== null && typeof offset === "object") o = offset;
    if (o) ({ offset, length, position } = o);
    if (buffer === undefined && forRead) buffer = I.toBuffer(new Uint8Array(16384));
    if (!I.isView(buffer)) throw argType("buffer", "an instance of Buffer, TypedArray, or DataView", buffer);
    const bytes = I.viewBytes(buffer);
    offset = offset === undefined || offset === null ? 0 : offset;
    if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length)
      throw outOfRange("offset", `>= 0 && <= ${bytes.length}`, offset);
    length = length === undefined || length === null ? bytes.length - offset : length;
    if (!Number.isInteger(length) || length < 0 || offset + length > bytes.length)
      throw outOfRange("length", `>= 0 && <= ${bytes.length - offset}`, length);
    return { buffer, bytes, offset, length, position: toPosition(position) };
  }

  // read(fd, ...) -> [bytesRead, buffer]
  function read(fd, buffer, offset, length, position) {
    fd = fdArg(fd);
    const a = ioArgs(buffer, offset, length, position, true);
    return one(R.read(fd, a.bytes, a.offset, a.length, a.position), (n) => [n, a.buffer]);
  }

  // write(fd, buffer, offset?, length?, position?) or write(fd, string, position?,
  // encoding?) -> [bytesWritten, buffer or string]
  function write(fd, data, a1, a2, a3) {
    fd = fdArg(fd);
    if (typeof data === "string") {
      const enc = toEncoding(typeof a2 === "string" ? a2 : "utf8");
      const bytes = I.encode(data, enc);
      const pos = typeof a1 === "number" ? toPosition(a1) : -1;
      return one(R.write(fd, bytes, 0, bytes.length, pos), (n) => [n, data]);
    }
    const a = ioArgs(data, a1, a2, a3, false);
    return one(R.write(fd, a.bytes, a.offset, a.length, a.position), (n) => [n, a.buffer]);
  }

  // ---- FileHandle (fs.promises.open) -------------------------------------------------
  class FileHandle {
    constructor(fd) { this.fd = fd; }
    getAsyncId() { return this.fd; }
    async read(buffer, offset, length, position) {
      const [bytesRead, buf] = await runPromise(() => read(this.fd, buffer, offset, length, position));
      return { bytesRead, buffer: buf };
    }
    async write(data, a1, a2, a3) {
      const [bytesWritten, buf] = await runPromise(() => write(this.fd, data, a1, a2, a3));
      return { bytesWritten, buffer: buf };
    }
    readFile(options) { return promised(readFile)(this, options); }
    writeFile(data, options) { return promised(writeFile)(this, data, options); }
    appendFile(data, options) { return promised(appendFile)(this, data, options); }
    stat(options) { return promised(fstat)(this.fd, options); }
    truncate(len) { return promised(ftruncate)(this.fd, len); }
    sync() { return promised(fsync)(this.fd); }
    datasync() { return promised(fsync)(this.fd); }
    async close() {
      if (this.fd < 0) return;
      const fd = this.fd;
      this.fd = -1;
      await runPromise(() => close(fd));
    }
    [Symbol.asyncDispose]() { return this.close(); }
  }

  // ---- The three forms ---------------------------------------------------------------
  // SPEC §3.5: every asynchronous operation stops with an AbortSignal; `signal` is taken
  // from an options object given last (readFile/writeFile read their own).
  function signalOf(gen, args) {
    if (gen.signal !== undefined) return gen.signal;
    const o = args[args.length - 1];
    return o !== null && typeof o === "object" && !ArrayBuffer.isView(o) && "signal" in o ? toSignal(o.signal) : undefined;
  }
  function promised(make) {
    return function (...args) {
      return new Promise((resolve, reject) => {
        const gen = make(...args);
        runAsync(gen, (err, v) => (err ? reject(err) : resolve(v)), signalOf(gen, args));
      });
    };
  }
  // Builds the operation; a permission denial goes to the callback (later), as Node
  // does it, while a bad argument throws at once.
  function start(make, args, cb) {
    let gen;
    try {
      gen = make(...args);
    } catch (e) {
      if (!e || e.code !== "ERR_ACCESS_DENIED") throw e;
      queueMicrotask(() => cb(e));
      return;
    }
    runAsync(gen, cb, signalOf(gen, args));
  }
  function withCallback(make) {
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== "function") throw argType("cb", "of type function", cb);
      start(make, args, (err, v) => (err ? cb(err) : cb(null, v)));
    };
  }
  const synchronous = (make) => (...args) => runSync(make(...args));

  const fs = {
    constants: Object.freeze(Object.assign({}, C)),
    F_OK: C.F_OK, R_OK: C.R_OK, W_OK: C.W_OK, X_OK: C.X_OK,
    Stats, Dirent,
  };
  const ops = {
    readFile, writeFile, appendFile, stat, lstat, fstat, access, realpath, readlink, chmod,
    utimes, readdir, mkdir, mkdtemp, rm, rmdir, unlink, rename, copyFile, symlink, truncate,
    open, close, fsync, ftruncate,
  };
  for (const name of Object.keys(ops)) {
    fs[name] = withCallback(ops[name]);
    fs[name + "Sync"] = synchronous(ops[name]);
  }
  fs.realpath.native = withCallback(realpathNative);
  fs.realpathSync.native = synchronous(realpathNative);

  // exists(path, cb): cb(true|false), never an error; existsSync likewise.
  fs.exists = function (path, cb) {
    if (typeof cb !== "function") throw argType("cb", "of type function", cb);
    start(exists, [path], (err) => cb(!err));
  };
  fs.existsSync = function (path) {
    try { runSync(exists(path)); return true; } catch (e) {
      if (e && e.code === "ERR_ACCESS_DENIED") throw e;
      return false;
    }
  };

  // read/write hand the callback (err, bytes, buffer); the Sync forms return the count.
  fs.read = function (fd, ...args) {
    const cb = args.pop();
    if (typeof cb !== "function") throw argType("cb", "of type function", cb);
    start(read, [fd, ...args], (err, v) => (err ? cb(err) : cb(null, v[0], v[1])));
  };
  fs.readSync = (fd, ...args) => runSync(read(fd, ...args))[0];
  fs.write = function (fd, ...args) {
    const cb = args.pop();
    if (typeof cb !== "function") throw argType("cb", "of type function", cb);
    start(write, [fd, ...args], (err, v) => (err ? cb(err) : cb(null, v[0], v[1])));
  };
  fs.writeSync = (fd, ...args) => runSync(write(fd, ...args))[0];

  const promises = { constants: fs.constants };
  for (const name of ["readFile", "writeFile", "appendFile", "stat", "lstat", "access", "realpath",
                      "readlink", "chmod", "utimes", "readdir", "mkdir", "mkdtemp", "rm", "rmdir",
                      "unlink", "rename", "copyFile", "symlink", "truncate"])
    promises[name] = promised(ops[name]);
  promises.realpath = promised(realpathNative);
  // The promise forms take a path or a FileHandle, not a descriptor.
  for (const name of ["readFile", "writeFile", "appendFile", "truncate"]) {
    const op = ops[name];
    promises[name] = promised((file, ...rest) => {
      if (typeof file === "number") throw argType("path", "of type string or an instance of Buffer or URL", file);
      return op(file, ...rest);
    });
  }
  promises.open = async (path, flags, mode) => new FileHandle(await promised(open)(path, flags, mode));
  fs.promises = promises;
  Object.assign(fs, lib("node/fs_streams")(fs));
  return fs;
})
