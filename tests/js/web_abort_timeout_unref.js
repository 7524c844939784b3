// A timeout signal does not keep the process alive (as in Node and Deno): a script whose
// only pending work is AbortSignal.timeout(60000), even with a listener on it and on an
// any() of it, ends at once (well under this test's timeout), with status 0 and without
// the listeners running (they would set the status to 3).
// expect-exit: 0
// expect-stdout: ^web_abort_timeout_unref: started
// timeout: 20
const s = AbortSignal.timeout(60000);
s.addEventListener("abort", () => { console.log("abort fired"); process.exitCode = 3; });
AbortSignal.any([s]).addEventListener("abort", () => { console.log("any() fired"); process.exitCode = 3; });
console.log("web_abort_timeout_unref: started");
