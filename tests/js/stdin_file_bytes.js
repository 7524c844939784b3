// process.stdin on a file: "data" events of bytes (Uint8Array), every byte once, then
// "end" once; fd 0, not a terminal.
// stdin: fixtures/stdin_utf8.txt
const { bytes } = require("./fixtures/stdin_text.js");
const stdin = process.stdin;
assert.equal(stdin.fd, 0);
assert.equal(stdin.isTTY, undefined);
assert.equal(stdin, process.stdin, "one stream");
let n = 0, chunks = 0, ends = 0;
stdin.on("data", (c) => {
  assert(c instanceof Uint8Array, "a chunk is bytes");
  assert(ends === 0, "no data after end");
  n += c.length;
  chunks++;
});
stdin.on("end", () => {
  ends++;
  assert.equal(n, bytes);
  assert(chunks >= 2, "read in pieces: " + chunks);
  setTimeout(() => { assert.equal(ends, 1); assert.equal(stdin.readableEnded, true); }, 20);
});
