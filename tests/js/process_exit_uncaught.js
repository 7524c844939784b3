// An uncaught exception still runs the "exit" listeners, with status 1.
// expect-exit: 1
// expect-stdout: ^exit 1.$
// expect-stderr: boom
process.on("exit", (code) => console.log("exit", code));
setTimeout(() => { throw new Error("boom"); }, 5);
