// Node's `timers/promises` (SPEC §3.2): setTimeout as a promise, setInterval as an async
// iterator, scheduler.wait; each takes {signal} and rejects with Node's AbortError
// (code ABORT_ERR, the signal's reason as its cause) when the signal aborts.
(function (host, lib, g) {
  "use strict";
  function abortError(signal) {
    const e = new Error("The operation was aborted", { cause: signal.reason });
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    return e;
  }
  function checkOptions(options) {
    if (options === undefined) return {};
    if (options === null || typeof options !== "object") {
      const e = new TypeError('The "options" argument must be of type object');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    const s = options.signal;
    if (s !== undefined && !(s instanceof g.AbortSignal)) {
      const e = new TypeError('The "options.signal" property must be an instance of AbortSignal');
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    return options;
  }
  function setTimeout(ms, value, options) {
    try {
      const { signal } = checkOptions(options);
      if (signal && signal.aborted) return Promise.reject(abortError(signal));
      return new Promise((resolve, reject) => {
        const onAbort = () => { g.clearTimeout(id); reject(abortError(signal)); };
        const id = g.setTimeout(() => {
          if (signal) signal.removeEventListener("abort", onAbort);
          resolve(value);
        }, ms);
        if (signal) signal.addEventListener("abort", onAbort, { once: true });
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }
  // An async iterator yielding `value` every `ms`; ticks that pass while nobody awaits
  // are counted, not lost (as in Node).
  function setInterval(ms, value, options) {
    const { signal } = checkOptions(options);
    let missed = 0, wake = null, id = null, done = false;
    const start = () => {
      if (id !== null) return;
      id = g.setInterval(() => {
        if (wake) { const w = wake; wake = null; w.resolve(); } else missed++;
      }, ms);
    };
    const stop = () => { done = true; if (id !== null) g.clearInterval(id); id = null; };
    const onAbort = () => { if (wake) { const w = wake; wake = null; w.reject(abortError(signal)); } stop(); };
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    return {
      [Symbol.asyncIterator]() { return this; },
      async next() {
        if (signal && signal.aborted) { stop(); throw abortError(signal); }
        if (done) return { done: true, value: undefined };
        start();
        if (missed > 0) { missed--; return { done: false, value }; }
        await new Promise((resolve, reject) => { wake = { resolve, reject }; });
        return { done: false, value };
      },
      async return() {
        stop();
        if (signal) signal.removeEventListener("abort", onAbort);
        return { done: true, value: undefined };
      },
    };
  }
  const scheduler = { wait: (ms, options) => setTimeout(ms, undefined, options) };
  return { setTimeout, setInterval, scheduler };
})
