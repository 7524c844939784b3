// A structured-output option given as a session default is checked where it is given
// (SPEC §4.10, §4.4): createSession({output}) and builder.withOutput() throw
// INVALID_ARGUMENT naming the problem, as a run with that option would, instead of the
// first run failing later.
// expect-stdout: output_option_early: ok
const gp = require("geppetto");
const engine = gp.engines.echo({ reply: "{}" });
const bad = [
  [{ schema: { type: "object", requried: ["a"] } }, /requried/],
  [{ schema: { type: "strng" } }, /strng/],
  [{ schema: { type: "string", pattern: "(?<x" } }, /pattern/],
  [{ schema: { type: "object" }, nmae: "x" }, /nmae/],
  [{ schema: { type: "object" }, name: "has space" }, /name/],
];
for (const [output, re] of bad) {
  const e1 = assert.throws(() => gp.createSession({ engine, output }), TypeError);
  assert.equal(e1.code, "INVALID_ARGUMENT");
  assert(re.test(e1.message), e1.message);
  const e2 = assert.throws(() => gp.createBuilder().withEngine(engine).withOutput(output), TypeError);
  assert.equal(e2.code, "INVALID_ARGUMENT");
  assert(re.test(e2.message), e2.message);
  // and the same option on a run fails the same way
  const e3 = assert.throws(() => gp.createSession({ engine }).start("x", { output }));
  assert(re.test(e3.message), e3.message);
}
// a good one is taken, and used
const output = { schema: { type: "object", properties: {}, additionalProperties: false }, name: "empty" };
const s = gp.createSession({ engine, output });
gp.createBuilder().withEngine(engine).withOutput(output);
s.runAsync("x").then((t) => {
  assert.deepEqual(t.data.output, {});
  console.log("output_option_early: ok");
}, (e) => { console.error(e); process.exit(1); });
