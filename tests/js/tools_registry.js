// gp.tools registries (SPEC §4.4): register() is chainable and checks its input (a bad
// JSON Schema is a TypeError naming the problem, a duplicate name an error), list()
// gives {name, description} in registration order, call() runs a handler directly
// (value or Promise, arguments validated), useNativeTools/useGoTools add host tools.
// expect-stdout: tools_registry: ok
const gp = require("geppetto");
(async () => {
  const r = gp.tools.createRegistry();
  assert(r instanceof gp.tools.ToolRegistry);
  const add = { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] };
  const seenCtx = [];
  const ret = r.register({ name: "add", description: "adds two numbers", parameters: add,
                           handler: (args, ctx) => { seenCtx.push(ctx); return args.a + args.b; } })
    .register({ name: "later", handler: async (args) => { await sleep(1); return { echoed: args }; } });
  assert.equal(ret, r, "register() returns the registry");
  assert.deepEqual(r.list(), [{ name: "add", description: "adds two numbers" }, { name: "later", description: "" }]);

  // call(): a sync handler's value, an async handler's Promise
  assert.equal(r.call("add", { a: 2, b: 40 }), 42);
  const p = r.call("later", { x: [1, 2] });
  assert(p instanceof Promise, "an async handler's Promise is returned as is");
  assert.deepEqual(await p, { echoed: { x: [1, 2] } });
  const ctx = seenCtx[0];
  assert.equal(ctx.toolName, "add");
  assert.equal(typeof ctx.callId, "string");
  assert.deepEqual(ctx.tags, {});
  assert.equal(ctx.signal.aborted, false);
  assert.equal(typeof ctx.signal.addEventListener, "function");

  // call(): validation applies, unknown tools are TOOL_NOT_FOUND, throws propagate
  const bad = assert.throws(() => r.call("add", { a: 1 }), TypeError);
  assert.equal(bad.code, "INVALID_ARGUMENT");
  assert(/\$\.b: required property is missing/.test(bad.message), bad.message);
  const typed = assert.throws(() => r.call("add", { a: 1, b: "2" }), { code: "INVALID_ARGUMENT" });
  assert(/\$\.b: expected number, got string/.test(typed.message), typed.message);
  assert.throws(() => r.call("nope", {}), { code: "TOOL_NOT_FOUND" });
  r.register({ name: "boom", handler: () => { throw new Error("kaboom"); } });
  assert.throws(() => r.call("boom"), { message: "kaboom" });

  // duplicates and bad definitions
  const dup = assert.throws(() => r.register({ name: "add", handler: () => 0 }), { code: "INVALID_ARGUMENT" });
  assert(/already registered/.test(dup.message), dup.message);
  assert.equal(r.call("add", { a: 1, b: 1 }), 2, "the first registration stays");
  const schema = assert.throws(() => r.register({ name: "s1", parameters: { type: "nope" }, handler() {} }), TypeError);
  assert.equal(schema.code, "INVALID_ARGUMENT");
  assert(/\$\.type: unknown type "nope"/.test(schema.message), schema.message);
  const min = assert.throws(() => r.register({ name: "s2", parameters: { type: "object", properties: { n: { minimum: "x" } } }, handler() {} }), TypeError);
  assert(/\$\.properties\.n\.minimum: must be a number/.test(min.message), min.message);
  assert.throws(() => r.register({ name: "s3", parameters: { required: "a" }, handler() {} }), /\$\.required: must be an array of strings/);
  assert.throws(() => r.register({ name: "", handler() {} }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => r.register({ name: "nohandler" }), TypeError);
  assert.throws(() => r.register({ name: "d", description: 5, handler() {} }), TypeError);
  assert.throws(() => r.register({ name: "p", parameters: [1], handler() {} }), TypeError);
  assert.throws(() => r.register(null), TypeError);
  assert.deepEqual(r.list().map((t) => t.name), ["add", "later", "boom"], "failed registrations left nothing");

  // native tools: none registered by the `geppetto` command
  assert.equal(r.useNativeTools(), r, "useNativeTools() is chainable");
  assert.equal(r.useGoTools([]), r, "useGoTools is its alias");
  const nf = assert.throws(() => r.useNativeTools(["calc"]), { code: "TOOL_NOT_FOUND" });
  assert(/no native tool named calc/.test(nf.message), nf.message);
  assert.throws(() => r.useNativeTools("calc"), TypeError);
  assert.equal(r.list().length, 3);

  // registries are separate; sessions take only registries
  const r2 = gp.tools.createRegistry();
  assert.deepEqual(r2.list(), []);
  assert.throws(() => r2.call("add", { a: 1, b: 2 }), { code: "TOOL_NOT_FOUND" });
  assert.throws(() => gp.createSession({ engine: gp.engines.echo(), tools: { add: () => 1 } }),
                { code: "INVALID_ARGUMENT" });
  assert.throws(() => gp.tools.ToolRegistry.prototype.list.call({}), TypeError);
  clearTimeout(guard);
  console.log("tools_registry: ok");
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
