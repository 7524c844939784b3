// Configuration errors of gp.engines.fromConfig / fromProfile name what is wrong and
// where it was looked for (SPEC §4.2, §6). No network is used.
const gp = require("geppetto");
function fails(fn, code, re) {
  try { fn(); } catch (e) {
    assert.equal(e.code, code, e.message);
    assert(re.test(e.message), "message " + JSON.stringify(e.message) + " should match " + re);
    return e;
  }
  assert.fail("expected " + code);
}
fails(() => gp.engines.fromConfig({ apiType: "bard", model: "x" }), "INVALID_ARGUMENT", /bard.*openai.*gemini/);
fails(() => gp.engines.fromConfig({ apiType: "gemini", model: "x" }), "CONFIG", /GEMINI_API_KEY/);
fails(() => gp.engines.fromConfig({ apiType: "openai" }), "INVALID_ARGUMENT", /model/);
fails(() => gp.engines.fromConfig("openai"), "INVALID_ARGUMENT", /fromConfig/);
fails(() => gp.engines.fromConfig({ apiType: "openai", model: "m", temperature: "hot" }), "INVALID_ARGUMENT", /temperature/);
const saved = process.env.ANTHROPIC_API_KEY;
fails(() => gp.engines.fromConfig({ apiType: "claude", model: "m" }), "CONFIG", /ANTHROPIC_API_KEY/);
fails(() => gp.engines.fromProfile("nope", { baseURL: "http://127.0.0.1:9/v1" }), "CONFIG", /profiles/);
fails(() => gp.engines.fromProfile(42), "INVALID_ARGUMENT", /name/);
const e = gp.engines.fromConfig({ apiType: "openai", model: "local", baseURL: "http://127.0.0.1:9/v1" });
assert(e, "a keyless engine for a local OpenAI-compatible server");
console.log("config errors ok", saved === undefined);
