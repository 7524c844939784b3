// With --log-level debug an uncaught error's stack keeps the runtime's own frames (the
// native require's: the module's code is called from it, below no loader frame).
require("./fixtures/esm_errors/throw_line1.mjs");
// flags: --log-level debug
// expect-exit: 1
// expect-stderr: throw_line1\.mjs:1:60.require@\[native code\].@[^ ]*/uncaught_frames_debug\.js:3:8
