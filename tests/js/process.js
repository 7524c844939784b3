// process.argv, env, platform, exitCode.
assert(Array.isArray(process.argv));
assert(process.argv[1].endsWith("/tests/js/process.js"), process.argv[1]);
assert.deepEqual(process.argv.slice(2), ["a1", "a2"]);
assert.equal(typeof process.env.PATH, "string");
assert.equal(process.platform, "linux");
assert.equal(process.exitCode, undefined);
assert.equal(typeof process.exit, "function");
