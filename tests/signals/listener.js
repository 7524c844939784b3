// SIGINT and SIGTERM listeners replace the default action: each signal reaches them.
let n = 0;
const tick = setInterval(() => {}, 1000);
process.on("SIGINT", (name) => console.log("got", name, ++n));
process.once("SIGTERM", (name) => {
  console.log("got", name);
  clearInterval(tick); // nothing left: the script ends by itself, status 0
});
process.on("exit", (code) => console.log("exit", code));
console.log("READY");
