// flags: --permission
// needs: permission
// Under --permission, gp.mcp.connect needs --allow-child-process for a stdio server and
// --allow-net for an HTTP one: both reject with ERR_ACCESS_DENIED before anything starts.
// expect-stdout: mcp_permission: ok
const gp = require("geppetto");
(async () => {
  const e1 = await assert.rejects(() => gp.mcp.connect({ command: "node", args: ["-e", "0"] }), { code: "ERR_ACCESS_DENIED" });
  assert.ok(e1.message.includes("--allow-child-process"), e1.message);
  const e2 = await assert.rejects(() => gp.mcp.connect({ url: "http://127.0.0.1:9/mcp" }), { code: "ERR_ACCESS_DENIED" });
  assert.ok(e2.message.includes("--allow-net"), e2.message);
  const e3 = await assert.rejects(() => gp.mcp.connect({}), { code: "INVALID_ARGUMENT" });
  assert.ok(/command.*url/.test(e3.message), e3.message);
  console.log("mcp_permission: ok");
})().catch((e) => { console.error("FAIL", String(e), e && e.stack); process.exit(1); });
