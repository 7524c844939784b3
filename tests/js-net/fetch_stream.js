// timeout: 120
// A body streamed with back-pressure: 50 MB read through body.getReader() with bounded
// memory (peak RSS growth < 16 MB), `for await` over a body, and a slow reader that
// holds the server (its writes stop, short of the body's end, while the script has not
// read, and the script's memory does not grow).
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

// The most the kernel buffers on a loopback connection: the receiver's and the sender's
// socket buffers at their maximum (Linux; 36 MB if they cannot be read).
function socketBuffers() {
  try {
    const max = (name) => Number(require("fs").readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8").trim().split(/\s+/)[2]);
    const n = max("tcp_rmem") + max("tcp_wmem");
    if (Number.isFinite(n) && n > 0) return n;
  } catch (e) { /* not Linux */ }
  return 36 * MB;
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

  // a slow reader holds the server. Between the server and the script only the kernel's
  // socket buffers (the receiver's autotunes up to tcp_rmem's maximum, 32 MB on some
  // hosts) and the transfer's high-water mark (1 MB) hold data, so the server can write
  // at most `held` bytes past what was read; the body is made twice that long, and the
  // check is that the server's writes stop (and stay stopped) short of it, with the
  // script's memory not growing meanwhile.
  const held = socketBuffers() + 2 * MB; // the high-water mark, and 1 MB curl may keep
  const slowTotal = Math.max(64 * MB, 2 * (MB + held));
  const s = await fetch(`${base}/big?bytes=${slowTotal}&id=slow1`);
  const sr = s.body.getReader();
  let read = 0;
  while (read < MB) read += (await sr.read()).value.length;
  const rssHeld0 = process.memoryUsage().rss;
  await sleep(500); // the server writes what the buffers take, then blocks
  const st1 = await (await fetch(`${base}/stats?id=slow1`)).json();
  await sleep(300);
  const st2 = await (await fetch(`${base}/stats?id=slow1`)).json();
  const rssHeld = (process.memoryUsage().rss - rssHeld0) / MB;
  console.log(`slow reader: read ${read} bytes, the server wrote ${st1.bytesWritten} then ${st2.bytesWritten} ` +
              `of ${slowTotal} (at most ${read + held} can be buffered), RSS grew ${rssHeld.toFixed(1)} MB`);
  assert.equal(st2.bytesWritten, st1.bytesWritten, "the server's writes stay blocked while nobody reads");
  assert.ok(st2.bytesWritten <= read + held, "the server wrote no more than the buffers between it and the reader hold");
  assert.equal(st2.finished, false);
  if (!small) assert.ok(rssHeld < 16, `the process grew by ${rssHeld.toFixed(1)} MB while the reader slept`);
  await sr.cancel();
  const closed = await (await fetch(`${base}/wait-close?id=slow1&ms=2000`)).json();
  assert.equal(closed.closedEarly, true, "cancel closes the connection");
  console.log("fetch_stream: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
