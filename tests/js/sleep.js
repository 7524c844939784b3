// sleep(ms) returns a Promise that resolves after about ms milliseconds; async/await works.
(async () => {
  const t0 = Date.now();
  const v = await sleep(50);
  const dt = Date.now() - t0;
  assert.equal(v, undefined);
  assert(dt >= 45, "slept " + dt + " ms");
  assert(sleep(1) instanceof Promise);
  class A { async twice(x) { await sleep(1); return 2 * x; } }
  assert.equal(await new A().twice(21), 42);
  globalThis.done = true;
  clearTimeout(guard);
})();
const guard = setTimeout(() => assert.fail("did not finish in time"), 20000);
