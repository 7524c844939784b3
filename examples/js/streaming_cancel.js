// Streaming with cancellation: start() a run, print its partial events as they arrive,
// cancel it mid-stream, and show the partial turn the CANCELED error carries.
//   geppetto run examples/js/streaming_cancel.js
const gp = require("geppetto");

// The offline echo engine streams its reply word by word, 20 ms apart.
const reply = "one two three four five six seven eight nine ten eleven twelve";
const session = gp.createSession({ engine: gp.engines.echo({ reply, wordDelayMs: 20 }) });

const handle = session.start("count to twelve");
let words = 0;
handle
  .on("start", () => console.log("run", handle.id, "started"))
  .on("partial", (ev) => {
    words++;
    console.log(`partial #${words}: ${JSON.stringify(ev.delta)} -> ${JSON.stringify(ev.completion)}`);
    if (words === 4) console.log("cancel() ->", handle.cancel());
  })
  .on("interrupt", (ev) => console.log("interrupted; text so far:", JSON.stringify(ev.text)));

handle.promise.then(
  () => console.log("finished (not expected: it was canceled)"),
  (err) => {
    console.log(`rejected: ${err.code}: ${err.message}`);
    const partial = err.partialTurn.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text);
    console.log("partial turn:", JSON.stringify(partial));
    if (err.code !== "CANCELED") process.exitCode = 1;
    console.log("session running:", session.isRunning(), "- history turns:", session.turnCount());
  });
