// A streaming run that a signal cancels: its handlers see `interrupt` and CANCELED with
// the partial turn, then the script has nothing left to do.
//   stream.js echo|function|provider [listener]
// echo: the echo engine streaming words; function: an engine function waiting on
// ctx.signal; provider: geppetto-mock (GEPPETTO_MOCK_URL) replaying slow.json, "w1 ...
// w100" 50 ms apart, after whose settlement the script prints CHECK and waits a moment
// (the test looks for a connection left open). `listener`: a SIGINT listener cancels the
// run itself.
const gp = require("geppetto");
const kind = process.argv[2] || "echo";
const engines = {
  echo: () => gp.engines.echo({ reply: "word ".repeat(500), wordDelayMs: 20 }),
  function: () => gp.engines.fromFunction(async (turn, ctx) => {
    console.log("ENGINE WAITING");
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, 60000);
      ctx.signal.addEventListener("abort", () => { clearTimeout(t); reject(ctx.signal.reason); });
    });
    return turn;
  }),
  provider: () => gp.engines.fromConfig({ apiType: "openai", model: "slow", apiKey: "sk-test",
                                          baseURL: process.env.GEPPETTO_MOCK_URL + "/v1", maxRetries: 0 }),
};
const s = gp.createSession({ engine: engines[kind]() });
const h = s.start("hi");
let partials = 0;
h.on("*", (e) => {
  if (e.type === "partial" && ++partials === 3) console.log("STREAMING");
  if (e.type === "interrupt") console.log("event interrupt");
  if (e.type === "final") console.log("event final");
});
if (process.argv[3] === "listener")
  process.on("SIGINT", (name) => console.log("listener", name, "cancel", h.cancel()));
// the provider's partial text: "w1 w2 ... wN", some words but not all
function partialText(t) {
  const words = t.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text).join("").split(" ");
  return words.length >= 3 && words.length < 100 && words.every((w, i) => w === "w" + (i + 1)) ? "kept" : words.join(" ");
}
h.promise.then(
  () => console.log("resolved"),
  (e) => {
    console.log("rejected", e.code, "partial blocks", e.partialTurn ? e.partialTurn.blocks.length : "none");
    if (kind === "provider") console.log("partial text", e.partialTurn ? partialText(e.partialTurn) : "none");
  },
).finally(() => {
  console.log("handlers ran, running:", s.isRunning());
  if (kind !== "provider") return;
  console.log("CHECK");
  setTimeout(() => console.log("waited"), 700);
});
process.on("exit", (code) => console.log("exit", code));
