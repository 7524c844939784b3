// The agent task with geppetto (the same as bench/peers/agent_*.mjs): an OpenAI engine
// pointed at geppetto-mock, three tools as local JS functions, the tool loop running the
// three steps of three parallel calls and the final answer; 100 tasks in one process.
// Prints one JSON line with the same fields as the peers (CPU from getrusage of the
// whole process, every thread; peak RSS; wall from the monotonic clock).
// Usage: geppetto run bench/agent_loop.js BASE_URL [--reps N] [--warmup N]
const gp = require("geppetto");

const MODEL = "bench-agent";
const PROMPT = "Run the three bench steps, then answer.";
const STEPS_PER_TASK = 4;      // 3 tool steps + the final answer (model requests)
const TOOL_CALLS_PER_TASK = 9;
const FINAL_WORDS = 200;

const argv = process.argv.slice(2);
const opts = { baseURL: argv[0], reps: 100, warmup: 3 };
for (let i = 1; i < argv.length; i += 2) {
  if (argv[i] === "--reps") opts.reps = Number(argv[i + 1]);
  else if (argv[i] === "--warmup") opts.warmup = Number(argv[i + 1]);
  else throw new Error("unknown option " + argv[i]);
}
if (!opts.baseURL) throw new Error("usage: agent_loop.js BASE_URL [--reps N] [--warmup N]");

const TABLE = { alpha: 1, beta: 2, gamma: 3 };
const counters = { add: 0, lookup: 0, upper: 0 };
const registry = gp.tools.createRegistry()
  .register({ name: "add", description: "Adds two numbers.",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } },
                  required: ["a", "b"], additionalProperties: false },
    handler: async ({ a, b }) => { counters.add++; return { sum: a + b }; } })
  .register({ name: "lookup", description: "Looks a key up in a small table.",
    parameters: { type: "object", properties: { key: { type: "string" } }, required: ["key"],
                  additionalProperties: false },
    handler: async ({ key }) => { counters.lookup++; return { key, value: key in TABLE ? TABLE[key] : null }; } })
  .register({ name: "upper", description: "Upper-cases a text.",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"],
                  additionalProperties: false },
    handler: async ({ text }) => { counters.upper++; return { text: String(text).toUpperCase() }; } });

const engine = gp.engines.fromConfig({ apiType: "openai", model: MODEL, baseURL: opts.baseURL,
                                       apiKey: "sk-bench" });

function finalText(turn) {
  const last = turn.blocks.filter((b) => b.kind === "llm_text").pop();
  return last ? last.payload.text : "";
}

async function task() {
  const session = gp.createSession({ engine, tools: registry, toolLoop: { maxIterations: 10 } });
  const turn = await session.runAsync(PROMPT);
  return finalText(turn);
}

function countWords(text) {
  const t = String(text).trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}

async function main() {
  for (let i = 0; i < opts.warmup; i++) await task();
  for (const k of Object.keys(counters)) counters[k] = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let badAnswers = 0;
  for (let i = 0; i < opts.reps; i++) {
    if (countWords(await task()) !== FINAL_WORDS) badAnswers++;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const calls = counters.add + counters.lookup + counters.upper;
  const steps = opts.reps * STEPS_PER_TASK;
  const out = {
    system: "geppetto", reps: opts.reps, warmup: opts.warmup, steps, tool_calls: calls,
    ok: badAnswers === 0 && calls === opts.reps * TOOL_CALLS_PER_TASK,
    cpu_user_ms: cpu.user / 1000, cpu_sys_ms: cpu.system / 1000,
    cpu_per_step_us: (cpu.user + cpu.system) / steps,
    wall_ms: wallMs, wall_per_step_us: (wallMs * 1000) / steps,
    max_rss_kb: process.resourceUsage().maxRSS,
  };
  if (!out.ok) out.error = `${badAnswers} answers without ${FINAL_WORDS} words; ${calls} tool calls`;
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  console.error("agent_loop: " + (e && e.code ? e.code + ": " : "") + (e && e.stack ? e.stack : e));
  process.exit(1);
});
