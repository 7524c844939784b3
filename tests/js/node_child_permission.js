// flags: --permission
// expect-stdout: node_child_permission: ok
// Under --permission without --allow-child-process every way of starting a child
// throws ERR_ACCESS_DENIED naming the flag; nothing is started.
const cp = require("child_process");
const denied = { code: "ERR_ACCESS_DENIED", message: /--allow-child-process/ };
assert.throws(() => cp.spawn("echo", ["x"]), denied);
assert.throws(() => cp.execFile("echo", ["x"], () => assert.fail("called")), denied);
assert.throws(() => cp.exec("echo x", () => assert.fail("called")), denied);
assert.throws(() => cp.spawnSync("echo"), denied);
assert.throws(() => cp.execSync("echo x"), denied);
assert.throws(() => cp.execFileSync("echo"), denied);
console.log("node_child_permission: ok");
