// expect-stdout: node_child_exec: ok
// child_process.execFile and exec: output as strings (or Buffers with encoding
// "buffer"), errors with Node's fields (code, killed, signal, cmd, stdout, stderr),
// timeout, maxBuffer overflow (ERR_CHILD_PROCESS_STDIO_MAXBUFFER), input, shell, and
// the util.promisify form.
const cp = require("child_process");
const call = (fn, ...args) => new Promise((resolve) => fn(...args, (err, stdout, stderr) => resolve({ err, stdout, stderr })));

(async () => {
  // output and a clean exit
  let r = await call(cp.execFile, "sh", ["-c", "printf 'out é'; printf err >&2"]);
  assert.equal(r.err, null);
  assert.equal(r.stdout, "out é");
  assert.equal(r.stderr, "err");
  r = await call(cp.execFile, "printf", ["%s", "ab"], { encoding: "buffer" });
  assert.ok(r.stdout instanceof Uint8Array);
  assert.deepEqual(Array.from(r.stdout), [97, 98]);

  // a failing command
  r = await call(cp.exec, "echo partial; echo bad >&2; exit 7");
  assert.equal(r.err.code, 7);
  assert.equal(r.err.killed, false);
  assert.equal(r.err.signal, null);
  assert.equal(r.err.cmd, "echo partial; echo bad >&2; exit 7");
  assert.equal(r.err.message, "Command failed: echo partial; echo bad >&2; exit 7\nbad\n");
  assert.equal(r.err.stdout, "partial\n");
  assert.equal(r.stderr, "bad\n");
  r = await call(cp.exec, "no-such-command-xyz");
  assert.equal(r.err.code, 127, "the shell's 'not found'");
  r = await call(cp.execFile, "no-such-command-xyz", ["x"]);
  assert.equal(r.err.code, "ENOENT");
  assert.equal(r.err.syscall, "spawn no-such-command-xyz");

  // timeout: killed with killSignal
  let t0 = performance.now();
  r = await call(cp.execFile, "sleep", ["10"], { timeout: 100 });
  const took = performance.now() - t0;
  assert.ok(took < 2000, `timed out after ${took} ms`);
  assert.equal(r.err.killed, true);
  assert.equal(r.err.signal, "SIGTERM");
  assert.equal(r.err.code, null);
  r = await call(cp.exec, "sleep 10", { timeout: 50, killSignal: "SIGKILL" });
  assert.equal(r.err.signal, "SIGKILL");

  // maxBuffer: the child is killed, the output truncated to the limit
  r = await call(cp.exec, "yes", { maxBuffer: 1000 });
  assert.equal(r.err.code, "ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
  assert.ok(r.err instanceof RangeError);
  assert.equal(r.err.message, "stdout maxBuffer length exceeded");
  assert.equal(r.stdout.length, 1000);
  r = await call(cp.exec, "head -c 2000000 /dev/zero");
  assert.equal(r.err.code, "ERR_CHILD_PROCESS_STDIO_MAXBUFFER", "1 MiB by default");
  r = await call(cp.exec, "head -c 2000000 /dev/zero", { maxBuffer: 4 << 20, encoding: "buffer" });
  assert.equal(r.err, null);
  assert.equal(r.stdout.length, 2000000);
  r = await call(cp.exec, "echo x >&2; yes >&2", { maxBuffer: 10 });
  assert.equal(r.err.message, "stderr maxBuffer length exceeded");

  // input, shell, cwd, env
  r = await call(cp.execFile, "wc", ["-c"], { input: "12345" });
  assert.equal(r.stdout.trim(), "5");
  r = await call(cp.execFile, "echo", ["$0"], { shell: "/bin/bash" });
  assert.equal(r.stdout, "/bin/bash\n");
  r = await call(cp.exec, "pwd; echo $V", { cwd: "/", env: { V: "v1" } });
  assert.equal(r.stdout, "/\nv1\n");
  r = await call(cp.execFile, "cat", [], { input: "x".repeat(200000) });
  assert.equal(r.stdout.length, 200000, "an input larger than a pipe's buffer");
  r = await call(cp.execFile, "true", [], { input: "x".repeat(1 << 20) });
  assert.equal(r.err, null, "a child that does not read its input");

  // the promisified form (util.promisify's custom symbol)
  const execP = cp.exec[Symbol.for("nodejs.util.promisify.custom")];
  assert.deepEqual(await execP("echo p"), { stdout: "p\n", stderr: "" });
  await assert.rejects(execP("exit 2"), { code: 2 });
  const execFileP = require("util").promisify(cp.execFile);
  const { stdout } = await execFileP("echo", ["via util"]);
  assert.equal(stdout, "via util\n");
  assert.ok(Buffer.isBuffer((await execFileP("echo", [], { encoding: "buffer" })).stdout), "Buffers");
  console.log("node_child_exec: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
