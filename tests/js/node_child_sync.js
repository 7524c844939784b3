// expect-stdout: node_child_sync: ok
// spawnSync, execFileSync, execSync: output, input, encoding, exit status and signal,
// timeout (ETIMEDOUT), maxBuffer (ENOBUFS), a missing program, and the errors
// execSync/execFileSync throw (status, stdout, stderr on them).
const cp = require("child_process");
const str = (b) => (typeof b === "string" ? b : String.fromCharCode(...b));

let r = cp.spawnSync("sh", ["-c", "echo out; echo err >&2; exit 4"]);
assert.equal(r.status, 4);
assert.equal(r.signal, null);
assert.equal(str(r.stdout), "out\n");
assert.equal(str(r.stderr), "err\n");
assert.ok(r.stdout instanceof Uint8Array, "bytes by default");
assert.equal(typeof r.pid, "number");
assert.deepEqual(r.output[0], null);

r = cp.spawnSync("cat", [], { input: "héllo", encoding: "utf8" });
assert.equal(r.stdout, "héllo");
assert.equal(r.status, 0);

r = cp.spawnSync("sh", ["-c", "kill -KILL $$"]);
assert.equal(r.status, null);
assert.equal(r.signal, "SIGKILL");

let t0 = performance.now();
r = cp.spawnSync("sleep", ["10"], { timeout: 100 });
assert.ok(performance.now() - t0 < 3000);
assert.equal(r.error.code, "ETIMEDOUT");
assert.equal(r.signal, "SIGTERM");

r = cp.spawnSync("sh", ["-c", "yes"], { maxBuffer: 100, encoding: "utf8" });
assert.equal(r.error.code, "ENOBUFS");
assert.equal(r.stdout.length, 100);

r = cp.spawnSync("no-such-program-xyz");
assert.equal(r.error.code, "ENOENT");
assert.equal(r.status, null);

assert.equal(cp.execSync("echo $((6*7))", { encoding: "utf8" }), "42\n");
assert.equal(str(cp.execFileSync("printf", ["%s", "abc"])), "abc");
assert.equal(cp.execFileSync("cat", { input: "in", encoding: "utf8" }), "in");
assert.equal(cp.execSync("pwd", { cwd: "/", encoding: "utf8" }), "/\n");
let e = assert.throws(() => cp.execSync("echo partial; echo bad >&2; exit 3", { stdio: "pipe" }));
assert.equal(e.status, 3);
assert.equal(e.message, "Command failed: echo partial; echo bad >&2; exit 3\nbad\n");
assert.equal(str(e.stdout), "partial\n");
e = assert.throws(() => cp.execFileSync("no-such-program-xyz"));
assert.equal(e.code, "ENOENT");
e = assert.throws(() => cp.execSync("sleep 10", { timeout: 50 }));
assert.equal(e.code, "ETIMEDOUT");
console.log("node_child_sync: ok");
