// queueMicrotask and promise reactions run before the next timer.
const order = [];
setTimeout(() => order.push("timeout"), 0);
queueMicrotask(() => order.push("micro1"));
Promise.resolve().then(() => order.push("promise"));
queueMicrotask(() => order.push("micro2"));
order.push("sync");
setTimeout(() => {
  assert.deepEqual(order, ["sync", "micro1", "promise", "micro2", "timeout"]);
}, 20);
