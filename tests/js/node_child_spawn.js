// expect-stdout: node_child_spawn: ok
// child_process.spawn: stdout/stderr captured in order, chunks as bytes or (setEncoding)
// strings with multi-byte characters split across chunks made whole, stdin written and
// ended, async iteration, exit codes and signals, the spawn/exit/close events, and a
// missing program reported as an 'error' event (ENOENT), not thrown.
const { spawn } = require("child_process");
const { once } = require("events");

function run(cmd, args, opts) {
  const c = spawn(cmd, args, opts);
  const got = { out: [], err: [], events: [] };
  if (c.stdout) c.stdout.on("data", (d) => got.out.push(d));
  if (c.stderr) c.stderr.on("data", (d) => got.err.push(d));
  c.on("spawn", () => got.events.push("spawn"));
  c.on("exit", (code, sig) => got.events.push(["exit", code, sig]));
  got.closed = new Promise((resolve) => c.on("close", (code, sig) => { got.events.push(["close", code, sig]); resolve(); }));
  got.child = c;
  return got;
}
const text = (chunks) => chunks.map((c) => (typeof c === "string" ? c : String.fromCharCode(...c))).join("");

(async () => {
  // 1. output, stderr, exit code, event order
  let r = run("sh", ["-c", "echo hello; echo oops >&2; exit 3"]);
  assert.equal(typeof r.child.pid, "number");
  await r.closed;
  assert.equal(text(r.out), "hello\n");
  assert.equal(text(r.err), "oops\n");
  assert.ok(r.out[0] instanceof Uint8Array, "chunks are bytes");
  assert.deepEqual(r.events, ["spawn", ["exit", 3, null], ["close", 3, null]]);
  assert.equal(r.child.exitCode, 3);
  assert.equal(r.child.signalCode, null);

  // 2. UTF-8 split across chunks: "é" (c3 a9) and "😀" (f0 9f 98 80) cut in the middle
  const c2 = spawn("sh", ["-c", "printf 'a\\303'; sleep 0.05; printf '\\251b\\360\\237'; sleep 0.05; printf '\\230\\200!'"]);
  c2.stdout.setEncoding("utf8");
  const parts = [];
  c2.stdout.on("data", (s) => { assert.equal(typeof s, "string"); parts.push(s); });
  await once(c2, "close");
  assert.equal(parts.join(""), "aéb😀!");
  assert.ok(parts.length >= 2, `arrived in ${parts.length} chunks`);
  assert.ok(!parts.join("").includes("\ufffd"), "no replacement character");

  // 3. stdin: write with a callback, end; the child echoes it back
  const c3 = spawn("cat");
  let wrote = false;
  c3.stdin.write("line 1\n", () => (wrote = true));
  c3.stdin.write(new Uint8Array([0x78, 0x0a]));
  c3.stdin.end("done é\n");
  c3.stdout.setEncoding("utf8");
  let echoed = "";
  for await (const chunk of c3.stdout) echoed += chunk;
  assert.equal(echoed, "line 1\nx\ndone é\n");
  assert.ok(wrote, "the write's callback ran");
  await once(c3, "close");
  assert.equal(c3.exitCode, 0);

  // 4. killed by a signal: the shell kills itself, and kill() from here
  r = run("sh", ["-c", "kill -TERM $$"]);
  await r.closed;
  assert.deepEqual(r.events.slice(1), [["exit", null, "SIGTERM"], ["close", null, "SIGTERM"]]);
  const c4 = spawn("sleep", ["30"]);
  await once(c4, "spawn");
  assert.equal(c4.kill(), true);
  assert.equal(c4.killed, true);
  const [code4, sig4] = await once(c4, "exit");
  assert.equal(code4, null);
  assert.equal(sig4, "SIGTERM");
  assert.equal(c4.kill("SIGKILL"), false, "an exited child cannot be signalled");
  const c5 = spawn("sleep", ["30"]);
  c5.kill("SIGKILL");
  assert.deepEqual(await once(c5, "close"), [null, "SIGKILL"]);
  assert.throws(() => c5.kill("SIGNOPE"), { code: "ERR_UNKNOWN_SIGNAL" });

  // 5. a missing program: 'error' (ENOENT) then 'close', nothing thrown
  const c6 = spawn("no-such-program-xyz", ["a"]);
  assert.equal(c6.pid, undefined);
  const [e] = await once(c6, "error");
  assert.equal(e.code, "ENOENT");
  assert.equal(e.errno, -2);
  assert.equal(e.syscall, "spawn no-such-program-xyz");
  assert.equal(e.path, "no-such-program-xyz");
  assert.deepEqual(e.spawnargs, ["a"]);
  assert.equal(e.message, "spawn no-such-program-xyz ENOENT");
  await once(c6, "close");

  // 6. options: cwd, env, shell, stdio "ignore"/"inherit"
  r = run("pwd", [], { cwd: "/tmp" });
  await r.closed;
  assert.equal(text(r.out), "/tmp\n");
  r = run("sh", ["-c", "echo $GP_X-$HOME"], { env: { GP_X: "yes" } });
  await r.closed;
  assert.equal(text(r.out), "yes-\n", "only the given environment");
  process.env.GP_CHILD_T = "inherited";
  r = run("echo $GP_CHILD_T", [], { shell: true });
  await r.closed;
  assert.equal(text(r.out), "inherited\n", "process.env by default, through the shell");
  const c7 = spawn("echo", ["x"], { stdio: "ignore" });
  assert.equal(c7.stdout, null);
  assert.equal(c7.stdin, null);
  await once(c7, "close");
  const c8 = spawn("true", [], { stdio: ["ignore", "inherit", "pipe"] });
  assert.equal(c8.stdout, null);
  assert.ok(c8.stderr);
  assert.deepEqual(await once(c8, "close"), [0, null]);

  // 7. output nobody reads does not hold the child's close
  const c9 = spawn("sh", ["-c", "echo unread; echo unread >&2"]);
  assert.deepEqual(await once(c9, "close"), [0, null]);

  console.log("node_child_spawn: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
