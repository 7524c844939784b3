// What every peer agent benchmark shares with bench/agent_loop.js: the task, the three
// local tool functions, the arguments, and the measurement (CPU, wall, peak RSS, taken
// inside the process) printed as one JSON line. The figures and checks are the same as
// the geppetto script's, so bench/run.mjs can set them side by side.

export const MODEL = "bench-agent";
export const PROMPT = "Run the three bench steps, then answer.";
export const STEPS_PER_TASK = 4;      // 3 tool steps + the final answer (model requests)
export const TOOL_CALLS_PER_TASK = 9; // 3 parallel calls in each tool step
export const FINAL_WORDS = 200;       // the final answer: 200 streamed tokens

// The tools: plain, synchronous-looking JS functions (async, as the SDKs allow).
const TABLE = { alpha: 1, beta: 2, gamma: 3 };
export const counters = { add: 0, lookup: 0, upper: 0 };
export const toolImpl = {
  add: async ({ a, b }) => { counters.add++; return { sum: a + b }; },
  lookup: async ({ key }) => { counters.lookup++; return { key, value: TABLE[key] ?? null }; },
  upper: async ({ text }) => { counters.upper++; return { text: String(text).toUpperCase() }; },
};
export const toolDescriptions = {
  add: "Adds two numbers.",
  lookup: "Looks a key up in a small table.",
  upper: "Upper-cases a text.",
};
// JSON Schemas of the arguments (geppetto's registry takes the same ones).
export const toolSchemas = {
  add: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } },
         required: ["a", "b"], additionalProperties: false },
  lookup: { type: "object", properties: { key: { type: "string" } }, required: ["key"],
            additionalProperties: false },
  upper: { type: "object", properties: { text: { type: "string" } }, required: ["text"],
           additionalProperties: false },
};

// Command line: node agent_X.mjs BASE_URL [--reps N] [--warmup N]
export function parseArgs(argv) {
  const opts = { baseURL: argv[2], reps: 100, warmup: 3 };
  for (let i = 3; i < argv.length; i += 2) {
    if (argv[i] === "--reps") opts.reps = Number(argv[i + 1]);
    else if (argv[i] === "--warmup") opts.warmup = Number(argv[i + 1]);
    else throw new Error("unknown option " + argv[i]);
  }
  if (!opts.baseURL) throw new Error("usage: agent_X.mjs BASE_URL [--reps N] [--warmup N]");
  return opts;
}

function countWords(text) {
  const t = String(text).trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}

// Runs `task()` (one full agent task, resolving to the final answer's text) `warmup`
// times unmeasured, then `reps` times measured; checks every task really ran its nine
// tool calls and streamed the whole answer; prints the JSON line.
export async function measure(system, opts, task) {
  for (let i = 0; i < opts.warmup; i++) await task();
  for (const k of Object.keys(counters)) counters[k] = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let badAnswers = 0;
  for (let i = 0; i < opts.reps; i++) {
    const text = await task();
    if (countWords(text) !== FINAL_WORDS) badAnswers++;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const calls = counters.add + counters.lookup + counters.upper;
  const steps = opts.reps * STEPS_PER_TASK;
  const out = {
    system, reps: opts.reps, warmup: opts.warmup, steps,
    tool_calls: calls,
    ok: badAnswers === 0 && calls === opts.reps * TOOL_CALLS_PER_TASK,
    cpu_user_ms: cpu.user / 1000, cpu_sys_ms: cpu.system / 1000,
    cpu_per_step_us: (cpu.user + cpu.system) / steps,
    wall_ms: wallMs, wall_per_step_us: (wallMs * 1000) / steps,
    max_rss_kb: process.resourceUsage().maxRSS,
  };
  if (!out.ok) out.error = `${badAnswers} answers without ${FINAL_WORDS} words; ${calls} tool calls`;
  process.stdout.write(JSON.stringify(out) + "\n");
}
