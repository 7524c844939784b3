// process: cwd, pid, ppid, version(s), arch, hrtime (and .bigint, monotonic),
// memoryUsage, uptime, kill, ids, nextTick, and a SIGINT listener reached through kill.
assert.equal(process.cwd(), __dirname);
assert(Number.isInteger(process.pid) && process.pid > 1);
assert(Number.isInteger(process.ppid) && process.ppid > 0 && process.ppid !== process.pid);
assert(/^v\d+\.\d+\.\d+/.test(process.version), process.version);
for (const k of ["geppetto", "javascriptcore", "uv", "curl"]) {
  assert.equal(typeof process.versions[k], "string", k);
  assert(/^\d+\.\d+/.test(process.versions[k]), k + " " + process.versions[k]);
}
assert.equal(process.versions.node, undefined, "geppetto is not Node");
assert.equal(process.version, "v" + process.versions.geppetto);
assert(["x64", "arm64", "ia32", "arm", "riscv64"].includes(process.arch));
assert.equal(typeof process.getuid(), "number");
assert.equal(typeof process.getgid(), "number");

const t = process.hrtime();
assert(Array.isArray(t) && t.length === 2 && t[1] >= 0 && t[1] < 1e9);
let prev = process.hrtime.bigint();
assert.equal(typeof prev, "bigint");
for (let i = 0; i < 10000; i++) {
  const now = process.hrtime.bigint();
  assert(now >= prev, "monotonic");
  prev = now;
}
const d = process.hrtime(t);
assert(d[0] >= 0 && d[1] >= 0 && d[1] < 1e9);
assert.throws(() => process.hrtime([1]), { code: "ERR_INVALID_ARG_TYPE" });

const m = process.memoryUsage();
for (const k of ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers"])
  assert(typeof m[k] === "number" && m[k] >= 0, k);
assert(m.rss > 1 << 20, "rss " + m.rss);
assert(m.heapUsed > 0 && m.heapTotal >= m.heapUsed, `heap ${m.heapUsed}/${m.heapTotal}`);
assert(process.memoryUsage.rss() > 0);
assert(process.uptime() > 0 && process.uptime() < 60);

assert.equal(process.kill(process.pid, 0), true);
assert.throws(() => process.kill(0x7ffffff0, "SIGTERM"), { code: "ESRCH", syscall: "kill" });
assert.throws(() => process.kill(process.pid, "SIGNOPE"), { code: "ERR_UNKNOWN_SIGNAL" });
assert.throws(() => process.kill("1"), { code: "ERR_INVALID_ARG_TYPE" });

const order = [];
process.nextTick((a) => order.push(a), "tick");
order.push("sync");
process.once("SIGINT", (name) => {
  assert.deepEqual(order, ["sync", "tick"]);
  assert.equal(name, "SIGINT");
  assert.equal(process.listenerCount("SIGINT"), 0, "once");
  console.log("ok");
});
setTimeout(() => process.kill(process.pid, "SIGINT"), 10);
