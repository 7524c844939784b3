// JSON Schema `pattern` is an ECMAScript regular expression (SPEC §4.4): the schema zod
// writes for .email(), .datetime() and .uuid() (lookahead-free but full of (?:...), \d,
// escaped hyphens in classes) registers, and the tool's arguments are checked with the
// same answers JavaScript's RegExp gives; `output` takes the same schema. Skipped when
// the npm test packages are absent (scripts/npm-test-deps.sh), unless GP_TEST_REQUIRE_NPM.
// expect-stdout: schema_zod_pattern: (ok|skipped)
const gp = require("geppetto");
const dir = process.env.GP_TEST_NPM_DIR || __dirname.replace(/\/tests\/js$/, "") + "/build-deps/npm";
let entry;
try { entry = require(dir + "/entry.cjs"); } catch (e) {
  if (e.code !== "MODULE_NOT_FOUND") throw e;
  if (process.env.GP_TEST_REQUIRE_NPM) throw new Error(`npm test packages missing in ${dir}`);
  console.log("schema_zod_pattern: skipped, " + dir + " is absent");
  process.exit(0);
}
(async () => {
  const { z } = entry.require("zod");
  const zschema = z.object({ email: z.string().email(), at: z.string().datetime(), id: z.string().uuid(),
    name: z.string().regex(/^\p{Lu}\p{Ll}{1,3}$/u) });
  const parameters = z.toJSONSchema(zschema);
  assert(/\(\?:/.test(parameters.properties.email.pattern), "zod wrote a (?:...) pattern");
  const r = gp.tools.createRegistry().register({ name: "contact", parameters, handler: (a) => a.email });
  const good = { email: "ada.lovelace+x@example.co.uk", at: "2024-02-29T12:30:00Z",
    id: "123e4567-e89b-42d3-a456-426614174000", name: "Été" };
  assert.equal(r.call("contact", good), good.email);
  const bad = [
    [{ email: "not an email" }, "$.email"],
    [{ email: "a..b@example.com" }, "$.email"],
    [{ at: "2023-02-29T12:30:00Z" }, "$.at"],
    [{ id: "123e4567-e89b-92d3-a456-426614174000" }, "$.id"],
    [{ name: "été" }, "$.name"],
    [{ name: "Étéée" }, "$.name"],
  ];
  for (const [change, path] of bad) {
    const args = { ...good, ...change };
    // JavaScript's own answer agrees with ours
    assert.equal(zschema.safeParse(args).success, false, JSON.stringify(change));
    const e = assert.throws(() => r.call("contact", args), { code: "INVALID_ARGUMENT" });
    assert(e.message.includes(path + ": string does not match the pattern"), e.message);
  }
  // an invalid pattern is refused at register, naming its path
  const e = assert.throws(() => gp.tools.createRegistry().register({ name: "x", handler() {},
    parameters: { type: "object", properties: { a: { type: "string", pattern: "(?<x" } } } }),
  { code: "INVALID_ARGUMENT" });
  assert(e.message.includes("$.properties.a.pattern"), e.message);
  // `output` with the zod schema: the echo engine's JSON answer is validated
  const reply = JSON.stringify(good);
  const t = await gp.createSession({ engine: gp.engines.echo({ reply }) }).runAsync("hi",
    { output: { schema: parameters } });
  assert.deepEqual(t.data.output, good);
  const badReply = JSON.stringify({ ...good, email: "nope" });
  const err = await gp.createSession({ engine: gp.engines.echo({ reply: badReply }) })
    .runAsync("hi", { output: { schema: parameters } }).then(() => null, (x) => x);
  assert(err && err.code === "OUTPUT_INVALID", String(err && err.message));
  assert(err.message.includes("$.email"), err.message);
  console.log("schema_zod_pattern: ok");
})().catch((e) => { console.error(e); process.exit(1); });
