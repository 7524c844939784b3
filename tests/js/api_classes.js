// The module's classes are exported for `new` and `instanceof` as docs/API.md says
// (Session, Builder, tools.ToolRegistry; stores.Store and mcp.MCPClient only for
// instanceof), and require("geppetto/chat") is the chat loop. scripts/typecheck.sh also
// checks this file against types/geppetto.d.ts, so the declarations say the same.
// @ts-check
const gp = require("geppetto");
const chat = require("geppetto/chat");

assert.equal(typeof chat, "function");
const reg = new gp.tools.ToolRegistry().register({ name: "t", handler: () => 1 });
assert.ok(reg instanceof gp.tools.ToolRegistry);
assert.ok(gp.tools.createRegistry() instanceof gp.tools.ToolRegistry);
assert.equal(reg.list()[0].name, "t");

const engine = gp.engines.echo({ reply: "ok" });
const s = new gp.Session({ engine, tools: reg });
assert.ok(s instanceof gp.Session);
assert.ok(gp.createSession({ engine }) instanceof gp.Session);
assert.equal(s.run("hi").blocks.length, 2);
const b = new gp.Builder({ engine });
assert.ok(b instanceof gp.Builder);
assert.ok(gp.createBuilder() instanceof gp.Builder);
assert.ok(b.buildSession() instanceof gp.Session);

const st = gp.stores.memory();
assert.ok(st instanceof gp.stores.Store);
assert.equal(st.kind, "memory");
assert.throws(() => Reflect.construct(gp.stores.Store, []), /use gp[.]stores/);
assert.throws(() => Reflect.construct(gp.mcp.MCPClient, []), /use gp[.]mcp[.]connect/);
st.close().then(() => console.log("api_classes: ok"));
