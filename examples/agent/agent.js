// An agent with two tools that streams its answer, against any provider:
//   geppetto run --profile NAME examples/agent/agent.js ["question"]
// Offline, scripts/example.sh runs it against geppetto-mock with fixture.json.
const gp = require("geppetto");

const question = process.argv[2] || "What's the weather in Paris, and what time zone is it on?";

const tools = gp.tools.createRegistry()
  .register({
    name: "get_weather",
    description: "The current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    handler: async ({ city }) => ({ city, sky: "sunny", temperatureC: 21 }),
  })
  .register({
    name: "get_time",
    description: "The time zone of a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    handler: ({ city }) => ({ city, timeZone: city === "Paris" ? "Europe/Paris" : "UTC" }),
  });

const session = gp.createBuilder()
  .withEngine(gp.engines.fromProfile())
  .useNativeMiddleware("systemPrompt", { prompt: "You are a concise travel assistant. Use the tools." })
  .withTools(tools, { maxParallelTools: 2, executionTimeoutMs: 5000 })
  .withToolHooks({
    beforeToolCall: ({ call }) => { say(`[tool] ${call.name}(${JSON.stringify(call.args)})`); },
  })
  .buildSession();

// Streamed text is written as it comes; other lines start on a fresh line.
let midLine = false;
function say(line) {
  console.log((midLine ? "\n" : "") + line);
  midLine = false;
}

const run = session.start(question);
run.on("partial", (ev) => { process.stdout.write(ev.delta); midLine = true; });
run.on("tool-call-execution-result", (ev) =>
  say(`[result] ${ev.toolResult.id}: ${JSON.stringify(ev.toolResult.result)} (${ev.toolResult.durationMs} ms)`));
run.on("final", (ev) => say(`[final] stop=${ev.stopReason || "-"} usage=${JSON.stringify(ev.usage || {})}`));

run.promise.then(
  (turn) => console.log(`[done] ${turn.blocks.length} blocks, ${turn.metadata.provider}/${turn.metadata.model}`),
  (err) => { console.error(`[error] ${err.code}: ${err.message}`); process.exitCode = 1; });
