// start(): listeners attached synchronously see `start` first; events arrive in publish
// order on the owner; exactly one terminal event, last; a throwing listener is logged
// and the run goes on; every event has type, timestampMs, sessionId, inferenceId, turnId.
const gp = require("geppetto");
const sinkSeen = [];
const s = gp.createSession({ engine: gp.engines.echo({ reply: "a b c d e" }), eventSink: (ev) => sinkSeen.push(ev.type) });
const h = s.start("go");
assert.equal(typeof h.id, "string");
const all = [];
const typed = [];
assert.equal(h.on("*", (ev) => all.push(ev)), h, "on() is chainable");
h.on("partial", () => { throw new Error("listener bug"); });
h.on("final", (ev) => typed.push(ev));
assert.throws(() => h.on("nonsense", () => {}), TypeError);
h.promise.then((turn) => {
  assert.equal(all[0].type, "start");
  const terminal = all.filter((e) => ["final", "error", "interrupt"].includes(e.type));
  assert.equal(terminal.length, 1);
  assert.equal(all[all.length - 1].type, "final");
  assert.equal(typed.length, 1);
  assert.equal(typed[0].text, "a b c d e");
  const partials = all.filter((e) => e.type === "partial");
  assert.equal(partials.length, 5);
  let acc = "";
  for (const p of partials) { acc += p.delta; assert.equal(p.completion, acc, "in order"); }
  for (const e of all) {
    assert.equal(typeof e.timestampMs, "number");
    assert.equal(e.sessionId, s.id);
    assert.equal(e.inferenceId, h.id);
    assert.equal(typeof e.turnId, "string");
  }
  assert.deepEqual(sinkSeen, all.map((e) => e.type), "eventSink sees the same sequence");
  assert.equal(turn.blocks[1].payload.text, "a b c d e");
  globalThis.done = true;
  clearTimeout(guard);
});
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
