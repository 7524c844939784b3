// gp.mcp over Streamable HTTP against the scripted server tests/mcp/fake_http.mjs, which
// records every request's headers: initialize goes without a session; every later
// request carries Mcp-Session-Id and MCP-Protocol-Version; the user's headers go on every
// request (POST, the GET stream, DELETE); POST accepts JSON and SSE; an SSE answer is
// read; close() DELETEs the session.
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
  console.log("fake_http: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
