// The store checks of fixtures/store_check.js (SPEC §4.12) on a real PostgreSQL server:
// GP_TEST_PG_URL (scripts/pg-test-cluster.sh start; .ci/run sets it). Without it the
// script exits 77 (ctest: Skipped), unless GP_TEST_REQUIRE_PG is set (CI): then it
// fails. Session ids carry a fresh uuid, so runs on a shared database never collide.
// expect-stdout: store_sessions_pg: ok
const gp = require("geppetto");
const check = require("./fixtures/store_check.js");
const url = process.env.GP_TEST_PG_URL;
if (!url) {
  if (process.env.GP_TEST_REQUIRE_PG) {
    console.error("GP_TEST_REQUIRE_PG is set but GP_TEST_PG_URL is not: start scripts/pg-test-cluster.sh");
    process.exit(1);
  }
  console.error("store_sessions_pg: skipped: GP_TEST_PG_URL is not set (scripts/pg-test-cluster.sh start)");
  process.exit(77);
} else {
  (async () => {
    const store = gp.stores.postgres(url, { leaseMs: 2000, connections: 2 });
    assert.equal(store.kind, "postgres");
    await check(store, `js-${crypto.randomUUID()}-`);
    console.log("store_sessions_pg: ok");
  })();
}
