// Delays are clamped as in Node: over 2^31-1 ms (with a TimeoutOverflowWarning on stderr),
// negative, zero, NaN or not a number all become 1 ms, so those timers fire in creation
// order with a plain 1 ms timer, and long before a 50 ms one.
// expect-stderr: TimeoutOverflowWarning: 2147483648 does not fit into a 32-bit signed integer..Timeout duration was set to 1.*TimeoutOverflowWarning: Infinity does not fit
const seq = [];
setTimeout(() => seq.push("late"), 50);
setTimeout(() => seq.push("over"), 2147483648);
setTimeout(() => seq.push("one"), 1);
setTimeout(() => seq.push("neg"), -5);
setTimeout(() => seq.push("zero"), 0);
setTimeout(() => seq.push("nan"), NaN);
setTimeout(() => seq.push("str"), "soon");
setTimeout(() => seq.push("none"));
setTimeout(() => seq.push("inf"), Infinity);
setTimeout(() => seq.push("max"), 2147483647); // in range: not clamped
let ticks = 0;
const iv = setInterval(() => { if (++ticks === 3) clearInterval(iv); }, 2 ** 40); // 1 ms too
setTimeout(() => {
  assert.deepEqual(seq, ["over", "one", "neg", "zero", "nan", "str", "none", "inf", "late"]);
  assert.equal(ticks, 3, "a clamped interval repeats every 1 ms");
  process.exit(0); // the 2^31-1 ms timer would keep the process alive
}, 100);
