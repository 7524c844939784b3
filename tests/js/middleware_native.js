// gp.middlewares.native (alias go): the C library's built-in middlewares by name,
// composed with JS middlewares (first registered is outermost); bad names and options
// are TypeErrors naming what is accepted.
const gp = require("geppetto");
const { newUserBlock, newSystemBlock, newToolCallBlock, newToolUseBlock, newAssistantBlock } = gp.turns;

let seen = null;
const spy = gp.engines.fromFunction((turn) => {
  seen = turn.blocks.map((b) => b.kind + ":" + (b.payload.text !== undefined ? b.payload.text : b.payload.id));
  turn.blocks.push(newAssistantBlock("ok"));
});

// systemPrompt: a leading system block, its text replaced when one is there.
const sp = gp.middlewares.native("systemPrompt", { prompt: "Be terse." });
assert.equal(sp.name, "systemPrompt");
let s = gp.createSession({ engine: spy, middlewares: [sp] });
const out = s.run("hello");
assert.deepEqual(seen, ["system:Be terse.", "user:hello"]);
assert.equal(out.blocks[0].kind, "system", "the result keeps the system block");
s = gp.createSession({ engine: spy, middlewares: [gp.middlewares.go("systemPrompt", { prompt: "New." })] });
s.append(gp.turns.newTurn({ blocks: [newSystemBlock("Old."), newUserBlock("q")] }));
s.run();
assert.deepEqual(seen, ["system:New.", "user:q"], "replaced, not added");

// reorderToolResults: each tool_use right after its tool_call, before the engine sees it.
s = gp.createSession({ engine: spy, middlewares: [gp.middlewares.native("reorderToolResults")] });
s.append(gp.turns.newTurn({ blocks: [
  newUserBlock("q"), newToolCallBlock("c1", "a", {}), newToolCallBlock("c2", "b", {}),
  newToolUseBlock("c2", 2), newToolUseBlock("c1", 1),
] }));
s.run();
assert.deepEqual(seen, ["user:q", "tool_call:c1", "tool_use:c1", "tool_call:c2", "tool_use:c2"]);

// turnLogging passes the turn through unchanged (its log lines: cli_log_* tests).
s = gp.createSession({ engine: spy, middlewares: [gp.middlewares.native("turnLogging", {})] });
assert.equal(s.run("x").blocks[1].payload.text, "ok");

// Composition order with JS middlewares: the outer JS one sees the prompt the inner
// native one adds only in next()'s result.
const observed = [];
const outer = gp.middlewares.fromJS((turn, next) => {
  observed.push(turn.blocks.length);
  const r = next(turn);
  observed.push(r.blocks[0].kind);
  return r;
});
s = gp.createSession({ engine: spy, middlewares: [outer, gp.middlewares.native("systemPrompt", { prompt: "P" })] });
s.run("q");
assert.deepEqual(observed, [1, "system"]);
assert.deepEqual(seen, ["system:P", "user:q"]);

// Errors: unknown name (naming the accepted ones), bad options.
let e = assert.throws(() => gp.middlewares.native("compress"), TypeError);
assert.equal(e.code, "INVALID_ARGUMENT");
for (const name of ["systemPrompt", "reorderToolResults", "turnLogging"]) assert(e.message.includes(name), e.message);
assert.throws(() => gp.middlewares.go("nope"), TypeError);
assert.throws(() => gp.middlewares.native(42), TypeError);
e = assert.throws(() => gp.middlewares.native("systemPrompt", {}), TypeError);
assert(e.message.includes("prompt"), e.message);
assert.throws(() => gp.middlewares.native("systemPrompt", "Be terse."), TypeError);
assert.deepEqual(gp.middlewares.names, ["systemPrompt", "reorderToolResults", "turnLogging"]);
