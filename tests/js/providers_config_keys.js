// fromConfig and fromProfile overrides reject unknown keys (typos) and wrong types (NaN
// and the infinities too, which JSON would turn into an absent null) with
// INVALID_ARGUMENT naming the key and listing the known ones (SPEC §4.2). No network.
// env: GEPPETTO_PROFILES=../js-mock/profiles.yaml
const gp = require("geppetto");
function fails(fn, re) {
  try { fn(); } catch (e) {
    assert.equal(e.code, "INVALID_ARGUMENT", e.message);
    assert(re.test(e.message), "message " + JSON.stringify(e.message) + " should match " + re);
    return e;
  }
  assert.fail("expected INVALID_ARGUMENT");
}
const base = { apiType: "openai", model: "m", baseURL: "http://127.0.0.1:9/v1" };
const e = fails(() => gp.engines.fromConfig(Object.assign({ temprature: 0.2 }, base)), /"temprature".*known keys: .*temperature/);
assert(/maxTokens/.test(e.message) && /baseURL/.test(e.message), e.message);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { responseFormat: {} })), /"responseFormat"/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { maxTokens: "10" })), /maxTokens/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { stop: [1] })), /stop/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { maxRetries: -1 })), /maxRetries/);
fails(() => gp.engines.fromProfile(undefined, { temprature: 1 }), /overrides.*"temprature".*known keys/);
fails(() => gp.engines.fromProfile(undefined, { temperature: "hot" }), /temperature/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { headers: ["x"] })), /headers/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { headers: { "a b": "x" } })), /headers/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { headers: { "x-a": "1\r\nx-b: 2" } })), /headers/);
// A wrong type lists the known keys too.
fails(() => gp.engines.fromConfig(Object.assign({}, base, { topP: "high" })), /topP must be a finite number; known keys: apiType, .*maxTokens/);
fails(() => gp.engines.fromConfig(Object.assign({}, base, { maxTokens: 1.5 })), /maxTokens must be a non-negative integer; known keys: /);
fails(() => gp.engines.fromProfile(undefined, { maxTokens: "x" }), /maxTokens.*known keys: /);
// Non-finite numbers are not silently absent.
for (const [v, shown] of [[NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "-Infinity"]]) {
  fails(() => gp.engines.fromConfig(Object.assign({}, base, { temperature: v })),
        new RegExp("engine config: temperature must be a finite number \\(got " + shown + "\\); known keys: "));
  fails(() => gp.engines.fromConfig(Object.assign({}, base, { maxTokens: v })), /maxTokens must be a finite number/);
  fails(() => gp.engines.fromProfile(undefined, { topP: v }), /fromProfile overrides: topP must be a finite number.*known keys/);
}
// Known keys pass; null counts as absent.
assert(gp.engines.fromConfig(Object.assign({}, base, { temperature: 0.5, topP: null, stop: "x", headers: { "x-trace": "1" } })));
assert(gp.engines.fromProfile(undefined, { baseURL: "http://127.0.0.1:9/v1", maxTokens: 5 }));
console.log("config keys ok");
