// The Gemini engine (apiType "gemini", SPEC §7) against geppetto-mock: text, thoughts,
// function calls and responses, usage, finish reasons, the key in x-goog-api-key (and
// from $GEMINI_API_KEY), retries, errors with the partial turn, cancel.
// env: GEMINI_API_KEY=gk-env
const gp = require("geppetto");
const base = process.env.GEPPETTO_MOCK_URL + "/v1beta";
const tools = gp.tools.createRegistry().register({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  handler: async ({ city }) => ({ city, sky: "sunny" }),
});
const engine = (extra) => gp.engines.fromConfig(Object.assign({ apiType: "gemini", model: "gemini-test",
  baseURL: base, apiKey: "gk-test", maxRetries: 1 }, extra || {}));
const failure = (p) => p.then(() => null, (e) => e);
const textOf = (t) => t.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text).join("");

(async () => {
  const s = gp.createSession({ engine: engine({ temperature: 0.5, maxTokens: 100 }), tools });
  const h = s.start(gp.turns.newTurn({ blocks: [gp.turns.newSystemBlock("Be brief."),
                                                 gp.turns.newUserBlock("What is the weather in Paris?")] }));
  const seen = { partial: "", thinking: "", calls: [], final: null };
  h.on("partial", (ev) => { seen.partial += ev.delta; });
  h.on("partial-thinking", (ev) => { seen.thinking += ev.delta; });
  h.on("tool-call", (ev) => { seen.calls.push(ev.toolCall); });
  h.on("final", (ev) => { seen.final = ev; });
  const t = await h.promise;
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, "It is sunny in Paris.");
  assert.equal(seen.thinking, "The user wants the weather.");
  assert(seen.partial.startsWith("Let me check."), seen.partial);
  assert.equal(seen.calls.length, 1);
  assert.deepEqual(seen.calls[0].input, { city: "Paris" });
  assert(seen.calls[0].id, "a call id is made up when Gemini sends none");
  const kinds = t.blocks.map((b) => b.kind).join(",");
  assert.equal(kinds, "system,user,reasoning,llm_text,tool_call,tool_use,llm_text", kinds);
  assert.equal(t.metadata.provider, "gemini");
  assert.equal(t.metadata.model, "gemini-test");
  assert.deepEqual(t.metadata.usage, { inputTokens: 30, outputTokens: 5 });
  assert.equal(t.metadata.stop_reason, "STOP");
  assert.equal(seen.final.text, "It is sunny in Paris.");

  // Cancel mid-stream: CANCELED with the partial text.
  const hc = gp.createSession({ engine: engine() }).start("answer slowly");
  let chars = 0;
  hc.on("partial", (ev) => { chars += ev.delta.length; if (chars > 20 && chars - ev.delta.length <= 20) hc.cancel(); });
  const ec = await failure(hc.promise);
  assert.equal(ec && ec.code, "CANCELED");
  assert(textOf(ec.partialTurn).startsWith("w1 w2"), textOf(ec.partialTurn));

  // A refused key: PROVIDER_AUTH naming GEMINI_API_KEY, the key redacted.
  const ea = await failure(gp.createSession({ engine: engine({ apiKey: "gk-SENTINEL" }) }).runAsync("refuse me"));
  assert.equal(ea.code, "PROVIDER_AUTH");
  assert(/GEMINI_API_KEY/.test(ea.message) && /UNAUTHENTICATED/.test(ea.message), ea.message);
  assert(!ea.message.includes("gk-SENTINEL"), ea.message);

  // 503 once, retried: the answer of the second attempt.
  const tr = await gp.createSession({ engine: engine() }).runAsync("overload me");
  assert.equal(textOf(tr), "Back again.");
  // 500 every time: PROVIDER_HTTP after the retries, with the provider's message.
  const eh = await failure(gp.createSession({ engine: engine() }).runAsync("break the server"));
  assert.equal(eh.code, "PROVIDER_HTTP");
  assert(/HTTP 500/.test(eh.message) && /2 attempts/.test(eh.message) && /INTERNAL/.test(eh.message), eh.message);
  // An error chunk mid-stream: PROVIDER_STREAM, the text before it kept.
  const es = await failure(gp.createSession({ engine: engine() }).runAsync("fail midway"));
  assert.equal(es.code, "PROVIDER_STREAM");
  assert(/Something broke/.test(es.message), es.message);
  assert(/^This answer ?$/.test(textOf(es.partialTurn)), textOf(es.partialTurn));
  // A stream that ends without a finishReason: PROVIDER_STREAM.
  const et = await failure(gp.createSession({ engine: engine() }).runAsync("truncate it"));
  assert.equal(et.code, "PROVIDER_STREAM");
  assert(/finishReason/.test(et.message), et.message);
  assert(textOf(et.partialTurn).length > 0);

  // The key from $GEMINI_API_KEY, extra headers; a native finish reason kept as it is.
  const tk = await gp.createSession({ engine: engine({ apiKey: undefined, headers: { "x-trace": "t1" } }) }).runAsync("env key");
  assert.equal(textOf(tk), "keyed");
  assert.equal(tk.metadata.stop_reason, "MAX_TOKENS");
  console.log("gemini: ok");
})().catch((e) => { console.error(e.code, e.message, e.stack); process.exit(1); });
