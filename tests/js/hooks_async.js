// Async hooks (SPEC §4.6) under runAsync() and start(): a hook's Promise is awaited
// (already-resolved ones too) and its value is the decision; other JS (timers) runs
// while a hook awaits; a run canceled during a hook that never settles rejects with
// CANCELED and leaves nothing behind (the script still exits).
// expect-stdout: hooks_async: ok
const gp = require("geppetto");

function twoStep(calls) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (const [id, name, args] of calls) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args || {}));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
}
const usesOf = (t) => Object.fromEntries(t.blocks.filter((b) => b.kind === "tool_use").map((b) => [b.payload.id, b.payload]));

(async () => {
  let fails = 0;
  const registry = gp.tools.createRegistry()
    .register({ name: "echo", handler: async (a) => { await sleep(1); return a; } })
    .register({ name: "flaky", handler: () => { if (++fails < 3) throw new Error("flake " + fails); return "stable"; } });
  const trace = [];
  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  const hooks = {
    beforeToolCall: async (info) => {
      trace.push("before:" + info.call.id);
      if (info.call.id === "now") return { args: { v: "resolved at once" } }; // no await: already resolved
      const t0 = ticks;
      await sleep(15);
      assert(ticks > t0, "timers ran while the hook awaited");
      return info.call.id === "slow" ? { call: { args: { v: "after sleep" } } } : undefined;
    },
    afterToolCall: async (info) => {
      trace.push("after:" + info.call.id);
      await null;
      if (info.call.id === "slow") return { result: { wrapped: info.result.value } };
    },
    onToolError: async (info) => { await sleep(1); return { action: "retry", backoffMs: 1 }; },
  };
  const calls = [["now", "echo", { v: 0 }], ["slow", "echo", { v: 1 }], ["plain", "echo", { v: 2 }], ["f", "flaky"]];
  const s = gp.createSession({ engine: twoStep(calls), tools: registry, toolHooks: hooks, toolLoop: { maxParallelTools: 4 } });

  // runAsync
  let u = usesOf(await s.runAsync("go"));
  assert.deepEqual(u.now.result, { v: "resolved at once" });
  assert.deepEqual(u.slow.result, { wrapped: { v: "after sleep" } });
  assert.deepEqual(u.plain.result, { v: 2 });
  assert.equal(u.f.result, "stable");
  assert.equal(fails, 3, "retried twice through the async onToolError");
  for (const [id] of calls) assert(trace.indexOf("before:" + id) < trace.indexOf("after:" + id), "before then after: " + id);

  // start(), with events
  fails = 0;
  trace.length = 0;
  const s2 = gp.createSession({ engine: twoStep(calls), tools: registry, toolHooks: hooks });
  const h = s2.start("go");
  const types = [];
  h.on("*", (ev) => types.push(ev.type));
  u = usesOf(await h.promise);
  assert.deepEqual(u.slow.result, { wrapped: { v: "after sleep" } });
  assert.equal(types[types.length - 1], "final");
  assert.equal(types.filter((t) => t === "tool-result").length, 4);

  // cancel while a hook never settles
  let entered;
  const inHook = new Promise((r) => (entered = r));
  const s3 = gp.createSession({ engine: twoStep([["x", "echo"]]), tools: registry,
    toolHooks: { beforeToolCall: () => { entered(); return new Promise(() => {}); } } });
  const h3 = s3.start("go");
  await inHook;
  const t0 = Date.now();
  h3.cancel();
  const e = await assert.rejects(h3.promise, { code: "CANCELED" });
  assert(Date.now() - t0 < 500, "canceled promptly");
  assert(e.partialTurn);
  assert.equal(s3.isRunning(), false);
  clearInterval(iv);
  clearTimeout(guard);
  console.log("hooks_async: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
