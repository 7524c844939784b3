// Stream decoding in Node.js over the files bench/gen_streams.mjs writes, fed in 16 KiB
// pieces (what a socket read or curl's write callback hands over):
//   eventsource-parser  SSE decoding + JSON.parse per event + accumulation of the text
//                       and the tool calls' arguments (the same work bench/decode.c does);
//   openai-sdk          `openai`'s ChatCompletionStream (client.chat.completions.stream)
//                       over a Response whose body is the file: SSE decoding, chunk
//                       parsing, accumulation to the final ChatCompletion;
//   anthropic-sdk       `@anthropic-ai/sdk`'s MessageStream (client.messages.stream), the
//                       same way, to the final Message.
// The SDKs get the bytes through their `fetch` option, so no socket is involved.
// One JSON line per file and decoder: median time of the iterations and MB/s (10^6 B/s),
// and what was accumulated (checked by bench/run.mjs against FILE.expect.json).
// Usage: node decode_peers.mjs FILE...   (openai_*.sse or anthropic_*.sse)
import fs from "node:fs";
import path from "node:path";
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const PIECE = 16 * 1024;
const MIN_MS = 1500, MIN_ITERS = 3, MAX_ITERS = 50;

function bodyOf(bytes) {
  let off = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (off >= bytes.length) { ctrl.close(); return; }
      ctrl.enqueue(bytes.subarray(off, off + PIECE));
      off += PIECE;
    },
  });
}
const sseResponse = (bytes) => new Response(bodyOf(bytes), {
  status: 200, headers: { "content-type": "text/event-stream" } });

// eventsource-parser + JSON.parse + accumulation, as an engine would do it.
function parserDecode(bytes, protocol) {
  let text = "";
  const args = [];
  const parser = createParser({
    onEvent(ev) {
      if (ev.data === "[DONE]") return;
      const j = JSON.parse(ev.data);
      if (protocol === "openai") {
        const ch = j.choices && j.choices[0];
        if (!ch) return;
        const d = ch.delta;
        if (typeof d.content === "string") text += d.content;
        if (d.tool_calls) {
          for (const tc of d.tool_calls) {
            if (!args[tc.index]) args[tc.index] = { id: tc.id, name: tc.function.name, args: "" };
            if (tc.function && tc.function.arguments) args[tc.index].args += tc.function.arguments;
          }
        }
      } else if (j.type === "content_block_start" && j.content_block.type === "tool_use") {
        args[j.index] = { id: j.content_block.id, name: j.content_block.name, args: "" };
      } else if (j.type === "content_block_delta") {
        if (j.delta.type === "text_delta") text += j.delta.text;
        else if (j.delta.type === "input_json_delta") args[j.index].args += j.delta.partial_json;
      }
    },
  });
  const dec = new TextDecoder();
  for (let off = 0; off < bytes.length; off += PIECE)
    parser.feed(dec.decode(bytes.subarray(off, off + PIECE), { stream: true }));
  const calls = args.filter(Boolean);
  for (const c of calls) c.input = JSON.parse(c.args); // tool arguments end as JSON values
  return { text_bytes: Buffer.byteLength(text), tool_calls: calls.length,
           args_bytes: calls.reduce((n, c) => n + Buffer.byteLength(c.args), 0) };
}

async function openaiDecode(bytes) {
  const client = new OpenAI({ apiKey: "sk-bench", baseURL: "http://127.0.0.1:9/v1", maxRetries: 0,
                              fetch: async () => sseResponse(bytes) });
  const stream = client.chat.completions.stream({ model: "gpt-4o-mini",
    messages: [{ role: "user", content: "bench" }], stream_options: { include_usage: true } });
  const done = await stream.finalChatCompletion();
  const m = done.choices[0].message;
  const calls = m.tool_calls || [];
  return { text_bytes: Buffer.byteLength(m.content || ""), tool_calls: calls.length,
           args_bytes: calls.reduce((n, c) => n + Buffer.byteLength(c.function.arguments), 0) };
}

async function anthropicDecode(bytes) {
  const client = new Anthropic({ apiKey: "sk-bench", baseURL: "http://127.0.0.1:9", maxRetries: 0,
                                 fetch: async () => sseResponse(bytes) });
  const stream = client.messages.stream({ model: "claude-bench", max_tokens: 1024,
    messages: [{ role: "user", content: "bench" }] });
  const msg = await stream.finalMessage();
  let text = "", calls = 0, argsBytes = 0;
  for (const b of msg.content) {
    if (b.type === "text") text += b.text;
    else if (b.type === "tool_use") { calls++; argsBytes += Buffer.byteLength(JSON.stringify(b.input)); }
  }
  return { text_bytes: Buffer.byteLength(text), tool_calls: calls, args_bytes: argsBytes };
}

async function bench(fn) {
  await fn(); // warm-up
  const times = [];
  let total = 0, result;
  while ((total < MIN_MS || times.length < MIN_ITERS) && times.length < MAX_ITERS) {
    const t0 = performance.now();
    result = await fn();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  times.sort((a, b) => a - b);
  return { median_ms: times[times.length >> 1], iterations: times.length, result };
}

for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const protocol = path.basename(file).startsWith("anthropic") ? "anthropic" : "openai";
  const decoders = [["eventsource-parser", async () => parserDecode(bytes, protocol)],
    protocol === "openai" ? ["openai-sdk", () => openaiDecode(bytes)] : ["anthropic-sdk", () => anthropicDecode(bytes)]];
  for (const [name, fn] of decoders) {
    const r = await bench(fn);
    process.stdout.write(JSON.stringify({ decoder: name, protocol, file: path.basename(file), bytes: bytes.length,
      median_ms: r.median_ms, iterations: r.iterations, mb_per_s: bytes.length / 1e6 / (r.median_ms / 1000),
      check: r.result }) + "\n");
  }
}
