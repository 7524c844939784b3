// The module system of scripts (SPEC §3.3): require and import resolved as in Node
// (built-ins, relative and absolute paths, node_modules with package.json
// `exports`/`imports`/`main`), ES modules rewritten as CommonJS by host.esmToCjs, the
// report of uncaught errors, and the entry points the C host calls (host.runMain,
// host.runEval). The prelude's second part: vm.c compiles it with the prelude (its
// frames are "geppetto:prelude" ones), and the prelude calls it once the globals exist,
// as f(host, lib, globalThis); it sets what it provides on `host`.
(function (host, lib, g) {
  "use strict";
  const process = g.process;

  // ---- require -------------------------------------------------------------------
  // Resolution and loading as in Node (SPEC §3.3): built-ins, relative and absolute
  // paths, node_modules folders with package.json `exports`/`imports`/`main`; ES modules
  // are rewritten as CommonJS by host.esmToCjs and get their bindings from `esm` below.
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  function dirname(p) {
    const i = p.lastIndexOf("/");
    return i <= 0 ? (i === 0 ? "/" : ".") : p.slice(0, i);
  }
  function normalize(p) {
    const abs = p.startsWith("/");
    const out = [];
    for (const part of p.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") out.pop(); else out.push(part);
    }
    return (abs ? "/" : "") + out.join("/");
  }
  function codeError(code, message, props) {
    const e = new Error(message);
    e.code = code;
    return Object.assign(e, props);
  }
  function requireStack(parent) {
    const stack = [];
    for (let m = parent; m; m = m.parent) if (m.filename) stack.push(m.filename);
    return stack;
  }
  function notFound(id, parent, tried, why) {
    const from = parent && parent.filename;
    const stack = requireStack(parent);
    let msg = `Cannot find module '${id}'` + (from ? ` from '${from}'` : "") + (why ? ": " + why : "");
    if (tried && tried.length) msg += "\nTried:\n- " + tried.join("\n- ");
    if (stack.length) msg += "\nRequire stack:\n- " + stack.join("\n- ");
    return codeError("MODULE_NOT_FOUND", msg, { requireStack: stack });
  }
  const cache = Object.create(null);
  const compiled = new Set(); // files compiled through the wrapper (their line 1 is shifted)
  let geppetto = null;
  let mainModule = null;

  // Node's built-in modules (SPEC §3.2): require(name) and require("node:" + name). Each
  // maps to its file of src/js/lib/node/, compiled on first require; a file returns the
  // module's exports.
  const builtins = {
    timers: "timers", "timers/promises": "timers_promises",
    util: "util", "util/types": "util_types", sys: "util",
    assert: "assert", "assert/strict": "assert_strict", url: "url", buffer: "buffer",
    readline: "readline", "readline/promises": "readline_promises",
    fs: "fs", "fs/promises": "fs_promises", path: "path", "path/posix": "path", os: "os",
    events: "events", child_process: "child_process",
    process: "process", console: "console", module: "module", crypto: "crypto",
  };
  // Node modules geppetto does not provide (all the others of Node's builtinModules, and
  // the ones only reachable as "node:x"), with what to use instead.
  const FETCH = "fetch()", STREAMS = "ReadableStream (the global; for await reads it)";
  const instead = {
    http: FETCH, https: FETCH, http2: FETCH, quic: FETCH, net: "fetch() for HTTP",
    tls: "fetch() for HTTPS", dgram: FETCH, dns: "fetch() (names resolve on each request)",
    "dns/promises": "fetch() (names resolve on each request)",
    _http_agent: FETCH, _http_client: FETCH, _http_common: FETCH, _http_incoming: FETCH,
    _http_outgoing: FETCH, _http_server: FETCH, _tls_common: "fetch() for HTTPS", _tls_wrap: "fetch() for HTTPS",
    worker_threads: "concurrent runs and async tools (every run already works off the script's thread)",
    cluster: "several geppetto processes", vm: "eval() or new Function()",
    zlib: "fetch() (it decodes gzip/deflate/br) or Blob streams", stream: STREAMS,
    _stream_duplex: STREAMS, _stream_passthrough: STREAMS, _stream_readable: STREAMS,
    _stream_transform: STREAMS, _stream_wrap: STREAMS, _stream_writable: STREAMS,
    "stream/promises": STREAMS, "stream/iter": STREAMS,
    "stream/web": "the ReadableStream global",
    "stream/consumers": "new Response(stream).text(), .json() or .arrayBuffer()",
    perf_hooks: "the performance global", string_decoder: "TextDecoder with {stream: true}",
    querystring: "URLSearchParams", punycode: "URL (hosts are converted)",
    async_hooks: "AbortSignal to tie work to a run", inspector: "--log-level debug",
    "inspector/promises": "--log-level debug", v8: "process.memoryUsage()", repl: "geppetto chat",
    tty: "process.stdin.isTTY", constants: "os.constants and fs.constants",
    diagnostics_channel: "a run's events (handle.on, eventSink) and --log-level debug",
    trace_events: "--stats and --log-level debug",
    domain: "try/catch around await (and .catch() on promises)",
    "path/win32": "path (POSIX paths)",
    wasi: "child_process to run a WASI runtime",
    sea: "geppetto run SCRIPT",
    sqlite: "a session store of require('geppetto') (store: sqlite:PATH) or child_process with sqlite3",
    test: "plain scripts with assert (a test passes by exiting 0)",
    "test/reporters": "plain scripts with assert (a test passes by exiting 0)",
  };
  const prefixOnly = new Set(["quic", "sea", "sqlite", "test", "test/reporters"]); // "test" alone is a package
  host.builtinModules = () => Object.keys(builtins);
  host.createRequire = (filename) => makeRequire(makeModule(filename, null));
  function builtin(id) {
    const name = id.startsWith("node:") ? id.slice(5) : id;
    if (has(builtins, name)) return lib("node/" + builtins[name]);
    if (id.startsWith("node:") || (has(instead, name) && !prefixOnly.has(name))) {
      const e = new Error(`Cannot find module '${id}': geppetto does not provide Node's '${name}' module` +
                          (instead[name] ? `; use ${instead[name]} instead` : ""));
      e.code = "MODULE_NOT_FOUND";
      throw e;
    }
    return undefined;
  }

  // ---- resolution ----
  // The conditions of package.json `exports`/`imports`, most preferred first: geppetto
  // is a web-platform runtime, so a package's worker build is the one that runs here.
  const REQUIRE_CONDS = ["geppetto", "worker", "require", "default"];
  const IMPORT_CONDS = ["geppetto", "worker", "import", "default"];
  const pkgCache = new Map(); // folder -> parsed package.json or null
  function readPackage(dir) {
    let p = pkgCache.get(dir);
    if (p !== undefined) return p;
    p = null;
    const file = dir + "/package.json";
    if (host.isFile(file)) {
      try { p = JSON.parse(host.readFile(file)); } catch (e) {
        throw codeError("ERR_INVALID_PACKAGE_CONFIG", `Invalid package config ${file}: ${e.message}`);
      }
      if (p === null || typeof p !== "object") p = {};
    }
    pkgCache.set(dir, p);
    return p;
  }
  // The nearest package.json above `dir`: {dir, pkg} or null.
  function packageScope(dir) {
    for (let d = dir; ; d = dirname(d)) {
      if (!d.endsWith("/node_modules")) {
        const pkg = readPackage(d);
        if (pkg) return { dir: d, pkg };
      }
      if (d === "/" || d === ".") return null;
    }
  }
  function tryFile(p, tried) {
    tried.push(p);
    return host.isFile(p) ? host.realpath(p) || p : null;
  }
  const EXTS = ["", ".js", ".json", ".cjs", ".mjs"];
  function asFile(base, tried) {
    for (const ext of EXTS) {
      const f = tryFile(base + ext, tried);
      if (f) return f;
    }
    return null;
  }
  function asIndex(dir, tried) {
    return tryFile(dir + "/index.js", tried) || tryFile(dir + "/index.json", tried);
  }
  function asDirectory(dir, tried) {
    const pkg = host.isDir(dir) ? readPackage(dir) : null;
    if (pkg && typeof pkg.main === "string" && pkg.main) {
      const m = normalize(dir + "/" + pkg.main);
      const f = asFile(m, tried) || asIndex(m, tried);
      if (f) return f;
    }
    return asIndex(dir, tried);
  }
  function asPath(base, tried) {
    return asFile(base, tried) || asDirectory(base, tried);
  }
  // A subpath that package.json `exports` does not list: MODULE_NOT_FOUND (SPEC §3.3).
  function notExported(id, sub, pkgDir, parent, tried) {
    const pkgFile = pkgDir + "/package.json";
    return notFound(id, parent, tried, sub === "."
      ? `${pkgFile} has no "exports" entry for the package itself (".")`
      : `subpath '${sub}' is not exported by ${pkgFile}`);
  }
  // A target of `exports`/`imports`: a path (string), a list, a conditions object or
  // null. Returns the resolved path, null when blocked, undefined when no condition fits.
  function resolveTarget(pkgDir, target, star, conds, isImports, parent) {
    if (typeof target === "string") {
      const t = star === null ? target : target.split("*").join(star);
      if (!t.startsWith("./")) {
        if (isImports && !t.startsWith("/") && !t.startsWith("../")) return { bare: t };
        throw codeError("ERR_INVALID_PACKAGE_TARGET", `Invalid "exports" target '${target}' in ${pkgDir}/package.json`);
      }
      const p = normalize(pkgDir + "/" + t);
      if (!p.startsWith(pkgDir + "/")) // a target or a pattern's match may not leave the package
        throw codeError("ERR_INVALID_PACKAGE_TARGET", `Invalid "exports" target '${target}' for '${t}' in ${pkgDir}/package.json`);
      return p;
    }
    if (Array.isArray(target)) {
      for (const t of target) {
        let r;
        try { r = resolveTarget(pkgDir, t, star, conds, isImports, parent); } catch (e) {
          if (e.code === "ERR_INVALID_PACKAGE_TARGET") continue;
          throw e;
        }
        if (r !== undefined && r !== null) return r;
      }
      return undefined;
    }
    if (target === null) return null;
    if (typeof target === "object") {
      for (const c of conds) {
        if (!has(target, c)) continue;
        const r = resolveTarget(pkgDir, target[c], star, conds, isImports, parent);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    return undefined;
  }
  // The `exports` (or `imports`) map entry for `sub`: exact key, else the `*` pattern
  // with the longest prefix. Returns what resolveTarget returns.
  function resolveMap(pkgDir, map, sub, conds, isImports, parent) {
    if (has(map, sub) && !sub.includes("*")) return resolveTarget(pkgDir, map[sub], null, conds, isImports, parent);
    let best = null, bestPrefix = "";
    for (const key of Object.keys(map)) {
      const i = key.indexOf("*");
      if (i < 0 || key.indexOf("*", i + 1) >= 0) continue;
      const prefix = key.slice(0, i), suffix = key.slice(i + 1);
      if (sub.length >= key.length && sub.startsWith(prefix) && sub.endsWith(suffix) &&
          (best === null || prefix.length > bestPrefix.length ||
           (prefix.length === bestPrefix.length && key.length > best.length))) {
        best = key;
        bestPrefix = prefix;
      }
    }
    if (best === null) return undefined;
    const star = sub.slice(bestPrefix.length, sub.length - (best.length - bestPrefix.length - 1));
    return resolveTarget(pkgDir, map[best], star, conds, isImports, parent);
  }
  function exportsMap(exp) {
    if (typeof exp === "string" || Array.isArray(exp)) return { ".": exp };
    if (exp && typeof exp === "object" && !Object.keys(exp).some((k) => k.startsWith("."))) return { ".": exp };
    return exp || {};
  }
  function resolveExports(id, pkgDir, pkg, sub, conds, parent, tried) {
    const r = resolveMap(pkgDir, exportsMap(pkg.exports), sub, conds, false, parent);
    if (r === undefined || r === null) throw notExported(id, sub, pkgDir, parent, tried);
    const f = tryFile(r, tried);
    if (f) return f;
    return null;
  }
  function splitBare(id) {
    const parts = id.split("/");
    const n = id.startsWith("@") ? 2 : 1;
    const name = parts.slice(0, n).join("/");
    const rest = parts.slice(n).join("/");
    return { name, sub: rest ? "./" + rest : "." };
  }
  function nodeModulesPaths(dir) {
    const out = [];
    for (let d = dir; ; d = dirname(d)) {
      if (!d.endsWith("/node_modules")) out.push((d === "/" ? "" : d) + "/node_modules");
      if (d === "/" || d === ".") break;
    }
    return out;
  }
  function resolveBare(id, dir, conds, parent, tried) {
    const { name, sub } = splitBare(id);
    for (const nm of nodeModulesPaths(dir)) {
      const pkgDir = nm + "/" + name;
      if (!host.isDir(pkgDir)) { tried.push(pkgDir); continue; }
      const pkg = readPackage(pkgDir);
      if (pkg && pkg.exports !== undefined && pkg.exports !== null) {
        const f = resolveExports(id, pkgDir, pkg, sub, conds, parent, tried);
        if (f) return f;
        throw notFound(id, parent, tried); // the package's exports name a missing file
      }
      const f = asPath(nm + "/" + id, tried);
      if (f) return f;
    }
    // a package may name itself through its own exports
    const scope = packageScope(dir);
    if (scope && scope.pkg.name === name && scope.pkg.exports != null)
      return resolveExports(id, scope.dir, scope.pkg, sub, conds, parent, tried);
    return null;
  }
  function resolveImports(id, dir, conds, parent, tried) {
    const scope = packageScope(dir);
    if (!scope || !scope.pkg.imports || typeof scope.pkg.imports !== "object") return null;
    const r = resolveMap(scope.dir, scope.pkg.imports, id, conds, true, parent);
    if (r === undefined || r === null)
      throw codeError("ERR_PACKAGE_IMPORT_NOT_DEFINED", `Package import specifier '${id}' is not defined in ${scope.dir}/package.json`);
    if (typeof r === "object") return resolveBare(r.bare, scope.dir, conds, parent, tried);
    return tryFile(r, tried);
  }
  // The file `id` names from folder `dir`, or a built-in's id ("node:x", "geppetto").
  function resolve(id, dir, parent, conds) {
    if (typeof id !== "string" || id === "") throw new TypeError("require needs a module id string");
    if (id === "geppetto" || id === "geppetto/chat") return id;
    if (builtin(id) !== undefined) return id.startsWith("node:") ? id : "node:" + id;
    if (id.startsWith("file://")) id = decodeURIComponent(id.slice(7));
    const tried = [];
    let f;
    if (id.startsWith("./") || id.startsWith("../") || id.startsWith("/") || id === "." || id === "..") {
      const base = normalize(id.startsWith("/") ? id : dir + "/" + id);
      f = id.endsWith("/") ? asDirectory(base, tried) : asPath(base, tried);
    } else if (id.startsWith("#")) {
      f = resolveImports(id, dir, conds, parent, tried);
    } else {
      f = resolveBare(id, dir, conds, parent, tried);
    }
    if (!f) throw notFound(id, parent, tried);
    return f;
  }

  // ---- ES module interop ----
  const esmExports = new WeakSet(); // exports objects of ES modules
  const moduleOf = new WeakMap(); // exports object -> its module, for ES modules' imports
  const cjsNamespaces = new WeakMap();
  function namespaceOf(exp) {
    if (esmExports.has(exp)) return exp;
    if (exp === null || (typeof exp !== "object" && typeof exp !== "function")) return { default: exp };
    let ns = cjsNamespaces.get(exp);
    if (!ns) {
      ns = {};
      for (const k of Object.keys(exp)) {
        if (k !== "default") Object.defineProperty(ns, k, { enumerable: true, get: () => exp[k] });
      }
      Object.defineProperty(ns, "default", { enumerable: true, value: exp });
      cjsNamespaces.set(exp, ns);
    }
    return ns;
  }
  function fileURL(path) {
    return "file://" + path.split("/").map(encodeURIComponent).join("/");
  }
  // The helpers an ES module's rewritten code calls (`__esm`), the `import()` function
  // and the `import.meta` object of module `mod`.
  function moduleHelpers(mod) {
    const importSync = nativeLoader((id) => startRequire(id, mod.path, mod, IMPORT_CONDS, false));
    const esm = {
      imp: importSync,
      dflt: (m) => (esmExports.has(m) ? m.default : m),
      ns: namespaceOf,
      exp(getters) {
        const e = mod.exports;
        esmExports.add(e);
        Object.defineProperty(e, "__esModule", { value: true });
        for (const k of Object.keys(getters))
          Object.defineProperty(e, k, { enumerable: true, configurable: true, get: getters[k] });
      },
      star(m) {
        const src = namespaceOf(m), e = mod.exports;
        for (const k of Object.keys(src)) {
          if (k === "default" || has(e, k)) continue;
          Object.defineProperty(e, k, { enumerable: true, configurable: true, get: () => src[k] });
        }
      },
    };
    // import(id): the native loader is the promise job itself, so the imported
    // module's code runs with no frame of the runtime below it
    const dynImport = (id) => new Promise((res) => res(String(id))).then(importSync).then((exp) => {
      const m = exp !== null && (typeof exp === "object" || typeof exp === "function") ? moduleOf.get(exp) : undefined;
      return m && m.evaluating ? m.evaluating.then(() => namespaceOf(m.exports)) : namespaceOf(exp);
    });
    const meta = {
      url: fileURL(mod.filename), filename: mod.filename, dirname: mod.path,
      resolve: (id) => { const f = resolve(id, mod.path, mod, IMPORT_CONDS); return f.startsWith("/") ? fileURL(f) : f; },
    };
    return { esm, dynImport, meta };
  }

  // ---- loading ----
  function makeModule(filename, parent) {
    const mod = { id: filename, filename, path: dirname(filename), exports: {}, loaded: false,
                  parent: parent || null, children: [], paths: nodeModulesPaths(dirname(filename)) };
    mod.require = makeRequire(mod);
    return mod;
  }
  // A native function (mod_module.c) calling `start(id)`: the module's code is called
  // from it, so no frame of the runtime lies between the requiring code's and its.
  const requireKey = Symbol("require.start");
  host.requireKey = requireKey;
  function nativeLoader(start) {
    const f = host.makeRequire();
    Object.defineProperty(f, requireKey, { value: start });
    return f;
  }
  let requiring = 0; // require() calls under way: a module they load must not await
  function asyncModuleError(f) {
    return codeError("ERR_REQUIRE_ASYNC_MODULE", `require() cannot load '${f}': it uses top-level await; use import() instead`);
  }
  // What the native require runs for `id`: {value} (a built-in, a module loaded or
  // loading, JSON) or the entry calling a module's code ({fn, done}; `fn` is bound to
  // its `this` and arguments: no frame shows for a bound function). A require()
  // (`sync`) counts in `requiring` until its module's code has returned.
  function startRequire(id, dir, mod, conds, sync) {
    let running = false;
    if (sync) requiring++;
    try {
      const f = resolve(id, dir, mod, conds);
      if (!f.startsWith("/") || cache[f] || f.endsWith(".json")) return { value: requireDone(f, requireFile(f, mod), sync) };
      const start = startLoad(f, mod);
      const { call } = start; // set: JSON was loaded above
      const done = (failed, v) => {
        if (sync) requiring--;
        return failed ? failLoad(start.mod, v) : requireDone(f, endLoad(start, v).exports, sync);
      };
      running = true;
      return { fn: call.fn.bind(call.self, ...call.args), done };
    } catch (e) {
      throw cleanError(e);
    } finally {
      if (sync && !running) requiring--;
    }
  }
  function requireDone(f, exp, sync) {
    const m = cache[f];
    if (sync && m && m.evaluating && !m.loaded) throw cleanError(asyncModuleError(f));
    return exp;
  }
  function makeRequire(mod) {
    const dir = mod ? mod.path : host.cwd();
    const require = nativeLoader((id) => startRequire(id, dir, mod, REQUIRE_CONDS, true));
    require.resolve = (id, opts) => {
      if (opts && Array.isArray(opts.paths)) {
        for (const p of opts.paths) {
          try { return resolve(id, normalize(p.startsWith("/") ? p : host.cwd() + "/" + p), mod, REQUIRE_CONDS); } catch (e) {
            if (e.code !== "MODULE_NOT_FOUND") throw e;
          }
        }
        throw notFound(id, mod, []);
      }
      return resolve(id, dir, mod, REQUIRE_CONDS);
    };
    require.resolve.paths = (id) => (id.startsWith(".") || id.startsWith("/") ? [dir] : nodeModulesPaths(dir));
    require.cache = cache;
    Object.defineProperty(require, "main", { enumerable: true, get: () => mainModule || undefined });
    return require;
  }
  // The exports of resolved file `f` (or of a built-in), loading it once.
  function requireFile(f, parent) {
    if (f === "geppetto") {
      if (geppetto === null) geppetto = host.geppettoFactory(host.native, host);
      return geppetto;
    }
    if (f === "geppetto/chat") return lib("app/chat"); // the `geppetto chat` loop
    if (f.startsWith("node:")) return builtin(f);
    return load(f, parent).exports;
  }
  // 0 CommonJS, 1 ES module, 2 an ES module if it has import/export statements.
  function moduleMode(filename) {
    if (filename.endsWith(".mjs")) return 1;
    if (filename.endsWith(".cjs")) return 0;
    const scope = packageScope(dirname(filename));
    const type = scope && scope.pkg.type;
    return type === "module" ? 1 : type === "commonjs" ? 0 : 2;
  }
  const syntaxLocations = new WeakMap(); // SyntaxError -> {where: "FILE:LINE:COL", text}
  // JavaScriptCore gives a syntax error's line, not its column: the column is that of
  // the token the message quotes (its last occurrence on the line; for a declaration
  // made twice, the declaration's), else of the line's first character. An error past
  // the source's last line is in what the runtime added after it (the wrapper's `})`,
  // the rewriting's import code): the source ended too early, as Node says. The error's
  // stack starts with the place (`@FILE:LINE:COL`), `line` and `column` are set.
  function locateSyntaxError(e, filename, src) {
    if (!(e instanceof SyntaxError) || typeof e.line !== "number") return;
    const lines = src.split(/\r\n|\r|\n/);
    while (lines.length > 1 && lines[lines.length - 1].trim() === "") lines.pop();
    let line = e.line, col = -1;
    if (line > lines.length || /^Unexpected end of script$/.test(e.message)) {
      line = Math.min(line, lines.length);
      col = lines[line - 1].length;
      e.message = "Unexpected end of input";
    }
    const text = lines[line - 1];
    if (text === undefined) return;
    const q = /'([^']+)'|"([^"]+)"/.exec(e.message);
    if (col < 0 && q) {
      const word = q[1] || q[2];
      if (/twice/.test(e.message)) {
        const d = new RegExp("\\b(?:let|const|var|class|function)\\s+(" + word.replace(/[^\w$]/g, "\\$&") + ")\\b").exec(text);
        col = d ? d.index + d[0].length - word.length : text.lastIndexOf(word);
      } else {
        col = text.lastIndexOf(word);
      }
    }
    if (col < 0) col = text.length - text.trimStart().length;
    const where = `${filename}:${line}:${col + 1}`;
    syntaxLocations.set(e, { where, text: `${where}\n${text}\n${text.slice(0, col).replace(/[^\t]/g, " ")}^` });
    e.line = line;
    e.column = col + 1;
    try {
      e.stack = "@" + where + (typeof e.stack === "string" && e.stack ? "\n" + e.stack : "");
    } catch (err) { /* a frozen error keeps its stack */ }
  }
  function compileModule(mod, src) {
    return compileModuleAs(mod, src, moduleMode(mod.filename));
  }
  // `name`: the file name of its frames and syntax errors.
  function compileModuleAs(mod, src, mode, name = mod.filename) {
    let code = src, kind = 0, awaits = false;
    if (mode !== 0 || src.includes("import") || src.includes("await")) {
      const r = host.esmToCjs(src, mod.filename, mode);
      code = r.code;
      kind = r.esm ? (r.tla ? 2 : 1) : 0;
      awaits = mode === 2 && !r.esm && r.tla;
      if (r.shifts) columnShifts.set(name, r.shifts);
    }
    let fn;
    try { fn = host.compile(code, name, kind); } catch (e) {
      // a .js file with top-level await and no import/export: an ES module (as Node's
      // syntax detection decides) when it does not compile as CommonJS
      if (!(awaits && e instanceof SyntaxError)) {
        locateSyntaxError(e, name, src);
        throw e;
      }
      return compileModuleAs(mod, src, 1, name);
    }
    compiled.add(name);
    return { fn, kind };
  }
  function load(filename, parent) {
    const cached = cache[filename];
    if (cached) {
      if (parent && !parent.children.includes(cached)) parent.children.push(cached);
      return cached;
    }
    const start = startLoad(filename, parent);
    const { call } = start;
    let r;
    try { if (call) r = call.fn.apply(call.self, call.args); } catch (e) { failLoad(start.mod, e); }
    return endLoad(start, r);
  }
  // A module made, cached and compiled: {mod, kind, call}, `call` the function running
  // its code ({fn, self, args}; null for JSON, loaded already).
  function startLoad(filename, parent) {
    const mod = makeModule(filename, parent);
    moduleOf.set(mod.exports, mod);
    if (parent) parent.children.push(mod);
    if (!mainModule && !parent) mainModule = mod;
    cache[filename] = mod;
    try {
      const src = host.readFile(filename);
      if (filename.endsWith(".json")) {
        try { mod.exports = JSON.parse(src); } catch (e) { e.message = filename + ": " + e.message; throw e; }
        return { mod, kind: 0, call: null };
      }
      const { fn, kind } = compileModule(mod, src);
      // as Node: require() of a module that awaits at top level throws before it runs
      if (kind === 2 && requiring > 0) throw asyncModuleError(filename);
      const h = moduleHelpers(mod);
      const args = [mod.exports, mod.require, mod, filename, mod.path, h.esm, h.dynImport, h.meta];
      return { mod, kind, call: { fn, self: kind === 0 ? mod.exports : undefined, args } };
    } catch (e) {
      failLoad(mod, e);
    }
  }
  function failLoad(mod, e) {
    delete cache[mod.filename];
    throw cleanError(e);
  }
  // The module once its code returned `r` (a promise for an ES module awaiting at top level).
  function endLoad({ mod, kind }, r) {
    if (kind === 2) {
      mod.evaluating = r.then(() => { mod.loaded = true; },
                              (e) => { delete cache[mod.filename]; throw cleanError(e); });
      return mod;
    }
    mod.loaded = true;
    const e = mod.exports;
    if (e !== null && (typeof e === "object" || typeof e === "function") && moduleOf.get(e) !== mod) moduleOf.set(e, mod);
    return mod;
  }

  // ---- stacks as scripts see them ----
  // Module code is called from native code (vm.c for the main module, the native
  // require for the others), so no loader frame lies below or between the script's.
  // Beyond that the runtime cleans an error's `stack` (and its line-1 `column`) once,
  // where it gets hold of the error: as it leaves require() or a module being loaded,
  // when console, util.inspect or the uncaught report formats it. JavaScriptCore gives
  // no hook where an error is made (`stack`, `line`, `column` are own data properties
  // set by the engine), so an error a script catches and reads itself keeps the
  // engine's line-1 columns and, in a callback the runtime's JS calls (a listener),
  // the dispatch frames below it. A module's line 1 follows the wrapper's header on the
  // same line (see mod_module.c), so the engine counts its columns from the header's
  // start; cleaning counts them from the source.
  const cleaned = new WeakSet();
  // Columns moved by the rewriting (a reference to an import binding made longer):
  // file -> "line,start,end,delta;…" (esm.c); a column inside a rewritten reference
  // becomes the reference's.
  const columnShifts = new Map();
  function sourceColumn(file, line, col) {
    const list = columnShifts.get(file);
    if (!list || !list.includes(`${line},`)) return col;
    let shift = 0;
    for (const item of list.split(";")) {
      const [l, start, end, delta] = item.split(",").map(Number);
      if (l !== line || col < start) continue;
      if (col < end) return start - shift;
      shift += delta;
    }
    return col - shift;
  }
  // One frame with its line-1 column counted from the source; "" for a frame in the
  // wrapper's header or in the import code the rewriting added (__gp_hoist).
  function fixFrame(f) {
    if (/^__gp_hoist@/.test(f)) return "";
    return f.replace(/^(.*?@)?(.*):(\d+):(\d+)$/, (m, fn, file, line, col) => {
      if (!compiled.has(file)) return m;
      if (line === "1" && col <= host.wrapperColumns) return "";
      col = line === "1" ? col - host.wrapperColumns : +col;
      return `${fn || ""}${file}:${line}:${sourceColumn(file, +line, col)}`;
    });
  }
  // A stack's frames without the runtime's own: those of geppetto:* sources, the native
  // frames they called (compile, eval) and the native require's, unless `debug` keeps them.
  function scriptFrames(frames, debug) {
    const runtime = (f) => f !== undefined && /(^|@)geppetto:/.test(f);
    return frames.filter((f, i) => debug || !(runtime(f) || f === "require@[native code]" ||
      (/@\[native code\]$/.test(f) && (i + 1 >= frames.length || runtime(frames[i + 1])))));
  }
  function cleanError(e) {
    if (e === null || typeof e !== "object" || cleaned.has(e)) return e;
    try {
      cleaned.add(e);
      if (e.line === 1 && typeof e.column === "number" && compiled.has(e.sourceURL) && !syntaxLocations.has(e))
        e.column = Math.max(1, e.column - host.wrapperColumns);
      if (typeof e.column === "number" && compiled.has(e.sourceURL) && !syntaxLocations.has(e))
        e.column = sourceColumn(e.sourceURL, e.line, e.column);
      if (typeof e.stack === "string") {
        const frames = e.stack.split("\n").map(fixFrame).filter((f) => f);
        e.stack = scriptFrames(frames, host.logEnabled("debug")).join("\n");
      }
    } catch (err) { /* a frozen error keeps its stack */ }
    return e;
  }
  host.cleanError = cleanError;

  // ---- uncaught errors ----
  // The text printed for an uncaught error: `what: message` and its cleaned stack; a
  // syntax error in a module or in eval code starts with FILE:LINE:COLUMN, the line and
  // a caret (and its stack's first frame, the same place, is not repeated).
  host.formatUncaught = function formatUncaught(err, what) {
    let msg;
    try { msg = String(err); } catch (e) { msg = "(exception)"; }
    const loc = err !== null && typeof err === "object" ? syntaxLocations.get(err) : undefined;
    cleanError(err);
    let out = loc ? loc.text + "\n" : "";
    out += what + ": " + msg;
    let frames = err !== null && typeof err === "object" && typeof err.stack === "string" && err.stack
      ? err.stack.split("\n") : [];
    if (loc && frames[0] === "@" + loc.where) frames = frames.slice(1);
    if (frames.length) out += "\n" + frames.join("\n");
    return out;
  };

  // ---- entry points --------------------------------------------------------------
  host.runMain = function runMain(path) {
    const abs = normalize(path.startsWith("/") ? path : host.cwd() + "/" + path);
    if (!host.isFile(abs)) throw notFound(path, null, [abs]);
    const filename = host.realpath(abs) || abs;
    const argv = process.argv;
    if (argv.length > 1) argv[1] = filename;
    g.require = makeRequire(null);
    return mainEntry(startLoad(filename, null));
  };
  // The main module's code is called by the C host (vm.c), so that no frame of the
  // runtime lies below the script's: {fn, done(failed, value)}, `done` called with
  // what fn() threw or returned, itself returning the promise of a main module awaiting
  // at top level, or throwing the error cleaned.
  function mainEntry(start) {
    const { call } = start;
    const done = (failed, value) => failed ? failLoad(start.mod, value) : mainSettled(endLoad(start, value).evaluating);
    return { fn: call ? call.fn.bind(call.self, ...call.args) : () => undefined, done };
  }
  // The main code's top-level await: its rejection is an uncaught exception, as a throw.
  function mainSettled(p) {
    if (p) p.catch((e) => host.fatal(e));
    return p;
  }
  // Code given to `geppetto eval` that has import/export statements or top-level await
  // (SPEC §3.3): an ES module named "[eval]", as a main .mjs is, called from vm.c.
  function evalModule(mod, code) {
    moduleOf.set(mod.exports, mod);
    const { fn, kind } = compileModuleAs(mod, code, 2, "[eval]");
    const h = moduleHelpers(mod);
    const done = (failed, value) => {
      if (failed) throw cleanError(value);
      mod.loaded = true;
      return kind === 2 ? mainSettled(value) : undefined;
    };
    return { fn: fn.bind(undefined, mod.exports, mod.require, mod, mod.filename, mod.path, h.esm, h.dynImport, h.meta), done };
  }
  // Other eval code is a program vm.c evaluates with the source URL "[eval]" (its frames
  // and syntax errors name "[eval]:LINE:COL", as Node's), from {script, url, done}.
  host.runEval = function runEval(code) {
    const mod = { id: "[eval]", filename: host.cwd() + "/[eval]", path: host.cwd(), exports: {},
                  loaded: false, parent: null, children: [] };
    mod.require = makeRequire(mod);
    g.require = mod.require;
    g.module = mod;
    g.exports = mod.exports;
    g.__filename = mod.filename;
    g.__dirname = mod.path;
    if (/\b(?:import|export|await)\b/.test(code)) {
      const r = host.esmToCjs(code, mod.filename, 2);
      if (r.esm || r.tla) return evalModule(mod, code);
    }
    const src = code;
    if (code.includes("import")) { // import(spec) resolves from the current folder ("import" and "_dyimp": one width)
      code = host.esmToCjs(code, mod.filename, 0).code;
      const dyn = moduleHelpers(mod).dynImport;
      Object.defineProperty(g, "_dyimp", { value: dyn, writable: true, configurable: true });
    }
    const done = (failed, value) => {
      if (!failed) return value;
      locateSyntaxError(value, "[eval]", src);
      throw cleanError(value);
    };
    return { script: code, url: "[eval]", done };
  };
})
