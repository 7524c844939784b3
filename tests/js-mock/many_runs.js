// timeout: 120
// Many runs streaming at once over the shared HTTP thread: 200 start() runs, each 60
// tokens paced 2 ms apart, so the owner delivers many runs' events together (the event
// pump, src/js/pump.c, serves every run with events waiting in one owner request). Every
// run must see every event once and in publish order — start first, its partials
// growing the text token by token, exactly one terminal event, last — and settle only
// after it; and the owner must have taken far fewer event requests than events.
const gp = require("geppetto");
const RUNS = 200, TOKENS = 60;
const engine = gp.engines.fromConfig({ apiType: "openai", model: "many-paced", apiKey: "sk-test",
                                       baseURL: process.env.GEPPETTO_MOCK_URL + "/v1" });
let events = 0;
const expected = Array.from({ length: TOKENS }, (_, i) => `w${i + 1}`).join(" ");

function check(evs, r) {
  const label = `run ${r}`;
  assert.equal(evs[0].type, "start", label + ": start first");
  const partials = evs.filter((e) => e.type === "partial");
  assert.equal(partials.length, TOKENS, label + ": every partial exactly once");
  let acc = "";
  partials.forEach((p, i) => {
    acc += p.delta;
    assert.equal(p.completion, acc, `${label}: partial ${i} in order`);
    assert.equal(p.delta.trim(), `w${i + 1}`, label);
  });
  const ends = evs.filter((e) => ["final", "error", "interrupt"].includes(e.type));
  assert.equal(ends.length, 1, label + ": one terminal event");
  assert.equal(evs[evs.length - 1].type, "final", label + ": the terminal event last");
  assert.equal(evs[evs.length - 1].text, expected, label);
}

function one(r) {
  const s = gp.createSession({ engine });
  const h = s.start("Stream.");
  const evs = [];
  let settled = false;
  h.on("*", (ev) => {
    assert(!settled, `run ${r}: an event after the settlement: ${ev.type}`);
    evs.push(ev);
    events++;
  });
  return h.promise.then((t) => {
    settled = true;
    check(evs, r);
    assert.equal(t.blocks[t.blocks.length - 1].payload.text, expected, `run ${r}: final text`);
  });
}

(async () => {
  const before = gp.runtime.stats();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: RUNS }, (_, r) => one(r)));
  const st = gp.runtime.stats();
  const reqs = (st.byOp["run.events"] ? st.byOp["run.events"].count : 0) -
               (before.byOp["run.events"] ? before.byOp["run.events"].count : 0);
  console.log(`${RUNS} runs x ${TOKENS} tokens in ${(performance.now() - t0).toFixed(0)} ms; ` +
              `${events} events in ${reqs} owner requests (run.events)`);
  assert.equal(events, RUNS * (TOKENS + 2), "start, the partials and final of every run");
  assert(reqs > 0 && reqs * 4 < events, `events share owner requests (${reqs} for ${events})`);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
