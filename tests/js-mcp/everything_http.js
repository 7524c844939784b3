// gp.mcp against server-everything over Streamable HTTP (started by tests/mcp/with-mcp.sh):
// the session (Mcp-Session-Id), tools listed and called (text and structured content),
// progress events in a run, cancel mid-call, 50 parallel calls, close() (DELETE).
// mcp-http: everything
// timeout: 90
const gp = require("geppetto");

(async () => {
  const c = await gp.mcp.connect({ url: process.env.GP_MCP_HTTP_URL, headers: { "X-Test": "1" } });
  assert.equal(c.serverInfo.name, "mcp-servers/everything");
  assert.equal(c.protocolVersion, "2025-11-25");
  const names = (await c.tools()).map((t) => t.name);
  assert(names.includes("echo") && names.includes("get-structured-content"), names.join(","));
  assert.equal((await c.callTool("echo", { message: "over http" })).content[0].text, "Echo: over http");
  const sc = await c.callTool("get-structured-content", { location: "Los Angeles" });
  assert.equal(typeof sc.structuredContent.temperature, "number");

  const reg = gp.tools.createRegistry().useMCP(c, { include: ["trigger-long-running-operation"] });
  let step = 0;
  const engine = gp.engines.fromFunction((turn) => step++ === 0
    ? gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("p1", "trigger-long-running-operation", { duration: 1, steps: 3 }))
    : gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done")));
  const h = gp.createSession({ engine, tools: reg }).start("go");
  const progress = [];
  h.on("tool-progress", (e) => progress.push(e.progress));
  await h.promise;
  assert(progress.length >= 2, "progress over SSE: " + progress.join(","));

  const ac = new AbortController();
  const t0 = Date.now();
  const p = c.callTool("trigger-long-running-operation", { duration: 10, steps: 5 }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 200);
  const e = await p.then(() => null, (err) => err);
  assert.equal(e && e.code, "CANCELED");
  assert(Date.now() - t0 < 3000);

  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => c.callTool("get-sum", { a: i, b: 1 })));
  many.forEach((r, i) => assert(r.content[0].text.includes(String(i + 1)), JSON.stringify(r)));

  await c.close();
  console.log("everything_http: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
