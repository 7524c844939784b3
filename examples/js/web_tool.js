// An agent with a web tool: `fetch_url` downloads a page with fetch(), streaming the
// body and keeping at most `maxBytes` of it, with a timeout, and stops with the run
// (ctx.signal). A fake LLM (an engine written in JS) asks for the page and summarises
// what came back. Offline by default: the URL is a data: URL; give a real one to fetch
// it over the network:
//   geppetto run examples/js/web_tool.js [URL]
// Swap the engine for gp.engines.fromProfile() to let a real model drive the tool.
const gp = require("geppetto");

const url = process.argv[2] ||
  "data:text/html,<html><head><title>geppetto</title></head><body>Agents in JavaScript, run by a C core.</body></html>";

const tools = gp.tools.createRegistry().register({
  name: "fetch_url",
  description: "Downloads a web page and returns its status, content type and text",
  parameters: { type: "object", properties: { url: { type: "string" }, maxBytes: { type: "integer", minimum: 1 } },
                required: ["url"], additionalProperties: false },
  handler: async ({ url, maxBytes = 65536 }, ctx) => {
    // The run's signal and a 10 s limit: whichever comes first stops the download.
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(10000)]);
    const res = await fetch(url, { signal, headers: { accept: "text/html, text/plain;q=0.9, */*;q=0.1" } });
    // Read the body as a stream and stop at maxBytes: a huge page costs no more memory.
    const decoder = new TextDecoder();
    let text = "", kept = 0;
    for await (const chunk of res.body) {
      const room = maxBytes - kept;
      text += decoder.decode(chunk.subarray(0, room), { stream: true });
      kept += Math.min(room, chunk.length);
      if (kept >= maxBytes) break; // leaving the loop cancels the rest of the transfer
    }
    text += decoder.decode();
    return { status: res.status, type: res.headers.get("content-type"), truncated: kept >= maxBytes, text };
  },
});

const fakeLLM = gp.engines.fromFunction((turn) => {
  const done = turn.blocks.find((b) => b.kind === "tool_use");
  if (!done) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("call_1", "fetch_url", { url, maxBytes: 4096 }));
  const p = done.payload;
  if (p.error) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("The page could not be fetched: " + p.error));
  const title = (/<title>([^<]*)<\/title>/i.exec(p.result.text) || [])[1] || "(no title)";
  const words = p.result.text.replace(/<[^>]*>/g, " ").split(/\s+/).filter(Boolean).length;
  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(
    `The page (HTTP ${p.result.status}, ${p.result.type}) is titled "${title}" and has ${words} words.`));
});

const run = gp.createSession({ engine: fakeLLM, tools }).start("What is on " + url.slice(0, 60) + "?");
run.on("tool-call-execute", (ev) => console.log("[tool]", ev.toolCall.name, JSON.stringify(ev.toolCall.input).slice(0, 80)));
run.promise.then((turn) => console.log(turn.blocks[turn.blocks.length - 1].payload.text));
