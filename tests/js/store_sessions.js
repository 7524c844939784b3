// Stores from a script (SPEC §4.12) on the memory store and on SQLite (":memory:": one
// connection, so one database for the store's life): a session persists, another
// session object with its id resumes and continues the conversation, fork copies the
// history, list/load/delete/runs, a failed run stores its record only, withStore.
// expect-stdout: store_sessions: ok
const gp = require("geppetto");
const texts = (t) => t.blocks.map((b) => b.payload.text);

async function check(store) {
  assert.equal(typeof store.kind, "string");
  const s = gp.createSession({ engine: gp.engines.echo(), store, id: "chat" });
  assert.equal(s.id, "chat");
  assert.equal(await s.ready, s);
  assert.equal(s.turnCount(), 0);
  s.run("hi, I am Ann");
  assert.deepEqual(texts(await s.runAsync("what is my name?")),
                   ["hi, I am Ann", "hi, I am Ann", "what is my name?", "what is my name?"]);

  // resume: a new session object with the id, through the builder
  const again = gp.createBuilder().withEngine(gp.engines.echo({ reply: "Ann" })).withStore(store, "chat").buildSession();
  await again.ready;
  assert.equal(again.turnCount(), 2);
  assert.deepEqual(texts(again.run("again?")).slice(-2), ["again?", "Ann"]);

  const loaded = await store.load("chat");
  assert.equal(loaded.length, 3);
  assert.equal(loaded[2].metadata.session_id, "chat");
  assert.equal(await store.load("nobody"), null);

  // fork: same history, new id, same store; the two go on apart
  const f = again.fork("chat-fork");
  await f.ready;
  assert.equal(f.id, "chat-fork");
  assert.equal(f.turnCount(), 3);
  f.run("only in the fork");
  assert.equal((await store.load("chat-fork")).length, 4);
  assert.equal((await store.load("chat")).length, 3);
  assert.notEqual(gp.createSession({ engine: gp.engines.echo(), store }).id, "", "a fresh uuid");

  // a failed run: nothing in the history, its record with the partial turn
  const broken = gp.createSession({ store, id: "chat", engine: gp.engines.fromFunction((t) => {
    t.blocks.push(gp.turns.newAssistantBlock("half"));
    throw Object.assign(new Error("down"), { code: "PROVIDER_HTTP" });
  }) });
  await assert.rejects(broken.runAsync("x"), { code: "PROVIDER_HTTP" });
  assert.equal(broken.turnCount(), 3);
  const runs = await store.runs("chat");
  assert.deepEqual(runs.map((r) => r.outcome), ["ok", "ok", "ok", "PROVIDER_HTTP"]);
  assert.deepEqual(texts(runs[3].partialTurn).slice(-2), ["x", "half"]);
  assert(runs[0].endedAt >= runs[0].startedAt && runs[0].startedAt > 0);

  const list = await store.list();
  assert.deepEqual(list.map((e) => e.id).sort(), ["chat", "chat-fork"]);
  assert.equal(list.find((e) => e.id === "chat").turnCount, 3);
  assert.equal((await store.list({ limit: 1 })).length, 1);
  await store.delete("chat-fork");
  assert.deepEqual((await store.list()).map((e) => e.id), ["chat"]);
  await store.close();
  await assert.rejects(store.list(), { code: "STORE" });
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
  console.log("store_sessions: ok");
})();
