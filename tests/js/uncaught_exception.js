// An uncaught exception in a timer prints message and stack on stderr and exits 1.
// expect-exit: 1
// expect-stderr: Uncaught.*Error: kaboom.*uncaught_exception.js
function thrower() { throw new Error("kaboom"); }
setTimeout(() => console.log("never"), 200);
setTimeout(thrower, 5);
