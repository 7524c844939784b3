// "line" and "close" events: a listener attached long after the input arrived still
// gets every line, in order; "close" comes after the last one.
// stdin-pipe: fixtures/stdin_lines.txt
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin, terminal: false });
const lines = [];
rl.on("close", () => {
  assert.deepEqual(lines, ["first", "second", "third", "", "fifth été", "sixth", "last without newline"]);
  console.log("ok");
});
setTimeout(() => rl.on("line", (l) => lines.push(l)), 200);
