// Lets the conformance suite (@modelcontextprotocol/conformance 0.1.16, written for
// Node.js 22) run on the Node.js 20 of Debian: `node --import THIS_FILE ...`. Its one
// Node.js 22 need is the import of fs.globSync (used only when it summarises a folder of
// results); this hook gives `import ... from "fs"` a globSync that says so when called.
import { register } from "node:module";

const hooks = `
export async function resolve(spec, ctx, next) {
  if (spec === "fs") return { url: "gp-shim:fs", shortCircuit: true };
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (url !== "gp-shim:fs") return next(url, ctx);
  return { format: "module", shortCircuit: true, source:
    'import fs from "node:fs"; export * from "node:fs"; export default fs;' +
    'export const globSync = fs.globSync || (() => { throw new Error("fs.globSync needs Node.js 22"); });' };
}`;
register("data:text/javascript," + encodeURIComponent(hooks));
