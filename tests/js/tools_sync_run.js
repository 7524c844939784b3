// Synchronous run() with JS tools and hooks (SPEC §4.7): the handlers and hooks execute
// inline on the owner thread while run() waits, and it completes; a handler or a hook
// that returns a Promise inside run() fails the run with ASYNC_CALLBACK_IN_SYNC_RUN
// (and the partial turn), whatever the error policies say; the session stays usable.
// expect-stdout: tools_sync_run: ok
const gp = require("geppetto");

function twoStep(calls) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (const [id, name, args] of calls) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args || {}));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(uses.map((u) => JSON.stringify(u.payload.result)).join(" ")));
  });
}

const order = [];
const registry = gp.tools.createRegistry()
  .register({ name: "mul", parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
              handler: (x, ctx) => { order.push("tool:" + ctx.callId); return x.a * x.b; } })
  .register({ name: "later", handler: async () => 1 });

// 1. sync handlers and hooks, three calls in parallel: all inline, run() returns the turn
const s = gp.createSession({ engine: twoStep([["m1", "mul", { a: 2, b: 3 }], ["m2", "mul", { a: 4, b: 5 }], ["m3", "mul", { a: 1, b: 1 }]]),
  tools: registry, toolLoop: { maxParallelTools: 3 },
  toolHooks: {
    beforeToolCall: (info) => { order.push("before:" + info.call.id); return info.call.id === "m3" ? { args: { a: 7, b: 6 } } : undefined; },
    afterToolCall: (info) => { order.push("after:" + info.call.id); return info.call.id === "m2" ? { result: "twenty" } : undefined; },
  } });
let ranBetween = false;
setTimeout(() => { ranBetween = s.isRunning(); }, 0);
const out = s.run("go");
assert.equal(out.blocks[out.blocks.length - 1].payload.text, '6 "twenty" 42');
for (const id of ["m1", "m2", "m3"]) {
  const i = order.indexOf("before:" + id), j = order.indexOf("tool:" + id), k = order.indexOf("after:" + id);
  assert(i >= 0 && i < j && j < k, "before, handler, after for " + id + ": " + order);
}
assert.equal(order.length, 9);
assert.equal(s.isRunning(), false);

// 2. an async handler inside run(): ASYNC_CALLBACK_IN_SYNC_RUN, even under "continue"
const s2 = gp.createSession({ engine: twoStep([["l1", "later"]]), tools: registry });
const e2 = assert.throws(() => s2.run("go"), { code: "ASYNC_CALLBACK_IN_SYNC_RUN" });
assert(/later.*runAsync\(\) or start\(\)/.test(e2.message), e2.message);
assert(e2.partialTurn, "partial turn");
assert.equal(e2.partialTurn.blocks.filter((b) => b.kind === "tool_use")[0].payload.id, "l1");
assert.equal(s2.isRunning(), false);
// the same session runs fine asynchronously: the failed run kept nothing, so a retry is
// the same call again
assert.equal(s2.turnCount(), 0);
s2.runAsync("go").then((t) => { results.push("async:" + t.blocks[t.blocks.length - 1].payload.text); });

// 3. an async hook inside run(): ASYNC_CALLBACK_IN_SYNC_RUN, even when fail-open
for (const phase of ["beforeToolCall", "afterToolCall"]) {
  const hooks = { hookErrorPolicy: "fail-open" };
  hooks[phase] = async () => undefined;
  const s3 = gp.createSession({ engine: twoStep([["h1", "mul", { a: 1, b: 2 }]]), tools: registry, toolHooks: hooks });
  const e3 = assert.throws(() => s3.run("go"), { code: "ASYNC_CALLBACK_IN_SYNC_RUN" });
  assert(e3.message.includes(phase), e3.message);
}
const failing = gp.tools.createRegistry().register({ name: "f", handler: () => { throw new Error("no"); } });
const s4 = gp.createSession({ engine: twoStep([["f1", "f"]]), tools: failing,
  toolHooks: { onToolError: () => Promise.resolve("retry") } });
assert.throws(() => s4.run("go"), { code: "ASYNC_CALLBACK_IN_SYNC_RUN" });

const results = [];
setTimeout(() => {
  assert(!ranBetween, "no timer ran while run() was blocking");
  assert.deepEqual(results, ["async:1"]);
  console.log("tools_sync_run: ok");
}, 50);
