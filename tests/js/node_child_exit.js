// expect-stdout: node_child_exit: ok
// No child outlives the script: one left running is killed when the script calls
// process.exit(), when it dies of an uncaught error or of SIGTERM, and when it ends
// normally with the child unref'd (then it is also reaped).
const cp = require("child_process");
const fixture = __dirname + "/fixtures/child_left_running.js";
// "gone", "zombie" (killed, waiting for its new parent to reap it) or "running"
function state(pid) {
  const r = cp.spawnSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8" });
  if (r.status !== 0) return "gone";
  return r.stdout.slice(r.stdout.lastIndexOf(")") + 2)[0] === "Z" ? "zombie" : "running";
}

const statusOf = { exit: 0, throw: 1, unref: 0, sigterm: 143 };
for (const how of ["exit", "throw", "unref", "sigterm"]) {
  const t0 = performance.now();
  const r = cp.spawnSync(process.argv[0], ["run", fixture, how], { encoding: "utf8", timeout: 20000 });
  const ms = performance.now() - t0;
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0, `${how}: printed ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`);
  if (how === "sigterm") assert.ok(r.status === 143 || r.signal === "SIGTERM", `sigterm: ${r.status} ${r.signal}`);
  else assert.equal(r.status, statusOf[how], `${how}: status ${r.status}`);
  assert.ok(ms < 10000, `${how}: the script did not wait for its child (${ms} ms)`);
  // SIGKILL is sent before the script's process ends; the kernel may take a moment
  let s = state(pid);
  for (let i = 0; i < 50 && s === "running"; i++) {
    cp.spawnSync("sleep", ["0.02"]);
    s = state(pid);
  }
  assert.ok(how === "unref" ? s === "gone" : s !== "running", `${how}: the child is ${s}`);
  console.log(`${how}: the child is ${s}`);
}
console.log("node_child_exit: ok");
