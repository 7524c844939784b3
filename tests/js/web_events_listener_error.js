// A listener that throws does not stop the dispatch: the listeners after it run, the
// exception is reported on stderr as an uncaught one, and the process ends with status
// 1 (as Node does after an uncaught error; geppetto keeps running the script first).
// expect-exit: 1
// expect-stdout: web_events_listener_error: after
// expect-stderr: Uncaught.*listener broke.*web_events_listener_error.js
// timeout: 20
const t = new EventTarget();
const order = [];
t.addEventListener("x", () => order.push(1));
t.addEventListener("x", () => { order.push(2); throw new Error("listener broke"); });
t.addEventListener("x", () => order.push(3));
const ok = t.dispatchEvent(new Event("x"));
assert.equal(ok, true, "dispatchEvent returns normally");
assert.equal(order.join(","), "1,2,3", "the listeners after the throwing one run");
assert.equal(process.exitCode, 1, "the exit code is set to 1");
// the script goes on after the reported error
setTimeout(() => console.log("web_events_listener_error: after"), 5);
