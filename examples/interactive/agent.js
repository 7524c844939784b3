// An interactive agent: it reads your lines from stdin, streams its answers, and has two
// tools — one reads files, one runs shell commands — that run only after you approve
// each call (a beforeToolCall hook asks y/n on stdin). Works on a terminal and with its
// input piped in (no line is lost: an answer typed ahead waits for its question).
//
//   geppetto run --profile NAME examples/interactive/agent.js
//   examples/interactive/run.sh GEPPETTO GEPPETTO_MOCK   (offline, answers piped in)
const gp = require("geppetto");
const fs = require("node:fs/promises");
const path = require("node:path");
const { execFile } = require("node:child_process");
const readline = require("node:readline/promises");

const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
const root = process.cwd();

const tools = gp.tools.createRegistry()
  .register({
    name: "read_file", description: "Reads a text file under the current directory",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    handler: async ({ path: p }, ctx) => {
      const full = path.resolve(root, p);
      if (!full.startsWith(root + path.sep)) throw new Error(`${p} is outside ${root}`);
      return fs.readFile(full, { encoding: "utf8", signal: ctx.signal });
    },
  })
  .register({
    name: "shell", description: "Runs a shell command and returns its output",
    parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
    handler: ({ command }, ctx) => new Promise((resolve, reject) => {
      execFile("/bin/sh", ["-c", command], { signal: ctx.signal, timeout: 10000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`exit ${err.code}: ${stderr || err.message}`)) : resolve(stdout));
    }),
  });

// Every call waits for the user's y/n.
const toolHooks = {
  beforeToolCall: async ({ call }) => {
    const answer = await rl.question(`\nallow ${call.name} ${JSON.stringify(call.args)}? [y/n] `);
    return /^y(es)?$/i.test(answer.trim()) ? undefined : { action: "abort", error: "the user declined this call" };
  },
};

const session = gp.createSession({
  engine: gp.engines.fromProfile(),
  tools, toolHooks,
  middlewares: [gp.middlewares.native("systemPrompt", { prompt: "You help with files in the current directory." })],
});

(async () => {
  process.stdout.write("> ");
  for await (const line of rl) {
    if (line.trim() === "") { process.stdout.write("> "); continue; }
    const run = session.start(line);
    run.on("partial", (ev) => process.stdout.write(ev.delta));
    run.on("tool-call-execution-result", (ev) =>
      console.log(`\n[${ev.toolResult.error ? "refused: " + ev.toolResult.error : "tool ran"}]`));
    try {
      await run.promise;
    } catch (e) {
      console.log(`\n[error ${e.code}: ${e.message}]`);
    }
    process.stdout.write("\n> ");
  }
  console.log();
})();
