// setTimeout/clearTimeout/setInterval/clearInterval: order, arguments, clearing.
const seen = [];
setTimeout(() => seen.push("t30"), 30);
setTimeout((a, b) => seen.push("t10:" + a + b), 10, "x", "y");
const cleared = setTimeout(() => seen.push("cleared"), 5);
clearTimeout(cleared);
clearTimeout(12345); // unknown id: no-op
let ticks = 0;
const iv = setInterval(() => {
  ticks++;
  if (ticks === 3) clearInterval(iv);
}, 5);
setTimeout(() => {
  assert.deepEqual(seen, ["t10:xy", "t30"]);
  assert.equal(ticks, 3, "interval ran 3 times then stopped");
  assert.throws(() => setTimeout(42), { code: "INVALID_ARGUMENT" });
}, 80);
