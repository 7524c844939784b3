// timeout: 120
// A 100 MB writeFile and readFile (promise and callback forms) run on libuv's thread
// pool in pieces: a 10 ms setInterval keeps firing meanwhile (no gap over 50 ms), and
// the bytes read back are the bytes written. Prints the throughput. On a loaded machine
// the script's thread may simply not be scheduled for a while, so the measurement is
// tried up to three times; an implementation that blocks the thread for the transfer
// fails every time (a synchronous 100 MB read or write takes well over 50 ms).
const fs = require("fs");
const os = require("os");
const path = require("path");

const MB = 1 << 20;
const size = (process.env.GP_TEST_SANITIZER ? 20 : 100) * MB;
const maxGap = process.env.GP_TEST_SANITIZER ? 250 : 50;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-fs-large-"));
const file = path.join(dir, "big.bin");

const data = new Uint8Array(size);
for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 255;
data[size - 1] = 7;

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4096) if (a[i] !== b[i]) return false;
  return a[a.length - 1] === b[b.length - 1];
}
const mbps = (ms) => (size / MB / (ms / 1000)).toFixed(0);

// One write and two reads under a 10 ms interval; returns what it measured.
async function attempt() {
  let last = performance.now(), worst = 0, ticks = 0;
  const iv = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    ticks++;
  }, 10);
  await sleep(30); // the interval is running
  let t0 = performance.now();
  await fs.promises.writeFile(file, data);
  const wms = performance.now() - t0;
  assert.equal(fs.statSync(file).size, size);
  t0 = performance.now();
  const back = await fs.promises.readFile(file);
  const rms = performance.now() - t0;
  assert.ok(Buffer.isBuffer(back));
  assert.ok(same(back, data), "the bytes read back are those written");
  t0 = performance.now();
  const viaCb = await new Promise((res, rej) => fs.readFile(file, (e, b) => (e ? rej(e) : res(b))));
  const cms = performance.now() - t0;
  assert.ok(same(viaCb, data));
  clearInterval(iv);
  assert.ok(ticks > 3, "the interval fired");
  console.log(`node_fs_large: ${size / MB} MB write ${wms.toFixed(0)} ms (${mbps(wms)} MB/s), ` +
              `read ${rms.toFixed(0)} ms (${mbps(rms)} MB/s), callback read ${cms.toFixed(0)} ms; ` +
              `interval ticks ${ticks}, worst gap ${worst.toFixed(1)} ms`);
  return worst;
}

(async () => {
  let best = Infinity;
  for (let i = 0; i < 3 && best > maxGap; i++) best = Math.min(best, await attempt());
  assert.ok(best <= maxGap, `a timer gap of ${best.toFixed(1)} ms in every attempt (limit ${maxGap})`);

  // abort between pieces: the read stops with AbortError and closes its file
  const c = new AbortController();
  const p = fs.promises.readFile(file, { signal: c.signal });
  setTimeout(() => c.abort(), 1);
  await assert.rejects(p, { name: "AbortError", code: "ABORT_ERR" });
  fs.rmSync(dir, { recursive: true });
  console.log("node_fs_large: ok");
})().catch((e) => {
  console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
