// Tool events (SPEC §4.8) as JS listeners see them: for each call tool-call-execute
// {toolCall:{id,name,input}}, then tool-call-execution-result {toolResult:{id, result,
// error?, durationMs}}, then tool-result {toolResult:{id, result}} — the tool-result
// events in call order, all between start and final; the eventSink sees the same
// sequence; every event carries type, timestampMs, sessionId, inferenceId, turnId.
// expect-stdout: tool_events: ok
const gp = require("geppetto");

(async () => {
  const registry = gp.tools.createRegistry()
    .register({ name: "wait", handler: async (a) => { await sleep(a.ms); return { slept: a.ms }; } })
    .register({ name: "bad", handler: () => { throw new Error("nope"); } });
  const engine = gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("w200", "wait", { ms: 200 }));
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("b", "bad", {}));
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("w1", "wait", { ms: 1 }));
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("nf", "missing", { q: 1 }));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("all done"));
  });
  const sinkTypes = [];
  const s = gp.createSession({ engine, tools: registry, toolLoop: { maxParallelTools: 3 },
                               eventSink: (ev) => sinkTypes.push(ev.type) });
  const h = s.start("go");
  const evs = [];
  h.on("*", (ev) => evs.push(ev));
  const byType = {};
  for (const t of ["tool-call-execute", "tool-call-execution-result", "tool-result"])
    h.on(t, (ev) => (byType[t] = byType[t] || []).push(ev));
  await h.promise;

  const types = evs.map((e) => e.type);
  assert.equal(types[0], "start");
  assert.equal(types[types.length - 1], "final");
  assert.deepEqual(sinkTypes, types, "the sink sees the same sequence");
  for (const e of evs) {
    assert.equal(typeof e.timestampMs, "number");
    assert.equal(e.sessionId, s.id);
    assert.equal(e.inferenceId, h.id);
    assert.equal(typeof e.turnId, "string");
  }
  const idx = (type, id) => evs.findIndex((e) => e.type === type &&
    (e.toolCall ? e.toolCall.id : e.toolResult.id) === id);

  // a call that never ran (unknown tool) has no execute event, but a result
  assert.equal(idx("tool-call-execute", "nf"), -1);
  for (const id of ["w200", "b", "w1"]) {
    const x = idx("tool-call-execute", id), r = idx("tool-call-execution-result", id), t = idx("tool-result", id);
    assert(x > 0 && x < r && r < t, "execute < execution-result < tool-result for " + id + ": " + [x, r, t]);
  }
  assert.deepEqual(byType["tool-result"].map((e) => e.toolResult.id), ["w200", "b", "w1", "nf"], "tool-result in call order");
  const lastResult = Math.max(...["w200", "b", "w1", "nf"].map((id) => idx("tool-result", id)));
  const firstResult = Math.min(...["w200", "b", "w1", "nf"].map((id) => idx("tool-result", id)));
  assert(Math.max(...["w200", "b", "w1"].map((id) => idx("tool-call-execution-result", id))) < firstResult,
         "tool-result events come once the batch is done");
  assert(lastResult < types.indexOf("final"));
  assert(idx("tool-call-execution-result", "w1") < idx("tool-call-execution-result", "w200"), "execution results as they finish");

  const ex = byType["tool-call-execute"].find((e) => e.toolCall.id === "w200");
  assert.deepEqual(ex.toolCall, { id: "w200", name: "wait", input: { ms: 200 } });
  const er = byType["tool-call-execution-result"].find((e) => e.toolResult.id === "w200");
  assert.deepEqual(er.toolResult.result, { slept: 200 });
  assert.equal(er.toolResult.error, undefined);
  assert(er.toolResult.durationMs >= 195, "durationMs " + er.toolResult.durationMs);
  const bad = byType["tool-call-execution-result"].find((e) => e.toolResult.id === "b");
  assert.equal(bad.toolResult.error, "nope");
  const tr = byType["tool-result"];
  assert.deepEqual(tr[0].toolResult, { id: "w200", result: { slept: 200 } });
  assert.equal(tr[1].toolResult.error, "nope");
  assert.equal(tr[3].toolResult.error, "unknown tool missing");
  clearTimeout(guard);
  console.log("tool_events: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
