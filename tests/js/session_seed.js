// What a seed does (SPEC §4.7): a string, a Block or an array of Blocks continues the
// conversation (latest turn + seed as a new turn), a Turn is appended as it is, no seed
// runs on the latest turn; a run that fails or is canceled leaves the history as it was.
// expect-stdout: session_seed: ok
const gp = require("geppetto");
const { newTurn, newUserBlock, newSystemBlock } = gp.turns;
const texts = (t) => t.blocks.map((b) => b.payload.text);

// What the model saw, recorded by an engine that answers with the block count.
let seen = [];
const engine = gp.engines.fromFunction((turn) => {
  seen = texts(turn);
  turn.blocks.push(gp.turns.newAssistantBlock("n=" + turn.blocks.length));
});

// string: the model sees the whole conversation
const s = gp.createSession({ engine });
s.run("hi, I am Ann");
s.run("what is my name?");
assert.deepEqual(seen, ["hi, I am Ann", "n=1", "what is my name?"]);
assert.equal(s.turnCount(), 2);
assert.deepEqual(texts(s.getTurn(0)), ["hi, I am Ann", "n=1"], "earlier turns stay as they were");
assert.notEqual(s.getTurn(0).id, s.getTurn(1).id);

// a Block and an array of Blocks continue it too
s.run(newUserBlock("block"));
assert.deepEqual(seen.slice(-2), ["n=3", "block"]);
s.run([newSystemBlock("be brief"), newUserBlock("array")]);
assert.deepEqual(seen.slice(-3), ["n=5", "be brief", "array"]);
assert.equal(s.turnCount(), 4);

// a Turn is appended as it is: the caller states the whole context
s.run(newTurn({ blocks: [newUserBlock("alone")] }));
assert.deepEqual(seen, ["alone"]);
assert.equal(s.turnCount(), 5);

// no seed: the latest turn, replaced by the result
s.run();
assert.deepEqual(seen, ["alone", "n=1"]);
assert.equal(s.turnCount(), 5);

// the first string of an empty session is a turn holding just it
const fresh = gp.createSession({ engine });
assert.deepEqual(texts(fresh.run("first")), ["first", "n=1"]);

// failures leave the history as it was, for every seed kind; retry = the same call
let fail = true;
const flaky = gp.engines.fromFunction((turn) => {
  if (fail) throw Object.assign(new Error("down"), { code: "PROVIDER_HTTP" });
  turn.blocks.push(gp.turns.newAssistantBlock("ok"));
});
const f = gp.createSession({ engine: flaky });
for (const seed of ["x", newUserBlock("x"), [newUserBlock("x")], newTurn({ blocks: [newUserBlock("x")] })]) {
  const e = assert.throws(() => f.run(seed), { code: "PROVIDER_HTTP" });
  assert.deepEqual(texts(e.partialTurn), ["x"], "the partial turn has the seed");
  assert.equal(f.turnCount(), 0);
}
fail = false;
f.run("x");
fail = true;
const before = JSON.stringify(f.turns());
assert.throws(() => f.run("y"), { code: "PROVIDER_HTTP" });
assert.throws(() => f.run(), { code: "PROVIDER_HTTP" });
assert.equal(JSON.stringify(f.turns()), before, "history unchanged by failed runs");
fail = false;
assert.deepEqual(texts(f.run("y")), ["x", "ok", "y", "ok"], "a retry is the same call");

(async () => {
  // async failures and cancels too
  fail = true;
  await assert.rejects(f.runAsync("z"), { code: "PROVIDER_HTTP" });
  assert.equal(f.turnCount(), 2);
  const slow = gp.createSession({ engine: gp.engines.echo({ reply: "a b c d e f g h i j", wordDelayMs: 20 }) });
  await slow.runAsync("one");
  const h = slow.start("two");
  setTimeout(() => h.cancel(), 50);
  const e = await assert.rejects(h.promise, { code: "CANCELED" });
  assert.equal(e.partialTurn.blocks.length, 4);
  assert.equal(slow.turnCount(), 1, "a canceled run keeps nothing");
  assert.equal(slow.latest().blocks.length, 2);
  console.log("session_seed: ok");
})();
