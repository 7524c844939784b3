// A value with a lone surrogate (text sliced through an emoji) crosses into C with U+FFFD
// in its place, as Node's UTF-8 encoding does, instead of throwing "invalid Unicode".
const gp = require("geppetto");
const emoji = "😀";
const b = gp.turns.newUserBlock("a" + emoji.slice(0, 1) + " b" + emoji + emoji.slice(1));
assert.equal(b.payload.text, "a\uFFFD b" + emoji + "\uFFFD");
const t = gp.turns.appendBlock(gp.turns.newTurn(), b);
assert.equal(gp.turns.normalize(t).blocks[0].payload.text, "a\uFFFD b" + emoji + "\uFFFD");
const k = gp.turns.newUserBlock("x");
k.metadata = { ["key" + emoji.slice(1)]: "\\ud83d is text, not an escape" };
const n = gp.turns.normalize(gp.turns.appendBlock(gp.turns.newTurn(), k));
assert.deepEqual(n.blocks[0].metadata, { "key\uFFFD": "\\ud83d is text, not an escape" });
