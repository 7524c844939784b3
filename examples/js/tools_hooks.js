// Tools and tool hooks, offline: a fake LLM (an engine written in JS) decides which
// tools to call, two JS tools answer, and a beforeToolCall hook rewrites or refuses
// calls before they run. Swap the engine for gp.engines.fromConfig({...}) or
// gp.engines.fromProfile() to drive the same tools with a real model.
//   geppetto run examples/js/tools_hooks.js
const gp = require("geppetto");

// ---- The tools ---------------------------------------------------------------------
const FORECASTS = { paris: { tempC: 18, sky: "cloudy" }, tokyo: { tempC: 24, sky: "clear" } };

const tools = gp.tools.createRegistry()
  .register({
    name: "weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string", minLength: 1 } },
                  required: ["city"], additionalProperties: false },
    // Handlers may be async; ctx.signal aborts on cancel or executionTimeoutMs.
    handler: async ({ city }, ctx) => {
      await sleep(20); // pretend to call a weather service
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const f = FORECASTS[city.toLowerCase()];
      if (!f) throw new Error("no forecast for " + city);
      return { city, ...f };
    },
  })
  .register({
    name: "calculator",
    description: "Evaluates a + b, a - b, a * b or a / b",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" },
                  op: { enum: ["+", "-", "*", "/"] } }, required: ["a", "b", "op"] },
    handler: ({ a, b, op }) => ({ "+": a + b, "-": a - b, "*": a * b, "/": a / b })[op],
  });

// ---- The fake LLM --------------------------------------------------------------------
// First step: ask for tools based on the question. Second step: answer from the results.
const fakeLLM = gp.engines.fromFunction(async (turn, ctx) => {
  const results = turn.blocks.filter((b) => b.kind === "tool_use");
  if (results.length === 0) {
    const call = (id, name, args) => gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args));
    call("call_1", "weather", { city: "paris" });
    call("call_2", "weather", { city: "Atlantis" });
    call("call_3", "calculator", { a: 6, b: 7, op: "*" });
    call("call_4", "calculator", { a: 1, b: 0, op: "/" });
    call("call_5", "calculator", { a: "two", b: 2, op: "+" }); // invalid: refused by validation
    return turn;
  }
  const lines = results.map((r) => r.payload.id + ": " +
    (r.payload.error ? "error: " + r.payload.error : JSON.stringify(r.payload.result)));
  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("Here is what I found:\n  " + lines.join("\n  ")));
});

// ---- The hooks ---------------------------------------------------------------------
const toolHooks = {
  // Normalise city names; refuse divisions by zero before the tool runs.
  beforeToolCall: ({ call }) => {
    if (call.name === "weather" && typeof call.args.city === "string") {
      const c = call.args.city;
      return { args: { city: c[0].toUpperCase() + c.slice(1).toLowerCase() } };
    }
    if (call.name === "calculator" && call.args.op === "/" && call.args.b === 0)
      return { action: "abort", error: "refused: division by zero" };
    return undefined; // run the call as the model asked
  },
  // Round numbers before the model sees them.
  afterToolCall: ({ result }) =>
    typeof result.value === "number" ? { result: Math.round(result.value * 100) / 100 } : undefined,
  hookErrorPolicy: "fail-closed", // a hook that throws fails the call (the default)
};

// ---- Run it, printing the events ----------------------------------------------------
const session = gp.createSession({
  engine: fakeLLM, tools, toolHooks,
  toolLoop: { maxParallelTools: 2, executionTimeoutMs: 5000, maxIterations: 5 },
});
const handle = session.start("What's the weather in Paris and Atlantis, and what is 6*7?");
handle
  .on("tool-call-execute", (ev) => console.log("run   ", ev.toolCall.id, ev.toolCall.name, JSON.stringify(ev.toolCall.input)))
  .on("tool-call-execution-result", (ev) => console.log("done  ", ev.toolResult.id, ev.toolResult.error ?
      "error: " + ev.toolResult.error : JSON.stringify(ev.toolResult.result), "(" + ev.toolResult.durationMs + " ms)"))
  .on("tool-result", (ev) => console.log("result", ev.toolResult.id))
  .on("final", (ev) => console.log("\nassistant:", ev.text));
handle.promise.then(
  (turn) => console.log("\n" + turn.blocks.length + " blocks in the final turn"),
  (err) => { console.error("run failed:", err.code, err.message); process.exitCode = 1; });
