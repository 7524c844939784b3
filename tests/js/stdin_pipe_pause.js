// pause() stops "data" events (what arrives meanwhile is kept), resume() delivers the
// rest; every byte arrives once, in order.
// stdin-pipe: fixtures/stdin_utf8.txt
const { bytes } = require("./fixtures/stdin_text.js");
const stdin = process.stdin;
let n = 0, paused = false, first = true;
stdin.on("data", (c) => {
  assert(!paused, "no data while paused");
  n += c.length;
  if (first) {
    first = false;
    stdin.pause();
    paused = true;
    assert.equal(stdin.isPaused(), true);
    setTimeout(() => { paused = false; stdin.resume(); }, 100);
  }
});
stdin.on("end", () => {
  assert.equal(n, bytes);
  console.log("ok");
});
