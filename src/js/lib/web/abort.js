// AbortController and AbortSignal (WHATWG DOM §3.1-3.2, SPEC §3.1, §3.5): abort(reason),
// AbortSignal.abort/timeout/any, and the runtime's own signals (createSignal, used for
// ctx.signal of tools, engine functions and middlewares). A timeout's timer does not
// keep the process alive. A signal made by any() is referenced by its sources only
// weakly, unless someone listens to it (then it must stay alive to be told).
(function (host, lib, g) {
  "use strict";
  const { EventTarget, DOMException, defineHandler, reportException, listenerCount,
          trustedEvent } = lib("events");
  const key = Symbol("AbortSignal");
  const TIMEOUT_MAX = 2147483647; // the longest setTimeout delay
  let abortSignal, onAbort; // the class's internal steps, set by its static block

  class AbortSignal extends EventTarget {
    #aborted = false;
    #reason = undefined;
    #algorithms = new Set();        // internal abort steps, run before the event
    #sources = null;                // signals this one depends on (any()), or null
    #dependents = null;             // Set of WeakRef to signals made by any() from this one
    #held = null;                   // dependents kept alive because they have listeners
    #pruneAt = 8;                   // #dependents size at which dead entries are swept

    constructor(k) {
      if (k !== key) throw new TypeError("Illegal constructor: use new AbortController().signal");
      super();
    }
    get aborted() { return this.#check().#aborted; }
    get reason() { return this.#check().#reason; }
    throwIfAborted() {
      this.#check();
      if (this.#aborted) throw this.#reason;
    }
    #check() {
      if (!(#aborted in this)) throw new TypeError("Illegal invocation: not an AbortSignal");
      return this;
    }
    addEventListener(type, callback, options) {
      super.addEventListener(type, callback, options);
      if (String(type) === "abort" && callback) this.#holdByItsSources();
    }
    removeEventListener(type, callback, options) {
      super.removeEventListener(type, callback, options);
      if (String(type) === "abort") this.#releaseIfUnheard();
    }
    get [Symbol.toStringTag]() { return "AbortSignal"; }

    // Someone listens to a dependent signal: its sources keep it alive until it aborts,
    // or until no one listens any more (no 'abort' listener, no algorithm).
    #holdByItsSources() {
      if (this.#aborted || this.#sources === null) return;
      for (const src of this.#sources) {
        if (src.#held === null) src.#held = new Set();
        src.#held.add(this);
      }
    }
    #releaseIfUnheard() {
      if (this.#sources === null || this.#algorithms.size > 0 || listenerCount(this, "abort") > 0) return;
      this.#releaseBySources();
    }
    #releaseBySources() {
      if (this.#sources === null) return;
      for (const src of this.#sources) if (src.#held !== null) src.#held.delete(this);
    }
    #addDependent(dep) {
      if (this.#dependents === null) this.#dependents = new Set();
      if (this.#dependents.size >= this.#pruneAt) {
        for (const r of this.#dependents) if (r.deref() === undefined) this.#dependents.delete(r);
        this.#pruneAt = Math.max(8, this.#dependents.size * 2);
      }
      this.#dependents.add(new WeakRef(dep));
    }
    // "signal abort": the signal and its not yet aborted dependents take the reason,
    // then each runs its abort steps (algorithms, then the 'abort' event).
    static #signalAbort(signal, reason) {
      if (signal.#aborted) return;
      if (reason === undefined) reason = new DOMException("This operation was aborted", "AbortError");
      signal.#aborted = true;
      signal.#reason = reason;
      const deps = [];
      if (signal.#dependents !== null) {
        for (const r of signal.#dependents) {
          const d = r.deref();
          if (d !== undefined && !d.#aborted) {
            d.#aborted = true;
            d.#reason = reason;
            deps.push(d);
          }
        }
      }
      signal.#runAbortSteps();
      for (const d of deps) d.#runAbortSteps();
    }
    #runAbortSteps() {
      const algorithms = Array.from(this.#algorithms);
      this.#algorithms.clear();
      this.#releaseBySources(); // an aborted dependent is no longer held by its other sources
      this.#dependents = null;
      this.#held = null;
      this.#sources = null;
      for (const fn of algorithms) {
        try { fn(this.#reason); } catch (e) { reportException(e); }
      }
      this.dispatchEvent(trustedEvent("abort")); // isTrusted, as in Node and Deno
    }
    // Internal: fn(reason) runs once when the signal aborts (before its listeners).
    // Returns a function that unregisters it.
    static #addAlgorithm(signal, fn) {
      if (signal.#aborted) return () => {};
      signal.#algorithms.add(fn);
      signal.#holdByItsSources();
      return () => { signal.#algorithms.delete(fn); signal.#releaseIfUnheard(); };
    }

    static {
      abortSignal = (signal, reason) => AbortSignal.#signalAbort(signal, reason);
      onAbort = (signal, fn) => AbortSignal.#addAlgorithm(signal, fn);
    }

    static abort(reason) {
      const s = new AbortSignal(key);
      abortSignal(s, reason);
      return s;
    }
    static timeout(ms) {
      ms = Number(ms);
      if (!Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER)
        throw new TypeError(`AbortSignal.timeout: ${ms} is not a valid number of milliseconds`);
      ms = Math.trunc(ms);
      const s = new AbortSignal(key);
      const fire = () => abortSignal(s,
        new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      // a timer no longer than setTimeout's maximum, chained for longer delays
      const arm = (left) => {
        const step = Math.min(left, TIMEOUT_MAX);
        const id = setTimeout(() => (left > step ? arm(left - step) : fire()), step);
        host.timerUnref(id);
      };
      arm(ms);
      return s;
    }
    static any(signals) {
      if (signals === null || signals === undefined || typeof signals[Symbol.iterator] !== "function")
        throw new TypeError("AbortSignal.any: the argument must be an iterable of AbortSignals");
      const list = Array.from(signals);
      for (const s of list)
        if (!(s instanceof AbortSignal)) throw new TypeError("AbortSignal.any: every item must be an AbortSignal");
      const result = new AbortSignal(key);
      for (const s of list) {
        if (s.#aborted) {
          result.#aborted = true;
          result.#reason = s.#reason;
          return result;
        }
      }
      const sources = new Set();
      for (const s of list) {
        if (s.#sources === null) sources.add(s);
        else for (const src of s.#sources) sources.add(src);
      }
      result.#sources = Array.from(sources);
      for (const src of result.#sources) src.#addDependent(result);
      return result;
    }
  }
  defineHandler(AbortSignal.prototype, "abort");

  class AbortController {
    #signal = new AbortSignal(key);
    get signal() { return this.#signal; }
    abort(reason) { abortSignal(this.#signal, reason); }
    get [Symbol.toStringTag]() { return "AbortController"; }
  }

  // The runtime's signals (ctx.signal): a signal and the function that aborts it.
  function createSignal() {
    const signal = new AbortSignal(key);
    return { signal, abort: (reason) => abortSignal(signal, reason) };
  }
  // onAbort(signal, fn) and abortSignal(signal, reason) are for the other files (fetch,
  // streams, addEventListener's signal option).
  return { AbortController, AbortSignal, createSignal, onAbort, abortSignal };
})
