// flags: --allow-env
// env: GP_PERM_TEST=visible
// --allow-env alone turns the model on (nothing else is granted) and opens process.env.
assert.equal(process.env.GP_PERM_TEST, "visible");
assert.ok(Object.keys(process.env).includes("GP_PERM_TEST"));
assert.equal(process.permission.has("env"), true);
assert.equal(process.permission.has("fs.read"), false);
assert.equal(process.permission.has("net", "localhost:80"), false);
assert.equal(process.permission.has("child"), false);
console.log("permission_env_allowed: ok");
