// expect-exit: 1
// expect-stdout: ^before run[^a-z]*$
// expect-stderr: ^Uncaught Error \[TIMEOUT\]: a JavaScript callback of a synchronous run\(\).*was still running at its deadline \(the run's timeoutMs\).*Use runAsync\(\) or start\(\)
// A runaway engine function inside a synchronous run(): the owner thread is inside the
// script's own call, so the callback cannot be interrupted and resumed (JavaScriptCore
// keeps the termination pending for the enclosing call). At the run's deadline the
// process ends with status 1 and an uncaught TIMEOUT naming the remedy, instead of
// hanging forever. (runaway_engine.js: the same under runAsync() is interrupted and
// the runtime goes on.)
const gp = require("geppetto");
const s = gp.createSession({ engine: gp.engines.fromFunction(() => { for (;;) {} }) });
console.log("before run");
try {
  s.run("q", { timeoutMs: 200 });
} finally {
  console.log("not reached");
}
