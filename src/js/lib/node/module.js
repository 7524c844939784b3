// Node's `module` module: createRequire (packages call createRequire(import.meta.url)
// to require from an ES module), builtinModules (the Node modules geppetto provides)
// and isBuiltin. The require functions come from the module system (modules.js sets
// host.createRequire and host.builtinModules).
(function (host, lib, g) {
  "use strict";
  const builtinModules = Object.freeze(host.builtinModules());
  function invalidFilename(from) {
    const e = new TypeError("The argument 'filename' must be a file URL object, file URL string, or " +
                            `absolute path string. Received ${lib("node/util").inspect(from)}`);
    e.code = "ERR_INVALID_ARG_VALUE";
    return e;
  }
  function createRequire(from) {
    let f = from instanceof g.URL ? from.href : from;
    if (typeof f !== "string") throw invalidFilename(from);
    if (f.startsWith("file:")) f = lib("node/url").fileURLToPath(f);
    else if (!f.startsWith("/")) throw invalidFilename(from);
    // a folder (trailing slash) requires as a file inside it would
    return host.createRequire(f.endsWith("/") ? f + "[eval]" : f);
  }
  function isBuiltin(id) {
    if (typeof id !== "string") return false;
    return builtinModules.includes(id.startsWith("node:") ? id.slice(5) : id);
  }
  return { createRequire, builtinModules, isBuiltin };
})
