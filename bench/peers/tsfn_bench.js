// Drives bench/peers/tsfn_addon: the napi_threadsafe_function round trip from 1, 4 and
// 16 native threads to the JavaScript thread. One JSON line per thread count.
// Usage: node tsfn_bench.js ADDON.node [ITERATIONS_TOTAL]
'use strict';
const addon = require(process.argv[2]);
const total = Number(process.argv[3] || 100000);

(async () => {
  await addon.run(1, 20000); // warm up
  for (const threads of [1, 4, 16]) {
    const r = await addon.run(threads, Math.floor(total / threads));
    console.log(JSON.stringify({ threads, p50_us: r.p50_us, p99_us: r.p99_us, p999_us: r.p999_us }));
  }
})();
