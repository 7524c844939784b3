// process.cpuUsage / resourceUsage / memoryUsage and performance.now, as in Node.
const c0 = process.cpuUsage();
assert(Number.isFinite(c0.user) && Number.isFinite(c0.system) && c0.user >= 0 && c0.system >= 0);
const t0 = performance.now();
let x = 0;
// Busy work until the process has used 20 ms of CPU by its own count: on a loaded machine
// that takes longer than 20 ms of wall time, but a cpuUsage that does not grow never
// gets there (the 10 s limit fails the test).
let d;
do {
  for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + 1);
  d = process.cpuUsage(c0);
} while (d.user + d.system < 20000 && performance.now() - t0 < 10000);
assert(d.user + d.system >= 20000, "busy work shows as CPU: " + JSON.stringify(d));
while (performance.now() - t0 < 30) x += Math.sqrt(x + 1);
assert(d.user + d.system < 60e6, "a delta, not a total: " + JSON.stringify(d));
const t1 = performance.now();
assert(t1 >= t0 + 30 && t1 < t0 + 60000, "performance.now is monotonic milliseconds");
assert(Math.abs(performance.timeOrigin + t1 - Date.now()) < 1000, "timeOrigin + now() is about Date.now()");
const rss = process.memoryUsage().rss; // before the peak is read: the peak includes it
const ru = process.resourceUsage();
assert(ru.maxRSS > 1024 && ru.maxRSS < 64 * 1024 * 1024, "maxRSS in KiB: " + ru.maxRSS);
assert(ru.userCPUTime >= d.user, "resourceUsage CPU covers the delta");
// The kernel's RSS counters are cached per thread, so the two may differ by some pages.
assert(rss > 1024 * 1024 && rss <= ru.maxRSS * 1024 + 8 * 1024 * 1024,
       "rss in bytes, about the peak or below: " + rss + " vs " + ru.maxRSS * 1024);
console.log("ok", x > 0);
