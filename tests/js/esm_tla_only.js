// A .js script whose only module syntax is top-level await runs as an ES module; a
// throw after the await is an uncaught exception, as in Node: message, stack, exit status 1.
const v = await Promise.resolve(41);
if (v + 1 === 42) throw new Error("rejected after await: " + (v + 1));
// expect-exit: 1
// expect-stderr: ^Uncaught: Error: rejected after await: 42.@[^ ]*/esm_tla_only\.js:4:
