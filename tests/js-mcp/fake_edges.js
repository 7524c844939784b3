// gp.mcp against the scripted fake server (tests/mcp/fake_server.mjs): a crash mid-call
// (MCP_CLOSED with the stderr tail, then a restart), garbage (MCP_CLOSED too), a request
// never answered (TIMEOUT after timeoutMs), MCP errors and isError, 50 parallel calls
// answered out of order, a 20 MB result, list_changed followed by useMCP registries,
// tool names mapped to what providers accept, useMCP all or nothing, env and cwd,
// a run canceled during an MCP tool call and a call past executionTimeoutMs (the server
// hears notifications/cancelled for both).
// timeout: 90
const gp = require("geppetto");
const spec = { command: "node", args: [process.env.GP_MCP_FAKE], name: "fake", timeoutMs: 15000 };
const failure = (p) => p.then((v) => assert.fail("expected a failure, got " + JSON.stringify(v)), (e) => e);

(async () => {
  const c = await gp.mcp.connect(spec);
  assert.equal((await c.tools()).length, 15, "three pages");

  const crash = await failure(c.callTool("crash"));
  assert.equal(crash.code, "MCP_CLOSED");
  assert(/crashing on purpose/.test(crash.message), crash.message);
  assert.equal((await c.callTool("echo", { text: "back" })).content[0].text, "back");

  // Garbage on stdout: the connection is broken (MCP_CLOSED naming what came, with the
  // tail of stderr); the next call starts the server again.
  const garbage = await failure(c.callTool("garbage"));
  assert.equal(garbage.code, "MCP_CLOSED");
  assert(/malformed message \(not JSON\): this is not json \{/.test(garbage.message), garbage.message);
  assert(/its stderr ends with: fake: writing garbage on purpose/.test(garbage.message), garbage.message);
  assert.equal((await c.callTool("echo", { text: "after" })).content[0].text, "after");

  // timeoutMs bounds every request, initialize too: enough for node to start on a busy
  // machine, far less than the test's own timeout
  const quick = await gp.mcp.connect(Object.assign({}, spec, { timeoutMs: 2000 }));
  const t0 = Date.now();
  const never = await failure(quick.callTool("never"));
  assert.equal(never.code, "TIMEOUT");
  assert(Date.now() - t0 >= 1900 && Date.now() - t0 < 8000, "timed out after " + (Date.now() - t0) + " ms");
  await quick.close();

  const err = await failure(c.callTool("fail"));
  assert.equal(err.code, "MCP_ERROR");
  assert(/fake failure/.test(err.message));
  assert.equal((await c.callTool("is_error")).isError, true);

  // 50 calls at once, answered in another order than sent.
  const order = [];
  const calls = [];
  for (let i = 0; i < 50; i++)
    calls.push(c.callTool("sleep", { ms: (50 - i) * 4, tag: "t" + i }).then((r) => { order.push(i); return r; }));
  const all = await Promise.all(calls);
  all.forEach((r, i) => assert.equal(r.content[0].text, "slept t" + i));
  assert(order.some((v, i) => v !== i), "answers came out of order: " + order.join(","));

  const big = await c.callTool("big", { mb: 20 });
  assert.equal(big.content[0].text.length, 20 * 1024 * 1024);

  // list_changed: the registry gets the new tool, and loses the one the server drops.
  const reg = gp.tools.createRegistry().useMCP(c, { exclude: ["crash", "garbage"] });
  const has = (r, name) => r.list().some((t) => t.name === name);
  assert(!has(reg, "added"));
  assert(!has(reg, "crash"));
  await c.callTool("change");
  for (let i = 0; i < 100 && !has(reg, "added"); i++) await sleep(20);
  assert(has(reg, "added"), "registry follows list_changed");
  assert.equal((await c.tools()).length, 16);
  await c.callTool("change", { remove: "added" });
  for (let i = 0; i < 100 && has(reg, "added"); i++) await sleep(20);
  assert(!has(reg, "added"), "a tool the server dropped leaves the registry");
  assert.equal((await c.tools()).length, 15);
  // With no registry bound when the list changes, a later useMCP sees the new list.
  const c3 = await gp.mcp.connect(spec);
  await c3.callTool("change");
  let late = gp.tools.createRegistry().useMCP(c3);
  for (let i = 0; i < 100 && !has(late, "added"); i++) {
    await sleep(20);
    late = gp.tools.createRegistry().useMCP(c3);
  }
  assert(has(late, "added"), "the cached list follows list_changed without a registry");
  await c3.close();

  // stdio: env is added to the script's environment, cwd is where the server starts.
  const tmp = require("fs").realpathSync(require("os").tmpdir());
  const ce = await gp.mcp.connect(Object.assign({}, spec, { env: { GP_MCP_JS_ENV: "from the spec" }, cwd: tmp }));
  const seen = JSON.parse((await ce.callTool("env", { names: ["GP_MCP_JS_ENV", "GP_MCP_FAKE"] })).content[0].text);
  assert.equal(seen.cwd, tmp);
  assert.equal(seen.env.GP_MCP_JS_ENV, "from the spec");
  assert.equal(seen.env.GP_MCP_FAKE, process.env.GP_MCP_FAKE, "the script's environment is kept");
  await ce.close();

  // Server names providers refuse are registered mapped; the call uses the server's name.
  // useMCP is all or nothing: a name taken registers none.
  const odd = await gp.mcp.connect(Object.assign({}, spec, { args: [process.env.GP_MCP_FAKE, "--odd-names"] }));
  const oreg = gp.tools.createRegistry().useMCP(odd, { include: ["ns.tool", "a/b", "a_b"] });
  assert.deepEqual(oreg.list().map((t) => t.name), ["ns_tool", "a_b_2", "a_b"]);
  assert.equal(await oreg.call("ns_tool", {}), "called ns.tool");
  assert.equal(await oreg.call("a_b_2", {}), "called a/b");
  const taken = gp.tools.createRegistry().register({ name: "echo", handler: () => "mine" });
  assert.throws(() => taken.useMCP(odd), { code: "INVALID_ARGUMENT" });
  assert.deepEqual(taken.list().map((t) => t.name), ["echo"]);
  await odd.close();

  // A run canceled while its MCP tool call waits: fails at once, the server is told.
  const engine = gp.engines.fromFunction((turn) =>
    gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("n1", "never", {})));
  const c2 = await gp.mcp.connect(Object.assign({}, spec, { timeoutMs: 20000 }));
  const s = gp.createSession({ engine, tools: gp.tools.createRegistry().useMCP(c2) });
  const h = s.start("go");
  h.on("tool-call-execute", () => setTimeout(() => h.cancel(), 100));
  const t1 = Date.now();
  const canceled = await failure(h.promise);
  assert.equal(canceled.code, "CANCELED");
  assert(Date.now() - t1 < 2000, "canceled at once");
  // The run fails at once; the client's sweeper thread tells the server meanwhile, so
  // the question may overtake the notification: ask until it arrived (2 s at most).
  let told = [];
  for (let i = 0; i < 40 && told.length === 0; i++) {
    if (i) await sleep(50);
    told = JSON.parse((await c2.callTool("cancelled")).content[0].text);
  }
  assert.equal(told.length, 1, "the server got notifications/cancelled: " + JSON.stringify(told));

  // A call that passes executionTimeoutMs: the tool fails with a timeout at once and the
  // server is told (notifications/cancelled for that request).
  const engine2 = gp.engines.fromFunction((turn) => {
    if (turn.blocks.some((b) => b.kind === "tool_use")) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done"));
    return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("n2", "never", {}));
  });
  const s2 = gp.createSession({ engine: engine2, tools: gp.tools.createRegistry().useMCP(c2),
                                toolLoop: { executionTimeoutMs: 300 } });
  const t2 = Date.now();
  const out2 = await s2.runAsync("go");
  const took = Date.now() - t2;
  const use = out2.blocks.find((b) => b.kind === "tool_use").payload;
  assert(/timed out after 300 ms/.test(use.error), use.error);
  assert(took >= 280 && took < 3000, "the call timed out after " + took + " ms");
  for (let i = 0; i < 40 && told.length < 2; i++) {
    await sleep(50);
    told = JSON.parse((await c2.callTool("cancelled")).content[0].text);
  }
  assert.equal(told.length, 2, "the server got notifications/cancelled for the timed-out call: " + JSON.stringify(told));

  await c.close();
  await c2.close();
  console.log("fake_edges: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
