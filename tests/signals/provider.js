// A run streaming from an HTTP provider (geppetto-mock replaying slow.json: "w1 ... w100",
// 50 ms apart) that SIGINT interrupts. `provider.js` alone: no listener, the runtime
// cancels the run; `provider.js listener`: a SIGINT listener cancels it itself. Either
// way the handlers see `interrupt` and CANCELED with the partial text, then the script
// prints CHECK and waits a moment so that the test can look for a connection left open.
const gp = require("geppetto");
const withListener = process.argv[2] === "listener";
const engine = gp.engines.fromConfig({ apiType: "openai", model: "slow", apiKey: "sk-test",
                                       baseURL: process.env.GEPPETTO_MOCK_URL + "/v1", maxRetries: 0 });
const s = gp.createSession({ engine });
const h = s.start("Say a hundred words.");
let partials = 0;
h.on("*", (e) => {
  if (e.type === "partial" && ++partials === 3) console.log("STREAMING");
  if (e.type === "interrupt") console.log("event interrupt");
  if (e.type === "final") console.log("event final");
});
if (withListener) {
  process.on("SIGINT", (name) => console.log("listener", name, "cancel", h.cancel()));
}
const textOf = (t) => t.blocks.filter((b) => b.kind === "llm_text").map((b) => b.payload.text).join("");
h.promise.then(
  () => console.log("resolved"),
  (e) => {
    const text = e.partialTurn ? textOf(e.partialTurn) : "";
    const words = text.split(" ");
    const ordered = words.every((w, i) => w === "w" + (i + 1));
    console.log("rejected", e.code, "partial words", words.length >= 3 && words.length < 100 && ordered ? "kept" : text);
  },
).finally(() => {
  console.log("handlers ran, running:", s.isRunning());
  console.log("CHECK");
  setTimeout(() => console.log("waited"), 700);
});
process.on("exit", (code) => console.log("exit", code));
