// An unhandled rejection prints message and stack and exits 1; handled ones don't.
// expect-exit: 1
// expect-stderr: Unhandled rejection: Error: nobody catches me
const handled = Promise.reject(new Error("handled"));
handled.catch(() => {});
setTimeout(() => { Promise.reject(new Error("nobody catches me")); }, 10);
setTimeout(() => console.log("never"), 300);
