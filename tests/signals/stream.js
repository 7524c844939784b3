// A streaming run that a signal cancels: its handlers see `interrupt` and CANCELED with
// the partial turn, then the script has nothing left to do.
const gp = require("geppetto");
const kind = process.argv[2] || "echo";
const engine = kind === "echo"
  ? gp.engines.echo({ reply: "word ".repeat(500), wordDelayMs: 20 })
  : gp.engines.fromFunction(async (turn, ctx) => {
      console.log("ENGINE WAITING");
      await new Promise((resolve, reject) => {
        const t = setTimeout(resolve, 60000);
        ctx.signal.addEventListener("abort", () => { clearTimeout(t); reject(ctx.signal.reason); });
      });
      return turn;
    });
const s = gp.createSession({ engine });
const h = s.start("hi");
let partials = 0;
h.on("*", (e) => {
  if (e.type === "partial" && ++partials === 3) console.log("STREAMING");
  if (e.type === "interrupt") console.log("event interrupt");
  if (e.type === "final") console.log("event final");
});
h.promise.then(
  () => console.log("resolved"),
  (e) => console.log("rejected", e.code, "partial blocks", e.partialTurn ? e.partialTurn.blocks.length : "none"),
).finally(() => console.log("handlers ran, running:", s.isRunning()));
process.on("exit", (code) => console.log("exit", code));
