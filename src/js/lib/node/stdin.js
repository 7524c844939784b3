// process.stdin (SPEC §3.1): a readable stream of fd 0, whatever it is (terminal, pipe,
// file), over the natives of mod_stdin.c. Not a module of its own: the prelude makes it
// on first use of process.stdin.
//
// Node's modes: flowing ("data" listeners, resume()) and paused (read(), "readable",
// async iteration). Reading starts only when someone listens, iterates, reads or
// resumes; it stops while paused with a full buffer (64 KiB), so an untouched or paused
// stdin keeps nothing alive. Chunks are Buffers (Uint8Array while Buffer is absent), or
// strings after setEncoding("utf8"), multi-byte characters never split.
(function (host, lib, g) {
  "use strict";
  const HIGH_WATER = 65536;
  const nat = host.stdin;
  const DONE = Object.freeze({ value: undefined, done: true });

  function chunkOf(u8) {
    const B = g.Buffer;
    return typeof B === "function" && typeof B.from === "function" ? B.from(u8.buffer, u8.byteOffset, u8.length) : u8;
  }
  function concat(chunks) {
    if (typeof chunks[0] === "string") return chunks.join("");
    let n = 0;
    for (const c of chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return chunkOf(out);
  }

  class Stdin extends host.Emitter {
    #kind;
    #buf = [];            // chunks read and not yet handed out
    #bytes = 0;           // their total length
    #flowing = null;      // null: never chosen; true: "data" events; false: paused
    #readableWanted = false;
    #readRequested = false;
    #reading = false;     // the native reader runs
    #ended = false;       // the end was read
    #endEmitted = false;
    #error = null;
    #decoder = null;
    #encoding = null;
    #waiters = [];        // async iterators' pending next()s: {resolve, reject}
    #iterators = 0;
    #flushQueued = false;
    #cb = (u8, err) => this.#onChunk(u8, err);

    constructor() {
      super((name) => this.#listenersChanged(name));
      this.fd = 0;
      this.#kind = nat.kind();
      if (this.#kind === "tty") {
        this.isTTY = true;
        this.isRaw = false;
      }
    }

    get readableFlowing() { return this.#flowing; }
    get readableEnded() { return this.#endEmitted; }
    get readableEncoding() { return this.#encoding; }
    get readableLength() { return this.#bytes; }
    get readableHighWaterMark() { return HIGH_WATER; }
    get destroyed() { return this.#error !== null; }

    #listenersChanged(name) {
      if (name === "data" && this.listenerCount("data") > 0 && this.#flowing !== false) this.resume();
      if (name === "readable" && this.listenerCount("readable") > 0) {
        this.#readableWanted = true;
        this.#flowing = false;
        this.#update();
        if (this.#bytes > 0 || this.#ended) queueMicrotask(() => this.emit("readable"));
      }
    }

    // Starts or stops the native reader to match what the script wants.
    #update() {
      const want = !this.#ended && this.#error === null &&
        (this.#flowing === true ||
         ((this.#readableWanted || this.#readRequested || this.#waiters.length > 0) && this.#bytes < HIGH_WATER));
      if (want === this.#reading) return;
      this.#reading = want;
      if (!want) { nat.stop(); return; }
      if (this.#kind === "none") { queueMicrotask(() => this.#onChunk(null)); return; }
      try { nat.start(this.#cb); } catch (e) { queueMicrotask(() => this.#onChunk(undefined, e)); }
    }

    #onChunk(u8, err) {
      if (err !== undefined) return this.#fail(err);
      if (u8 === null) {
        if (this.#ended) return;
        if (this.#decoder !== null) {
          const tail = this.#decoder.end();
          if (tail !== "") this.#push(tail);
        }
        this.#ended = true;
        this.#reading = false;
        this.#serveWaiters();
        if (this.#readableWanted) this.emit("readable");
        this.#maybeEnd();
        return;
      }
      const chunk = this.#decoder !== null ? this.#decoder.write(u8) : chunkOf(u8);
      if (chunk.length > 0) this.#push(chunk);
    }

    #push(chunk) {
      if (this.#waiters.length > 0 && this.#buf.length === 0) {
        this.#waiters.shift().resolve({ value: chunk, done: false });
      } else if (this.#flowing === true && this.#buf.length === 0) {
        this.emit("data", chunk);
      } else {
        this.#buf.push(chunk);
        this.#bytes += chunk.length;
        if (this.#readableWanted) this.emit("readable");
      }
      this.#update();
    }

    #take() {
      const c = this.#buf.shift();
      this.#bytes -= c.length;
      return c;
    }

    #fail(err) {
      this.#error = err;
      this.#reading = false;
      for (const w of this.#waiters.splice(0)) w.reject(err);
      this.emit("error", err);
      this.emit("close");
    }

    #serveWaiters() {
      while (this.#waiters.length > 0 && this.#buf.length > 0)
        this.#waiters.shift().resolve({ value: this.#take(), done: false });
      if (this.#ended && this.#buf.length === 0) {
        for (const w of this.#waiters.splice(0)) w.resolve(DONE);
      }
    }

    // "end" once the end was read and every chunk handed out, then "close".
    #maybeEnd() {
      if (!this.#ended || this.#buf.length > 0 || this.#endEmitted) return;
      if (this.#flowing !== true && !this.#readRequested && this.#iterators === 0) return;
      this.#endEmitted = true;
      queueMicrotask(() => { this.emit("end"); this.emit("close"); });
    }

    #flush() {
      this.#flushQueued = false;
      while (this.#flowing === true && this.#buf.length > 0) this.emit("data", this.#take());
      this.#maybeEnd();
      this.#update();
    }

    resume() {
      if (this.#flowing !== true) {
        this.#flowing = true;
        this.emit("resume");
      }
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => this.#flush());
      }
      this.#update();
      return this;
    }

    pause() {
      if (this.#flowing !== false) {
        this.#flowing = false;
        this.emit("pause");
      }
      this.#update();
      return this;
    }

    isPaused() { return this.#flowing === false; }

    // read(): everything buffered (null when nothing is), in paused mode.
    read() {
      this.#readRequested = true;
      let out = null;
      if (this.#buf.length > 0) {
        out = concat(this.#buf);
        this.#buf = [];
        this.#bytes = 0;
      }
      this.#maybeEnd();
      this.#update();
      return out;
    }

    setEncoding(enc) {
      const e = String(enc).toLowerCase();
      if (e !== "utf8" && e !== "utf-8") {
        const err = new TypeError(`Unknown encoding: ${enc} (process.stdin decodes utf8 only)`);
        err.code = "ERR_UNKNOWN_ENCODING";
        throw err;
      }
      if (this.#decoder === null) {
        this.#decoder = host.utf8Decoder();
        this.#encoding = "utf8";
        this.#buf = this.#buf.map((c) => (typeof c === "string" ? c : this.#decoder.write(c)));
        this.#bytes = this.#buf.reduce((n, c) => n + c.length, 0);
      }
      return this;
    }

    setRawMode(on) {
      if (this.#kind !== "tty") throw new TypeError("process.stdin.setRawMode: stdin is not a terminal");
      nat.setRaw(!!on, this.#cb);
      this.isRaw = !!on;
      return this;
    }

    // Stops reading for good: "close" follows.
    destroy(err) {
      if (this.#ended || this.#error !== null) return this;
      this.#ended = true;
      this.#endEmitted = true;
      this.#update();
      nat.stop();
      for (const w of this.#waiters.splice(0)) (err ? w.reject(err) : w.resolve(DONE));
      queueMicrotask(() => { if (err) this.emit("error", err); this.emit("close"); });
      return this;
    }

    ref() { return this; }
    unref() { return this; }

    [Symbol.asyncIterator]() {
      const self = this;
      let finished = false;
      this.#iterators++;
      if (this.#flowing === true) this.#flowing = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        self.#iterators--;
        self.#update();
      };
      return {
        next() {
          if (finished) return Promise.resolve(DONE);
          if (self.#error !== null) { finish(); return Promise.reject(self.#error); }
          if (self.#buf.length > 0) {
            const value = self.#take();
            self.#update();
            return Promise.resolve({ value, done: false });
          }
          if (self.#ended) {
            self.#maybeEnd();
            finish();
            return Promise.resolve(DONE);
          }
          return new Promise((resolve, reject) => {
            self.#waiters.push({
              resolve: (r) => {
                if (r.done) { self.#maybeEnd(); finish(); }
                resolve(r);
              },
              reject,
            });
            self.#update();
          });
        },
        return() {
          finish();
          return Promise.resolve(DONE);
        },
        [Symbol.asyncIterator]() { return this; },
      };
    }
  }

  return new Stdin();
})
