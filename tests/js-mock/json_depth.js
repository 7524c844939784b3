// JSON nesting is bounded wherever it enters (512 levels): tool-call arguments streamed
// by the provider in each protocol, a provider's stream chunk, a JS tool's result, a seed
// turn, an engine function's turn -- each at 1,900 (where it crashed), 10,000 and 100,000 levels -- fail with a
// clear error naming the limit (PROVIDER_STREAM from a provider, INVALID_ARGUMENT from a
// script) instead of overflowing a thread's stack (SIGSEGV in jansson's printer on a run
// thread). Arguments at the limit still work.
const gp = require("geppetto");
const base = process.env.GEPPETTO_MOCK_URL + "/v1";
function check(c, m) { if (!c) throw new Error("assertion failed: " + m); }
function deep(n) { let v = 1; for (let i = 0; i < n; i++) v = [v]; return v; }
const tools = gp.tools.createRegistry().register({
  name: "echo", parameters: {}, handler: (args) => ({ ok: true }),
});
const provider = (apiType) => gp.engines.fromConfig({ apiType, model: "m", baseURL: base, apiKey: "k" });

async function fails(label, p, code, re) {
  try { await p(); } catch (e) {
    check(e.code === code, label + ": code " + e.code + " (" + e.message + ")");
    check(re.test(e.message), label + ": message names the limit: " + e.message);
    return e;
  }
  throw new Error(label + ": did not fail");
}

(async () => {
  for (const tag of ["deep1900", "deep10k", "deep100k"]) {
    for (const api of ["openai", "claude", "openai-responses"]) {
      const s = gp.createSession({ engine: provider(api), tools });
      const e = await fails(`${tag} ${api} arguments`, () => s.runAsync(tag + "-args"), "PROVIDER_STREAM",
                            /arguments nest deeper than 512 levels \(the limit\)/);
      check(e.partialTurn && e.partialTurn.blocks.some((b) => b.kind === "tool_call"), tag + " " + api + ": partial turn kept");
    }
    const s = gp.createSession({ engine: provider("openai"), tools });
    await fails(tag + " chunk", () => s.runAsync(tag + "-chunk"), "PROVIDER_STREAM", /nests deeper than 512 levels/);
  }
  // At the limit: the call runs and the conversation goes on.
  const ok = await gp.createSession({ engine: provider("openai"), tools }).runAsync("deep512-args");
  check(ok.blocks[ok.blocks.length - 1].payload.text === "fine", "512 levels accepted");

  for (const n of [1900, 10000, 100000]) {
    // A JS tool's result: the call fails with INVALID_ARGUMENT, the run goes on.
    const dt = gp.tools.createRegistry().register({ name: "d", parameters: {}, handler: () => deep(n) });
    let k = 0;
    const engine = gp.engines.fromFunction((t) => {
      if (k++ === 0) t.blocks.push(gp.turns.newToolCallBlock("c1", "d", {}));
      else t.blocks.push(gp.turns.newAssistantBlock("done"));
      return t;
    });
    const t = await gp.createSession({ engine, tools: dt }).runAsync("x");
    const use = t.blocks.find((b) => b.kind === "tool_use");
    check(use && /JSON nests (deeper than|at most) 512 levels/.test(use.payload.error), n + ": tool result error: " + (use && use.payload.error));
    // A seed turn, in a synchronous and an asynchronous run.
    const echo = gp.createSession({ engine: gp.engines.fromFunction((x) => x) });
    const seed = () => gp.turns.newTurn({ blocks: [gp.turns.newToolCallBlock("c", "x", deep(n))] });
    await fails(n + " seed (run)", async () => echo.run(seed()), "INVALID_ARGUMENT", /512 levels/);
    await fails(n + " seed (runAsync)", () => echo.runAsync(seed()), "INVALID_ARGUMENT", /512 levels/);
    // An engine function's turn.
    const bad = gp.createSession({ engine: gp.engines.fromFunction((x) => { x.blocks.push(gp.turns.newToolCallBlock("c9", "x", { a: deep(n) })); return x; }) });
    await fails(n + " engine", () => bad.runAsync("x"), "INVALID_ARGUMENT", /512 levels/);
  }
  console.log("json depth: ok");
})().catch((e) => { console.error("FAIL", e.message); process.exit(1); });
