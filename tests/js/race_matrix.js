// The race matrix (SPEC §4.7, background §12): 64 concurrent runs, half through start()
// with listeners and half through runAsync(), each with a JS engine, a JS middleware that
// mutates shared state, four parallel JS tool calls (maxParallelTools 4, sync and async
// handlers), async before/after hooks, while intervals, timeouts and microtasks keep the
// loop busy. Eight runs are canceled mid-flight. Every run must settle exactly once with
// its own answer or CANCELED, events in order with one terminal event; run under
// ThreadSanitizer in CI with zero reports.
// timeout: 120
const gp = require("geppetto");
const N = 64;
const shared = { middleware: 0, before: 0, after: 0, handlers: 0, inFlight: 0, maxInFlight: 0 };
let ticks = 0;
const iv = setInterval(() => { ticks++; }, 1);
const guard = setTimeout(() => assert.fail("race matrix did not finish in time"), 100000);

function engineFor(i) {
  return gp.engines.fromFunction(async (turn, ctx) => {
    await sleep(i % 3);
    const uses = turn.blocks.filter((b) => b.kind === "tool_use");
    if (uses.length === 0) {
      for (let k = 0; k < 4; k++)
        gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c" + i + "_" + k,
          k % 2 ? "slow" : "fast", { n: i * 10 + k }));
      return turn;
    }
    const sum = uses.reduce((a, b) => a + b.payload.result.v, 0);
    return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("r" + i + ":" + sum));
  });
}

const registry = gp.tools.createRegistry()
  .register({ name: "fast", parameters: { type: "object", properties: { n: { type: "number" } },
              required: ["n"] }, handler: (args) => { shared.handlers++; return { v: args.n }; } })
  .register({ name: "slow", handler: async (args, ctx) => {
    shared.inFlight++;
    shared.maxInFlight = Math.max(shared.maxInFlight, shared.inFlight);
    await sleep(1 + (args.n % 4));
    shared.inFlight--;
    shared.handlers++;
    return { v: args.n };
  } });

const hooks = {
  beforeToolCall: async (info) => { shared.before++; await null; return undefined; },
  afterToolCall: async (info) => { shared.after++; return undefined; },
};

(async () => {
  const sessions = [];
  for (let i = 0; i < N; i++) {
    sessions.push(gp.createSession({
      engine: engineFor(i),
      middlewares: [gp.middlewares.fromJS((turn, next, ctx) => { shared.middleware++; return next(turn); })],
      tools: registry,
      toolLoop: { maxParallelTools: 4 },
      toolHooks: hooks,
    }));
  }
  const logs = sessions.map(() => []);
  const outcomes = await Promise.all(sessions.map((s, i) => {
    queueMicrotask(() => { ticks += 0; });
    setTimeout(() => { ticks++; }, i % 5);
    let p;
    if (i % 2 === 0) {
      const h = s.start("q" + i);
      h.on("*", (ev) => logs[i].push(ev.type));
      if (i % 8 === 0) setTimeout(() => h.cancel(), i % 3);
      p = h.promise;
    } else {
      p = s.runAsync("q" + i);
    }
    return p.then((t) => ({ ok: t }), (e) => ({ err: e }));
  }));
  let canceled = 0;
  outcomes.forEach((o, i) => {
    const want = (i * 10) * 4 + 6;
    if (o.ok) {
      const last = o.ok.blocks[o.ok.blocks.length - 1];
      assert.equal(last.payload.text, "r" + i + ":" + want, "run " + i + " got its own answer");
      const uses = o.ok.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload.id);
      assert.deepEqual(uses, [0, 1, 2, 3].map((k) => "c" + i + "_" + k), "results in call order");
    } else {
      assert.equal(o.err.code, "CANCELED", "run " + i + ": " + o.err.message);
      assert(i % 8 === 0, "only the canceled runs fail");
      canceled++;
    }
    if (i % 2 === 0) {
      const evs = logs[i];
      assert.equal(evs[0], "start", "run " + i + " starts with start");
      const terminal = evs.filter((t) => t === "final" || t === "error" || t === "interrupt");
      assert.equal(terminal.length, 1, "run " + i + " has one terminal event: " + evs.join(","));
      assert.equal(terminal[0], evs[evs.length - 1], "the terminal event is the last");
      assert.equal(terminal[0], o.ok ? "final" : "interrupt");
    }
  });
  assert(sessions.every((s) => !s.isRunning()));
  assert(shared.maxInFlight > 1, "tool handlers overlapped");
  assert(shared.middleware >= (N - canceled) * 2, "middleware ran each iteration");
  assert(shared.before >= (N - canceled) * 4 && shared.after >= (N - canceled) * 4, "hooks ran");
  assert(ticks > 0);
  clearInterval(iv);
  clearTimeout(guard);
  console.log("race matrix: " + N + " runs, " + canceled + " canceled, " + shared.handlers +
              " tool calls, max parallel slow handlers " + shared.maxInFlight);
})();
