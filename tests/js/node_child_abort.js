// expect-stdout: node_child_abort: ok
// A child is killed when its AbortSignal aborts: spawn emits an AbortError 'error' and
// exits by killSignal; execFile's callback gets the AbortError; an already aborted signal
// kills at once; a tool's ctx.signal kills the tool's child when the run is canceled,
// within 100 ms, and the child is reaped (no /proc entry left).
const cp = require("child_process");
const { once } = require("events");
const gp = require("geppetto");
const slack = process.env.GP_TEST_SANITIZER ? 400 : 100;
// 'close' without events.once, which would reject on the AbortError 'error'
const closed = (c) => new Promise((resolve) => c.on("close", (...a) => resolve(a)));
const exists = (pid) => new Promise((resolve) =>
  cp.execFile("test", ["-e", `/proc/${pid}`], (err) => resolve(err === null)));

(async () => {
  // spawn + AbortController
  let ac = new AbortController();
  const c1 = cp.spawn("sleep", ["30"], { signal: ac.signal });
  await once(c1, "spawn");
  const errors = [];
  c1.on("error", (e) => errors.push(e));
  let t0 = performance.now();
  ac.abort();
  assert.deepEqual(await once(c1, "exit"), [null, "SIGTERM"]);
  const ms1 = performance.now() - t0;
  assert.ok(ms1 < slack, `exited ${ms1.toFixed(1)} ms after abort`);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].name, "AbortError");
  assert.equal(errors[0].code, "ABORT_ERR");
  assert.equal(c1.killed, true);
  assert.equal(await exists(c1.pid), false, "reaped");

  // killSignal, and a signal aborted before the spawn
  ac = new AbortController();
  const c2 = cp.spawn("sleep", ["30"], { signal: ac.signal, killSignal: "SIGKILL" });
  c2.on("error", () => {});
  ac.abort();
  assert.deepEqual(await closed(c2), [null, "SIGKILL"]);
  const c3 = cp.spawn("sleep", ["30"], { signal: AbortSignal.abort() });
  c3.on("error", () => {});
  assert.deepEqual(await closed(c3), [null, "SIGTERM"]);

  // execFile: the callback errs with the AbortError
  ac = new AbortController();
  const done = new Promise((resolve) => cp.execFile("sleep", ["30"], { signal: ac.signal }, (e) => resolve(e)));
  setTimeout(() => ac.abort("why"), 20);
  const e = await done;
  assert.equal(e.name, "AbortError");
  assert.equal(e.code, "ABORT_ERR");
  assert.equal(e.cause, "why");

  // a tool's child dies with the run: the tool spawns with ctx.signal, the run is canceled
  let child = null, started;
  const inTool = new Promise((r) => (started = r));
  const reg = gp.tools.createRegistry().register({ name: "slow", handler: (args, ctx) => new Promise((resolve, reject) => {
    child = cp.spawn("sleep", ["30"], { signal: ctx.signal });
    child.on("spawn", started);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code }));
  }) });
  const engine = gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", "slow", {}));
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
  const h = gp.createSession({ engine, tools: reg }).start("go");
  await inTool;
  assert.equal(await exists(child.pid), true);
  t0 = performance.now();
  const exited = new Promise((resolve) => child.on("exit", (...a) => resolve(a)));
  h.cancel();
  await assert.rejects(h.promise, { code: "CANCELED" });
  const [code, sig] = await exited;
  const ms = performance.now() - t0;
  console.log(`canceled run: the tool's child exited ${ms.toFixed(1)} ms after cancel`);
  assert.equal(sig, "SIGTERM");
  assert.ok(ms < slack, `${ms.toFixed(1)} ms`);
  assert.equal(await exists(child.pid), false, "the tool's child is reaped");
  console.log("node_child_abort: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
