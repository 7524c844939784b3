// A script that connects to MCP servers and exits without close(), once by the end of
// its work and once with process.exit(): no server process is left behind (the test
// wrapper, tests/mcp/with-mcp.sh, looks for them).
// timeout: 40
const gp = require("geppetto");
(async () => {
  const a = await gp.mcp.connect({ command: "node", args: [process.env.GP_MCP_FAKE] });
  const b = await gp.mcp.connect({ command: "node", args: [process.env.GP_MCP_EVERYTHING, "stdio"] });
  await a.callTool("echo", { text: "x" });
  await b.callTool("echo", { message: "x" });
  a.callTool("never").catch(() => {}); // pending at exit
  console.log("exit_without_close: ok");
  process.exit(0);
})().catch((e) => { console.error(String(e), e && e.stack); process.exit(1); });
