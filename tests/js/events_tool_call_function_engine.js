// SPEC §4.8 with §4.5: a fromFunction engine that asks for tools gets the same events
// as a provider: one `tool-call` {toolCall: {id, name, input}} per new tool_call block,
// before its tool-call-execute; calls already in the input turn are not announced again.
const gp = require("geppetto");
const T = gp.turns;

const tools = gp.tools.createRegistry().register({ name: "add", handler: ({ a, b }) => a + b });
let step = 0;
const engine = gp.engines.fromFunction((turn) => {
  step++;
  if (step === 1) {
    T.appendBlock(turn, T.newToolCallBlock("c1", "add", { a: 1, b: 2 }));
    return T.appendBlock(turn, T.newToolCallBlock("c2", "add", { a: 3, b: 4 }));
  }
  return T.appendBlock(turn, T.newAssistantBlock("done"));
});

(async () => {
  const s = gp.createSession({ engine, tools });
  const h = s.start("go");
  const evs = [];
  h.on("*", (e) => evs.push(e));
  const t = await h.promise;
  assert.equal(t.blocks.at(-1).payload.text, "done");
  const calls = evs.filter((e) => e.type === "tool-call");
  assert.equal(calls.length, 2, "one tool-call per call: " + evs.map((e) => e.type).join(" "));
  assert.deepEqual(calls[0].toolCall, { id: "c1", name: "add", input: { a: 1, b: 2 } });
  assert.deepEqual(calls[1].toolCall, { id: "c2", name: "add", input: { a: 3, b: 4 } });
  for (const c of calls) {
    assert.equal(c.sessionId, s.id);
    assert.equal(typeof c.timestampMs, "number");
    const exec = evs.findIndex((e) => e.type === "tool-call-execute" && e.toolCall.id === c.toolCall.id);
    assert(exec > evs.indexOf(c), "tool-call before its tool-call-execute");
  }
  assert.equal(evs[0].type, "start");
  assert.equal(evs.at(-1).type, "final");

  // a seed that already holds a call: not announced by the engine step again
  step = 1;
  const s2 = gp.createSession({ engine, tools });
  const h2 = s2.start(T.newTurn({ blocks: [T.newUserBlock("x"), T.newToolCallBlock("old", "add", { a: 0, b: 0 }),
                                          T.newToolUseBlock("old", 0)] }));
  const evs2 = [];
  h2.on("tool-call", (e) => evs2.push(e));
  await h2.promise;
  assert.equal(evs2.length, 0, "no tool-call for the seed's calls");
})();
