// A scripted MCP server over Streamable HTTP for the tests of src/mcp/http.c (Node.js, no
// packages): it records the headers of every request so a test can check what the
// client sent (Mcp-Session-Id, MCP-Protocol-Version, the user's headers, DELETE on
// close), and can end a session on request (the next request with that id gets 404,
// after which the client must start a new session).
//
//   PORT=N node fake_http.mjs   listens on 127.0.0.1:N (0: any), prints "listening on port P"
//
//   POST /mcp      JSON-RPC; initialize opens session "sN" (Mcp-Session-Id), a request
//                  with an unknown session id gets 404; answers are JSON bodies, or an
//                  SSE stream for tools/call of `echo_sse`; notifications get 202
//   GET /mcp       405 (no stream offered)
//   DELETE /mcp    ends the session (200)
//   GET /log       [{method, path, session, protocol, headers: {lower-case name: value},
//                    rpc: the JSON-RPC method or null}] of every /mcp request so far
// Tools: echo {text}, echo_sse {text}, expire (answers, then ends its session).
import http from "node:http";

const sessions = new Set();
const log = [];
let next = 1;

const tools = ["echo", "echo_sse", "expire"].map((name) => ({
  name, description: "fake http " + name, inputSchema: { type: "object" } }));

function json(res, status, body, headers) {
  res.writeHead(status, Object.assign({ "Content-Type": "application/json" }, headers || {}));
  res.end(body === undefined ? "" : JSON.stringify(body));
}

function answer(m, session) {
  const ok = (result) => ({ jsonrpc: "2.0", id: m.id, result });
  const text = (t) => ok({ content: [{ type: "text", text: t }] });
  switch (m.method) {
    case "initialize":
      return ok({ protocolVersion: m.params.protocolVersion, capabilities: { tools: {} },
                  serverInfo: { name: "fake-http", version: "1.0" } });
    case "ping": return ok({});
    case "tools/list": return ok({ tools });
    case "tools/call": {
      const a = m.params.arguments || {};
      if (m.params.name === "expire") {
        setImmediate(() => sessions.delete(session));
        return text("expired " + session);
      }
      return text(String(a.text) + " (" + session + ")");
    }
    default: return { jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "Method not found" } };
  }
}

function post(req, res, body) {
  let m;
  try { m = JSON.parse(body); } catch { return json(res, 400, { error: "bad json" }); }
  const entry = log[log.length - 1];
  entry.rpc = m.method || null;
  const sid = req.headers["mcp-session-id"];
  if (m.method === "initialize") {
    const s = "s" + next++;
    sessions.add(s);
    return json(res, 200, answer(m, s), { "Mcp-Session-Id": s });
  }
  if (!sid || !sessions.has(sid)) return json(res, sid ? 404 : 400, { error: "no such session" });
  if (m.id === undefined || m.method === undefined) return json(res, 202);
  const reply = answer(m, sid);
  if (m.method === "tools/call" && m.params.name === "echo_sse") {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.write("id: e1\ndata: " + JSON.stringify(reply) + "\n\n");
    return res.end();
  }
  return json(res, 200, reply);
}

const server = http.createServer((req, res) => {
  const path = req.url.split("?")[0];
  if (path === "/log") return json(res, 200, log);
  if (path !== "/mcp") return json(res, 404, { error: "not found" });
  log.push({ method: req.method, path, session: req.headers["mcp-session-id"] || null,
             protocol: req.headers["mcp-protocol-version"] || null, headers: req.headers, rpc: null });
  if (req.method === "GET") return json(res, 405);
  if (req.method === "DELETE") {
    sessions.delete(req.headers["mcp-session-id"]);
    return json(res, 200);
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (d) => (body += d));
  req.on("end", () => post(req, res, body));
});
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log("listening on port " + server.address().port);
});
