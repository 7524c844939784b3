// expect-stderr: createSession: unknown option 'outptu' ignored; did you mean 'output'
// expect-stdout: gp_option_keys: ok
// An unknown key in an options object of the geppetto module is logged at warn (naming
// the key, a near known key and the known ones) once per kind of call and key, and is
// otherwise ignored: the run works as without it. Every key SPEC §4 lists warns nothing
// (checked on the stderr of child `geppetto run` processes).
const gp = require("geppetto");
const cp = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

// This process: typos warn (stderr checked by the header) and change nothing.
const s = gp.createSession({ engine: gp.engines.echo({ reply: "fine" }), outptu: 1 });
assert.equal(s.run("hi", { timeotMs: 5 }).blocks.at(-1).payload.text, "fine");

// Runs `source` in a child geppetto; returns its stderr (it must exit 0 and print "done").
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-optkeys-"));
let n = 0, lastOut = "";
function childStderr(source) {
  const file = path.join(dir, "s" + ++n + ".js");
  fs.writeFileSync(file, 'const gp = require("geppetto");\n' + source +
    '\nprocess.on("exit", () => console.log("done"));\n');
  const r = cp.spawnSync(process.execPath, ["run", file], { encoding: "utf8" });
  assert.equal(r.status, 0, "child failed: " + r.stderr);
  assert.equal(r.stdout.trim().split("\n").at(-1), "done", r.stdout + r.stderr);
  lastOut = r.stdout;
  return r.stderr;
}
const warnings = (err) => err.split("\n").filter((l) => l.includes("unknown option"));

try {
  // Every SPEC-listed option of createSession, the builder and the runs: no warning.
  let err = childStderr(`
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const engine = gp.engines.echo({ reply: '{"a":"x"}', wordDelayMs: 0 });
    const tools = gp.tools.createRegistry().register({ name: "t", description: "d",
      parameters: { type: "object" }, handler: () => 1 });
    const all = { engine, middlewares: [gp.middlewares.native("systemPrompt", { prompt: "p" })],
      tools, toolLoop: { maxIterations: 3 }, toolHooks: { hookErrorPolicy: "fail-open" },
      eventSink: () => {}, output: { schema, name: "o", strict: true },
      store: gp.stores.memory({ leaseMs: 1000 }), id: "ann" };
    const s = gp.createSession(all);
    const b = gp.createBuilder(all).buildSession();
    const run = { timeoutMs: 5000, tags: { a: 1 }, output: { schema, name: "o", strict: false } };
    s.run("hi", run);
    s.runAsync("hi", run).then(() => b.start("hi", run).promise)
      .then(() => gp.runInference(engine, "hi", { timeoutMs: 5000, tags: {}, middlewares: [] }))
      .then(() => all.store.list({ limit: 5, before: Date.now() }))
      .then(() => console.log("all ran"));
  `);
  assert.deepEqual(warnings(err), [], "SPEC keys warned: " + err);
  assert.equal(err, "", "the child logged: " + err);
  assert.ok(lastOut.startsWith("all ran\n"), lastOut);

  // A typo warns once per kind and key; another kind with the same key warns again.
  err = childStderr(`
    const engine = gp.engines.echo({ wordDelay: 3 });
    const s = gp.createSession({ engine });
    for (let i = 0; i < 3; i++) s.run("hi", { timeotMs: 5 });
    s.runAsync("hi", { timeotMs: 5 }).then((t) => {
      if (t.blocks.at(-1).payload.text !== "hi") throw new Error("the run changed");
    });
  `);
  const w = warnings(err);
  assert.equal(w.length, 3, err);
  assert.ok(/engines\.echo: unknown option 'wordDelay' ignored; did you mean 'wordDelayMs'\? \(known: reply, wordDelayMs\)/.test(w[0]), w[0]);
  assert.ok(/^warn .*run: unknown option 'timeotMs' ignored; did you mean 'timeoutMs'\? \(known: timeoutMs, tags, output\)$/.test(w[1]), w[1]);
  assert.ok(/runAsync: unknown option 'timeotMs'/.test(w[2]), w[2]);

  // The other kinds: a key far from every known one has no suggestion.
  err = childStderr(`
    gp.middlewares.native("systemPrompt", { prompt: "p", promt: "x" });
    gp.middlewares.native("turnLogging", { level: "info" });
    gp.tools.createRegistry().register({ name: "t", handler: () => 1, descripton: "d" });
    gp.createBuilder({ tols: 1 });
    gp.runInference(gp.engines.echo(), "hi", { middleware: [] });
    gp.stores.memory().list({ limt: 1 });
    gp.mcp.connect({ comand: "x" }).catch(() => {});
  `);
  const all = warnings(err).join("\n");
  for (const re of [/middlewares\.native\(systemPrompt\): unknown option 'promt' ignored; did you mean 'prompt'\?/,
    /middlewares\.native\(turnLogging\): unknown option 'level' ignored \(known: none\)/,
    /registry\.register: unknown option 'descripton'.*did you mean 'description'/,
    /createBuilder: unknown option 'tols'.*did you mean 'tools'/,
    /runInference: unknown option 'middleware'.*did you mean 'middlewares'/,
    /store\.list: unknown option 'limt'.*did you mean 'limit'/,
    /mcp\.connect: unknown option 'comand'.*did you mean 'command'/])
    assert.ok(re.test(all), re + " in:\n" + all);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log("gp_option_keys: ok");
