// gp.middlewares.fromJS under run(): the first registered is the outermost, next(turn)
// passes a changed turn on, undefined keeps what next() returned (or the input), a
// returned Turn replaces it, a middleware may short-circuit, throws fail the run with
// their code, next() errors carry the partial turn, next() is usable only while fn runs.
const gp = require("geppetto");
const { newUserBlock, newSystemBlock, newAssistantBlock } = gp.turns;
const texts = (t) => t.blocks.map((b) => b.kind + ":" + b.payload.text);

let engineCalls = 0;
const engine = gp.engines.fromFunction((turn) => {
  engineCalls++;
  const last = turn.blocks[turn.blocks.length - 1];
  turn.blocks.push(newAssistantBlock("echo " + last.payload.text));
});

// Order: outermost first, both before and after next().
const order = [];
const tracer = (tag) => gp.middlewares.fromJS((turn, next) => {
  order.push(tag + ">");
  const r = next(turn);
  order.push("<" + tag);
  return r;
}, tag);
const m1 = tracer("m1"), m2 = tracer("m2"), m3 = tracer("m3");
assert.equal(m1.name, "m1");
assert.equal(gp.middlewares.fromJS(function named() {}).name, "named");
let s = gp.createSession({ engine, middlewares: [m1, m2, m3] });
s.run("hi");
assert.deepEqual(order, ["m1>", "m2>", "m3>", "<m3", "<m2", "<m1"]);

// next(turn) with a changed turn; undefined return keeps next's result (changed in place).
const rewrite = gp.middlewares.fromJS((turn, next) => {
  const t = gp.turns.newTurn({ blocks: [newSystemBlock("sys"), newUserBlock("rewritten")] });
  const r = next(t);
  r.blocks.push(newAssistantBlock("post"));
});
s = gp.createSession({ engine, middlewares: [rewrite] });
assert.deepEqual(texts(s.run("original")),
                 ["system:sys", "user:rewritten", "llm_text:echo rewritten", "llm_text:post"]);

// next() without an argument runs on the input turn as changed in place; undefined
// with no next() call keeps the (changed) input.
const inplace = gp.middlewares.fromJS((turn, next) => { turn.blocks[0].payload.text = "edited"; next(); });
s = gp.createSession({ engine, middlewares: [inplace] });
assert.deepEqual(texts(s.run("x")), ["user:edited", "llm_text:echo edited"]);

// A returned Turn replaces the result; short-circuit: the engine never runs.
const before = engineCalls;
const cached = gp.middlewares.fromJS((turn) => ({ blocks: turn.blocks.concat([newAssistantBlock("cached")]) }));
s = gp.createSession({ engine, middlewares: [m1, cached] });
const out = s.run("q");
assert.deepEqual(texts(out), ["user:q", "llm_text:cached"]);
assert.equal(engineCalls, before, "short-circuit: the engine did not run");
assert.equal(out.metadata.session_id, s.id);
const onlyEdit = gp.middlewares.fromJS((turn) => { turn.blocks.push(newAssistantBlock("no next")); });
assert.deepEqual(texts(gp.createSession({ engine, middlewares: [onlyEdit] }).run("q")),
                 ["user:q", "llm_text:no next"]);

// Retry: next() may run several times; each run starts from the turn given.
let attempts = 0;
const retry = gp.middlewares.fromJS((turn, next) => {
  let r;
  for (let i = 0; i < 3; i++) { attempts++; r = next(turn); }
  return r;
});
s = gp.createSession({ engine, middlewares: [retry] });
assert.deepEqual(texts(s.run("r")), ["user:r", "llm_text:echo r"]);
assert.equal(attempts, 3);

// ctx: run fields and the tool-loop iteration.
let seen;
const ctxmw = gp.middlewares.fromJS((turn, next, ctx) => { seen = ctx; return next(turn); });
s = gp.createSession({ engine, middlewares: [ctxmw] });
const ctxOut = s.run("c", { tags: { k: "v" } });
assert.equal(seen.sessionId, s.id);
assert.equal(seen.inferenceId, ctxOut.metadata.inference_id);
assert.deepEqual(seen.tags, { k: "v" });
assert.equal(seen.iteration, 1);

// Throws: the Error's code when it names one, JS_EXCEPTION otherwise; the history is as
// before the run (the seed is not kept).
s = gp.createSession({ engine, middlewares: [gp.middlewares.fromJS(() => {
  throw Object.assign(new Error("quota exceeded"), { code: "PROVIDER_HTTP" });
})] });
let e = assert.throws(() => s.run("q"));
assert.equal(e.code, "PROVIDER_HTTP");
assert(e.message.includes("quota exceeded"), e.message);
assert.equal(s.turnCount(), 0);
s = gp.createSession({ engine, middlewares: [gp.middlewares.fromJS(() => { null.x; })] });
assert.equal(assert.throws(() => s.run("q")).code, "JS_EXCEPTION");

// An engine failure reaches next() as an Error with the partial turn; rethrown, it is
// the run's error and the run's partial turn has what the engine produced.
const failing = gp.engines.fromFunction((turn) => {
  turn.blocks.push(newAssistantBlock("half"));
  throw Object.assign(new Error("stream broke"), { code: "PROVIDER_STREAM" });
});
let caught;
s = gp.createSession({ engine: failing, middlewares: [gp.middlewares.fromJS((turn, next) => {
  try { return next(turn); } catch (err) { caught = err; throw err; }
})] });
e = assert.throws(() => s.run("q"));
assert.equal(caught.code, "PROVIDER_STREAM");
assert.equal(e.code, "PROVIDER_STREAM");
assert(e.partialTurn, "partialTurn on the run's error");
// A middleware may also recover from the failure and answer itself.
s = gp.createSession({ engine: failing, middlewares: [gp.middlewares.fromJS((turn, next) => {
  try { return next(turn); } catch (err) {
    return { blocks: err.partialTurn.blocks.concat([newAssistantBlock("recovered from " + err.code)]) };
  }
})] });
assert.deepEqual(texts(s.run("q")).slice(-1), ["llm_text:recovered from PROVIDER_STREAM"]);

// next() after the middleware returned, and a returned non-Turn.
let kept;
s = gp.createSession({ engine, middlewares: [gp.middlewares.fromJS((turn, next) => { kept = next; return next(turn); })] });
s.run("q");
assert.equal(assert.throws(() => kept()).code, "INVALID_ARGUMENT");
s = gp.createSession({ engine, middlewares: [gp.middlewares.fromJS(() => ({ blocks: [{ kind: "bogus" }] }))] });
assert(assert.throws(() => s.run("q")).message.includes("bogus"));

// Argument checking.
assert.throws(() => gp.middlewares.fromJS(42), TypeError);
assert.throws(() => gp.middlewares.fromJS(() => {}, 7), TypeError);
assert.throws(() => gp.createSession({ engine, middlewares: [42] }), TypeError);
assert.throws(() => gp.createSession({ engine, middlewares: "m" }), TypeError);
// A plain function in createSession's list is taken as fromJS(fn).
s = gp.createSession({ engine, middlewares: [(turn, next) => next(turn)] });
assert.deepEqual(texts(s.run("plain")), ["user:plain", "llm_text:echo plain"]);
