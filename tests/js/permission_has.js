// flags: --permission --allow-fs-read=/gp-data/,./fixtures --allow-fs-write /gp-out --allow-net=api.test:443,*.example.org,[::1]:8080 --allow-child-process
// process.permission.has(scope, reference?) for each scope, as Node answers it: a scope
// without a reference is granted only when all of it is (`*`); an unknown scope (and
// Node's "child_process", which is not a scope: the scope is "child") is false.
const has = (...a) => process.permission.has(...a);

// fs, fs.read, fs.write: paths normalised and resolved against the working directory
assert.equal(has("fs"), false);
assert.equal(has("fs.read"), false);
assert.equal(has("fs.read", "/gp-data"), true);
assert.equal(has("fs.read", "/gp-data/a/b.txt"), true);
assert.equal(has("fs.read", "/gp-datafoo"), false);
assert.equal(has("fs.read", "/gp-data/../etc/passwd"), false);
assert.equal(has("fs.read", "fixtures/a.js"), true);
assert.equal(has("fs.read", process.cwd() + "/fixtures/sub/x"), true);
assert.equal(has("fs.read", "permission_has.js"), false);
assert.equal(has("fs.write", "/gp-data/a"), false);
assert.equal(has("fs.write", "/gp-out/x"), true);
assert.equal(has("fs.write"), false);

// net: HOST, HOST:PORT, [IPv6]:PORT, a URL; *.DOMAIN for subdomains
assert.equal(has("net"), false);
assert.equal(has("net", "api.test:443"), true);
assert.equal(has("net", "https://API.test/v1"), true);
assert.equal(has("net", "http://api.test/"), false);
assert.equal(has("net", "api.test"), false);  // every port: not granted
assert.equal(has("net", "docs.example.org"), true);
assert.equal(has("net", "example.org"), false);
assert.equal(has("net", "[::1]:8080"), true);
assert.equal(has("net", "http://[::1]:8080/"), true);
assert.equal(has("net", "[::1]:8081"), false);

// child, env, and scopes geppetto does not have
assert.equal(has("child"), true);
assert.equal(has("child_process"), false);
assert.equal(has("env"), false);
assert.equal(has("worker"), false);
assert.equal(has("addon"), false);
assert.equal(has("nope"), false);

// arguments checked as Node checks them
assert.throws(() => has(), { code: "ERR_INVALID_ARG_TYPE", name: "TypeError" });
assert.throws(() => has(42), { code: "ERR_INVALID_ARG_TYPE" });
assert.throws(() => has("fs.read", 5), { code: "ERR_INVALID_ARG_TYPE" });
assert.equal(has("fs.read", null), false);
assert.equal(has("fs.read", Uint8Array.from("/gp-data/x", (c) => c.charCodeAt(0))), true); // bytes

// the object is fixed
assert.ok(Object.isFrozen(process.permission));
console.log("permission_has: ok");
