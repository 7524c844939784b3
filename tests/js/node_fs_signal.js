// SPEC §3.5: every asynchronous fs operation stops with an AbortSignal given in its
// options: an aborted signal rejects (promise form) or calls back (callback form) with
// Node's AbortError (code ABORT_ERR, the reason as cause) and nothing is done; a signal
// not aborted changes nothing; a signal that is not an AbortSignal is an argument error.
const fs = require("fs"), fsp = require("fs/promises"), os = require("os"), path = require("path");

(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gp-fs-signal-"));
  try {
    fs.writeFileSync(path.join(root, "a.txt"), "a");
    const aborted = () => AbortSignal.abort("stop");
    const isAbort = { name: "AbortError", code: "ABORT_ERR" };
    await assert.rejects(fsp.readdir(root, { signal: aborted() }), isAbort);
    await assert.rejects(fsp.readdir(root, { recursive: true, withFileTypes: true, signal: aborted() }), isAbort);
    await assert.rejects(fsp.stat(path.join(root, "a.txt"), { signal: aborted() }), isAbort);
    await assert.rejects(fsp.mkdir(path.join(root, "d"), { recursive: true, signal: aborted() }), isAbort);
    assert.equal(fs.existsSync(path.join(root, "d")), false, "an aborted mkdir made nothing");
    await assert.rejects(fsp.rm(path.join(root, "a.txt"), { signal: aborted() }), isAbort);
    assert.equal(fs.existsSync(path.join(root, "a.txt")), true, "an aborted rm removed nothing");
    await assert.rejects(fsp.mkdtemp(path.join(root, "t-"), { signal: aborted() }), isAbort);
    await assert.rejects(fsp.realpath(root, { signal: aborted() }), isAbort);
    const e = await new Promise((r) => fs.readdir(root, { signal: aborted() }, r));
    assert.equal(e.code, "ABORT_ERR");
    assert.equal(e.cause, "stop");
    // a live signal: the operations run
    const c = new AbortController();
    assert.deepEqual(await fsp.readdir(root, { signal: c.signal }), ["a.txt"]);
    assert.ok((await fsp.stat(root, { signal: c.signal })).isDirectory());
    await fsp.mkdir(path.join(root, "d"), { signal: c.signal });
    assert.ok(fs.statSync(path.join(root, "d")).isDirectory());
    // aborted while a readdir is under way: it rejects
    const many = path.join(root, "many");
    fs.mkdirSync(many);
    for (let i = 0; i < 200; i++) fs.mkdirSync(path.join(many, "d" + i));
    const c2 = new AbortController();
    const p = fsp.readdir(many, { recursive: true, signal: c2.signal });
    c2.abort();
    await assert.rejects(p, isAbort);
    await assert.rejects(fsp.readdir(root, { signal: "no" }), { code: "ERR_INVALID_ARG_TYPE" });
    console.log("node_fs_signal: ok");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
