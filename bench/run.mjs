// Runs every benchmark against the peers and prints one table of figures and ratios
// (geppetto vs each peer, goal met or missed); writes everything to a JSON file.
// Called by scripts/bench.sh after the Release build and `npm ci` in bench/peers.
//
//   1. agent loop   bench/agent_loop.js vs bench/peers/agent_*.mjs on geppetto-mock
//                   (bench/fixtures/agent_3x3.json), plus cold start of each;
//   2. decoding     bench/decode (C) vs bench/peers/decode_peers.mjs on generated streams;
//   3. concurrency  bench/concurrency.js vs bench/peers/concurrency_peer.mjs (best peer);
//   4. owner hop    bench/owner_hop's table.
//
// Usage: node bench/run.mjs --build DIR [--out FILE] [--quick] [--only agent,decode,concurrency,owner]
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const PEERS = path.join(BENCH, "peers");
const PEER_SCRIPTS = { "ai-sdk": "agent_ai_sdk.mjs", "openai-agents": "agent_openai_agents.mjs",
                       langchain: "agent_langchain.mjs" };
const PEER_PACKAGES = { "ai-sdk": ["ai", "@ai-sdk/openai"], "openai-agents": ["@openai/agents", "openai"],
  langchain: ["@langchain/openai", "@langchain/core"], "eventsource-parser": ["eventsource-parser"],
  "openai-sdk": ["openai"], "anthropic-sdk": ["@anthropic-ai/sdk"] };
const GEPPETTO_DECODERS = ["geppetto", "geppetto+events", "geppetto 1-piece", "geppetto+events 1-piece",
                           "sse+jansson", "sse+jscan", "sse"];
// The rows whose ns/byte must stay flat across sizes (the linearity goal).
const LINEAR_DECODERS = ["geppetto", "geppetto+events", "geppetto 1-piece", "geppetto+events 1-piece"];
const GOALS = { cpu: 10, rss: 5, cold: 10, decode: 5, ownerP99Us: 1000 };

// ---- options -------------------------------------------------------------------------
const opts = { build: path.join(ROOT, "build-bench"), out: path.join(BENCH, "results.json"),
               quick: false, only: new Set(["agent", "decode", "concurrency", "owner"]) };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--build") opts.build = path.resolve(process.argv[++i]);
  else if (a === "--out") opts.out = path.resolve(process.argv[++i]);
  else if (a === "--quick") opts.quick = true;
  else if (a === "--only") opts.only = new Set(process.argv[++i].split(","));
  else { console.error("usage: run.mjs --build DIR [--out FILE] [--quick] [--only agent,decode,concurrency,owner]"); process.exit(2); }
}
const REPS = opts.quick ? 10 : 100;
const COLD_RUNS = opts.quick ? 2 : 5;
const SIZES_MB = opts.quick ? ["0.2", "2"] : ["0.2", "2", "20"];
const CONC = opts.quick ? [10, 100] : [10, 100, 1000];

const BIN = {
  geppetto: path.join(opts.build, "geppetto"),
  mock: path.join(opts.build, "geppetto-mock"),
  decode: path.join(opts.build, "bench", "decode"),
  ownerHop: path.join(opts.build, "bench", "owner_hop"),
  agentC: path.join(opts.build, "bench", "agent_loop_c"),
};

// ---- processes ---------------------------------------------------------------------------
function run(cmd, args, { timeoutMs = 600000, cwd = ROOT, echo = false } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d) => { out += d; if (echo) process.stdout.write(d); });
    p.stderr.on("data", (d) => { err += d; });
    const timer = setTimeout(() => { err += `\n(killed after ${timeoutMs} ms)`; p.kill("SIGKILL"); }, timeoutMs);
    p.on("close", (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, spawnMs: t0 }); });
    p.on("error", (e) => { clearTimeout(timer); resolve({ code: -1, out, err: String(e), spawnMs: t0 }); });
  });
}
function jsonLines(text) {
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => { try { return JSON.parse(l); } catch { return null; } })
    .filter(Boolean);
}
async function runJson(label, cmd, args, o) {
  const r = await run(cmd, args, o);
  const lines = jsonLines(r.out);
  if (r.code !== 0 || lines.length === 0) {
    const why = (r.err || r.out).trim().split("\n").slice(-6).join("\n  ");
    console.error(`bench: ${label} failed (exit ${r.code}${r.signal ? ", " + r.signal : ""}):\n  ${why}`);
    return null;
  }
  return lines;
}

// geppetto-mock with the fixtures; resolves {url, stop()} once it prints its address.
function startMock(fixtures) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN.mock, ["--port", "0", ...fixtures], { stdio: ["ignore", "pipe", "inherit"] });
    // The load generator runs at the lowest priority: on 2 cores its own work (at 1000 paced
    // streams, more CPU than the client's) must not take the core the measured system needs.
    // Every system meets the same mock.
    try { os.setPriority(p.pid, 19); } catch { /* not permitted: run at normal priority */ }
    let buf = "";
    const timer = setTimeout(() => { p.kill(); reject(new Error("geppetto-mock did not start in 10 s")); }, 10000);
    p.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        p.stdout.removeAllListeners("data");
        p.stdout.resume();
        resolve({ url: m[1], stop: () => new Promise((r) => { p.on("close", r); p.kill("SIGTERM"); }) });
      }
    });
    p.on("error", (e) => { clearTimeout(timer); reject(e); });
    p.on("exit", (code) => { clearTimeout(timer); reject(new Error("geppetto-mock exited with " + code)); });
  });
}
const mockReset = (m) => fetch(m.url + "/_mock/reset", { method: "POST" }).then((r) => r.text());
const mockRequests = (m) => fetch(m.url + "/_mock/requests").then((r) => r.json());

// ---- helpers -------------------------------------------------------------------------------
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : null; };
const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "—" : Number(x).toFixed(d));
const ratio = (peer, mine) => (peer && mine ? peer / mine : null);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const goalMark = (r, goal) => (r === null ? "n/a" : r >= goal ? "met" : "MISSED");
function pkgVersion(name) {
  try { return JSON.parse(fs.readFileSync(path.join(PEERS, "node_modules", name, "package.json"), "utf8")).version; }
  catch { return null; }
}
function versionsOf(system) {
  if (system.startsWith("geppetto")) return { geppetto: gitCommit() };
  return Object.fromEntries((PEER_PACKAGES[system] || []).map((p) => [p, pkgVersion(p)]));
}
function gitCommit() {
  try {
    const head = fs.readFileSync(path.join(ROOT, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = path.join(ROOT, ".git", head.slice(5));
    if (fs.existsSync(ref)) return fs.readFileSync(ref, "utf8").trim().slice(0, 12);
    const packed = fs.readFileSync(path.join(ROOT, ".git", "packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(" " + head.slice(5)));
    return line ? line.slice(0, 12) : null;
  } catch { return null; }
}
function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0] && cpus[0].model, cores: cpus.length, mem_gb: +(os.totalmem() / 2 ** 30).toFixed(1),
           kernel: os.release(), os: osName(), node: process.version, loadavg_at_start: os.loadavg().map((x) => +x.toFixed(2)),
           date: new Date().toISOString(), commit: gitCommit() };
}
function osName() {
  try { return (fs.readFileSync("/etc/os-release", "utf8").match(/PRETTY_NAME="([^"]+)"/) || [])[1] || os.type(); }
  catch { return os.type(); }
}
function agentCmd(system, url, extra) {
  if (system === "geppetto") return [BIN.geppetto, ["run", path.join(BENCH, "agent_loop.js"), url, ...extra]];
  if (system === "geppetto-c") return [BIN.agentC, [url, ...extra]];
  return [process.execPath, [path.join(PEERS, PEER_SCRIPTS[system]), url, ...extra]];
}

// ---- 1. agent loop ------------------------------------------------------------------------
async function agentLoop(results) {
  const mock = await startMock([path.join(BENCH, "fixtures", "agent_3x3.json")]);
  const url = mock.url + "/v1";
  // geppetto-c: the same task from a C host (the library without JavaScript), for reference.
  const systems = ["geppetto", "geppetto-c", ...Object.keys(PEER_SCRIPTS)];
  const rows = {};
  try {
    for (const s of systems) {
      process.stderr.write(`bench: agent loop, ${s} (${REPS} tasks)\n`);
      await mockReset(mock);
      const [cmd, args] = agentCmd(s, url, ["--reps", String(REPS)]);
      const lines = await runJson(`agent loop ${s}`, cmd, args);
      rows[s] = lines ? { ...lines[lines.length - 1], versions: versionsOf(s) } : { system: s, ok: false, versions: versionsOf(s) };
      // Cold start: process start to the mock's first request, one task per process.
      const colds = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        await mockReset(mock);
        const [c, a] = agentCmd(s, url, ["--reps", "1", "--warmup", "0"]);
        const r = await run(c, a, { timeoutMs: 120000 });
        const reqs = r.code === 0 ? await mockRequests(mock) : [];
        if (reqs.length > 0) colds.push(Math.min(...reqs.map((q) => q.started_ms)) - r.spawnMs);
      }
      rows[s].cold_start_ms = colds.length === COLD_RUNS ? median(colds) : null;
      rows[s].cold_start_runs_ms = colds;
    }
  } finally {
    await mock.stop();
  }
  const peers = Object.keys(PEER_SCRIPTS).map((p) => rows[p]).filter((r) => r && r.ok);
  const g = rows.geppetto;
  const best = (key) => peers.reduce((b, r) => (r[key] !== null && (b === null || r[key] < b[key]) ? r : b), null);
  const bests = { cpu: best("cpu_per_step_us"), rss: best("max_rss_kb"), cold: best("cold_start_ms"), wall: best("wall_per_step_us") };
  const goals = g && g.ok ? [
    { goal: `CPU per agent step ≥ ${GOALS.cpu}× less than the best peer`, best_peer: bests.cpu && bests.cpu.system,
      ratio: ratio(bests.cpu && bests.cpu.cpu_per_step_us, g.cpu_per_step_us), target: GOALS.cpu },
    { goal: `peak RSS ≥ ${GOALS.rss}× less than the best peer`, best_peer: bests.rss && bests.rss.system,
      ratio: ratio(bests.rss && bests.rss.max_rss_kb, g.max_rss_kb), target: GOALS.rss },
    { goal: `cold start ≥ ${GOALS.cold}× faster than the best peer`, best_peer: bests.cold && bests.cold.system,
      ratio: ratio(bests.cold && bests.cold.cold_start_ms, g.cold_start_ms), target: GOALS.cold },
  ].map((x) => ({ ...x, met: x.ratio !== null && x.ratio >= x.target })) : [];
  results.agent_loop = { reps: REPS, cold_runs: COLD_RUNS, systems: rows, best_peer_cpu: bests.cpu && bests.cpu.system, goals };
}

function printAgent(a) {
  const out = [];
  out.push(`1. Agent loop — ${a.reps} tasks in one process; a task = 4 steps (3 steps of 3 parallel tool calls, then the`);
  out.push(`   final answer), 200 streamed tokens per step, geppetto-mock on loopback with no delays. Per step = per model request.`);
  out.push(`   ${pad("system", 15)}${lpad("CPU/step", 11)}${lpad("wall/step", 11)}${lpad("peak RSS", 11)}${lpad("cold start", 12)}   ok`);
  for (const [s, r] of Object.entries(a.systems)) {
    out.push(`   ${pad(s, 15)}${lpad(fmt(r.cpu_per_step_us / 1000, 3) + " ms", 11)}${lpad(fmt(r.wall_per_step_us / 1000, 3) + " ms", 11)}` +
      `${lpad(fmt(r.max_rss_kb / 1024, 1) + " MB", 11)}${lpad(fmt(r.cold_start_ms, 0) + " ms", 12)}   ${r.ok ? "yes" : "NO" + (r.error ? " (" + r.error + ")" : "")}`);
  }
  const g = a.systems.geppetto;
  out.push(`   ${pad("peer ÷ geppetto", 15)}${lpad("CPU", 11)}${lpad("wall", 11)}${lpad("RSS", 11)}${lpad("cold", 12)}`);
  for (const [s, r] of Object.entries(a.systems)) {
    if (s.startsWith("geppetto")) continue;
    out.push(`   ${pad(s, 15)}${lpad(fmt(ratio(r.cpu_per_step_us, g.cpu_per_step_us), 1) + "×", 11)}` +
      `${lpad(fmt(ratio(r.wall_per_step_us, g.wall_per_step_us), 1) + "×", 11)}${lpad(fmt(ratio(r.max_rss_kb, g.max_rss_kb), 1) + "×", 11)}` +
      `${lpad(fmt(ratio(r.cold_start_ms, g.cold_start_ms), 1) + "×", 12)}`);
  }
  return out;
}

// ---- 2. decoding -----------------------------------------------------------------------------
async function decoding(results) {
  const dir = path.join(opts.build, "bench-streams");
  const gen = await run(process.execPath, [path.join(BENCH, "gen_streams.mjs"), dir, ...SIZES_MB]);
  if (gen.code !== 0) throw new Error("gen_streams failed: " + gen.err);
  const files = SIZES_MB.flatMap((mb) => ["openai", "anthropic"].map((p) => path.join(dir, `${p}_${mb}.sse`)));
  process.stderr.write(`bench: decoding, geppetto (${files.length} files)\n`);
  const mine = [];
  for (const mode of ["geppetto", "sse+jansson", "sse+jscan", "sse", "geppetto+events"]) {
    mine.push(...((await runJson(`decode --mode ${mode}`, BIN.decode, ["--mode", mode, ...files])) || []));
  }
  // The engines' path again with each file in one piece (one read holding every event):
  // costs that grow with what one read buffers would show here.
  for (const mode of ["geppetto", "geppetto+events"]) {
    const rs = (await runJson(`decode --whole --mode ${mode}`, BIN.decode, ["--whole", "--mode", mode, ...files])) || [];
    for (const r of rs) r.decoder += " 1-piece";
    mine.push(...rs);
  }
  process.stderr.write(`bench: decoding, peers\n`);
  const theirs = (await runJson("decode_peers", process.execPath, [path.join(PEERS, "decode_peers.mjs"), ...files])) || [];
  const rows = [...mine, ...theirs];
  for (const r of rows) {
    const exp = JSON.parse(fs.readFileSync(path.join(dir, r.file + ".expect.json"), "utf8"));
    r.mb = Number(r.file.match(/_([\d.]+)\.sse$/)[1]);
    // The SSE decoder alone accumulates nothing: its check is the data bytes it saw.
    r.correct = r.decoder === "sse" ? null : r.check.text_bytes === exp.text_bytes &&
      r.check.tool_calls === exp.tool_calls && r.check.args_bytes === exp.args_bytes && !r.check.bad;
    r.ns_per_byte = (r.median_ms * 1e6) / r.bytes;
  }
  // Linearity: time per byte at each size relative to the 2 MB one.
  const linear = {};
  for (const r of rows) {
    const key = `${r.decoder}/${r.protocol}`;
    (linear[key] = linear[key] || {})[r.mb] = r.ns_per_byte;
  }
  const at = (dec, proto, mb) => rows.find((r) => r.decoder === dec && r.protocol === proto && r.mb === mb);
  const goals = [];
  for (const proto of ["openai", "anthropic"]) {
    const g = at("geppetto", proto, 2);
    for (const peer of ["eventsource-parser", proto === "openai" ? "openai-sdk" : "anthropic-sdk"]) {
      const p = at(peer, proto, 2);
      const rr = g && p ? g.mb_per_s / p.mb_per_s : null;
      goals.push({ goal: `decoding ≥ ${GOALS.decode}× faster (${proto}, 2 MB) than ${peer}`, ratio: rr,
                   target: GOALS.decode, met: rr !== null && rr >= GOALS.decode });
    }
  }
  // Linear time: ns per byte of geppetto's decoder + accumulator at each size, largest
  // over smallest (1.00: exactly linear), per protocol.
  const spread = (key) => {
    const v = Object.values(linear[key] || {});
    return v.length ? Math.max(...v) / Math.min(...v) : null;
  };
  // The engines' path with and without events, in 16 KiB pieces and in one piece: the
  // worst row of each protocol.
  const worst = (proto) => Math.max(...LINEAR_DECODERS.map((d) => spread(`${d}/${proto}`) || 0));
  const linearity = { openai: worst("openai"), anthropic: worst("anthropic") };
  const byRow = {};
  for (const d of LINEAR_DECODERS) for (const proto of ["openai", "anthropic"]) byRow[`${d}/${proto}`] = spread(`${d}/${proto}`);
  goals.push({ goal: `decoding time linear from ${SIZES_MB[0]} to ${SIZES_MB[SIZES_MB.length - 1]} MB, events ` +
               `included, in 16 KiB pieces and in one piece (ns/byte spread ≤ 1.5×)`,
               ratio: Math.max(linearity.openai, linearity.anthropic),
               target: 1.5, met: Math.max(linearity.openai, linearity.anthropic) <= 1.5, lower_is_better: true });
  linearity.rows = byRow;
  results.decode = { sizes_mb: SIZES_MB.map(Number), rows, ns_per_byte: linear, goals, linearity };
}

function printDecode(d) {
  const out = [];
  out.push(`2. Stream decoding — SSE bytes in 16 KiB pieces (1-piece: the whole file in one) → events → JSON →`);
  out.push(`   accumulated text and tool calls.`);
  out.push(`   MB/s (10^6 B/s, median); ns per byte at each size (flat = linear).`);
  const decs = [...new Set(d.rows.map((r) => `${r.protocol}|${r.decoder}`))];
  out.push(`   ${pad("protocol", 10)}${pad("decoder", 24)}${lpad("MB/s @2MB", 11)}${lpad("ratio", 8)}   ${d.sizes_mb.map((s) => lpad(`ns/B@${s}`, 10)).join("")}  ok`);
  for (const k of decs.sort()) {
    const [proto, dec] = k.split("|");
    const rs = d.rows.filter((r) => r.protocol === proto && r.decoder === dec);
    const r2 = rs.find((r) => r.mb === 2);
    const g2 = d.rows.find((r) => r.protocol === proto && r.decoder === "geppetto" && r.mb === 2);
    const peer = !GEPPETTO_DECODERS.includes(dec);
    const rr = peer ? fmt(ratio(g2 && g2.mb_per_s, r2 && r2.mb_per_s), 2) + "×" : "";
    out.push(`   ${pad(proto, 10)}${pad(dec, 24)}${lpad(fmt(r2 && r2.mb_per_s, 1), 11)}${lpad(rr, 8)}   ` +
      d.sizes_mb.map((s) => lpad(fmt((rs.find((r) => r.mb === s) || {}).ns_per_byte, 1), 10)).join("") +
      `  ${rs.every((r) => r.correct === null) ? "n/a" : rs.every((r) => r.correct) ? "yes" : "NO"}`);
  }
  out.push(`   ratio = geppetto MB/s ÷ peer MB/s. geppetto = the engines' decoder + accumulator (src/engines, no`);
  out.push(`   events); +events = the same publishing partial/tool-call events to a sink; 1-piece = each file fed in`);
  out.push(`   one piece (one read holding every event); sse+jansson = gp_sse +`);
  out.push(`   jansson + a minimal accumulator (the eventsource-parser row's work); sse+jscan = the same reading`);
  out.push(`   chunks in place with src/engines/jscan.c alone; sse = the SSE decoder alone.`);
  out.push(`   ns/B spread across sizes, worst of geppetto, +events, 1-piece: openai ${fmt(d.linearity.openai, 2)}×, ` +
           `anthropic ${fmt(d.linearity.anthropic, 2)}× (1.00 = exactly linear).`);
  return out;
}

// ---- 3. concurrency -----------------------------------------------------------------------------
// Two loads: "burst" (bench-stream: the mock sends as fast as it can) and "paced"
// (bench-stream-paced: 10 ms between events, 100 tokens/s per stream, an LLM's pace).
const LOADS = [["burst", "bench-stream"], ["paced", "bench-stream-paced"]];

async function concurrency(results) {
  const peer = (results.agent_loop && results.agent_loop.best_peer_cpu) || "langchain";
  const mock = await startMock([path.join(BENCH, "fixtures", "stream_200.json")]);
  const url = mock.url + "/v1";
  const rows = [];
  try {
    for (const [load, model] of LOADS) {
      for (const n of CONC) {
        process.stderr.write(`bench: concurrency ${n} (${load}), geppetto and ${peer}\n`);
        await mockReset(mock);
        const g = await runJson(`concurrency geppetto ${n} ${load}`, BIN.geppetto,
                                ["run", path.join(BENCH, "concurrency.js"), url, String(n), model]);
        rows.push({ load, ...(g ? g[g.length - 1] : { system: "geppetto", runs: n, ok: false }) });
        await mockReset(mock);
        const p = await runJson(`concurrency ${peer} ${n} ${load}`, process.execPath,
                                [path.join(PEERS, "concurrency_peer.mjs"), peer, url, String(n), model]);
        rows.push({ load, ...(p ? p[p.length - 1] : { system: peer, runs: n, ok: false }) });
      }
    }
  } finally {
    await mock.stop();
  }
  const nmax = Math.max(...CONC);
  const goals = LOADS.map(([load]) => {
    const g = rows.find((r) => r.system === "geppetto" && r.runs === nmax && r.load === load);
    const p99 = g && g.owner ? g.owner.enqueue_to_start_us.p99 : null;
    return { goal: `${nmax} concurrent runs (${load}) on ${os.cpus().length} cores with owner enqueue→start p99 ≤ 1 ms`,
             value_us: p99, met: !!(g && g.ok && p99 !== null && p99 <= GOALS.ownerP99Us) };
  });
  results.concurrency = { peer, rows, goals };
}

function printConcurrency(c) {
  const out = [];
  out.push(`3. Concurrency — N streaming runs at once in one process, 200 tokens each to a JS listener; best peer: ${c.peer}.`);
  out.push(`   burst: the mock streams as fast as it can; paced: 10 ms between tokens (100 tokens/s per stream).`);
  out.push(`   owner p99: enqueue→start of the owner's requests; event lag: publish → JS listener of the partial events (ms).`);
  out.push(`   ${pad("load", 7)}${pad("runs", 6)}${pad("system", 15)}${lpad("wall", 10)}${lpad("CPU", 10)}${lpad("peak RSS", 11)}${lpad("owner p99", 13)}${lpad("lag p50/p99", 14)}  ok`);
  for (const r of c.rows) {
    const p99 = r.owner ? fmt(r.owner.enqueue_to_start_us.p99 / 1000, 2) + " ms" : "";
    const lag = r.event_lag_ms ? `${r.event_lag_ms.p50}/${r.event_lag_ms.p99} ms` : "";
    out.push(`   ${pad(r.load, 7)}${pad(r.runs, 6)}${pad(r.system, 15)}${lpad(fmt(r.wall_ms, 0) + " ms", 10)}${lpad(fmt(r.cpu_ms, 0) + " ms", 10)}` +
      `${lpad(fmt(r.max_rss_kb / 1024, 1) + " MB", 11)}${lpad(p99, 13)}${lpad(lag, 14)}  ${r.ok ? "yes" : "NO"}`);
  }
  out.push(`   ${pad("", 13)}${pad("peer ÷ geppetto", 15)}${lpad("wall", 10)}${lpad("CPU", 10)}${lpad("RSS", 11)}`);
  for (const [load] of LOADS) {
    for (const n of [...new Set(c.rows.map((r) => r.runs))]) {
      const g = c.rows.find((r) => r.load === load && r.runs === n && r.system === "geppetto");
      const p = c.rows.find((r) => r.load === load && r.runs === n && r.system !== "geppetto");
      if (!g || !p) continue;
      out.push(`   ${pad(load, 7)}${pad(n, 6)}${pad(c.peer, 15)}${lpad(fmt(ratio(p.wall_ms, g.wall_ms), 1) + "×", 10)}` +
        `${lpad(fmt(ratio(p.cpu_ms, g.cpu_ms), 1) + "×", 10)}${lpad(fmt(ratio(p.max_rss_kb, g.max_rss_kb), 1) + "×", 11)}`);
    }
  }
  return out;
}

// ---- 4. owner hop ---------------------------------------------------------------------------------
async function ownerHop(results) {
  process.stderr.write(`bench: owner hop\n`);
  const r = await run(BIN.ownerHop, []);
  results.owner_hop = { ok: r.code === 0, table: r.out.split("\n").filter((l) => l && !l.startsWith("{")),
                        rows: jsonLines(r.out) };
}

// ---- main -------------------------------------------------------------------------------------------
const results = { machine: machine(), quick: opts.quick };
const lines = [];
try {
  for (const [name, bin] of Object.entries(BIN)) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing (${name}); build it first (scripts/bench.sh does)`);
  }
  if (opts.only.has("agent")) { await agentLoop(results); lines.push(...printAgent(results.agent_loop), ""); }
  if (opts.only.has("decode")) { await decoding(results); lines.push(...printDecode(results.decode), ""); }
  if (opts.only.has("concurrency")) { await concurrency(results); lines.push(...printConcurrency(results.concurrency), ""); }
  if (opts.only.has("owner")) { await ownerHop(results); lines.push("4. Owner hop (bench/owner_hop)", ...results.owner_hop.table.map((l) => "   " + l), ""); }
} finally {
  const goals = [...((results.agent_loop || {}).goals || []), ...((results.decode || {}).goals || []),
                 ...((results.concurrency || {}).goals || [])];
  results.goals = goals;
  lines.push("Goals");
  for (const g of goals) {
    const v = g.ratio !== undefined ? fmt(g.ratio, 2) + "×" + (g.lower_is_better ? "" : "") : fmt(g.value_us, 0) + " µs";
    lines.push(`   ${g.met ? "met   " : "MISSED"}  ${g.goal}${g.best_peer ? " (" + g.best_peer + ")" : ""}: ${v}`);
  }
  const m = results.machine;
  lines.push("", `Machine: ${m.cpu}, ${m.cores} cores, ${m.mem_gb} GB, ${m.os}, Linux ${m.kernel}, Node ${m.node}; ` +
    `load at start ${m.loadavg_at_start.join(" ")}; commit ${m.commit}`);
  results.machine.loadavg_at_end = os.loadavg().map((x) => +x.toFixed(2));
  fs.writeFileSync(opts.out, JSON.stringify(results, null, 1) + "\n");
  const rel = path.relative(process.cwd(), opts.out);
  lines.push(`Results: ${rel && !rel.startsWith("..") ? rel : opts.out}`);
  process.stdout.write(lines.join("\n") + "\n");
}
