// timeout: 180
// One million timers all fire, once each, equal delays in creation order (the heap keys on
// (due time, creation sequence)); a timer list made this quadratic and never finished.
const N = 1000000;
const delays = [1, 5, 2, 0];
const last = [-1, -1, -1, -1]; // per delay class: the last index fired
let fired = 0;
let outOfOrder = 0;
for (let i = 0; i < N; i++) {
  const c = i % 4;
  setTimeout(() => {
    fired++;
    if (i <= last[c]) outOfOrder++;
    last[c] = i;
  }, delays[c]);
}
// 0 is 1 ms as in Node: classes 0 and 3 interleave in creation order
const seq = [];
setTimeout(() => seq.push("a1"), 1);
setTimeout(() => seq.push("b0"), 0);
setTimeout(() => seq.push("c1"), 1);
setTimeout(() => {
  assert.equal(fired, N, "every timer fired once");
  assert.equal(outOfOrder, 0, "equal delays fire in creation order");
  assert.deepEqual(seq, ["a1", "b0", "c1"]);
}, 20);
