// expect-exit: 0
// expect-stdout: ^text 1000000 x3.blocks 20001.busy 8.end
// A synchronous run() whose callbacks return large results, or stay busy for a while,
// with no deadline exceeded: the runaway guard must never fire. The guard of the engine's
// call ended while JavaScript (this script) was still on the stack; converting the
// result on the owner afterwards took longer than the watchdog's period, and the stale
// timer terminated the enclosing script ("JavaScript execution terminated.", or an abort
// inside a microtask) although no deadline had passed.
const gp = require("geppetto");
function assert(c, m) { if (!c) throw new Error("assertion failed: " + m); }

const big = gp.createSession({
  engine: gp.engines.fromFunction((t) => { t.blocks.push(gp.turns.newAssistantBlock("z".repeat(1e6))); return t; }),
});
for (let i = 0; i < 3; i++) {
  const t = big.run("x");
  assert(t.blocks[t.blocks.length - 1].payload.text.length === 1e6, "the text came back whole");
}
console.log("text 1000000 x3");

function busy(ms) { const end = Date.now() + ms; while (Date.now() < end) {} }

(async () => {
  await null; // the sync runs below are inside a microtask
  const many = gp.createSession({
    engine: gp.engines.fromFunction((t) => {
      for (let i = 0; i < 20000; i++) t.blocks.push(gp.turns.newAssistantBlock("a"));
      return t;
    }),
  });
  console.log("blocks " + many.run("x").blocks.length);

  // Busy callbacks (engine and middleware) under a cancel token but no deadline.
  let n = 0;
  const slow = gp.createSession({
    engine: gp.engines.fromFunction((t) => { busy(120); t.blocks.push(gp.turns.newAssistantBlock("ok")); return t; }),
    middlewares: [gp.middlewares.fromJS((t, next) => { busy(80); return next(t); })],
  });
  for (let i = 0; i < 8; i++) if (slow.run("x").blocks.length > 0) n++;
  console.log("busy " + n);
  console.log("end");
})();
