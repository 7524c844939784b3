// Errors' positions and stacks as a script reads them (SPEC §3.3): lines and columns of
// the source, no frame of the runtime (geppetto:*) in e.stack, nor in console.error's
// and util.inspect's text; a caught SyntaxError's stack names FILE:LINE:COL.
const util = require("util");
const here = __filename;
const fx = __dirname + "/fixtures/error_stacks";
const noRuntime = (s, what) => assert(!/geppetto:/.test(s), what + ": " + s);

// an error the main script catches itself: exact place, no frame below the script's
let e = null;
try { null.x } catch (err) { e = err }
assert.equal(e.line, 11);
assert.equal(e.column, 11);
assert.equal(e.stack, `@${here}:11:11`);
function thrower() { return null.y }
try { thrower() } catch (err) { e = err }
assert.equal(e.stack, `thrower@${here}:15:33\n@${here}:16:14`);

// a module catching its own error while it loads: the script's frames and the require
const self = require("./fixtures/error_stacks/self_catch.js").stack;
noRuntime(self, "self-caught in a module");
assert(self.startsWith(`@${fx}/self_catch.js:2:11\n`), self);
assert(self.endsWith(`@${here}:20:21`), self);

// an error leaving a module while it loads, thrown on its line 1: columns of the source
e = assert.throws(() => require("./fixtures/error_stacks/line1_load.js"), TypeError);
assert.equal(e.line, 1);
assert.equal(e.column, 18);
assert.equal(e.stack, `@${fx}/line1_load.js:1:18\n@${here}:26:32\n@${here}:26:18`);

// require's own errors
e = assert.throws(() => require("./fixtures/error_stacks/nope"), Error);
assert.equal(e.code, "MODULE_NOT_FOUND");
noRuntime(e.stack, "MODULE_NOT_FOUND");
assert(e.stack.startsWith(`@${here}:32:32\n@${here}:32:18`), e.stack);

// caught syntax errors name the file, line and column; one at the end of the source
// does not blame what the runtime wraps it in
e = assert.throws(() => require("./fixtures/error_stacks/syntax_mid.js"), SyntaxError);
assert.equal(e.message, "Unexpected token ';'");
assert.equal(e.line, 2);
assert.equal(e.column, 9);
assert(e.stack.startsWith(`@${fx}/syntax_mid.js:2:9\n@${here}:39:32`), e.stack);
noRuntime(e.stack, "SyntaxError");
e = assert.throws(() => require("./fixtures/error_stacks/syntax_eof.js"), SyntaxError);
assert.equal(e.message, "Unexpected end of input");
assert(e.stack.startsWith(`@${fx}/syntax_eof.js:2:12\n`), e.stack);
try { new Function("let q = ;") } catch (err) { e = err }
assert(e instanceof SyntaxError && e.stack === `Function@[native code]\n@${here}:48:19`, e.stack);
noRuntime(e.stack, "new Function");

// line 1 of a module: util.inspect (as console) counts columns from the source
const line1 = require("./fixtures/error_stacks/line1.js");
const shown = util.inspect(line1.caught);
assert(shown.includes(`at ${fx}/line1.js:1:37`), shown);
assert.equal(line1.caught.column, 37);
try { line1.thrower() } catch (err) { e = err }
assert(util.inspect(e).includes(`\n    at ${fx}/line1.js:1:99\n    at ${here}:57:20`), util.inspect(e));
noRuntime(util.inspect(e), "inspect");

// console.error's text (checked below): the script's frames only
function report() { console.error(new Error("shown")) }
report();

// errors the runtime makes for the script (in its JavaScript or its natives) show the
// script's frames; a callback's, made with no script frame below, shows none (as Node)
try { new URL("nope") } catch (err) { e = err }
assert(e instanceof TypeError && e.constructor === TypeError, String(e));
assert.equal(e.stack, `@${here}:67:14`);
const fs = require("fs");
try { fs.readFileSync("/gp-no-such-file") } catch (err) { e = err }
assert.equal(e.code, "ENOENT");
assert.equal(e.stack, `@${here}:71:22`);
import("./fixtures/error_stacks/self_catch_dyn.js").then(({ stack }) => {
  assert.equal(stack, `@${fx}/self_catch_dyn.js:2:11\nrequire@[native code]`);
});
fs.readFile("/gp-no-such-file", (err) => {
  assert.equal(err.stack, "");
  assert(util.inspect(err).startsWith("[Error: ENOENT"), util.inspect(err));
});
// expect-stderr: ^Error: shown.    at report \([^ ]*/error_stacks\.js:62:44\).    at [^ ]*/error_stacks\.js:63:7.$
