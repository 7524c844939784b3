// gp.engines.echo: replies with the last user text (or `reply`), streaming words as partials.
const gp = require("geppetto");
const s = gp.createSession({ engine: gp.engines.echo() });
const out = s.run(gp.turns.newTurn({ blocks: [gp.turns.newUserBlock("one two three")] }));
assert.equal(out.blocks.length, 2);
assert.equal(out.blocks[1].kind, "llm_text");
assert.equal(out.blocks[1].payload.text, "one two three");
assert.equal(out.metadata.provider, "echo");
assert.equal(out.metadata.session_id, s.id);
assert.equal(typeof out.metadata.inference_id, "string");

const s2 = gp.createSession({ engine: gp.engines.echo({ reply: "fixed reply here" }) });
const h = s2.start("ignored");
const partials = [];
h.on("partial", (ev) => partials.push(ev));
h.promise.then((t) => {
  assert.equal(t.blocks[1].payload.text, "fixed reply here");
  assert(partials.length >= 3, "word by word: " + partials.length);
  assert.equal(partials[partials.length - 1].completion, "fixed reply here");
  assert.equal(partials.map((p) => p.delta).join(""), "fixed reply here");
  globalThis.ok = true;
  clearTimeout(guard);
});
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
