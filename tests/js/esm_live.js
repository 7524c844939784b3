// Named and default imports are live bindings (SPEC §3.3): references read the
// imported module's exports, so later changes are seen; names that are not references
// (property names, keys, labels, members, shadowing declarations) are left alone.
import { count, inc, alias, setDefault } from "./fixtures/esm_live/counter.mjs";
import dflt from "./fixtures/esm_live/counter.mjs";
import * as ns from "./fixtures/esm_live/counter.mjs";
import cjsDefault, { x, bump, later } from "./fixtures/esm_live/cjs.cjs";
import reDefault, { again } from "./fixtures/esm_live/reexport.mjs";
import { seen, readA, bEarly } from "./fixtures/esm_live/cycle_a.mjs";

// ESM `export let`
assert.equal(count, 0);
assert.equal(inc(), 1);
assert.equal(inc(), 2);
assert.equal(count, 2, "named import reads the current value");
assert.equal(ns.count, 2);
assert.equal(alias, 2, "a renamed export");
assert.equal(again, 2, "re-exported import");
assert.deepEqual(reDefault, { count: 0, n: 1 }, "export default { shorthand } took the value then");
assert.equal(dflt, "first");
setDefault("second");
assert.equal(dflt, "second", "default import of `export { d as default }` is live");

// CommonJS exports
assert.equal(x, 1);
assert.equal(later, undefined);
bump();
assert.equal(x, 2, "CJS exports.x reassigned");
assert.equal(later, "added", "CJS export added later");
assert.equal(cjsDefault.x, 2, "default import of CJS is module.exports");

// shadowing
function param(count) { return count; }
assert.equal(param(7), 7);
function withDefault(a, count = a * 3) { return count; }
assert.equal(withDefault(2), 6);
function destructured({ count }, [inc2 = count]) { return count + inc2; }
assert.equal(destructured({ count: 5 }, []), 10);
const arrow = (count) => count + 1, single = count => count * 2;
assert.equal(arrow(1), 2);
assert.equal(single(4), 8);
assert.equal(count, 2, "after arrows with the same parameter");
{
  const before = () => count; // the inner `let` below shadows it in the whole block
  let count = "inner";
  assert.equal(before(), "inner");
}
assert.equal(count, 2);
for (let count = 10; count < 11; count++) assert.equal(count, 10);
try { throw 9; } catch (count) { assert.equal(count, 9); }
function hoisted() { if (true) { var count = "var"; } return count; }
assert.equal(hoisted(), "var");
class K { count = 4; count2() { return count; } static count = 5; }
assert.equal(new K().count, 4);
assert.equal(new K().count2(), 2, "a method body reads the import");
assert.equal(K.count, 5);

const named = function count(n) { return n ? count(n - 1) + 1 : typeof count; };
assert.equal(named(0), "function", "a function expression's own name");
function count2() { return count; }
assert.equal(count2(), 2);
class S { static seen; static { S.seen = count; } }
assert.equal(S.seen, 2, "a static block reads the import");
const sw = (() => { switch (1) { case 1: { return { count }; } } })();
assert.deepEqual(sw, { count: 2 });
assert.deepEqual([1, 2].map((v) => v + count).filter((v) => count < v), [3, 4]);

// object shorthand, keys, property access, labels
const obj = { count, x, inc: 1, count2: count };
assert.deepEqual(obj, { count: 2, x: 2, inc: 1, count2: 2 });
const o2 = { count: "own" };
assert.equal(o2.count, "own", "obj.count untouched");
assert.equal(o2?.count, "own");
const o3 = { count() { return "method"; }, get x() { return "getter"; } };
assert.equal(o3.count(), "method");
assert.equal(o3.x, "getter");
count: for (;;) { break count; }
assert.equal(`${count}/${x}`, "2/2");
assert.equal(typeof count, "number");

// calls get `this` undefined, as ESM
import { thisOf } from "./fixtures/esm_live/this_of.mjs";
assert.equal(thisOf(), undefined);

// assigning to an import throws
assert.throws(() => { "use strict"; count = 5; }, TypeError);

// cycle: a read before the binding is set is a ReferenceError (TDZ), later reads see it
assert.equal(bEarly, "ReferenceError");
assert.equal(readA(), "a");
assert.equal(seen, "b");
// the columns after rewritten references are those of the source
const thrown = assert.throws(() => require("./fixtures/esm_live/throw_after_ref.mjs"), TypeError);
assert.equal(thrown.line, 4);
assert.equal(thrown.column, 43, "column of `.prop`: " + thrown.column);
assert(thrown.stack.includes("throw_after_ref.mjs:4:43"), thrown.stack);
console.log("esm_live ok");
