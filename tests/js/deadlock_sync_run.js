// The deadlock scenario (background/owner-thread-deadlock-analysis.md): a synchronous
// run() on the owner thread whose JS engine, JS middleware, four parallel JS tool calls
// and JS hooks all need the owner. They execute inline while run() waits; it completes.
const gp = require("geppetto");
const seen = [];
const engine = gp.engines.fromFunction((turn) => {
  seen.push("engine");
  if (!turn.blocks.some((b) => b.kind === "tool_use")) {
    for (let k = 0; k < 4; k++) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("t" + k, "add", { a: k, b: 1 }));
    return turn;
  }
  const total = turn.blocks.filter((b) => b.kind === "tool_use").reduce((s, b) => s + b.payload.result, 0);
  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("total " + total));
});
const tools = gp.tools.createRegistry().register({ name: "add", handler: (a) => { seen.push("tool"); return a.a + a.b; } });
const session = gp.createSession({
  engine,
  middlewares: [gp.middlewares.fromJS((turn, next) => { seen.push("mw"); return next(turn); })],
  tools,
  toolLoop: { maxParallelTools: 4 },
  toolHooks: {
    beforeToolCall: () => { seen.push("before"); },
    afterToolCall: () => { seen.push("after"); },
  },
});
let timerRanDuringRun = false;
setTimeout(() => { timerRanDuringRun = session.isRunning(); }, 0);
const out = session.run("add them");
assert.equal(out.blocks[out.blocks.length - 1].payload.text, "total 10");
assert.equal(seen.filter((s) => s === "tool").length, 4);
assert.equal(seen.filter((s) => s === "before").length, 4);
assert.equal(seen.filter((s) => s === "after").length, 4);
assert.equal(seen.filter((s) => s === "mw").length, 2);
setTimeout(() => assert(!timerRanDuringRun, "no other JS interleaved with run()"), 1);
console.log("sync run with engine, middleware, parallel tools and hooks: done");
