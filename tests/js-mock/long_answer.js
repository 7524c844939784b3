// timeout: 120
// A long answer costs linear time (SPEC §4.8): an OpenAI-compatible stream of 80 000
// deltas sent in a few large writes. runAsync() with nobody listening builds no events
// and takes well under half a second of CPU; start() with a listener that reads each
// delta sees every one, in order, and the completion of the last is the whole text.
const gp = require("geppetto");
// Sanitizer builds run many times slower: they check the behaviour on 10 000 deltas, the
// normal build the time on 80 000.
const slow = !!process.env.GP_TEST_SANITIZER;
const TOKENS = slow ? 10000 : 80000;
const engine = gp.engines.fromConfig({ apiType: "openai", model: slow ? "long-answer-small" : "long-answer",
                                       apiKey: "sk-test", baseURL: process.env.GEPPETTO_MOCK_URL + "/v1" });
const expected = Array.from({ length: TOKENS }, (_, i) => `w${i + 1}`).join(" ");

function cpuMs(since) {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

(async () => {
  const quiet = gp.createSession({ engine });
  let c0 = process.cpuUsage();
  const t = await quiet.runAsync("Write a long answer.");
  const cpu1 = cpuMs(c0);
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, expected, "the whole text");
  console.log(`runAsync, no listener, ${TOKENS} deltas: ${cpu1.toFixed(0)} ms CPU`);
  if (!slow) assert.ok(cpu1 < 500, `runAsync of 80 000 deltas took ${cpu1.toFixed(0)} ms of CPU`);

  const s = gp.createSession({ engine });
  c0 = process.cpuUsage();
  const h = s.start("Write a long answer.");
  let n = 0, bytes = 0, last = null;
  h.on("partial", (ev) => {
    n++;
    bytes += ev.delta.length;
    if (n === TOKENS) last = ev.completion;
  });
  const t2 = await h.promise;
  const cpu2 = cpuMs(c0);
  console.log(`start() with a listener: ${n} events, ${cpu2.toFixed(0)} ms CPU`);
  assert.equal(n, TOKENS, "every delta once");
  assert.equal(bytes, expected.length, "the deltas add up to the text");
  assert.equal(last, expected, "the last completion is the whole text");
  assert.equal(t2.blocks[t2.blocks.length - 1].payload.text, expected);
  if (!slow) assert.ok(cpu2 < 3000, `80 000 events to a listener took ${cpu2.toFixed(0)} ms of CPU`);
  console.log("long_answer: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
