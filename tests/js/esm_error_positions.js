// Errors while loading point at the original source: a throw on line 1 of an ES module
// (after the wrapper's header), one on line 20 (below rewritten imports), and syntax
// errors: err.line/err.column and the stack's file:line:col.
const dir = __dirname + "/fixtures/esm_errors";
const e1 = assert.throws(() => require("./fixtures/esm_errors/throw_line1.mjs"), TypeError);
assert.equal(e1.line, 1);
assert.equal(e1.column, 60, "column of `.prop` on line 1: " + e1.column);
assert(e1.stack.split("\n")[0].endsWith(dir + "/throw_line1.mjs:1:60"), e1.stack);

const e20 = assert.throws(() => require("./fixtures/esm_errors/throw_line20.mjs"), RangeError);
assert.equal(e20.line, 20);
assert.equal(e20.column, 47, "column JavaScriptCore gives a `new RangeError(` on line 20: " + e20.column);
assert(e20.stack.includes(dir + "/throw_line20.mjs:20:47"), e20.stack);

const s = assert.throws(() => require("./fixtures/esm_errors/syntax.mjs"), SyntaxError);
assert.equal(s.line, 3);
assert.equal(s.column, 8);
const s2 = assert.throws(() => require("./fixtures/esm_errors/syntax_cjs.js"), SyntaxError);
assert(s2.line >= 3, "line " + s2.line);
assert.equal(s2.sourceURL, dir + "/syntax_cjs.js");

// a failed module is not cached: requiring it again throws again
assert.throws(() => require("./fixtures/esm_errors/throw_line1.mjs"), TypeError);
console.log("esm_error_positions ok");
