// Structured output (SPEC §4.10) end to end against geppetto-mock in every protocol: the
// schema goes in each protocol's own request form (the mock refuses the request
// otherwise), the JSON streams as partial-object events, the value lands in
// turn.data.output and the final event; tools then output; an invalid answer repaired
// once; invalid twice is OUTPUT_INVALID with the partial turn.
const gp = require("geppetto");
const schema = {
  type: "object",
  properties: {
    city: { type: "string" }, temp: { type: "integer" },
    tags: { type: "array", items: { type: "string" } }, note: { type: ["string", "null"] },
  },
  required: ["city", "temp", "tags", "note"],
  additionalProperties: false,
};
const output = { schema, name: "weather" };
const tools = gp.tools.createRegistry().register({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  handler: ({ city }) => ({ city, sky: "sunny" }),
});
const engineFor = (apiType) => gp.engines.fromConfig({ apiType, model: "m-" + apiType, apiKey: "k",
  baseURL: process.env.GEPPETTO_MOCK_URL + (apiType === "gemini" ? "/v1beta" : "/v1") });

async function protocol(apiType) {
  const label = (s) => apiType + ": " + s;
  // A JSON answer: partial objects while it streams, the value in data.output and final.
  const s1 = gp.createSession({ engine: engineFor(apiType) });
  const h = s1.start("SO-text: the weather?", { output });
  const partials = [];
  let fin = null;
  h.on("partial-object", (ev) => partials.push(ev.object));
  h.on("final", (ev) => { fin = ev; });
  const t1 = await h.promise;
  const want = { city: "Paris", temp: 21, tags: ["sunny", "warm é"], note: null };
  assert.deepEqual(t1.data.output, want, label("data.output"));
  assert.deepEqual(fin.output, want, label("final.output"));
  assert(partials.length >= 2, label("partial-object events: " + partials.length));
  assert(partials.every((o) => o && typeof o === "object"), label("partials are objects"));
  assert.equal(partials[0].city !== undefined ? typeof partials[0].city : "string", "string");
  // The session default, and tools then output in the same run.
  const s2 = gp.createSession({ engine: engineFor(apiType), tools, output });
  const t2 = await s2.runAsync("SO-tools: the weather?");
  assert.equal(t2.data.output.note, "from the tool", label("tools then output"));
  assert(t2.blocks.some((b) => b.kind === "tool_use"), label("the tool ran"));
  // Invalid, then repaired: the model saw the validation error.
  const t3 = await gp.createSession({ engine: engineFor(apiType) }).runAsync("SO-repair", { output });
  assert.equal(t3.data.output.temp, 23, label("repaired"));
  assert(t3.blocks.some((b) => b.kind === "user" && /does not match/.test(b.payload.text)), label("repair turn"));
  // Invalid twice: OUTPUT_INVALID with the partial turn.
  const e = await gp.createSession({ engine: engineFor(apiType) }).runAsync("SO-twice", { output })
    .then(() => null, (x) => x);
  assert.equal(e && e.code, "OUTPUT_INVALID", label(e && e.message));
  assert(/not valid JSON/.test(e.message), label(e.message));
  assert(e.partialTurn && e.partialTurn.blocks.length >= 4, label("partial turn"));
  // OpenAI's strict mode takes closed schemas only (the mock refuses others with 400, as
  // OpenAI does): a schema with an optional property goes with strict false, still validated.
  if (apiType.startsWith("openai")) {
    const loose = { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } },
      required: ["city"] };
    const tl = await gp.createSession({ engine: engineFor(apiType) }).runAsync("SO-loose", { output: { schema: loose } });
    assert.deepEqual(tl.data.output, { city: "Lyon" }, label("loose schema"));
    const log = await (await fetch(process.env.GEPPETTO_MOCK_URL + "/_mock/requests")).json();
    const fmt = (r) => apiType === "openai" ? r.body.response_format.json_schema : r.body.text.format;
    const sent = log.filter((r) => r.protocol && JSON.stringify(r.body).includes("SO-loose")).pop();
    assert.equal(fmt(sent).strict, false, label("strict false for a loose schema"));
    const closed = log.filter((r) => JSON.stringify(r.body).includes("SO-text")).pop();
    assert.equal(fmt(closed).strict, true, label("strict true for a closed schema"));
    // the mock's rule is the real one: a request with strict true and a loose schema is a 400
    const body = apiType === "openai"
      ? { model: "m", stream: true, messages: [{ role: "user", content: "SO-loose" }],
          response_format: { type: "json_schema", json_schema: { name: "x", schema: loose, strict: true } } }
      : { model: "m", stream: true, input: "SO-loose", text: { format: { type: "json_schema", name: "x", schema: loose, strict: true } } };
    const r = await fetch(process.env.GEPPETTO_MOCK_URL + (apiType === "openai" ? "/v1/chat/completions" : "/v1/responses"),
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(r.status, 400, label("strict mock"));
    const rt = await r.text();
    assert(/additionalProperties/.test(rt), label("mock message: " + rt));
  }
  // Without output the request carries no schema, and data.output stays unset.
  const t5 = await gp.createSession({ engine: engineFor(apiType) }).runAsync("SO-plain");
  assert(!t5.data || t5.data.output === undefined, label("no output"));
}

(async () => {
  for (const apiType of ["openai", "openai-responses", "claude", "gemini"]) await protocol(apiType);
  // Claude's fallback: output_config refused (400), then the schema as a forced tool.
  // Its input streams as partial-object events.
  const hf = gp.createSession({ engine: engineFor("claude") }).start("SO-fallback", { output });
  const fparts = [];
  hf.on("partial-object", (ev) => fparts.push(ev.object));
  const tf = await hf.promise;
  assert.equal(tf.data.output.note, "via a tool");
  assert(!tf.blocks.some((b) => b.kind === "tool_call"), "the forced call is the answer, not a tool call");
  assert(fparts.length >= 2, "partial-object from the tool's input: " + fparts.length);
  assert.deepEqual(fparts[fparts.length - 1], tf.data.output);
  // With the run's own tools: they stay reachable (tool_choice "any", the mock checks it),
  // and the engine remembers the refusal: one 400 in its life, not one per step or run.
  await fetch(process.env.GEPPETTO_MOCK_URL + "/_mock/reset", { method: "POST" });
  const claude = engineFor("claude");
  for (let i = 0; i < 2; i++) {
    const tt = await gp.createSession({ engine: claude, tools, output }).runAsync("SO-fbt: the weather?");
    assert.equal(tt.data.output.note, "tools then the output tool");
    assert(tt.blocks.some((b) => b.kind === "tool_call" && b.payload.name === "get_weather"), "the run's tool was called");
    assert(tt.blocks.some((b) => b.kind === "tool_use"), "and ran");
  }
  const log = await (await fetch(process.env.GEPPETTO_MOCK_URL + "/_mock/requests")).json();
  const fbt = log.filter((r) => JSON.stringify(r.body).includes("SO-fbt"));
  assert.equal(fbt.length, 5, "1 refused + 2 steps per run: " + fbt.length);
  assert.equal(fbt.filter((r) => r.status === 400).length, 1, "one refusal");
  assert(fbt.every((r) => r.expectation_error == null), JSON.stringify(fbt.map((r) => r.expectation_error)));
  // The option is checked before the run starts.
  const s = gp.createSession({ engine: engineFor("openai") });
  assert.throws(() => s.start("x", { output: { schema: { type: "object", requried: [] } } }), /requried/);
  assert.throws(() => s.start("x", { output: { schema: { type: "object" }, nmae: "x" } }), /nmae/);
  assert.throws(() => gp.createBuilder().withOutput({}), /withOutput/);
  console.log("structured output: ok");
})().catch((e) => { console.error(e.code, e.message, e.stack); process.exit(1); });
