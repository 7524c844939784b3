// Questions, then for await for the rest of the lines: \n, \r\n, an empty line, a
// multi-byte character, and a last line without a newline delivered at the end.
// stdin: fixtures/stdin_lines.txt
const rl = require("readline/promises").createInterface({ input: process.stdin });
(async () => {
  assert.equal(await rl.question(""), "first");
  await sleep(30);
  assert.equal(await rl.question(""), "second");
  const rest = [];
  for await (const line of rl) {
    rest.push(line);
    await sleep(10);
  }
  assert.deepEqual(rest, ["third", "", "fifth été", "sixth", "last without newline"]);
  assert.equal(rl.closed, true);
  console.log("ok");
})();
