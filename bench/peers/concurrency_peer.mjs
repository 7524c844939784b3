// N concurrent streaming runs in one Node.js process with one of the peers, each
// streaming 200 tokens (geppetto-mock, model bench-stream) to a listener that counts
// them. Prints one JSON line: wall, CPU (user+sys), peak RSS, tokens seen.
// MODEL: bench-stream (as fast as the mock can) or bench-stream-paced (100 tokens/s).
// Usage: node concurrency_peer.mjs ai-sdk|openai-agents|langchain BASE_URL N [MODEL]
const [peer, baseURL, nArg, modelArg] = process.argv.slice(2);
const N = Number(nArg);
const MODEL = modelArg || "bench-stream";
const PROMPT = "Stream the bench answer.";
const TOKENS = 200;

// Each factory returns `stream(onDelta)`: one streaming run, resolving when it ends.
const factories = {
  async "ai-sdk"() {
    const { streamText } = await import("ai");
    const { createOpenAI } = await import("@ai-sdk/openai");
    const model = createOpenAI({ baseURL, apiKey: "sk-bench" }).chat(MODEL);
    return async (onDelta) => {
      const r = streamText({ model, prompt: PROMPT });
      for await (const d of r.textStream) onDelta(d);
    };
  },
  async "openai-agents"() {
    const { Agent, run, setTracingDisabled, OpenAIChatCompletionsModel } = await import("@openai/agents");
    const { default: OpenAI } = await import("openai");
    setTracingDisabled(true);
    const client = new OpenAI({ baseURL, apiKey: "sk-bench" });
    const agent = new Agent({ name: "bench", instructions: "Stream.", model: new OpenAIChatCompletionsModel(client, MODEL) });
    return async (onDelta) => {
      const r = await run(agent, PROMPT, { stream: true });
      for await (const ev of r) {
        if (ev.type === "raw_model_stream_event" && ev.data.type === "output_text_delta") onDelta(ev.data.delta);
      }
      await r.completed;
    };
  },
  async langchain() {
    const { ChatOpenAI } = await import("@langchain/openai");
    const llm = new ChatOpenAI({ model: MODEL, apiKey: "sk-bench", streaming: true,
                                 configuration: { baseURL } });
    return async (onDelta) => {
      for await (const chunk of await llm.stream(PROMPT)) if (chunk.content) onDelta(chunk.content);
    };
  },
};

if (!factories[peer] || !baseURL || !(N > 0)) {
  console.error("usage: concurrency_peer.mjs ai-sdk|openai-agents|langchain BASE_URL N");
  process.exit(2);
}
const stream = await factories[peer]();
await stream(() => {}); // one warm-up run (module code compiled, connection pool made)
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let tokens = 0;
const counts = await Promise.all(Array.from({ length: N }, async () => {
  let n = 0;
  await stream((d) => { n += String(d).trim() === "" ? 0 : String(d).trim().split(/\s+/).length; });
  tokens += n;
  return n;
}));
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const ok = counts.every((n) => n === TOKENS);
process.stdout.write(JSON.stringify({
  system: peer, runs: N, model: MODEL, ok, tokens, wall_ms: wallMs,
  cpu_ms: (cpu.user + cpu.system) / 1000, cpu_user_ms: cpu.user / 1000, cpu_sys_ms: cpu.system / 1000,
  max_rss_kb: process.resourceUsage().maxRSS,
}) + "\n");
