// process.exit(n) runs the "exit" listeners with n, then ends at once (an exit() inside
// a listener ends at once too).
// expect-exit: 6
// expect-stdout: ^first 5.second 5.$
process.on("exit", (code) => console.log("first", code));
process.on("exit", (code) => { console.log("second", code); process.exit(6); });
process.on("exit", () => console.log("never"));
setTimeout(() => console.log("never"), 100);
process.exit(5);
