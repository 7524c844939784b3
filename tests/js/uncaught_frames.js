// An uncaught error thrown while a module loads: its stack shows the script's frames
// (the module, the require call), not the runtime's loader frames.
require("./fixtures/esm_errors/throw_line1.mjs");
// expect-exit: 1
// expect-stderr: ^Uncaught: TypeError: [^@]*@[^ ]*/throw_line1\.mjs:1:60.@[^ ]*/uncaught_frames\.js:3:8.$
