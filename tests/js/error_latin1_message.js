// An error whose text came from invalid UTF-8 (a Latin-1 module source) keeps its message,
// with U+FFFD for the bad byte, and the uncaught report prints it (not a bare "Error").
// U+FFFD is matched as non-ASCII bytes: ctest reads these lines as ASCII.
// expect-exit: 1
// expect-stderr: Uncaught: Error: caf[^ -~]+ au lait
require("./fixtures/latin1_throw.js");
