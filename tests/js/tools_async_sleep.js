// Asynchronous JS tools hold no thread while they wait: 2,000 tool calls that each
// sleep 1 s (await setTimeout), spread over 8 runs with maxParallelTools 250, all
// finish with their results in about 1 s. Waves of a 256-thread pool would take at
// least 8 s, so the bound of 5 s is a correctness check, not a benchmark.
// GP_TEST_SLEEP_TOOLS overrides the number of calls (2000). Under a sanitizer
// (GP_TEST_SANITIZER, set by CMake) each call costs milliseconds of owner time, so the
// script runs 600 calls and only checks that they all finish (bound 15 s).
// timeout: 60
// expect-stdout: tools_async_sleep: ok
const gp = require("geppetto");
const SAN = !!process.env.GP_TEST_SANITIZER;
const TOTAL = Number(process.env.GP_TEST_SLEEP_TOOLS || (SAN ? 600 : 2000));
const LIMIT_MS = SAN ? 15000 : 5000;
const RUNS = 8;
const PER = Math.ceil(TOTAL / RUNS);

const registry = gp.tools.createRegistry().register({
  name: "nap",
  parameters: { type: "object", properties: { k: { type: "integer" } }, required: ["k"] },
  handler: async (a) => { await new Promise((r) => setTimeout(r, 1000)); return { k: a.k }; },
});

function engine(run) {
  return gp.engines.fromFunction((turn) => {
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("done " + uses.length));
    for (let j = 0; j < PER; j++) gp.turns.appendBlock(turn, gp.turns.newToolCallBlock(`r${run}-${j}`, "nap", { k: run * PER + j }));
    return turn;
  });
}

(async () => {
  const t0 = Date.now();
  const turns = await Promise.all(Array.from({ length: RUNS }, (_, r) =>
    gp.createSession({ engine: engine(r), tools: registry, toolLoop: { maxParallelTools: PER } }).runAsync("go")));
  const ms = Date.now() - t0;
  turns.forEach((t, r) => {
    const uses = t.blocks.filter((b) => b.kind === "tool_use");
    assert.equal(uses.length, PER);
    uses.forEach((u, j) => {
      assert.equal(u.payload.id, `r${r}-${j}`, "results in call order");
      assert.deepEqual(u.payload.result, { k: r * PER + j });
    });
    assert.equal(t.blocks[t.blocks.length - 1].payload.text, "done " + PER);
  });
  console.log(`${RUNS * PER} sleeping tools (1 s each): ${ms} ms`);
  assert(ms < LIMIT_MS, `took ${ms} ms: the calls did not all wait at the same time`);
  clearTimeout(guard);
  console.log("tools_async_sleep: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 50000);
