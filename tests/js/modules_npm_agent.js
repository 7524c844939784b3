// An agent as the SDKs' docs write it, with their npm packages: a zod schema turned to
// JSON Schema for a tool's parameters (zod v4's z.toJSONSchema), zod validating the
// arguments again inside the handler, lodash shaping the result, a uuid for the session's
// tags; the model calls the tool with bad arguments first (the validator sends the path
// back), then good ones. Needs build-deps/npm (scripts/npm-test-deps.sh); skipped (exit
// 77) when absent, unless GP_TEST_REQUIRE_NPM is set: then it fails.
// expect-stdout: modules_npm_agent: ok
// timeout: 60
const gp = require("geppetto");
const dir = process.env.GP_TEST_NPM_DIR || __dirname.replace(/\/tests\/js$/, "") + "/build-deps/npm";
let entry;
try { entry = require(dir + "/entry.cjs"); } catch (e) {
  if (e.code !== "MODULE_NOT_FOUND") throw e;
  if (process.env.GP_TEST_REQUIRE_NPM) throw new Error(`npm test packages missing in ${dir}: run scripts/npm-test-deps.sh`);
  console.log(`modules_npm_agent: skipped, ${dir} is absent (run scripts/npm-test-deps.sh)`);
  process.exit(77); // ctest reports it as skipped
}
const { z } = entry.require("zod");
const _ = entry.require("lodash");
const uuid = entry.require("uuid");

const Order = z.object({
  item: z.string().min(1),
  quantity: z.number().int().positive(),
  express: z.boolean().optional(),
});
const parameters = z.toJSONSchema(Order);
assert.equal(parameters.type, "object");
assert.deepEqual(parameters.required.sort(), ["item", "quantity"]);

const tools = gp.tools.createRegistry().register({
  name: "place_order", description: "Places an order", parameters,
  handler: (args) => {
    const order = Order.parse(args);              // zod again, as SDK handlers do
    return _.pick({ ...order, id: "ord-1", internal: "x" }, ["id", "item", "quantity"]);
  },
});
const calls = [{ item: "", quantity: 0 }, { item: "tea", quantity: 2 }];
const engine = gp.engines.fromFunction((turn) => {
  const uses = turn.blocks.filter((b) => b.kind === "tool_use");
  if (uses.length < calls.length)
    return gp.turns.appendBlock(turn, gp.turns.newToolCallBlock("c" + uses.length, "place_order", calls[uses.length]));
  return gp.turns.appendBlock(turn, gp.turns.newAssistantBlock("ordered " + JSON.stringify(uses[1].payload.result)));
});

(async () => {
  const s = gp.createSession({ engine, tools });
  const t = await s.runAsync("two teas please", { tags: { request: uuid.v4() } });
  const uses = t.blocks.filter((b) => b.kind === "tool_use").map((b) => b.payload);
  assert.ok(uses[0].error && /item|quantity/.test(uses[0].error), "the invalid call names the path: " + uses[0].error);
  assert.deepEqual(uses[1].result, { id: "ord-1", item: "tea", quantity: 2 });
  assert.equal(t.blocks[t.blocks.length - 1].payload.text, 'ordered {"id":"ord-1","item":"tea","quantity":2}');
  console.log("modules_npm_agent: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
