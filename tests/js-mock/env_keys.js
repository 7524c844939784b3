// API keys and profile choice from the script's process.env (SPEC §6), as dotenv sets
// them: the default key variable, a variable named by apiKeyEnv, a profile's
// api_key_env with the profile picked by $GEPPETTO_PROFILE, and an embeddings key all
// reach geppetto-mock, which checks the Authorization / x-api-key header exactly
// (422 otherwise). None of these variables is in the C environment (ctest unsets them).
const gp = require("geppetto");
const mock = process.env.GEPPETTO_MOCK_URL;
const base = mock + "/v1";

async function ask(engine, prompt) {
  const t = await gp.createSession({ engine }).start(prompt).promise;
  return t.blocks[t.blocks.length - 1].payload.text;
}

(async () => {
  process.env.OPENAI_API_KEY = "sk-envkeys-openai-1";
  assert.equal(await ask(gp.engines.fromConfig({ apiType: "openai", model: "m", baseURL: base }),
                         "envkeys-openai"), "openai ok");

  process.env.GP_ENVKEYS_NAMED = "sk-envkeys-named-2";
  assert.equal(await ask(gp.engines.fromConfig({ apiType: "openai", model: "m", baseURL: base,
                                                 apiKeyEnv: "GP_ENVKEYS_NAMED" }), "envkeys-named"), "named ok");

  process.env.GEPPETTO_PROFILE = "mock-claude";
  process.env.GP_JS_TEST_KEY = "sk-envkeys-profile-3";
  const viaProfile = gp.engines.fromProfile(undefined, { baseURL: base });
  assert.equal(await ask(viaProfile, "envkeys-profile"), "profile ok");

  // Embeddings: the mock logs the key's header only as its length.
  await fetch(mock + "/_mock/reset", { method: "POST" });
  process.env.OPENAI_API_KEY = "sk-envkeys-embed-4";
  const e = gp.embeddings.fromConfig({ apiType: "openai", model: "emb", baseURL: base });
  assert.equal((await e.embed("hello")).length, 8);
  const reqs = await (await fetch(mock + "/_mock/requests")).json();
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].headers.authorization, `<redacted:${"Bearer sk-envkeys-embed-4".length} chars>`);

  // Deleted again: a session against the mock goes without a key (a custom base URL
  // may), and the profile's variable is missing from what the mock sees.
  await fetch(mock + "/_mock/reset", { method: "POST" });
  delete process.env.OPENAI_API_KEY;
  await gp.embeddings.fromConfig({ apiType: "openai", model: "emb", baseURL: base }).embed("x");
  const after = await (await fetch(mock + "/_mock/requests")).json();
  assert.equal(after[0].headers.authorization, undefined, "no key once deleted");
  console.log("env keys ok");
})().catch((e) => { console.error(e); process.exit(1); });
