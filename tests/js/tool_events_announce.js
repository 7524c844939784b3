// Every tool call has its tool-call event {toolCall:{id, name, input}} (SPEC §4.8), also
// when the engine is not a provider streaming it (a function engine appending tool_call
// blocks): exactly one per call, before that call's tool-call-execute; the eventSink
// sees it too. A run nobody listens to is unaffected.
// expect-stdout: tool_events_announce: ok
const gp = require("geppetto");

(async () => {
  const registry = gp.tools.createRegistry().register({ name: "add", handler: (a) => a.a + a.b });
  const engine = gp.engines.fromFunction((turn) => {
    if (!turn.blocks.some((b) => b.kind === "tool_use")) {
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", "add", { a: 1, b: 2 }));
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c2", "missing", { q: 1 }));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
  const sink = [];
  const s = gp.createSession({ engine, tools: registry, eventSink: (e) => sink.push(e.type) });
  const h = s.start("go");
  const evs = [];
  h.on("*", (e) => evs.push(e));
  await h.promise;
  const calls = evs.filter((e) => e.type === "tool-call");
  assert.deepEqual(calls.map((e) => e.toolCall), [
    { id: "c1", name: "add", input: { a: 1, b: 2 } },
    { id: "c2", name: "missing", input: { q: 1 } },
  ]);
  const at = (type, id) => evs.findIndex((e) => e.type === type && (e.toolCall || e.toolResult).id === id);
  assert(at("tool-call", "c1") < at("tool-call-execute", "c1"), "tool-call before its execute");
  assert(at("tool-call", "c2") < at("tool-result", "c2"), "tool-call before its result");
  assert.deepEqual(sink, evs.map((e) => e.type), "the sink sees the same sequence");

  const quiet = gp.createSession({ engine, tools: registry });
  const t = await quiet.runAsync("again");
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, "done");
  console.log("tool_events_announce: ok");
})();
