// runAsync() returns a Promise; the session is running until it settles; a second run
// throws ALREADY_RUNNING; failures reject with Error{code, message, partialTurn}.
const gp = require("geppetto");
(async () => {
  const s = gp.createSession({ engine: gp.engines.fromFunction(async (turn) => {
    await sleep(20);
    turn.blocks.push(gp.turns.newAssistantBlock("done"));
  }) });
  const p = s.runAsync("q");
  assert(p instanceof Promise);
  assert.equal(s.isRunning(), true);
  assert.throws(() => s.start("again"), { code: "ALREADY_RUNNING" });
  assert.throws(() => s.run("again"), { code: "ALREADY_RUNNING" });
  await assert.rejects(s.runAsync("again"), { code: "ALREADY_RUNNING" });
  const t = await p;
  assert.equal(s.isRunning(), false);
  assert.equal(t.blocks[1].payload.text, "done");
  assert.equal(s.latest().blocks[1].payload.text, "done");

  await assert.rejects(gp.createSession({ engine: gp.engines.echo() }).runAsync(), { code: "EMPTY_TURN" });

  const slow = gp.createSession({ engine: gp.engines.fromFunction(async (turn) => { await sleep(300); }) });
  const e = await assert.rejects(slow.runAsync("q", { timeoutMs: 50 }));
  assert.equal(e.code, "TIMEOUT");
  assert(e.partialTurn, "partialTurn on timeout");
  assert.equal(slow.isRunning(), false);
  globalThis.done = true;
  clearTimeout(guard);
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
