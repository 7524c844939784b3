// Every module of Node's builtinModules (and the ones reachable only as "node:x"): either
// geppetto provides it (require works, with and without "node:") or require throws
// MODULE_NOT_FOUND saying geppetto does not provide it and what to use instead (SPEC
// §3.2). The modules that are globals under a module name, and `module`'s createRequire
// (from a CommonJS file and from an ES module's import.meta.url), builtinModules and
// isBuiltin.
const fs = require("fs"), os = require("os"), path = require("path");
const NODE = [
  "_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server",
  "_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_wrap",
  "_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer",
  "child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns",
  "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector",
  "inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks",
  "process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream",
  "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers",
  "timers/promises", "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi",
  "worker_threads", "zlib", "stream/iter",
];
const PREFIX_ONLY = ["quic", "sea", "sqlite", "test", "test/reporters"];
const PROVIDED = ["assert", "assert/strict", "buffer", "child_process", "console", "crypto", "events", "fs",
  "fs/promises", "module", "os", "path", "path/posix", "process", "readline", "readline/promises",
  "sys", "timers", "timers/promises", "url", "util", "util/types"];

function missing(id) {
  let err = null;
  try { require(id); } catch (e) { err = e; }
  assert.ok(err, `require('${id}') should throw`);
  assert.equal(err.code, "MODULE_NOT_FOUND", id);
  assert.ok(err.message.includes(`Cannot find module '${id}'`), err.message);
  assert.ok(err.message.includes("geppetto does not provide"), err.message);
  assert.ok(/; use .+ instead$/.test(err.message), `${id}: no alternative named: ${err.message}`);
}

for (const name of NODE) {
  if (PROVIDED.includes(name)) {
    assert.ok(require(name) !== undefined && require(name) === require("node:" + name), name);
  } else {
    missing(name);
    missing("node:" + name);
  }
}
for (const name of PREFIX_ONLY) missing("node:" + name);
for (const name of PREFIX_ONLY) {
  missing("node:" + name);
  // without "node:" the name is a package's: looked up in node_modules
  const err = assert.throws(() => require(name));
  assert.equal(err.code, "MODULE_NOT_FOUND");
  assert.ok(!err.message.includes("geppetto does not provide") && err.message.includes("Tried:"), err.message);
}

// the globals under their module names
assert.equal(require("process"), process);
assert.equal(require("node:console"), console);
assert.equal(require("util/types"), require("util").types);
assert.ok(require("util/types").isDate(new Date()));
assert.equal(require("assert/strict"), require("assert").strict);
assert.throws(() => require("assert/strict").equal(1, "1"));
assert.throws(() => require("assert/strict").deepEqual({ a: 1 }, { a: "1" }));
assert.equal(require("sys"), require("util"));

// module: builtinModules lists what geppetto provides, isBuiltin agrees with require
const m = require("node:module");
assert.deepEqual([...m.builtinModules].sort(), [...PROVIDED].sort());
assert.ok(m.isBuiltin("fs") && m.isBuiltin("node:fs/promises") && !m.isBuiltin("http") && !m.isBuiltin("lodash"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-missing-"));
try {
  fs.writeFileSync(path.join(dir, "dep.cjs"), "module.exports = { answer: 42, where: __dirname };");
  fs.writeFileSync(path.join(dir, "main.mjs"), [
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    'export const dep = require("./dep.cjs");',
    'export const fsOk = require("fs") === globalThis.__fs;',
    "// an ES module has no __filename/__dirname/module/exports: it may declare them",
    'import { fileURLToPath } from "node:url";',
    "const __filename = fileURLToPath(import.meta.url), __dirname = require('path').dirname(__filename);",
    "let module = 1, exports = 2;",
    "export const names = [__filename, __dirname, module, exports];",
  ].join("\n"));
  globalThis.__fs = fs;
  const fromCjs = m.createRequire(path.join(dir, "any.js"));
  assert.equal(fromCjs("./dep.cjs").answer, 42);
  assert.equal(fromCjs.resolve("./dep.cjs"), fs.realpathSync(path.join(dir, "dep.cjs")));
  assert.equal(m.createRequire(dir + "/")("./dep.cjs").answer, 42, "a folder with a trailing slash");
  assert.equal(m.createRequire(new URL("file://" + dir + "/x.js"))("./dep.cjs").answer, 42, "a URL object");
  const err = assert.throws(() => m.createRequire("relative/x.js"));
  assert.equal(err.code, "ERR_INVALID_ARG_VALUE");
  import(path.join(dir, "main.mjs")).then((ns) => {
    assert.equal(ns.dep.answer, 42);
    assert.ok(ns.fsOk);
    const real = fs.realpathSync(dir);
    assert.deepEqual(ns.names, [path.join(real, "main.mjs"), real, 1, 2]);
    console.log("node_missing: ok");
  }).catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
} catch (e) {
  fs.rmSync(dir, { recursive: true, force: true });
  throw e;
}
