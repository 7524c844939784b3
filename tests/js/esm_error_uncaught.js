import { named } from "./fixtures/esm/dep.mjs"; const n = named && null; n.field;
// An uncaught error on line 1 of an ES module script: the column is the source's,
// and the runtime's own frames are not printed.
// expect-exit: 1
// expect-stderr: ^Uncaught: TypeError: null is not an object .evaluating 'n.field'..@[^ ]*/esm_error_uncaught\.js:1:75.$
