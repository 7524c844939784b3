// 60 concurrent runs with JS engines while timers and other loop work run: every run
// settles once with its own answer (run under ThreadSanitizer in CI).
const gp = require("geppetto");
let ticks = 0;
const iv = setInterval(() => { ticks++; }, 1);
(async () => {
  const sessions = [];
  for (let i = 0; i < 60; i++) {
    sessions.push(gp.createSession({ engine: gp.engines.fromFunction(async (turn, ctx) => {
      await sleep(i % 7);
      queueMicrotask(() => { ticks += 0; });
      return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("r" + i));
    }) }));
  }
  const events = new Array(60).fill(0);
  const results = await Promise.all(sessions.map((s, i) => {
    const h = s.start("q" + i);
    h.on("*", () => { events[i]++; });
    return h.promise;
  }));
  results.forEach((t, i) => assert.equal(t.blocks[1].payload.text, "r" + i));
  events.forEach((n) => assert(n >= 2, "start and final seen"));
  assert(sessions.every((s) => !s.isRunning()));
  clearInterval(iv);
  assert(ticks > 0);
  globalThis.done = true;
  clearTimeout(guard);
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
