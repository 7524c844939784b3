// init.signal aborts at any moment: before the request (nothing is sent), while the
// response is awaited, mid-body (the pending read rejects) — each within 100 ms, with
// the server seeing the connection closed — with the signal's reason (an AbortError
// DOMException by default, a TimeoutError from AbortSignal.timeout, any value given to
// abort(reason)). Also while connecting: a TLS handshake the server never answers is
// aborted at once, or ends at connectTimeoutMs with cause.code ETIMEDOUT.
const gp = require("geppetto");
const base = process.env.GP_TEST_HTTP;
const slack = process.env.GP_TEST_SANITIZER ? 400 : 100;

async function closedWithin(id) {
  const s = await (await fetch(`${base}/wait-close?id=${id}&ms=2000`)).json();
  assert.equal(s.closedEarly, true, `the server saw ${id}'s connection closed`);
  return s;
}

// The stalling port's connections all closed, as the server sees them, within `slack` ms.
async function stallPortEmpty() {
  const t = performance.now();
  let open;
  while ((open = (await (await fetch(`${base}/stall-port`)).json()).open) > 0 && performance.now() - t < slack)
    await sleep(5);
  assert.equal(open, 0, `the server still holds ${open} connection(s) of the stalling port`);
}

(async () => {
  // before: rejects at once, no request made
  const pre = AbortSignal.abort();
  const e0 = await assert.rejects(() => fetch(`${base}/echo?pre=1`, { signal: pre }));
  assert.equal(e0.name, "AbortError");
  assert.ok(e0 instanceof DOMException);
  const log = await (await fetch(`${base}/log`)).json();
  assert.ok(!log.some((q) => q.url.includes("pre=1")), "an aborted signal sends nothing");

  // while the head is awaited
  const c1 = new AbortController();
  const p1 = fetch(`${base}/hang?id=abort1`, { signal: c1.signal });
  await sleep(200);
  let t = performance.now();
  c1.abort();
  const e1 = await assert.rejects(() => p1);
  let took = performance.now() - t;
  assert.equal(e1.name, "AbortError");
  assert.ok(took < slack, `rejected ${took.toFixed(1)} ms after abort()`);
  const s1 = await closedWithin("abort1");
  assert.ok(s1.closedAtMs - (s1.startedAtMs + 200) < 100 + slack, "closed soon after the abort");

  // mid-body, a read pending
  const c2 = new AbortController();
  const r2 = await fetch(`${base}/stall?bytes=1000&id=abort2`, { signal: c2.signal });
  const reader = r2.body.getReader();
  assert.equal((await reader.read()).value.length, 1000);
  const pending = reader.read();
  t = performance.now();
  c2.abort(new Error("enough"));
  const e2 = await assert.rejects(() => pending);
  took = performance.now() - t;
  assert.equal(e2.message, "enough", "the read rejects with the abort's reason");
  assert.ok(took < slack, `read rejected ${took.toFixed(1)} ms after abort()`);
  await closedWithin("abort2");

  // mid-body, text() pending
  const c3 = new AbortController();
  const r3 = await fetch(`${base}/stall?bytes=10&id=abort3`, { signal: c3.signal });
  const text = r3.text();
  setTimeout(() => c3.abort(), 50);
  assert.equal((await assert.rejects(() => text)).name, "AbortError");
  await closedWithin("abort3");

  // while connecting: the stalling port accepts TCP and never answers the TLS hello
  const stalled = `https://127.0.0.1:${process.env.GP_TEST_STALL_PORT}/`;
  const c7 = new AbortController();
  const p7 = fetch(stalled, { signal: c7.signal });
  await sleep(200);
  assert.equal(gp.runtime.stats().openFetches, 1, "the handshake is under way");
  assert.equal((await (await fetch(`${base}/stall-port`)).json()).open, 1, "connected, the hello unanswered");
  t = performance.now();
  c7.abort();
  const e7 = await assert.rejects(() => p7);
  took = performance.now() - t;
  assert.equal(e7.name, "AbortError");
  assert.ok(e7 instanceof DOMException);
  assert.ok(took < slack, `a connecting fetch rejected ${took.toFixed(1)} ms after abort()`);
  assert.equal(gp.runtime.stats().openFetches, 0, "the connecting transfer is closed");
  await stallPortEmpty();
  console.log(`abort while connecting: rejected ${took.toFixed(1)} ms after abort()`);

  // connectTimeoutMs bounds the handshake: ETIMEDOUT, nothing left open
  t = performance.now();
  const e8 = await assert.rejects(() => fetch(stalled, { connectTimeoutMs: 300 }));
  took = performance.now() - t;
  assert.ok(e8 instanceof TypeError && e8.message === "fetch failed", String(e8));
  assert.equal(e8.cause.code, "ETIMEDOUT", String(e8.cause && e8.cause.message));
  assert.ok(took >= 290 && took < 300 + slack + 100, `timed out after ${took.toFixed(1)} ms`);
  assert.equal(gp.runtime.stats().openFetches, 0);
  await stallPortEmpty();

  // AbortSignal.timeout while waiting
  t = performance.now();
  const e4 = await assert.rejects(() => fetch(`${base}/hang?id=abort4`, { signal: AbortSignal.timeout(150) }));
  took = performance.now() - t;
  assert.equal(e4.name, "TimeoutError");
  assert.ok(took >= 140 && took < 150 + slack + 100, `timed out after ${took.toFixed(1)} ms`);
  await closedWithin("abort4");

  // AbortSignal.any of a controller and a timeout
  const c5 = new AbortController();
  const p5 = fetch(`${base}/hang?id=abort5`, { signal: AbortSignal.any([c5.signal, AbortSignal.timeout(10000)]) });
  setTimeout(() => c5.abort("stop"), 50);
  assert.equal(await assert.rejects(() => p5), "stop");
  await closedWithin("abort5");

  // aborting after the body was read changes nothing
  const c6 = new AbortController();
  const r6 = await fetch(`${base}/length?bytes=5`, { signal: c6.signal });
  assert.equal((await r6.bytes()).length, 5);
  c6.abort();
  console.log("fetch_abort: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
