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
    TOOL_RESULT: "tool-result", ERROR: "error", INTERRUPT: "interrupt", LOG: "log", INFO: "info",
    PARTIAL_OBJECT: "partial-object",
    TOOL_PROGRESS: "tool-progress" });
  const eventTypes = new Set(Object.values(EventType));
  const consts = Object.freeze({ BlockKind, EventType });

  function makeError(code, message, Ctor) {
    const e = new (Ctor || Error)(message);
    e.code = code;
    return e;
  }

  // ---- unknown option keys -----------------------------------------------------------
  // A typo in an options object (`outptu`, `timeotMs`) would otherwise run as if the key
  // were absent: each unknown key is logged at `warn` once per kind of call and key, and
  // ignored (never an error: a working script must keep working). The known keys of each
  // kind are those of SPEC §4, docs/API.md and types/geppetto.d.ts. Options checked by
  // the C side (toolLoop, toolHooks, output, provider and embeddings configs, stores'
  // opts) refuse an unknown key with INVALID_ARGUMENT instead.
  const sessionKeys = ["engine", "middlewares", "tools", "toolLoop", "toolHooks", "eventSink", "output", "store", "id"];
  const runKeys = ["timeoutMs", "tags", "output"];
  const optionKeys = new Map(Object.entries({
    createSession: sessionKeys,
    createBuilder: sessionKeys,
    run: runKeys,
    runAsync: runKeys,
    start: runKeys,
    runInference: ["timeoutMs", "tags", "middlewares"],
    "engines.echo": ["reply", "wordDelayMs"],
    "middlewares.native(systemPrompt)": ["prompt"],
    "middlewares.native(reorderToolResults)": [],
    "middlewares.native(turnLogging)": [],
    "registry.register": ["name", "description", "parameters", "handler"],
    "registry.useMCP": ["include", "exclude", "prefix"],
    "mcp.connect": ["command", "args", "env", "cwd", "url", "headers", "name", "timeoutMs", "restart"],
    "client.callTool": ["signal"],
    "store.list": ["limit", "before"],
    chat: ["profile", "system", "session", "store", "tools", "mcp"],
  }).map(([kind, keys]) => [kind, { keys, set: new Set(keys) }]));
  const warnedKeys = new Set(); // "KIND\nKEY" already logged
  const maxWarned = 1000; // a script making up keys in a loop does not grow this forever

  // Edit distance of a and b when it is at most 2, else 3 (enough for a suggestion).
  function nearness(a, b) {
    if (Math.abs(a.length - b.length) > 2) return 3;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++)
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return Math.min(prev[b.length], 3);
  }
  function warnUnknownKey(kind, known, key) {
    const id = kind + "\n" + key;
    if (warnedKeys.has(id) || warnedKeys.size >= maxWarned) return;
    warnedKeys.add(id);
    let best = null, bestD = 3;
    for (const k of known.keys) {
      const d = nearness(key.toLowerCase(), k.toLowerCase());
      if (d < bestD) { best = k; bestD = d; }
    }
    host.log("warn", kind + ": unknown option '" + key + "' ignored" +
      (best ? "; did you mean '" + best + "'?" : "") +
      " (known: " + (known.keys.length ? known.keys.join(", ") : "none") + ")");
  }
  // Warns about the own keys of `opts` (if an object) that `kind` does not know.
  function checkOptionKeys(kind, opts) {
    if (opts === null || typeof opts !== "object") return;
    const known = optionKeys.get(kind);
    if (known === undefined) return; // a kind without a table (a newer native middleware)
    for (const k of Object.keys(opts)) if (!known.set.has(k)) warnUnknownKey(kind, known, k);
  }
  native.checkOptionKeys = checkOptionKeys; // for geppetto/chat (lib/app/chat.js)

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

  // What a seed does (SPEC §4.7): a string (one user block), a Block or an array of
  // Blocks continues the conversation and reaches the native side as an array of blocks
  // (latest turn + these, as a new turn); a Turn (an object with `blocks`) is appended as
  // it is.
  function seedOf(seed) {
    if (seed === undefined || seed === null) return undefined;
    if (typeof seed === "string") return [turns.newUserBlock(seed)];
    if (Array.isArray(seed)) return seed;
    if (typeof seed === "object" && !Array.isArray(seed.blocks) && typeof seed.kind === "string") return [seed];
    return seed;
  }

  // ---- engines -------------------------------------------------------------------
  const engines = Object.freeze({
    echo(opts) {
      checkOptionKeys("engines.echo", opts);
      opts = opts || {};
      return native.engineEcho(opts.reply === undefined ? undefined : String(opts.reply),
                               opts.wordDelayMs || 0);
    },
    fromFunction(fn) {
      if (typeof fn !== "function")
        throw makeError("INVALID_ARGUMENT", "engines.fromFunction needs a function", TypeError);
      return native.engineFromFunction(fn);
    },
    // Provider engines (SPEC §4.2, §6): HTTP streaming runs on the run's thread.
    fromConfig: (cfg) => native.engineFromConfig(cfg),
    fromProfile: (name, overrides) => native.engineFromProfile(name, overrides),
  });

  // ---- tools ---------------------------------------------------------------------
  // ctx.signal of tool handlers, engine functions and middlewares: a real AbortSignal
  // (lib/web/abort.js). The C side (signal.c) calls `abort` with "CANCELED" or "TIMEOUT"
  // on the owner thread when the run is canceled or the tool call's executionTimeoutMs
  // passes; the reason is an Error with that code.
  // kind: "tool" (a TIMEOUT is the call's executionTimeoutMs) or "run".
  function newRunSignal(kind) {
    const c = host.lib("abort").createSignal();
    return {
      signal: c.signal,
      abort(code) {
        code = String(code);
        const timeout = code === "TIMEOUT";
        const reason = makeError(code, !timeout ? "the run was canceled"
          : kind === "tool" ? "the tool call timed out (toolLoop.executionTimeoutMs)"
          : "the run timed out");
        reason.name = timeout ? "TimeoutError" : "AbortError";
        c.abort(reason);
      },
    };
  }
  native.newRunSignal = newRunSignal;

  function jsonCopy(v, what) {
    if (v === undefined) return {};
    let text;
    try { text = JSON.stringify(v); } catch (e) {
      throw makeError("INVALID_ARGUMENT", what + " must be JSON-serialisable: " + e.message, TypeError);
    }
    if (text === undefined) throw makeError("INVALID_ARGUMENT", what + " must be a JSON value", TypeError);
    return JSON.parse(text);
  }

  // A tool's result must be what JSON represents (SPEC §4.4): a function, a symbol, a
  // number that is not finite, a BigInt, a Map/Set, a typed array or a cycle is an error
  // naming where it is, never a silent null or {}. Returns the error's text or null.
  const opaque = [[Map, "a Map"], [Set, "a Set"], [WeakMap, "a WeakMap"], [WeakSet, "a WeakSet"],
    [RegExp, "a RegExp"], [Promise, "a Promise (await it)"], [ArrayBuffer, "an ArrayBuffer"],
    [Error, "an Error (return its message)"]];
  function jsonProblem(v, path, seen, depth) {
    switch (typeof v) {
      case "function": return `${path} is a function`;
      case "symbol": return `${path} is a symbol`;
      case "bigint": return `${path} is a BigInt (convert it to a string or a number)`;
      case "number": return Number.isFinite(v) ? null : `${path} is ${v} (JSON has no such number)`;
      case "object": break;
      default: return null;
    }
    if (v === null || depth > 500) return null; // deeper values meet the JSON depth limit
    if (typeof v.toJSON === "function") return jsonProblem(v.toJSON(), path, seen, depth + 1);
    for (const [T, what] of opaque) if (v instanceof T) return `${path} is ${what}`;
    if (ArrayBuffer.isView(v)) return `${path} is a ${v.constructor.name} (convert it with Array.from)`;
    if (seen.has(v)) return `${path} refers back to an enclosing value (a cycle)`;
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = jsonProblem(v[i], `${path}[${i}]`, seen, depth + 1);
          if (p) return p;
        }
        return null;
      }
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (x === undefined) continue; // an absent property, as in JSON.stringify
        const p = jsonProblem(x, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, seen, depth + 1);
        if (p) return p;
      }
      return null;
    } finally {
      seen.delete(v);
    }
  }
  function checkedResult(name, v) {
    const p = v === undefined ? null : jsonProblem(v, "result", new Set(), 0);
    if (p) throw makeError("INVALID_ARGUMENT", `tool ${name} returned a value JSON cannot represent: ${p}`, TypeError);
    return v;
  }
  function checkedHandler(name, handler) {
    return function (args, ctx) {
      const r = handler.call(this, args, ctx);
      if (r !== null && typeof r === "object" && typeof r.then === "function")
        return Promise.resolve(r).then((v) => checkedResult(name, v));
      return checkedResult(name, r);
    };
  }

  // A registry is a native object (the C gp_registry_t) with this class's prototype, so
  // createSession({tools}) hands the C registry over as it is.
  // The registry (C) is the one record of its tools: a JS tool's handler and schema
  // are asked of it (native.registryJSTool).
  let directCalls = 0;
  function checkRegistry(r) {
    if (!native.isRegistry(r))
      throw makeError("INVALID_ARGUMENT", "not a tool registry (use gp.tools.createRegistry())", TypeError);
  }
  class ToolRegistry {
    constructor() {
      return Object.setPrototypeOf(native.registryNew(), new.target.prototype);
    }
    register(def) {
      checkRegistry(this);
      if (def === null || typeof def !== "object")
        throw makeError("INVALID_ARGUMENT", "register needs {name, description?, parameters?, handler}", TypeError);
      checkOptionKeys("registry.register", def);
      const { name, description, parameters, handler } = def;
      if (typeof name !== "string" || name === "")
        throw makeError("INVALID_ARGUMENT", "register: a tool needs a non-empty string `name`", TypeError);
      if (typeof handler !== "function")
        throw makeError("INVALID_ARGUMENT", "register: tool " + name + " needs a `handler(args, ctx)` function", TypeError);
      if (description !== undefined && typeof description !== "string")
        throw makeError("INVALID_ARGUMENT", "register: the description of tool " + name + " must be a string", TypeError);
      if (parameters !== undefined && (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)))
        throw makeError("INVALID_ARGUMENT", "register: the parameters of tool " + name + " must be a JSON Schema object", TypeError);
      const checked = checkedHandler(name, handler);
      native.registryAdd(this, name, description === undefined ? "" : description, parameters, checked);
      return this;
    }
    useNativeTools(names) {
      checkRegistry(this);
      if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === "string")))
        throw makeError("INVALID_ARGUMENT", "useNativeTools takes an array of tool names, or nothing for all", TypeError);
      native.registryUseNative(this, names);
      return this;
    }
    useGoTools(names) { return this.useNativeTools(names); }
    // The tools of an MCP server (SPEC §4.11), from the list fetched when the client
    // connected; calls go from the tool workers to the server, not through JS.
    useMCP(client, opts) {
      checkRegistry(this);
      const h = mcpHandles.get(client);
      if (!h) throw makeError("INVALID_ARGUMENT", "useMCP needs a client from gp.mcp.connect()", TypeError);
      const o = opts === undefined ? {} : opts;
      if (o === null || typeof o !== "object")
        throw makeError("INVALID_ARGUMENT", "useMCP options must be {include?, exclude?, prefix?}", TypeError);
      checkOptionKeys("registry.useMCP", o);
      const names = (v, what) => {
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || !v.every((n) => typeof n === "string"))
          throw makeError("INVALID_ARGUMENT", "useMCP: " + what + " must be an array of tool names", TypeError);
        return v;
      };
      if (o.prefix !== undefined && typeof o.prefix !== "string")
        throw makeError("INVALID_ARGUMENT", "useMCP: prefix must be a string", TypeError);
      native.registryUseMCP(this, h, names(o.include, "include"), names(o.exclude, "exclude"), o.prefix);
      return this;
    }
    list() { checkRegistry(this); return native.registryList(this); }
    // Runs a tool now, on this thread: a JS handler's value or Promise is returned as
    // is; a native tool's result is returned (its failure thrown).
    call(name, args) {
      checkRegistry(this);
      const t = native.registryJSTool(this, String(name));
      const a = jsonCopy(args, "the arguments");
      if (!t) return native.registryCall(this, String(name), a);
      const problem = native.schemaValidate(t.parameters, a);
      if (problem !== null)
        throw makeError("INVALID_ARGUMENT", "invalid arguments for tool " + name + ": " + problem, TypeError);
      return t.handler(a, { toolName: name, callId: "direct-" + (++directCalls), sessionId: "",
        inferenceId: "", tags: {}, deadlineMs: 0, signal: newRunSignal("tool").signal });
    }
  }
  const tools = Object.freeze({ createRegistry: () => new ToolRegistry(), ToolRegistry });

  // ---- MCP clients (SPEC §4.11) --------------------------------------------------------
  // The natives (src/js/mod_mcp.c) run each server operation off the owner and call
  // back here with (err, value).
  const mcpHandles = new WeakMap(); // MCPClient -> native handle
  function mcpOp(start) {
    return new Promise((resolve, reject) => start((err, v) => (err ? reject(err) : resolve(v))));
  }
  function mcpSpec(spec) {
    if (spec === null || typeof spec !== "object")
      throw makeError("INVALID_ARGUMENT", "gp.mcp.connect needs {command, args?, env?, cwd?} or {url, headers?}", TypeError);
    const strMap = (v, what) => {
      if (v === undefined) return undefined;
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw makeError("INVALID_ARGUMENT", "gp.mcp.connect: " + what + " must be an object of strings", TypeError);
      const out = {};
      for (const k of Object.keys(v)) out[k] = String(v[k]);
      return out;
    };
    checkOptionKeys("mcp.connect", spec);
    const s = {};
    if ((spec.command === undefined) === (spec.url === undefined))
      throw makeError("INVALID_ARGUMENT", "gp.mcp.connect needs either `command` (stdio) or `url` (Streamable HTTP)", TypeError);
    if (spec.command !== undefined) {
      if (typeof spec.command !== "string" || spec.command === "")
        throw makeError("INVALID_ARGUMENT", "gp.mcp.connect: command must be a non-empty string", TypeError);
      s.command = spec.command;
      if (spec.args !== undefined) {
        if (!Array.isArray(spec.args)) throw makeError("INVALID_ARGUMENT", "gp.mcp.connect: args must be an array", TypeError);
        s.args = spec.args.map(String);
      }
      s.env = strMap(spec.env, "env");
      if (spec.cwd !== undefined) s.cwd = String(spec.cwd);
    } else {
      if (typeof spec.url !== "string") throw makeError("INVALID_ARGUMENT", "gp.mcp.connect: url must be a string", TypeError);
      s.url = spec.url;
      s.headers = strMap(spec.headers, "headers");
    }
    if (spec.name !== undefined) s.name = String(spec.name);
    if (spec.timeoutMs !== undefined) {
      if (typeof spec.timeoutMs !== "number" || !(spec.timeoutMs > 0))
        throw makeError("INVALID_ARGUMENT", "gp.mcp.connect: timeoutMs must be a positive number", TypeError);
      s.timeoutMs = spec.timeoutMs;
    }
    if (spec.restart !== undefined) s.restart = !!spec.restart;
    return s;
  }
  class MCPClient {
    constructor() { throw makeError("INVALID_ARGUMENT", "use gp.mcp.connect(spec)", TypeError); }
    get serverInfo() { return native.mcpInfo(mcpHandles.get(this)).serverInfo; }
    get protocolVersion() { return native.mcpInfo(mcpHandles.get(this)).protocolVersion; }
    get name() { return native.mcpInfo(mcpHandles.get(this)).name; }
    tools() {
      const h = mcpHandles.get(this);
      return mcpOp((cb) => native.mcpTools(h, cb));
    }
    callTool(name, args, opts) {
      try {
        const h = mcpHandles.get(this);
        if (typeof name !== "string" || name === "")
          throw makeError("INVALID_ARGUMENT", "callTool needs a tool name", TypeError);
        const a = args === undefined ? {} : jsonCopy(args, "the arguments");
        checkOptionKeys("client.callTool", opts);
        const signal = opts && opts.signal;
        if (signal && signal.aborted) {
          const e = makeError("CANCELED", "the MCP call was canceled before it started");
          e.name = "AbortError";
          return Promise.reject(e);
        }
        const canceler = signal ? native.mcpCanceler() : undefined;
        const onAbort = () => native.mcpCancel(canceler);
        if (signal) signal.addEventListener("abort", onAbort, { once: true });
        return mcpOp((cb) => native.mcpCall(h, name, a, canceler, cb)).finally(() => {
          if (signal) signal.removeEventListener("abort", onAbort);
        });
      } catch (e) {
        return Promise.reject(e);
      }
    }
    close() {
      const h = mcpHandles.get(this);
      return mcpOp((cb) => native.mcpClose(h, cb)).then(() => undefined);
    }
  }
  const mcp = Object.freeze({
    connect(spec) {
      try {
        // Not checked by the permission model: the script's author configures its MCP
        // servers, as its engines and stores (SPEC §3.4).
        const s = mcpSpec(spec);
        return mcpOp((cb) => native.mcpConnect(s, cb)).then((h) => {
          const c = Object.create(MCPClient.prototype);
          mcpHandles.set(c, h);
          return c;
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    MCPClient,
  });

  // ---- sessions ------------------------------------------------------------------
  function callSafely(fn, ev, what) {
    try { fn(ev); } catch (e) {
      host.cleanError(e); // the log shows the script's frames
      host.log("warn", what + " threw on '" + ev.type + "': " + (e && e.stack ? e + "\n" + e.stack : e));
    }
  }

  // ---- stores (SPEC §4.12) ----------------------------------------------------------
  // A store is a native object (the C gp_store_t) with Store's prototype; its
  // operations run off the owner and answer through a callback turned into a Promise.
  function storeCall(store, op, arg) {
    return new Promise((resolve, reject) => {
      native.storeOp(store, op, arg, (err, value) => { if (err) reject(err); else resolve(value); });
    });
  }
  function storeOpts(opts, what) {
    if (opts === undefined || opts === null) return undefined;
    if (!plainObject(opts)) throw makeError("INVALID_ARGUMENT", what + ": opts must be an object", TypeError);
    for (const k of Object.keys(opts))
      if (k !== "leaseMs" && k !== "connections")
        throw makeError("INVALID_ARGUMENT", what + ": unknown option " + JSON.stringify(k) +
          " (known: leaseMs, connections)", TypeError);
    for (const k of ["leaseMs", "connections"])
      if (opts[k] !== undefined && !(Number.isFinite(opts[k]) && opts[k] > 0))
        throw makeError("INVALID_ARGUMENT", what + ": " + k + " must be a positive number", TypeError);
    return opts;
  }
  class Store {
    constructor() { throw makeError("INVALID_ARGUMENT", "use gp.stores.memory/sqlite/postgres", TypeError); }
    // list({limit?, before?}) -> Promise<[{id, turnCount, updatedAt}]>, most recent first
    list(opts) {
      if (opts !== undefined && !plainObject(opts))
        return Promise.reject(makeError("INVALID_ARGUMENT", "store.list takes {limit?, before?}", TypeError));
      checkOptionKeys("store.list", opts);
      const o = opts || {};
      const before = o.before instanceof Date ? o.before.getTime() : o.before;
      return storeCall(this, "list", { limit: o.limit || 0, before: before || 0 });
    }
    // load(id) -> Promise<Turn[] | null> (null: the store does not know the id)
    load(id) { return storeCall(this, "load", String(id)); }
    delete(id) { return storeCall(this, "delete", String(id)); }
    // runs(id) -> Promise<[{id, startedAt, endedAt, outcome, usage, partialTurn}]>
    runs(id) { return storeCall(this, "runs", String(id)); }
    close() { return storeCall(this, "close"); }
  }
  function makeStore(kind, target, opts, what) {
    const o = storeOpts(opts, what) || {};
    if (kind !== "memory" && (typeof target !== "string" || target === ""))
      throw makeError("INVALID_ARGUMENT", what + " needs a " + (kind === "sqlite" ? "file path" : "connection string"), TypeError);
    const st = Object.setPrototypeOf(native.storeNew(kind, target, o.leaseMs, o.connections), Store.prototype);
    Object.defineProperty(st, "kind", { value: kind, enumerable: true });
    return st;
  }
  const stores = Object.freeze({
    memory: (opts) => makeStore("memory", undefined, opts, "stores.memory"),
    sqlite: (path, opts) => makeStore("sqlite", path, opts, "stores.sqlite"),
    postgres: (url, opts) => makeStore("postgres", url, opts, "stores.postgres"),
    // fromSpec("sqlite:PATH" | "postgres:CONNINFO" | "postgresql://..." | "memory"), as
    // profiles and `geppetto chat --store` name a store.
    fromSpec(spec, opts) {
      const m = /^(sqlite|postgres):(.+)$/s.exec(String(spec));
      if (/^postgres(ql)?:\/\//.test(String(spec))) return makeStore("postgres", String(spec), opts, "stores.fromSpec");
      if (m) return makeStore(m[1], m[2], opts, "stores.fromSpec");
      if (spec === "memory") return makeStore("memory", undefined, opts, "stores.fromSpec");
      throw makeError("INVALID_ARGUMENT", "unknown store " + JSON.stringify(spec) +
        "; use sqlite:PATH, postgres:CONNINFO, postgresql://URL or memory", TypeError);
    },
    Store,
  });

  // The run options with the session's default structured output under them.
  function withOutputDefault(opts, output) {
    if (output === undefined || (opts && opts.output !== undefined)) return opts || {};
    return Object.assign({}, opts, { output });
  }

  const fromHandle = Symbol("fromHandle");
  class Session {
    #h; #sink; #output; #running = false; #ready;
    constructor(opts, handle) {
      if (opts === fromHandle) {
        this.#h = handle.h;
        this.#sink = handle.sink;
        this.#output = handle.output;
        return;
      }
      if (opts === null || typeof opts !== "object" || !opts.engine)
        throw makeError("INVALID_ARGUMENT", "createSession needs {engine}", TypeError);
      checkOptionKeys("createSession", opts);
      if (opts.eventSink !== undefined && typeof opts.eventSink !== "function")
        throw makeError("INVALID_ARGUMENT", "eventSink must be a function", TypeError);
      if (opts.id !== undefined && (typeof opts.id !== "string" || opts.id === ""))
        throw makeError("INVALID_ARGUMENT", "createSession: id must be a non-empty string", TypeError);
      if (opts.output !== undefined && (opts.output === null || typeof opts.output !== "object"))
        throw makeError("INVALID_ARGUMENT", "output must be {schema, name?, strict?}", TypeError);
      if (opts.output !== undefined) native.outputCheck(opts.output); // as a run would, here
      this.#h = native.sessionNew(opts);
      this.#sink = opts.eventSink;
      this.#output = opts.output;
    }
    get id() { return native.sessionId(this.#h); }
    // With a store: a Promise settled when the history is loaded (history reads made
    // before wait for it). Without one: resolved.
    get ready() {
      if (!this.#ready) {
        this.#ready = new Promise((resolve, reject) => {
          native.sessionReady(this.#h, (err) => { if (err) reject(err); else resolve(this); });
        });
      }
      return this.#ready;
    }
    // fork(newId?) -> a new Session with a copy of the history (in the same store).
    fork(newId) {
      if (newId !== undefined && (typeof newId !== "string" || newId === ""))
        throw makeError("INVALID_ARGUMENT", "fork: the new id must be a non-empty string", TypeError);
      return new Session(fromHandle, { h: native.sessionFork(this.#h, newId), sink: this.#sink, output: this.#output });
    }
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
      checkOptionKeys("run", opts);
      const sink = this.#sink;
      const onEvent = sink ? (ev) => callSafely(sink, ev, "eventSink") : undefined;
      this.#running = true;
      try {
        return native.sessionRun(this.#h, seedOf(seed), withOutputDefault(opts, this.#output), onEvent);
      } finally {
        this.#running = false;
      }
    }
    runAsync(seed, opts) {
      try {
        // Without an eventSink nobody can listen to a runAsync() run: no events cross
        // to the owner at all.
        return this.#start(seed, opts, !this.#sink, "runAsync").promise;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    start(seed, opts) { return this.#start(seed, opts, false, "start"); }
    #start(seed, opts, quiet, kind) {
      this.#checkIdle();
      checkOptionKeys(kind, opts);
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
      const r = native.sessionStart(this.#h, seedOf(seed), withOutputDefault(opts, this.#output),
                                    quiet ? undefined : onEvent, onSettle);
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

  // ---- middlewares ---------------------------------------------------------------
  // fromJS(fn, name?): fn(turn, next, ctx); next(turn?) runs the rest of the chain and
  // the engine and returns the resulting Turn (a Promise of it in an async function);
  // fn returns a Turn, or undefined for the turn next() returned (else its input).
  // native(name, options) (alias go): a built-in middleware of the C library.
  const nativeMiddlewareNames = Object.freeze(native.middlewareNames()); // from the C library
  const middlewares = Object.freeze({
    fromJS(fn, name) {
      if (typeof fn !== "function")
        throw makeError("INVALID_ARGUMENT", "middlewares.fromJS needs a function (turn, next, ctx) => Turn", TypeError);
      if (name !== undefined && typeof name !== "string")
        throw makeError("INVALID_ARGUMENT", "middlewares.fromJS: name must be a string", TypeError);
      return native.middlewareFromJS(fn, name);
    },
    native(name, options) {
      if (!nativeMiddlewareNames.includes(name))
        throw makeError("INVALID_ARGUMENT", "unknown native middleware " + JSON.stringify(name) +
          "; accepted: " + nativeMiddlewareNames.join(", "), TypeError);
      if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options)))
        throw makeError("INVALID_ARGUMENT", "middlewares.native(" + name + "): options must be an object", TypeError);
      checkOptionKeys("middlewares.native(" + name + ")", options);
      return native.middlewareNative(name, options === null ? undefined : options);
    },
    go(name, options) { return middlewares.native(name, options); },
    names: Object.freeze(nativeMiddlewareNames.slice()),
  });

  function isEngine(v) {
    try { native.engineInfo(v); return true; } catch (e) { return false; }
  }
  function plainObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  // ---- builder -------------------------------------------------------------------
  // createBuilder(opts?) -> a chainable builder; buildSession() -> a Session. opts may
  // hold {engine, middlewares, tools, toolLoop, toolHooks, eventSink}, each applied
  // through the method of the same purpose (and validated like it).
  class Builder {
    #engine; #middlewares = []; #tools; #toolLoop; #toolHooks; #eventSink; #store; #id; #output;
    constructor(opts) {
      if (opts === undefined || opts === null) return;
      if (!plainObject(opts)) throw makeError("INVALID_ARGUMENT", "createBuilder takes an options object", TypeError);
      checkOptionKeys("createBuilder", opts);
      if (opts.engine !== undefined) this.withEngine(opts.engine);
      if (opts.middlewares !== undefined) {
        if (!Array.isArray(opts.middlewares))
          throw makeError("INVALID_ARGUMENT", "createBuilder: middlewares must be an array", TypeError);
        for (const m of opts.middlewares) this.useMiddleware(m);
      }
      if (opts.tools !== undefined) this.withTools(opts.tools);
      if (opts.toolLoop !== undefined) this.withToolLoop(opts.toolLoop);
      if (opts.toolHooks !== undefined) this.withToolHooks(opts.toolHooks);
      if (opts.eventSink !== undefined) this.withEventSink(opts.eventSink);
      if (opts.store !== undefined) this.withStore(opts.store, opts.id);
      if (opts.output !== undefined) this.withOutput(opts.output);
    }
    // withStore(store, id?): the session persists there; an id the store knows resumes it.
    withStore(store, id) {
      if (!(store instanceof Store))
        throw makeError("INVALID_ARGUMENT", "withStore needs a store from gp.stores", TypeError);
      if (id !== undefined && (typeof id !== "string" || id === ""))
        throw makeError("INVALID_ARGUMENT", "withStore: id must be a non-empty string", TypeError);
      this.#store = store;
      this.#id = id;
      return this;
    }
    withOutput(output) {
      if (!plainObject(output) || !plainObject(output.schema))
        throw makeError("INVALID_ARGUMENT", "withOutput needs {schema, name?, strict?}", TypeError);
      native.outputCheck(output);
      this.#output = output;
      return this;
    }
    withEngine(engine) {
      if (!isEngine(engine))
        throw makeError("INVALID_ARGUMENT", "withEngine needs an engine from gp.engines", TypeError);
      this.#engine = engine;
      return this;
    }
    useMiddleware(fnOrRef) {
      if (typeof fnOrRef === "function") this.#middlewares.push(middlewares.fromJS(fnOrRef));
      else if (native.isMiddleware(fnOrRef)) this.#middlewares.push(fnOrRef);
      else throw makeError("INVALID_ARGUMENT",
        "useMiddleware needs a function (turn, next, ctx) or a middleware from gp.middlewares", TypeError);
      return this;
    }
    useNativeMiddleware(name, options) {
      this.#middlewares.push(middlewares.native(name, options));
      return this;
    }
    useGoMiddleware(name, options) { return this.useNativeMiddleware(name, options); }
    withTools(registry, settings) {
      if (registry === null || typeof registry !== "object" || typeof registry.list !== "function")
        throw makeError("INVALID_ARGUMENT", "withTools needs a registry from gp.tools.createRegistry()", TypeError);
      if (settings !== undefined) this.withToolLoop(settings);
      this.#tools = registry;
      return this;
    }
    withToolLoop(settings) {
      if (!plainObject(settings))
        throw makeError("INVALID_ARGUMENT", "withToolLoop needs a settings object", TypeError);
      this.#toolLoop = Object.assign({}, this.#toolLoop, settings);
      return this;
    }
    withToolHooks(hooks) {
      if (!plainObject(hooks))
        throw makeError("INVALID_ARGUMENT",
          "withToolHooks needs {beforeToolCall?, afterToolCall?, onToolError?, hookErrorPolicy?}", TypeError);
      native.toolHooksCheck(hooks); // what createSession would refuse, refused here
      this.#toolHooks = hooks;
      return this;
    }
    withEventSink(fn) {
      if (typeof fn !== "function")
        throw makeError("INVALID_ARGUMENT", "withEventSink needs a function (event) => void", TypeError);
      this.#eventSink = fn;
      return this;
    }
    buildSession() {
      if (this.#engine === undefined)
        throw makeError("INVALID_ARGUMENT", "buildSession: no engine; call withEngine(engine) first", TypeError);
      const opts = { engine: this.#engine, middlewares: this.#middlewares.slice() };
      if (this.#tools !== undefined) opts.tools = this.#tools;
      if (this.#toolLoop !== undefined) opts.toolLoop = Object.assign({}, this.#toolLoop);
      if (this.#toolHooks !== undefined) opts.toolHooks = this.#toolHooks;
      if (this.#eventSink !== undefined) opts.eventSink = this.#eventSink;
      if (this.#store !== undefined) opts.store = this.#store;
      if (this.#id !== undefined) opts.id = this.#id;
      if (this.#output !== undefined) opts.output = this.#output;
      return createSession(opts);
    }
  }
  function createBuilder(opts) { return new Builder(opts); }

  // ---- runInference ------------------------------------------------------------------
  // runInference(engine, turn, opts?) -> Promise<Turn>: one engine call (through
  // opts.middlewares, if any) on `turn` (a Turn, or a string for one user block),
  // without a session of the caller's and without the tool loop. opts: {timeoutMs, tags,
  // middlewares}. It runs on a run thread like runAsync() (a private one-off session
  // carries it), so JS engines and middlewares may be async; failures reject with the
  // run's Error (code, message, partialTurn).
  function runInference(engine, turn, opts) {
    try {
      if (!isEngine(engine))
        throw makeError("INVALID_ARGUMENT", "runInference needs an engine from gp.engines", TypeError);
      if (typeof turn !== "string" && !plainObject(turn))
        throw makeError("INVALID_ARGUMENT", "runInference needs a turn (or a string)", TypeError);
      if (opts !== undefined && !plainObject(opts))
        throw makeError("INVALID_ARGUMENT", "runInference: opts must be an object", TypeError);
      checkOptionKeys("runInference", opts);
      const o = opts || {};
      if (o.middlewares !== undefined && !Array.isArray(o.middlewares))
        throw makeError("INVALID_ARGUMENT", "runInference: middlewares must be an array", TypeError);
      const s = createSession({ engine, middlewares: o.middlewares || [], toolLoop: { enabled: false } });
      const runOpts = {};
      if (o.timeoutMs !== undefined) runOpts.timeoutMs = o.timeoutMs;
      if (o.tags !== undefined) runOpts.tags = o.tags;
      return s.runAsync(turn, runOpts).then((t) => {
        if (t.metadata) delete t.metadata.session_id; /* the one-off session is not the caller's */
        return t;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  const runtime = Object.freeze({ stats: () => native.runtimeStats() });

  // ---- embeddings (SPEC §4.13) ------------------------------------------------------
  function makeEmbedder(h) {
    const embedBatch = (texts) => new Promise((resolve, reject) => {
      if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string"))
        throw makeError("INVALID_ARGUMENT", "embedBatch needs an array of strings", TypeError);
      native.embedderEmbed(h, texts, (err, vectors) => (err ? reject(err) : resolve(vectors)));
    });
    const embed = (text) => {
      if (typeof text !== "string")
        return Promise.reject(makeError("INVALID_ARGUMENT", "embed needs a string", TypeError));
      return embedBatch([text]).then((v) => v[0]);
    };
    return Object.freeze({ model: native.embedderModel(h), embed, embedBatch });
  }
  const embeddings = Object.freeze({
    fromConfig: (cfg) => makeEmbedder(native.embedderFromConfig(cfg)),
    fromProfile: (name) => makeEmbedder(native.embedderFromProfile(name)),
  });

  return Object.freeze({ consts, turns, engines, middlewares, createBuilder, Builder, runInference, tools, createSession, Session, runtime, embeddings, stores, mcp, version: host.version });
})
