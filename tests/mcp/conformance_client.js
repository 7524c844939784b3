// The client driver of the MCP conformance suite (@modelcontextprotocol/conformance,
// client mode): `geppetto run tests/mcp/conformance_client.js SERVER_URL`, with the
// scenario in MCP_CONFORMANCE_SCENARIO. It does what an agent does with gp.mcp: connect
// (initialize, notifications/initialized, tools/list), call each tool with the numbers
// its schema asks for, close (DELETE of the session). tests/mcp/conformance.sh runs it.
const gp = require("geppetto");
const url = process.argv[process.argv.length - 1];

function argsFor(schema) {
  const args = {};
  const props = (schema && schema.properties) || {};
  let n = 2;
  for (const k of Object.keys(props)) {
    const t = props[k].type;
    args[k] = t === "number" || t === "integer" ? n++ : t === "boolean" ? true : t === "string" ? "x" : null;
  }
  return args;
}

(async () => {
  const c = await gp.mcp.connect({ url, timeoutMs: 20000 });
  console.log("connected to", JSON.stringify(c.serverInfo), "revision", c.protocolVersion);
  for (const t of await c.tools()) {
    const r = await c.callTool(t.name, argsFor(t.inputSchema)).then((v) => v, (e) => ({ error: e.code + ": " + e.message }));
    console.log("called", t.name, JSON.stringify(r).slice(0, 300));
  }
  await c.close();
})().catch((e) => { console.error(String(e), e && e.code); process.exit(1); });
