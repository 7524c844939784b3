// readline over any emitter of "data"/"end": bytes split inside a character and a
// \r\n split across chunks; every line written before anyone asks waits for a
// consumer; an aborted question rejects AbortError and leaves the line to the next.
class Source {
  constructor() { this.l = {}; }
  on(n, f) { (this.l[n] = this.l[n] || []).push(f); return this; }
  removeListener(n, f) { this.l[n] = (this.l[n] || []).filter((x) => x !== f); return this; }
  send(n, v) { for (const f of this.l[n] || []) f(v); }
}
const src = new Source();
const { createInterface } = require("readline/promises");
const rl = createInterface({ input: src });
const bytes = new Uint8Array([0x6f, 0x6e, 0x65, 0x20, 0xe2, 0x82]); // "one " + 2 of the 3 bytes of €
src.send("data", bytes);
src.send("data", new Uint8Array([0xac, 0x0d])); // the last byte of €, then \r
src.send("data", "\ntwo\nthree\n");
src.send("data", "four");
(async () => {
  const ac = new AbortController();
  const p = rl.question("q? ", { signal: ac.signal });
  ac.abort();
  // the line went to the question before the abort? Either way none is lost:
  let first;
  try { first = await p; } catch (e) { assert.equal(e.name, "AbortError"); }
  const rest = [];
  if (first !== undefined) rest.push(first);
  await sleep(20);
  rest.push(await rl.question("q? "));
  src.send("end");
  for await (const line of rl) rest.push(line);
  assert.deepEqual(rest, ["one €", "two", "three", "four"]);
  const ac2 = new AbortController();
  ac2.abort();
  await assert.rejects(createInterface({ input: new Source() }).question("x", { signal: ac2.signal }), { name: "AbortError" });
  console.log("ok");
})();
