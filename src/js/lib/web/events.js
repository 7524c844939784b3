// DOMException, Event, CustomEvent and EventTarget (WHATWG DOM, SPEC §3.1). A listener
// that throws does not stop the dispatch: its exception is reported on stderr as an
// uncaught one (host.reportError) and the process's exit status becomes 1
// (process.exitCode), as Node ends with status 1 after such an error.
(function (host, lib, g) {
  "use strict";

  // ---- DOMException ----------------------------------------------------------------
  // name -> legacy code (WebIDL's table); other names have code 0.
  const legacyCodes = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
    InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const codeConstants = {
    INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7,
    NOT_FOUND_ERR: 8, NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11,
    SYNTAX_ERR: 12, INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15,
    VALIDATION_ERR: 16, TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19,
    ABORT_ERR: 20, URL_MISMATCH_ERR: 21, QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23,
    INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25,
  };
  const exState = new WeakMap(); // DOMException -> {name, message}
  function exOf(e, what) {
    const s = exState.get(e);
    if (!s) throw new TypeError(`DOMException.prototype.${what} called on an incompatible receiver`);
    return s;
  }
  // An Error subclass, so `instanceof Error` holds and `stack` is captured.
  class DOMException extends Error {
    constructor(message = "", options = "Error") {
      super();
      let name = options, cause;
      if (options !== null && typeof options === "object") {
        name = options.name === undefined ? "Error" : options.name;
        if ("cause" in options) cause = options.cause;
      }
      exState.set(this, { name: String(name), message: String(message) });
      if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, writable: true, configurable: true });
      delete this.message; // the accessors of the prototype answer
    }
    get name() { return exOf(this, "name").name; }
    get message() { return exOf(this, "message").message; }
    get code() { return legacyCodes[exOf(this, "code").name] || 0; }
    get [Symbol.toStringTag]() { return "DOMException"; }
  }
  for (const k of Object.keys(codeConstants)) {
    Object.defineProperty(DOMException, k, { value: codeConstants[k], enumerable: true });
    Object.defineProperty(DOMException.prototype, k, { value: codeConstants[k], enumerable: true });
  }

  // ---- Event -----------------------------------------------------------------------
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const evState = new WeakMap(); // Event -> internal state
  const timeOrigin = g.performance ? () => g.performance.now() : () => Date.now();
  function evOf(e) {
    const s = evState.get(e);
    if (!s) throw new TypeError("Illegal invocation: not an Event");
    return s;
  }
  class Event {
    constructor(type, init) {
      if (arguments.length === 0) throw new TypeError("Event constructor: the type argument is required");
      if (init !== undefined && init !== null && typeof init !== "object")
        throw new TypeError("Event constructor: the options must be an object");
      init = init || {};
      evState.set(this, {
        type: String(type), bubbles: !!init.bubbles, cancelable: !!init.cancelable,
        composed: !!init.composed, canceled: false, inPassive: false, stop: false,
        stopNow: false, dispatching: false, target: null, currentTarget: null,
        phase: NONE, timeStamp: timeOrigin(), trusted: false,
      });
      Object.defineProperty(this, "isTrusted", { get: isTrustedGetter, enumerable: true });
    }
    get type() { return evOf(this).type; }
    get target() { return evOf(this).target; }
    get srcElement() { return evOf(this).target; }
    get currentTarget() { return evOf(this).currentTarget; }
    get eventPhase() { return evOf(this).phase; }
    get bubbles() { return evOf(this).bubbles; }
    get cancelable() { return evOf(this).cancelable; }
    get composed() { return evOf(this).composed; }
    get defaultPrevented() { return evOf(this).canceled; }
    get returnValue() { return !evOf(this).canceled; }
    set returnValue(v) { if (!v) this.preventDefault(); }
    get cancelBubble() { return evOf(this).stop; }
    set cancelBubble(v) { if (v) evOf(this).stop = true; }
    get timeStamp() { return evOf(this).timeStamp; }
    composedPath() {
      const s = evOf(this);
      return s.dispatching && s.target ? [s.target] : [];
    }
    preventDefault() {
      const s = evOf(this);
      if (s.cancelable && !s.inPassive) s.canceled = true;
    }
    stopPropagation() { evOf(this).stop = true; }
    stopImmediatePropagation() { const s = evOf(this); s.stop = true; s.stopNow = true; }
    initEvent(type, bubbles, cancelable) {
      const s = evOf(this);
      if (s.dispatching) return;
      s.type = String(type); s.bubbles = !!bubbles; s.cancelable = !!cancelable;
      s.canceled = false; s.stop = false; s.stopNow = false;
    }
    get [Symbol.toStringTag]() { return "Event"; }
  }
  // true only for the events the runtime itself fires (trustedEvent), as a browser's
  // isTrusted marks the events of the user agent
  function isTrustedGetter() { const st = evState.get(this); return st !== undefined && st.trusted; }
  function trustedEvent(type) {
    const e = new Event(type);
    evState.get(e).trusted = true;
    return e;
  }
  const phases = { NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE };
  for (const k of Object.keys(phases)) {
    Object.defineProperty(Event, k, { value: phases[k], enumerable: true });
    Object.defineProperty(Event.prototype, k, { value: phases[k], enumerable: true });
  }

  class CustomEvent extends Event {
    #detail;
    constructor(type, init) {
      super(type, init);
      this.#detail = init && init.detail !== undefined ? init.detail : null;
    }
    get detail() { return this.#detail; }
    initCustomEvent(type, bubbles, cancelable, detail) {
      if (evOf(this).dispatching) return;
      this.initEvent(type, bubbles, cancelable);
      this.#detail = detail;
    }
    get [Symbol.toStringTag]() { return "CustomEvent"; }
  }

  // ---- EventTarget -----------------------------------------------------------------
  const listenersOf = new WeakMap(); // EventTarget -> Map(type -> [listener records])
  function flatten(options) {
    if (typeof options === "boolean") return { capture: options };
    if (options === null || options === undefined) return { capture: false };
    if (typeof options !== "object") return { capture: !!options };
    return options;
  }
  function reportException(e) {
    try { host.reportError(e); } catch (ignored) { /* printing failed: keep dispatching */ }
    if (g.process && typeof g.process === "object") g.process.exitCode = 1;
  }
  class EventTarget {
    constructor() { listenersOf.set(this, new Map()); }
    addEventListener(type, callback, options) {
      const map = mapOf(this);
      const o = flatten(options);
      const capture = !!o.capture;
      if (callback === null || callback === undefined) return;
      if (typeof callback !== "function" && typeof callback !== "object")
        throw new TypeError("EventTarget.addEventListener: the listener must be a function or an object");
      const signal = typeof options === "object" && options !== null ? options.signal : undefined;
      if (signal !== undefined) {
        const Abort = lib("abort").AbortSignal;
        if (!(signal instanceof Abort))
          throw new TypeError("EventTarget.addEventListener: options.signal must be an AbortSignal");
        if (signal.aborted) return;
      }
      type = String(type);
      let list = map.get(type);
      if (!list) { list = []; map.set(type, list); }
      if (list.some((l) => l.callback === callback && l.capture === capture)) return;
      const rec = { callback, capture, once: !!o.once, passive: !!o.passive, removed: false };
      list.push(rec);
      if (signal !== undefined) {
        // removes this registration only: the same callback added again later stays
        lib("abort").onAbort(signal, () => removeRecord(map, type, rec));
      }
    }
    removeEventListener(type, callback, options) {
      const map = mapOf(this);
      const capture = !!flatten(options).capture;
      const list = map.get(String(type));
      if (!list) return;
      const rec = list.find((l) => l.callback === callback && l.capture === capture);
      if (rec !== undefined) removeRecord(map, String(type), rec);
    }
    dispatchEvent(event) {
      if (!(event instanceof Event) || !evState.has(event))
        throw new TypeError("EventTarget.dispatchEvent: the argument must be an Event");
      const s = evState.get(event);
      if (s.dispatching)
        throw new DOMException("The event is already being dispatched", "InvalidStateError");
      s.dispatching = true;
      s.target = this;
      s.currentTarget = this;
      s.phase = AT_TARGET;
      try {
        invoke(this, event, s);
      } finally {
        s.dispatching = false;
        s.currentTarget = null;
        s.phase = NONE;
        s.stop = false;
        s.stopNow = false;
      }
      return !s.canceled;
    }
    get [Symbol.toStringTag]() { return "EventTarget"; }
  }
  function removeRecord(map, type, rec) {
    const list = map.get(type);
    const i = list === undefined ? -1 : list.indexOf(rec);
    if (i < 0) return;
    rec.removed = true;
    list.splice(i, 1);
  }
  // How many listeners for `type` the target has (AbortSignal's hold on dependents).
  function listenerCount(target, type) {
    const map = listenersOf.get(target);
    const list = map === undefined ? undefined : map.get(type);
    return list === undefined ? 0 : list.length;
  }
  function mapOf(t) {
    let m = listenersOf.get(t);
    if (m === undefined) {
      if (t === null || (typeof t !== "object" && typeof t !== "function"))
        throw new TypeError("Illegal invocation: not an EventTarget");
      m = new Map(); // an object made without the constructor (a subclass's prototype trick)
      listenersOf.set(t, m);
    }
    return m;
  }
  // Runs the listeners of the target (capture ones, then the others, as at-target
  // dispatch does), in order, on a copy of the list: those added meanwhile do not run,
  // removed ones are skipped.
  function invoke(target, event, s) {
    if (s.stop) return;
    const list = mapOf(target).get(s.type);
    if (!list || list.length === 0) return;
    const copy = list.slice();
    for (const capturePass of [true, false]) {
      for (const l of copy) {
        if (l.removed || l.capture !== capturePass) continue;
        if (l.once) removeRecord(mapOf(target), s.type, l);
        if (l.passive) s.inPassive = true;
        try {
          const cb = l.callback;
          if (typeof cb === "function") cb.call(target, event);
          else {
            const fn = cb.handleEvent;
            if (typeof fn !== "function") throw new TypeError("the listener object has no handleEvent method");
            fn.call(cb, event);
          }
        } catch (e) {
          reportException(e);
        }
        s.inPassive = false;
        if (s.stopNow) return;
      }
    }
  }
  // Event handler attributes (onabort...): a listener added at the first assignment of a
  // function; null removes it.
  function defineHandler(proto, name) {
    const key = new WeakMap();
    Object.defineProperty(proto, "on" + name, {
      configurable: true, enumerable: true,
      get() { const h = key.get(this); return h ? h.fn : null; },
      set(fn) {
        let h = key.get(this);
        if (typeof fn !== "function" && !(fn !== null && typeof fn === "object")) fn = null;
        if (fn === null) {
          if (h) { this.removeEventListener(name, h.listener); key.delete(this); }
          return;
        }
        if (h) { h.fn = fn; return; }
        h = { fn };
        h.listener = function (ev) {
          const f = h.fn;
          if (typeof f !== "function") return undefined;
          const r = f.call(this, ev);
          if (r === false) ev.preventDefault();
          return r;
        };
        key.set(this, h);
        this.addEventListener(name, h.listener);
      },
    });
  }

  return { DOMException, Event, CustomEvent, EventTarget, defineHandler, reportException, listenerCount,
           trustedEvent };
})
