// One run per session across session objects (SPEC §4.12): while one object runs a
// session, a run of the same id through another object fails with SESSION_BUSY and
// changes nothing; once the first has ended, the other runs and sees its turn.
// expect-stdout: store_busy: ok
const gp = require("geppetto");
const store = gp.stores.memory();
(async () => {
  const a = gp.createSession({ engine: gp.engines.echo({ reply: "a b c d e f g h", wordDelayMs: 20 }), store, id: "s" });
  const b = gp.createSession({ engine: gp.engines.echo(), store, id: "s" });
  await b.ready;
  const running = a.start("first");
  await new Promise((r) => setTimeout(r, 40));
  const e = await assert.rejects(b.runAsync("second"), { code: "SESSION_BUSY" });
  assert(/lease/.test(e.message), e.message);
  assert.equal(b.turnCount(), 0);
  await running.promise;
  const t = await b.runAsync("second");
  assert.deepEqual(t.blocks.map((x) => x.payload.text), ["first", "a b c d e f g h", "second", "second"]);
  assert.equal(b.turnCount(), 2, "a's turn (reloaded), then b's");
  console.log("store_busy: ok");
})();
