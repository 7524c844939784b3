// A corpus of files that mention import/export in strings, templates, comments,
// regular expressions and property names, or need ASI: they load and behave.
import * as strings from "./fixtures/esm_tricky/strings.mjs";
import * as re from "./fixtures/esm_tricky/regex.mjs";
import props, { values } from "./fixtures/esm_tricky/props.mjs";
import * as asi from "./fixtures/esm_tricky/asi.mjs";
import cjs from "./fixtures/esm_tricky/cjs_import_word.js";
import { u, h } from "./fixtures/esm_tricky/unicode.mjs";

assert.equal(strings.ok, "strings-ok");
assert.deepEqual(strings.strings.slice(0, 5), ["import x from 'y'; export default 1", 'export { a as b } from "c"',
  "\" import y from 'z' \\", 'import a from "b"', "outer inner deepest export  import end"]);
assert.equal(strings.strings[5], "1 } {");
assert(strings.strings[6].includes('import z from "not-a-module"\nexport const nope = 1;\n<x>'), strings.strings[6]);
assert.equal(Object.keys(strings).sort().join(), "ok,strings");

assert.equal(re.div, 1);
assert.equal(re.div2, 5);
assert.deepEqual(re.tests, [true, true, true, true, true]);
assert.equal(re.fromReturn, true);
assert.equal(re.afterParen, 5);
assert.equal(globalThis.trickyIf, true);
assert.equal(re.arr, 2);
assert.equal(re.obj, 1);
assert.equal(re.divAssign, 2);
assert.equal(re.typeofRe, "object");

assert.deepEqual(values, [3, 2, "m-import", "m-export", "c-import", "c-export", 3]);
assert.equal(props.default, 4);

assert.equal(asi.a, 1);
assert.equal(asi.b, 2);
assert.equal(asi.c, "c");
assert.equal(asi.d, "d");
assert.equal(asi.e, "e");
assert.equal(asi.f, "f-default");
assert.equal(asi.g, "g");
assert.equal(asi.i, "i");
assert.deepEqual(Object.keys(asi).sort().join(), "a,b,c,d,e,f,g,i");

assert.equal(cjs.text, "import x from 'y'");
assert.equal(cjs.exported.export, 1);
assert.equal(u, "ünïcode");
assert.equal(h, "<😀>");
console.log("esm_tricky ok");
