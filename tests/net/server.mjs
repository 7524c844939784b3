// The test HTTP server of tests/js-net (Node.js, no packages): endpoints that echo a
// request, answer with a given status or headers, stream bodies (chunked, with a length,
// compressed, large with back-pressure, stalled, reset), redirect, hang, and report what
// they saw of each connection (bytes written, closed early) for tests of abort and
// back-pressure. It listens on 127.0.0.1 (and ::1 on the same port when it can), serves
// HTTPS with HTTP/2 and HTTP/1.1 on a second port (tests/net/test-cert.pem), acts as a
// forward proxy for absolute-form requests, and opens two more ports: one that accepts
// and never answers (GET /stall-port tells how many connections it holds open), and one
// with nothing listening.
//
//   node server.mjs ENVFILE    writes NAME=VALUE lines to ENVFILE once it listens:
//     GP_TEST_HTTP, GP_TEST_HTTP_ALT (same server, another host name: localhost),
//     GP_TEST_HTTPS (https://localhost:PORT, self-signed: tests/net/test-cert.pem),
//     GP_TEST_CERT, GP_TEST_STALL_PORT, GP_TEST_CLOSED_PORT
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import zlib from "node:zlib";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const envFile = process.argv[2];
let stallOpen = 0;        // connections open on the stalling port
const stats = new Map(); // id -> what the server saw of that connection
const log = [];          // every request: {method, url, proxied}

function pattern(from, n) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (from + i) % 251;
  return b;
}
function track(id, req, res) {
  const s = { id, bytesWritten: 0, closedEarly: false, finished: false,
              startedAtMs: Date.now(), closedAtMs: 0, waiters: [] };
  if (id) stats.set(id, s);
  const closed = () => {
    if (s.closedAtMs) return;
    s.closedAtMs = Date.now();
    if (!s.finished) s.closedEarly = true;
    for (const w of s.waiters.splice(0)) w();
  };
  res.on("close", closed);
  req.on("close", () => { if (req.socket && req.socket.destroyed) closed(); });
  return s;
}
function publicStats(s) {
  if (!s) return { unknown: true };
  const { waiters, ...rest } = s;
  return rest;
}
function json(res, status, value) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": body.length });
  res.end(body);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Writes `total` pattern bytes in pieces, waiting for 'drain' whenever the socket's
// buffers are full: a reader that does not read holds this loop.
async function stream(res, s, total, piece = 64 * 1024) {
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const n = Math.min(piece, total - sent);
    const ok = res.write(pattern(sent, n));
    sent += n;
    s.bytesWritten = sent;
    if (!ok) await new Promise((r) => {
      const done = () => { res.off("drain", done); res.off("close", done); r(); };
      res.on("drain", done);
      res.on("close", done);
    });
  }
  if (!res.destroyed) { s.finished = true; res.end(); }
}
const compressors = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
};

async function handle(req, res) {
  const proxied = /^https?:\/\//.test(req.url);
  const u = new URL(req.url, "http://" + (req.headers.host || req.headers[":authority"] || "x"));
  const q = u.searchParams;
  const id = q.get("id") || "";
  if (u.pathname !== "/log") log.push({ method: req.method, url: req.url, proxied });
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const route = u.pathname;

  if (route === "/echo") {
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i].toLowerCase();
      if (!k.startsWith(":")) headers.push([k, req.rawHeaders[i + 1]]);
    }
    return json(res, 200, {
      method: req.method, path: u.pathname, query: Object.fromEntries(q), search: u.search,
      url: req.url, host: req.headers.host || req.headers[":authority"], headers,
      bodyLength: body.length, bodyText: body.toString("utf8"), bodyBase64: body.toString("base64"),
      httpVersion: req.httpVersion, remotePort: req.socket.remotePort, proxied,
    });
  }
  let m;
  if ((m = /^\/status\/(\d{3})$/.exec(route))) {
    const code = Number(m[1]);
    if (q.has("text")) res.statusMessage = q.get("text");
    if (code === 204 || code === 304) { res.writeHead(code); return res.end(); }
    res.writeHead(code, { "Content-Type": "text/plain" });
    return res.end("status " + code);
  }
  if (route === "/headers") {
    const h = {};
    for (const pair of q.getAll("h")) {
      const i = pair.indexOf(":");
      const k = pair.slice(0, i), v = pair.slice(i + 1);
      (h[k] = h[k] || []).push(v);
    }
    res.writeHead(200, h);
    return res.end("ok");
  }
  if (route === "/chunked") {
    const n = Number(q.get("n") || 10), size = Number(q.get("size") || 100), delay = Number(q.get("delayMs") || 0);
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    for (let i = 0; i < n && !res.destroyed; i++) {
      res.write(pattern(i * size, size));
      if (delay) await sleep(delay);
    }
    return res.end();
  }
  if (route === "/length") {
    const n = Number(q.get("bytes") || 100);
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": n });
    return res.end(pattern(0, n));
  }
  if (compressors[route.slice(1)]) {
    const n = Number(q.get("bytes") || 1000);
    const text = Buffer.from("hello compressed world ".repeat(Math.ceil(n / 23)).slice(0, n));
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Encoding": route.slice(1) });
    return res.end(compressors[route.slice(1)](text));
  }
  if (route === "/redirect") {
    res.writeHead(Number(q.get("code") || 302), { Location: q.get("to") || "/echo" });
    return res.end("redirect");
  }
  if (route === "/redirect-chain") {
    const n = Number(q.get("n") || 0);
    if (n <= 0) { res.writeHead(200, { "Content-Type": "text/plain" }); return res.end("done"); }
    res.writeHead(302, { Location: "/redirect-chain?n=" + (n - 1) });
    return res.end();
  }
  if (route === "/redirect-loop") {
    res.writeHead(302, { Location: "/redirect-loop" });
    return res.end();
  }
  if (route === "/big") {
    const s = track(id, req, res);
    const total = Number(q.get("bytes") || 1 << 20);
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": total });
    return stream(res, s, total);
  }
  if (route === "/stats") return json(res, 200, publicStats(stats.get(id)));
  if (route === "/wait-close") {
    const s = stats.get(id);
    if (s && !s.closedAtMs)
      await new Promise((r) => { s.waiters.push(r); setTimeout(r, Number(q.get("ms") || 2000)); });
    return json(res, 200, publicStats(s));
  }
  if (route === "/stall") {
    const s = track(id, req, res);
    const n = Number(q.get("bytes") || 10);
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": n + 1000000 });
    res.write(pattern(0, n));
    s.bytesWritten = n;
    return; // never ends
  }
  if (route === "/stall-port") return json(res, 200, { open: stallOpen });
  if (route === "/hang") { track(id, req, res); return; } // never answers
  if (route === "/reset") {
    const n = Number(q.get("bytes") || -1), delay = Number(q.get("delayMs") || 0);
    if (n >= 0) {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": n + 1000000 });
      res.write(pattern(0, n));
    }
    if (delay) await sleep(delay);
    await sleep(20);
    return req.socket.resetAndDestroy();
  }
  if (route === "/slow") {
    const n = Number(q.get("n") || 5), delay = Number(q.get("delayMs") || 100);
    res.writeHead(200, { "Content-Type": "text/plain" });
    for (let i = 0; i < n && !res.destroyed; i++) { res.write(`tick ${i}\n`); await sleep(delay); }
    return res.end();
  }
  if (route === "/log") {
    const out = log.slice();
    if (q.get("clear") === "1") log.length = 0;
    return json(res, 200, out);
  }
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("no route " + route);
}
function serve(req, res) {
  handle(req, res).catch((e) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(e && e.stack || e));
  });
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => { server.off("error", reject); resolve(server.address().port); });
  });
}

const main = http.createServer(serve);
main.keepAliveTimeout = 30000;
// The forward proxy's tunnel for https: URLs (CONNECT host:port).
main.on("connect", (req, client, head) => {
  log.push({ method: "CONNECT", url: req.url, proxied: true });
  const i = req.url.lastIndexOf(":");
  const target = net.connect(Number(req.url.slice(i + 1)), req.url.slice(0, i).replace(/^\[|\]$/g, ""), () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    target.write(head);
    target.pipe(client);
    client.pipe(target);
  });
  target.on("error", () => client.destroy());
  client.on("error", () => target.destroy());
});
const port = await listen(main, 0, "127.0.0.1");
try { await listen(http.createServer(serve), port, "::1"); } catch { /* no IPv6 loopback */ }

const cert = path.join(here, "test-cert.pem");
const secure = http2.createSecureServer({
  cert: fs.readFileSync(cert), key: fs.readFileSync(path.join(here, "test-key.pem")), allowHTTP1: true,
}, serve);
const tlsPort = await listen(secure, 0, "127.0.0.1");

// accepts, never answers; counts its open connections (GET /stall-port on the main port)
const stall = net.createServer((sock) => {
  stallOpen++;
  sock.on("error", () => {});
  sock.on("close", () => { stallOpen--; });
  sock.resume(); // reads (and drops) what comes, so the client's FIN is seen
});
const stallPort = await listen(stall, 0, "127.0.0.1");
const closer = net.createServer();
const closedPort = await listen(closer, 0, "127.0.0.1");
await new Promise((r) => closer.close(r));

const env = {
  GP_TEST_HTTP: `http://127.0.0.1:${port}`,
  GP_TEST_HTTP_ALT: `http://localhost:${port}`,
  GP_TEST_HTTPS: `https://localhost:${tlsPort}`,
  GP_TEST_CERT: cert,
  GP_TEST_STALL_PORT: String(stallPort),
  GP_TEST_CLOSED_PORT: String(closedPort),
};
const text = Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join("");
if (envFile) {
  fs.writeFileSync(envFile + ".tmp", text);
  fs.renameSync(envFile + ".tmp", envFile);
} else {
  process.stdout.write(text);
}
process.on("SIGTERM", () => process.exit(0));
