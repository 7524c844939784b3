// run() on the owner thread: JS callbacks run inline (no deadlock), events reach the
// eventSink, an empty session is EMPTY_TURN, a Promise-returning callback fails the run
// with ASYNC_CALLBACK_IN_SYNC_RUN, and timers wait until run() returns.
const gp = require("geppetto");
const events = [];
let calls = 0;
const s = gp.createSession({
  engine: gp.engines.fromFunction((turn) => { calls++; turn.blocks.push(gp.turns.newAssistantBlock("x")); }),
  eventSink: (ev) => events.push(ev.type),
});
let timerRan = false;
setTimeout(() => { timerRan = true; }, 0);
for (let i = 0; i < 20; i++) s.run("round " + i);
assert.equal(calls, 20);
assert.equal(timerRan, false, "no other JS interleaves with run()");
assert.equal(events.filter((t) => t === "start").length, 20);
assert.equal(events.filter((t) => t === "final").length, 20);
assert.equal(events[events.length - 1], "final");
assert.equal(s.isRunning(), false);

const empty = gp.createSession({ engine: gp.engines.echo() });
assert.equal(assert.throws(() => empty.run()).code, "EMPTY_TURN");

const asy = gp.createSession({ engine: gp.engines.fromFunction(async (turn) => turn) });
const e = assert.throws(() => asy.run("q"));
assert.equal(e.code, "ASYNC_CALLBACK_IN_SYNC_RUN");
assert(/runAsync|start/.test(e.message), e.message);
assert.equal(asy.isRunning(), false);
setTimeout(() => assert(timerRan), 20);
