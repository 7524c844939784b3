// A whole agent run against geppetto-mock whose model reads a file through the tools of
// @modelcontextprotocol/server-filesystem (stdio), added to a registry in two lines.
// The README's offline example (docs/README_PART_MCP.md) is this script.
// timeout: 60
const gp = require("geppetto");

(async () => {
  const fs = await gp.mcp.connect({ command: "node", args: [process.env.GP_MCP_FILESYSTEM, process.env.GP_MCP_TMP] });
  const tools = gp.tools.createRegistry().useMCP(fs, { prefix: "fs_", include: ["read_text_file", "list_directory"] });
  const engine = gp.engines.fromConfig({ apiType: "openai", model: "m", baseURL: process.env.GEPPETTO_MOCK_URL + "/v1", apiKey: "k" });
  const session = gp.createSession({ engine, tools });
  const h = session.start("SCEN_fs What does notes.txt say?");
  const events = [];
  h.on("*", (e) => events.push(e.type));
  const turn = await h.promise;
  const use = turn.blocks.find((b) => b.kind === "tool_use");
  assert(use && /marmalade/.test(JSON.stringify(use.payload.result)), JSON.stringify(use));
  assert(events.includes("tool-call-execute") && events.includes("tool-call-execution-result"), events.join(","));
  console.log(turn.blocks[turn.blocks.length - 1].payload.text);
  await fs.close();
  console.log("agent_fs: ok");
})().catch((e) => { console.error(String(e), e && e.code, e && e.stack); process.exit(1); });
