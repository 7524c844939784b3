// gp.runtime.stats(): the owner thread's statistics.
const gp = require("geppetto");
const s = gp.createSession({ engine: gp.engines.fromFunction((t) => t) });
const h = s.start("q");
h.on("*", () => {});
h.promise.then(() => {
  const st = gp.runtime.stats();
  for (const k of ["queueDepth", "calls", "posts", "inline", "canceled", "failed", "rejected"])
    assert.equal(typeof st[k], "number", k);
  for (const k of ["p50", "p95", "p99", "max"]) {
    assert.equal(typeof st.enqueueToStartUs[k], "number");
    assert.equal(typeof st.execUs[k], "number");
  }
  assert(st.calls >= 1);
  assert(st.byOp["engine.fromFunction"], JSON.stringify(Object.keys(st.byOp)));
  assert.equal(st.byOp["engine.fromFunction"].count, 1);
  assert(st.posts >= 2, "events and settlement are posts");
});
