// One run per session across processes (SPEC §4.12), from scripts: a child `geppetto run`
// (fixtures/store_holder.js) holds a run of a session on an SQLite file; this process's
// run of the same session fails with SESSION_BUSY naming the child's process and the
// lease's expiry, and changes nothing. The child is killed (SIGKILL) mid-answer: this
// process then runs the session at once (the holder's process is gone, no wait for its
// 60 s lease) and the history holds the child's finished run and this one, nothing of
// the killed one.
// expect-stdout: store_busy_procs: ok
const gp = require("geppetto");
const cp = require("child_process"), fs = require("fs"), os = require("os"), path = require("path");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-store-procs-js-"));
const file = path.join(dir, "shared.db");
const texts = (t) => t.blocks.map((b) => b.payload.text);

(async () => {
  const child = cp.spawn(process.argv[0], ["run", path.join(__dirname, "fixtures/store_holder.js"), file],
                         { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal || code)));
  await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => { out += d; if (out.includes("running")) resolve(); });
    exited.then((how) => reject(new Error(`the child ended (${how}) before running: ${out}`)));
  });
  try {
    const store = gp.stores.sqlite(file);
    const s = gp.createSession({ engine: gp.engines.echo({ reply: "parent" }), store, id: "shared" });
    const e = await assert.rejects(s.runAsync("busy?"), { code: "SESSION_BUSY" });
    assert.ok(e.message.includes(`of process ${child.pid} on ${os.hostname()}`), e.message);
    assert.ok(/expires in \d+ ms/.test(e.message), e.message);
    assert.equal(s.turnCount(), 1, "the child's finished run, nothing of the refused one");

    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
    const t0 = performance.now();
    await s.runAsync("after the kill");
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `the run waited ${ms} ms: the dead holder's lease was waited out`);
    const turns = await store.load("shared");
    assert.deepEqual(turns.map((t) => texts(t)[texts(t).length - 2]), ["the child's first", "after the kill"]);
    assert.ok(!JSON.stringify(turns).includes("slow one"), "the killed run left nothing in the history");
    const runs = await store.runs("shared");
    assert.deepEqual(runs.map((r) => r.outcome), ["ok", "ok"]);
    await store.close();
    console.log("store_busy_procs: ok");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();
