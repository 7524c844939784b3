// Hello, geppetto: a session over the offline echo engine, run three ways.
//   geppetto run examples/js/hello.js
const gp = require("geppetto");

const session = gp.createSession({ engine: gp.engines.echo() });

// Each string continues the conversation: the model sees every earlier message too
// (pass a Turn, gp.turns.newTurn({...}), to state the whole context yourself).
// 1. Synchronous: blocks the script until the run ends.
const turn = session.run("Hello, geppetto!");
console.log("run():", turn.blocks[turn.blocks.length - 1].payload.text);

// 2. As a promise.
session.runAsync("Hello again")
  .then((t) => {
    console.log("runAsync():", t.blocks[t.blocks.length - 1].payload.text);

    // 3. With live events.
    const handle = session.start("streaming word by word");
    handle.on("partial", (ev) => console.log("  partial:", JSON.stringify(ev.delta)));
    handle.on("final", (ev) => console.log("  final:", ev.text));
    return handle.promise;
  })
  .then(() => {
    const latest = session.latest();
    console.log("history:", session.turnCount(), "turns; the latest holds the whole conversation:",
                latest.blocks.length, "blocks");
  });
