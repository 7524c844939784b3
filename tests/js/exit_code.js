// process.exitCode sets the status the process exits with once no work remains.
// expect-exit: 5
setTimeout(() => { process.exitCode = 5; }, 10);
