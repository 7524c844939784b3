// An empty stdin (/dev/null): "end" at once, for await yields nothing, a readline
// interface closes at once and its question is rejected.
(async () => {
  let ended = false;
  for await (const c of process.stdin) assert.fail("no chunk expected, got " + c);
  const rl = require("readline/promises").createInterface({ input: process.stdin });
  let closed = false;
  rl.on("close", () => { closed = true; });
  await sleep(20);
  assert(closed, "closed at the end of input");
  await assert.rejects(rl.question("x? "), { code: "ERR_USE_AFTER_CLOSE" });
  console.log("ok");
})();
