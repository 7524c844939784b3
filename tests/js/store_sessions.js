// Stores from a script (SPEC §4.12) on the memory store, on SQLite in memory (":memory:":
// one connection, so one database for the store's life) and on an SQLite file in a temp
// folder, which a second store object then opens again and finds as left: the checks of
// fixtures/store_check.js on each. store_sessions_pg.js runs them on PostgreSQL.
// expect-stdout: store_sessions: ok
const gp = require("geppetto");
const fs = require("fs"), os = require("os"), path = require("path");
const check = require("./fixtures/store_check.js");

async function onFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-store-js-"));
  try {
    const file = path.join(dir, "sessions.db");
    await check(gp.stores.sqlite(file, { leaseMs: 1000 }), "file-");
    assert.ok(fs.statSync(file).size > 0, "the file was written");
    // the same file through a new store object: a session written there is found again
    const a = gp.stores.fromSpec("sqlite:" + file);
    const s = gp.createSession({ engine: gp.engines.echo(), store: a, id: "kept" });
    await s.runAsync("remember me");
    await a.close();
    const b = gp.stores.sqlite(file);
    const t = await b.load("kept");
    assert.equal(t.length, 1);
    assert.equal(t[0].blocks[0].payload.text, "remember me");
    assert.deepEqual((await b.list()).map((e) => e.id), ["kept"]);
    await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  assert.throws(() => gp.stores.sqlite(), { code: "INVALID_ARGUMENT" });
  assert.throws(() => gp.stores.memory({ leasMs: 1 }), /unknown option "leasMs"/);
  assert.throws(() => gp.createSession({ engine: gp.engines.echo(), store: {} }), { code: "INVALID_ARGUMENT" });
  assert.equal(gp.stores.fromSpec("memory").kind, "memory");
  assert.equal(gp.stores.fromSpec("sqlite::memory:").kind, "sqlite");
  assert.equal(gp.stores.fromSpec("postgresql://u@h/db").kind, "postgres");
  assert.equal(gp.stores.fromSpec("postgres:host=h dbname=d").kind, "postgres");
  assert.throws(() => gp.stores.fromSpec("mysql:x"), /unknown store "mysql:x"/);
  await check(gp.stores.memory());
  await check(gp.stores.sqlite(":memory:", { leaseMs: 1000 }));
  await onFile();
  console.log("store_sessions: ok");
})();
