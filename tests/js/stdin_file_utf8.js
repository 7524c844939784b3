// setEncoding("utf8") on a file, read with for await: string chunks, no character
// split across pieces (the first piece ends inside a 4-byte character).
// stdin: fixtures/stdin_utf8.txt
const { text } = require("./fixtures/stdin_text.js");
(async () => {
  process.stdin.setEncoding("utf8");
  assert.equal(process.stdin.readableEncoding, "utf8");
  let got = "", chunks = 0;
  for await (const c of process.stdin) {
    assert.equal(typeof c, "string");
    assert(!c.includes("\ufffd"), "no replacement character in chunk " + chunks);
    got += c;
    chunks++;
  }
  assert(chunks >= 2, "pieces: " + chunks);
  assert.equal(got.length, text.length);
  assert(got === text, "the text, whole");
  console.log("ok", chunks, "chunks");
})();
