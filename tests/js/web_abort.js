// AbortController and AbortSignal (WHATWG DOM, SPEC §3.1, §3.5): abort(reason), the
// signal's aborted/reason/throwIfAborted/onabort, one 'abort' event, AbortSignal.abort,
// AbortSignal.timeout and AbortSignal.any (already aborted inputs, the first source to
// abort gives its reason, any() of any(), many dependents dropped without a crash).
// expect-stdout: web_abort: ok
// timeout: 30

// A timeout signal does not keep the process alive (web_abort_timeout_unref.js): while
// waiting for one, a plain timer does.
function abortedWith(s) {
  const keep = setTimeout(() => {}, 10000);
  return new Promise((res) => s.addEventListener("abort", () => { clearTimeout(keep); res(s.reason); }, { once: true }));
}

(async () => {
  // ---- AbortController.abort ----------------------------------------------------------
  {
    const ac = new AbortController();
    const s = ac.signal;
    assert(s === ac.signal, "signal is the same object each time");
    assert(s instanceof AbortSignal && s instanceof EventTarget);
    assert.equal(s.aborted, false);
    assert.equal(s.reason, undefined);
    s.throwIfAborted(); // no throw
    let events = 0, onabortCalls = 0, thisSeen, evSeen;
    s.addEventListener("abort", (e) => { events++; evSeen = e; });
    s.onabort = function (e) { onabortCalls++; thisSeen = this; };
    assert.equal(typeof s.onabort, "function");
    ac.abort();
    assert.equal(s.aborted, true);
    assert(s.reason instanceof DOMException, "default reason is a DOMException");
    assert.equal(s.reason.name, "AbortError");
    assert.equal(s.reason.code, 20);
    assert.equal(events, 1);
    assert.equal(onabortCalls, 1);
    assert(thisSeen === s, "onabort's this is the signal");
    assert.equal(evSeen.type, "abort");
    assert(evSeen.target === s);
    assert.equal(evSeen.isTrusted, true, "the abort event is trusted (fired by the runtime)");
    const first = s.reason;
    ac.abort(new Error("later"));
    assert.equal(events, 1, "abort twice fires once");
    assert(s.reason === first, "the first reason stays");
    let thrown;
    try { s.throwIfAborted(); } catch (e) { thrown = e; }
    assert(thrown === first, "throwIfAborted throws the reason itself");
    // a listener added after the abort is never called
    let late = 0;
    s.addEventListener("abort", () => late++);
    ac.abort();
    assert.equal(late, 0);
    s.onabort = null;
    assert.equal(s.onabort, null);
  }
  // custom reasons, of any type
  for (const reason of [new Error("mine"), "a string", 0, null, { x: 1 }]) {
    const ac = new AbortController();
    ac.abort(reason);
    assert(ac.signal.reason === reason, "custom reason kept: " + String(reason));
    let thrown = "none";
    try { ac.signal.throwIfAborted(); } catch (e) { thrown = e; }
    assert(thrown === reason, "throwIfAborted throws the custom reason");
  }
  {
    let threw = false;
    try { new AbortSignal(); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "new AbortSignal() is a TypeError");
    assert.equal(Object.prototype.toString.call(new AbortController()), "[object AbortController]");
    assert.equal(Object.prototype.toString.call(AbortSignal.abort()), "[object AbortSignal]");
  }
  // listener order: registration order, onabort where it was first set
  {
    const ac = new AbortController();
    const order = [];
    ac.signal.addEventListener("abort", () => order.push("a"));
    ac.signal.onabort = () => order.push("on1");
    ac.signal.addEventListener("abort", () => order.push("b"));
    ac.signal.onabort = () => order.push("on2"); // replaces the handler, keeps its place
    ac.signal.addEventListener("abort", () => order.push("c"), { once: true });
    ac.abort();
    assert.equal(order.join(","), "a,on2,b,c", "listener order");
  }
  // onabort returning false cancels nothing (abort events are not cancelable)
  {
    const ac = new AbortController();
    ac.signal.onabort = () => false;
    ac.abort();
    assert.equal(ac.signal.aborted, true);
  }

  // ---- AbortSignal.abort ------------------------------------------------------------
  {
    const s = AbortSignal.abort();
    assert.equal(s.aborted, true);
    assert.equal(s.reason.name, "AbortError");
    const r = new Error("why");
    assert(AbortSignal.abort(r).reason === r, "AbortSignal.abort(reason)");
  }

  // ---- AbortSignal.timeout ----------------------------------------------------------
  {
    const t0 = performance.now();
    const s = AbortSignal.timeout(50);
    assert.equal(s.aborted, false);
    const reason = await abortedWith(s);
    const dt = performance.now() - t0;
    assert(dt >= 45, "timeout fired too early: " + dt);
    assert(dt < 2000, "timeout fired far too late: " + dt);
    assert(reason instanceof DOMException, "timeout reason is a DOMException");
    assert.equal(reason.name, "TimeoutError");
    assert.equal(reason.code, 23);
    assert.equal(s.aborted, true);
    const z = AbortSignal.timeout(0);
    await abortedWith(z);
    assert.equal(z.reason.name, "TimeoutError", "timeout(0) fires on a later turn");
    for (const bad of [-1, NaN, Infinity]) {
      let threw = false;
      try { AbortSignal.timeout(bad); } catch (e) { threw = e instanceof TypeError; }
      assert(threw, "timeout(" + bad + ") is a TypeError");
    }
    // a timeout longer than setTimeout's maximum is accepted
    assert.equal(AbortSignal.timeout(2 ** 40).aborted, false);
  }

  // ---- AbortSignal.any --------------------------------------------------------------
  {
    // an input already aborted: the result is aborted at once with its reason
    const r = new Error("early");
    const a = new AbortController();
    const s = AbortSignal.any([a.signal, AbortSignal.abort(r), AbortSignal.abort(new Error("second"))]);
    assert.equal(s.aborted, true);
    assert(s.reason === r, "the first aborted input's reason");
    // empty list: never aborts
    assert.equal(AbortSignal.any([]).aborted, false);
  }
  {
    // the first to abort wins
    const a = new AbortController(), b = new AbortController();
    const s = AbortSignal.any([a.signal, b.signal]);
    let fired = 0;
    s.addEventListener("abort", () => fired++);
    const rb = new Error("b first");
    b.abort(rb);
    assert.equal(s.aborted, true, "aborts synchronously with its source");
    assert(s.reason === rb);
    a.abort(new Error("a later"));
    assert(s.reason === rb, "the later abort does not change the reason");
    assert.equal(fired, 1, "the dependent's abort event fires once");
  }
  {
    // order: the source's listeners, then the dependent's
    const a = new AbortController();
    const order = [];
    const s = AbortSignal.any([a.signal]);
    s.addEventListener("abort", () => order.push("dep"));
    a.signal.addEventListener("abort", () => order.push("src"));
    a.abort();
    assert.equal(order.join(","), "src,dep", "source's event first");
  }
  {
    // nested: any of any, any with timeout
    const a = new AbortController(), b = new AbortController(), c = new AbortController();
    const inner = AbortSignal.any([a.signal, b.signal]);
    const outer = AbortSignal.any([inner, c.signal]);
    const r = new Error("from a");
    const got = abortedWith(outer);
    a.abort(r);
    assert.equal(inner.aborted, true);
    assert.equal(outer.aborted, true, "any(any) aborts with the deepest source");
    assert(outer.reason === r);
    assert((await got) === r);
    const t = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(20)]);
    const tr = await abortedWith(t);
    assert.equal(tr.name, "TimeoutError", "any() with a timeout signal");
    assert.equal(t.reason.name, "TimeoutError");
  }
  {
    let threw = false;
    try { AbortSignal.any([{}]); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "any() of a non-signal is a TypeError");
    threw = false;
    try { AbortSignal.any(null); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "any(null) is a TypeError");
  }
  {
    // many dependents made and dropped: the source holds them weakly; nothing breaks
    const src = new AbortController();
    for (let i = 0; i < 20000; i++) {
      const d = AbortSignal.any([src.signal]);
      if (i % 1000 === 0) d.addEventListener("abort", () => {}); // held: it has a listener
      const junk = new Array(50).fill(i); // some garbage so collections happen
    }
    // a dependent with a listener and no other reference is still told
    let told = false;
    (() => { AbortSignal.any([src.signal]).addEventListener("abort", () => (told = true)); })();
    for (let i = 0; i < 2000; i++) new Array(1000).fill(i);
    await new Promise((r) => setTimeout(r, 10));
    src.abort();
    assert(told, "a dependent kept alive by its listener is told");
  }

  {
    // a dependent's listeners removed and added again, another source aborting first:
    // it is still told, once, by the source that aborts
    const long = new AbortController(), other = new AbortController();
    const d = AbortSignal.any([long.signal, other.signal]);
    const f = () => {};
    d.addEventListener("abort", f);
    d.removeEventListener("abort", f);
    let told = 0;
    d.addEventListener("abort", () => told++);
    const r = new Error("other");
    other.abort(r);
    long.abort(new Error("long"));
    assert.equal(told, 1);
    assert(d.reason === r);
    // many aborted dependents of one long-lived source: their sources let them go
    const keep = new AbortController();
    for (let i = 0; i < 5000; i++) {
      const inner = new AbortController();
      AbortSignal.any([keep.signal, inner.signal]).addEventListener("abort", () => {});
      inner.abort();
    }
    keep.abort();
  }

  // addEventListener's signal option with AbortSignal.any
  {
    const a = new AbortController();
    const t = new EventTarget();
    let n = 0;
    t.addEventListener("x", () => n++, { signal: AbortSignal.any([a.signal]) });
    t.dispatchEvent(new Event("x"));
    a.abort();
    t.dispatchEvent(new Event("x"));
    assert.equal(n, 1, "an any() signal removes the listener");
  }
  console.log("web_abort: ok");
})().catch((e) => { console.error("FAIL", e, e && e.stack); process.exit(1); });
