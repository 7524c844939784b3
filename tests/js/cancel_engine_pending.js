// timeout: 20
// Canceling a run while the JS engine function's promise is pending: the run ends
// CANCELED at once, the function's ctx.signal aborts, and the call holds nothing of the
// owner: the promise never settles, yet the process exits (the owner's pending call was
// finished by the cancel, so nothing is left for it to wait for).
const gp = require("geppetto");
const limit = process.env.GP_TEST_SANITIZER ? 400 : 100;
let signal = null;
const engine = gp.engines.fromFunction((turn, ctx) => {
  signal = ctx.signal;
  return new Promise(() => {}); // never settles
});
(async () => {
  for (const how of ["cancel", "cancelActive"]) {
    const s = gp.createSession({ engine });
    const h = s.start("q");
    await new Promise((r) => setTimeout(r, 30));
    assert(signal, "the engine function was called");
    const t0 = Date.now();
    assert.equal(how === "cancel" ? h.cancel() : s.cancelActive(), true);
    const e = await assert.rejects(h.promise);
    const ms = Date.now() - t0;
    assert.equal(e.code, "CANCELED");
    assert(ms < limit, `ended ${ms} ms after the cancel (limit ${limit})`);
    assert.equal(signal.aborted, true, "ctx.signal aborted");
    assert.equal(s.isRunning(), false);
    signal = null;
  }
})();
