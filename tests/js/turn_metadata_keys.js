// SPEC §4.1: after inference the turn's metadata has provider, model, usage
// ({inputTokens, outputTokens}), stop_reason, session_id and inference_id — also with
// the offline echo engine, whose provider and model are both "echo".
const gp = require("geppetto");
const s = gp.createSession({ engine: gp.engines.echo() });
const t = s.run("one two");
for (const k of ["provider", "model", "usage", "stop_reason", "session_id", "inference_id"]) {
  assert(k in t.metadata, "metadata has " + k + ": " + JSON.stringify(t.metadata));
}
assert.equal(t.metadata.provider, "echo");
assert.equal(t.metadata.model, "echo");
assert.equal(t.metadata.usage.outputTokens, 2);
assert.equal(typeof t.metadata.usage.inputTokens, "number");
assert.equal(t.metadata.stop_reason, "stop");
assert.equal(t.metadata.session_id, s.id);
assert.equal(typeof t.metadata.inference_id, "string");
(async () => {
  const t2 = await gp.createSession({ engine: gp.engines.echo({ reply: "r" }) }).runAsync("x");
  assert.equal(t2.metadata.model, "echo", "runAsync too");
})();
