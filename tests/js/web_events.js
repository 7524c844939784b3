// EventTarget, Event, CustomEvent and DOMException (WHATWG DOM, SPEC §3.1): listener
// registration (dedupe, once, signal, passive, handleEvent objects), dispatch order,
// propagation stops, cancelation, the event's fields during and after dispatch,
// re-dispatch, subclassing, and DOMException's name/code table.
// expect-stdout: web_events: ok
// timeout: 20

// ---- addEventListener / removeEventListener ------------------------------------------
{
  const t = new EventTarget();
  const calls = [];
  const f = () => calls.push("f");
  t.addEventListener("x", f);
  t.addEventListener("x", f);                   // same listener, same capture: ignored
  t.addEventListener("x", f, { capture: false }); // same again
  t.addEventListener("x", f, true);             // capture differs: a second listener
  t.dispatchEvent(new Event("x"));
  assert.equal(calls.length, 2, "dedupe by (callback, capture)");
  t.removeEventListener("x", f);                // removes the non-capture one only
  calls.length = 0;
  t.dispatchEvent(new Event("x"));
  assert.equal(calls.length, 1, "the capture listener stays");
  t.removeEventListener("x", f, { capture: true });
  calls.length = 0;
  t.dispatchEvent(new Event("x"));
  assert.equal(calls.length, 0, "both removed");
  t.removeEventListener("x", f);                // removing twice is harmless
  t.addEventListener("x", null);                // null listener: ignored
  assert(t.dispatchEvent(new Event("x")), "no listeners: true");
  let threw = false;
  try { t.addEventListener("x", 42); } catch (e) { threw = e instanceof TypeError; }
  assert(threw, "a number as listener is a TypeError");
}
// once
{
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assert.equal(n, 1, "once runs once");
  // a once listener re-added during its own call is a new registration
  let m = 0;
  const g = () => { m++; if (m === 1) t.addEventListener("y", g, { once: true }); };
  t.addEventListener("y", g, { once: true });
  t.dispatchEvent(new Event("y"));
  t.dispatchEvent(new Event("y"));
  t.dispatchEvent(new Event("y"));
  assert.equal(m, 2, "once re-added in its call runs at the next dispatch only");
}
// signal option
{
  const t = new EventTarget();
  const ac = new AbortController();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: ac.signal });
  t.dispatchEvent(new Event("x"));
  ac.abort();
  t.dispatchEvent(new Event("x"));
  assert.equal(n, 1, "abort of the signal removes the listener");
  t.addEventListener("x", () => n++, { signal: AbortSignal.abort() });
  t.dispatchEvent(new Event("x"));
  assert.equal(n, 1, "an aborted signal adds nothing");
  // the signal removes its own registration only: the same listener removed and added
  // again without the signal stays
  const ac2 = new AbortController();
  let k = 0;
  const h = () => k++;
  t.addEventListener("y", h, { signal: ac2.signal });
  t.removeEventListener("y", h);
  t.addEventListener("y", h);
  ac2.abort();
  t.dispatchEvent(new Event("y"));
  assert.equal(k, 1, "a later registration of the same listener survives the abort");
  const ac3 = new AbortController();
  t.addEventListener("z", h, { once: true, signal: ac3.signal });
  t.dispatchEvent(new Event("z"));
  t.addEventListener("z", h);
  ac3.abort();
  t.dispatchEvent(new Event("z"));
  assert.equal(k, 3, "a once+signal listener re-added after it ran survives the abort");
  // once removes through the target's internals, not an overridden removeEventListener
  class Quiet extends EventTarget { removeEventListener() { throw new Error("not to be called"); } }
  const q = new Quiet();
  let qn = 0;
  q.addEventListener("x", () => qn++, { once: true });
  q.dispatchEvent(new Event("x"));
  q.dispatchEvent(new Event("x"));
  assert.equal(qn, 1);
  let threw = false;
  try { t.addEventListener("x", () => {}, { signal: {} }); } catch (e) { threw = e instanceof TypeError; }
  assert(threw, "a non-AbortSignal signal is a TypeError");
}
// passive: preventDefault is ignored inside a passive listener
{
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault(), { passive: true });
  const e = new Event("x", { cancelable: true });
  assert.equal(t.dispatchEvent(e), true, "passive listener cannot cancel");
  assert.equal(e.defaultPrevented, false);
  t.addEventListener("x", (e) => e.preventDefault());
  const e2 = new Event("x", { cancelable: true });
  assert.equal(t.dispatchEvent(e2), false, "a non-passive one after it can");
}
// handleEvent objects, and `this`
{
  const t = new EventTarget();
  const seen = [];
  const obj = { handleEvent(e) { seen.push([this, e.type]); } };
  t.addEventListener("x", obj);
  t.addEventListener("x", obj); // deduped by identity
  t.addEventListener("x", function (e) { seen.push([this, e.type]); });
  t.dispatchEvent(new Event("x"));
  assert.equal(seen.length, 2);
  assert(seen[0][0] === obj, "handleEvent called with the object as this");
  assert(seen[1][0] === t, "a function listener's this is the target");
  // handleEvent looked up at dispatch time
  const late = {};
  t.addEventListener("z", late);
  late.handleEvent = () => seen.push("late");
  t.dispatchEvent(new Event("z"));
  assert.equal(seen[2], "late", "handleEvent is read when the event is dispatched");
}

// ---- dispatch order, listeners added/removed during dispatch --------------------------
{
  const t = new EventTarget();
  const order = [];
  const b = () => order.push("b");
  t.addEventListener("x", () => order.push("a"));
  t.addEventListener("x", () => order.push("capture"), { capture: true });
  t.addEventListener("x", () => { order.push("c"); t.removeEventListener("x", b); t.addEventListener("x", () => order.push("added")); });
  t.addEventListener("x", b);
  t.dispatchEvent(new Event("x"));
  // at the target, capture listeners run first (DOM since 2021), then the others in order
  assert.equal(order.join(","), "capture,a,c", "order; removed skipped, added not run");
  order.length = 0;
  t.dispatchEvent(new Event("x"));
  assert.equal(order.join(","), "capture,a,c,added", "the added one runs next time");
}
// stopImmediatePropagation / stopPropagation
{
  const t = new EventTarget();
  const order = [];
  t.addEventListener("x", (e) => { order.push(1); e.stopImmediatePropagation(); });
  t.addEventListener("x", () => order.push(2));
  t.dispatchEvent(new Event("x"));
  assert.equal(order.join(","), "1", "stopImmediatePropagation stops the other listeners");
  const t2 = new EventTarget();
  const o2 = [];
  t2.addEventListener("x", (e) => { o2.push(1); e.stopPropagation(); });
  t2.addEventListener("x", () => o2.push(2));
  const ev = new Event("x");
  t2.dispatchEvent(ev);
  assert.equal(o2.join(","), "1,2", "stopPropagation does not stop listeners of the same target");
  assert.equal(ev.cancelBubble, false, "the stop flag is cleared after dispatch");
}

// ---- preventDefault / cancelable / defaultPrevented / return value ----------------------
{
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault());
  const nc = new Event("x");
  assert.equal(t.dispatchEvent(nc), true, "not cancelable: preventDefault ignored");
  assert.equal(nc.defaultPrevented, false);
  const c = new Event("x", { cancelable: true });
  assert.equal(c.defaultPrevented, false);
  assert.equal(t.dispatchEvent(c), false, "canceled: dispatchEvent returns false");
  assert.equal(c.defaultPrevented, true);
  assert.equal(c.returnValue, false);
  const r = new Event("y", { cancelable: true });
  r.returnValue = false;
  assert.equal(r.defaultPrevented, true, "returnValue = false cancels");
}

// ---- the event's fields ---------------------------------------------------------------
{
  const t = new EventTarget();
  const e = new Event("hello", { bubbles: true, composed: true });
  assert.equal(e.type, "hello");
  assert.equal(e.bubbles, true);
  assert.equal(e.composed, true);
  assert.equal(e.cancelable, false);
  assert.equal(e.target, null);
  assert.equal(e.currentTarget, null);
  assert.equal(e.eventPhase, Event.NONE);
  assert.equal(e.eventPhase, 0);
  assert.equal(e.isTrusted, false);
  assert(Object.getOwnPropertyDescriptor(e, "isTrusted"), "isTrusted is an own (unforgeable) property");
  const ac = new AbortController();
  let trusted;
  ac.signal.onabort = (ev) => (trusted = ev.isTrusted);
  ac.abort();
  assert.equal(trusted, true, "an event the runtime fires (abort) is trusted");
  assert.equal(typeof e.timeStamp, "number");
  assert(e.timeStamp >= 0 && e.timeStamp <= performance.now() + 1, "timeStamp is on the performance.now() clock");
  assert.equal(Event.AT_TARGET, 2);
  assert.equal(Event.CAPTURING_PHASE, 1);
  assert.equal(Event.BUBBLING_PHASE, 3);
  let inside;
  t.addEventListener("hello", (ev) => {
    inside = { target: ev.target, current: ev.currentTarget, phase: ev.eventPhase, path: ev.composedPath() };
  });
  t.dispatchEvent(e);
  assert(inside.target === t && inside.current === t, "target and currentTarget during dispatch");
  assert.equal(inside.phase, Event.AT_TARGET);
  assert.equal(inside.path.length, 1);
  assert(inside.path[0] === t);
  assert(e.target === t, "target stays after dispatch");
  assert.equal(e.currentTarget, null, "currentTarget is null after dispatch");
  assert.equal(e.eventPhase, Event.NONE);
  assert.equal(e.composedPath().length, 0);
  assert.equal(Object.prototype.toString.call(e), "[object Event]");
  let threw = false;
  try { new Event(); } catch (err) { threw = err instanceof TypeError; }
  assert(threw, "new Event() without a type is a TypeError");
  // an event may be dispatched again once its dispatch is over
  const t2 = new EventTarget();
  let n = 0;
  t2.addEventListener("hello", () => n++);
  assert.equal(t2.dispatchEvent(e), true);
  assert.equal(n, 1, "an event is dispatched again after its first dispatch");
  assert(e.target === t2);
}
// re-dispatching an event being dispatched
{
  const t = new EventTarget();
  let err;
  t.addEventListener("x", (e) => {
    try { t.dispatchEvent(e); } catch (x) { err = x; }
  });
  t.dispatchEvent(new Event("x"));
  assert(err instanceof DOMException, "re-dispatch throws a DOMException");
  assert.equal(err.name, "InvalidStateError");
  assert.equal(err.code, 11);
  let threw = false;
  try { t.dispatchEvent({ type: "x" }); } catch (x) { threw = x instanceof TypeError; }
  assert(threw, "dispatching a non-Event is a TypeError");
}

// ---- CustomEvent ----------------------------------------------------------------------
{
  const t = new EventTarget();
  const detail = { a: 1 };
  let got;
  t.addEventListener("c", (e) => (got = e.detail));
  const ce = new CustomEvent("c", { detail });
  assert(ce instanceof Event, "CustomEvent is an Event");
  t.dispatchEvent(ce);
  assert(got === detail, "detail passed by reference");
  assert.equal(new CustomEvent("c").detail, null, "default detail is null");
  assert.equal(Object.prototype.toString.call(ce), "[object CustomEvent]");
}

// ---- subclassing EventTarget and Event ------------------------------------------------
{
  class Emitter extends EventTarget {
    constructor() { super(); this.count = 0; }
    ping(n) { return this.dispatchEvent(new PingEvent(n)); }
  }
  class PingEvent extends Event {
    constructor(n) { super("ping", { cancelable: true }); this.n = n; }
  }
  const em = new Emitter();
  em.addEventListener("ping", function (e) { this.count += e.n; if (e.n < 0) e.preventDefault(); });
  assert.equal(em.ping(2), true);
  assert.equal(em.ping(-1), false);
  assert.equal(em.count, 1);
  assert(em instanceof EventTarget);
  // an object with EventTarget.prototype in its chain but no constructor call
  const bare = Object.create(EventTarget.prototype);
  let hit = 0;
  bare.addEventListener("x", () => hit++);
  bare.dispatchEvent(new Event("x"));
  assert.equal(hit, 1, "an EventTarget made without its constructor still works");
}

// ---- DOMException ---------------------------------------------------------------------
{
  const table = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
    InvalidNodeTypeError: 24, DataCloneError: 25,
    EncodingError: 0, NotReadableError: 0, OperationError: 0, DataError: 0, Whatever: 0,
  };
  for (const [name, code] of Object.entries(table))
    assert.equal(new DOMException("m", name).code, code, "code of " + name);
  assert.equal(DOMException.ABORT_ERR, 20);
  assert.equal(DOMException.TIMEOUT_ERR, 23);
  assert.equal(DOMException.DATA_CLONE_ERR, 25);
  assert.equal(DOMException.INVALID_STATE_ERR, 11);
  assert.equal(new DOMException().ABORT_ERR, 20, "constants on the prototype too");
  const d = new DOMException("it broke", "NotFoundError");
  assert(d instanceof DOMException);
  assert(d instanceof Error, "DOMException instanceof Error");
  assert.equal(d.name, "NotFoundError");
  assert.equal(d.message, "it broke");
  assert.equal(String(d), "NotFoundError: it broke");
  assert.equal(typeof d.stack, "string", "a DOMException has a stack");
  assert(d.stack.includes("web_events.js"), "its stack names this script: " + d.stack);
  assert.equal(Object.prototype.toString.call(d), "[object DOMException]");
  const dflt = new DOMException();
  assert.equal(dflt.name, "Error");
  assert.equal(dflt.message, "");
  assert.equal(dflt.code, 0);
  const withCause = new DOMException("m", { name: "AbortError", cause: "why" });
  assert.equal(withCause.name, "AbortError");
  assert.equal(withCause.cause, "why", "options {name, cause}");
  assert.equal(withCause.code, 20);
  assert(!Object.prototype.hasOwnProperty.call(d, "message"), "message is an accessor of the prototype");
  let threw = false;
  try { Object.getOwnPropertyDescriptor(DOMException.prototype, "name").get.call({}); } catch (e) { threw = e instanceof TypeError; }
  assert(threw, "the name getter checks its receiver");
  // a thrown DOMException is caught like any Error
  try { throw new DOMException("x", "AbortError"); } catch (e) { assert.equal(e.name, "AbortError"); }
}

console.log("web_events: ok");
