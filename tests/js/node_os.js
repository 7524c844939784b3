// require("os") (SPEC §3.2): the machine, the user and the paths, with the shapes Node
// gives them; tmpdir follows TMPDIR as process.env has it, without a trailing slash.
// env: TMPDIR=/tmp/gp-os-test/
const os = require("os");
assert.equal(require("node:os"), os);

assert.equal(os.EOL, "\n");
assert.equal(os.devNull, "/dev/null");
assert.equal(os.platform(), "linux");
assert.equal(os.platform(), process.platform);
assert.ok(["x64", "arm64", "ia32", "arm", "riscv64", "ppc64", "s390x", "loong64"].includes(os.arch()), os.arch());
assert.equal(os.type(), "Linux");
assert.ok(/^\d+\.\d+/.test(os.release()), os.release());
assert.equal(typeof os.version(), "string");
assert.ok(os.machine().length > 0);
assert.ok(["LE", "BE"].includes(os.endianness()));

// tmpdir: TMPDIR (this test sets it with a trailing slash), then TMP, TEMP, /tmp
assert.equal(os.tmpdir(), "/tmp/gp-os-test");
process.env.TMPDIR = "/";
assert.equal(os.tmpdir(), "/");
delete process.env.TMPDIR;
process.env.TMP = "/var/tmp/";
assert.equal(os.tmpdir(), "/var/tmp");
delete process.env.TMP;
assert.equal(os.tmpdir(), process.env.TEMP ? process.env.TEMP.replace(/(.)\/$/, "$1") : "/tmp");

const home = os.homedir();
assert.ok(home.startsWith("/"), home);
assert.ok(os.hostname().length > 0);

const cpus = os.cpus();
assert.ok(Array.isArray(cpus) && cpus.length >= 1);
for (const c of cpus) {
  assert.equal(typeof c.model, "string");
  assert.equal(typeof c.speed, "number");
  for (const k of ["user", "nice", "sys", "idle", "irq"]) assert.equal(typeof c.times[k], "number", k);
}
assert.ok(os.availableParallelism() >= 1);

const total = os.totalmem(), free = os.freemem();
assert.ok(total > 16 * 1024 * 1024, "total memory in bytes");
assert.ok(free > 0 && free <= total);
assert.ok(os.uptime() > 0);
const avg = os.loadavg();
assert.equal(avg.length, 3);
assert.ok(avg.every((x) => typeof x === "number" && x >= 0));

const u = os.userInfo();
assert.equal(typeof u.uid, "number");
assert.equal(typeof u.gid, "number");
assert.ok(u.username.length > 0);
assert.ok(u.homedir.startsWith("/"));
assert.ok(u.shell === null || typeof u.shell === "string");

assert.equal(os.constants.signals.SIGINT, 2);
assert.equal(os.constants.signals.SIGTERM, 15);
assert.equal(os.constants.signals.SIGKILL, 9);
console.log("node_os: ok");
