// A chat that remembers: each invocation continues the conversation kept in a SQLite
// file, so a process that is killed and started again goes on where it was.
//   geppetto run examples/js/chat_resume.js chat.db "Hi, I am Ann."
//   geppetto run examples/js/chat_resume.js chat.db "What is my name?"
// With a profile (--profile NAME) it talks to that model, else to the offline echo
// engine. Without arguments it shows three turns in a throw-away database.
// A postgresql:// URL instead of the file shares the conversation across machines:
//   geppetto run examples/js/chat_resume.js postgresql://me@db/agents "Hello"
const gp = require("geppetto");

const [where, ...words] = process.argv.slice(2);
const store = /^postgres(ql)?:/.test(where || "") ? gp.stores.postgres(where)
  : gp.stores.sqlite(where || ":memory:");
const engine = process.env.GEPPETTO_PROFILE ? gp.engines.fromProfile() : gp.engines.echo();
const session = gp.createSession({ engine, store, id: "chat" });

async function say(text) {
  const run = session.start(text); // a string continues the conversation
  run.on("partial", (ev) => process.stdout.write(ev.delta));
  await run.promise;                 // committed to the store when it resolves
  process.stdout.write("\n");
}

(async () => {
  await session.ready;               // the history, loaded off the main thread
  console.log(`[session ${session.id}: ${session.turnCount()} earlier turns]`);
  if (words.length) await say(words.join(" "));
  else for (const line of ["Hi, I am Ann.", "What is my name?", "Thanks!"]) await say(line);
  const runs = await store.runs("chat");
  console.log(`[${runs.length} runs stored; the last: ${runs[runs.length - 1].outcome}]`);
  await store.close();
})().catch((e) => {
  // SESSION_BUSY: another process is answering in this conversation right now
  console.error(`${e.code}: ${e.message}`);
  process.exitCode = 1;
});
