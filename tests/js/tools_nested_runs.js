// Nested runs do not starve the tool pool: N concurrent runAsync() each call a JS tool
// whose handler awaits a nested runAsync(), whose engine calls another (async) tool.
// A handler waiting for its promise holds no tool worker and no fixed pool size
// bounds the runs, so all of them finish with the right results, with the default
// executionTimeoutMs and with executionTimeoutMs: 0 (no deadline to hide a hang).
// GP_TEST_NESTED_RUNS overrides N (1000). Under a sanitizer (GP_TEST_SANITIZER, set
// by CMake) N is 300, still more than the old 256-thread tool pool: ThreadSanitizer
// makes each of the ~2N new run threads cost tens of ms to start.
// timeout: 110
// expect-stdout: tools_nested_runs: ok
const gp = require("geppetto");
const N = Number(process.env.GP_TEST_NESTED_RUNS || (process.env.GP_TEST_SANITIZER ? 300 : 1000));

// An engine that asks for tool `name` with {k} taken from the user text "... k", then
// answers with the tool's result.
function oneToolEngine(name) {
  return gp.engines.fromFunction((turn) => {
    const use = turn.blocks.find((b) => b.kind === "tool_use");
    if (use) return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock(JSON.stringify(use.payload.result)));
    const k = Number(turn.blocks[0].payload.text.split(" ")[1]);
    return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("call-" + name + "-" + k, name, { k }));
  });
}

const leaf = gp.tools.createRegistry().register({
  name: "leaf",
  handler: async (a) => { await null; return { v: a.k * 2 }; },
});
const innerEngine = oneToolEngine("leaf");
const outerEngine = oneToolEngine("nest");

async function wave(toolLoop) {
  const nest = gp.tools.createRegistry().register({
    name: "nest",
    handler: async (a) => {
      const inner = gp.createSession({ engine: innerEngine, tools: leaf, toolLoop });
      const t = await inner.runAsync("inner " + a.k);
      return { k: a.k, inner: JSON.parse(t.blocks[t.blocks.length - 1].payload.text) };
    },
  });
  const t0 = Date.now();
  const runs = [];
  for (let i = 0; i < N; i++) {
    const s = gp.createSession({ engine: outerEngine, tools: nest, toolLoop });
    runs.push(s.runAsync("outer " + i));
  }
  const turns = await Promise.all(runs);
  const ms = Date.now() - t0;
  turns.forEach((t, i) => {
    const uses = t.blocks.filter((b) => b.kind === "tool_use");
    assert.equal(uses.length, 1);
    assert.equal(uses[0].payload.error, undefined, "run " + i + ": " + uses[0].payload.error);
    assert.deepEqual(JSON.parse(t.blocks[t.blocks.length - 1].payload.text), { k: i, inner: { v: i * 2 } });
  });
  return ms;
}

(async () => {
  const a = await wave({});
  const b = await wave({ executionTimeoutMs: 0 });
  console.log(`${N} nested runs: ${a} ms (default timeout), ${b} ms (executionTimeoutMs 0)`);
  clearTimeout(guard);
  console.log("tools_nested_runs: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 100000);
