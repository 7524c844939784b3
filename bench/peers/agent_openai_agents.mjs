// The agent task with the OpenAI Agents SDK: an Agent with three function tools on the
// Chat Completions model (an OpenAI client pointed at geppetto-mock), run streamed.
// Tracing is off (it would export to the network).
// Usage: node agent_openai_agents.mjs BASE_URL [--reps N] [--warmup N]
import { Agent, run, tool, setTracingDisabled, OpenAIChatCompletionsModel } from "@openai/agents";
import OpenAI from "openai";
import { MODEL, PROMPT, parseArgs, measure, toolImpl, toolDescriptions, toolSchemas } from "./common.mjs";

const opts = parseArgs(process.argv);
setTracingDisabled(true);
const client = new OpenAI({ baseURL: opts.baseURL, apiKey: "sk-bench" });
const tools = Object.keys(toolImpl).map((name) => tool({
  name, description: toolDescriptions[name], parameters: toolSchemas[name], strict: false,
  execute: (args) => toolImpl[name](args),
}));
const agent = new Agent({ name: "bench", instructions: "You run bench steps.", tools,
                          model: new OpenAIChatCompletionsModel(client, MODEL) });

async function task() {
  const result = await run(agent, PROMPT, { stream: true, maxTurns: 10 });
  let last = "";
  for await (const ev of result) {
    if (ev.type === "raw_model_stream_event" && ev.data.type === "output_text_delta") last += ev.data.delta;
    else if (ev.type === "run_item_stream_event" && ev.name === "tool_called") last = "";
  }
  await result.completed;
  return result.finalOutput;
}

await measure("openai-agents", opts, task);
