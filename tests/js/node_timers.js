// require("timers") and require("node:timers/promises") (SPEC §3.2): setTimeout as a
// promise with its value, abort through {signal} (Node's AbortError, code ABORT_ERR),
// setInterval as an async iterator, and a Node module geppetto does not provide failing
// with MODULE_NOT_FOUND and what to use instead.
const timers = require("timers");
const tp = require("node:timers/promises");
assert.equal(require("timers/promises"), tp, "one module under both names");
assert.equal(timers.setTimeout, setTimeout);
assert.equal(timers.promises, tp);
assert.equal(require.resolve("timers"), "node:timers");

(async () => {
  const t0 = performance.now();
  assert.equal(await tp.setTimeout(30, "v"), "v");
  assert.ok(performance.now() - t0 >= 29);
  const c = new AbortController();
  const p = tp.setTimeout(10000, "never", { signal: c.signal });
  setTimeout(() => c.abort("why"), 10);
  const e = await assert.rejects(() => p);
  assert.equal(e.name, "AbortError");
  assert.equal(e.code, "ABORT_ERR");
  assert.equal(e.cause, "why");
  await assert.rejects(() => tp.setTimeout(1, 1, { signal: AbortSignal.abort() }), { code: "ABORT_ERR" });
  await assert.rejects(() => tp.setTimeout(1, 1, { signal: "no" }), { code: "ERR_INVALID_ARG_TYPE" });
  let n = 0;
  for await (const v of tp.setInterval(5, "tick")) { assert.equal(v, "tick"); if (++n === 4) break; }
  assert.equal(n, 4);
  await tp.scheduler.wait(5);

  for (const [name, hint] of [["http", "fetch"], ["node:net", "fetch"], ["worker_threads", "concurrent runs"], ["node:nonesuch", ""]]) {
    const err = assert.throws(() => require(name));
    assert.equal(err.code, "MODULE_NOT_FOUND");
    assert.ok(err.message.includes("geppetto does not provide"), err.message);
    assert.ok(err.message.includes(hint), err.message);
  }
  console.log("node_timers: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
