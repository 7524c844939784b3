// cancel() right after start(), in the same synchronous code, always cancels (SPEC
// §4.7: it works at any moment after start() returns, whatever the thread timing):
// even a run that would finish in microseconds (the echo engine) returns true, ends
// with interrupt as its last event, rejects CANCELED with the partial turn and leaves
// the history as it was. The same for runAsync() + cancelActive().
// expect-stdout: cancel_sync_after_start: ok
const gp = require("geppetto");

(async () => {
  const s = gp.createSession({ engine: gp.engines.echo({ reply: "a b c d" }) });
  s.run("kept");
  for (let i = 0; i < 200; i++) {
    const h = s.start("x" + i);
    const types = [];
    h.on("*", (e) => types.push(e.type));
    assert.equal(h.cancel(), true, "cancel() right after start() cancels (round " + i + ")");
    const e = await h.promise.then(() => null, (err) => err);
    assert.ok(e && e.code === "CANCELED", "rejects CANCELED (round " + i + ")");
    assert.ok(e.partialTurn && Array.isArray(e.partialTurn.blocks), "with the partial turn");
    assert.equal(types[types.length - 1], "interrupt");
    assert.equal(types.filter((t) => t === "final").length, 0);
    assert.equal(s.turnCount(), 1);
    assert.equal(s.isRunning(), false);

    const p = s.runAsync("y" + i);
    assert.equal(s.cancelActive(), true, "cancelActive() right after runAsync()");
    await assert.rejects(p, { code: "CANCELED" });
  }
  assert.equal(s.latest().blocks.map((b) => b.payload.text).join(","), "kept,a b c d");
  // an uncanceled run still completes
  assert.equal((await s.runAsync("z")).blocks.length, 4);
  console.log("cancel_sync_after_start: ok");
})();
