// Paused mode: "readable" then read() gives what is buffered; read() at the end gives
// null and "end" follows.
// stdin: fixtures/stdin_answers.txt
let got = "";
process.stdin.setEncoding("utf8");
process.stdin.on("readable", () => {
  let c;
  while ((c = process.stdin.read()) !== null) got += c;
});
process.stdin.on("end", () => {
  assert.equal(got, "Ann\nblue\n42\nyes\nthe end\n");
  console.log("ok");
});
