// N concurrent streaming runs in one geppetto process: N sessions over one OpenAI
// engine pointed at geppetto-mock (model bench-stream: 200 tokens, no tools), each
// started with start() and streaming its tokens to a JS listener on `partial`.
// Prints one JSON line: wall, CPU (user+sys, every thread), peak RSS, tokens seen, and
// the owner's enqueue→start latency from gp.runtime.stats() (since the process began:
// the N runs and one warm-up run), and the delivery lag of the `partial` events: from
// the event's timestampMs (stamped when the run published it) to the listener's
// Date.now(), in whole milliseconds.
// MODEL: bench-stream (the mock sends as fast as it can) or bench-stream-paced (10 ms
// between events: 100 tokens/s per stream, an LLM's pace).
// Usage: geppetto run bench/concurrency.js BASE_URL N [MODEL]
const gp = require("geppetto");

const [baseURL, nArg, modelArg] = process.argv.slice(2);
const N = Number(nArg);
const TOKENS = 200;
if (!baseURL || !(N > 0)) throw new Error("usage: concurrency.js BASE_URL N");

const engine = gp.engines.fromConfig({ apiType: "openai", model: modelArg || "bench-stream", baseURL,
                                       apiKey: "sk-bench" });

function words(s) {
  const t = String(s).trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}

const lags = [];

function one() {
  const session = gp.createSession({ engine });
  let n = 0;
  const h = session.start("Stream the bench answer.");
  h.on("partial", (ev) => { n += words(ev.delta); lags.push(Date.now() - ev.timestampMs); });
  return h.promise.then(() => n);
}

async function main() {
  await one(); // warm-up: the engine's first connection, JIT of the listener
  lags.length = 0;
  const before = gp.runtime.stats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = await Promise.all(Array.from({ length: N }, one));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const st = gp.runtime.stats();
  const tokens = counts.reduce((a, b) => a + b, 0);
  lags.sort((a, b) => a - b);
  const q = (f) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(f * lags.length))] : 0);
  process.stdout.write(JSON.stringify({
    system: "geppetto", runs: N, model: modelArg || "bench-stream", ok: counts.every((c) => c === TOKENS), tokens, wall_ms: wallMs,
    cpu_ms: (cpu.user + cpu.system) / 1000, cpu_user_ms: cpu.user / 1000, cpu_sys_ms: cpu.system / 1000,
    max_rss_kb: process.resourceUsage().maxRSS,
    owner: { enqueue_to_start_us: st.enqueueToStartUs, exec_us: st.execUs,
             posts: st.posts - before.posts, calls: st.calls - before.calls },
    event_lag_ms: { p50: q(0.5), p99: q(0.99), max: lags.length ? lags[lags.length - 1] : 0 },
  }) + "\n");
}

main().catch((e) => {
  console.error("concurrency: " + (e && e.code ? e.code + ": " : "") + (e && e.stack ? e.stack : e));
  process.exit(1);
});
