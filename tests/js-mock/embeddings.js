// gp.embeddings (SPEC §4.13) against geppetto-mock: the OpenAI, Ollama and Gemini APIs,
// Float32Array results in input order, batches split to batchSize and sent in parallel,
// dimensions, configuration errors, profiles; HTTP errors (401, 429 then 200, 500) and
// overlapping requests, from the mock's fault words in the model name (docs/MOCK.md).
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
  // HTTP errors, asked for by the model name: 401 is PROVIDER_AUTH, for each API.
  for (const apiType of ["openai", "ollama", "gemini"]) {
    const f = gp.embeddings.fromConfig({ apiType, model: "emb-fail-401", baseURL: bases[apiType], apiKey: "sekrit" });
    const err = await f.embed("x").then(() => null, (x) => x);
    assert(err && err.code === "PROVIDER_AUTH", apiType + ": " + (err && err.code));
    assert(/HTTP 401/.test(err.message) && !/sekrit/.test(err.message), err.message);
  }
  // 429 then 200: each batch is retried once (Retry-After: 0) and the whole call succeeds.
  await reset();
  const flaky = gp.embeddings.fromConfig({ apiType: "openai", model: "emb-flaky-429", baseURL: bases.openai,
                                           apiKey: "k", batchSize: 2 });
  const fv = await flaky.embedBatch(["a", "b", "c", "d", "e"]);
  assert.equal(fv.length, 5);
  const fl = await log();
  assert.equal(fl.filter((r) => r.status === 429).length, 3, "one 429 per batch: " + fl.map((r) => r.status));
  assert.equal(fl.filter((r) => r.status === 200).length, 3, "then 200 per batch");
  // 500 every time: PROVIDER_HTTP once the retries are spent (1 retry: 2 attempts).
  await reset();
  const broken = gp.embeddings.fromConfig({ apiType: "openai", model: "emb-fail-500", baseURL: bases.openai,
                                            apiKey: "k", maxRetries: 1 });
  const berr = await broken.embed("x").then(() => null, (x) => x);
  assert(berr && berr.code === "PROVIDER_HTTP", String(berr && berr.code));
  assert(/HTTP 500/.test(berr.message), berr.message);
  assert.equal((await log()).filter((r) => r.status === 500).length, 2, "two attempts");
  // Parallel batches: 8 requests of 300 ms each, 4 at a time, take about 2 x 300 ms,
  // well under the 8 x 300 ms one after the other would; the log shows them overlap.
  await reset();
  const slow = gp.embeddings.fromConfig({ apiType: "openai", model: "emb-delay-300", baseURL: bases.openai,
                                          apiKey: "k", batchSize: 1, maxParallel: 4 });
  const t0 = Date.now();
  const sv = await slow.embedBatch(Array.from({ length: 8 }, (_, i) => "slow " + i));
  const took = Date.now() - t0;
  assert.equal(sv.length, 8);
  assert(took >= 600 && took < 8 * 300, "8 batches of 300 ms, 4 at a time, took " + took + " ms");
  const sl = (await log()).filter((r) => r.status === 200);
  assert.equal(sl.length, 8);
  const at = (t) => sl.filter((r) => r.started_ms <= t && t < r.ended_ms).length;
  const most = Math.max(...sl.map((r) => at(r.started_ms)));
  assert(most >= 2 && most <= 4, "requests at once: " + most);
  console.log(`embeddings: 8 x 300 ms batches, 4 at a time: ${took} ms, up to ${most} at once`);
  // A profile: the default one of tests/js-mock/profiles.yaml, pointed at the mock.
  const viaProfile = gp.embeddings.fromProfile("mock-openai");
  assert.equal(viaProfile.model, "mock-gpt");
  console.log("embeddings: ok");
})().catch((e) => { console.error(e.code, e.message, e.stack); process.exit(1); });
