// expect-exit: 1
// expect-stdout: ^before run[^a-z]*$
// expect-stderr: ^Uncaught Error \[TIMEOUT\]: a JavaScript callback of a synchronous run\(\).*was still running at its deadline \(the tool's executionTimeoutMs\).*Use runAsync\(\) or start\(\)
// A tool handler spinning inside a synchronous run() whose only limit is the tool loop's
// executionTimeoutMs: the process ends with the report naming that limit (not the run's
// timeoutMs, which was never set).
const gp = require("geppetto");
const tools = gp.tools.createRegistry().register({
  name: "spin", parameters: { type: "object" }, handler: () => { for (;;) {} },
});
let called = false;
const engine = gp.engines.fromFunction((t) => {
  if (!called) { called = true; t.blocks.push(gp.turns.newToolCallBlock("c1", "spin", {})); }
  else t.blocks.push(gp.turns.newAssistantBlock("done"));
  return t;
});
const s = gp.createSession({ engine, tools, toolLoop: { executionTimeoutMs: 200 } });
console.log("before run");
s.run("x");
console.log("not reached");
