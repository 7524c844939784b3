// Module resolution (SPEC §3.3): node_modules folders, package.json exports (conditions
// geppetto > worker > require/import > default, never node; patterns; null targets),
// imports (#names), main, index files, extensions, nested dependencies, cycles,
// self-reference, MODULE_NOT_FOUND with the paths tried, also for a subpath `exports` does not list.
const tree = require("./fixtures/node_modules_tree/entry.js");
const treeDir = __dirname + "/fixtures/node_modules_tree";

// conditions: `worker` beats `node` (listed first) and `default`; `geppetto` beats all
assert.equal(tree("cond-pkg"), "worker");
assert.equal(tree("gp-pkg"), "geppetto");
assert.equal(tree("cond-pkg/feature"), "feature-require", "require condition for require()");
assert.equal(tree("cond-pkg/nested"), "nested-req", "nested conditions objects");
assert.equal(tree("cond-pkg/list"), "default", "a list of targets: the first that resolves");
// subpath patterns, the longest prefix wins; null blocks
assert.equal(tree("cond-pkg/lib/a"), "src/a");
assert.equal(tree("cond-pkg/lib/deep/b"), "src/deep/b");
assert.equal(tree("cond-pkg/lib/special/c"), "special/c");
assert.deepEqual(tree("cond-pkg/data/x.json"), { x: 1 });
assert.equal(tree("cond-pkg/package.json").name, "cond-pkg");
for (const id of ["cond-pkg/lib/private/secret", "cond-pkg/src/a.js", "cond-pkg/main-field.js", "blocked"]) {
  const e = assert.throws(() => tree(id));
  // SPEC §3.3: MODULE_NOT_FOUND naming the request, the requiring file and why
  assert.equal(e.code, "MODULE_NOT_FOUND", id + ": " + e.message);
  const pkgFile = "node_modules_tree/node_modules/" + id.split("/")[0] + "/package.json";
  const sub = id.includes("/") ? "'./" + id.split("/").slice(1).join("/") + "' is not exported by " : "has no \"exports\" entry";
  assert(e.message.startsWith(`Cannot find module '${id}' from '${treeDir}/entry.js': `), e.message);
  assert(e.message.includes(pkgFile) && e.message.includes(sub), e.message);
  assert(e.message.includes("Require stack:\n- " + treeDir + "/entry.js"), e.message);
}
assert.equal(tree("blocked/x"), "blocked/x");
// main (with extension tries, a folder as main), index files, scoped packages
assert.equal(tree("main-pkg"), "main-pkg/lib/main");
assert.equal(tree("main-dir-pkg"), "main-dir-pkg/dist/index");
assert.equal(tree("index-pkg"), "index-pkg");
assert.equal(tree("index-pkg/other"), "index-pkg/other.cjs", ".cjs tried");
assert.equal(tree("@scope/pkg"), "@scope/pkg");
// nested dependencies: the closest node_modules wins
assert.deepEqual(tree("nested-dep"), { inner: "inner-nested", self: "nested-dep" });
assert.equal(tree("inner"), "inner-top");
// a cycle between packages sees the partly filled exports
const a = tree("cyc-a");
assert.equal(a.sawB, "b saw a-early/undefined");
assert.equal(a.late, "a-late");
// ES modules: "type": "module", .mjs main; require() of an ES module gives its namespace
const esm = tree("esm-pkg");
assert.equal(esm.four, 4);
assert.equal(esm.default, "esm-pkg-default");
assert.equal(esm.__esModule, true);
assert.equal(tree("esm-pkg/helper").twice(5), 10);
assert.equal(tree("mjs-pkg").kind, "mjs");
// self-reference through the package's own exports, and package imports (#names)
assert.equal(tree("tree-root/self"), "self");
assert.equal(tree("#internal"), "internal");
assert.equal(tree("#dep"), "inner-top");
assert.equal(tree("#cond"), "internal");
assert.equal(assert.throws(() => tree("#nope")).code, "ERR_PACKAGE_IMPORT_NOT_DEFINED");
// caching by real path
assert.equal(tree("cond-pkg"), tree("cond-pkg"));
assert.equal(tree.resolve("cond-pkg"), treeDir + "/node_modules/cond-pkg/worker.js");
assert.equal(tree.resolve("timers"), "node:timers", "built-ins resolve to node:NAME");
assert.equal(tree.resolve("geppetto"), "geppetto");
assert.equal(tree.paths[0], treeDir + "/node_modules");
assert.equal(tree.paths[tree.paths.length - 1], "/node_modules");
assert.equal(require("timers"), require("node:timers"), "built-ins still work");
assert.equal(require.main, module, "require.main is the main script's module");
assert.equal(tree.resolve.length, 1);

// MODULE_NOT_FOUND names the request, the requiring file and every path tried
const nf = assert.throws(() => tree("no-such-pkg/sub"));
assert.equal(nf.code, "MODULE_NOT_FOUND");
assert(nf.message.includes("Cannot find module 'no-such-pkg/sub'"), nf.message);
assert(nf.message.includes("from '" + treeDir + "/entry.js'"), nf.message);
assert(nf.message.includes(treeDir + "/node_modules/no-such-pkg"), nf.message);
assert(nf.message.includes("/node_modules/no-such-pkg\n") || nf.message.includes("- /node_modules/no-such-pkg"), nf.message);
assert.deepEqual(nf.requireStack.slice(0, 1), [treeDir + "/entry.js"]);
assert.equal(nf.requireStack[1], __filename);
const rel = assert.throws(() => tree("./missing"));
for (const ext of ["", ".js", ".json", ".cjs", ".mjs"]) assert(rel.message.includes(treeDir + "/missing" + ext + "\n"), rel.message);
assert(rel.message.includes(treeDir + "/missing/index.js"), rel.message);
const gone = assert.throws(() => tree("broken-target"));
assert.equal(gone.code, "MODULE_NOT_FOUND");
assert(gone.message.includes("broken-target/gone.js"), gone.message);
console.log("modules_resolve ok");
// a pattern's match may not climb out of the package
assert.equal(assert.throws(() => tree("cond-pkg/lib/../../../self")).code, "ERR_INVALID_PACKAGE_TARGET");
console.log("modules_resolve escape ok");
