// console.log/info/debug write stdout, warn/error stderr, with Node-like formatting.
// expect-stdout: log 1 \{ a: 1, b: \[ 2, 'x' \] \}.info str 42.debug null undefined.fmt 7 s
// expect-stderr: warn true.error Error: boom
console.log("log", 1, { a: 1, b: [2, "x"] });
console.info("info", "str", 42);
console.debug("debug", null, undefined);
console.log("fmt %d %s", 7, "s");
console.warn("warn", true);
console.error("error", new Error("boom"));
