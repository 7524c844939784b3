// SPEC §4.7/§4.4: cancel() aborts running tool handlers' ctx.signal. The abort is seen
// as an AbortController's is: by the time cancel() (or cancelActive()) returns, and
// certainly before the canceled run's promise rejects — never a turn later.
const gp = require("geppetto");
const T = gp.turns;

function setup() {
  const seen = { sig: null, fired: 0 };
  const tools = gp.tools.createRegistry().register({
    name: "hang",
    handler: (args, ctx) => {
      seen.sig = ctx.signal;
      ctx.signal.addEventListener("abort", () => seen.fired++);
      return new Promise(() => {});
    },
  });
  let i = 0;
  const engine = gp.engines.fromFunction((turn) => i++ === 0
    ? T.appendBlock(turn, T.newToolCallBlock("h1", "hang", {}))
    : T.appendBlock(turn, T.newAssistantBlock("done")));
  return { seen, session: gp.createSession({ engine, tools }) };
}

async function waitFor(cond) {
  for (let n = 0; n < 200 && !cond(); n++) await sleep(5);
  assert(cond(), "the handler started");
}

(async () => {
  for (let round = 0; round < 20; round++) {
    const { seen, session } = setup();
    const h = session.start("go");
    await waitFor(() => seen.sig !== null);
    assert.equal(seen.sig.aborted, false, "not aborted before cancel");
    assert.equal(h.cancel(), true, "cancel() of a live run");
    assert.equal(seen.sig.aborted, true, "aborted when cancel() returns");
    assert.equal(seen.fired, 1, "the abort listener ran once");
    const e = await h.promise.then(() => null, (err) => err);
    assert(e && e.code === "CANCELED", "rejects CANCELED");
    assert.equal(seen.sig.reason.name, "AbortError");
    assert.equal(seen.fired, 1, "still once");
  }
  for (let round = 0; round < 20; round++) {
    const { seen, session } = setup();
    const p = session.runAsync("go");
    await waitFor(() => seen.sig !== null);
    assert.equal(session.cancelActive(), true, "cancelActive() of a live run");
    assert.equal(seen.sig.aborted, true, "aborted when cancelActive() returns");
    const e = await p.then(() => null, (err) => err);
    assert(e && e.code === "CANCELED", "rejects CANCELED");
  }
  // the rejection handler itself already sees the signal aborted
  for (let round = 0; round < 20; round++) {
    const { seen, session } = setup();
    const h = session.start("go");
    await waitFor(() => seen.sig !== null);
    let inCatch = null;
    const done = h.promise.catch(() => { inCatch = seen.sig.aborted; });
    h.cancel();
    await done;
    assert.equal(inCatch, true, "aborted before the promise rejects");
  }
})();
