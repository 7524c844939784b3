// afterToolCall (SPEC §4.6): sees the call and result:{value, error, durationMs};
// {result} replaces the value (clearing an error), {error} turns it into an error,
// {action:"abort"} ends the run with TOOL_ABORTED and the partial turn, undefined keeps it.
// expect-stdout: hooks_after: ok
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
  const registry = gp.tools.createRegistry()
    .register({ name: "value", handler: async (args) => { await sleep(5); return { got: args.n }; } })
    .register({ name: "fails", handler: () => { throw new Error("handler broke"); } });
  const infos = {};
  const hooks = {
    afterToolCall(info) {
      infos[info.call.id] = info;
      switch (info.call.id) {
        case "keep": return undefined;
        case "replace": return { result: { replaced: info.result.value.got } };
        case "toNull": return { result: null };
        case "toError": return { error: "the result looked wrong" };
        case "toErrorObj": return { error: new RangeError("out of range") };
        case "heal": return { result: "recovered from: " + info.result.error };
      }
    },
  };
  const s = gp.createSession({ engine: twoStep([["keep", "value", { n: 1 }], ["replace", "value", { n: 2 }],
      ["toNull", "value", { n: 3 }], ["toError", "value", { n: 4 }], ["toErrorObj", "value", { n: 5 }],
      ["heal", "fails"], ["failKept", "fails"]]), tools: registry, toolHooks: hooks });
  const h = s.start("go", { tags: { t: 1 } });
  const t = await h.promise;
  const u = usesOf(t);

  const k = infos.keep;
  assert.equal(k.phase, "afterToolCall");
  assert.deepEqual(k.call, { id: "keep", name: "value", args: { n: 1 } });
  assert.deepEqual(k.result.value, { got: 1 });
  assert.equal(k.result.error, null);
  assert(k.result.durationMs >= 4, "durationMs covers the handler: " + k.result.durationMs);
  assert.equal(k.sessionId, s.id);
  assert.equal(k.inferenceId, h.id);
  assert.deepEqual(k.tags, { t: 1 });
  assert.equal(infos.heal.result.value, null);
  assert.equal(infos.heal.result.error, "handler broke");

  assert.deepEqual(u.keep, { id: "keep", result: { got: 1 } });
  assert.deepEqual(u.replace, { id: "replace", result: { replaced: 2 } });
  assert.deepEqual(u.toNull, { id: "toNull", result: null });
  assert.equal(u.toError.error, "the result looked wrong");
  assert.equal(u.toError.result, null);
  assert.equal(u.toErrorObj.error, "out of range");
  assert.deepEqual(u.heal, { id: "heal", result: "recovered from: handler broke" }, "{result} clears the error");
  assert.equal(u.failKept.error, "handler broke");

  // {action:"abort"}: TOOL_ABORTED, the partial turn keeps the results
  const s2 = gp.createSession({ engine: twoStep([["a1", "value", { n: 9 }]]), tools: registry,
    toolHooks: { afterToolCall: () => ({ action: "abort" }) } });
  const e = await assert.rejects(s2.runAsync("go"), { code: "TOOL_ABORTED" });
  assert(/afterToolCall hook aborted the run after tool value/.test(e.message), e.message);
  assert.deepEqual(usesOf(e.partialTurn).a1.result, { got: 9 });

  // a hook that answers nonsense fails the call (fail-closed)
  const s3 = gp.createSession({ engine: twoStep([["w", "value", { n: 1 }]]), tools: registry,
    toolHooks: { afterToolCall: () => ({ action: "rewind" }) } });
  const t3 = await s3.runAsync("go");
  assert(/afterToolCall returned an unknown action/.test(usesOf(t3).w.error), usesOf(t3).w.error);
  clearTimeout(guard);
  console.log("hooks_after: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
