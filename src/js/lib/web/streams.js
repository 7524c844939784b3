// ReadableStream (WHATWG Streams, default streams; SPEC §3.1): the stream, its default
// reader and controller, queuing strategies, back-pressure (pull runs only while the
// desired size is positive or a read waits, never twice at once), tee(), async
// iteration and ReadableStream.from. A source of type "bytes" is run as a default
// stream (no BYOB reader: getReader({mode: "byob"}) throws a TypeError).
// The algorithms follow the standard's names (ReadableStreamClose, ...CallPullIfNeeded).
(function (host, lib, g) {
  "use strict";
  const streams = new WeakMap();     // ReadableStream -> its state
  const readers = new WeakMap();     // ReadableStreamDefaultReader -> its state
  const controllers = new WeakMap(); // ReadableStreamDefaultController -> its state
  const key = Symbol("internal");

  function stateOf(map, o, what) {
    const s = o !== null && (typeof o === "object" || typeof o === "function") ? map.get(o) : undefined;
    if (s === undefined) throw new TypeError(`Illegal invocation: not a ${what}`);
    return s;
  }
  function deferred() {
    const d = {};
    d.promise = new Promise((res, rej) => { d.resolve = res; d.reject = rej; });
    return d;
  }
  const rejected = (e) => { const p = Promise.reject(e); p.catch(() => {}); return p; };
  const markHandled = (p) => { p.catch(() => {}); return p; };
  // Calls o[name](...args) as a promise (a throw becomes a rejection).
  function promiseCall(fn, self, args) {
    if (fn === undefined) return Promise.resolve(undefined);
    try { return Promise.resolve(fn.apply(self, args)); } catch (e) { return Promise.reject(e); }
  }

  // ---- queuing strategies ----------------------------------------------------------
  function hwmOf(init, what) {
    if (init === null || typeof init !== "object" || !("highWaterMark" in init))
      throw new TypeError(`${what}: the highWaterMark member is required`);
    return Number(init.highWaterMark);
  }
  const countSize = function size() { return 1; };
  const byteLengthSize = function size(chunk) { return chunk.byteLength; };
  class CountQueuingStrategy {
    #hwm;
    constructor(init) { this.#hwm = hwmOf(init, "CountQueuingStrategy"); }
    get highWaterMark() { return this.#hwm; }
    get size() { return countSize; }
    get [Symbol.toStringTag]() { return "CountQueuingStrategy"; }
  }
  class ByteLengthQueuingStrategy {
    #hwm;
    constructor(init) { this.#hwm = hwmOf(init, "ByteLengthQueuingStrategy"); }
    get highWaterMark() { return this.#hwm; }
    get size() { return byteLengthSize; }
    get [Symbol.toStringTag]() { return "ByteLengthQueuingStrategy"; }
  }
  function extractHWM(strategy, dflt) {
    if (strategy.highWaterMark === undefined) return dflt;
    const h = Number(strategy.highWaterMark);
    if (Number.isNaN(h) || h < 0) throw new RangeError(`highWaterMark must be a non-negative number, not ${strategy.highWaterMark}`);
    return h;
  }
  function extractSize(strategy) {
    const size = strategy.size;
    if (size === undefined) return () => 1;
    if (typeof size !== "function") throw new TypeError("the strategy's size must be a function");
    return (chunk) => size(chunk);
  }

  // ---- ReadableStream ---------------------------------------------------------------
  class ReadableStream {
    constructor(underlyingSource = undefined, strategy = undefined) {
      const s = { state: "readable", reader: undefined, storedError: undefined, disturbed: false, controller: undefined };
      streams.set(this, s);
      if (underlyingSource === key) return; // made by an internal algorithm
      if (underlyingSource === undefined) underlyingSource = null;
      if (underlyingSource !== null && typeof underlyingSource !== "object")
        throw new TypeError("ReadableStream: the underlying source must be an object");
      if (strategy !== undefined && strategy !== null && typeof strategy !== "object")
        throw new TypeError("ReadableStream: the strategy must be an object");
      const src = underlyingSource || {};
      const str = strategy || {};
      const start = src.start, pull = src.pull, cancel = src.cancel, type = src.type;
      for (const [n, f] of [["start", start], ["pull", pull], ["cancel", cancel]])
        if (f !== undefined && typeof f !== "function") throw new TypeError(`ReadableStream: the source's ${n} must be a function`);
      if (type !== undefined && String(type) !== "bytes")
        throw new TypeError(`ReadableStream: '${type}' is not a valid stream type (only "bytes")`);
      const size = extractSize(str);
      const hwm = extractHWM(str, type === undefined ? 1 : 0);
      setUpController(this, () => (start === undefined ? undefined : start.call(src, s.controllerObj)),
        (c) => promiseCall(pull, src, [c]), (r) => promiseCall(cancel, src, [r]), hwm, size);
    }
    get locked() { return stateOf(streams, this, "ReadableStream").reader !== undefined; }
    cancel(reason = undefined) {
      let s;
      try { s = stateOf(streams, this, "ReadableStream"); } catch (e) { return Promise.reject(e); }
      if (s.reader !== undefined) return Promise.reject(new TypeError("ReadableStream.cancel: the stream is locked to a reader"));
      return streamCancel(this, reason);
    }
    getReader(options = undefined) {
      stateOf(streams, this, "ReadableStream");
      if (options !== undefined && options !== null && typeof options !== "object")
        throw new TypeError("ReadableStream.getReader: the options must be an object");
      const mode = options ? options.mode : undefined;
      if (mode !== undefined) {
        if (String(mode) === "byob")
          throw new TypeError("ReadableStream.getReader: BYOB readers are not supported; use getReader()");
        throw new TypeError(`ReadableStream.getReader: '${mode}' is not a valid mode`);
      }
      return new ReadableStreamDefaultReader(this);
    }
    tee() {
      stateOf(streams, this, "ReadableStream");
      return defaultTee(this);
    }
    values(options = undefined) {
      stateOf(streams, this, "ReadableStream");
      const preventCancel = !!(options && typeof options === "object" && options.preventCancel);
      return makeIterator(this, preventCancel);
    }
    [Symbol.asyncIterator](options = undefined) { return this.values(options); }
    pipeTo() { return Promise.reject(new TypeError("ReadableStream.pipeTo: WritableStream is not provided by geppetto")); }
    pipeThrough() { throw new TypeError("ReadableStream.pipeThrough: TransformStream is not provided by geppetto"); }
    get [Symbol.toStringTag]() { return "ReadableStream"; }
    static from(asyncIterable) { return streamFrom(asyncIterable); }
  }

  function isLocked(stream) { return streams.get(stream).reader !== undefined; }

  function streamCancel(stream, reason) {
    const s = streams.get(stream);
    s.disturbed = true;
    if (s.state === "closed") return Promise.resolve(undefined);
    if (s.state === "errored") return Promise.reject(s.storedError);
    streamClose(stream);
    const c = s.controller;
    c.queue = [];
    c.queueTotalSize = 0;
    const result = c.cancelAlgorithm(reason);
    clearAlgorithms(c);
    return result.then(() => undefined);
  }
  function streamClose(stream) {
    const s = streams.get(stream);
    s.state = "closed";
    const r = s.reader;
    if (r === undefined) return;
    const rs = readers.get(r);
    rs.closed.resolve(undefined);
    const requests = rs.readRequests;
    rs.readRequests = [];
    for (const req of requests) req.close();
  }
  function streamError(stream, e) {
    const s = streams.get(stream);
    s.state = "errored";
    s.storedError = e;
    const r = s.reader;
    if (r === undefined) return;
    const rs = readers.get(r);
    rs.closed.reject(e);
    markHandled(rs.closed.promise);
    const requests = rs.readRequests;
    rs.readRequests = [];
    for (const req of requests) req.error(e);
  }
  function numReadRequests(stream) {
    const r = streams.get(stream).reader;
    return r === undefined ? 0 : readers.get(r).readRequests.length;
  }
  function fulfillReadRequest(stream, chunk, done) {
    const rs = readers.get(streams.get(stream).reader);
    const req = rs.readRequests.shift();
    if (done) req.close(); else req.chunk(chunk);
  }

  // ---- the default controller ---------------------------------------------------------
  class ReadableStreamDefaultController {
    constructor(k) {
      if (k !== key) throw new TypeError("Illegal constructor");
    }
    get desiredSize() { return desiredSize(stateOf(controllers, this, "ReadableStreamDefaultController")); }
    close() {
      const c = stateOf(controllers, this, "ReadableStreamDefaultController");
      if (!canCloseOrEnqueue(c)) throw new TypeError("ReadableStreamDefaultController.close: the stream is already closing or not readable");
      controllerClose(c);
    }
    enqueue(chunk = undefined) {
      const c = stateOf(controllers, this, "ReadableStreamDefaultController");
      if (!canCloseOrEnqueue(c)) throw new TypeError("ReadableStreamDefaultController.enqueue: the stream is closed or closing");
      controllerEnqueue(c, chunk);
    }
    error(e = undefined) { controllerError(stateOf(controllers, this, "ReadableStreamDefaultController"), e); }
    get byobRequest() { return null; } // only met when a "bytes" source is run as a default one
    get [Symbol.toStringTag]() { return "ReadableStreamDefaultController"; }
  }

  function setUpController(stream, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, sizeAlgorithm) {
    const obj = new ReadableStreamDefaultController(key);
    const c = { stream, obj, queue: [], queueTotalSize: 0, started: false, closeRequested: false,
                pullAgain: false, pulling: false, hwm, sizeAlgorithm,
                pullAlgorithm: () => pullAlgorithm(obj), cancelAlgorithm };
    controllers.set(obj, c);
    const s = streams.get(stream);
    s.controller = c;
    s.controllerObj = obj;
    const startResult = startAlgorithm();
    Promise.resolve(startResult).then(() => {
      c.started = true;
      callPullIfNeeded(c);
    }, (r) => controllerError(c, r));
  }
  function canCloseOrEnqueue(c) {
    return !c.closeRequested && streams.get(c.stream).state === "readable";
  }
  function desiredSize(c) {
    const state = streams.get(c.stream).state;
    if (state === "errored") return null;
    if (state === "closed") return 0;
    return c.hwm - c.queueTotalSize;
  }
  function shouldCallPull(c) {
    if (!canCloseOrEnqueue(c) || !c.started) return false;
    if (isLocked(c.stream) && numReadRequests(c.stream) > 0) return true;
    return desiredSize(c) > 0;
  }
  function callPullIfNeeded(c) {
    if (!shouldCallPull(c)) return;
    if (c.pulling) { c.pullAgain = true; return; }
    c.pulling = true;
    c.pullAlgorithm().then(() => {
      c.pulling = false;
      if (c.pullAgain) { c.pullAgain = false; callPullIfNeeded(c); }
    }, (e) => controllerError(c, e));
  }
  function clearAlgorithms(c) {
    c.pullAlgorithm = () => Promise.resolve(undefined);
    c.cancelAlgorithm = () => Promise.resolve(undefined);
    c.sizeAlgorithm = () => 1;
  }
  function controllerClose(c) {
    if (!canCloseOrEnqueue(c)) return;
    c.closeRequested = true;
    if (c.queue.length === 0) {
      clearAlgorithms(c);
      streamClose(c.stream);
    }
  }
  function controllerEnqueue(c, chunk) {
    if (!canCloseOrEnqueue(c)) return;
    const stream = c.stream;
    if (isLocked(stream) && numReadRequests(stream) > 0) {
      fulfillReadRequest(stream, chunk, false);
    } else {
      let size;
      try {
        size = c.sizeAlgorithm(chunk);
        size = Number(size);
        if (!(size >= 0) || size === Infinity) throw new RangeError(`the chunk's size must be a finite non-negative number, not ${size}`);
      } catch (e) {
        controllerError(c, e);
        throw e;
      }
      c.queue.push({ value: chunk, size });
      c.queueTotalSize += size;
    }
    callPullIfNeeded(c);
  }
  function controllerError(c, e) {
    if (streams.get(c.stream).state !== "readable") return;
    c.queue = [];
    c.queueTotalSize = 0;
    clearAlgorithms(c);
    streamError(c.stream, e);
  }
  // A read request from a reader: a queued chunk at once, else it waits for one.
  function pullSteps(c, req) {
    if (c.queue.length > 0) {
      const { value, size } = c.queue.shift();
      c.queueTotalSize -= size;
      if (c.queue.length === 0) c.queueTotalSize = 0; // no rounding drift
      if (c.closeRequested && c.queue.length === 0) {
        clearAlgorithms(c);
        streamClose(c.stream);
      } else {
        callPullIfNeeded(c);
      }
      req.chunk(value);
      return;
    }
    const rs = readers.get(streams.get(c.stream).reader);
    rs.readRequests.push(req);
    callPullIfNeeded(c);
  }

  // ---- the default reader -----------------------------------------------------------
  class ReadableStreamDefaultReader {
    constructor(stream) {
      const s = stateOf(streams, stream, "ReadableStream");
      if (s.reader !== undefined) throw new TypeError("ReadableStreamDefaultReader: the stream is already locked to a reader");
      const rs = { stream, readRequests: [], closed: deferred() };
      readers.set(this, rs);
      s.reader = this;
      if (s.state === "closed") rs.closed.resolve(undefined);
      else if (s.state === "errored") { rs.closed.reject(s.storedError); markHandled(rs.closed.promise); }
    }
    get closed() { return stateOf(readers, this, "ReadableStreamDefaultReader").closed.promise; }
    read() {
      let rs;
      try { rs = stateOf(readers, this, "ReadableStreamDefaultReader"); } catch (e) { return Promise.reject(e); }
      if (rs.stream === undefined) return Promise.reject(new TypeError("ReadableStreamDefaultReader.read: the reader has been released"));
      const d = deferred();
      readerRead(this, {
        chunk: (value) => d.resolve({ value, done: false }),
        close: () => d.resolve({ value: undefined, done: true }),
        error: (e) => d.reject(e),
      });
      return d.promise;
    }
    releaseLock() {
      const rs = stateOf(readers, this, "ReadableStreamDefaultReader");
      if (rs.stream === undefined) return;
      readerRelease(this);
    }
    cancel(reason = undefined) {
      let rs;
      try { rs = stateOf(readers, this, "ReadableStreamDefaultReader"); } catch (e) { return Promise.reject(e); }
      if (rs.stream === undefined) return Promise.reject(new TypeError("ReadableStreamDefaultReader.cancel: the reader has been released"));
      return streamCancel(rs.stream, reason);
    }
    get [Symbol.toStringTag]() { return "ReadableStreamDefaultReader"; }
  }
  function readerRead(reader, req) {
    const rs = readers.get(reader);
    const s = streams.get(rs.stream);
    s.disturbed = true;
    if (s.state === "closed") req.close();
    else if (s.state === "errored") req.error(s.storedError);
    else pullSteps(s.controller, req);
  }
  function readerRelease(reader) {
    const rs = readers.get(reader);
    const s = streams.get(rs.stream);
    const e = new TypeError("the reader's lock was released");
    if (s.state === "readable") rs.closed.reject(e);
    else { rs.closed = deferred(); rs.closed.reject(e); }
    markHandled(rs.closed.promise);
    s.reader = undefined;
    rs.stream = undefined;
    const requests = rs.readRequests;
    rs.readRequests = [];
    for (const req of requests) req.error(e);
  }

  // An internal stream driven by the given algorithms (tee branches, from()).
  function createStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 1, size = () => 1) {
    const stream = new ReadableStream(key);
    setUpController(stream, startAlgorithm, () => pullAlgorithm(), cancelAlgorithm, hwm, size);
    return stream;
  }

  // ---- tee ------------------------------------------------------------------------
  // Both branches get every chunk; the source is canceled once both are (with both
  // reasons); reading runs at the pace of the faster branch.
  function defaultTee(stream) {
    const reader = new ReadableStreamDefaultReader(stream);
    let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
    let reason1, reason2, branch1, branch2;
    const cancelDone = deferred();
    function pullAlgorithm() {
      if (reading) { readAgain = true; return Promise.resolve(undefined); }
      reading = true;
      readerRead(reader, {
        chunk: (chunk) => queueMicrotask(() => {
          readAgain = false;
          if (!canceled1) controllerEnqueue(streams.get(branch1).controller, chunk);
          if (!canceled2) controllerEnqueue(streams.get(branch2).controller, chunk);
          reading = false;
          if (readAgain) pullAlgorithm();
        }),
        close: () => {
          reading = false;
          if (!canceled1) controllerClose(streams.get(branch1).controller);
          if (!canceled2) controllerClose(streams.get(branch2).controller);
          if (!canceled1 || !canceled2) cancelDone.resolve(undefined);
        },
        error: () => { reading = false; },
      });
      return Promise.resolve(undefined);
    }
    function cancel1(reason) {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) cancelDone.resolve(streamCancel(stream, [reason1, reason2]));
      return cancelDone.promise;
    }
    function cancel2(reason) {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) cancelDone.resolve(streamCancel(stream, [reason1, reason2]));
      return cancelDone.promise;
    }
    branch1 = createStream(() => undefined, pullAlgorithm, cancel1);
    branch2 = createStream(() => undefined, pullAlgorithm, cancel2);
    readers.get(reader).closed.promise.catch((r) => {
      controllerError(streams.get(branch1).controller, r);
      controllerError(streams.get(branch2).controller, r);
      if (!canceled1 || !canceled2) cancelDone.resolve(undefined);
    });
    return [branch1, branch2];
  }

  // ---- async iteration --------------------------------------------------------------
  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  function makeIterator(stream, preventCancel) {
    const reader = new ReadableStreamDefaultReader(stream);
    let ongoing = undefined, finished = false;
    function nextSteps() {
      if (finished) return Promise.resolve({ value: undefined, done: true });
      const d = deferred();
      readerRead(reader, {
        chunk: (value) => d.resolve({ value, done: false }),
        close: () => { readerRelease(reader); finished = true; d.resolve({ value: undefined, done: true }); },
        error: (e) => { readerRelease(reader); finished = true; d.reject(e); },
      });
      return d.promise;
    }
    function returnSteps(value) {
      if (finished) return Promise.resolve({ value, done: true });
      finished = true;
      if (readers.get(reader).stream === undefined) return Promise.resolve({ value, done: true });
      if (!preventCancel) {
        const result = streamCancel(stream, value);
        readerRelease(reader);
        return result.then(() => ({ value, done: true }));
      }
      readerRelease(reader);
      return Promise.resolve({ value, done: true });
    }
    const it = Object.create(ReadableStreamAsyncIteratorPrototype);
    it.next = function next() {
      ongoing = ongoing ? ongoing.then(nextSteps, nextSteps) : nextSteps();
      return ongoing;
    };
    it.return = function (value) {
      const steps = () => returnSteps(value);
      ongoing = ongoing ? ongoing.then(steps, steps) : steps();
      return ongoing;
    };
    return it;
  }
  const ReadableStreamAsyncIteratorPrototype = Object.create(AsyncIteratorPrototype, {
    [Symbol.toStringTag]: { value: "ReadableStream AsyncIterator", configurable: true },
  });

  // ---- ReadableStream.from ----------------------------------------------------------
  function streamFrom(iterable) {
    if (iterable === null || iterable === undefined)
      throw new TypeError("ReadableStream.from: the argument must be an iterable or async iterable");
    let iterator, next;
    const am = iterable[Symbol.asyncIterator];
    if (am !== undefined && am !== null) {
      if (typeof am !== "function") throw new TypeError("ReadableStream.from: Symbol.asyncIterator is not a function");
      iterator = am.call(iterable);
    } else {
      const sm = iterable[Symbol.iterator];
      if (typeof sm !== "function") throw new TypeError("ReadableStream.from: the argument is not iterable");
      iterator = sm.call(iterable);
    }
    if (iterator === null || typeof iterator !== "object") throw new TypeError("ReadableStream.from: the iterator is not an object");
    next = iterator.next;
    const pull = () => promiseCall(next, iterator, []).then((r) => {
      if (r === null || typeof r !== "object") throw new TypeError("ReadableStream.from: the iterator's result is not an object");
      const c = streams.get(stream).controller;
      if (r.done) { controllerClose(c); return undefined; }
      return Promise.resolve(r.value).then((v) => controllerEnqueue(c, v));
    });
    const cancel = (reason) => {
      let ret;
      try { ret = iterator.return; } catch (e) { return Promise.reject(e); }
      if (ret === undefined || ret === null) return Promise.resolve(undefined);
      return promiseCall(ret, iterator, [reason]).then((r) => {
        if (r === null || typeof r !== "object") throw new TypeError("ReadableStream.from: the iterator's return() result is not an object");
      });
    };
    const stream = createStream(() => undefined, pull, cancel, 0);
    return stream;
  }

  return { ReadableStream, ReadableStreamDefaultReader, ReadableStreamDefaultController,
           CountQueuingStrategy, ByteLengthQueuingStrategy };
})
