// A script that never touches stdin exits at once, though stdin is a pipe that stays
// open (as in Node): stdin is not even opened.
// stdin-open: -
// timeout: 20
setTimeout(() => console.log("done"), 10);
