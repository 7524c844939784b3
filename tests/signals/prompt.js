// A question waiting for input that never comes.
const rl = require("readline/promises").createInterface({ input: process.stdin });
console.log("READY");
rl.question("name? ").then((a) => console.log("answer", a), (e) => console.log("question", e.name));
