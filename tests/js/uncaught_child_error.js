// A ChildProcess's 'error' with no listener (spawn of a missing program: ENOENT) is an
// uncaught exception, as in Node: "Uncaught:", its message, exit status 1, and process
// "exit" listeners still run. (It is emitted from a microtask: an exception thrown by a
// queueMicrotask or process.nextTick callback is uncaught, not an unhandled rejection.)
// expect-exit: 1
// expect-stderr: ^Uncaught: Error: spawn /nonexistent/geppetto-test-program ENOENT
// expect-stdout: ^exit 1
process.on("exit", (code) => console.log("exit", code));
require("child_process").spawn("/nonexistent/geppetto-test-program", ["x"]);
setTimeout(() => console.log("never"), 2000);
