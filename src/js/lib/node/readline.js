// require("readline") and (through its `promises`) require("readline/promises")
// (SPEC §3.2): line interfaces over any input that emits "data" (strings or bytes) and
// "end" — process.stdin or any emitter.
//
// Unlike Node, no line is lost: every line read waits in a queue until a consumer takes
// it — a pending question() first, else the "line" listeners, else a waiting async
// iterator. A line that arrives while none of them is there waits for the next one, so
// a piped file of answers to several questions with work in between loses nothing.
// "close" comes when the input has ended and every line has been taken (or at close()).
// Lines end at \n, \r\n or \r (also split across chunks); a last line without a newline
// is delivered at the end. Line editing is the terminal's own (cooked mode).
(function (host, lib, g) {
  "use strict";
  const Emitter = host.Emitter;
  const DONE = Object.freeze({ value: undefined, done: true });
  const kAsk = Symbol("ask");
  // While this many lines (or characters) wait, the input is paused.
  const QUEUE_LINES = 1024;
  const QUEUE_CHARS = 1 << 20;

  function useAfterClose() {
    const e = new Error("readline was closed");
    e.code = "ERR_USE_AFTER_CLOSE";
    return e;
  }
  function abortError(cause) {
    const e = new Error("The operation was aborted");
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    if (cause !== undefined) e.cause = cause;
    return e;
  }
  function invalidArg(name, expected, v) {
    const e = new TypeError(`The "${name}" argument must be ${expected}. Received ${typeof v}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    return e;
  }

  class Interface extends Emitter {
    #input;
    #output;
    #prompt = "> ";
    #decoder = host.utf8Decoder();
    #partial = "";        // the line being read
    #cr = false;          // the last piece ended with \r: a \n starting the next is part of it
    #lines = [];          // lines read, not yet taken
    #chars = 0;           // their total length
    #questions = [];      // pending questions: {deliver(line), fail(err)}
    #waiters = [];        // async iterators' pending next()s
    #ended = false;       // the input has ended
    #closed = false;
    #pumping = false;
    #scheduled = false;
    #inputPaused = false; // paused by us, the queue being full
    #listeners;           // what we added to the input

    constructor(input, output, completer, terminal) {
      super((name) => { if (name === "line") this.#schedule(); });
      let opts = {};
      if (input !== null && typeof input === "object" && typeof input.on !== "function" && "input" in input) {
        opts = input;
        input = opts.input;
        output = opts.output;
        terminal = opts.terminal;
      }
      if (input === null || typeof input !== "object" || typeof input.on !== "function")
        throw invalidArg("input", "an object with on() (a readable stream)", input);
      this.#input = input;
      this.#output = output === undefined ? null : output;
      if (opts.prompt !== undefined) this.#prompt = String(opts.prompt);
      this.input = input;
      this.output = this.#output;
      this.terminal = !!(terminal === undefined ? this.#output && this.#output.isTTY : terminal);
      this.line = "";
      this.cursor = 0;
      this.closed = false;
      this.#listeners = {
        data: (c) => this.#onData(c),
        end: () => this.#onEnd(),
        error: (e) => this.emit("error", e),
      };
      for (const k of Object.keys(this.#listeners)) input.on(k, this.#listeners[k]);
      if (typeof input.resume === "function") input.resume();
      if (input.readableEnded === true) queueMicrotask(() => this.#onEnd()); // it ended before
      const signal = opts.signal;
      if (signal !== undefined && signal !== null) {
        if (signal.aborted) queueMicrotask(() => this.close());
        else signal.addEventListener("abort", () => this.close(), { once: true });
      }
    }

    // ---- input -> lines
    #onData(chunk) {
      if (this.#closed) return;
      this.#split(typeof chunk === "string" ? chunk : this.#decoder.write(chunk));
      this.#dispatch();
    }

    #onEnd() {
      if (this.#closed || this.#ended) return;
      const tail = this.#decoder.end();
      if (tail !== "") this.#split(tail);
      if (this.#partial !== "") this.#enqueue(this.#partial);
      this.#partial = this.line = "";
      this.#ended = true;
      this.#dispatch();
    }

    #split(text) {
      let start = this.#cr && text.charCodeAt(0) === 10 ? 1 : 0;
      if (text.length > 0) this.#cr = false;
      const eol = /\r\n|\n|\r/g;
      eol.lastIndex = start;
      let m;
      while ((m = eol.exec(text)) !== null) {
        this.#enqueue(this.#partial + text.slice(start, m.index));
        this.#partial = "";
        start = m.index + m[0].length;
        this.#cr = m[0] === "\r" && start === text.length;
      }
      this.#partial += text.slice(start);
      this.line = this.#partial;
      this.cursor = this.line.length;
    }

    #enqueue(line) {
      this.#lines.push(line);
      this.#chars += line.length;
      if (!this.#inputPaused && (this.#lines.length >= QUEUE_LINES || this.#chars >= QUEUE_CHARS) &&
          typeof this.#input.pause === "function") {
        this.#inputPaused = true;
        this.#input.pause();
      }
    }

    #take() {
      const line = this.#lines.shift();
      this.#chars -= line.length;
      if (this.#inputPaused && this.#lines.length < QUEUE_LINES / 2 && this.#chars < QUEUE_CHARS / 2) {
        this.#inputPaused = false;
        this.#input.resume();
      }
      return line;
    }

    // ---- lines -> consumers
    #schedule() {
      if (this.#scheduled) return;
      this.#scheduled = true;
      queueMicrotask(() => { this.#scheduled = false; this.#dispatch(); });
    }

    #dispatch() {
      if (this.#pumping || this.#closed) return;
      this.#pumping = true;
      try {
        while (!this.#closed && this.#lines.length > 0) {
          if (this.#questions.length > 0) this.#questions.shift().deliver(this.#take());
          else if (this.listenerCount("line") > 0) this.emit("line", this.#take());
          else if (this.#waiters.length > 0) this.#waiters.shift()({ value: this.#take(), done: false });
          else break;
        }
      } finally {
        this.#pumping = false;
      }
      if (this.#ended && this.#lines.length === 0) this.close();
    }

    #write(s) {
      if (this.#output !== null && typeof this.#output.write === "function" && s !== "") this.#output.write(s);
    }

    #resumeInput() {
      if (!this.#inputPaused && typeof this.#input.resume === "function") this.#input.resume();
    }

    // The one way to ask: `deliver(line)` gets the answer, `fail(err)` a close or abort.
    // Returns false when the signal had already aborted.
    [kAsk](query, signal, deliver, fail) {
      if (this.#closed) throw useAfterClose();
      if (signal && signal.aborted) { fail(abortError(signal.reason)); return false; }
      const q = { deliver, fail };
      if (signal) {
        const onAbort = () => {
          const i = this.#questions.indexOf(q);
          if (i >= 0) this.#questions.splice(i, 1);
          fail(abortError(signal.reason));
        };
        signal.addEventListener("abort", onAbort, { once: true });
        q.deliver = (line) => { signal.removeEventListener("abort", onAbort); deliver(line); };
        q.fail = (e) => { signal.removeEventListener("abort", onAbort); fail(e); };
      }
      this.#write(String(query));
      this.#questions.push(q);
      this.#resumeInput();
      this.#schedule();
      return true;
    }

    question(query, options, cb) {
      if (typeof options === "function") { cb = options; options = undefined; }
      if (typeof cb !== "function") throw invalidArg("callback", "of type function", cb);
      const signal = options && options.signal;
      this[kAsk](query, signal, (line) => cb(line), () => {});
    }

    // ---- the rest of Node's Interface
    setPrompt(p) { this.#prompt = String(p); }
    getPrompt() { return this.#prompt; }
    prompt() {
      if (this.#closed) throw useAfterClose();
      this.#resumeInput();
      this.#write(this.#prompt);
    }
    // As Node's with a non-terminal: `data` is taken as if it came from the input.
    write(data) {
      if (this.#closed) throw useAfterClose();
      if (data === undefined || data === null) return;
      this.#onData(String(data));
    }
    pause() {
      if (this.#closed) throw useAfterClose();
      if (typeof this.#input.pause === "function") this.#input.pause();
      this.emit("pause");
      return this;
    }
    resume() {
      if (this.#closed) throw useAfterClose();
      this.#resumeInput();
      this.emit("resume");
      return this;
    }
    getCursorPos() { return { rows: 0, cols: this.cursor }; }

    close() {
      if (this.#closed) return;
      this.#closed = this.closed = true;
      for (const k of Object.keys(this.#listeners)) this.#input.removeListener(k, this.#listeners[k]);
      if (typeof this.#input.pause === "function") this.#input.pause();
      const err = abortError();
      for (const q of this.#questions.splice(0)) q.fail(err);
      for (const w of this.#waiters.splice(0)) w(DONE);
      this.#lines = [];
      this.#chars = 0;
      this.emit("close");
    }

    [Symbol.asyncIterator]() {
      const self = this;
      let finished = false;
      return {
        next() {
          if (finished) return Promise.resolve(DONE);
          if (self.#lines.length > 0 && self.#questions.length === 0) {
            return Promise.resolve({ value: self.#take(), done: false });
          }
          if (self.#ended && self.#lines.length === 0) self.close();
          if (self.#closed) { finished = true; return Promise.resolve(DONE); }
          return new Promise((resolve) => {
            self.#waiters.push((r) => { if (r.done) finished = true; resolve(r); });
            self.#resumeInput();
          });
        },
        // leaving a for-await loop early closes the interface, as in Node
        return() {
          finished = true;
          self.close();
          return Promise.resolve(DONE);
        },
        [Symbol.asyncIterator]() { return this; },
      };
    }
  }

  // readline/promises: question() returns a Promise (rejecting with AbortError when the
  // signal aborts or the interface closes first, ERR_USE_AFTER_CLOSE after close()).
  class PromisesInterface extends Interface {
    question(query, options) {
      return new Promise((resolve, reject) => {
        this[kAsk](query, options && options.signal, resolve, reject);
      });
    }
  }

  function createInterface(input, output, completer, terminal) {
    return new Interface(input, output, completer, terminal);
  }

  // Terminal control sequences (ANSI), written to `stream`; `cb` once written.
  function ansi(stream, seq, cb) {
    if (stream && typeof stream.write === "function") stream.write(seq);
    if (typeof cb === "function") queueMicrotask(cb);
    return true;
  }
  const clearLine = (stream, dir, cb) => ansi(stream, dir < 0 ? "\x1b[1K" : dir > 0 ? "\x1b[0K" : "\x1b[2K", cb);
  const clearScreenDown = (stream, cb) => ansi(stream, "\x1b[0J", cb);
  function cursorTo(stream, x, y, cb) {
    if (typeof y === "function") { cb = y; y = undefined; }
    return ansi(stream, y === undefined ? `\x1b[${x + 1}G` : `\x1b[${y + 1};${x + 1}H`, cb);
  }
  function moveCursor(stream, dx, dy, cb) {
    let seq = "";
    if (dx < 0) seq += `\x1b[${-dx}D`; else if (dx > 0) seq += `\x1b[${dx}C`;
    if (dy < 0) seq += `\x1b[${-dy}A`; else if (dy > 0) seq += `\x1b[${dy}B`;
    return ansi(stream, seq, cb);
  }

  const promises = Object.freeze({
    Interface: PromisesInterface,
    createInterface: (input, output, completer, terminal) => new PromisesInterface(input, output, completer, terminal),
  });

  return Object.freeze({
    Interface, createInterface, clearLine, clearScreenDown, cursorTo, moveCursor,
    emitKeypressEvents() {}, promises,
  });
})
