// With --log-level debug the stacks scripts see keep the runtime's own frames: those
// of require's resolution, and those util.inspect (console) would leave out.
// flags: --log-level debug
const util = require("util");
let e = null;
try { require("./fixtures/error_stacks/nope") } catch (err) { e = err }
assert.equal(e.code, "MODULE_NOT_FOUND");
assert(/@geppetto:prelude:\d+:\d+\n/.test(e.stack), e.stack);
assert(e.stack.includes("require@[native code]\n"), e.stack);
e = assert.throws(() => { throw new Error("through assert.throws") }, Error);
assert(/\n    at [^\n]*geppetto:prelude:\d+:\d+/.test(util.inspect(e)), util.inspect(e));
