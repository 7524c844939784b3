// A syntax error in an imported module prints FILE:LINE:COLUMN, the line, a caret, then
// the message.
import "./fixtures/esm_errors/syntax.mjs";
// expect-exit: 1
// expect-stderr: ^[^ ]*/fixtures/esm_errors/syntax\.mjs:3:8.  q \+\+ \+\+..       \^.Uncaught: SyntaxError: Unexpected token '\+\+'
