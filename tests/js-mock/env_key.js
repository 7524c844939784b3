// The key of engines.fromConfig and fromProfile falls back to $OPENAI_API_KEY / the
// variable apiKeyEnv (a profile's api_key_env) names (SPEC §4.2, §6) as the script
// sees process.env: a key the script itself sets there (from a .env file, say) is
// sent; an explicit apiKey still wins.
const gp = require("geppetto");
const base = process.env.GEPPETTO_MOCK_URL + "/v1";

(async () => {
  process.env.OPENAI_API_KEY = "sk-from-script";
  const t1 = await gp.createSession({ engine: gp.engines.fromConfig({ apiType: "openai",
    model: "env-key-openai", baseURL: base, maxRetries: 0 }) }).runAsync("hi");
  assert.equal(t1.blocks[t1.blocks.length - 1].payload.text, "openai key ok");

  process.env.GP_ENV_KEY_TEST_VAR = "sk-named-var";
  const t2 = await gp.createSession({ engine: gp.engines.fromConfig({ apiType: "claude",
    model: "env-key-claude", baseURL: base, apiKeyEnv: "GP_ENV_KEY_TEST_VAR", maxRetries: 0 }) }).runAsync("hi");
  assert.equal(t2.blocks[t2.blocks.length - 1].payload.text, "claude key ok");

  // a profile's api_key_env (tests/js-mock/profiles.yaml: mock-claude, GP_JS_TEST_KEY)
  process.env.GP_JS_TEST_KEY = "sk-named-var";
  const t3 = await gp.createSession({ engine: gp.engines.fromProfile("mock-claude",
    { baseURL: base, model: "env-key-claude", maxRetries: 0 }) }).runAsync("hi");
  assert.equal(t3.blocks[t3.blocks.length - 1].payload.text, "claude key ok");

  const wrong = gp.createSession({ engine: gp.engines.fromConfig({ apiType: "openai",
    model: "env-key-openai", baseURL: base, apiKey: "sk-explicit", maxRetries: 0 }) });
  await assert.rejects(wrong.runAsync("hi"), (e) => /expect|header|authorization/i.test(e.message));
  console.log("env_key: ok");
})();
