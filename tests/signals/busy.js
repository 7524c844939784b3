// Work that never ends: a timer (or, with "spin", a loop that never yields).
console.log("READY");
if (process.argv[2] === "spin") for (;;) {}
setInterval(() => {}, 1000);
