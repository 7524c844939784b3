// The agent task with the Vercel AI SDK: streamText over the OpenAI Chat Completions
// provider pointed at geppetto-mock, three local tools, up to 10 steps.
// Usage: node agent_ai_sdk.mjs BASE_URL [--reps N] [--warmup N]
import { streamText, tool, jsonSchema, stepCountIs } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { MODEL, PROMPT, parseArgs, measure, toolImpl, toolDescriptions, toolSchemas } from "./common.mjs";

const opts = parseArgs(process.argv);
const provider = createOpenAI({ baseURL: opts.baseURL, apiKey: "sk-bench" });
const model = provider.chat(MODEL);
const tools = {};
for (const name of Object.keys(toolImpl)) {
  tools[name] = tool({ description: toolDescriptions[name], inputSchema: jsonSchema(toolSchemas[name]),
                       execute: toolImpl[name] });
}

async function task() {
  const result = streamText({ model, tools, prompt: PROMPT, stopWhen: stepCountIs(10) });
  let last = "";
  for await (const part of result.fullStream) {
    if (part.type === "start-step") last = "";
    else if (part.type === "text-delta") last += part.text;
    else if (part.type === "error") throw part.error;
  }
  return last;
}

await measure("ai-sdk", opts, task);
