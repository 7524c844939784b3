// process.exit(n) ends the process at once with status n: later timers never run.
// expect-exit: 7
// expect-stdout: ^before.$
setTimeout(() => console.log("never"), 200);
setTimeout(() => { console.log("before"); process.exit(7); }, 10);
