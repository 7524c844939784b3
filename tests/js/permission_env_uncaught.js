// flags: --permission
// expect-exit: 1
// expect-stderr: Access to environment variable HOME denied: it needs --allow-env
// A denial nobody catches is an uncaught exception: exit 1, the message on stderr.
console.log(process.env.HOME);
