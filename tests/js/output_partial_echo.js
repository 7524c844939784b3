// partial-object events come from any engine that streams its answer (SPEC §4.10), not
// only from the HTTP providers: the echo engine streams a JSON reply word by word and the
// run's `output` turns the deltas into growing values, the last one the final value.
// Tools first, then output: the text of an earlier step does not spoil the parser.
// expect-stdout: output_partial_echo: ok
const gp = require("geppetto");
(async () => {
  const schema = { type: "object", properties: { city: { type: "string" }, temp: { type: "integer" },
    tags: { type: "array", items: { type: "string" } } }, required: ["city", "temp", "tags"] };
  const want = { city: "Paris in June", temp: 21, tags: ["sunny", "warm é", "dry"] };
  const reply = JSON.stringify(want, null, 1);
  const h = gp.createSession({ engine: gp.engines.echo({ reply }) }).start("hi", { output: { schema } });
  const order = [], objects = [];
  h.on("partial", () => order.push("p"));
  h.on("partial-object", (ev) => { order.push("o"); objects.push(ev.object); });
  let fin;
  h.on("final", (ev) => { fin = ev; });
  const t = await h.promise;
  assert.deepEqual(t.data.output, want);
  assert.deepEqual(fin.output, want);
  assert(objects.length >= 3, "partial-object events: " + objects.length);
  assert.deepEqual(objects[objects.length - 1], want, "the last snapshot is the whole value");
  assert.equal(order[0], "p", "a partial-object follows the delta it comes from");
  // the values grow: each key seen stays, an open string shows its text so far
  assert.equal(typeof objects[0], "object");
  for (let i = 1; i < objects.length; i++)
    for (const k of Object.keys(objects[i - 1])) assert(k in objects[i], `key ${k} stays`);
  assert(objects.some((o) => typeof o.city === "string" && o.city.length < want.city.length),
    "an open string shows its text so far");

  // no output option: no partial-object event
  const h2 = gp.createSession({ engine: gp.engines.echo({ reply }) }).start("hi");
  let n2 = 0;
  h2.on("partial-object", () => n2++);
  await h2.promise;
  assert.equal(n2, 0);

  // a tool step's streamed text, then the JSON answer: the parser starts again at each
  // engine call, so the partial objects of the answer's step still come
  let step = 0;
  const mw = gp.middlewares.fromJS(async (turn, next) => {
    step++;
    if (step === 2) turn.blocks.push({ kind: "user", payload: { text: reply } });
    const out = await next(turn);
    if (step === 1) out.blocks.push({ kind: "tool_call", payload: { id: "c1", name: "look", args: {} } });
    return out;
  });
  const tools = gp.tools.createRegistry().register({ name: "look", handler: () => "ok" });
  const h3 = gp.createSession({ engine: gp.engines.echo(), middlewares: [mw], tools, output: { schema } })
    .start("not json { at all");
  const objects3 = [];
  h3.on("partial-object", (ev) => objects3.push(ev.object));
  const t3 = await h3.promise;
  assert.equal(step, 2);
  assert.deepEqual(t3.data.output, want);
  assert.deepEqual(objects3[objects3.length - 1], want, "partial objects from the answer's step");
  console.log("output_partial_echo: ok");
})().catch((e) => { console.error(e); process.exit(1); });
