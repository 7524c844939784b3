// Argument validation in a run (SPEC §4.4): the C executor validates each call's
// arguments against the tool's `parameters` before the handler runs; an invalid call
// does not run and its tool_use carries an error naming the path and the reason, which
// the engine (the model) sees on its next step. Valid calls of the same batch still run.
// expect-stdout: tools_validation: ok
const gp = require("geppetto");
(async () => {
  const params = {
    type: "object",
    properties: {
      user: { type: "object", properties: { name: { type: "string", minLength: 1 },
                                            tags: { type: "array", items: { type: "string" } } },
              required: ["name"] },
      n: { type: "integer", minimum: 1, maximum: 10 },
      unit: { enum: ["c", "f"] },
      note: { type: "string", maxLength: 5 },
    },
    required: ["n"],
    additionalProperties: false,
  };
  const ran = [];
  const registry = gp.tools.createRegistry().register({ name: "check", parameters: params,
    handler: (args, ctx) => { ran.push(ctx.callId); return "ok " + args.n; } });
  const cases = [
    ["ok1", { n: 3, user: { name: "al", tags: ["x"] }, unit: "c" }, null],
    ["missing", {}, "$.n: required property is missing"],
    ["type", { n: "3" }, "$.n: expected integer, got string"],
    ["nested", { n: 1, user: { name: "bo", tags: ["a", 2] } }, "$.user.tags[1]: expected string, got integer"],
    ["deep", { n: 1, user: {} }, "$.user.name: required property is missing"],
    ["min", { n: 0 }, "$.n: 0 is less than the minimum 1"],
    ["max", { n: 11 }, "$.n: 11 is greater than the maximum 10"],
    ["enum", { n: 1, unit: "k" }, "$.unit: value is not one of"],
    ["len", { n: 1, note: "toolong" }, "$.note: length 7 is greater than maxLength 5"],
    ["minlen", { n: 1, user: { name: "" } }, "$.user.name: length 0 is less than minLength 1"],
    ["extra", { n: 1, color: "red" }, "$.color: additional property is not allowed"],
    ["ok2", { n: 10 }, null],
  ];
  let sawErrors = null;
  const engine = gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (const [id, args] of cases) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, "check", args));
      return turn;
    }
    sawErrors = uses.filter((u) => u.payload.error).map((u) => u.payload.id);
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("fixed"));
  });
  const s = gp.createSession({ engine, tools: registry, toolLoop: { maxParallelTools: 4 } });
  const t = await s.runAsync("go");
  assert.deepEqual(ran.sort(), ["ok1", "ok2"], "only the valid calls ran");
  const uses = t.blocks.filter((b) => b.kind === "tool_use");
  assert.deepEqual(uses.map((u) => u.payload.id), cases.map((c) => c[0]), "results in call order");
  cases.forEach(([id, , want], i) => {
    const p = uses[i].payload;
    if (want === null) {
      assert.equal(p.error, undefined, id + " succeeded");
      assert.equal(typeof p.result, "string");
    } else {
      assert.equal(typeof p.error, "string", id + " failed");
      assert(p.error.includes("invalid arguments for tool check"), id + ": " + p.error);
      assert(p.error.includes(want), id + ": expected '" + want + "' in '" + p.error + "'");
      assert.equal(p.result, null);
    }
  });
  assert.deepEqual(sawErrors, cases.filter((c) => c[2]).map((c) => c[0]), "the model sees the errors");
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, "fixed");
  clearTimeout(guard);
  console.log("tools_validation: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
