// for await over a pipe without encoding: Uint8Array chunks whose bytes add up, with
// slow work between chunks (reading waits: nothing is lost).
// stdin-pipe: fixtures/stdin_utf8.txt
const { bytes } = require("./fixtures/stdin_text.js");
(async () => {
  const parts = [];
  for await (const c of process.stdin) {
    assert(c instanceof Uint8Array);
    parts.push(c);
    await sleep(5);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  assert.equal(all.length, bytes);
  console.log("ok", parts.length);
})();
