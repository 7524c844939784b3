// ctx.signal (SPEC §4.4, §4.7): canceling a run while an async handler runs aborts the
// handler's signal (aborted, reason with code CANCELED, onabort and 'abort' listeners
// fire on the owner thread) and the run rejects with CANCELED promptly; a call running
// past toolLoop.executionTimeoutMs aborts its signal with TIMEOUT and becomes an error
// result (the run goes on); a signal of a call that finished in time never aborts.
// expect-stdout: tools_signal: ok
const gp = require("geppetto");

function oneCall(name, args) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", name, args || {}));
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("saw: " + (uses[0].payload.error || "ok")));
  });
}

(async () => {
  // 1. cancel during an async handler
  let started, aborted;
  const handlerStarted = new Promise((r) => (started = r));
  const listenerFired = new Promise((r) => (aborted = r));
  const log = [];
  let seenSignal = null;
  const reg = gp.tools.createRegistry().register({ name: "wait", handler: (args, ctx) => {
    seenSignal = ctx.signal;
    assert.equal(ctx.signal.aborted, false);
    ctx.signal.onabort = () => log.push("onabort");
    const removed = () => log.push("removed");
    ctx.signal.addEventListener("abort", removed);
    ctx.signal.removeEventListener("abort", removed);
    ctx.signal.addEventListener("abort", (ev) => {
      log.push("listener:" + ev.type + ":" + (ev.target === ctx.signal) + ":" + ctx.signal.aborted);
      aborted(Date.now());
    });
    started();
    return new Promise(() => {}); // never settles by itself
  } });
  const s = gp.createSession({ engine: oneCall("wait"), tools: reg });
  const h = s.start("go");
  const events = [];
  h.on("*", (ev) => events.push(ev.type));
  await handlerStarted;
  const t0 = Date.now();
  assert.equal(h.cancel(), true);
  const e = await assert.rejects(h.promise, { code: "CANCELED" });
  const rejectMs = Date.now() - t0;
  const firedAt = await listenerFired;
  const abortMs = firedAt - t0;
  assert(e.partialTurn, "partial turn on cancel");
  assert.equal(seenSignal.aborted, true);
  assert.equal(seenSignal.reason.code, "CANCELED");
  assert.equal(seenSignal.reason.name, "AbortError");
  assert.throws(() => seenSignal.throwIfAborted(), { code: "CANCELED" });
  assert.deepEqual(log, ["onabort", "listener:abort:true:true"], "onabort, then the listener, once");
  assert.equal(events[events.length - 1], "interrupt");
  assert(rejectMs < 500, "canceled promptly: " + rejectMs + " ms");
  assert(abortMs < 500, "signal aborted promptly: " + abortMs + " ms");
  console.log("cancel -> rejection " + rejectMs + " ms, -> abort listener " + abortMs + " ms");

  // 2. executionTimeoutMs: the signal aborts with TIMEOUT, the call is an error result
  let timeoutReason = null;
  let lateSettled = false;
  const reg2 = gp.tools.createRegistry()
    .register({ name: "slow", handler: (args, ctx) => new Promise((resolve) => {
      ctx.signal.addEventListener("abort", () => {
        timeoutReason = ctx.signal.reason;
        setTimeout(() => { lateSettled = true; resolve("too late"); }, 5);
      });
    }) })
    .register({ name: "quick", handler: async (args, ctx) => { await sleep(1); return ctx.signal; } });
  const t1 = Date.now();
  const out = await gp.createSession({ engine: oneCall("slow"), tools: reg2,
                                       toolLoop: { executionTimeoutMs: 100 } }).runAsync("go");
  const took = Date.now() - t1;
  const use = out.blocks.find((b) => b.kind === "tool_use").payload;
  assert(/timed out after 100 ms/.test(use.error), use.error);
  assert.equal(use.result, null);
  assert.equal(out.blocks[out.blocks.length - 1].payload.text, "saw: " + use.error, "the model sees the timeout");
  assert(took >= 100, "not before the timeout: " + took);
  // The abort reaches the owner as a post from the timer thread; the run may settle first.
  for (let i = 0; i < 100 && !timeoutReason; i++) await sleep(10);
  assert(timeoutReason && timeoutReason.code === "TIMEOUT", "the signal's reason is TIMEOUT");
  assert.equal(timeoutReason.name, "TimeoutError");
  await sleep(20);
  assert(lateSettled, "the handler settled after its timeout; its late result was dropped");
  console.log("executionTimeoutMs 100 -> run took " + took + " ms");

  // 3. a call that finishes in time: its signal never aborts
  let kept = null;
  const reg3 = gp.tools.createRegistry().register({ name: "quick", handler: async (args, ctx) => { kept = ctx.signal; return 1; } });
  await gp.createSession({ engine: oneCall("quick"), tools: reg3, toolLoop: { executionTimeoutMs: 50 } }).runAsync("go");
  await sleep(80);
  assert.equal(kept.aborted, false, "no abort after the call ended");
  clearTimeout(guard);
  console.log("tools_signal: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
