// Node's `url` module (SPEC §3.2): the WHATWG URL classes, fileURLToPath and
// pathToFileURL, domainToASCII, and `format` of a URL. The legacy url.parse() is not
// provided (new URL() replaces it).
(function (host, lib, g) {
  "use strict";
  function err(Type, code, message) {
    const e = new Type(message);
    e.code = code;
    return e;
  }
  function fileURLToPath(input) {
    let u = input;
    if (typeof input === "string") u = new g.URL(input);
    else if (!(input instanceof g.URL))
      throw err(TypeError, "ERR_INVALID_ARG_TYPE", 'The "path" argument must be of type string or an instance of URL');
    if (u.protocol !== "file:") throw err(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
    if (u.hostname !== "" && u.hostname !== "localhost")
      throw err(TypeError, "ERR_INVALID_FILE_URL_HOST", 'File URL host must be "localhost" or empty on linux');
    const p = u.pathname;
    if (/%2f/i.test(p)) throw err(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
    return decodeURIComponent(p);
  }
  function resolvePath(p) {
    const abs = p.startsWith("/") ? p : g.process.cwd() + "/" + p;
    const out = [];
    for (const part of abs.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") out.pop(); else out.push(part);
    }
    let r = "/" + out.join("/");
    if ((p.endsWith("/") || p.endsWith("/.") || p.endsWith("/..") || p === "." || p === "..") && r !== "/") r += "/";
    return r;
  }
  function pathToFileURL(path) {
    if (typeof path !== "string")
      throw err(TypeError, "ERR_INVALID_ARG_TYPE", 'The "path" argument must be of type string');
    const u = new g.URL("file://");
    u.pathname = resolvePath(path).replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A")
      .replace(/\r/g, "%0D").replace(/\t/g, "%09").replace(/\?/g, "%3F").replace(/#/g, "%23");
    return u;
  }
  function domainToASCII(domain) {
    try { return new g.URL("http://" + domain).hostname; } catch { return ""; }
  }
  // format(URL, {auth, fragment, search, unicode}) of the WHATWG form.
  function format(u, options) {
    if (typeof u === "string") u = new g.URL(u);
    if (!(u instanceof g.URL)) throw err(TypeError, "ERR_INVALID_ARG_TYPE", "url.format() here takes a URL or a string (the legacy object form is not provided)");
    const o = Object.assign({ auth: true, fragment: true, search: true }, options);
    const c = new g.URL(u.href);
    if (!o.auth) { c.username = ""; c.password = ""; }
    if (!o.fragment) c.hash = "";
    if (!o.search) c.search = "";
    return c.href;
  }
  return {
    get URL() { return g.URL; },
    get URLSearchParams() { return g.URLSearchParams; },
    fileURLToPath, pathToFileURL, domainToASCII, format,
  };
})
