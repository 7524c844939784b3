// Batched event delivery under load: 50 concurrent start() runs, each streaming 120
// partials, listeners that busy-wait a little: every run sees its own events exactly
// once, in publish order, none after its settlement. Prints the owner requests spent on
// events per event (gp.runtime.stats()).
const gp = require("geppetto");
const RUNS = 50, WORDS = 120;

function busy(us) {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* a slow listener */ }
}

function opCount(st, op) { return st.byOp[op] ? st.byOp[op].count : 0; }

(async () => {
  const before = gp.runtime.stats();
  let total = 0;
  const runs = Array.from({ length: RUNS }, (_, r) => {
    const reply = Array.from({ length: WORDS }, (_, i) => `r${r}w${i}`).join(" ");
    const s = gp.createSession({ engine: gp.engines.echo({ reply }) });
    const h = s.start("go");
    const evs = [];
    let settled = false;
    h.on("*", (ev) => {
      assert(!settled, `run ${r}: an event after the settlement: ${ev.type}`);
      assert.equal(ev.inferenceId, h.id, `run ${r}: only its own events`);
      evs.push(ev);
      total++;
      busy(20);
    });
    return h.promise.then((t) => {
      settled = true;
      assert.equal(t.blocks[t.blocks.length - 1].payload.text, reply);
      assert.equal(evs[0].type, "start");
      const partials = evs.filter((e) => e.type === "partial");
      assert.equal(partials.length, WORDS, `run ${r}: every partial exactly once`);
      partials.forEach((p, i) => assert.equal(p.delta.trim(), `r${r}w${i}`, `run ${r}: in order`));
      assert.equal(evs[evs.length - 1].type, "final", `run ${r}: final is last`);
      assert.equal(evs.length, WORDS + 2, `run ${r}: start, partials, final`);
    });
  });
  await Promise.all(runs);
  const after = gp.runtime.stats();
  const requests = opCount(after, "run.events") - opCount(before, "run.events");
  console.log(`${RUNS} runs: ${total} events in ${requests} owner requests (run.events), ` +
              `posts ${after.posts - before.posts}, enqueue->start p99 ${after.enqueueToStartUs.p99} us`);
  assert.equal(total, RUNS * (WORDS + 2));
  // The event pump serves every run with events waiting in one request at a time: never
  // more requests than events, and at least one.
  assert(requests >= 1 && requests <= total, `run.events requests: ${requests}`);
  globalThis.done = true;
  clearTimeout(guard);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
const guard = setTimeout(() => assert.fail("did not finish in time"), 50000);
