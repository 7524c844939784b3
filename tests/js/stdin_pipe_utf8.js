// setEncoding("utf8") on a pipe, read with "data" events: the whole text, no character
// split; "end" after the last chunk.
// stdin-pipe: fixtures/stdin_utf8.txt
const { text } = require("./fixtures/stdin_text.js");
process.stdin.setEncoding("utf8");
let got = "";
process.stdin.on("data", (c) => {
  assert.equal(typeof c, "string");
  assert(!c.includes("\ufffd"), "no replacement character");
  got += c;
});
process.stdin.on("end", () => {
  assert(got === text, `the text, whole (${got.length} of ${text.length} units)`);
  console.log("ok");
});
