// flags: --allow-fs-read=/tmp/gp-fs-perm --allow-fs-write=/tmp/gp-fs-perm/w
// needs: permission
// fs under the permission model (SPEC §3.4): reads and writes outside the granted
// folders are denied in every form (the *Sync form throws, the callback form calls back
// with the denial, the promise form rejects) with code ERR_ACCESS_DENIED and a message
// naming the path and the flag that would grant it; inside them everything works.
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");

const base = "/tmp/gp-fs-perm";
const mine = path.join(base, "w", "run-" + Math.random().toString(36).slice(2));
fs.mkdirSync(mine, { recursive: true });
fs.writeFileSync(path.join(mine, "a.txt"), "granted");
const outside = "/etc/hostname";
const unwritable = path.join(base, "r.txt");

// A denial naming `file` (absolute) and the flag.
function denied(e, kind, file) {
  assert.equal(e.code, "ERR_ACCESS_DENIED", `code of ${e && e.message}`);
  if (!globalThis.__nodeCompare) {
    assert.ok(e.message.includes(`--allow-fs-${kind}=${file}`), e.message);
    assert.equal(e.resource, file);
  }
  return e;
}
// The callback form calls back with the denial (later), as Node does.
const cbForm = (name, ...args) => new Promise((resolve) => {
  let returned = false;
  fs[name](...args, (e) => {
    // (Node 20 calls back at once here: not copied)
    if (!globalThis.__nodeCompare) assert.ok(returned, "the callback runs after the call returned");
    resolve(e);
  });
  returned = true;
});

(async () => {
  // granted: reading and writing under the folders
  assert.equal(fs.readFileSync(path.join(mine, "a.txt"), "utf8"), "granted");
  assert.equal(await fsp.readFile(path.join(mine, "a.txt"), "utf8"), "granted");
  await fsp.appendFile(path.join(mine, "a.txt"), "!");
  assert.deepEqual(fs.readdirSync(mine), ["a.txt"]);
  fs.copyFileSync(path.join(mine, "a.txt"), path.join(mine, "b.txt"));

  // reads outside: every form
  denied(assert.throws(() => fs.readFileSync(outside)), "read", outside);
  denied(await cbForm("readFile", outside), "read", outside);
  denied(await assert.rejects(fsp.readFile(outside)), "read", outside);
  denied(assert.throws(() => fs.statSync(outside)), "read", outside);
  denied(await assert.rejects(fsp.lstat(outside)), "read", outside);
  denied(assert.throws(() => fs.readdirSync("/etc")), "read", "/etc");
  denied(await cbForm("access", outside), "read", outside);
  assert.equal(await new Promise((r) => fs.exists(outside, r)), false);
  denied(assert.throws(() => fs.existsSync(outside)), "read", outside);
  // (Node 20 lets realpathSync through: not copied)
  if (!globalThis.__nodeCompare) denied(assert.throws(() => fs.realpathSync(outside)), "read", outside);
  denied(assert.throws(() => fs.openSync(outside, "r")), "read", outside);
  // a relative path is named resolved
  denied(assert.throws(() => fs.readFileSync("node_fs.js")), "read", path.resolve("node_fs.js"));

  // writes outside the write grant (the file is readable)
  denied(assert.throws(() => fs.writeFileSync(unwritable, "x")), "write", unwritable);
  denied(await cbForm("writeFile", unwritable, "x"), "write", unwritable);
  denied(await assert.rejects(fsp.writeFile(unwritable, "x")), "write", unwritable);
  denied(await assert.rejects(fsp.appendFile(unwritable, "x")), "write", unwritable);
  denied(assert.throws(() => fs.mkdirSync(path.join(base, "d"))), "write", path.join(base, "d"));
  // (Node 20 checks only the unlink, which a missing file never reaches: not copied)
  if (!globalThis.__nodeCompare) denied(await assert.rejects(fsp.rm(unwritable, { force: true })), "write", unwritable);
  denied(assert.throws(() => fs.unlinkSync(unwritable)), "write", unwritable);
  denied(assert.throws(() => fs.mkdtempSync(path.join(base, "t-"))), "write", path.join(base, "t-"));
  denied(assert.throws(() => fs.openSync(unwritable, "a")), "write", unwritable);
  denied(assert.throws(() => fs.copyFileSync(path.join(mine, "a.txt"), unwritable)), "write", unwritable);
  denied(assert.throws(() => fs.renameSync(path.join(mine, "a.txt"), unwritable)), "write", unwritable);
  denied(assert.throws(() => fs.copyFileSync(outside, path.join(mine, "c.txt"))), "read", outside);
  assert.ok(!fs.existsSync(path.join(mine, "c.txt")));

  fs.rmSync(mine, { recursive: true });
  console.log("node_fs_permission: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
