// gp.turns helpers and gp.consts: ids, default roles, payload shapes, unknown kinds.
const gp = require("geppetto");
const { BlockKind, EventType } = gp.consts;
assert.deepEqual(Object.values(BlockKind).sort(),
  ["llm_text", "other", "reasoning", "system", "tool_call", "tool_use", "user"]);
assert.equal(EventType.PARTIAL_THINKING, "partial-thinking");
assert.equal(EventType.TOOL_CALL_EXECUTION_RESULT, "tool-call-execution-result");
assert.equal(Object.keys(EventType).length, 14);
assert.equal(EventType.PARTIAL_OBJECT, "partial-object");
assert.equal(EventType.TOOL_PROGRESS, "tool-progress");

const t = gp.turns.newTurn();
assert.equal(typeof t.id, "string");
assert(t.id.length > 0);
assert.deepEqual(t.blocks, []);
const u = gp.turns.newUserBlock("hi");
assert.equal(u.kind, "user");
assert.equal(u.role, "user");
assert.deepEqual(u.payload, { text: "hi" });
assert.equal(gp.turns.newSystemBlock("s").role, "system");
assert.equal(gp.turns.newAssistantBlock("a").kind, "llm_text");
const call = gp.turns.newToolCallBlock("c1", "add", { a: 1, b: 2 });
assert.deepEqual(call.payload, { id: "c1", name: "add", args: { a: 1, b: 2 } }, "args stay a JSON value");
const use = gp.turns.newToolUseBlock("c1", { sum: 3 });
assert.deepEqual(use.payload, { id: "c1", result: { sum: 3 } });
assert.equal(gp.turns.newToolUseBlock("c2", null, "boom").payload.error, "boom");

gp.turns.appendBlock(t, u);
gp.turns.appendBlock(t, { kind: "llm_text", payload: { text: "yo" } });
assert.equal(t.blocks.length, 2);
assert.equal(t.blocks[1].role, "assistant", "default role filled in");
assert(t.blocks[1].id, "id filled in");

const n = gp.turns.normalize({ blocks: [{ kind: "user", payload: { text: "x" } }], metadata: { k: 1 } });
assert(n.id && n.blocks[0].id);
assert.deepEqual(n.metadata, { k: 1 });
const seeded = gp.turns.newTurn({ blocks: [{ kind: "system", payload: { text: "p" } }] });
assert.equal(seeded.blocks[0].role, "system");

const e = assert.throws(() => gp.turns.normalize({ blocks: [{ kind: "bogus", payload: {} }] }), TypeError);
assert(e.message.includes("bogus"), e.message);
assert.equal(e.code, "INVALID_ARGUMENT");
assert.throws(() => gp.turns.appendBlock(t, { kind: "nope" }), TypeError);
assert.throws(() => gp.turns.normalize({ blocks: [{ kind: "user", payload: { text: 5 } }] }), TypeError);
