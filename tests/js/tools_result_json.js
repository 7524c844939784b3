// A tool's result that JSON cannot represent is an error naming where the bad value is
// (SPEC §4.4), never a silent null or {}; a tool's error is logged at warn level with the
// tool's name, the call id and the message.
// expect-stderr: warn +tools: tool nested [(]call c1, attempt 1[)] failed: tool nested returned a value JSON cannot represent: result[.]a[.]b is a Map
// expect-stdout: tools_result_json: ok
const gp = require("geppetto");

const bad = {
  nested: () => ({ a: { b: new Map([[1, 2]]) } }),
  nan: () => ({ list: [1, NaN] }),
  fn: () => ({ ok: true, cb() {} }),
  sym: async () => ({ s: Symbol("x") }),
  cycle: () => { const o = { name: "o" }; o.self = o; return o; },
  bytes: () => ({ data: new Uint8Array(2) }),
  big: () => [1n],
  quoted: () => ({ "a key": Infinity }),
};
const want = {
  nested: "result.a.b is a Map", nan: "result.list[1] is NaN", fn: "result.cb is a function",
  sym: "result.s is a symbol", cycle: "result.self refers back to an enclosing value (a cycle)",
  bytes: "result.data is a Uint8Array", big: "result[0] is a BigInt", quoted: 'result["a key"] is Infinity',
};
const reg = gp.tools.createRegistry();
for (const [name, handler] of Object.entries(bad)) reg.register({ name, handler });
reg.register({ name: "fine", handler: () => ({ when: new Date(0), skip: undefined, n: [1, null, "x"] }) });

// direct calls throw at once
for (const name of Object.keys(bad)) {
  if (name === "sym") continue;
  const e = assert.throws(() => reg.call(name, {}), TypeError);
  assert.ok(e.message.includes(want[name]), `${name}: ${e.message}`);
}
assert.equal(JSON.stringify(reg.call("fine", {})), '{"when":"1970-01-01T00:00:00.000Z","n":[1,null,"x"]}');

(async () => {
  const e = await assert.rejects(() => reg.call("sym", {}), TypeError);
  assert.ok(e.message.includes(want.sym), e.message);
  // in a run, each becomes the call's error, sent back to the model; the run goes on
  const names = ["nested", ...Object.keys(bad).filter((n) => n !== "nested"), "fine"];
  const engine = gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
    let t = turn;
    names.forEach((n, i) => { t = gp.turns.appendBlock(t, gp.turns.newToolCallBlock("c" + (i + 1), n, {})); });
    return t;
  });
  const out = await gp.createSession({ engine, tools: reg, toolLoop: { maxParallelTools: 1 } }).runAsync("go");
  const uses = out.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload);
  for (const u of uses) {
    const name = names[Number(u.id.slice(1)) - 1];
    if (name === "fine") { assert.equal(u.result.when, "1970-01-01T00:00:00.000Z"); continue; }
    assert.ok(u.error && u.error.includes(want[name]), `${name}: ${u.error}`);
    assert.equal(u.result, null);
  }
  console.log("tools_result_json: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
