// Runaway JavaScript under runAsync()/start(): an engine function or middleware stuck in
// an infinite loop is interrupted at the run's timeoutMs (JavaScriptCore's watchdog);
// the run fails with TIMEOUT, and the runtime, the session and other runs work after it.
const gp = require("geppetto");
const spin = () => { for (;;) {} };
const texts = (t) => t.blocks.map((b) => b.payload.text);

(async () => {
  const s = gp.createSession({ engine: gp.engines.fromFunction(spin) });
  let t0 = Date.now();
  let e = await assert.rejects(s.runAsync("q", { timeoutMs: 200 }));
  const took = Date.now() - t0;
  assert.equal(e.code, "TIMEOUT");
  assert(took >= 190 && took < 3000, "interrupted near the deadline: " + took + " ms");
  assert(e.partialTurn, "the partial turn is kept");
  assert.equal(s.isRunning(), false);
  // Again on the same session, and a try/catch around the loop cannot keep it alive.
  const stubborn = gp.createSession({ engine: gp.engines.fromFunction(() => {
    for (;;) { try { spin(); } catch (err) { /* the interruption is not catchable */ } }
  }) });
  e = await assert.rejects(stubborn.runAsync("q", { timeoutMs: 100 }));
  assert.equal(e.code, "TIMEOUT");

  // The runtime is usable: timers, promises, sync and async runs.
  await sleep(1);
  const ok = gp.createSession({ engine: gp.engines.echo({ reply: "fine" }) });
  assert.deepEqual(texts(ok.run("x")), ["x", "fine"]);
  assert.deepEqual(texts(await ok.runAsync("y")), ["x", "fine", "y", "fine"]); // continues
  try { JSON.parse("{"); assert.fail("no throw"); } catch (err) { assert(err instanceof SyntaxError); }

  // A runaway middleware under start(): TIMEOUT, the last event is `error`.
  const s2 = gp.createSession({ engine: gp.engines.echo(), middlewares: [(turn, next) => { spin(); return next(turn); }] });
  const h = s2.start("q", { timeoutMs: 150 });
  const types = [];
  h.on("*", (ev) => types.push(ev.type));
  e = await assert.rejects(h.promise);
  assert.equal(e.code, "TIMEOUT");
  assert.equal(types[types.length - 1], "error");
  assert.equal(types.filter((t) => t === "error").length, 1);

  // Several runaway runs at once: each is interrupted at its own deadline.
  const runs = [150, 300, 450].map((ms) => {
    const start = Date.now();
    return gp.createSession({ engine: gp.engines.fromFunction(spin) }).runAsync("q", { timeoutMs: ms })
      .then(() => assert.fail("resolved"), (err) => ({ code: err.code, ms: Date.now() - start }));
  });
  for (const r of await Promise.all(runs)) assert.equal(r.code, "TIMEOUT");

  // Without a deadline nothing is interrupted: a long but finite callback completes.
  const busy = gp.createSession({ engine: gp.engines.fromFunction((turn) => {
    const end = Date.now() + 150;
    while (Date.now() < end) {}
    turn.blocks.push(gp.turns.newAssistantBlock("done"));
  }) });
  assert.deepEqual(texts(await busy.runAsync("q")), ["q", "done"]);
  // ...and with a deadline it is not cut short before it.
  assert.deepEqual(texts(await busy.runAsync("q", { timeoutMs: 5000 })), ["q", "done", "q", "done"]);
  clearTimeout(guard);
  console.log("runaway_engine ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 30000);
