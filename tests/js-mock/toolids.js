// Tool calls whose ids the provider reuses, leaves empty or omits (OpenAI-compatible
// servers do) still run, each once, and the run never ends with an unanswered call;
// the ids sent back in the tool results are the turn's (unique, generated where needed).
const gp = require("geppetto");
const base = process.env.GEPPETTO_MOCK_URL + "/v1";

let ran = [];
const tools = gp.tools.createRegistry().register({
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  handler: async ({ city }) => { ran.push(city); return { city, sky: "sky-" + city }; },
});

async function run(apiType, scenario, cities) {
  ran = [];
  const label = apiType + " " + scenario;
  const engine = gp.engines.fromConfig({ apiType, model: "m", baseURL: base, apiKey: "k" });
  const s = gp.createSession({ engine, tools });
  const t = await s.start("SCEN_" + scenario + " weather?").promise;
  assert.equal(JSON.stringify(ran.slice().sort()), JSON.stringify(cities.slice().sort()), label + ": every call ran once");
  const calls = t.blocks.filter((b) => b.kind === "tool_call");
  const uses = t.blocks.filter((b) => b.kind === "tool_use");
  assert.equal(calls.length, cities.length, label + ": tool_call blocks");
  assert.equal(uses.length, cities.length, label + ": tool_use blocks");
  const ids = calls.map((b) => b.payload.id);
  for (const id of ids) assert(typeof id === "string" && id.length > 0, label + ": id " + id);
  assert.equal(new Set(ids).size, ids.length, label + ": unique ids " + ids.join(","));
  calls.forEach((c, i) => {
    const u = uses.find((b) => b.payload.id === c.payload.id);
    assert(u, label + ": call " + c.payload.id + " answered");
    assert.equal(u.payload.result.sky, "sky-" + c.payload.args.city, label + ": paired by position");
  });
  const last = t.blocks[t.blocks.length - 1];
  assert.equal(last.kind, "llm_text", label + ": ends with the answer");
  assert.equal(last.payload.text, "All done.", label);
}

(async () => {
  for (const apiType of ["openai", "claude", "openai-responses"]) {
    await run(apiType, "repeat", ["Paris", "London"]);
    await run(apiType, "empty", ["Paris"]);
    await run(apiType, "same", ["Paris", "Rome"]);
  }
  await run("openai", "missing", ["Paris", "Rome"]);
  console.log("ok");
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
