// 200 fetches at once from one script, on the one HTTP loop: every one answers with its
// own body, and none is left open afterwards: a transfer stops counting as open before
// its body's end reaches the script, so the count is exact the moment the reads settle.
const gp = require("geppetto");
const base = process.env.GP_TEST_HTTP;
const N = 200;

(async () => {
  const t0 = performance.now();
  const all = await Promise.all(Array.from({ length: N }, async (_, i) => {
    const r = await fetch(`${base}/echo?i=${i}`, { method: "POST", body: "n" + i });
    const e = await r.json();
    assert.equal(e.query.i, String(i));
    assert.equal(e.bodyText, "n" + i);
    return e;
  }));
  assert.equal(all.length, N);
  assert.equal(gp.runtime.stats().openFetches, 0, "no transfer open once every body was read");
  const bodies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    fetch(`${base}/chunked?n=10&size=${1000 + i}&delayMs=2`).then((r) => r.bytes())));
  bodies.forEach((b, i) => assert.equal(b.length, 10 * (1000 + i)));
  assert.equal(gp.runtime.stats().openFetches, 0);
  // one body read to its end: the transfer is closed when text() settles
  const one = await fetch(`${base}/length?bytes=100`);
  assert.equal(gp.runtime.stats().openFetches, 1, "open while its body is unread");
  assert.equal((await one.text()).length, 100);
  assert.equal(gp.runtime.stats().openFetches, 0, "closed when text() settles");
  // a failure before any response: closed when the fetch rejects
  await assert.rejects(() => fetch(`http://127.0.0.1:${process.env.GP_TEST_CLOSED_PORT}/`));
  assert.equal(gp.runtime.stats().openFetches, 0, "closed when the fetch rejects");
  console.log(`${N} concurrent fetches in ${(performance.now() - t0).toFixed(0)} ms`);
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
