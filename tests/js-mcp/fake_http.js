// gp.mcp over Streamable HTTP against the scripted server tests/mcp/fake_http.mjs, which
// records every request's headers: initialize goes without a session; every later
// request carries Mcp-Session-Id and MCP-Protocol-Version; the user's headers go on every
// request (POST, the GET stream, DELETE); POST accepts JSON and SSE; an SSE answer is
// read; close() DELETEs the session. A session the server ended (404) is followed by a
// new one on the next request.
// mcp-http: fake
// timeout: 60
const gp = require("geppetto");
const base = process.env.GP_MCP_HTTP_BASE;
const log = async () => (await fetch(base + "/log")).json();

(async () => {
  const c = await gp.mcp.connect({ url: process.env.GP_MCP_HTTP_URL, name: "fakehttp",
                                   headers: { "X-Test": "yes", Authorization: "Bearer t0k" } });
  assert.equal(c.serverInfo.name, "fake-http");
  assert.equal((await c.callTool("echo", { text: "hi" })).content[0].text, "hi (s1)");
  assert.equal((await c.callTool("echo_sse", { text: "streamed" })).content[0].text, "streamed (s1)");

  let seen = await log();
  for (let i = 0; i < 40 && !seen.some((r) => r.method === "GET"); i++) {
    await sleep(50);
    seen = await log();
  }
  const posts = seen.filter((r) => r.method === "POST");
  assert.deepEqual(posts.map((r) => r.rpc), ["initialize", "notifications/initialized", "tools/list", "tools/call", "tools/call"]);
  const init = posts[0];
  assert.equal(init.session, null, "initialize goes without a session id");
  assert.equal(init.protocol, null, "and before a revision is agreed");
  assert.equal(init.headers["content-type"], "application/json");
  assert(/application\/json/.test(init.headers.accept) && /text\/event-stream/.test(init.headers.accept), init.headers.accept);
  for (const r of seen) {
    assert.equal(r.headers["x-test"], "yes", r.method + " " + r.rpc + " carries the user's headers");
    assert.equal(r.headers.authorization, "Bearer t0k");
  }
  for (const r of seen.slice(1)) {
    assert.equal(r.session, "s1", r.method + " " + r.rpc + " carries Mcp-Session-Id");
    assert.equal(r.protocol, "2025-11-25", r.method + " " + r.rpc + " carries MCP-Protocol-Version");
  }
  const get = seen.find((r) => r.method === "GET");
  assert(get, "the GET stream was tried");
  assert.equal(get.headers.accept, "text/event-stream");

  await c.close();
  const del = (await log()).filter((r) => r.method === "DELETE");
  assert.equal(del.length, 1, "close() DELETEs the session");
  assert.equal(del[0].session, "s1");
  assert.equal(del[0].protocol, "2025-11-25");
  assert.equal(del[0].headers["x-test"], "yes");

  // The server ends the session: the request that gets 404 fails with MCP_CLOSED, the
  // next one opens a new session (initialize without a session id) and goes through.
  const c2 = await gp.mcp.connect({ url: process.env.GP_MCP_HTTP_URL, name: "fakehttp" });
  assert.equal((await c2.callTool("expire")).content[0].text, "expired s2");
  const gone = await c2.callTool("echo", { text: "lost" }).then((v) => assert.fail("expected a failure: " + JSON.stringify(v)), (e) => e);
  assert.equal(gone.code, "MCP_CLOSED");
  assert(/ended the session \(HTTP 404\)/.test(gone.message), gone.message);
  assert.equal((await c2.callTool("echo", { text: "again" })).content[0].text, "again (s3)");
  assert.equal((await c2.callTool("echo", { text: "still" })).content[0].text, "still (s3)");
  const inits = (await log()).filter((r) => r.rpc === "initialize");
  assert.equal(inits.length, 3);
  assert.equal(inits[2].session, null, "the new session starts without the old id");
  await c2.close();
  const dels = (await log()).filter((r) => r.method === "DELETE").map((r) => r.session);
  assert.deepEqual(dels, ["s1", "s3"], "the ended session is not DELETEd");
  console.log("fake_http: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
