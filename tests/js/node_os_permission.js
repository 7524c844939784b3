// flags: --permission
// env: TMPDIR=/tmp/gp-os-perm/
// needs: permission
// os under the permission model without --allow-env: process.env is closed to the
// script, yet os.tmpdir() still follows TMPDIR (read by libuv, as Node's is not
// restricted) and the other queries work.
const os = require("os");
assert.throws(() => process.env.TMPDIR, { code: "ERR_ACCESS_DENIED" });
assert.equal(os.tmpdir(), "/tmp/gp-os-perm");
assert.ok(os.homedir().startsWith("/"));
assert.ok(os.cpus().length >= 1);
console.log("node_os_permission: ok");
