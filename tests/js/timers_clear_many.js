// 200k timeouts then clearTimeout of every one (in a shuffled order): none fires, the
// process ends, and timers set afterwards still fire in order (O(log n) each: a timer
// list made this quadratic).
const N = 200000;
const ids = [];
let fired = 0;
for (let i = 0; i < N; i++) ids.push(setTimeout(() => { fired++; }, 1 + (i % 5)));
assert.equal(new Set(ids).size, N, "distinct ids");
let x = 12345; // a fixed pseudo-random shuffle
for (let i = N - 1; i > 0; i--) {
  x = (x * 1103515245 + 12345) % 2147483648;
  const j = x % (i + 1);
  [ids[i], ids[j]] = [ids[j], ids[i]];
}
for (let i = 0; i < N; i += 2) clearTimeout(ids[i]);
for (let i = 1; i < N; i += 2) clearInterval(ids[i]); // the same id space, as in Node
for (const id of ids) clearTimeout(id); // already cleared: no-op
const seq = [];
setTimeout(() => seq.push(2), 2);
setTimeout(() => seq.push(1), 1);
setTimeout(() => {
  assert.equal(fired, 0, "no cleared timer fired");
  assert.deepEqual(seq, [1, 2]);
}, 30);
