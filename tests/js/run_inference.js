// gp.runInference(engine, turn, opts?) -> Promise<Turn>: one engine call (through
// opts.middlewares) without the caller's session and without the tool loop; timeoutMs
// and tags apply; failures reject with the run's Error; bad arguments reject.
const gp = require("geppetto");
const { newAssistantBlock, newToolCallBlock } = gp.turns;

(async () => {
  const t = await gp.runInference(gp.engines.echo(), "hello there");
  assert.equal(t.blocks.length, 2);
  assert.equal(t.blocks[1].kind, "llm_text");
  assert.equal(t.blocks[1].payload.text, "hello there");
  assert.equal(t.metadata.provider, "echo");
  assert.equal(typeof t.metadata.inference_id, "string");
  assert.equal(t.metadata.session_id, undefined, "no session of the caller's");

  // A Turn in, ctx tags, middlewares (async ones too), async engines.
  let seenTags;
  const engine = gp.engines.fromFunction(async (turn, ctx) => {
    seenTags = ctx.tags;
    await sleep(1);
    turn.blocks.push(newAssistantBlock("n=" + turn.blocks.length));
  });
  const mw = gp.middlewares.fromJS(async (turn, next) => {
    const r = await next(turn);
    r.blocks.push(newAssistantBlock("wrapped"));
    return r;
  });
  const input = gp.turns.newTurn({ blocks: [gp.turns.newUserBlock("q")] });
  const t2 = await gp.runInference(engine, input, { tags: { job: 7 }, middlewares: [mw] });
  assert.deepEqual(t2.blocks.map((b) => b.payload.text), ["q", "n=1", "wrapped"]);
  assert.deepEqual(seenTags, { job: 7 });
  assert.equal(input.blocks.length, 1, "the caller's turn object is not changed");

  // No tool loop: a tool_call block comes back as the engine produced it.
  let calls = 0;
  const caller = gp.engines.fromFunction((turn) => { calls++; turn.blocks.push(newToolCallBlock("c1", "t", {})); });
  const t3 = await gp.runInference(caller, "use a tool");
  assert.equal(calls, 1);
  assert.equal(t3.blocks[1].kind, "tool_call");

  // Failures and timeouts reject with the run's Error.
  const e1 = await assert.rejects(gp.runInference(gp.engines.fromFunction(() => {
    throw Object.assign(new Error("down"), { code: "PROVIDER_HTTP" });
  }), "q"));
  assert.equal(e1.code, "PROVIDER_HTTP");
  assert(e1.partialTurn);
  const slow = gp.engines.fromFunction(async (turn) => { await sleep(600); return turn; });
  const t0 = Date.now();
  const e2 = await assert.rejects(gp.runInference(slow, "q", { timeoutMs: 50 }));
  assert.equal(e2.code, "TIMEOUT");
  assert(Date.now() - t0 < 450, "rejected at the timeout, not when the engine ends");

  // Concurrent calls on one engine are independent.
  const many = await Promise.all([1, 2, 3, 4].map((i) => gp.runInference(gp.engines.echo(), "m" + i)));
  assert.deepEqual(many.map((x) => x.blocks[1].payload.text), ["m1", "m2", "m3", "m4"]);

  // Bad arguments: rejected promises with TypeErrors (never a synchronous throw).
  for (const args of [[{}, "q"], [gp.engines.echo(), 42], [gp.engines.echo(), "q", 5],
                      [gp.engines.echo(), "q", { middlewares: "m" }]]) {
    const p = gp.runInference(...args);
    assert(p instanceof Promise);
    const e = await assert.rejects(p);
    assert(e instanceof TypeError, String(e));
    assert.equal(e.code, "INVALID_ARGUMENT");
  }
  clearTimeout(guard);
  console.log("run_inference ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
