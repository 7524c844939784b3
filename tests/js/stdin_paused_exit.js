// Listening to stdin keeps the process alive; pausing it (or closing a readline
// interface on it) lets the process end, though the pipe stays open.
// stdin-open: -
// timeout: 20
process.stdin.on("data", () => assert.fail("no data expected"));
setTimeout(() => {
  process.stdin.pause();
  const rl = require("readline").createInterface({ input: process.stdin });
  setTimeout(() => rl.close(), 50);
}, 100);
