// cancel(): before the run thread starts, during a JS engine call, after the end.
// The promise rejects with CANCELED carrying the partial turn; the last event is interrupt.
const gp = require("geppetto");
(async () => {
  // 1. at once after start(): the run thread has not begun
  const s1 = gp.createSession({ engine: gp.engines.echo({ reply: "never streamed", wordDelayMs: 50 }) });
  const h1 = s1.start("q");
  const ev1 = [];
  h1.on("*", (e) => ev1.push(e.type));
  assert.equal(h1.cancel(), true);
  const e1 = await assert.rejects(h1.promise);
  assert.equal(e1.code, "CANCELED");
  assert(e1.partialTurn);
  assert.equal(ev1[ev1.length - 1], "interrupt");
  assert.equal(ev1.filter((t) => ["final", "error", "interrupt"].includes(t)).length, 1);
  assert.equal(s1.isRunning(), false);

  // 2. while a JS engine awaits
  const s2 = gp.createSession({ engine: gp.engines.fromFunction(async (turn) => { await sleep(1000); }) });
  const h2 = s2.start("q");
  await sleep(30);
  const t0 = Date.now();
  assert.equal(s2.cancelActive(), true);
  const e2 = await assert.rejects(h2.promise);
  assert.equal(e2.code, "CANCELED");
  assert(Date.now() - t0 < 500, "canceled promptly");

  // 3. mid-stream: partial output is kept
  const s3 = gp.createSession({ engine: gp.engines.echo({ reply: "w1 w2 w3 w4 w5 w6 w7 w8", wordDelayMs: 30 }) });
  const h3 = s3.start("q");
  let partials = 0;
  h3.on("partial", () => { partials++; if (partials === 2) h3.cancel(); });
  const e3 = await assert.rejects(h3.promise, { code: "CANCELED" });
  assert(partials >= 2 && partials < 8, "stopped mid-stream: " + partials);

  // 4. after the end
  const s4 = gp.createSession({ engine: gp.engines.echo() });
  const h4 = s4.start("q");
  await h4.promise;
  assert.equal(h4.cancel(), false);
  globalThis.done = true;
  clearTimeout(guard);
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
