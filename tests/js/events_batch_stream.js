// Batched event delivery: a run streaming 400 partials to a slow listener (it busy-waits
// on every event, and long on the first, so events pile up on the run while the owner is
// busy) sees every event exactly once, in publish order, and settles after the last one.
// The same through a synchronous run() with an eventSink. Prints the owner requests the
// events cost (gp.runtime.stats()): fewer than one per event when they were batched.
const gp = require("geppetto");
const WORDS = 400;
const reply = Array.from({ length: WORDS }, (_, i) => "w" + i).join(" ");

function busy(us) {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* a slow listener */ }
}

// Checks one run's events: start first, WORDS partials whose completions grow in order,
// exactly one terminal event (final), last.
function checkSequence(evs, label) {
  assert.equal(evs[0].type, "start", label);
  const partials = evs.filter((e) => e.type === "partial");
  assert.equal(partials.length, WORDS, label + ": every partial exactly once");
  let acc = "";
  partials.forEach((p, i) => {
    acc += p.delta;
    assert.equal(p.completion, acc, label + ": partial " + i + " in order");
    assert.equal(p.delta.trim(), "w" + i, label);
  });
  assert.equal(evs.filter((e) => ["final", "error", "interrupt"].includes(e.type)).length, 1, label);
  assert.equal(evs[evs.length - 1].type, "final", label + ": final is last");
  assert.equal(evs[evs.length - 1].text, reply, label);
  for (let i = 1; i < evs.length; i++) assert(evs[i].timestampMs >= evs[i - 1].timestampMs, label);
}

function opCount(st, op) { return st.byOp[op] ? st.byOp[op].count : 0; }

(async () => {
  const before = gp.runtime.stats();
  const s = gp.createSession({ engine: gp.engines.echo({ reply }) });
  const h = s.start("go");
  const evs = [];
  let settled = false;
  h.on("*", (ev) => {
    assert(!settled, "an event after the settlement: " + ev.type);
    evs.push(ev);
    busy(evs.length === 1 ? 30000 : 50);
  });
  const turn = await h.promise.then((t) => { settled = true; return t; });
  assert.equal(turn.blocks[turn.blocks.length - 1].payload.text, reply);
  checkSequence(evs, "start()");
  const after = gp.runtime.stats();
  const requests = opCount(after, "run.events") - opCount(before, "run.events");
  console.log(`start(): ${evs.length} events in ${requests} owner requests (run.events), ` +
              `posts ${after.posts - before.posts}`);
  assert(requests >= 1 && requests <= evs.length, "one request per batch, at most one per event");

  // Synchronous run(): events reach the eventSink through the private dispatcher.
  const sunk = [];
  const sync = gp.createSession({ engine: gp.engines.echo({ reply }),
                                  eventSink: (ev) => { sunk.push(ev); busy(sunk.length === 1 ? 30000 : 50); } });
  const t2 = sync.run("go");
  assert.equal(t2.blocks[t2.blocks.length - 1].payload.text, reply);
  checkSequence(sunk, "run()");
  const after2 = gp.runtime.stats();
  console.log(`run(): ${sunk.length} events in ${opCount(after2, "run.events") - opCount(after, "run.events")} ` +
              `requests (run.events)`);
  globalThis.done = true;
  clearTimeout(guard);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
const guard = setTimeout(() => assert.fail("did not finish in time"), 50000);
