// Node's `path` module, POSIX flavour (SPEC §3.2): join, resolve (against
// process.cwd()), normalize, isAbsolute, relative, dirname, basename, extname, parse,
// format, sep, delimiter, posix (the module itself). There is no `win32`: geppetto runs
// on POSIX systems only. Results match Node's for the same inputs (trailing slashes,
// "..", empty strings, dotfiles), as tests/js/node_path.js checks.
(function (host, lib, g) {
  "use strict";
  const { argType, validateString } = lib("node/internal_errors");

  // The segments of `path` with "." dropped and ".." applied, joined by "/"; a ".." that
  // climbs above the start is kept when allowAboveRoot (relative paths), else dropped.
  function normalizeSegments(path, allowAboveRoot) {
    const out = [];
    for (const seg of path.split("/")) {
      if (seg === "" || seg === ".") continue;
      if (seg === "..") {
        if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
        else if (allowAboveRoot) out.push("..");
      } else {
        out.push(seg);
      }
    }
    return out.join("/");
  }

  function normalize(path) {
    validateString(path, "path");
    if (path === "") return ".";
    const abs = path[0] === "/";
    const trailing = path[path.length - 1] === "/";
    let s = normalizeSegments(path, !abs);
    if (s === "" && !abs) s = ".";
    if (s !== "" && trailing) s += "/";
    return abs ? "/" + s : s;
  }

  function isAbsolute(path) {
    validateString(path, "path");
    return path.length > 0 && path[0] === "/";
  }

  function join(...paths) {
    const parts = [];
    for (const p of paths) {
      validateString(p, "path");
      if (p.length > 0) parts.push(p);
    }
    return parts.length === 0 ? "." : normalize(parts.join("/"));
  }

  // Right to left until an absolute path is formed, then the working directory.
  function resolve(...paths) {
    let resolved = "";
    let abs = false;
    for (let i = paths.length - 1; i >= -1 && !abs; i--) {
      const p = i >= 0 ? paths[i] : g.process.cwd();
      if (i >= 0) validateString(p, `paths[${i}]`);
      if (p.length === 0) continue;
      resolved = p + "/" + resolved;
      abs = p[0] === "/";
    }
    const s = normalizeSegments(resolved, !abs);
    return abs ? "/" + s : s || ".";
  }

  function relative(from, to) {
    validateString(from, "from");
    validateString(to, "to");
    if (from === to) return "";
    const a = resolve(from).split("/").filter(Boolean);
    const b = resolve(to).split("/").filter(Boolean);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    const up = new Array(a.length - common).fill("..");
    return up.concat(b.slice(common)).join("/");
  }

  // Everything before the last segment (trailing slashes ignored); "." when there is
  // none, "/" for a segment right under the root ("//" for "//x", as Node does).
  function dirname(path) {
    validateString(path, "path");
    if (path.length === 0) return ".";
    const hasRoot = path[0] === "/";
    let end = -1;
    let inTrailingSlashes = true;
    for (let i = path.length - 1; i >= 1; i--) {
      if (path[i] === "/") {
        if (!inTrailingSlashes) { end = i; break; }
      } else {
        inTrailingSlashes = false;
      }
    }
    if (end === -1) return hasRoot ? "/" : ".";
    if (hasRoot && end === 1) return "//";
    return path.slice(0, end);
  }

  // The end (exclusive) of the last segment, trailing slashes ignored; 0 when the path
  // has only slashes (or nothing).
  function lastSegmentEnd(path) {
    let end = path.length;
    while (end > 0 && path[end - 1] === "/") end--;
    return end;
  }

  function basename(path, suffix) {
    if (suffix !== undefined) validateString(suffix, "ext");
    validateString(path, "path");
    const end = lastSegmentEnd(path);
    const base = path.slice(path.lastIndexOf("/", end - 1) + 1, end);
    if (suffix === undefined || suffix.length === 0 || suffix.length > path.length) return base;
    if (suffix === path) return "";
    return base !== suffix && base.endsWith(suffix) ? base.slice(0, base.length - suffix.length) : base;
  }

  // The extension of a last segment: from its last "." on, except for a leading dot
  // (".bashrc") and "..".
  function extOf(base) {
    const dot = base.lastIndexOf(".");
    if (dot <= 0 || base === "..") return "";
    return base.slice(dot);
  }

  function extname(path) {
    validateString(path, "path");
    const end = lastSegmentEnd(path);
    return extOf(path.slice(path.lastIndexOf("/", end - 1) + 1, end));
  }

  function parse(path) {
    validateString(path, "path");
    const root = path[0] === "/" ? "/" : "";
    const out = { root, dir: root, base: "", ext: "", name: "" };
    const end = lastSegmentEnd(path);
    if (end === 0) return out;
    const slash = path.lastIndexOf("/", end - 1);
    out.base = path.slice(slash + 1, end);
    out.ext = extOf(out.base);
    out.name = out.base.slice(0, out.base.length - out.ext.length);
    if (slash > 0) out.dir = path.slice(0, slash);
    return out;
  }

  function format(pathObject) {
    if (pathObject === null || typeof pathObject !== "object")
      throw argType("pathObject", "of type object", pathObject);
    const dir = pathObject.dir || pathObject.root;
    let ext = pathObject.ext || "";
    if (ext && ext[0] !== ".") ext = "." + ext;
    const base = pathObject.base || (pathObject.name || "") + ext;
    if (!dir) return base;
    return dir === pathObject.root ? dir + base : dir + "/" + base;
  }

  const path = {
    sep: "/", delimiter: ":",
    normalize, isAbsolute, join, resolve, relative, dirname, basename, extname, parse, format,
    toNamespacedPath: (p) => p,
  };
  path.posix = path;
  return path;
})
