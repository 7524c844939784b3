// Async JS middlewares under runAsync()/start(): next() returns a Promise that settles
// when the run thread has run the rest of the chain; async engines inside work; cancel
// and timeout while a middleware awaits end the run promptly; a plain middleware's
// next() switches to a Promise when what it wraps goes asynchronous. Inside run(),
// Promises fail with ASYNC_CALLBACK_IN_SYNC_RUN.
const gp = require("geppetto");
const { newAssistantBlock } = gp.turns;
const texts = (t) => t.blocks.map((b) => b.kind + ":" + b.payload.text);
const asyncEngine = gp.engines.fromFunction(async (turn) => {
  await sleep(2);
  turn.blocks.push(newAssistantBlock("engine"));
});

let step = "start";
(async () => {
  step = "layers";
  // await next(turn), change its result, return it; two async layers around an async engine.
  const order = [];
  const layer = (tag) => gp.middlewares.fromJS(async (turn, next, ctx) => {
    order.push(tag + ">");
    await sleep(1);
    const r = await next(turn);
    order.push("<" + tag);
    r.blocks.push(newAssistantBlock(tag + " iter " + ctx.iteration));
    return r;
  }, tag);
  let s = gp.createSession({ engine: asyncEngine, middlewares: [layer("a"), layer("b")] });
  let t = await s.runAsync("q");
  assert.deepEqual(order, ["a>", "b>", "<b", "<a"]);
  assert.deepEqual(texts(t), ["user:q", "llm_text:engine", "llm_text:b iter 1", "llm_text:a iter 1"]);

  step = "undefined";
  // undefined keeps what next() resolved to (changed in place); no next(): the engine never runs.
  s = gp.createSession({ engine: asyncEngine, middlewares: [async (turn, next) => {
    const r = await next();
    r.blocks.push(newAssistantBlock("in place"));
  }] });
  assert.deepEqual(texts(await s.runAsync("q")).slice(1), ["llm_text:engine", "llm_text:in place"]);
  let engineRan = false;
  s = gp.createSession({ engine: gp.engines.fromFunction(() => { engineRan = true; }),
    middlewares: [async (turn) => { await sleep(1); turn.blocks.push(newAssistantBlock("short")); return turn; }] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:short"]);
  assert.equal(engineRan, false);

  step = "plain-then";
  // A plain function whose Promise calls next() later gets a Promise from next() too.
  s = gp.createSession({ engine: asyncEngine,
    middlewares: [(turn, next) => sleep(1).then(() => next(turn)).then((r) => r)] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:engine"]);

  step = "rejections";
  // Rejections: the Error's code; next() errors reach the middleware with the partial turn.
  s = gp.createSession({ engine: asyncEngine, middlewares: [async () => {
    await sleep(1);
    throw Object.assign(new Error("nope"), { code: "PROVIDER_AUTH" });
  }] });
  let e = await assert.rejects(s.runAsync("q"));
  assert.equal(e.code, "PROVIDER_AUTH");
  const broken = gp.engines.fromFunction(async (turn) => {
    turn.blocks.push(newAssistantBlock("part"));
    throw Object.assign(new Error("cut"), { code: "PROVIDER_STREAM" });
  });
  let seenErr;
  s = gp.createSession({ engine: broken, middlewares: [async (turn, next) => {
    try { return await next(turn); } catch (err) { seenErr = err; throw err; }
  }] });
  e = await assert.rejects(s.runAsync("q"));
  assert.equal(e.code, "PROVIDER_STREAM");
  assert.equal(seenErr.code, "PROVIDER_STREAM");
  assert.deepEqual(texts(seenErr.partialTurn).slice(-1), ["llm_text:part"]);

  step = "one-next";
  // Only one next() at a time.
  s = gp.createSession({ engine: asyncEngine, middlewares: [async (turn, next) => {
    const [a, b] = await Promise.allSettled([next(turn), next(turn)]);
    assert.equal(a.status, "fulfilled");
    assert.equal(b.status, "rejected");
    assert(/already running/.test(b.reason.message), b.reason.message);
    return a.value;
  }] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:engine"]);

  step = "start-cancel";
  // start(): events flow through an async middleware; cancel while it awaits ends the
  // run with CANCELED at once, and the next() it calls afterwards is rejected.
  let lateNext, entered;
  const inside = new Promise((resolve) => { entered = resolve; });
  s = gp.createSession({ engine: gp.engines.echo({ reply: "one two three" }), middlewares: [async (turn, next) => {
    entered();
    await sleep(300);
    try { await next(turn); } catch (err) { lateNext = err; }
  }] });
  const h = s.start("q");
  const types = [];
  h.on("*", (ev) => types.push(ev.type));
  await inside;
  const t0 = Date.now();
  assert.equal(h.cancel(), true);
  e = await assert.rejects(h.promise);
  assert.equal(e.code, "CANCELED");
  assert(Date.now() - t0 < 100, "canceled within 100 ms: " + (Date.now() - t0));
  assert.deepEqual([types[0], types[types.length - 1]], ["start", "interrupt"]);
  await sleep(350);
  assert.equal(lateNext && lateNext.code, "CANCELED");
  const h2 = gp.createSession({ engine: gp.engines.echo({ reply: "one two three" }),
    middlewares: [async (turn, next) => next(turn)] }).start("q");
  const partials = [];
  h2.on("partial", (ev) => partials.push(ev.delta)).on("final", (ev) => partials.push("final:" + ev.text));
  await h2.promise;
  assert.deepEqual(partials, ["one", " two", " three", "final:one two three"]);

  step = "timeout";
  // timeoutMs while a middleware awaits: TIMEOUT.
  s = gp.createSession({ engine: asyncEngine, middlewares: [async (turn, next) => { await sleep(2000); return next(turn); }] });
  e = await assert.rejects(s.runAsync("q", { timeoutMs: 50 }));
  assert.equal(e.code, "TIMEOUT");

  step = "sync-run";
  // Inside run(): an async middleware is refused before it runs; a Promise-returning
  // plain function fails the run.
  let called = false;
  s = gp.createSession({ engine: asyncEngine, middlewares: [async (turn, next) => { called = true; return next(turn); }] });
  e = assert.throws(() => s.run("q"));
  assert.equal(e.code, "ASYNC_CALLBACK_IN_SYNC_RUN");
  assert.equal(called, false);
  assert(/runAsync|start/.test(e.message), e.message);
  s = gp.createSession({ engine: gp.engines.echo(), middlewares: [() => Promise.resolve(undefined)] });
  assert.equal(assert.throws(() => s.run("q")).code, "ASYNC_CALLBACK_IN_SYNC_RUN");

  step = "sync-wraps-async";
  // Under runAsync()/start() a plain middleware's next() answers synchronously while
  // what it wraps is synchronous, and switches to a Promise of the Turn when a callback
  // inside goes asynchronous: `return next(turn)` works either way...
  s = gp.createSession({ engine: asyncEngine, middlewares: [(turn, next) => next(turn)] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:engine"]);
  const nested = [];
  s = gp.createSession({ engine: asyncEngine, middlewares: [
    (turn, next) => { nested.push("outer"); return next(turn); },
    (turn, next) => { nested.push("inner"); return next(turn); },
    async (turn, next) => { nested.push("async"); const r = await next(turn); r.blocks.push(newAssistantBlock("deep")); return r; },
  ] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:engine", "llm_text:deep"]);
  assert.deepEqual(nested, ["outer", "inner", "async"]);
  // ...while reading the Turn synchronously from a switched next() says what to do.
  s = gp.createSession({ engine: asyncEngine, middlewares: [(turn, next) => {
    const r = next(turn);
    r.blocks.push(newAssistantBlock("too early"));
    return r;
  }] });
  e = await assert.rejects(s.runAsync("q"));
  assert.equal(e.code, "ASYNC_CALLBACK_IN_SYNC_RUN");
  assert(/await next\(turn\)/.test(e.message), e.message);
  // A synchronous inner chain keeps next() synchronous under runAsync too.
  s = gp.createSession({ engine: gp.engines.echo({ reply: "fine" }), middlewares: [(turn, next) => {
    const r = next(turn);
    r.blocks.push(newAssistantBlock("post"));
    return r;
  }] });
  assert.deepEqual(texts(await s.runAsync("q")), ["user:q", "llm_text:fine", "llm_text:post"]);
  // cancel() while a switched next() waits for a slow async engine: CANCELED at once.
  s = gp.createSession({ engine: gp.engines.fromFunction(async (turn) => { await sleep(1500); return turn; }),
    middlewares: [(turn, next) => next(turn)] });
  const hs = s.start("q");
  await sleep(30);
  const c0 = Date.now();
  hs.cancel();
  assert.equal((await assert.rejects(hs.promise)).code, "CANCELED");
  assert(Date.now() - c0 < 100, "canceled within 100 ms: " + (Date.now() - c0));
  // Inside run() nothing can go asynchronous: an async engine under a plain middleware fails.
  s = gp.createSession({ engine: asyncEngine, middlewares: [(turn, next) => next(turn)] });
  assert.equal(assert.throws(() => s.run("q")).code, "ASYNC_CALLBACK_IN_SYNC_RUN");

  clearTimeout(guard);
  console.log("middleware_async ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time; at: " + step), 30000);
