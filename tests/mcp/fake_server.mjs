// A scripted MCP server over stdio for the tests of src/mcp: what the reference servers
// do not do. Its tools (listed across 3 pages) misbehave on purpose:
//   echo {text}          the text back            sleep {ms, tag}   answers after ms
//   crash                exits mid-call (stderr)  garbage           a non-JSON line (stderr)
//   never                never answers            big {mb}          a result of mb MB
//   change {remove?}     list_changed after adding the tool `added` (or removing `remove`)
//   ping_client          pings us, reports
//   sample               asks us sampling/createMessage and reports the error code
//   progress {steps}     notifications/progress   cancelled         ids we were told cancelled
//   structured / bad_structured  structuredContent matching / breaking its outputSchema
//   fail                 a JSON-RPC error         is_error          isError: true
//   env {names}          (not listed) {cwd, env: {name: value}} of the server's process
// Options: --version V answers initialize with revision V (default: the client's);
// --odd-names adds tools whose names providers refuse (ODD_NAMES; each answers its name).
import { createInterface } from "node:readline";

const args = process.argv.slice(2);
const forced = args.includes("--version") ? args[args.indexOf("--version") + 1] : null;
const ODD_NAMES = ["ns.tool", "a/b", "a_b", "x".repeat(70), "x".repeat(70) + "y", "caf\u00e9\u2713"];
const odd = args.includes("--odd-names") ? ODD_NAMES : [];
const cancelled = [];
const waiting = new Map(); // our request id -> handler of the client's answer
let added = false;
const removed = new Set(); // tools `change` took away

const out = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const text = (t) => ({ content: [{ type: "text", text: t }] });
const obj = { type: "object" };
const tool = (name, extra) => Object.assign({ name, description: "fake " + name, inputSchema: obj }, extra || {});
const outSchema = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
function allTools() {
  const t = [
    tool("echo", { inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } }),
    tool("sleep"), tool("crash"), tool("garbage"), tool("never"), tool("big"), tool("change"),
    tool("ping_client"), tool("sample"), tool("progress"), tool("cancelled"),
    tool("structured", { outputSchema: outSchema }), tool("bad_structured", { outputSchema: outSchema }),
    tool("fail"), tool("is_error"),
  ];
  if (added) t.push(tool("added"));
  for (const n of odd) t.push(tool(n));
  return t.filter((x) => !removed.has(x.name));
}

function list(id, cursor) {
  const t = allTools();
  const per = Math.ceil(t.length / 3);
  const page = cursor ? Number(cursor.slice(4)) : 0;
  const res = { tools: t.slice(page * per, (page + 1) * per) };
  if (page < 2) res.nextCursor = "page" + (page + 1);
  out({ jsonrpc: "2.0", id, result: res });
}

function call(id, p) {
  const a = p.arguments || {};
  const answer = (result) => out({ jsonrpc: "2.0", id, result });
  switch (p.name) {
    case "echo": return answer(text(String(a.text)));
    case "added": return answer(text("added tool"));
    case "sleep": return setTimeout(() => answer(text("slept " + (a.tag || ""))), a.ms || 0);
    case "crash":
      process.stderr.write("fake: crashing on purpose\n");
      return process.exit(3);
    case "garbage":
      process.stderr.write("fake: writing garbage on purpose\n");
      return process.stdout.write("this is not json {\n");
    case "never": return;
    case "big": return answer(text("x".repeat(Math.round((a.mb || 20) * 1024 * 1024))));
    case "change":
      if (a.remove) removed.add(a.remove);
      else added = true;
      out({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
      return answer(text("changed"));
    case "ping_client":
      waiting.set("s1", (m) => answer(text(m.result && Object.keys(m.result).length === 0 ? "pong ok" : "bad pong")));
      return out({ jsonrpc: "2.0", id: "s1", method: "ping" });
    case "sample":
      waiting.set("s2", (m) => answer(text("error " + (m.error ? m.error.code : "none"))));
      return out({ jsonrpc: "2.0", id: "s2", method: "sampling/createMessage",
                   params: { messages: [], maxTokens: 1 } });
    case "progress": {
      const token = p._meta && p._meta.progressToken;
      const steps = a.steps || 3;
      let i = 0;
      const tick = () => {
        if (i === steps) return answer(text("done"));
        i++;
        if (token !== undefined)
          out({ jsonrpc: "2.0", method: "notifications/progress",
                params: { progressToken: token, progress: i, total: steps, message: "step " + i } });
        setTimeout(tick, 20);
      };
      return tick();
    }
    case "cancelled": return answer(text(JSON.stringify(cancelled)));
    case "structured": return answer(Object.assign(text("{\"n\":7}"), { structuredContent: { n: 7 } }));
    case "bad_structured": return answer(Object.assign(text("{}"), { structuredContent: { n: "seven" } }));
    case "fail": return out({ jsonrpc: "2.0", id, error: { code: -32000, message: "fake failure" } });
    case "is_error": return answer(Object.assign(text("it went wrong"), { isError: true }));
    case "env": {
      const env = {};
      for (const n of a.names || []) env[n] = process.env[n] === undefined ? null : process.env[n];
      return answer(text(JSON.stringify({ cwd: process.cwd(), env })));
    }
    default:
      if (odd.includes(p.name)) return answer(text("called " + p.name));
      return out({ jsonrpc: "2.0", id, error: { code: -32602, message: "unknown tool " + p.name } });
  }
}

function handle(m) {
  if (m.method === undefined) { // an answer to one of our requests
    const h = waiting.get(m.id);
    waiting.delete(m.id);
    if (h) h(m);
    return;
  }
  switch (m.method) {
    case "initialize":
      return out({ jsonrpc: "2.0", id: m.id, result: {
        protocolVersion: forced || m.params.protocolVersion,
        capabilities: { tools: { listChanged: true } }, serverInfo: { name: "fake", version: "1.0" } } });
    case "notifications/initialized": return;
    case "notifications/cancelled":
      cancelled.push(m.params.requestId);
      process.stderr.write("fake: cancelled " + m.params.requestId + "\n");
      return;
    case "ping": return out({ jsonrpc: "2.0", id: m.id, result: {} });
    case "tools/list": return list(m.id, m.params && m.params.cursor);
    case "tools/call": return call(m.id, m.params);
    default:
      if (m.id !== undefined) out({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "Method not found" } });
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim()) handle(JSON.parse(line));
}).on("close", () => process.exit(0));
