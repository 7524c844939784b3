// expect-stdout: node_events: ok
// require("events"): EventEmitter's listeners (on, once, prepend, off, counts, names),
// an unhandled 'error' throwing, subclasses, and events.once as a promise.
const EventEmitter = require("events");
assert.equal(require("node:events"), EventEmitter);
assert.equal(EventEmitter.EventEmitter, EventEmitter);

(async () => {
  const e = new EventEmitter();
  const seen = [];
  const a = (x) => seen.push("a" + x);
  e.on("x", a);
  e.once("x", (x) => seen.push("once" + x));
  e.prependListener("x", (x) => seen.push("first" + x));
  assert.equal(e.listenerCount("x"), 3);
  assert.equal(e.emit("x", 1), true);
  assert.equal(e.emit("x", 2), true);
  assert.deepEqual(seen, ["first1", "a1", "once1", "first2", "a2"]);
  assert.equal(e.emit("nothing"), false);
  e.off("x", a);
  assert.equal(e.listenerCount("x"), 1);
  assert.deepEqual(e.eventNames(), ["x"]);
  e.removeAllListeners("x");
  assert.deepEqual(e.eventNames(), []);

  // once() removed by the function it wraps
  const f = () => assert.fail("removed");
  e.once("y", f);
  assert.deepEqual(e.listeners("y"), [f]);
  e.removeListener("y", f);
  e.emit("y");

  // a listener removed during emit still runs this time (the list is copied)
  const order = [];
  const l2 = () => order.push(2);
  e.on("z", () => { order.push(1); e.off("z", l2); });
  e.on("z", l2);
  e.emit("z");
  e.emit("z");
  assert.deepEqual(order, [1, 2, 1]);

  // 'error' with no listener throws the error itself
  const boom = new Error("boom");
  assert.equal(assert.throws(() => e.emit("error", boom)), boom);
  assert.throws(() => e.emit("error", "text"), { code: "ERR_UNHANDLED_ERROR" });
  assert.throws(() => e.on("x", 5), { code: "ERR_INVALID_ARG_TYPE" });

  // newListener, subclassing, max listeners
  class Sub extends EventEmitter { hi() { this.emit("hi", "there"); } }
  const s = new Sub();
  const added = [];
  s.on("newListener", (n) => added.push(n));
  s.on("hi", () => {});
  assert.deepEqual(added, ["hi"]);
  assert.equal(s.getMaxListeners(), 10);
  assert.equal(s.setMaxListeners(20), s);
  assert.equal(s.getMaxListeners(), 20);

  // events.once: the arguments of the next event; rejects on 'error' and on abort
  setTimeout(() => s.hi(), 1);
  assert.deepEqual(await EventEmitter.once(s, "hi"), ["there"]);
  setTimeout(() => s.emit("error", new Error("bad")), 1);
  await assert.rejects(EventEmitter.once(s, "hi"), /bad/);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1);
  await assert.rejects(EventEmitter.once(s, "never", { signal: ac.signal }), { code: "ABORT_ERR", name: "AbortError" });
  assert.equal(s.listenerCount("never"), 0, "once() cleaned up after the abort");
  console.log("node_events: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
