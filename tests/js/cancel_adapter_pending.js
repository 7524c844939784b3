// timeout: 20
// Canceling a run while a JS piece's promise is pending — an engine function, and a
// middleware that never calls next — through the one adapter primitive both use: the
// run ends CANCELED at once, the piece's ctx.signal aborts, and the call holds nothing
// of the owner: the promise never settles, yet the process exits (the owner's pending
// call was finished by the cancel, so nothing is left for it to wait for).
const gp = require("geppetto");
const limit = process.env.GP_TEST_SANITIZER ? 400 : 100;
let signal = null;
const never = () => new Promise(() => {}); // never settles
const pieces = {
  engine: () => ({
    engine: gp.engines.fromFunction((turn, ctx) => { signal = ctx.signal; return never(); }),
  }),
  middleware: () => ({
    engine: gp.engines.echo("hi"),
    middlewares: [gp.middlewares.fromJS(async (turn, next, ctx) => {
      signal = ctx.signal;
      await never();
      return next(turn);
    })],
  }),
};
(async () => {
  for (const [kind, options] of Object.entries(pieces)) {
    for (const how of ["cancel", "cancelActive"]) {
      const label = `${kind}, ${how}`;
      const s = gp.createSession(options());
      const h = s.start("q");
      await new Promise((r) => setTimeout(r, 30));
      assert(signal, `${label}: the ${kind} was called`);
      const t0 = Date.now();
      assert.equal(how === "cancel" ? h.cancel() : s.cancelActive(), true, label);
      const e = await assert.rejects(h.promise);
      const ms = Date.now() - t0;
      assert.equal(e.code, "CANCELED", label);
      assert(ms < limit, `${label}: ended ${ms} ms after the cancel (limit ${limit})`);
      assert.equal(signal.aborted, true, `${label}: ctx.signal aborted`);
      assert.equal(s.isRunning(), false, label);
      signal = null;
    }
  }
})();
