// The tool loop with JS tools (SPEC §4.5): an engine from gp.engines.fromFunction asks
// for tool calls, the handlers run (async ones in parallel, never more than
// maxParallelTools at once), their tool_use blocks are appended in the order of the
// tool_call blocks whatever order they finish in, and the engine runs again until it
// asks for nothing more.
// expect-stdout: tools_loop: ok
const gp = require("geppetto");

// Waits until pred() holds (polling the loop), failing after `ms`.
async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) assert.fail("timed out waiting for " + what);
    await sleep(1);
  }
}

// Steps: each engine call appends the next step's calls; the last answers.
function scriptedEngine(steps, seen) {
  let step = 0;
  return gp.engines.fromFunction((turn, ctx) => {
    seen.push(turn.blocks.map((b) => b.kind));
    const calls = steps[step++];
    if (calls) {
      for (const [id, name, args] of calls) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args));
      return turn;
    }
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(uses.map((u) => u.payload.id + "=" + JSON.stringify(u.payload.result)).join(",")));
  });
}

async function parallelRun(cap, total) {
  const st = { inFlight: 0, max: 0, started: 0, finished: [] };
  const registry = gp.tools.createRegistry().register({
    name: "work",
    parameters: { type: "object", properties: { k: { type: "integer" } }, required: ["k"] },
    handler: async (args, ctx) => {
      st.started++;
      st.inFlight++;
      st.max = Math.max(st.max, st.inFlight);
      // Hold until the cap is reached (or no more calls can start), so overlap does not
      // depend on timing; then finish in reverse order of the calls.
      await until(() => st.inFlight >= cap || st.started === total, 10000, "parallel handlers");
      await sleep((total - args.k) * 3);
      st.inFlight--;
      st.finished.push(args.k);
      return { k: args.k, call: ctx.callId };
    },
  });
  const calls = [];
  for (let k = 0; k < total; k++) calls.push(["c" + k, "work", { k }]);
  const seen = [];
  const s = gp.createSession({ engine: scriptedEngine([calls], seen), tools: registry,
                               toolLoop: { maxParallelTools: cap } });
  const turn = await s.runAsync("go");
  return { st, turn, seen };
}

(async () => {
  // 1. parallel up to the cap, results in call order
  for (const cap of [1, 3]) {
    const total = 6;
    const { st, turn, seen } = await parallelRun(cap, total);
    assert.equal(st.max, cap, "max concurrent handlers with maxParallelTools " + cap);
    assert.equal(st.finished.length, total);
    const kinds = turn.blocks.map((b) => b.kind);
    assert.deepEqual(kinds, ["user"].concat(Array(total).fill("tool_call"), Array(total).fill("tool_use"), ["llm_text"]));
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    assert.deepEqual(uses.map((u) => u.payload.id), [0, 1, 2, 3, 4, 5].map((k) => "c" + k), "appended in call order");
    uses.forEach((u, k) => assert.deepEqual(u.payload.result, { k, call: "c" + k }, "result is a JSON value"));
    assert.equal(seen.length, 2, "the engine ran twice");
    if (cap === 3) assert(st.finished.join("") !== "012345", "they finished out of order");
    console.log("maxParallelTools " + cap + ": max concurrent handlers " + st.max + ", finish order " + st.finished.join(""));
  }

  // 2. several iterations, sync and async handlers, results sent back to the engine
  const reg = gp.tools.createRegistry()
    .register({ name: "double", handler: (a) => a.n * 2 })
    .register({ name: "greet", handler: async (a, ctx) => { await null; return "hi " + a.who + " from " + ctx.toolName; } });
  const seen = [];
  const s = gp.createSession({ engine: scriptedEngine([[["a", "double", { n: 21 }], ["b", "greet", { who: "bob" }]],
                                                       [["c", "double", { n: 1 }]]], seen), tools: reg });
  const t = await s.runAsync("go");
  assert.equal(seen.length, 3, "one engine call per iteration plus the answer");
  assert.deepEqual(seen[1].slice(-2), ["tool_use", "tool_use"], "the engine sees the results");
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, 'a=42,b="hi bob from greet",c=2');
  assert.deepEqual(s.latest(), t, "the result replaces the latest turn");

  // 3. a tool_call that already has its tool_use is not run again; toolChoice none runs nothing
  let runs = 0;
  const once = gp.tools.createRegistry().register({ name: "once", handler: () => ++runs });
  const pre = gp.createSession({ engine: gp.engines.fromFunction((turn) => {
    if (turn.blocks.filter((b) => b.kind === "tool_call").length === 1)
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("y", "once", {}));
    else gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("end"));
    return turn;
  }), tools: once });
  pre.append({ blocks: [gp.turns.newUserBlock("q"), gp.turns.newToolCallBlock("x", "once", {}), gp.turns.newToolUseBlock("x", 0)] });
  const tp = await pre.runAsync();
  assert.equal(runs, 1, "only the pending call ran");
  assert.deepEqual(tp.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload.id), ["x", "y"]);
  const none = gp.createSession({ engine: scriptedEngine([[["z", "once", {}]]], []), tools: once, toolLoop: { toolChoice: "none" } });
  const tn = await none.runAsync("q");
  assert.equal(runs, 1, "toolChoice none runs no tool");
  assert.equal(tn.blocks.filter((b) => b.kind === "tool_use").length, 0);
  clearTimeout(guard);
  console.log("tools_loop: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 40000);
