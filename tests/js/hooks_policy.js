// hookErrorPolicy (SPEC §4.6): a hook that throws (or rejects) makes the tool call fail
// with the hook's error under "fail-closed" (the default); "fail-open" ignores the
// failure and the call goes on as if the hook had answered undefined. Bad hook options
// are TypeErrors at createSession.
// expect-stdout: hooks_policy: ok
const gp = require("geppetto");

function oneCall() {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", "t", { n: 1 }));
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
}
const useOf = (t) => t.blocks.find((b) => b.kind === "tool_use").payload;

(async () => {
  let ran = 0, failNext = false;
  const registry = gp.tools.createRegistry().register({ name: "t", handler: (a) => {
    ran++;
    if (failNext) throw new Error("tool failed");
    return { n: a.n };
  } });
  const boom = (phase) => () => { throw new Error(phase + " hook bug"); };
  const reject = (phase) => async () => { await sleep(1); throw new Error(phase + " hook rejected"); };
  const run = (toolHooks) => gp.createSession({ engine: oneCall(), tools: registry, toolHooks }).runAsync("go");

  for (const make of [boom, reject]) {
    // beforeToolCall
    ran = 0;
    let u = useOf(await run({ beforeToolCall: make("before") }));
    assert.equal(ran, 0, "fail-closed: the tool does not run");
    assert(/^before hook (bug|rejected)$/.test(u.error), u.error);
    ran = 0;
    u = useOf(await run({ beforeToolCall: make("before"), hookErrorPolicy: "fail-open" }));
    assert.equal(ran, 1, "fail-open: the tool runs");
    assert.deepEqual(u, { id: "c1", result: { n: 1 } });
    u = useOf(await run({ beforeToolCall: make("before"), hookErrorPolicy: "fail-closed" }));
    assert(/before hook/.test(u.error), "explicit fail-closed");

    // afterToolCall
    ran = 0;
    u = useOf(await run({ afterToolCall: make("after") }));
    assert.equal(ran, 1);
    assert(/^after hook (bug|rejected)$/.test(u.error), u.error);
    assert.equal(u.result, null);
    u = useOf(await run({ afterToolCall: make("after"), hookErrorPolicy: "fail-open" }));
    assert.deepEqual(u, { id: "c1", result: { n: 1 } });

    // onToolError
    failNext = true;
    ran = 0;
    u = useOf(await gp.createSession({ engine: oneCall(), tools: registry,
      toolLoop: { toolErrorHandling: "retry", retryMaxRetries: 2, retryBackoffMs: 1 },
      toolHooks: { onToolError: make("onError") } }).runAsync("go"));
    assert.equal(ran, 1, "fail-closed: no retry after the hook failed");
    assert(/^onError hook (bug|rejected)$/.test(u.error), u.error);
    ran = 0;
    u = useOf(await gp.createSession({ engine: oneCall(), tools: registry,
      toolLoop: { toolErrorHandling: "retry", retryMaxRetries: 2, retryBackoffMs: 1 },
      toolHooks: { onToolError: make("onError"), hookErrorPolicy: "fail-open" } }).runAsync("go"));
    assert.equal(ran, 3, "fail-open: the policy's retries go on");
    assert.equal(u.error, "tool failed");
    failNext = false;
  }

  // bad options
  const bad = (toolHooks, re) => {
    const e = assert.throws(() => gp.createSession({ engine: oneCall(), tools: registry, toolHooks }), TypeError);
    assert.equal(e.code, "INVALID_ARGUMENT");
    assert(re.test(e.message), e.message);
  };
  bad({ hookErrorPolicy: "fail-sometimes" }, /hookErrorPolicy must be "fail-closed" or "fail-open"/);
  bad({ beforeToolCall: "yes" }, /toolHooks.beforeToolCall must be a function/);
  bad({ beforeToolcall: () => {} }, /unknown option 'beforeToolcall'/);
  bad(5, /toolHooks must be an object/);
  assert.throws(() => gp.createBuilder().withToolHooks({ hookErrorPolicy: "maybe" }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => gp.createBuilder().withToolHooks({ afterToolCall: 1 }), TypeError);
  // the builder passes hooks through: fail-open from a builder
  ran = 0;
  const built = gp.createBuilder().withEngine(oneCall()).withTools(registry)
    .withToolHooks({ beforeToolCall: boom("before"), hookErrorPolicy: "fail-open" }).buildSession();
  assert.deepEqual(useOf(await built.runAsync("go")), { id: "c1", result: { n: 1 } });
  assert.equal(ran, 1);
  gp.createSession({ engine: oneCall(), tools: registry, toolHooks: {} });
  gp.createSession({ engine: oneCall(), tools: registry, toolHooks: null });
  clearTimeout(guard);
  console.log("hooks_policy: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
