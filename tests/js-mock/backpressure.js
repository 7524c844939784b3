// Streams faster than the listeners: 8 concurrent start() runs, each streaming 2000
// tokens as fast as geppetto-mock can send them, to listeners that busy-wait on every
// event. Each run's queue reaches its bound and its HTTP stream is held and resumed
// many times; every run must still see every token exactly once and in order, each
// `completion` the previous one plus the delta, nothing after the settlement, and a
// final text equal to the whole stream. A timer set meanwhile still fires on time-ish:
// the event pump leaves the owner to other work between slices.
const gp = require("geppetto");
const RUNS = 8, TOKENS = 2000;
const engine = gp.engines.fromConfig({ apiType: "openai", model: "bp-long", apiKey: "sk-test",
                                       baseURL: process.env.GEPPETTO_MOCK_URL + "/v1" });
const expected = Array.from({ length: TOKENS }, (_, i) => `w${i + 1}`).join(" ");

function busy(us) {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* a slow listener */ }
}

function one(r) {
  const s = gp.createSession({ engine });
  const h = s.start("Stream a long answer.");
  let completion = "", partials = 0, settled = false;
  h.on("partial", (ev) => {
    assert(!settled, `run ${r}: a partial after the settlement`);
    assert.equal(ev.completion, completion + ev.delta, `run ${r}: partial ${partials} extends the text`);
    completion = ev.completion;
    partials++;
    busy(20);
  });
  return h.promise.then((t) => {
    settled = true;
    assert.equal(completion, expected, `run ${r}: every token once, in order`);
    assert.equal(t.blocks[t.blocks.length - 1].payload.text, expected, `run ${r}: final text`);
    return partials;
  });
}

(async () => {
  let timerLateMs = null;
  const t0 = performance.now();
  setTimeout(() => { timerLateMs = Math.max(0, performance.now() - t0 - 50); }, 50);
  const counts = await Promise.all(Array.from({ length: RUNS }, (_, r) => one(r)));
  const wall = performance.now() - t0;
  console.log(`${RUNS} runs x ${TOKENS} tokens in ${wall.toFixed(0)} ms; partials per run ` +
              `${Math.min(...counts)}..${Math.max(...counts)}; a 50 ms timer fired ` +
              `${timerLateMs.toFixed(1)} ms late; run.events p99 ` +
              `${gp.runtime.stats().enqueueToStartUs.p99} us`);
  assert(timerLateMs !== null, "the timer fired while the runs streamed");
  assert(timerLateMs < 1000, `the timer was held up ${timerLateMs} ms by event delivery`);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
