// gp.engines.fromFunction: returned Turn, undefined (keep the possibly mutated input),
// ctx fields, Promises under runAsync, throws becoming run errors.
const gp = require("geppetto");
let seenCtx = null;
const ret = gp.engines.fromFunction((turn, ctx) => {
  seenCtx = ctx;
  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("returned"));
});
const s = gp.createSession({ engine: ret });
const out = s.run("q", { tags: { team: "x" } });
assert.equal(out.blocks[1].payload.text, "returned");
assert.equal(out.metadata.provider, "js");
assert.equal(seenCtx.sessionId, s.id);
assert.equal(seenCtx.inferenceId, out.metadata.inference_id);
assert.deepEqual(seenCtx.tags, { team: "x" });
assert.equal(typeof seenCtx.deadlineMs, "number");

const mut = gp.createSession({ engine: gp.engines.fromFunction((turn) => {
  turn.blocks.push(gp.turns.newAssistantBlock("mutated"));
}) });
assert.equal(mut.run("q").blocks[1].payload.text, "mutated");

const thrower = gp.createSession({ engine: gp.engines.fromFunction(() => {
  const e = new Error("provider exploded");
  e.code = "PROVIDER_HTTP";
  throw e;
}) });
const err = assert.throws(() => thrower.run("q"));
assert(err instanceof Error);
assert.equal(err.code, "PROVIDER_HTTP");
assert(err.message.includes("provider exploded"), err.message);
assert(err.partialTurn && Array.isArray(err.partialTurn.blocks), "partialTurn");
assert.equal(thrower.turnCount(), 0, "history as before the run: the seed is not kept");

const plain = gp.createSession({ engine: gp.engines.fromFunction(() => { throw new TypeError("oops"); }) });
assert.equal(assert.throws(() => plain.run("q")).code, "JS_EXCEPTION");

const bad = gp.createSession({ engine: gp.engines.fromFunction(() => ({ blocks: [{ kind: "weird" }] })) });
const be = assert.throws(() => bad.run("q"));
assert(be.message.includes("weird"), be.message);

assert.throws(() => gp.engines.fromFunction(42), TypeError);

(async () => {
  const asy = gp.createSession({ engine: gp.engines.fromFunction(async (turn, ctx) => {
    await sleep(5);
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("async " + ctx.inferenceId.length));
  }) });
  const t = await asy.runAsync("q");
  assert.equal(t.blocks[1].payload.text, "async 36");
  const rej = gp.createSession({ engine: gp.engines.fromFunction(async () => {
    await sleep(1);
    throw Object.assign(new Error("later"), { code: "PROVIDER_STREAM" });
  }) });
  const e = await assert.rejects(rej.runAsync("q"));
  assert.equal(e.code, "PROVIDER_STREAM");
  assert(e.partialTurn);
  globalThis.done = true;
  clearTimeout(guard);
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
