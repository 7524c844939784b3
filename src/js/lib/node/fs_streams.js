// fs.createReadStream and fs.createWriteStream: Node's file streams as event emitters
// (the `events` module's EventEmitter when geppetto has it, else a small one of its
// own) over fs's callback forms, so every read and write runs on libuv's thread pool.
// A ReadStream emits 'open', 'ready', 'data' (Buffers, or strings after setEncoding),
// 'end', 'error', 'close'; it flows once a 'data' listener is added or resume() is
// called, pauses with pause(), and is async-iterable. A WriteStream queues writes (false
// from write() past its highWaterMark, then 'drain') and emits 'finish' and 'close'
// after end(). Node's stream module (pipe to arbitrary streams, transforms, object
// mode) is not part of geppetto; pipe() here writes into anything with write() and end().
(function (host, lib, g) {
  "use strict";
  const { argType } = lib("node/internal_errors");

  // ---- An emitter ------------------------------------------------------------------
  function localEmitter() {
    class Emitter {
      on(name, fn) {
        const m = this._events || (this._events = new Map());
        if (!m.has(name)) m.set(name, []);
        m.get(name).push(fn);
        return this;
      }
      once(name, fn) {
        const w = (...a) => { this.off(name, w); fn.apply(this, a); };
        w.listener = fn;
        return this.on(name, w);
      }
      off(name, fn) {
        const list = this._events && this._events.get(name);
        if (list) {
          const i = list.findIndex((x) => x === fn || x.listener === fn);
          if (i >= 0) list.splice(i, 1);
        }
        return this;
      }
      emit(name, ...args) {
        const list = this._events && this._events.get(name);
        if (!list || list.length === 0) {
          if (name === "error") throw args[0];
          return false;
        }
        for (const fn of list.slice()) fn.apply(this, args);
        return true;
      }
      listenerCount(name) {
        const list = this._events && this._events.get(name);
        return list ? list.length : 0;
      }
      removeAllListeners(name) {
        if (this._events) name === undefined ? this._events.clear() : this._events.delete(name);
        return this;
      }
    }
    Emitter.prototype.addListener = Emitter.prototype.on;
    Emitter.prototype.removeListener = Emitter.prototype.off;
    return Emitter;
  }
  let Emitter;
  try { Emitter = lib("node/events").EventEmitter; } catch (_) { Emitter = localEmitter(); }

  return function makeStreams(fs) {
    const callback = (fn, ...args) => new Promise((resolve, reject) =>
      fn(...args, (err, v) => (err ? reject(err) : resolve(v))));

    // The descriptor a stream works on: the one it was given, else the file opened with
    // its flags and mode ("open" and "ready" follow); a failure destroys the stream.
    function openStream(stream, path) {
      const opened = stream.fd !== null ? Promise.resolve(stream.fd) : callback(fs.open, path, stream.flags, stream.mode).then((fd) => {
        stream.fd = fd;
        stream.pending = false;
        stream.emit("open", fd);
        stream.emit("ready");
        return fd;
      });
      opened.catch((e) => stream.destroy(e));
      return opened;
    }

    function streamOptions(options, defaults) {
      if (typeof options === "string") options = { encoding: options };
      if (options === undefined || options === null) options = {};
      if (typeof options !== "object") throw argType("options", "one of type string or an instance of Object", options);
      return Object.assign({}, defaults, options);
    }

    // ---- ReadStream -------------------------------------------------------------------
    class ReadStream extends Emitter {
      constructor(path, options) {
        super();
        const o = streamOptions(options, { flags: "r", highWaterMark: 65536, autoClose: true, emitClose: true });
        this.path = o.fd === undefined ? path : undefined;
        this.fd = o.fd === undefined ? null : (typeof o.fd === "object" ? o.fd.fd : o.fd);
        this.flags = o.flags;
        this.mode = o.mode === undefined ? 0o666 : o.mode;
        this.start = o.start;
        this.end = o.end === undefined ? Infinity : o.end;
        this.pos = o.start;
        this.bytesRead = 0;
        this.pending = true;
        this.readable = true;
        this.readableEnded = false;
        this.destroyed = false;
        this._hwm = o.highWaterMark;
        this._autoClose = o.autoClose !== false;
        this._emitClose = o.emitClose !== false;
        this._flowing = null;       // null: not yet decided (a 'data' listener starts it)
        this._reading = false;
        this._decoder = null;
        if (o.encoding) this.setEncoding(o.encoding);
        this._opened = openStream(this, path);
        if (o.signal) {
          if (o.signal.aborted) queueMicrotask(() => this.destroy(abortError(o.signal)));
          else o.signal.addEventListener("abort", () => this.destroy(abortError(o.signal)), { once: true });
        }
      }
      // A 'data' listener starts the flow (unless pause() was called).
      _listened(name) {
        if (name === "data" && this._flowing !== false) this.resume();
        return this;
      }
      on(name, fn) { super.on(name, fn); return this._listened(name); }
      addListener(name, fn) { super.addListener(name, fn); return this._listened(name); }
      once(name, fn) { super.once(name, fn); return this._listened(name); }
      // UTF-8 text is decoded across piece boundaries; other encodings piece by piece.
      setEncoding(enc) {
        const utf8 = /^utf-?8$/i.test(enc);
        this._decoder = utf8 ? new g.TextDecoder("utf-8") : null;
        this._encoding = utf8 ? "utf8" : enc;
        return this;
      }
      _decode(buf) {
        if (this._decoder) return this._decoder.decode(buf, { stream: true });
        return this._encoding ? buf.toString(this._encoding) : buf;
      }
      isPaused() { return this._flowing === false; }
      pause() {
        this._flowing = false;
        return this;
      }
      resume() {
        this._flowing = true;
        if (!this._reading) queueMicrotask(() => this._flow());
        return this;
      }
      // The next piece (a Buffer), or null at the end.
      async _next() {
        const fd = await this._opened;
        const left = this.end === Infinity ? this._hwm : Math.min(this._hwm, this.end - (this.pos || 0) + 1);
        if (left <= 0 || this.destroyed) return null;
        const buf = g.Buffer.alloc(left);
        const n = await callback(fs.read, fd, buf, 0, left, this.pos === undefined ? null : this.pos);
        if (this.pos !== undefined) this.pos += n;
        this.bytesRead += n;
        return n === 0 ? null : buf.subarray(0, n);
      }
      async _flow() {
        if (this._reading || this.destroyed || this.readableEnded) return;
        this._reading = true;
        try {
          while (this._flowing && !this.destroyed) {
            const chunk = await this._next();
            if (this.destroyed) break;
            if (chunk === null) { this._finish(); break; }
            this.emit("data", this._decode(chunk));
          }
        } catch (e) {
          this.destroy(e);
        } finally {
          this._reading = false;
        }
      }
      _finish() {
        this.readableEnded = true;
        this.readable = false;
        if (this._decoder) {
          const rest = this._decoder.decode();
          if (rest) this.emit("data", rest);
        }
        this.emit("end");
        if (this._autoClose) this.destroy();
      }
      async *[Symbol.asyncIterator]() {
        this._flowing = false;
        try {
          for (;;) {
            const chunk = await this._next();
            if (chunk === null) break;
            yield this._decode(chunk);
          }
          this.readableEnded = true;
        } finally {
          this.destroy();
        }
      }
      // Writes every piece into `dest` (anything with write() and end()).
      pipe(dest, options) {
        this.on("data", (chunk) => { if (dest.write(chunk) === false && typeof dest.once === "function") { this.pause(); dest.once("drain", () => this.resume()); } });
        if (!options || options.end !== false) this.on("end", () => dest.end());
        return dest;
      }
      destroy(err) {
        if (this.destroyed) return this;
        this.destroyed = true;
        this.readable = false;
        const fd = this.fd;
        const done = () => {
          if (err) this.emit("error", err);
          if (this._emitClose) this.emit("close");
        };
        if (typeof fd === "number" && this._autoClose) fs.close(fd, () => done());
        else queueMicrotask(done);
        return this;
      }
      close(cb) {
        if (cb) this.once("close", cb);
        this.destroy();
      }
    }

    // ---- WriteStream ------------------------------------------------------------------
    class WriteStream extends Emitter {
      constructor(path, options) {
        super();
        const o = streamOptions(options, { flags: "w", encoding: "utf8", highWaterMark: 16384, autoClose: true, emitClose: true });
        this.path = o.fd === undefined ? path : undefined;
        this.fd = o.fd === undefined ? null : (typeof o.fd === "object" ? o.fd.fd : o.fd);
        this.flags = o.flags;
        this.mode = o.mode === undefined ? 0o666 : o.mode;
        this.pos = o.start;
        this.bytesWritten = 0;
        this.pending = true;
        this.writable = true;
        this.writableEnded = false;
        this.writableFinished = false;
        this.destroyed = false;
        this._encoding = o.encoding;
        this._hwm = o.highWaterMark;
        this._autoClose = o.autoClose !== false;
        this._emitClose = o.emitClose !== false;
        this._flush = o.flush === true;
        this._queue = [];           // [bytes, cb]
        this._queued = 0;           // bytes waiting
        this._writing = false;
        this._needDrain = false;
        this._opened = openStream(this, path);
      }
      get writableLength() { return this._queued; }
      write(chunk, encoding, cb) {
        if (typeof encoding === "function") { cb = encoding; encoding = undefined; }
        if (this.writableEnded || this.destroyed) {
          const e = new Error(this.destroyed ? "Cannot call write after a stream was destroyed" : "write after end");
          e.code = this.destroyed ? "ERR_STREAM_DESTROYED" : "ERR_STREAM_WRITE_AFTER_END";
          queueMicrotask(() => { if (cb) cb(e); this.emit("error", e); });
          return false;
        }
        let bytes;
        if (typeof chunk === "string") bytes = g.Buffer.from(chunk, encoding || this._encoding || "utf8");
        else if (ArrayBuffer.isView(chunk)) bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        else throw argType("chunk", "of type string or an instance of Buffer, TypedArray, or DataView", chunk);
        this._queue.push([bytes, cb]);
        this._queued += bytes.length;
        this._pump();
        const ok = this._queued < this._hwm;
        if (!ok) this._needDrain = true;
        return ok;
      }
      async _pump() {
        if (this._writing) return;
        this._writing = true;
        try {
          const fd = await this._opened;
          while (this._queue.length > 0 && !this.destroyed) {
            const [bytes, cb] = this._queue.shift();
            let off = 0;
            while (off < bytes.length) {
              const n = await callback(fs.write, fd, bytes, off, bytes.length - off, this.pos === undefined ? null : this.pos);
              off += n;
              if (this.pos !== undefined) this.pos += n;
              this.bytesWritten += n;
            }
            this._queued -= bytes.length;
            if (cb) cb(null);
          }
        } catch (e) {
          this._writing = false;
          return this.destroy(e);
        }
        this._writing = false;
        if (this._needDrain && this._queued < this._hwm && !this.writableEnded) {
          this._needDrain = false;
          this.emit("drain");
        }
        if (this.writableEnded && this._queue.length === 0 && !this.writableFinished) this._finishWrites();
      }
      async _finishWrites() {
        this.writableFinished = true;
        try {
          if (this._flush) await callback(fs.fsync, await this._opened);
        } catch (e) {
          return this.destroy(e);
        }
        this.emit("finish");
        if (this._autoClose) this.destroy();
      }
      end(chunk, encoding, cb) {
        if (typeof chunk === "function") { cb = chunk; chunk = undefined; }
        if (typeof encoding === "function") { cb = encoding; encoding = undefined; }
        if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
        if (cb) this.once("finish", cb);
        if (this.writableEnded) return this;
        this.writableEnded = true;
        this.writable = false;
        this._pump();
        return this;
      }
      cork() {}
      uncork() {}
      destroy(err) {
        if (this.destroyed) return this;
        this.destroyed = true;
        this.writable = false;
        const done = () => {
          if (err) this.emit("error", err);
          if (this._emitClose) this.emit("close");
        };
        if (typeof this.fd === "number" && this._autoClose) fs.close(this.fd, () => done());
        else queueMicrotask(done);
        return this;
      }
      close(cb) {
        if (cb) this.once("close", cb);
        if (!this.writableEnded) this.end();
        else if (this.writableFinished && !this.destroyed) this.destroy();
      }
    }

    function abortError(signal) {
      return lib("node/internal_errors").abortError(signal);
    }

    return {
      ReadStream, WriteStream,
      createReadStream: (path, options) => new ReadStream(path, options),
      createWriteStream: (path, options) => new WriteStream(path, options),
    };
  };
})
