// A tool that fetches with ctx.signal, inside a run that is canceled mid-request: the
// request is closed within 100 ms (the server sees its connection closed), the run
// rejects CANCELED, and nothing is left open (gp.runtime.stats().openFetches). Also a
// tool whose call times out (executionTimeoutMs) stops its download, and a tool that
// streams a large download into its result in bounded memory.
const gp = require("geppetto");
const base = process.env.GP_TEST_HTTP;
const slack = process.env.GP_TEST_SANITIZER ? 400 : 100;

function oneCall(name, args) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", name, args || {}));
    const p = uses[0].payload;
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("saw: " + (p.error || JSON.stringify(p.result))));
  });
}

(async () => {
  // 1. cancel while the tool's fetch awaits the server
  let started;
  const inTool = new Promise((r) => (started = r));
  let toolError = null;
  const reg = gp.tools.createRegistry().register({ name: "web", handler: async (args, ctx) => {
    assert.ok(ctx.signal instanceof AbortSignal, "ctx.signal is a real AbortSignal");
    started();
    try {
      const r = await fetch(`${base}/hang?id=tool1`, { signal: ctx.signal });
      return await r.text();
    } catch (e) {
      toolError = e;
      throw e;
    }
  } });
  const h = gp.createSession({ engine: oneCall("web"), tools: reg }).start("go");
  await inTool;
  await sleep(100);
  assert.equal(gp.runtime.stats().openFetches, 1);
  // the server stamps the close with its wall clock (Date.now() in another process on
  // this machine): measured from the cancel on the same clock
  const canceledAt = Date.now();
  h.cancel();
  await assert.rejects(h.promise, { code: "CANCELED" });
  const s = await (await fetch(`${base}/wait-close?id=tool1&ms=2000`)).json();
  assert.equal(s.closedEarly, true, "the server saw the connection closed");
  const ms = s.closedAtMs - canceledAt;
  console.log(`canceled run: the server saw the tool's request closed ${ms} ms after cancel()`);
  assert.ok(ms < slack, `closed ${ms} ms after cancel() (bound ${slack} ms)`);
  await sleep(20);
  assert.ok(toolError, "the tool's fetch rejected");
  assert.equal(toolError.code, "CANCELED", "with the run's reason");
  assert.equal(gp.runtime.stats().openFetches, 0, "no transfer left open");

  // 2. executionTimeoutMs stops a download mid-body
  const reg2 = gp.tools.createRegistry().register({ name: "dl", handler: async (args, ctx) => {
    const r = await fetch(`${base}/stall?bytes=100&id=tool2`, { signal: ctx.signal });
    return (await r.text()).length;
  } });
  const out = await gp.createSession({ engine: oneCall("dl"), tools: reg2, toolLoop: { executionTimeoutMs: 200 } }).runAsync("go");
  const use = out.blocks.find((b) => b.kind === "tool_use").payload;
  assert.ok(/timed out/.test(use.error), use.error);
  const s2 = await (await fetch(`${base}/wait-close?id=tool2&ms=2000`)).json();
  assert.equal(s2.closedEarly, true);
  assert.ok(s2.closedAtMs - s2.startedAtMs < 200 + 300 + slack, `closed ${s2.closedAtMs - s2.startedAtMs} ms after it began`);

  // 3. a large download streamed into a tool's result (its size and a checksum)
  const reg3 = gp.tools.createRegistry().register({ name: "sum", handler: async (args, ctx) => {
    const r = await fetch(`${base}/big?bytes=${args.bytes}&id=tool3`, { signal: ctx.signal });
    let n = 0, sum = 0;
    for await (const chunk of r.body) { n += chunk.length; for (let i = 0; i < chunk.length; i += 1024) sum = (sum + chunk[i]) % 65521; }
    return { n, sum };
  }, parameters: { type: "object", properties: { bytes: { type: "integer" } } } });
  // the same run once first: the one-time costs (the optimising JIT's code for the read
  // loop, several MB) are not what is measured
  await gp.createSession({ engine: oneCall("sum", { bytes: 30 << 20 }), tools: reg3 }).runAsync("go");
  const rss0 = process.memoryUsage().rss;
  const out3 = await gp.createSession({ engine: oneCall("sum", { bytes: 30 << 20 }), tools: reg3 }).runAsync("go");
  const res = out3.blocks.find((b) => b.kind === "tool_use").payload.result;
  assert.equal(res.n, 30 << 20);
  const growth = (process.memoryUsage().rss - rss0) / (1 << 20);
  console.log(`a 30 MB download summed by a tool: RSS grew ${growth.toFixed(1)} MB`);
  // (under a sanitizer, shadow memory and its quarantine make RSS no measure of buffering)
  if (!process.env.GP_TEST_SANITIZER) assert.ok(growth < 16, `RSS grew ${growth.toFixed(1)} MB`);
  assert.equal(gp.runtime.stats().openFetches, 0);
  console.log("fetch_tool_cancel: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
