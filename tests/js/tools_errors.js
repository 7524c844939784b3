// Tool failures (SPEC §4.4-4.5): a throw or a rejection becomes the tool's error (the
// Error's message) and the loop goes on under toolErrorHandling "continue"; "retry"
// runs the handler again (retryMaxRetries, backoff); "abort" ends the run with
// TOOL_ABORTED and the partial turn; unknown, disallowed and non-JSON results are
// error results; passing maxIterations ends the run with MAX_ITERATIONS and the partial turn.
// expect-stdout: tools_errors: ok
const gp = require("geppetto");

// Asks for `calls` once, then answers with the tool_use payloads it got.
function twoStep(calls) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (const [id, name, args] of calls) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(id, name, args || {}));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("after " + uses.length));
  });
}
const usesOf = (t) => t.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload);

(async () => {
  let flaky = 0;
  const registry = gp.tools.createRegistry()
    .register({ name: "throws", handler: () => { throw new Error("disk on fire"); } })
    .register({ name: "rejects", handler: async () => { await sleep(1); throw new TypeError("bad input"); } })
    .register({ name: "throwsString", handler: () => { throw "plain string"; } })
    .register({ name: "bigint", handler: () => 10n })
    .register({ name: "fine", handler: () => ({ ok: true }) })
    .register({ name: "flaky", handler: () => { if (++flaky < 3) throw new Error("try again " + flaky); return "made it"; } });

  // 1. continue (default): errors are results, the run goes on
  const s1 = gp.createSession({ engine: twoStep([["a", "throws"], ["b", "rejects"], ["c", "throwsString"],
                                                 ["d", "bigint"], ["e", "missing"], ["f", "fine"]]),
                                tools: registry });
  const t1 = await s1.runAsync("go");
  const u1 = usesOf(t1);
  assert.deepEqual(u1.map((u) => u.id), ["a", "b", "c", "d", "e", "f"]);
  assert.equal(u1[0].error, "disk on fire");
  assert.equal(u1[0].result, null);
  assert.equal(u1[1].error, "bad input");
  assert.equal(u1[2].error, "plain string");
  assert(/JSON cannot represent: result is a BigInt/.test(u1[3].error), u1[3].error);
  assert.equal(u1[4].error, "unknown tool missing");
  assert.deepEqual(u1[5], { id: "f", result: { ok: true } });
  assert.equal(t1.blocks[t1.blocks.length - 1].payload.text, "after 6");

  // allowedTools: the others are refused without running
  const t1b = await gp.createSession({ engine: twoStep([["a", "fine"], ["b", "throws"]]), tools: registry,
                                       toolLoop: { allowedTools: ["throws"] } }).runAsync("go");
  assert(/not allowed/.test(usesOf(t1b)[0].error), usesOf(t1b)[0].error);
  assert.equal(usesOf(t1b)[1].error, "disk on fire");

  // 2. retry: the handler runs again until it succeeds (within retryMaxRetries)
  const s2 = gp.createSession({ engine: twoStep([["r", "flaky"]]), tools: registry,
    toolLoop: { toolErrorHandling: "retry", retryMaxRetries: 2, retryBackoffMs: 5, retryBackoffFactor: 2 } });
  const t2 = await s2.runAsync("go");
  assert.equal(flaky, 3, "two retries");
  assert.deepEqual(usesOf(t2)[0], { id: "r", result: "made it" });
  // ... and gives up after retryMaxRetries with the last error
  let always = 0;
  registry.register({ name: "always", handler: () => { throw new Error("fail " + ++always); } });
  const t2b = await gp.createSession({ engine: twoStep([["r", "always"]]), tools: registry,
    toolLoop: { toolErrorHandling: "retry", retryMaxRetries: 1, retryBackoffMs: 1 } }).runAsync("go");
  assert.equal(always, 2);
  assert.equal(usesOf(t2b)[0].error, "fail 2");

  // 3. abort: TOOL_ABORTED with the partial turn
  const s3 = gp.createSession({ engine: twoStep([["x", "fine"], ["y", "throws"]]), tools: registry,
                                toolLoop: { toolErrorHandling: "abort", maxParallelTools: 1 } });
  const e3 = await assert.rejects(s3.runAsync("go"), { code: "TOOL_ABORTED" });
  assert(/disk on fire/.test(e3.message), e3.message);
  assert(e3.partialTurn, "partialTurn");
  const p3 = usesOf(e3.partialTurn);
  assert.deepEqual(p3.map((u) => u.id), ["x", "y"]);
  assert.deepEqual(p3[0].result, { ok: true });
  assert.equal(p3[1].error, "disk on fire");
  assert.equal(s3.isRunning(), false);
  assert.equal(s3.turnCount(), 0, "history as before the run after a failure");

  // 4. MAX_ITERATIONS: the model keeps calling tools
  let n = 0;
  const loopy = gp.engines.fromFunction((turn) =>
    gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("it" + ++n, "fine", {})));
  const s4 = gp.createSession({ engine: loopy, tools: registry, toolLoop: { maxIterations: 3 } });
  const e4 = await assert.rejects(s4.runAsync("go"), { code: "MAX_ITERATIONS" });
  assert(/maxIterations \(3\)/.test(e4.message), e4.message);
  assert.equal(n, 3);
  assert.deepEqual(usesOf(e4.partialTurn).map((u) => u.id), ["it1", "it2", "it3"]);

  // 5. the same through start(): the error event carries the code
  const h = gp.createSession({ engine: twoStep([["y", "throws"]]), tools: registry,
                               toolLoop: { toolErrorHandling: "abort" } }).start("go");
  const errs = [];
  h.on("error", (ev) => errs.push(ev.error));
  await assert.rejects(h.promise, { code: "TOOL_ABORTED" });
  assert.equal(errs.length, 1);
  assert.equal(errs[0].code, "TOOL_ABORTED");
  clearTimeout(guard);
  console.log("tools_errors: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
