// beforeToolCall (SPEC §4.6): sees {phase, call:{id,name,args}, timestampMs, sessionId,
// inferenceId, tags}; {action:"abort", error} skips the tool (its result is that
// error); {args} and {call:{name?, args?}} rewrite the call; undefined keeps it; an
// answer of the wrong shape is the hook's failure (fail-closed: the call fails).
// expect-stdout: hooks_before: ok
const gp = require("geppetto");

function twoStep(calls) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (const [id, name, args] of calls) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args || {}));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
}
const usesOf = (t) => Object.fromEntries(t.blocks.filter((b) => b.kind === "tool_use").map((b) => [b.payload.id, b.payload]));

(async () => {
  const ran = [];
  const registry = gp.tools.createRegistry()
    .register({ name: "echo", parameters: { type: "object", properties: { v: { type: "string" } } },
                handler: (args, ctx) => { ran.push(ctx.callId + ":" + ctx.toolName); return args; } })
    .register({ name: "safe", handler: (args, ctx) => { ran.push(ctx.callId + ":" + ctx.toolName); return { safe: args }; } });
  const infos = [];
  const hooks = {
    beforeToolCall(info) {
      infos.push(info);
      switch (info.call.id) {
        case "keep": return undefined;
        case "abortStr": return { action: "abort", error: "refused by policy" };
        case "abortErr": return { action: "abort", error: new Error("not today") };
        case "abortBare": return { action: "abort" };
        case "args": return { args: { v: "rewritten" } };
        case "call": return { call: { name: "safe", args: { v: "moved" } } };
        case "callName": return { call: { name: "safe" } };
        case "gone": return { call: { name: "nosuchtool" } };
        case "invalid": return { args: { v: 5 } };
        case "weird": return { action: "explode" };
        case "notObj": return 42;
      }
    },
  };
  const calls = [["keep", "echo", { v: "a" }], ["abortStr", "echo"], ["abortErr", "echo"], ["abortBare", "echo"],
                 ["args", "echo", { v: "b" }], ["call", "echo", { v: "c" }], ["callName", "echo", { v: "d" }],
                 ["gone", "echo"], ["invalid", "echo"], ["weird", "echo"], ["notObj", "echo"]];
  const s = gp.createSession({ engine: twoStep(calls), tools: registry, toolHooks: hooks });
  const h = s.start("go", { tags: { user: "u1" } });
  const t = await h.promise;
  const u = usesOf(t);

  // what the hook saw
  assert.equal(infos.length, calls.length);
  const first = infos.find((i) => i.call.id === "keep");
  assert.equal(first.phase, "beforeToolCall");
  assert.deepEqual(first.call, { id: "keep", name: "echo", args: { v: "a" } });
  assert.equal(typeof first.timestampMs, "number");
  assert(Math.abs(first.timestampMs - Date.now()) < 60000);
  assert.equal(first.sessionId, s.id);
  assert.equal(first.inferenceId, h.id);
  assert.deepEqual(first.tags, { user: "u1" });

  // what it did
  assert.deepEqual(u.keep.result, { v: "a" });
  assert.equal(u.abortStr.error, "refused by policy");
  assert.equal(u.abortErr.error, "not today");
  assert(/beforeToolCall hook aborted tool echo/.test(u.abortBare.error), u.abortBare.error);
  assert.deepEqual(u.args.result, { v: "rewritten" });
  assert.deepEqual(u.call.result, { safe: { v: "moved" } });
  assert.deepEqual(u.callName.result, { safe: { v: "d" } }, "a new name keeps the args");
  assert.equal(u.gone.error, "unknown tool nosuchtool");
  assert(/\$\.v: expected string, got integer/.test(u.invalid.error), "rewritten args are validated: " + u.invalid.error);
  assert(/beforeToolCall returned an unknown action/.test(u.weird.error), u.weird.error);
  assert(/beforeToolCall returned neither an object nor undefined/.test(u.notObj.error), u.notObj.error);
  for (const id of ["abortStr", "abortErr", "abortBare", "gone", "invalid", "weird", "notObj"])
    assert.equal(u[id].result, null, id + " has no result");
  assert.deepEqual(ran.sort(), ["args:echo", "call:safe", "callName:safe", "keep:echo"], "only those ran");
  // the model's tool_call blocks are left as it sent them
  const tc = t.blocks.find((b) => b.kind === "tool_call" && b.payload.id === "args");
  assert.deepEqual(tc.payload.args, { v: "b" });
  clearTimeout(guard);
  console.log("hooks_before: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
