// Network failures reject with TypeError("fetch failed") whose cause has a code:
// a refused connection (ECONNREFUSED), a name that does not resolve (ENOTFOUND), a
// reset before the response (ECONNRESET), a stalled server past idleTimeoutMs
// (ETIMEDOUT); a reset mid-body makes the body's read reject (TypeError "terminated",
// cause ECONNRESET). Bad input fails with a TypeError before anything is sent.
const base = process.env.GP_TEST_HTTP;
const stallPort = process.env.GP_TEST_STALL_PORT, closedPort = process.env.GP_TEST_CLOSED_PORT;

async function failure(p, code) {
  const e = await assert.rejects(p, TypeError);
  assert.equal(e.message, "fetch failed");
  assert.ok(e.cause, "the error has a cause");
  assert.equal(e.cause.code, code, `cause.code (${e.cause.message})`);
  return e;
}

(async () => {
  await failure(() => fetch(`http://127.0.0.1:${closedPort}/`), "ECONNREFUSED");
  await failure(() => fetch("http://nonexistent-host.invalid/"), "ENOTFOUND");
  await failure(() => fetch(`${base}/reset?bytes=-1`), "ECONNRESET");
  let t = performance.now();
  await failure(() => fetch(`http://127.0.0.1:${stallPort}/`, { idleTimeoutMs: 300 }), "ETIMEDOUT");
  assert.ok(performance.now() - t < 2000);

  const r = await fetch(`${base}/reset?bytes=5000`);
  assert.equal(r.status, 200);
  const e = await assert.rejects(() => r.arrayBuffer(), TypeError);
  assert.equal(e.cause && e.cause.code, "ECONNRESET");

  const stalled = await fetch(`${base}/stall?bytes=10&id=e2`, { idleTimeoutMs: 300 });
  const e2 = await assert.rejects(() => stalled.text(), TypeError);
  assert.equal(e2.cause.code, "ETIMEDOUT");

  await assert.rejects(() => fetch("not a url"), TypeError);
  await assert.rejects(() => fetch(`${base}/echo`, { method: "CONNECT" }), TypeError);
  await assert.rejects(() => fetch(`${base}/echo`, { headers: { "x": "a\r\nb" } }), TypeError);
  await assert.rejects(() => fetch(`${base}/echo`, { redirect: "sometimes" }), TypeError);
  await assert.rejects(() => fetch(`${base}/echo`, { signal: "no" }), TypeError);
  console.log("fetch_errors: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
