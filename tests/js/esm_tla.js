// Top-level await in the main script: the body waits; what follows runs in order;
// `for await` at top level too.
import { setTimeout as delay } from "timers/promises";
const order = [];
order.push(1);
await delay(5);
order.push(2);
for await (const x of (async function* () { yield 3; yield 4; })()) order.push(x);
const v = await Promise.resolve("value");
assert.deepEqual(order, [1, 2, 3, 4]);
assert.equal(v, "value");
setTimeout(() => console.log("esm_tla ok"), 1);
