// With --log-level debug an uncaught error's stack keeps the runtime's own frames.
require("./fixtures/esm_errors/throw_line1.mjs");
// flags: --log-level debug
// expect-exit: 1
// expect-stderr: throw_line1\.mjs:1:60.load@geppetto:prelude
