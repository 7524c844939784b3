// env: GP_PERM_TEST=visible
// Without --permission (or any --allow-*) the model is off, as in Node: there is no
// process.permission and the script may read its environment.
assert.equal(process.permission, undefined);
assert.equal("permission" in process, false);
assert.equal(process.env.GP_PERM_TEST, "visible");
assert.ok(Object.keys(process.env).includes("GP_PERM_TEST"));
console.log("permission_off: ok");
