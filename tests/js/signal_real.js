// ctx.signal is a real AbortSignal (SPEC §3.5) for a tool handler, an engine function
// and a middleware: `instanceof AbortSignal`, an EventTarget, usable with
// AbortSignal.any; it aborts when the run is canceled (reason code CANCELED, name
// AbortError) and, for a tool, when the call passes toolLoop.executionTimeoutMs (code
// TIMEOUT, name TimeoutError). A signal whose call ended in time never aborts.
// expect-stdout: signal_real: ok
// timeout: 30
const gp = require("geppetto");

function callTool(name) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", name, {}));
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
}
function checkReal(signal, who) {
  assert(signal instanceof AbortSignal, who + ": ctx.signal instanceof AbortSignal");
  assert(signal instanceof EventTarget, who + ": an EventTarget");
  assert.equal(Object.prototype.toString.call(signal), "[object AbortSignal]");
  assert.equal(signal.aborted, false, who + ": not aborted at first");
}
// Resolves with the signal's reason when its 'abort' event fires.
const abortOf = (signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }));

(async () => {
  // 1. a tool handler; the run is canceled while it waits
  {
    let signal, started;
    const running = new Promise((r) => (started = r));
    const reg = gp.tools.createRegistry().register({ name: "wait", handler: (args, ctx) => {
      signal = ctx.signal;
      checkReal(signal, "tool");
      started();
      return new Promise(() => {});
    } });
    const h = gp.createSession({ engine: callTool("wait"), tools: reg }).start("go");
    await running;
    const aborted = abortOf(signal);
    const anyOf = AbortSignal.any([signal, new AbortController().signal]);
    h.cancel();
    await assert.rejects(h.promise, { code: "CANCELED" });
    const reason = await aborted;
    assert.equal(reason.code, "CANCELED");
    assert.equal(reason.name, "AbortError");
    assert(reason instanceof Error);
    assert.equal(anyOf.aborted, true, "a dependent signal of ctx.signal aborts too");
    assert.equal(anyOf.reason, reason);
  }
  // 2. an engine function; the run is canceled while it awaits
  {
    let signal, started;
    const running = new Promise((r) => (started = r));
    const engine = gp.engines.fromFunction(async (turn, ctx) => {
      signal = ctx.signal;
      checkReal(signal, "engine");
      started();
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      return turn;
    });
    const h = gp.createSession({ engine }).start("go");
    await running;
    const aborted = abortOf(signal);
    h.cancel();
    await assert.rejects(h.promise, { code: "CANCELED" });
    const reason = await aborted;
    assert.equal(reason.code, "CANCELED");
    assert.throws(() => signal.throwIfAborted(), { code: "CANCELED" });
  }
  // 3. a middleware; the run is canceled while it awaits
  {
    let signal, started;
    const running = new Promise((r) => (started = r));
    const mw = async (turn, next, ctx) => {
      signal = ctx.signal;
      checkReal(signal, "middleware");
      started();
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      return turn;
    };
    const h = gp.createSession({ engine: gp.engines.echo({ reply: "x" }), middlewares: [mw] }).start("go");
    await running;
    const aborted = abortOf(signal);
    h.cancel();
    await assert.rejects(h.promise, { code: "CANCELED" });
    const reason = await aborted;
    assert.equal(reason.code, "CANCELED");
    assert.equal(reason.name, "AbortError");
  }
  // 4. a tool call past executionTimeoutMs: TIMEOUT; the run goes on
  {
    let signal;
    const reg = gp.tools.createRegistry().register({ name: "slow", handler: (args, ctx) => {
      signal = ctx.signal;
      checkReal(signal, "slow tool");
      return new Promise((resolve) => ctx.signal.addEventListener("abort", () => setTimeout(resolve, 5, "late")));
    } });
    const out = await gp.createSession({ engine: callTool("slow"), tools: reg,
                                         toolLoop: { executionTimeoutMs: 80 } }).runAsync("go");
    const use = out.blocks.find((b) => b.kind === "tool_use").payload;
    assert(/timed out/.test(use.error), use.error);
    for (let i = 0; i < 100 && !signal.aborted; i++) await sleep(10);
    assert.equal(signal.aborted, true, "the tool's signal aborted at its timeout");
    assert.equal(signal.reason.code, "TIMEOUT");
    assert.equal(signal.reason.name, "TimeoutError");
  }
  // 5. calls that end in time: their signals never abort
  {
    let toolSig, engineSig, mwSig;
    const reg = gp.tools.createRegistry().register({ name: "quick", handler: (args, ctx) => { toolSig = ctx.signal; return 1; } });
    let first = true;
    const engine = gp.engines.fromFunction(async (turn, ctx) => {
      engineSig = ctx.signal;
      if (first) { first = false; return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", "quick", {})); }
      return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("ok"));
    });
    const mw = async (turn, next, ctx) => { mwSig = ctx.signal; return next(turn); };
    await gp.createSession({ engine, tools: reg, middlewares: [mw], toolLoop: { executionTimeoutMs: 30 } }).runAsync("go");
    await sleep(60);
    for (const [s, who] of [[toolSig, "tool"], [engineSig, "engine"], [mwSig, "middleware"]]) {
      assert(s instanceof AbortSignal, who);
      assert.equal(s.aborted, false, who + ": no abort after the call ended");
    }
  }
  clearTimeout(guard);
  console.log("signal_real: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
