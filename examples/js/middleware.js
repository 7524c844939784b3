// Middleware composition: a JS logging middleware (outermost), the built-in
// systemPrompt, and a JS middleware that rewrites the user's text before the engine
// sees it (here: redacting e-mail addresses). The first registered runs first.
//   geppetto run examples/js/middleware.js
const gp = require("geppetto");

// An offline "model" that says what it was given.
const model = gp.engines.fromFunction((turn) => {
  const system = turn.blocks.find((b) => b.kind === "system");
  const user = turn.blocks.filter((b) => b.kind === "user").pop();
  gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(
    `(system: ${system ? system.payload.text : "none"}) you said: ${user.payload.text}`));
});

// Logs around everything inside it, with timing.
const logging = gp.middlewares.fromJS((turn, next, ctx) => {
  const t0 = Date.now();
  console.log(`[log] iteration ${ctx.iteration}: ${turn.blocks.length} block(s) in`);
  const out = next(turn);
  console.log(`[log] ${out.blocks.length} block(s) out after ${Date.now() - t0} ms`);
  return out;
}, "logging");

// Rewrites user blocks on the way in; the session keeps the rewritten turn.
const redact = gp.middlewares.fromJS((turn, next) => {
  for (const b of turn.blocks) {
    if (b.kind === "user") b.payload.text = b.payload.text.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, "<email>");
  }
  return next(turn);
}, "redact");

const session = gp.createBuilder()
  .withEngine(model)
  .useMiddleware(logging)
  .useNativeMiddleware("systemPrompt", { prompt: "Never repeat personal data." })
  .useMiddleware(redact)
  .buildSession();

const out = session.run("Please write to jane.doe@example.com about the invoice.");
console.log(out.blocks[out.blocks.length - 1].payload.text);

// The same chain, asynchronously: runAsync works with synchronous middlewares too.
session.runAsync("And cc bob@example.org.").then((t) => {
  console.log(t.blocks[t.blocks.length - 1].payload.text);
});
