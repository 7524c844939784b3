// A string cut through a surrogate pair prints U+FFFD for the lone half and the rest of
// the line (console.log, process.stdout.write, process.stderr.write), as Node does.
// expect-stdout: ^a[^ -~]+ b.after.w[^ -~]+ z.done
// expect-stderr: e[^ -~]+ f
const emoji = "😀";
console.log("a" + emoji.slice(0, 1) + " b");
console.log("after");
process.stdout.write("w" + emoji.slice(1) + " z\n");
process.stderr.write("e\uD83D f\n");
console.log("done");
