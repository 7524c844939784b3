// require: relative and absolute .js/.json paths, caching, cycles, MODULE_NOT_FOUND.
const a = require("./fixtures/a");
assert.equal(a.name, "a");
assert.equal(a.b, "b");
assert(a.file.endsWith("/tests/js/fixtures/a.js"), a.file);
assert(a.dir.endsWith("/tests/js/fixtures"), a.dir);
assert.equal(require("./fixtures/a.js"), a, "cached: same exports object");
assert.equal(globalThis.aLoads, 1, "loaded once");
assert.equal(require(__dirname + "/fixtures/a.js"), a, "absolute path, same cache entry");
const data = require("./fixtures/data.json");
assert.deepEqual(data, { answer: 42, list: [1, 2] });
assert.equal(require("./fixtures/data"), data);
const x = require("./fixtures/cycle/x");
assert.equal(x.fromY, "x-early/undefined", "cycle sees the partial exports");
assert.equal(x.late, "x-late");
for (const id of ["./fixtures/missing", "lodash", "/nonexistent/file.js"]) {
  const e = assert.throws(() => require(id));
  assert.equal(e.code, "MODULE_NOT_FOUND", id);
  assert(e.message.includes(id), e.message);
}
assert.throws(() => require("./fixtures/broken"), /broken module/);
assert.throws(() => require("./fixtures/broken"), /broken module/, "not cached after a throw");
assert.equal(typeof module, "object");
assert.equal(module.exports, exports);
assert(__filename.endsWith("/require.js"));
assert.equal(require("geppetto"), require("geppetto"));
