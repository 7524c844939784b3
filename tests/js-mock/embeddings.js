// gp.embeddings (SPEC §4.13) against geppetto-mock: the OpenAI, Ollama and Gemini APIs,
// Float32Array results in input order, batches split to batchSize and sent in parallel,
// dimensions, configuration errors, profiles.
const gp = require("geppetto");
const mock = process.env.GEPPETTO_MOCK_URL;
const bases = { openai: mock + "/v1", ollama: mock, gemini: mock + "/v1beta" };
const log = async () => (await (await fetch(mock + "/_mock/requests")).json());
const reset = () => fetch(mock + "/_mock/reset", { method: "POST" });
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

(async () => {
  for (const apiType of ["openai", "ollama", "gemini"]) {
    await reset();
    const e = gp.embeddings.fromConfig({ apiType, model: "emb-" + apiType, baseURL: bases[apiType],
                                         apiKey: "k", batchSize: 3 });
    assert.equal(e.model, "emb-" + apiType);
    const one = await e.embed("hello");
    assert(one instanceof Float32Array, apiType + ": a Float32Array");
    assert.equal(one.length, 8);
    const norm = Math.sqrt(one.reduce((s, x) => s + x * x, 0));
    assert(Math.abs(norm - 1) < 1e-4, apiType + ": unit length " + norm);
    const texts = Array.from({ length: 10 }, (_, i) => "text " + i);
    texts[7] = "hello";
    const vecs = await e.embedBatch(texts);
    assert.equal(vecs.length, 10);
    assert(same(vecs[7], one), apiType + ": the same text, the same vector, in input order");
    assert(!same(vecs[0], vecs[1]), apiType + ": different texts differ");
    const reqs = (await log()).filter((r) => r.status === 200);
    assert.equal(reqs.length, 1 + 4, apiType + ": one request, then 10 texts in batches of 3");
    const path = { openai: "/v1/embeddings", ollama: "/api/embed",
                   gemini: "/v1beta/models/emb-gemini:batchEmbedContents" }[apiType];
    assert(reqs.every((r) => r.path === path), apiType + ": " + reqs.map((r) => r.path));
    const header = apiType === "gemini" ? "x-goog-api-key" : "authorization";
    assert(reqs[0].headers[header], apiType + ": the key header");
    assert.deepEqual(await e.embedBatch([]), []);
    const d = gp.embeddings.fromConfig({ apiType, model: "m", baseURL: bases[apiType], dimensions: 16 });
    assert.equal((await d.embed("x")).length, 16, apiType + ": dimensions");
  }
  // Errors: an unknown key, a wrong type, an unknown apiType, a missing key, bad input.
  const bad = (cfg, code, re) => {
    const e = assert.throws(() => gp.embeddings.fromConfig(cfg));
    assert.equal(e.code, code, e.message);
    assert(re.test(e.message), e.message);
  };
  bad({ apiType: "openai", model: "m", dimension: 3 }, "INVALID_ARGUMENT", /"dimension".*known keys.*dimensions/);
  bad({ apiType: "openai", model: "m", batchSize: "3" }, "INVALID_ARGUMENT", /batchSize/);
  bad({ apiType: "claude", model: "m" }, "INVALID_ARGUMENT", /openai, ollama, gemini/);
  bad({ apiType: "gemini", model: "m" }, "CONFIG", /GEMINI_API_KEY/);
  const e = gp.embeddings.fromConfig({ apiType: "ollama", model: "m", baseURL: mock });
  await assert.rejects(e.embed(42), { code: "INVALID_ARGUMENT" });
  await assert.rejects(e.embedBatch(["a", 1]), { code: "INVALID_ARGUMENT" });
  const down = gp.embeddings.fromConfig({ apiType: "openai", model: "m", baseURL: "http://127.0.0.1:9/v1", maxRetries: 0 });
  const derr = await down.embed("x").then(() => null, (x) => x);
  assert(derr && (derr.code === "IO" || derr.code === "TIMEOUT"), String(derr && derr.code));
  // A profile: the default one of tests/js-mock/profiles.yaml, pointed at the mock.
  const viaProfile = gp.embeddings.fromProfile("mock-openai");
  assert.equal(viaProfile.model, "mock-gpt");
  console.log("embeddings: ok");
})().catch((e) => { console.error(e.code, e.message, e.stack); process.exit(1); });
