// An exception thrown by the main script exits 1 without waiting for timers.
// expect-exit: 1
// expect-stderr: RangeError: from main
setTimeout(() => console.log("never"), 500);
throw new RangeError("from main");
