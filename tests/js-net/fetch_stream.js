// timeout: 120
// A body streamed with back-pressure: 50 MB read through body.getReader() with bounded
// memory (peak RSS growth < 16 MB), `for await` over a body, and a slow reader that
// holds the server (its writes block while the script has not read).
const base = process.env.GP_TEST_HTTP;
const small = !!process.env.GP_TEST_SANITIZER;
const MB = 1 << 20;
// Reads a body piece by piece, checking the bytes; `sample()` every 64 pieces.
async function drain(r, sample) {
  assert.ok(r.body instanceof ReadableStream);
  const reader = r.body.getReader();
  let got = 0, bad = 0, pieces = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { got, bad, pieces };
    assert.ok(value instanceof Uint8Array);
    for (let i = 0; i < value.length; i += 4099) if (value[i] !== (got + i) % 251) bad++;
    got += value.length;
    if (++pieces % 64 === 0) sample();
  }
}

(async () => {
  const total = (small ? 20 : 50) * MB;
  // Warm up: the same read of the same size first, so that what is measured is the
  // stream's memory, not the one-time costs (compiling the library, starting the HTTP
  // loop, and above all the optimising JIT's code for this read loop: several MB, once).
  await drain(await fetch(`${base}/big?bytes=${total}&id=warm`), () => {});
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const r = await fetch(`${base}/big?bytes=${total}&id=stream1`);
  const { got, bad, pieces } = await drain(r, () => { peak = Math.max(peak, process.memoryUsage().rss); });
  peak = Math.max(peak, process.memoryUsage().rss);
  assert.equal(got, total);
  assert.equal(bad, 0, "the bytes arrive in order");
  const growth = (peak - rss0) / MB;
  console.log(`streamed ${total / MB} MB in ${pieces} pieces, peak RSS growth ${growth.toFixed(1)} MB`);
  // Under a sanitizer every allocation carries shadow memory and a quarantine: the bound
  // holds for the normal build only.
  if (!small) assert.ok(growth < 16, `peak RSS grew by ${growth.toFixed(1)} MB`);
  assert.equal(r.bodyUsed, true);

  // for await over a body
  let n = 0;
  for await (const chunk of (await fetch(`${base}/chunked?n=20&size=500`)).body) n += chunk.length;
  assert.equal(n, 10000);

  // a slow reader holds the server
  const slowTotal = 64 * MB;
  const s = await fetch(`${base}/big?bytes=${slowTotal}&id=slow1`);
  const sr = s.body.getReader();
  let read = 0;
  while (read < MB) read += (await sr.read()).value.length;
  await sleep(500); // the server writes what the buffers take, then blocks
  const st1 = await (await fetch(`${base}/stats?id=slow1`)).json();
  await sleep(300);
  const st2 = await (await fetch(`${base}/stats?id=slow1`)).json();
  console.log(`slow reader: read ${read} bytes, the server wrote ${st1.bytesWritten} then ${st2.bytesWritten}`);
  assert.ok(st2.bytesWritten < 24 * MB, "the server is held by the reader");
  assert.equal(st2.bytesWritten, st1.bytesWritten, "the server's writes stay blocked while nobody reads");
  assert.equal(st2.finished, false);
  await sr.cancel();
  const closed = await (await fetch(`${base}/wait-close?id=slow1&ms=2000`)).json();
  assert.equal(closed.closedEarly, true, "cancel closes the connection");
  console.log("fetch_stream: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
