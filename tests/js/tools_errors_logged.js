// Every way a tool call fails is logged at warn with the tool, the call id and the
// message (SPEC §4.4), not only a handler's throw: an unknown tool, a tool outside
// allowedTools, invalid arguments, a timeout (which says it timed out, not how the
// handler stopped, and whether it was the call's executionTimeoutMs or the run's
// timeoutMs) and a hook that throws under fail-closed.
// expect-stderr: warn +tools: tool nope [(]call c1[)] failed: unknown tool nope.*warn +tools: tool hidden [(]call c2[)] failed: tool hidden is not allowed.*warn +tools: tool typed [(]call c3[)] failed: invalid arguments for tool typed: [$][.]n: expected number, got string.*warn +tools: tool boom [(]call c4, attempt 1[)] failed: boom broke.*warn +tools: tool guarded [(]call c5[)] failed: the hook refused.*warn +tools: tool slow [(]call c6, attempt 1[)] failed: tool slow timed out after 100 ms.*warn +tools: tool slow [(]call r1, attempt 1[)] failed: timed out: the run timed out
// expect-stdout: tools_errors_logged: ok
const gp = require("geppetto");

const reg = gp.tools.createRegistry()
  .register({ name: "hidden", handler: () => 1 })
  .register({ name: "typed", parameters: { type: "object", properties: { n: { type: "number" } } }, handler: (a) => a.n })
  .register({ name: "slow", handler: () => new Promise((r) => setTimeout(() => r(1), 400)) })
  .register({ name: "boom", handler: () => { throw new Error("boom broke"); } })
  .register({ name: "guarded", handler: () => 1 });
// one at a time, the slow one last: an abandoned call may log after the next one starts
const calls = [["nope", {}], ["hidden", {}], ["typed", { n: "x" }], ["boom", {}], ["guarded", {}], ["slow", {}]];
const engine = gp.engines.fromFunction((turn) => {
  if (turn.blocks.some((b) => b.kind === "tool_use")) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  let t = turn;
  calls.forEach(([name, args], i) => { t = gp.turns.appendBlock(t, gp.turns.newToolCallBlock("c" + (i + 1), name, args)); });
  return t;
});
const session = gp.createSession({
  engine, tools: reg,
  toolLoop: { maxParallelTools: 1, executionTimeoutMs: 100, allowedTools: calls.map((c) => c[0]).filter((n) => n !== "hidden") },
  toolHooks: { beforeToolCall: (i) => { if (i.call.name === "guarded") throw new Error("the hook refused"); } },
});
session.runAsync("go").then(async (out) => {
  const errors = out.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload.error);
  assert.equal(errors.length, calls.length);
  assert.ok(errors.every((e) => typeof e === "string" && e.length > 0), JSON.stringify(errors));
  assert.equal(errors[5], "tool slow timed out after 100 ms");
  // the run's timeoutMs, long before the call's executionTimeoutMs (30 s by default)
  const once = gp.engines.fromFunction((turn) => turn.blocks.some((b) => b.kind === "tool_call") ? turn
    : gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("r1", "slow", {})));
  const e = await assert.rejects(() => gp.createSession({ engine: once, tools: reg }).runAsync("go", { timeoutMs: 100 }));
  assert.equal(e.code, "TIMEOUT");
  console.log("tools_errors_logged: ok");
}).catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
