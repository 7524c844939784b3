// The agent task with LangChain.js: ChatOpenAI (streaming, pointed at geppetto-mock) with
// three tools bound, and the usual tool-calling loop: stream the model, concatenate the
// chunks, run the requested tools in parallel, append ToolMessages, repeat.
// Usage: node agent_langchain.mjs BASE_URL [--reps N] [--warmup N]
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { HumanMessage } from "@langchain/core/messages";
import { MODEL, PROMPT, parseArgs, measure, toolImpl, toolDescriptions, toolSchemas } from "./common.mjs";

const opts = parseArgs(process.argv);
const llm = new ChatOpenAI({ model: MODEL, apiKey: "sk-bench", streaming: true,
                             configuration: { baseURL: opts.baseURL } });
const tools = Object.keys(toolImpl).map((name) =>
  tool(toolImpl[name], { name, description: toolDescriptions[name], schema: toolSchemas[name] }));
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const model = llm.bindTools(tools);

async function task() {
  const messages = [new HumanMessage(PROMPT)];
  for (let step = 0; step < 10; step++) {
    let msg;
    for await (const chunk of await model.stream(messages)) msg = msg === undefined ? chunk : msg.concat(chunk);
    messages.push(msg);
    if (!msg.tool_calls || msg.tool_calls.length === 0) return msg.content;
    const results = await Promise.all(msg.tool_calls.map((tc) => byName[tc.name].invoke(tc)));
    messages.push(...results);
  }
  throw new Error("no final answer after 10 steps");
}

await measure("langchain", opts, task);
