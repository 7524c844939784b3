// Hello, geppetto: a session over the offline echo engine, run three ways.
//   geppetto run examples/js/hello.js
const gp = require("geppetto");

const session = gp.createSession({ engine: gp.engines.echo() });

// 1. Synchronous: blocks the script until the run ends.
const turn = session.run(gp.turns.newTurn({ blocks: [gp.turns.newUserBlock("Hello, geppetto!")] }));
console.log("run():", turn.blocks[turn.blocks.length - 1].payload.text);

// 2. As a promise.
session.runAsync(gp.turns.newTurn({ blocks: [gp.turns.newUserBlock("Hello again")] }))
  .then((t) => {
    console.log("runAsync():", t.blocks[t.blocks.length - 1].payload.text);

    // 3. With live events.
    const handle = session.start(gp.turns.newTurn({ blocks: [gp.turns.newUserBlock("streaming word by word")] }));
    handle.on("partial", (ev) => console.log("  partial:", JSON.stringify(ev.delta)));
    handle.on("final", (ev) => console.log("  final:", ev.text));
    return handle.promise;
  })
  .then(() => console.log("history:", session.turnCount(), "turns"));
