// Through a terminal (script(1)): process.stdin is a TTY and questions get the lines
// typed. Skipped when script(1) is missing.
// stdin-tty: fixtures/stdin_answers.txt
// timeout: 30
(async () => {
  assert.equal(process.stdin.isTTY, true, "stdin is a terminal");
  const rl = require("readline/promises").createInterface({ input: process.stdin, output: process.stdout });
  const a = await rl.question("name? ");
  await sleep(50);
  const b = await rl.question("colour? ");
  console.log(`\nANSWERS ${a} ${b}`);
  assert.deepEqual([a, b], ["Ann", "blue"]);
  rl.close();
})();
