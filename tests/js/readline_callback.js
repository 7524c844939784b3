// The callback form of question(), nested: a question takes a line before the "line"
// listeners do; question() after close() throws ERR_USE_AFTER_CLOSE.
// stdin: fixtures/stdin_answers.txt
const readline = require("readline");
const rl = readline.createInterface(process.stdin, null);
const seen = [], answers = [];
rl.on("line", (l) => seen.push(l));
rl.question("name? ", (name) => {
  answers.push(name);
  rl.question("colour? ", (colour) => answers.push(colour));
});
rl.on("close", () => {
  assert.deepEqual(answers, ["Ann", "blue"]);
  assert.deepEqual(seen, ["42", "yes", "the end"]);
  assert.throws(() => rl.question("x? ", () => {}), { code: "ERR_USE_AFTER_CLOSE" });
  console.log("ok");
});
