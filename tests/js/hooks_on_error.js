// onToolError (SPEC §4.6): called after each failed attempt with {attempt, error,
// defaultRetry, defaultBackoffMs}; {action:"retry", backoffMs} / "retry" runs the
// handler again, "continue" keeps the error as the result, "abort" ends the run with
// TOOL_ABORTED, undefined keeps the toolErrorHandling policy; hook-forced retries stop
// after 10.
// expect-stdout: hooks_on_error: ok
const gp = require("geppetto");

function oneCall(name) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", name, { x: 1 }));
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
}
const useOf = (t) => t.blocks.find((b) => b.kind === "tool_use").payload;

(async () => {
  let attempts = 0, okAfter = Infinity;
  const registry = gp.tools.createRegistry().register({ name: "flaky", handler: () => {
    attempts++;
    if (attempts >= okAfter) return "ok on attempt " + attempts;
    throw new Error("failure " + attempts);
  } });
  const run = async (hook, toolLoop, fresh) => {
    attempts = 0;
    okAfter = fresh === undefined ? Infinity : fresh;
    const infos = [];
    const s = gp.createSession({ engine: oneCall("flaky"), tools: registry, toolLoop: toolLoop || {},
      toolHooks: { onToolError: (info) => { infos.push(info); return hook(info); } } });
    return { p: s.runAsync("go"), infos, s };
  };

  // 1. undefined keeps the policy; the info describes each failure
  let r = await run(() => undefined, { toolErrorHandling: "retry", retryMaxRetries: 2, retryBackoffMs: 10, retryBackoffFactor: 2 });
  let t = await r.p;
  assert.equal(attempts, 3);
  assert.equal(useOf(t).error, "failure 3");
  assert.deepEqual(r.infos.map((i) => [i.phase, i.attempt, i.error, i.defaultRetry, i.defaultBackoffMs]),
    [["onToolError", 1, "failure 1", true, 10], ["onToolError", 2, "failure 2", true, 20],
     ["onToolError", 3, "failure 3", false, 40]]);
  assert.deepEqual(r.infos[0].call, { id: "c1", name: "flaky", args: { x: 1 } });
  assert.equal(r.infos[0].sessionId, r.s.id);

  // 2. {action:"retry", backoffMs} under "continue": retried until it works
  r = await run((i) => ({ action: "retry", backoffMs: 1 }), {}, 3);
  t = await r.p;
  assert.equal(attempts, 3);
  assert.equal(useOf(t).result, "ok on attempt 3");
  assert.equal(useOf(t).error, undefined);
  assert.deepEqual(r.infos.map((i) => i.defaultRetry), [false, false]);
  // ... the string form too, with the policy's backoff
  r = await run(() => "retry", { retryBackoffMs: 1 }, 2);
  assert.equal(useOf(await r.p).result, "ok on attempt 2");

  // 3. "continue" stops a retry policy at once
  r = await run(() => "continue", { toolErrorHandling: "retry", retryMaxRetries: 5, retryBackoffMs: 1 });
  t = await r.p;
  assert.equal(attempts, 1);
  assert.equal(useOf(t).error, "failure 1");
  r = await run(() => ({ action: "continue" }), { toolErrorHandling: "abort" });
  t = await r.p;
  assert.equal(useOf(t).error, "failure 1", "continue overrides the abort policy");

  // 4. "abort": TOOL_ABORTED with the partial turn
  for (const answer of ["abort", { action: "abort" }]) {
    r = await run(() => answer, {});
    const e = await assert.rejects(r.p, { code: "TOOL_ABORTED" });
    assert(/failure 1 \(the onToolError hook aborted the run\)/.test(e.message), e.message);
    assert.equal(useOf(e.partialTurn).error, "failure 1");
    assert.equal(attempts, 1);
  }

  // 5. hook-forced retries stop after 10 (11 attempts in all)
  r = await run(() => ({ action: "retry", backoffMs: 0 }), {});
  t = await r.p;
  assert.equal(attempts, 11);
  assert.equal(r.infos.length, 11);
  assert.equal(useOf(t).error, "failure 11");

  // 6. a nonsense answer is the hook's failure: fail-closed ends the call with it
  r = await run(() => ({ action: "later" }), { toolErrorHandling: "retry", retryBackoffMs: 1 });
  t = await r.p;
  assert.equal(attempts, 1);
  assert(/onToolError returned an unknown action/.test(useOf(t).error), useOf(t).error);
  r = await run(() => ({ action: "retry", backoffMs: "soon" }), {});
  assert(/backoffMs that is not a number/.test(useOf(await r.p).error));
  clearTimeout(guard);
  console.log("hooks_on_error: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
