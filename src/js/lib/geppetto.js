// The `geppetto` module (SPEC §4), built over the natives of src/js/mod_*.c:
// constants, turn helpers, engines, sessions and run handles. Evaluated once per VM
// on the owner thread; every native it calls asserts that.
(function (native, host) {
  "use strict";

  const BlockKind = Object.freeze({ USER: "user", LLM_TEXT: "llm_text", TOOL_CALL: "tool_call",
    TOOL_USE: "tool_use", SYSTEM: "system", REASONING: "reasoning", OTHER: "other" });
  const EventType = Object.freeze({ START: "start", PARTIAL: "partial",
    PARTIAL_THINKING: "partial-thinking", FINAL: "final", TOOL_CALL: "tool-call",
    TOOL_CALL_EXECUTE: "tool-call-execute", TOOL_CALL_EXECUTION_RESULT: "tool-call-execution-result",
    TOOL_RESULT: "tool-result", ERROR: "error", INTERRUPT: "interrupt", LOG: "log", INFO: "info" });
  const eventTypes = new Set(Object.values(EventType));
  const consts = Object.freeze({ BlockKind, EventType });

  function makeError(code, message, Ctor) {
    const e = new (Ctor || Error)(message);
    e.code = code;
    return e;
  }

  // ---- turns -------------------------------------------------------------------
  function block(kind, payload) { return native.normalizeBlock({ kind, payload }); }
  const turns = Object.freeze({
    newTurn(partial) {
      if (partial !== undefined && (partial === null || typeof partial !== "object"))
        throw makeError("INVALID_ARGUMENT", "newTurn takes an object", TypeError);
      return native.normalizeTurn(Object.assign({ blocks: [] }, partial || {}));
    },
    normalize: (turn) => native.normalizeTurn(turn),
    appendBlock(turn, b) {
      if (turn === null || typeof turn !== "object")
        throw makeError("INVALID_ARGUMENT", "appendBlock needs a turn", TypeError);
      if (!Array.isArray(turn.blocks)) turn.blocks = [];
      turn.blocks.push(native.normalizeBlock(b));
      return turn;
    },
    newUserBlock: (text) => block("user", { text: String(text) }),
    newSystemBlock: (text) => block("system", { text: String(text) }),
    newAssistantBlock: (text) => block("llm_text", { text: String(text) }),
    newToolCallBlock: (id, name, args) => block("tool_call", { id, name, args: args === undefined ? {} : args }),
    newToolUseBlock(id, result, error) {
      const p = { id, result: result === undefined ? null : result };
      if (error !== undefined && error !== null) p.error = error instanceof Error ? error.message : String(error);
      return block("tool_use", p);
    },
  });

  // A seed may be a Turn, or a string (one user block) for convenience.
  function seedOf(seed) {
    if (seed === undefined || seed === null) return undefined;
    if (typeof seed === "string") return { blocks: [turns.newUserBlock(seed)] };
    return seed;
  }

  // ---- engines -------------------------------------------------------------------
  const engines = Object.freeze({
    echo(opts) {
      opts = opts || {};
      return native.engineEcho(opts.reply === undefined ? undefined : String(opts.reply),
                               opts.wordDelayMs || 0);
    },
    fromFunction(fn) {
      if (typeof fn !== "function")
        throw makeError("INVALID_ARGUMENT", "engines.fromFunction needs a function", TypeError);
      return native.engineFromFunction(fn);
    },
  });

  // ---- sessions ------------------------------------------------------------------
  function callSafely(fn, ev, what) {
    try { fn(ev); } catch (e) {
      host.log("warn", what + " threw on '" + ev.type + "': " + (e && e.stack ? e + "\n" + e.stack : e));
    }
  }

  class Session {
    #h; #sink; #running = false;
    constructor(opts) {
      if (opts === null || typeof opts !== "object" || !opts.engine)
        throw makeError("INVALID_ARGUMENT", "createSession needs {engine}", TypeError);
      if (opts.eventSink !== undefined && typeof opts.eventSink !== "function")
        throw makeError("INVALID_ARGUMENT", "eventSink must be a function", TypeError);
      this.#h = native.sessionNew(opts);
      this.#sink = opts.eventSink;
    }
    get id() { return native.sessionId(this.#h); }
    append(turn) { native.sessionAppend(this.#h, turn); return this; }
    latest() { return native.sessionGetTurn(this.#h, -1); }
    turnCount() { return native.sessionTurnCount(this.#h); }
    getTurn(i) {
      if (!Number.isInteger(i) || i < 0) return null;
      return native.sessionGetTurn(this.#h, i);
    }
    turns() { return this.turnsRange(); }
    turnsRange(start, end) {
      const n = this.turnCount();
      const s = Math.max(0, start === undefined ? 0 : start);
      const e = Math.min(n, end === undefined ? n : end);
      const out = [];
      for (let i = s; i < e; i++) out.push(native.sessionGetTurn(this.#h, i));
      return out;
    }
    isRunning() { return this.#running; }
    cancelActive() { return this.#running ? native.sessionCancelActive(this.#h) : false; }
    #checkIdle() {
      if (this.#running)
        throw makeError("ALREADY_RUNNING",
          "session " + this.id + " already has an active run; wait for it or cancel it first");
    }
    run(seed, opts) {
      this.#checkIdle();
      const sink = this.#sink;
      const onEvent = sink ? (ev) => callSafely(sink, ev, "eventSink") : undefined;
      this.#running = true;
      try {
        return native.sessionRun(this.#h, seedOf(seed), opts || {}, onEvent);
      } finally {
        this.#running = false;
      }
    }
    runAsync(seed, opts) {
      try {
        return this.start(seed, opts).promise;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    start(seed, opts) {
      this.#checkIdle();
      const listeners = new Map();
      const sink = this.#sink;
      const onEvent = (ev) => {
        if (sink) callSafely(sink, ev, "eventSink");
        for (const fn of listeners.get(ev.type) || []) callSafely(fn, ev, "listener");
        for (const fn of listeners.get("*") || []) callSafely(fn, ev, "listener");
      };
      let resolve, reject;
      const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
      const onSettle = (err, turn) => {
        this.#running = false;
        if (err) reject(err); else resolve(turn);
      };
      const r = native.sessionStart(this.#h, seedOf(seed), opts || {}, onEvent, onSettle);
      this.#running = true;
      const handle = {
        id: native.runId(r),
        promise,
        cancel: () => native.runCancel(r),
        on(type, fn) {
          if (type !== "*" && !eventTypes.has(type))
            throw makeError("INVALID_ARGUMENT", "unknown event type '" + type + "'", TypeError);
          if (typeof fn !== "function")
            throw makeError("INVALID_ARGUMENT", "on() needs a listener function", TypeError);
          if (!listeners.has(type)) listeners.set(type, []);
          listeners.get(type).push(fn);
          return handle;
        },
      };
      return handle;
    }
  }

  function createSession(opts) { return new Session(opts); }

  const runtime = Object.freeze({ stats: () => native.runtimeStats() });

  return Object.freeze({ consts, turns, engines, createSession, Session, runtime, version: host.version });
})
