// flags: --permission
// env: GP_PERM_TEST=secret
// Under --permission without --allow-env, process.env is closed: reading, testing,
// listing or changing a variable throws ERR_ACCESS_DENIED naming it and the flag.
const e = assert.throws(() => process.env.GP_PERM_TEST, { code: "ERR_ACCESS_DENIED" });
assert.ok(e instanceof Error);
assert.equal(e.message, "Access to environment variable GP_PERM_TEST denied: it needs --allow-env");
assert.equal(e.permission, "EnvVar");
assert.equal(e.resource, "GP_PERM_TEST");
assert.throws(() => process.env.HOME, { code: "ERR_ACCESS_DENIED", message: /HOME/ });
assert.throws(() => "PATH" in process.env, { code: "ERR_ACCESS_DENIED", message: /PATH/ });
assert.throws(() => Object.keys(process.env), { code: "ERR_ACCESS_DENIED", message: /the environment/ });
assert.throws(() => { process.env.X = "1"; }, { code: "ERR_ACCESS_DENIED", message: /variable X / });
assert.throws(() => { delete process.env.X; }, { code: "ERR_ACCESS_DENIED" });
assert.throws(() => ({ ...process.env }), { code: "ERR_ACCESS_DENIED" });
assert.equal(process.permission.has("env"), false);
// printing `process` does not trip over its closed env (not enumerable when closed)
assert.ok(!Object.keys(process).includes("env"));
console.log(process);
console.log("permission_env_denied: ok");
