// Provider engines from a script (SPEC §4.2, §6) over HTTP against geppetto-mock: every
// api type with a JS tool, live events and usage; cancel mid-stream with the partial
// turn; PROVIDER_AUTH without the key in the error; profiles by name and by default.
const gp = require("geppetto");
const base = process.env.GEPPETTO_MOCK_URL + "/v1";

const tools = gp.tools.createRegistry().register({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  handler: async ({ city }) => ({ city, sky: "sunny" }),
});

async function conversation(engine, label) {
  const s = gp.createSession({ engine, tools });
  const h = s.start("What is the weather in Paris?");
  const seen = { partial: "", thinking: 0, toolCalls: 0, final: null };
  h.on("partial", (ev) => { seen.partial += ev.delta; });
  h.on("partial-thinking", () => { seen.thinking++; });
  h.on("tool-call", () => { seen.toolCalls++; });
  h.on("final", (ev) => { seen.final = ev; });
  const t = await h.promise;
  const last = t.blocks[t.blocks.length - 1];
  assert.equal(last.payload.text, "It is sunny in Paris.", label);
  assert(t.blocks.some((b) => b.kind === "reasoning"), label + ": reasoning block");
  assert(t.blocks.some((b) => b.kind === "tool_use" && b.payload.result.sky === "sunny"), label);
  assert.equal(seen.toolCalls, 1, label + ": one tool-call event");
  assert(seen.thinking > 0, label + ": partial-thinking events");
  assert(seen.partial.includes("Let me check."), label + ": partial text");
  assert.equal(t.metadata.usage.inputTokens, 30, label + ": usage of the last call");
  assert(seen.final && seen.final.text === "It is sunny in Paris.", label + ": final event");
  return t;
}

(async () => {
  for (const apiType of ["openai", "claude", "anthropic", "openai-responses"]) {
    const t = await conversation(gp.engines.fromConfig({ apiType, model: "m-" + apiType, baseURL: base,
                                                         apiKey: "k" }), apiType);
    assert.equal(t.metadata.model, "m-" + apiType);
  }

  // Profiles: the file from --profiles, the default profile, a named one; overrides on top.
  process.env.GP_JS_TEST_KEY = "unused";
  const viaDefault = await conversation(gp.engines.fromProfile(undefined, { baseURL: base }), "default profile");
  assert.equal(viaDefault.metadata.provider, "openai");
  assert.equal(viaDefault.metadata.model, "mock-gpt");

  // Cancel in the middle of a slow stream: CANCELED with the partial text.
  const s = gp.createSession({ engine: gp.engines.fromConfig({ apiType: "openai", model: "m", baseURL: base, apiKey: "k" }) });
  const h = s.start("answer slowly");
  let chars = 0;
  h.on("partial", (ev) => { chars += ev.delta.length; if (chars > 20 && chars - ev.delta.length <= 20) h.cancel(); });
  const t0 = Date.now();
  const err = await h.promise.then(() => null, (e) => e);
  assert(err && err.code === "CANCELED", "canceled: " + err);
  assert(Date.now() - t0 < 4000, "ended long before the stream would have");
  const partial = err.partialTurn.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text).join("");
  assert(partial.length >= 20 && partial.startsWith("w1 w2"), "partial text kept: " + partial);

  // A refused key: PROVIDER_AUTH, and the key never shows.
  const bad = gp.createSession({ engine: gp.engines.fromConfig({ apiType: "openai", model: "m", baseURL: base,
                                                                 apiKey: "sk-js-SENTINEL" }) });
  const e2 = await bad.runAsync("refuse me").then(() => null, (e) => e);
  assert.equal(e2.code, "PROVIDER_AUTH");
  assert(!JSON.stringify({ m: e2.message, s: e2.stack, p: e2.partialTurn }).includes("sk-js-SENTINEL"),
         "the key is redacted: " + e2.message);
  // A 500 (retried, then given up): PROVIDER_HTTP with the provider's own message.
  const eng = (extra) => gp.engines.fromConfig(Object.assign({ apiType: "openai", model: "m", baseURL: base,
                                                               apiKey: "k", maxRetries: 1 }, extra || {}));
  const e3 = await gp.createSession({ engine: eng() }).runAsync("break the server").then(() => null, (e) => e);
  assert.equal(e3.code, "PROVIDER_HTTP");
  assert(/500/.test(e3.message) && /server had an error/.test(e3.message), e3.message);

  // An error event mid-stream: PROVIDER_STREAM, the text before it kept.
  const e4 = await gp.createSession({ engine: eng() }).runAsync("fail midway").then(() => null, (e) => e);
  assert.equal(e4.code, "PROVIDER_STREAM", e4.message);
  const kept = e4.partialTurn.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text).join("");
  assert(kept.length > 0 && "This answer will be cut short by the provider".startsWith(kept), "partial: " + kept);

  // More than maxResponseBytes: RESPONSE_TOO_LARGE.
  const e5 = await gp.createSession({ engine: eng({ maxResponseBytes: 65536 }) }).runAsync("too much")
    .then(() => null, (e) => e);
  assert.equal(e5 && e5.code, "RESPONSE_TOO_LARGE", e5 && e5.message);
  console.log("providers: ok");
})().catch((e) => { console.error(e.code, e.message, e.stack); process.exit(1); });
