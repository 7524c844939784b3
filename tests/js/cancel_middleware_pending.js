// timeout: 20
// Canceling a run while a JS middleware's promise is pending (it never calls next and
// never settles): the run ends CANCELED at once, the middleware's ctx.signal aborts, and
// the call holds nothing of the owner, so the process exits although the promise never
// settles (the middleware goes through the same adapter primitive as engines).
const gp = require("geppetto");
const limit = process.env.GP_TEST_SANITIZER ? 400 : 100;
let signal = null;
const hang = gp.middlewares.fromJS(async (turn, next, ctx) => {
  signal = ctx.signal;
  await new Promise(() => {}); // never settles
  return next(turn);
});
(async () => {
  for (const how of ["cancel", "cancelActive"]) {
    const s = gp.createSession({ engine: gp.engines.echo("hi"), middlewares: [hang] });
    const h = s.start("q");
    await new Promise((r) => setTimeout(r, 30));
    assert(signal, "the middleware was called");
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
