#!/usr/bin/env bash
# `geppetto chat --tools FILE.js`: the tools of a module exporting a registry (CommonJS
# `module.exports`, or an ES module's `export default`) are offered to the model, which
# calls one; the answer uses the tool's result. A module exporting no registry is an
# error naming the file.
#   tests/chat/chat_tools.sh GEPPETTO   (run under tools/mock/with-mock.sh ... chat_tools.json)
GEPPETTO="$1"
. "$(dirname "$0")/lib.sh"
cat >"$work/shop.js" <<'JS'
const gp = require("geppetto");
module.exports = gp.tools.createRegistry().register({
  name: "stock", description: "Counts items in the shop",
  parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
  handler: ({ item }) => `42 ${item} in the shop`,
});
JS
cat >"$work/shop.mjs" <<'JS'
import gp from "geppetto";
export default gp.tools.createRegistry().register({
  name: "stock", description: "Counts items in the shop",
  handler: async ({ item }) => `42 ${item} in the shop`,
});
JS
for file in shop.js shop.mjs; do
  printf 'what is the stock of apples?\n' |
    "$GEPPETTO" chat --profiles "$profiles" --tools "$work/$file" >"$work/out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || fail "$file: exit status $rc"
  has "Let me count."
  has "There are 42 apples."
done
echo 'module.exports = { nothing: 1 };' >"$work/none.js"
printf 'hi\n' | "$GEPPETTO" chat --profiles "$profiles" --tools "$work/none.js" >"$work/out" 2>&1
[ $? -eq 1 ] || fail "a module without a registry was accepted"
has "--tools $work/none.js: the module must export a registry"
echo "chat_tools: ok"
