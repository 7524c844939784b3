// SPEC §4.7: cancel() works at any moment after start() returns. A listener that cancels
// on the first `partial` of an engine that has already finished (echo streams every word
// at once) still ends the run: CANCELED with the partial turn, `interrupt` last, the
// history as before the run. A cancel from the `final` listener comes too late: false.
const gp = require("geppetto");

(async () => {
  for (let i = 0; i < 100; i++) {
    const s = gp.createSession({ engine: gp.engines.echo({ reply: "one two three four" }) });
    const before = s.turnCount();
    const h = s.start("x");
    const types = [];
    let answer;
    h.on("*", (ev) => types.push(ev.type));
    h.on("partial", () => { if (answer === undefined) answer = h.cancel(); });
    const e = await assert.rejects(h.promise);
    assert.equal(answer, true, "cancel() from the first partial listener returns true");
    assert.equal(e.code, "CANCELED");
    assert(e.partialTurn, "the error carries the partial turn");
    assert.equal(types[types.length - 1], "interrupt", "interrupt is the last event: " + types.join(","));
    assert(!types.includes("final"), "no final event: " + types.join(","));
    assert.equal(s.turnCount(), before, "the history is as before the run");
  }

  // too late: the final event's listener sees a run that has ended
  const s = gp.createSession({ engine: gp.engines.echo({ reply: "done" }) });
  const h = s.start("x");
  let late;
  h.on("final", () => { late = h.cancel(); });
  const t = await h.promise;
  assert.equal(late, false);
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, "done");

  // a tool-call listener cancels a function engine's run before its tool runs to the end
  const reg = new gp.tools.ToolRegistry();
  let ran = 0;
  reg.register({ name: "t", description: "d", parameters: { type: "object" }, handler: () => { ran++; return 1; } });
  const eng = gp.engines.fromFunction((turn) => {
    if (turn.blocks[turn.blocks.length - 1].kind === "tool_use") return undefined;
    turn.blocks.push(gp.turns.newToolCallBlock("c1", "t", {}));
    return turn;
  });
  const s2 = gp.createSession({ engine: eng, tools: reg });
  const h2 = s2.start("go");
  const types2 = [];
  h2.on("*", (ev) => types2.push(ev.type));
  h2.on("tool-call", () => h2.cancel());
  const e2 = await assert.rejects(h2.promise);
  assert.equal(e2.code, "CANCELED");
  assert.equal(types2[types2.length - 1], "interrupt", types2.join(","));
  console.log("cancel_from_listener: ok");
})();
