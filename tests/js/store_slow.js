// A slow database blocks neither the script's thread nor other sessions (SPEC §4.12):
// every job of the SQLite store here waits 300 ms on its worker (the test-only
// GP_STORE_TEST_DELAY_MS=300:sqlite of src/store/store.c, as a slow server would). While
// four sessions of that store load, lease and commit their runs (seconds in all, queued
// on the store's one worker), a 10 ms timer keeps firing without a long gap, and a
// session of another store (memory) makes its ten runs, all finished before the first
// slow run ends.
// env: GP_STORE_TEST_DELAY_MS=300:sqlite
// timeout: 60
// expect-stdout: store_slow: ok
const gp = require("geppetto");
const slowStore = gp.stores.sqlite(":memory:");
const fastStore = gp.stores.memory();
const gapLimit = process.env.GP_TEST_SANITIZER ? 600 : 150;

const tickTimes = [performance.now()];
const timer = setInterval(() => tickTimes.push(performance.now()), 10);

(async () => {
  const t0 = performance.now();
  const slow = [1, 2, 3, 4].map((i) => gp.createSession({ engine: gp.engines.echo(), store: slowStore, id: "slow" + i }));
  const listed = slowStore.list();
  const created = performance.now() - t0;
  assert.ok(created < 250, `creating sessions of the slow store took ${created} ms on the script's thread`);
  const slowEnds = slow.map((s) => s.runAsync("slow").then(() => performance.now()));

  const fast = gp.createSession({ engine: gp.engines.echo(), store: fastStore, id: "fast" });
  for (let i = 0; i < 10; i++) await fast.runAsync("fast " + i);
  const fastDone = performance.now();
  assert.equal(fast.turnCount(), 10);
  assert.equal((await fastStore.load("fast")).length, 10);

  const ends = await Promise.all(slowEnds);
  assert.ok(Array.isArray(await listed), "a list on the slow store resolves too");
  const first = Math.min(...ends);
  assert.ok(fastDone < first, `the other store's runs ended at ${fastDone - t0} ms, after a slow run (${first - t0} ms)`);
  assert.ok(first - t0 >= 600, `the slow store was not slow (${first - t0} ms): is the delay read?`);
  for (const s of slow) assert.equal(s.turnCount(), 1);
  clearInterval(timer);
  const ticks = tickTimes.length - 1;
  const maxGap = Math.max(...tickTimes.slice(1).map((t, i) => t - tickTimes[i]));
  const total = Math.max(...ends) - t0;
  assert.ok(maxGap < gapLimit, `the timer stalled ${maxGap} ms while the store was slow`);
  assert.ok(ticks >= total / 10 / 4, `${ticks} ticks in ${total} ms`);
  await slowStore.close();
  console.log(`store_slow: ok (slow runs ${Math.round(first - t0)}-${Math.round(total)} ms, other store's 10 runs ${Math.round(fastDone - t0)} ms, ${ticks} ticks, longest gap ${Math.round(maxGap)} ms)`);
})();
