// gp.createBuilder: every method (and alias) chains and configures the session it builds;
// middlewares run once per tool-loop iteration, outermost first; every method rejects a
// bad argument with a TypeError.
const gp = require("geppetto");
const { newAssistantBlock, newToolCallBlock } = gp.turns;

// An engine that asks for the `add` tool until it sees a result, then answers with it.
const toolEngine = gp.engines.fromFunction((turn) => {
  const use = turn.blocks.filter((b) => b.kind === "tool_use").pop();
  if (use) turn.blocks.push(newAssistantBlock("sum=" + use.payload.result));
  else turn.blocks.push(newToolCallBlock("call-1", "add", { a: 2, b: 3 }));
});
const registry = gp.tools.createRegistry().register({
  name: "add",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  handler: ({ a, b }) => a + b,
});

const iterations = [];
const order = [];
const events = [];
const hookCalls = [];
const b = gp.createBuilder();
assert(b instanceof gp.Builder);
const same = b
  .withEngine(toolEngine)
  .useMiddleware((turn, next, ctx) => { iterations.push(ctx.iteration); order.push("fn"); return next(turn); })
  .useMiddleware(gp.middlewares.fromJS((turn, next) => { order.push("ref"); return next(turn); }))
  .useNativeMiddleware("systemPrompt", { prompt: "Add numbers." })
  .useGoMiddleware("reorderToolResults")
  .withTools(registry, { maxIterations: 5 })
  .withToolLoop({ maxParallelTools: 1 })
  .withToolHooks({ beforeToolCall: (e) => { hookCalls.push(e.call.name); return { args: { a: 20, b: 22 } }; } })
  .withEventSink((ev) => events.push(ev.type));
assert.equal(same, b, "every method returns the builder");
const s = b.buildSession();
assert(s instanceof gp.Session);
const out = s.run("add 2 and 3");
assert.equal(out.blocks[0].kind, "system", "native middleware applied");
assert.equal(out.blocks[out.blocks.length - 1].payload.text, "sum=42", "hook rewrote the call's args");
assert.deepEqual(iterations, [1, 2], "middlewares ran once per tool-loop iteration");
assert.deepEqual(order, ["fn", "ref", "fn", "ref"], "first registered is outermost");
assert.deepEqual(hookCalls, ["add"]);
assert.equal(events[0], "start");
assert(events.includes("tool-result"), events.join(","));
assert.equal(events[events.length - 1], "final");

// withToolLoop settings reach the loop: maxIterations 1 stops with MAX_ITERATIONS.
const capped = gp.createBuilder().withEngine(toolEngine).withTools(registry).withToolLoop({ maxIterations: 1 }).buildSession();
const e = assert.throws(() => capped.run("q"));
assert.equal(e.code, "MAX_ITERATIONS");
assert(e.partialTurn);

// createBuilder(opts) applies the same options; a builder can build several sessions.
const sinkSeen = [];
const b2 = gp.createBuilder({
  engine: gp.engines.echo({ reply: "hi" }),
  middlewares: [(turn, next) => next(turn)],
  eventSink: (ev) => sinkSeen.push(ev.type),
});
const s1 = b2.buildSession(), s2 = b2.buildSession();
assert.notEqual(s1.id, s2.id);
assert.equal(s1.run("x").blocks[1].payload.text, "hi");
assert.equal(sinkSeen[sinkSeen.length - 1], "final");

// Argument checking: a TypeError (code INVALID_ARGUMENT) per method.
const bad = [
  () => gp.createBuilder(42),
  () => gp.createBuilder({ middlewares: "m" }),
  () => gp.createBuilder().withEngine({}),
  () => gp.createBuilder().useMiddleware(42),
  () => gp.createBuilder().useMiddleware({ name: "fake" }),
  () => gp.createBuilder().useNativeMiddleware("nope"),
  () => gp.createBuilder().useGoMiddleware("systemPrompt", "not options"),
  () => gp.createBuilder().withTools({}),
  () => gp.createBuilder().withTools(registry, 5),
  () => gp.createBuilder().withToolLoop(null),
  () => gp.createBuilder().withToolHooks("hooks"),
  () => gp.createBuilder().withEventSink({}),
  () => gp.createBuilder().buildSession(),
];
for (const f of bad) {
  const err = assert.throws(f, TypeError);
  assert.equal(err.code, "INVALID_ARGUMENT", String(f));
}
assert(/withEngine/.test(assert.throws(() => gp.createBuilder().buildSession()).message));
// Invalid tool-loop settings surface when the session is built.
assert.throws(() => gp.createBuilder().withEngine(toolEngine).withToolLoop({ toolChoice: "sometimes" }).buildSession());
