// process.stdout.write / process.stderr.write print their text as is, without a newline.
// expect-stdout: ^ab1c
process.stdout.write("a");
process.stdout.write("b");
assert.equal(process.stdout.write(1), true);
console.log("c");
process.stderr.write("to stderr");
