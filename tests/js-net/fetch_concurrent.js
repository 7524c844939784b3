// 200 fetches at once from one script, on the one HTTP loop: every one answers with its
// own body, and none is left open afterwards.
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
  const bodies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    fetch(`${base}/chunked?n=10&size=${1000 + i}&delayMs=2`).then((r) => r.bytes())));
  bodies.forEach((b, i) => assert.equal(b.length, 10 * (1000 + i)));
  console.log(`${N} concurrent fetches in ${(performance.now() - t0).toFixed(0)} ms`);
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
