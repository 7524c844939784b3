// The schema subset of SPEC §4.4 as scripts see it: const, anyOf/oneOf, pattern,
// minItems/maxItems, $ref to $defs and nullable types validate arguments; a misspelt
// keyword, a bad type name or a tool name the providers refuse fail `register`.
const gp = require("geppetto");
const r = gp.tools.createRegistry();
r.register({
  name: "book",
  parameters: {
    type: "object",
    $defs: { day: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } },
    properties: {
      kind: { const: "room" },
      days: { type: "array", minItems: 1, maxItems: 3, items: { $ref: "#/$defs/day" } },
      note: { type: ["string", "null"] },
      size: { oneOf: [{ type: "integer" }, { enum: ["small", "large"] }] },
    },
    required: ["kind", "days"],
  },
  handler: (a) => a.days.length,
});
assert.equal(r.call("book", { kind: "room", days: ["2026-01-02"], note: null, size: "small" }), 1);
const bad = (args, re) => {
  const e = assert.throws(() => r.call("book", args));
  assert(re.test(e.message), e.message + " should match " + re);
};
bad({ kind: "flat", days: ["2026-01-02"] }, /\$\.kind: value must be "room"/);
bad({ kind: "room", days: [] }, /\$\.days: item count 0 is less than minItems 1/);
bad({ kind: "room", days: ["tomorrow"] }, /\$\.days\[0\]: string does not match the pattern/);
bad({ kind: "room", days: ["2026-01-02"], size: "huge" }, /\$\.size: value matches none of the oneOf/);
const reg = (def, re) => {
  const e = assert.throws(() => r.register(Object.assign({ handler() {} }, def)));
  assert.equal(e.code, "INVALID_ARGUMENT");
  assert(re.test(e.message), e.message + " should match " + re);
};
reg({ name: "t1", parameters: { type: "object", requried: ["a"] } }, /\$\.requried: unknown keyword "requried"; did you mean "required"\?/);
reg({ name: "t2", parameters: { type: "object", properties: { a: { type: "strin" } } } }, /\$\.properties\.a\.type: unknown type "strin"/);
reg({ name: "t3", parameters: { $ref: "#/$defs/nope" } }, /\$\.\$ref: .*does not resolve/);
reg({ name: "get weather" }, /tool name "get weather" must match/);
reg({ name: "x".repeat(65) }, /must match/);
console.log("schema subset ok");
