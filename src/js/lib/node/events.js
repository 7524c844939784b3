// Node's `events` (SPEC §3.2): EventEmitter (on/addListener, once, off/removeListener,
// prepend*, emit, listenerCount, listeners, rawListeners, eventNames,
// removeAllListeners, set/getMaxListeners; an 'error' emitted with no listener throws)
// and events.once(emitter, name, {signal}) as a promise.
(function (host, lib, g) {
  "use strict";
  const kEvents = Symbol("events");
  let defaultMaxListeners = 10;

  function checkListener(fn) {
    if (typeof fn !== "function") {
      const e = new TypeError('The "listener" argument must be of type function');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
  }
  function table(em) {
    if (!Object.prototype.hasOwnProperty.call(em, kEvents) || em[kEvents] === undefined) {
      Object.defineProperty(em, kEvents, { value: new Map(), writable: true, configurable: true });
    }
    return em[kEvents];
  }
  function wrapOnce(em, name, fn) {
    const state = { fired: false };
    const w = function (...args) {
      if (state.fired) return undefined;
      state.fired = true;
      em.removeListener(name, w);
      return fn.apply(this, args);
    };
    w.listener = fn;
    return w;
  }

  // Works on any object with EventEmitter.prototype (subclass or Object.create).
  function add(em, name, fn, prepend) {
    checkListener(fn);
    const t = table(em);
    if (t.has("newListener")) em.emit("newListener", name, fn.listener || fn);
    const list = t.get(name);
    if (list === undefined) t.set(name, [fn]);
    else if (prepend) list.unshift(fn);
    else list.push(fn);
    return em;
  }

  class EventEmitter {
    constructor() { table(this); this._maxListeners = undefined; }
    static get defaultMaxListeners() { return defaultMaxListeners; }
    static set defaultMaxListeners(n) { defaultMaxListeners = n; }

    on(name, fn) { return add(this, name, fn, false); }
    addListener(name, fn) { return add(this, name, fn, false); }
    prependListener(name, fn) { return add(this, name, fn, true); }
    once(name, fn) { checkListener(fn); return add(this, name, wrapOnce(this, name, fn), false); }
    prependOnceListener(name, fn) { checkListener(fn); return add(this, name, wrapOnce(this, name, fn), true); }
    removeListener(name, fn) {
      checkListener(fn);
      const t = table(this);
      const list = t.get(name);
      if (list === undefined) return this;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === fn || list[i].listener === fn) {
          const removed = list[i];
          list.splice(i, 1);
          if (list.length === 0) t.delete(name);
          if (t.has("removeListener")) this.emit("removeListener", name, removed.listener || removed);
          break;
        }
      }
      return this;
    }
    off(name, fn) { return this.removeListener(name, fn); }
    removeAllListeners(name) {
      const t = table(this);
      if (name === undefined) t.clear();
      else t.delete(name);
      return this;
    }
    emit(name, ...args) {
      const list = table(this).get(name);
      if (list === undefined) {
        if (name === "error") {
          const err = args[0];
          if (err instanceof Error) throw err;
          const e = new Error("Unhandled error." + (err === undefined ? "" : ` (${String(err)})`));
          e.code = "ERR_UNHANDLED_ERROR";
          e.context = err;
          throw e;
        }
        return false;
      }
      for (const fn of list.slice()) fn.apply(this, args);
      return true;
    }
    listenerCount(name, fn) {
      const list = table(this).get(name);
      if (list === undefined) return 0;
      return fn === undefined ? list.length : list.filter((l) => l === fn || l.listener === fn).length;
    }
    listeners(name) { return (table(this).get(name) || []).map((l) => l.listener || l); }
    rawListeners(name) { return (table(this).get(name) || []).slice(); }
    eventNames() { return [...table(this).keys()]; }
    setMaxListeners(n) { this._maxListeners = n; return this; }
    getMaxListeners() { return this._maxListeners === undefined ? defaultMaxListeners : this._maxListeners; }
  }

  function abortError(signal) {
    const e = new Error("The operation was aborted", { cause: signal && signal.reason });
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    return e;
  }
  // A promise of the arguments of the next `name` event; rejects on 'error' (unless the
  // awaited event is 'error') and when options.signal aborts.
  function once(em, name, options) {
    const signal = options && options.signal;
    if (signal && signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        em.removeListener(name, onEvent);
        if (name !== "error") em.removeListener("error", onError);
        if (signal) signal.removeEventListener("abort", onAbort);
      };
      const onEvent = (...args) => { cleanup(); resolve(args); };
      const onError = (err) => { cleanup(); reject(err); };
      const onAbort = () => { cleanup(); reject(abortError(signal)); };
      em.on(name, onEvent);
      if (name !== "error") em.on("error", onError);
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
    });
  }
  function listenerCount(em, name) { return em.listenerCount(name); }

  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.once = once;
  EventEmitter.listenerCount = listenerCount;
  EventEmitter.errorMonitor = Symbol("events.errorMonitor");
  return EventEmitter;
})
