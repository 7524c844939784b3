// A synchronous run() blocks the script's thread: a SIGINT still cancels it.
const gp = require("geppetto");
const s = gp.createSession({ engine: gp.engines.echo({ reply: "w ".repeat(500), wordDelayMs: 20 }) });
console.log("READY");
try {
  s.run("hi");
  console.log("returned");
} catch (e) {
  console.log("run threw", e.code);
}
