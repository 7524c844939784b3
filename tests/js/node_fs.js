// require("fs") (SPEC §3.2): every operation in its three forms — callback, promise
// (fs.promises, require("fs/promises")) and *Sync — run through one suite each, with
// Node's errors (message, code, errno, syscall, path, dest); descriptors and
// FileHandle; argument errors thrown at once; callbacks always called later.
const fs = require("fs");
const fsp = require("fs/promises");
const os = require("os");
const path = require("path");

assert.equal(require("node:fs"), fs);
assert.equal(fsp, fs.promises);
assert.equal(require("node:fs/promises"), fsp);
assert.equal(fs.constants.F_OK, 0);
assert.equal(fs.constants.R_OK, 4);
assert.equal(fs.constants.W_OK, 2);
assert.equal(fs.constants.X_OK, 1);
assert.equal(fs.constants.COPYFILE_EXCL, 1);
assert.equal(fs.constants.O_CREAT, 64);

const g = globalThis; // g.__nodeCompare: this script runs under Node to compare
const root = fs.mkdtempSync(path.join(os.tmpdir(), "gp-fs-"));
const text = (b) => new TextDecoder().decode(b);

// Each form as a function (name, ...args) -> Promise of the result.
const FORMS = {
  sync: async (name, ...a) => fs[name + "Sync"](...a),
  callback: (name, ...a) => new Promise((resolve, reject) => {
    let returned = false;
    fs[name](...a, (err, v) => {
      // (Node itself calls a recursive readdir's callback at once: not copied)
      if (!g.__nodeCompare) assert.ok(returned, `fs.${name}: the callback runs after the call returned`);
      err ? reject(err) : resolve(v);
    });
    returned = true;
  }),
  promise: (name, ...a) => fsp[name](...a),
};

// Node's error for a failed system call.
async function fails(p, code, syscall, file, dest) {
  const e = await assert.rejects(p);
  const desc = { ENOENT: "no such file or directory", EEXIST: "file already exists",
                 ENOTDIR: "not a directory", EISDIR: "illegal operation on a directory",
                 EACCES: "permission denied", ENOTEMPTY: "directory not empty" }[code];
  let msg = `${code}: ${desc}, ${syscall}`;
  if (file !== undefined) msg += ` '${file}'`;
  if (dest !== undefined) msg += ` -> '${dest}'`;
  assert.ok(e instanceof Error, "an Error");
  assert.equal(e.message, msg);
  assert.equal(e.code, code);
  assert.equal(e.syscall, syscall);
  assert.equal(e.path, file);
  assert.equal(e.dest, dest);
  assert.equal(typeof e.errno, "number");
  assert.ok(e.errno < 0, "errno is negative, as in Node");
  return e;
}

async function suite(form, call) {
  const d = path.join(root, form);
  const f = (n) => path.join(d, n);
  assert.equal(await call("mkdir", d), undefined);
  await fails(call("mkdir", d), "EEXIST", "mkdir", d);

  // writeFile / readFile / appendFile
  await call("writeFile", f("a.txt"), "héllo");
  assert.equal(await call("readFile", f("a.txt"), "utf8"), "héllo");
  assert.equal(await call("readFile", f("a.txt"), { encoding: "utf-8" }), "héllo");
  const bytes = await call("readFile", f("a.txt"));
  assert.ok(Buffer.isBuffer(bytes), "readFile gives a Buffer");
  assert.equal(bytes.length, 6);
  assert.equal(text(bytes), "héllo");
  await call("appendFile", f("a.txt"), " world");
  assert.equal(await call("readFile", f("a.txt"), "utf8"), "héllo world");
  await call("writeFile", f("b.bin"), new Uint16Array([0x0201, 0x0403]));
  assert.deepEqual(Array.from(await call("readFile", f("b.bin"))), [1, 2, 3, 4]);
  await call("writeFile", f("c.bin"), new DataView(new Uint8Array([9, 8, 7]).buffer, 1));
  assert.deepEqual(Array.from(await call("readFile", f("c.bin"))), [8, 7]);
  await call("writeFile", f("hex.txt"), "68690a", "hex");
  assert.equal(await call("readFile", f("hex.txt"), "utf8"), "hi\n");
  assert.equal(await call("readFile", f("hex.txt"), "base64"), "aGkK");
  assert.equal(await call("readFile", f("hex.txt"), "hex"), "68690a");
  await call("writeFile", f("b64.txt"), "aGkK", { encoding: "base64" });
  assert.equal(await call("readFile", f("b64.txt"), "latin1"), "hi\n");
  await call("writeFile", f("mode.txt"), "x", { mode: 0o600 });
  assert.equal((await call("stat", f("mode.txt"))).mode & 0o777, 0o600);
  await fails(call("writeFile", f("mode.txt"), "y", { flag: "wx" }), "EEXIST", "open", f("mode.txt"));
  await call("writeFile", f("mode.txt"), "y", { flag: "a" });
  assert.equal(await call("readFile", f("mode.txt"), "utf8"), "xy");
  await call("writeFile", f("empty"), "");
  assert.equal((await call("readFile", f("empty"))).length, 0);
  await fails(call("readFile", f("nope")), "ENOENT", "open", f("nope"));
  await fails(call("readFile", d), "EISDIR", "read");
  await fails(call("writeFile", f("nodir/x"), "x"), "ENOENT", "open", f("nodir/x"));
  await fails(call("readFile", f("a.txt/x")), "ENOTDIR", "open", f("a.txt/x"));
  assert.ok((await call("readFile", "/proc/self/stat", "utf8")).length > 0, "a file whose size is 0 to stat");

  // stat / lstat / symlink / readlink / realpath
  const st = await call("stat", f("a.txt"));
  assert.ok(st instanceof fs.Stats);
  assert.equal(st.size, 12);
  assert.ok(st.isFile() && !st.isDirectory() && !st.isSymbolicLink());
  assert.ok((await call("stat", d)).isDirectory());
  for (const k of ["dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "blksize", "blocks"])
    assert.equal(typeof st[k], "number", k);
  for (const k of ["atime", "mtime", "ctime", "birthtime"]) {
    assert.ok(st[k] instanceof Date, k);
    assert.equal(typeof st[k + "Ms"], "number", k + "Ms");
  }
  assert.ok(Math.abs(st.mtimeMs - Date.now()) < 60000, "mtime is now");
  assert.equal(st.mtime.getTime(), Math.round(st.mtimeMs));
  const big = await call("stat", f("a.txt"), { bigint: true });
  assert.equal(big.size, 12n);
  assert.equal(typeof big.mtimeNs, "bigint");
  await call("symlink", f("a.txt"), f("link"));
  assert.ok((await call("lstat", f("link"))).isSymbolicLink());
  assert.ok((await call("stat", f("link"))).isFile());
  assert.equal(await call("readlink", f("link")), f("a.txt"));
  assert.equal(await call("realpath", f("link")), fs.realpathSync(f("a.txt")));
  await fails(call("stat", f("nope")), "ENOENT", "stat", f("nope"));
  await fails(call("lstat", f("nope")), "ENOENT", "lstat", f("nope"));
  // Node's realpath/realpathSync walk the path with lstat; fs.promises.realpath is realpath(3)
  await fails(call("realpath", f("nope/x")), "ENOENT", form === "promise" ? "realpath" : "lstat",
              form === "promise" ? f("nope/x") : f("nope"));
  if (form !== "promise") {
    const native = form === "sync" ? async (p) => fs.realpathSync.native(p)
                                   : (p) => new Promise((res, rej) => fs.realpath.native(p, (e, v) => (e ? rej(e) : res(v))));
    await fails(native(f("nope/x")), "ENOENT", "realpath", f("nope/x"));
    assert.equal(await native(f("link")), fs.realpathSync(f("a.txt")));
  }
  await fails(call("readlink", f("nope")), "ENOENT", "readlink", f("nope"));
  await fails(call("symlink", f("a.txt"), f("link")), "EEXIST", "symlink", f("a.txt"), f("link"));
  if (form === "sync") assert.equal(fs.statSync(f("nope"), { throwIfNoEntry: false }), undefined);

  // access / chmod / utimes / truncate
  assert.equal(await call("access", f("a.txt")), undefined);
  await call("access", f("a.txt"), fs.constants.R_OK | fs.constants.W_OK);
  await fails(call("access", f("a.txt"), fs.constants.X_OK), "EACCES", "access", f("a.txt"));
  await fails(call("access", f("nope")), "ENOENT", "access", f("nope"));
  await call("chmod", f("mode.txt"), 0o640);
  assert.equal((await call("stat", f("mode.txt"))).mode & 0o777, 0o640);
  await call("chmod", f("mode.txt"), "755");
  assert.equal((await call("stat", f("mode.txt"))).mode & 0o777, 0o755);
  await fails(call("chmod", f("nope"), 0o600), "ENOENT", "chmod", f("nope"));
  await call("utimes", f("mode.txt"), 1000, new Date(2000000));
  const ut = await call("stat", f("mode.txt"));
  assert.equal(ut.atimeMs, 1000000);
  assert.equal(ut.mtimeMs, 2000000);
  await call("truncate", f("a.txt"), 5);
  assert.equal(await call("readFile", f("a.txt"), "utf8"), "héll");
  await fails(call("truncate", f("nope")), "ENOENT", "open", f("nope"));

  // readdir
  await call("mkdir", f("sub"));
  await call("writeFile", f("sub/inner.txt"), "i");
  const names = await call("readdir", d);
  assert.deepEqual(names, ["a.txt", "b.bin", "b64.txt", "c.bin", "empty", "hex.txt", "link", "mode.txt", "sub"]);
  const ents = await call("readdir", d, { withFileTypes: true });
  const kind = (e) => (e.isFile() ? "file" : e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link" : "?");
  assert.deepEqual(ents.filter((e) => ["a.txt", "link", "sub"].includes(e.name)).map((e) => [e.name, kind(e)]),
                   [["a.txt", "file"], ["link", "link"], ["sub", "dir"]]);
  assert.ok(ents[0] instanceof fs.Dirent);
  assert.equal(ents[0].parentPath, d);
  const rec = await call("readdir", d, { recursive: true });
  assert.ok(rec.includes("sub/inner.txt") && rec.includes("sub"), rec.join());
  await fails(call("readdir", f("nope")), "ENOENT", "scandir", f("nope"));
  await fails(call("readdir", f("a.txt")), "ENOTDIR", "scandir", f("a.txt"));

  // mkdir -p
  assert.equal(await call("mkdir", f("p/q/r"), { recursive: true }), f("p"));
  assert.equal(await call("mkdir", f("p/q/r"), { recursive: true }), undefined);
  assert.equal(await call("mkdir", f("p/q/s"), { recursive: true }), f("p/q/s"));
  await fails(call("mkdir", f("a.txt/x"), { recursive: true }), "ENOTDIR", "mkdir", f("a.txt/x"));
  await fails(call("mkdir", f("a.txt"), { recursive: true }), "EEXIST", "mkdir", f("a.txt"));
  await fails(call("mkdir", f("x/y")), "ENOENT", "mkdir", f("x/y"));

  // rename / copyFile
  await call("rename", f("b.bin"), f("b2.bin"));
  assert.deepEqual(Array.from(await call("readFile", f("b2.bin"))), [1, 2, 3, 4]);
  await fails(call("rename", f("b.bin"), f("b3.bin")), "ENOENT", "rename", f("b.bin"), f("b3.bin"));
  await call("copyFile", f("b2.bin"), f("copy.bin"));
  assert.deepEqual(Array.from(await call("readFile", f("copy.bin"))), [1, 2, 3, 4]);
  await fails(call("copyFile", f("b2.bin"), f("copy.bin"), fs.constants.COPYFILE_EXCL),
              "EEXIST", "copyfile", f("b2.bin"), f("copy.bin"));
  await fails(call("copyFile", f("nope"), f("x")), "ENOENT", "copyfile", f("nope"), f("x"));

  // mkdtemp
  const tmp = await call("mkdtemp", f("t-"));
  assert.ok(tmp.startsWith(f("t-")) && tmp.length === f("t-").length + 6, tmp);
  assert.ok(fs.statSync(tmp).isDirectory());
  // (the path names the template; Node's asynchronous forms show it with the X's replaced)
  const mt = await assert.rejects(call("mkdtemp", f("nope/t-")), { code: "ENOENT", syscall: "mkdtemp" });
  assert.ok(mt.path.startsWith(f("nope/t-")) && mt.path.length === f("nope/t-").length + 6, mt.path);
  assert.equal(mt.message, `ENOENT: no such file or directory, mkdtemp '${mt.path}'`);

  // unlink / rmdir / rm
  await call("unlink", f("copy.bin"));
  assert.ok(!fs.existsSync(f("copy.bin")));
  await fails(call("unlink", f("copy.bin")), "ENOENT", "unlink", f("copy.bin"));
  await call("rmdir", tmp);
  await fails(call("rmdir", f("sub")), "ENOTEMPTY", "rmdir", f("sub"));
  await fails(call("rmdir", f("nope")), "ENOENT", "rmdir", f("nope"));
  await call("rm", f("b2.bin"));
  await fails(call("rm", f("b2.bin")), "ENOENT", "lstat", f("b2.bin"));
  assert.equal(await call("rm", f("b2.bin"), { force: true }), undefined);
  const isdir = await assert.rejects(call("rm", f("sub")));
  assert.equal(isdir.code, "ERR_FS_EISDIR");
  assert.equal(isdir.message, `Path is a directory: rm returned EISDIR (is a directory) ${f("sub")}`);
  assert.equal(isdir.path, f("sub"));
  await call("rm", f("p"), { recursive: true });
  assert.ok(!fs.existsSync(f("p")));
  await call("rm", d, { recursive: true, force: true });
  assert.ok(!fs.existsSync(d));
}

// exists: a boolean, never an error
async function existsForms() {
  assert.equal(fs.existsSync(root), true);
  assert.equal(fs.existsSync(path.join(root, "nope")), false);
  assert.equal(fs.existsSync(undefined), false);
  assert.equal(fs.existsSync("a\u0000b"), false);
  assert.equal(await new Promise((r) => fs.exists(root, r)), true);
  assert.equal(await new Promise((r) => fs.exists(path.join(root, "nope"), r)), false);
}

// open / read / write / close and FileHandle
async function descriptors() {
  const file = path.join(root, "fd.txt");
  const fd = fs.openSync(file, "w+");
  assert.equal(typeof fd, "number");
  assert.equal(fs.writeSync(fd, "abcdef"), 6);
  assert.equal(fs.writeSync(fd, new Uint8Array([0x67, 0x68]), 0, 2), 2);
  const buf = new Uint8Array(4);
  assert.equal(fs.readSync(fd, buf, 0, 4, 2), 4);
  assert.equal(text(buf), "cdef");
  assert.equal(fs.fstatSync(fd).size, 8);
  fs.closeSync(fd);
  assert.throws(() => fs.closeSync(fd), { code: "EBADF", syscall: "close" });
  await fails(new Promise((res, rej) => fs.open(path.join(root, "nope"), "r", (e, v) => (e ? rej(e) : res(v)))),
              "ENOENT", "open", path.join(root, "nope"));

  const fd2 = await new Promise((res, rej) => fs.open(file, "r", (e, v) => (e ? rej(e) : res(v))));
  const got = await new Promise((res, rej) =>
    fs.read(fd2, new Uint8Array(3), 0, 3, 5, (e, n, b) => (e ? rej(e) : res([n, b]))));
  assert.equal(got[0], 3);
  assert.equal(text(got[1]), "fgh");
  await new Promise((res, rej) => fs.close(fd2, (e) => (e ? rej(e) : res())));

  const fh = await fsp.open(file, "r+");
  assert.equal(typeof fh.close, "function");
  assert.equal(typeof fh.fd, "number");
  const w = await fh.write("XY", 0);
  assert.equal(w.bytesWritten, 2);
  const r = await fh.read(new Uint8Array(4), 0, 4, 0);
  assert.equal(r.bytesRead, 4);
  assert.equal(text(r.buffer), "XYcd");
  assert.equal((await fh.stat()).size, 8);
  await fh.truncate(3);
  assert.equal(await fh.readFile("utf8"), "XYc");
  await fh.close();
  await fh.close(); // twice is fine
  const fh2 = await fsp.open(file);
  assert.equal(await fh2.readFile({ encoding: "utf8" }), "XYc");
  const r0 = await fh2.read(); // at the end now
  assert.equal(r0.bytesRead, 0);
  assert.ok(Buffer.isBuffer(r0.buffer) && r0.buffer.length === 16384, "read() brings its own Buffer");
  await fh2.close();
  await fails(fsp.open(path.join(root, "nope")), "ENOENT", "open", path.join(root, "nope"));
}

// bad arguments throw at once in every form (the promise form rejects)
async function argumentErrors() {
  assert.throws(() => fs.readFile(true, () => {}), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => fs.readFileSync({}), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => fs.readFileSync("a\u0000b"), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => fs.readFile("x"), { code: "ERR_INVALID_ARG_TYPE" }, "no callback");
  assert.throws(() => fs.writeFileSync(path.join(root, "x"), 42), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => fs.readFileSync(path.join(root, "x"), "klingon"), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => fs.openSync(path.join(root, "x"), "rw"), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => fs.closeSync(-1), { code: "ERR_OUT_OF_RANGE" });
  await assert.rejects(fsp.readFile(42), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => fs.readFileSync(987654), { code: "EBADF", syscall: "fstat" });
  await assert.rejects(fsp.readFile(undefined), { code: "ERR_INVALID_ARG_TYPE" });
  await assert.rejects(fsp.readFile("x", { signal: AbortSignal.abort() }), { name: "AbortError", code: "ABORT_ERR" });
  await assert.rejects(fsp.writeFile(path.join(root, "x"), "x", { signal: AbortSignal.abort() }), { code: "ABORT_ERR" });
  const e = await new Promise((r) => fs.readFile(path.join(root, "x"), { signal: AbortSignal.abort("why") }, r));
  assert.equal(e.name, "AbortError");
  assert.equal(e.cause, "why");
  // a file: URL is a path
  if (typeof URL === "function") {
    fs.writeFileSync(new URL("file://" + path.join(root, "url.txt")), "u");
    assert.equal(fs.readFileSync(path.join(root, "url.txt"), "utf8"), "u");
  }
}

// EACCES on a file made unreadable (root reads everything: skipped there)
async function permissionDenied() {
  const file = path.join(root, "secret.txt");
  fs.writeFileSync(file, "s");
  fs.chmodSync(file, 0);
  let readable = true;
  try { fs.readFileSync(file); } catch (_) { readable = false; }
  if (readable) {
    console.log("node_fs: running as root, EACCES checks skipped");
    return;
  }
  for (const [form, call] of Object.entries(FORMS)) {
    await fails(call("readFile", file), "EACCES", "open", file);
    await fails(call("writeFile", file, "x"), "EACCES", "open", file);
    await fails(call("access", file, fs.constants.R_OK), "EACCES", "access", file);
    void form;
  }
}

(async () => {
  for (const [form, call] of Object.entries(FORMS)) {
    try {
      await suite(form, call);
    } catch (e) {
      e.message = `[${form}] ${e.message}`;
      throw e;
    }
  }
  await existsForms();
  await descriptors();
  await argumentErrors();
  await permissionDenied();
  fs.rmSync(root, { recursive: true, force: true });
  assert.ok(!fs.existsSync(root));
  console.log("node_fs: ok");
})().catch((e) => {
  console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e);
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
