// import(spec) in a CommonJS script (no static import here): a Promise of the
// namespace, for ES modules, CommonJS, JSON, built-ins and packages; rejections for a
// missing module; `import` as a property or method name is left alone.
const obj = { import: 1, import2() {} };
obj.import += 1;
class K { import(x) { return x * 2; } static import(x) { return x; } }
(async () => {
  assert.equal(obj.import, 2);
  assert.equal(new K().import(2), 4);
  assert.equal(K.import(3), 3);
  const dep = await import("./fixtures/esm/dep.mjs");
  assert.equal(dep.default, "dep-default");
  assert.equal(dep.named, "dep-named");
  assert.equal(await import("./fixtures/esm/dep.mjs"), dep, "the same namespace");
  const cjs = await import("./fixtures/esm/cjs.cjs");
  assert.equal(cjs.default, require("./fixtures/esm/cjs.cjs"));
  assert.equal(cjs.a, 1);
  const data = await import("./fixtures/esm/json_data.json");
  assert.equal(data.default.answer, 42);
  const timers = await import("node:timers");
  assert.equal(timers.setTimeout, require("timers").setTimeout);
  const spec = "./fixtures/esm/" + "star.mjs";
  assert.equal((await import(spec)).s1, "s1", "a computed specifier");
  const fromCjs = await require("./fixtures/esm/uses_dyn.cjs")();
  assert.equal(fromCjs.named, "dep-named", "import() inside a required CommonJS module");
  const p = import("./fixtures/esm/nope.mjs");
  assert(p instanceof Promise);
  await assert.rejects(p, { code: "MODULE_NOT_FOUND" });
  console.log("esm_dynamic ok");
})().catch((e) => { console.error(e.stack || e); process.exit(1); });
