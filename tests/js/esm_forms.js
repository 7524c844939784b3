// ES modules rewritten as CommonJS (SPEC §3.3): every import and export form, live
// bindings through a namespace, imports hoisted and run in source order, cycles.
globalThis.esmOrder.push("body"); // runs after every import below
import fnDefault, { c1, c2, counter, v1, da, dc, drest, inc, asyncFn, gen, Klass, local, renamed,
  "string name" as stringName, reNamed, depDefault, s1, s2, starNs } from "./fixtures/esm/forms.mjs";
import * as forms from "./fixtures/esm/forms.mjs";
import AnonClass from "./fixtures/esm/default_class.mjs";
import namedFn from "./fixtures/esm/default_named_fn.mjs";
import obj from "./fixtures/esm/default_expr.mjs";
import asyncDefault from "./fixtures/esm/default_async.mjs";
import arrow from "./fixtures/esm/default_arrow.mjs";
import depDefault2, * as depNs from "./fixtures/esm/dep.mjs";
import depDefault3, { named as n2 } from "./fixtures/esm/dep.mjs";
import { default as depDefault4 } from "./fixtures/esm/dep.mjs";
import "./fixtures/esm/side.mjs";
import "./fixtures/esm/order_a.mjs";
import "./fixtures/esm/order_b.mjs";
import { fromA } from "./fixtures/esm/cycle_a.mjs";
import { plain, thisAtTop } from "./fixtures/esm/plain_esm.js";
import data from "./fixtures/esm/json_data.json";
import { setTimeout as st } from "timers";
import * as timersNs from "node:timers";

// hoisting: the imports ran before the first line of the body (which reset the array)
assert.deepEqual(globalThis.esmOrder, ["a", "b", "body"]);
assert.deepEqual(globalThis.esmSideEffects, ["side"]);

assert.equal(c1, 1);
assert.equal(c2, "two");
assert.equal(v1, "var");
assert.equal(da, "a");
assert.equal(dc, "c");
assert.deepEqual(drest, ["d", "e"]);
assert.equal(typeof inc, "function");
assert.equal(await asyncFn(), "async");
assert.deepEqual([...gen()], [1, 2]);
assert.equal(new Klass().hi(), "klass");
assert.equal(local, "local");
assert.equal(renamed, "other");
assert.equal(stringName, "local");
assert.equal(reNamed, "dep-named");
assert.equal(depDefault, "dep-default");
assert.equal(s1, "s1");
assert.equal(s2, "s2");
assert.equal(starNs.s1, "s1");
assert.equal(starNs.default, "star-default-not-reexported");
assert.equal(forms.default, fnDefault);
assert.equal(fnDefault(), "default fn");
assert(!("default" in forms && forms.default === "star-default-not-reexported"), "export * skips default");
assert.deepEqual(Object.keys(forms).sort(), ["Klass", "asyncFn", "c1", "c2", "counter", "da", "dc", "default",
  "depDefault", "drest", "gen", "inc", "local", "reNamed", "renamed", "s1", "s2",
  "starNs", "string name", "v1"].sort());

// live bindings: an exported let reassigned later is seen through the namespace
assert.equal(counter, 0);
assert.equal(inc(), 1);
inc();
assert.equal(forms.counter, 2, "namespace reads the current value");
assert.throws(() => { "use strict"; forms.counter = 5; }, TypeError, "namespace properties are read-only");

assert.equal(new AnonClass().name(), "anon class");
assert.equal(namedFn(), "named fn");
assert.equal(namedFn.name, "named");
assert.deepEqual(obj, { kind: "object" });
assert.equal(await asyncDefault(), "async default");
assert.equal(await arrow(1), 2);
assert.equal(depDefault2, "dep-default");
assert.equal(depNs.named, "dep-named");
assert.equal(depNs.default, "dep-default");
assert.equal(depDefault3, "dep-default");
assert.equal(n2, "dep-named");
assert.equal(depDefault4, "dep-default");
assert.equal(fromA(), "A sees fromB", "a cycle: each side sees the other through its namespace");
assert.equal(plain, "plain-dep-named");
assert.equal(thisAtTop, "undefined", "`this` at a module's top is undefined");
assert.deepEqual(data, { answer: 42 }, "a JSON module's default is its value");
assert.equal(st, require("timers").setTimeout);
assert.equal(timersNs.setTimeout, st);
assert.equal(timersNs.default, require("timers"));
assert.equal(typeof require, "function", "require stays available");
console.log("esm_forms ok");
