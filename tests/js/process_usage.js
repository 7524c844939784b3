// process.cpuUsage / resourceUsage / memoryUsage and performance.now, as in Node.
const c0 = process.cpuUsage();
assert(Number.isFinite(c0.user) && Number.isFinite(c0.system) && c0.user >= 0 && c0.system >= 0);
const t0 = performance.now();
let x = 0;
while (performance.now() - t0 < 30) x += Math.sqrt(x + 1); // 30 ms of work on this thread
const d = process.cpuUsage(c0);
assert(d.user + d.system >= 10000, "30 ms of busy work shows as CPU: " + JSON.stringify(d));
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
