// expect-stdout: node_child_many: ok
// 100 children at once, each output correct; afterwards no descriptor of ours is left
// open (/proc/PID/fd counted before and after) and no child is left a zombie.
const cp = require("child_process");
const run = (cmd) => new Promise((resolve, reject) =>
  cp.exec(cmd, (err, stdout) => (err ? reject(err) : resolve(stdout))));
// Our descriptors, counted by a child (which holds 3 of ours itself, each time alike).
// The child may list them before our uv_spawn has closed its ends of the new child's
// pipes (a loaded machine): it waits a little first, and the least of 3 counts is kept.
const countOnce = async () => Number((await run(`sleep 0.05; ls /proc/${process.pid}/fd | wc -l`)).trim());
const countFds = async () => Math.min(await countOnce(), await countOnce(), await countOnce());
const zombies = async () => (await run(`ps -o stat= --ppid ${process.pid} || true`))
  .split("\n").filter((s) => s.startsWith("Z")).length;

(async () => {
  await countFds(); // the first child sets up what stays (libuv's SIGCHLD pipe)
  const before = await countFds();
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const all = [];
    for (let i = 0; i < 100; i++) {
      all.push(new Promise((resolve, reject) => {
        const c = cp.spawn("echo", [String(i)]);
        let out = "";
        c.stdout.setEncoding("utf8").on("data", (s) => (out += s));
        c.on("error", reject);
        c.on("close", (code) => resolve([code, out]));
      }));
    }
    const res = await Promise.all(all);
    res.forEach(([code, out], i) => {
      assert.equal(code, 0);
      assert.equal(out, `${i}\n`);
    });
    console.log(`100 concurrent children: ${(performance.now() - t0).toFixed(0)} ms`);
  }
  // execFile with stdin never used, and children killed mid-way
  const killed = [];
  for (let i = 0; i < 20; i++) {
    const c = cp.spawn("sleep", ["30"]);
    killed.push(new Promise((resolve) => c.on("close", resolve)));
    setTimeout(() => c.kill(), 5);
  }
  await Promise.all(killed);
  const after = await countFds();
  // (other parts of the process, sanitizers' runtimes among them, may close some of
  // theirs meanwhile: fewer is fine, more is a leak)
  assert.ok(after <= before, `descriptors: ${before} before, ${after} after`);
  assert.equal(await zombies(), 0, "no zombie child");
  console.log(`descriptors ${before} before, ${after} after`);
  console.log("node_child_many: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
