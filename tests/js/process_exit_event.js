// "exit" listeners run once when the script ends, with process.exitCode; a listener
// may change the status.
// expect-exit: 4
// expect-stdout: ^exit 3 true.$
process.exitCode = 3;
process.on("exit", function (code) {
  console.log("exit", code, this === process);
  process.exitCode = 4;
});
setTimeout(() => {}, 10);
