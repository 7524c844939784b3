// gp.mcp against the reference server @modelcontextprotocol/server-everything over stdio:
// handshake and serverInfo, every tool listed, calls (text and structured content), a
// long-running tool's progress as tool-progress events in a run, cancel mid-call with an
// AbortSignal (the call fails at once, the client stays usable), close().
// timeout: 90
const gp = require("geppetto");
const spec = { command: "node", args: [process.env.GP_MCP_EVERYTHING, "stdio"], name: "everything" };

(async () => {
  const c = await gp.mcp.connect(spec);
  assert.equal(c.serverInfo.name, "mcp-servers/everything");
  assert.equal(c.protocolVersion, "2025-11-25");
  const tools = await c.tools();
  const names = tools.map((t) => t.name);
  for (const n of ["echo", "get-sum", "get-structured-content", "trigger-long-running-operation"])
    assert(names.includes(n), "lists " + n + ": " + names.join(","));
  assert.equal(tools.find((t) => t.name === "echo").inputSchema.type, "object");

  const r = await c.callTool("echo", { message: "héllo" });
  assert.deepEqual(r.content, [{ type: "text", text: "Echo: héllo" }]);
  const sc = await c.callTool("get-structured-content", { location: "New York" });
  assert.equal(typeof sc.structuredContent.temperature, "number");
  // A server-side validation failure comes back as the server sent it.
  const bad = await c.callTool("get-sum", { a: "x" }).then((v) => v, (e) => e);
  assert(bad.isError === true || bad.code === "MCP_ERROR", "bad arguments: " + JSON.stringify(bad));

  // Through a registry in a run: structured content is the tool's value; progress events.
  const reg = gp.tools.createRegistry().useMCP(c, { prefix: "ev_", include: ["get-structured-content", "trigger-long-running-operation"] });
  assert.deepEqual(reg.list().map((t) => t.name).sort(), ["ev_get-structured-content", "ev_trigger-long-running-operation"]);
  let step = 0;
  const engine = gp.engines.fromFunction((turn) => {
    if (step++ === 0) {
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c1", "ev_get-structured-content", { location: "Chicago" }));
      gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c2", "ev_trigger-long-running-operation", { duration: 1, steps: 4 }));
      return turn;
    }
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
  });
  const s = gp.createSession({ engine, tools: reg });
  const h = s.start("go");
  const progress = [];
  h.on("tool-progress", (e) => progress.push(e));
  const t = await h.promise;
  const uses = t.blocks.filter((b) => b.kind === "tool_use");
  assert.equal(typeof uses[0].payload.result.temperature, "number", JSON.stringify(uses[0].payload));
  assert(!uses[1].payload.error, JSON.stringify(uses[1].payload));
  assert(progress.length >= 3, "progress events: " + progress.length);
  assert.equal(progress[0].callId, "c2");
  assert.equal(progress[progress.length - 1].total, 4);

  // Cancel mid-call: the promise rejects at once; the next call works.
  const ac = new AbortController();
  const t0 = Date.now();
  const p = c.callTool("trigger-long-running-operation", { duration: 10, steps: 10 }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 300);
  const e = await p.then(() => null, (err) => err);
  assert(e && e.code === "CANCELED", "canceled: " + (e && e.code));
  assert(Date.now() - t0 < 3000, "canceled at once: " + (Date.now() - t0) + " ms");
  assert.equal((await c.callTool("echo", { message: "after" })).content[0].text, "Echo: after");

  await c.close();
  const closed = await c.callTool("echo", { message: "x" }).then(() => null, (err) => err);
  assert.equal(closed.code, "MCP_CLOSED");
  console.log("everything_stdio: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
