// readline/promises: five questions answered by a piped file, with work between them:
// no answer is lost though the whole file arrives before the second question (unlike
// Node). A sixth question, after the input has ended and every line was taken, is
// rejected ERR_USE_AFTER_CLOSE; "close" comes once.
// stdin-pipe: fixtures/stdin_answers.txt
const readline = require("node:readline/promises");
const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
let closes = 0;
rl.on("close", () => closes++);
(async () => {
  const answers = [];
  for (const q of ["name", "colour", "number", "sure", "last"]) {
    answers.push(await rl.question(q + "? "));
    await sleep(50);
  }
  console.log("");
  assert.deepEqual(answers, ["Ann", "blue", "42", "yes", "the end"]);
  await assert.rejects(rl.question("more? "), { code: "ERR_USE_AFTER_CLOSE" });
  assert.equal(closes, 1);
  console.log("ok");
})();
