// Interop both ways: an ES module importing CommonJS (default = module.exports, named =
// its properties) and CommonJS requiring an ES module (its namespace, __esModule);
// import.meta; a static import of a module that awaits at top level.
import cjs, { a, b, fn } from "./fixtures/esm/cjs.cjs";
import * as cjsNs from "./fixtures/esm/cjs.cjs";
import callable, { extra } from "./fixtures/esm/cjs_fn.js";
import { url, filename, dirname, resolved } from "./fixtures/esm/meta.mjs";

assert.deepEqual(Object.keys(cjs), ["a", "b", "fn"]);
assert.equal(cjs, require("./fixtures/esm/cjs.cjs"), "default import of CommonJS is module.exports");
assert.equal(a, 1);
assert.equal(b, 2);
assert.equal(fn(), "cjs fn");
assert.equal(cjsNs.default, cjs);
assert.equal(cjsNs.a, 1);
assert.equal(callable(), "callable");
assert.equal(extra, "extra");

const ns = require("./fixtures/esm/forms.mjs");
assert.equal(ns.__esModule, true, "CommonJS requiring an ES module gets its namespace");
assert.equal(ns.c1, 1);
assert.equal(ns.default(), "default fn");
assert.equal(Object.keys(ns).includes("__esModule"), false, "__esModule is not enumerable");

const dir = __dirname + "/fixtures/esm";
assert.equal(filename, dir + "/meta.mjs");
assert.equal(dirname, dir);
assert.equal(url, "file://" + dir + "/meta.mjs");
assert.equal(resolved, "file://" + dir + "/dep.mjs");
assert.equal(import.meta.filename, __filename);
assert(import.meta.url.startsWith("file:///") && import.meta.url.endsWith("/esm_interop.js"));

// a module awaiting at top level: require() refuses it before running it (as Node),
// import() waits for it; once imported, require() gives its exports
const e = assert.throws(() => require("./fixtures/esm/tla_dep.mjs"));
assert.equal(e.code, "ERR_REQUIRE_ASYNC_MODULE");
assert.equal(globalThis.tlaDepRuns, undefined, "require() ran the module's body");
const tla = await import("./fixtures/esm/tla_dep.mjs");
assert.equal(tla.ready, "tla-ready");
assert.equal(globalThis.tlaDepRuns, 1);
assert.equal(require("./fixtures/esm/tla_dep.mjs").ready, "tla-ready");
console.log("esm_interop ok");
