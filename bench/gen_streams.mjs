// Writes the streams the decoding benchmark reads: a streamed OpenAI Chat Completions
// response and a streamed Anthropic Messages response, each of about SIZE bytes, as
// the APIs send them (SSE). The mix is the same at every size, so time per byte should
// stay flat: one word per text delta, and per ~100 KB of stream one tool call whose
// ~1.5 KB of JSON arguments arrive in 12-byte fragments (OpenAI: text first, then the
// calls; Anthropic: text blocks and tool_use blocks interleaved, with pings).
// Next to each file, FILE.expect.json holds what a correct accumulator ends with.
// Usage: node gen_streams.mjs OUT_DIR SIZE_MB...   (writes openai_<MB>.sse, anthropic_<MB>.sse)
import fs from "node:fs";
import path from "node:path";

const TOOL_EVERY = 100_000;   // bytes of stream per tool call
const FRAG = 12;              // bytes of argument JSON per delta

function toolArgs(k) {
  const items = [];
  for (let i = 0; i < 24; i++) items.push({ id: k * 100 + i, name: `item ${k}-${i}`, tags: ["a", "b", "c"], score: (i * 7) % 10 });
  return JSON.stringify({ query: `lookup number ${k}`, items });
}
function fragments(s) {
  const out = [];
  for (let i = 0; i < s.length; i += FRAG) out.push(s.slice(i, i + FRAG));
  return out;
}

class Out {
  constructor() { this.parts = []; this.bytes = 0; }
  push(s) { this.parts.push(s); this.bytes += Buffer.byteLength(s); }
  text() { return this.parts.join(""); }
}

function openai(target) {
  const head = '{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,' +
    '"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":';
  const chunk = (o, delta, finish) =>
    o.push("data: " + head + JSON.stringify(delta) + ',"logprobs":null,"finish_reason":' +
      (finish ? JSON.stringify(finish) : "null") + "}]}\n\n");
  const ncalls = Math.max(1, Math.round(target / TOOL_EVERY));
  const calls = Array.from({ length: ncalls }, (_, k) => toolArgs(k));
  // The calls come after the text; write them first to know how much room the text has.
  const tail = new Out();
  calls.forEach((args, i) => {
    chunk(tail, { tool_calls: [{ index: i, id: `call_${i}`, type: "function", function: { name: "lookup", arguments: "" } }] });
    for (const f of fragments(args)) chunk(tail, { tool_calls: [{ index: i, function: { arguments: f } }] });
  });
  chunk(tail, {}, "tool_calls");
  const o = new Out();
  chunk(o, { role: "assistant", content: "", refusal: null });
  let text = "", words = 0;
  while (o.bytes < target - tail.bytes - 250) {
    const w = (words ? " " : "") + "w" + (++words);
    text += w;
    chunk(o, { content: w });
  }
  o.push(tail.text());
  o.push('data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,' +
    '"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":25,' +
    `"completion_tokens":${words},"total_tokens":${words + 25}}}\n\n`);
  o.push("data: [DONE]\n\n");
  return { body: o.text(), expect: expectOf(text, calls) };
}

function anthropic(target) {
  const o = new Out();
  const ev = (name, data) => o.push(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  const ncalls = Math.max(1, Math.round(target / TOOL_EVERY));
  const calls = Array.from({ length: ncalls }, (_, k) => toolArgs(k));
  ev("message_start", { type: "message_start", message: { id: "msg_bench", type: "message", role: "assistant",
    model: "claude-bench", content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } });
  let text = "", words = 0, index = 0, events = 0;
  const perSegment = (target - 400) / ncalls;
  for (let k = 0; k < ncalls; k++) {
    const segEnd = perSegment * (k + 1) - fragments(calls[k]).length * 130 - 300;
    ev("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
    while (o.bytes < segEnd) {
      const w = (words ? " " : "") + "w" + (++words);
      text += w;
      ev("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: w } });
      if (++events % 1000 === 0) ev("ping", { type: "ping" });
    }
    ev("content_block_stop", { type: "content_block_stop", index });
    index++;
    ev("content_block_start", { type: "content_block_start", index,
      content_block: { type: "tool_use", id: `toolu_${k}`, name: "lookup", input: {} } });
    for (const f of fragments(calls[k]))
      ev("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: f } });
    ev("content_block_stop", { type: "content_block_stop", index });
    index++;
  }
  ev("message_delta", { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: words } });
  ev("message_stop", { type: "message_stop" });
  return { body: o.text(), expect: expectOf(text, calls) };
}

function expectOf(text, calls) {
  return { text_bytes: Buffer.byteLength(text), tool_calls: calls.length,
           args_bytes: calls.reduce((n, a) => n + Buffer.byteLength(a), 0) };
}

const [outDir, ...sizes] = process.argv.slice(2);
if (!outDir || sizes.length === 0) {
  console.error("usage: gen_streams.mjs OUT_DIR SIZE_MB...");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
for (const mb of sizes) {
  for (const [proto, gen] of [["openai", openai], ["anthropic", anthropic]]) {
    const { body, expect } = gen(Number(mb) * 1e6);
    const file = path.join(outDir, `${proto}_${mb}.sse`);
    fs.writeFileSync(file, body);
    fs.writeFileSync(file + ".expect.json", JSON.stringify({ ...expect, bytes: Buffer.byteLength(body) }) + "\n");
  }
}
