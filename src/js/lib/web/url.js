// `URL` (SPEC §3.1): the WHATWG URL Standard's basic URL parser (its state machine,
// with the state overrides the setters use), URL serialization, origins, and the URL
// class whose `searchParams` is bound both ways to its query. Hosts are parsed by
// url_host.js, percent-encoding is url_encoding.js, URLSearchParams is url_params.js.
(function (host, lib, g) {
  "use strict";
  const { sets, encode, usv } = lib("url_encoding");
  const { parseHost } = lib("url_host");
  const params = lib("url_params");

  const specialPorts = new Map([["ftp", 21], ["file", null], ["http", 80], ["https", 443], ["ws", 80], ["wss", 443]]);
  const isSpecial = (scheme) => specialPorts.has(scheme);
  const defaultPort = (scheme) => (specialPorts.has(scheme) ? specialPorts.get(scheme) : null);

  // The parser's states; an override state is given by the setters.
  const SCHEME_START = 1, SCHEME = 2, NO_SCHEME = 3, SPECIAL_RELATIVE_OR_AUTHORITY = 4,
    PATH_OR_AUTHORITY = 5, RELATIVE = 6, RELATIVE_SLASH = 7, SPECIAL_AUTHORITY_SLASHES = 8,
    SPECIAL_AUTHORITY_IGNORE_SLASHES = 9, AUTHORITY = 10, HOST = 11, HOSTNAME = 12, PORT = 13,
    FILE = 14, FILE_SLASH = 15, FILE_HOST = 16, PATH_START = 17, PATH = 18, OPAQUE_PATH = 19,
    QUERY = 20, FRAGMENT = 21;

  // A URL record. `host` is a serialized host, "" (empty host) or null; `port` a number
  // or null; `path` an array of segments, or a string for an opaque path.
  function newRecord() {
    return { scheme: "", username: "", password: "", host: null, port: null, path: [], query: null, fragment: null };
  }
  const hasOpaquePath = (u) => typeof u.path === "string";
  const hasCredentials = (u) => u.username !== "" || u.password !== "";
  const cannotHaveCredentialsOrPort = (u) => u.host === null || u.host === "" || u.scheme === "file";

  const alpha = (c) => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
  const isDriveLetter = (s) => s.length === 2 && alpha(s[0]) && (s[1] === ":" || s[1] === "|");
  const isNormalizedDrive = (s) => s.length === 2 && alpha(s[0]) && s[1] === ":";
  function startsWithDriveLetter(s, p) {
    if (s.length - p < 2 || !alpha(s[p]) || (s[p + 1] !== ":" && s[p + 1] !== "|")) return false;
    return s.length - p === 2 || "/\\?#".includes(s[p + 2]);
  }
  function isSingleDot(s) { return s === "." || (s.length === 3 && s.toLowerCase() === "%2e"); }
  function isDoubleDot(s) {
    if (s === "..") return true;
    const l = s.toLowerCase();
    return l === ".%2e" || l === "%2e." || l === "%2e%2e";
  }
  function shorten(u) {
    if (u.scheme === "file" && u.path.length === 1 && isNormalizedDrive(u.path[0])) return;
    u.path.pop();
  }
  function copyAuthority(u, base) {
    u.username = base.username; u.password = base.password; u.host = base.host; u.port = base.port;
  }

  // The basic URL parser. Without `url` it parses `input` (against `base`, a record or
  // null) into a new record; with `url` and `override` it changes `url` in place as a
  // setter does. Returns the record, or null on failure.
  // One switch over the standard's states, in its order, so that it can be read next to
  // the standard. `p` indexes UTF-16 code units; runs of characters that a state only
  // copies (path segments, query, fragment, opaque path) are percent-encoded at once.
  function parse(input, base, url, override) {
    if (url === undefined) {
      url = newRecord();
      input = input.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "");
    }
    input = input.replace(/[\t\n\r]/g, "");
    const len = input.length;
    let state = override || SCHEME_START;
    let buffer = "", atSeen = false, inBrackets = false, passwordSeen = false;
    for (let p = 0; ; p++) {
      const c = input[p]; // undefined is the end of input
      const special = isSpecial(url.scheme);
      switch (state) {
        case SCHEME_START:
          if (alpha(c)) { buffer += c.toLowerCase(); state = SCHEME; }
          else if (!override) { state = NO_SCHEME; p--; }
          else return null;
          break;
        case SCHEME:
          if (c !== undefined && /[A-Za-z0-9+\-.]/.test(c)) buffer += c.toLowerCase();
          else if (c === ":") {
            if (override) {
              if (isSpecial(buffer) !== special) return url;
              if ((hasCredentials(url) || url.port !== null) && buffer === "file") return url;
              if (url.scheme === "file" && url.host === "") return url;
            }
            url.scheme = buffer;
            if (override) {
              if (url.port === defaultPort(url.scheme)) url.port = null;
              return url;
            }
            buffer = "";
            if (url.scheme === "file") state = FILE;
            else if (isSpecial(url.scheme) && base !== null && base.scheme === url.scheme) state = SPECIAL_RELATIVE_OR_AUTHORITY;
            else if (isSpecial(url.scheme)) state = SPECIAL_AUTHORITY_SLASHES;
            else if (input[p + 1] === "/") { state = PATH_OR_AUTHORITY; p++; }
            else { url.path = ""; state = OPAQUE_PATH; }
          } else if (!override) { buffer = ""; state = NO_SCHEME; p = -1; }
          else return null;
          break;
        case NO_SCHEME:
          if (base === null || (hasOpaquePath(base) && c !== "#")) return null;
          if (hasOpaquePath(base)) {
            url.scheme = base.scheme; url.path = base.path; url.query = base.query; url.fragment = "";
            state = FRAGMENT;
          } else if (base.scheme !== "file") { state = RELATIVE; p--; }
          else { state = FILE; p--; }
          break;
        case SPECIAL_RELATIVE_OR_AUTHORITY:
          if (c === "/" && input[p + 1] === "/") { state = SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
          else { state = RELATIVE; p--; }
          break;
        case PATH_OR_AUTHORITY:
          if (c === "/") state = AUTHORITY;
          else { state = PATH; p--; }
          break;
        case RELATIVE:
          url.scheme = base.scheme;
          if (c === "/" || (isSpecial(url.scheme) && c === "\\")) state = RELATIVE_SLASH;
          else {
            copyAuthority(url, base);
            url.path = base.path.slice();
            url.query = base.query;
            if (c === "?") { url.query = ""; state = QUERY; }
            else if (c === "#") { url.fragment = ""; state = FRAGMENT; }
            else if (c !== undefined) { url.query = null; shorten(url); state = PATH; p--; }
          }
          break;
        case RELATIVE_SLASH:
          if (special && (c === "/" || c === "\\")) state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          else if (c === "/") state = AUTHORITY;
          else { copyAuthority(url, base); state = PATH; p--; }
          break;
        case SPECIAL_AUTHORITY_SLASHES:
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          if (c === "/" && input[p + 1] === "/") p++;
          else p--;
          break;
        case SPECIAL_AUTHORITY_IGNORE_SLASHES:
          if (c !== "/" && c !== "\\") { state = AUTHORITY; p--; }
          break;
        case AUTHORITY:
          if (c === "@") {
            if (atSeen) buffer = "%40" + buffer;
            atSeen = true;
            const colon = passwordSeen ? -1 : buffer.indexOf(":");
            if (passwordSeen) url.password += encode(buffer, sets.userinfo);
            else if (colon < 0) url.username += encode(buffer, sets.userinfo);
            else {
              passwordSeen = true;
              url.username += encode(buffer.slice(0, colon), sets.userinfo);
              url.password += encode(buffer.slice(colon + 1), sets.userinfo);
            }
            buffer = "";
          } else if (c === undefined || c === "/" || c === "?" || c === "#" || (special && c === "\\")) {
            if (atSeen && buffer === "") return null;
            p -= buffer.length + 1;
            buffer = "";
            state = HOST;
          } else buffer += c;
          break;
        case HOST:
        case HOSTNAME:
          if (override && url.scheme === "file") { p--; state = FILE_HOST; }
          else if (c === ":" && !inBrackets) {
            if (buffer === "") return null;
            if (override === HOSTNAME) return null;
            const h = parseHost(buffer, !special);
            if (h === null) return null;
            url.host = h; buffer = ""; state = PORT;
          } else if (c === undefined || c === "/" || c === "?" || c === "#" || (special && c === "\\")) {
            p--;
            if (special && buffer === "") return null;
            if (override && buffer === "" && (hasCredentials(url) || url.port !== null)) return null;
            const h = parseHost(buffer, !special);
            if (h === null) return null;
            url.host = h; buffer = ""; state = PATH_START;
            if (override) return url;
          } else {
            if (c === "[") inBrackets = true;
            if (c === "]") inBrackets = false;
            buffer += c;
          }
          break;
        case PORT:
          if (c !== undefined && c >= "0" && c <= "9") buffer += c;
          else if (c === undefined || c === "/" || c === "?" || c === "#" || (special && c === "\\") || override) {
            if (buffer !== "") {
              const port = parseInt(buffer, 10);
              if (port > 65535) return null;
              url.port = port === defaultPort(url.scheme) ? null : port;
              buffer = "";
              if (override) return url;
            }
            if (override) return null;
            state = PATH_START; p--;
          } else return null;
          break;
        case FILE:
          url.scheme = "file";
          url.host = "";
          if (c === "/" || c === "\\") state = FILE_SLASH;
          else if (base !== null && base.scheme === "file") {
            url.host = base.host; url.path = base.path.slice(); url.query = base.query;
            if (c === "?") { url.query = ""; state = QUERY; }
            else if (c === "#") { url.fragment = ""; state = FRAGMENT; }
            else if (c !== undefined) {
              url.query = null;
              if (!startsWithDriveLetter(input, p)) shorten(url);
              else url.path = [];
              state = PATH; p--;
            }
          } else { state = PATH; p--; }
          break;
        case FILE_SLASH:
          if (c === "/" || c === "\\") state = FILE_HOST;
          else {
            if (base !== null && base.scheme === "file") {
              url.host = base.host;
              if (!startsWithDriveLetter(input, p) && base.path.length > 0 && isNormalizedDrive(base.path[0]))
                url.path.push(base.path[0]);
            }
            state = PATH; p--;
          }
          break;
        case FILE_HOST:
          if (c === undefined || c === "/" || c === "\\" || c === "?" || c === "#") {
            p--;
            if (!override && isDriveLetter(buffer)) state = PATH; // the buffer is the path's first segment
            else if (buffer === "") {
              url.host = "";
              if (override) return url;
              state = PATH_START;
            } else {
              let h = parseHost(buffer, !special);
              if (h === null) return null;
              if (h === "localhost") h = "";
              url.host = h;
              if (override) return url;
              buffer = ""; state = PATH_START;
            }
          } else buffer += c;
          break;
        case PATH_START:
          if (special) { state = PATH; if (c !== "/" && c !== "\\") p--; }
          else if (!override && c === "?") { url.query = ""; state = QUERY; }
          else if (!override && c === "#") { url.fragment = ""; state = FRAGMENT; }
          else if (c !== undefined) { state = PATH; if (c !== "/") p--; }
          else if (override && url.host === null) url.path.push("");
          break;
        case PATH:
          if (c === undefined || c === "/" || (special && c === "\\") || (!override && (c === "?" || c === "#"))) {
            const slash = c === "/" || (special && c === "\\");
            if (isDoubleDot(buffer)) {
              shorten(url);
              if (!slash) url.path.push("");
            } else if (isSingleDot(buffer)) {
              if (!slash) url.path.push("");
            } else {
              if (url.scheme === "file" && url.path.length === 0 && isDriveLetter(buffer)) buffer = buffer[0] + ":";
              url.path.push(encode(buffer, sets.path));
            }
            buffer = "";
            if (c === "?") { url.query = ""; state = QUERY; }
            else if (c === "#") { url.fragment = ""; state = FRAGMENT; }
          } else buffer += c;
          break;
        case OPAQUE_PATH:
          if (c === "?") { url.query = ""; state = QUERY; }
          else if (c === "#") { url.fragment = ""; state = FRAGMENT; }
          else if (c !== undefined) {
            let j = p;
            while (j < len && input[j] !== "?" && input[j] !== "#") j++;
            let chunk = encode(input.slice(p, j), sets.c0);
            // A space right before the query or fragment is escaped so that it survives
            // their removal.
            if (j < len && chunk.endsWith(" ")) chunk = chunk.slice(0, -1) + "%20";
            url.path += chunk;
            p = j - 1;
          }
          break;
        case QUERY: {
          let j = p;
          if (!override) while (j < len && input[j] !== "#") j++;
          else j = len;
          url.query += encode(input.slice(p, j), special ? sets.specialQuery : sets.query);
          p = j;
          if (p < len) { url.fragment = ""; state = FRAGMENT; }
          break;
        }
        case FRAGMENT:
          if (c !== undefined) url.fragment += encode(input.slice(p), sets.fragment);
          p = len;
          break;
      }
      if (p >= len) break;
    }
    return url;
  }

  function pathString(u) {
    if (hasOpaquePath(u)) return u.path;
    let out = "";
    for (const s of u.path) out += "/" + s;
    return out;
  }
  function hostString(u) {
    if (u.host === null) return "";
    return u.port === null ? u.host : u.host + ":" + u.port;
  }
  function serialize(u, excludeFragment) {
    let out = u.scheme + ":";
    if (u.host !== null) {
      out += "//";
      if (hasCredentials(u)) out += u.username + (u.password !== "" ? ":" + u.password : "") + "@";
      out += hostString(u);
    } else if (!hasOpaquePath(u) && u.path.length > 1 && u.path[0] === "") {
      out += "/.";
    }
    out += pathString(u);
    if (u.query !== null) out += "?" + u.query;
    if (!excludeFragment && u.fragment !== null) out += "#" + u.fragment;
    return out;
  }
  // The serialized origin: "scheme://host[:port]" for special non-file schemes, the
  // origin of the inner URL for blob: URLs over http(s), else "null".
  function origin(u) {
    switch (u.scheme) {
      case "blob": {
        const inner = parse(pathString(u), null);
        return inner !== null && (inner.scheme === "http" || inner.scheme === "https") ? origin(inner) : "null";
      }
      case "ftp": case "http": case "https": case "ws": case "wss":
        return u.scheme + "://" + hostString(u);
      default:
        return "null";
    }
  }

  // Parses `input` against an optional `base` string; null on failure.
  function parseWithBase(input, base) {
    let b = null;
    if (base !== undefined) {
      b = parse(usv(base), null);
      if (b === null) return null;
    }
    return parse(usv(input), b);
  }
  function invalid(input, base) {
    const e = new TypeError(`Invalid URL: ${String(input)}` + (base !== undefined ? ` (base: ${String(base)})` : ""));
    e.code = "ERR_INVALID_URL";
    e.input = String(input);
    if (base !== undefined) e.base = String(base);
    return e;
  }

  const fromRecord = Symbol("URL from a record"); // url.js-private constructor path

  class URL {
    #url;
    #params = null; // the URLSearchParams bound to this URL, made on first use

    constructor(url, base = undefined) {
      if (url === fromRecord) { this.#url = base; return; }
      if (arguments.length < 1) throw new TypeError("URL constructor: 1 argument required, but only 0 present");
      const r = parseWithBase(url, base);
      if (r === null) throw invalid(url, base);
      this.#url = r;
    }
    static canParse(url, base = undefined) {
      if (arguments.length < 1) throw new TypeError("URL.canParse: 1 argument required, but only 0 present");
      return parseWithBase(url, base) !== null;
    }
    static parse(url, base = undefined) {
      if (arguments.length < 1) throw new TypeError("URL.parse: 1 argument required, but only 0 present");
      const r = parseWithBase(url, base);
      return r === null ? null : new URL(fromRecord, r);
    }

    #queryChanged() {
      if (this.#params !== null) params.reset(this.#params, this.#url.query, (q) => { this.#url.query = q; });
    }

    get href() { return serialize(this.#url, false); }
    set href(v) {
      const r = parse(usv(v), null);
      if (r === null) throw invalid(v);
      this.#url = r;
      this.#queryChanged();
    }
    get origin() { return origin(this.#url); }
    get protocol() { return this.#url.scheme + ":"; }
    set protocol(v) { parse(usv(v) + ":", null, this.#url, SCHEME_START); }
    get username() { return this.#url.username; }
    set username(v) {
      if (!cannotHaveCredentialsOrPort(this.#url)) this.#url.username = encode(usv(v), sets.userinfo);
    }
    get password() { return this.#url.password; }
    set password(v) {
      if (!cannotHaveCredentialsOrPort(this.#url)) this.#url.password = encode(usv(v), sets.userinfo);
    }
    get host() { return hostString(this.#url); }
    set host(v) { if (!hasOpaquePath(this.#url)) parse(usv(v), null, this.#url, HOST); }
    get hostname() { return this.#url.host === null ? "" : this.#url.host; }
    set hostname(v) { if (!hasOpaquePath(this.#url)) parse(usv(v), null, this.#url, HOSTNAME); }
    get port() { return this.#url.port === null ? "" : String(this.#url.port); }
    set port(v) {
      if (cannotHaveCredentialsOrPort(this.#url)) return;
      v = usv(v);
      if (v === "") this.#url.port = null;
      else parse(v, null, this.#url, PORT);
    }
    get pathname() { return pathString(this.#url); }
    set pathname(v) {
      if (hasOpaquePath(this.#url)) return;
      this.#url.path = [];
      parse(usv(v), null, this.#url, PATH_START);
    }
    get search() { const q = this.#url.query; return q === null || q === "" ? "" : "?" + q; }
    set search(v) {
      v = usv(v);
      if (v === "") this.#url.query = null;
      else {
        this.#url.query = "";
        parse(v[0] === "?" ? v.slice(1) : v, null, this.#url, QUERY);
      }
      this.#queryChanged();
    }
    get searchParams() {
      if (this.#params === null)
        this.#params = params.bound(this.#url.query, (q) => { this.#url.query = q; });
      return this.#params;
    }
    get hash() { const f = this.#url.fragment; return f === null || f === "" ? "" : "#" + f; }
    set hash(v) {
      v = usv(v);
      if (v === "") { this.#url.fragment = null; return; }
      this.#url.fragment = "";
      parse(v[0] === "#" ? v.slice(1) : v, null, this.#url, FRAGMENT);
    }
    toString() { return serialize(this.#url, false); }
    toJSON() { return serialize(this.#url, false); }

  }
  Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });
  // console.log / util.inspect show a URL as Node does: "URL { href: ..., hash: ... }".
  // The view is a plain object whose prototype names URL, so util formats it nested.
  const inspectView = Object.create(Object.prototype, { constructor: { value: URL } });
  Object.defineProperty(URL.prototype, Symbol.for("nodejs.util.inspect.custom"), {
    configurable: true, writable: true,
    value: function inspect() {
      const view = Object.create(inspectView);
      for (const k of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port",
                       "pathname", "search", "searchParams", "hash"]) view[k] = this[k];
      return view;
    },
  });
  for (const name of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port",
                      "pathname", "search", "searchParams", "hash", "toString", "toJSON"])
    Object.defineProperty(URL.prototype, name, { enumerable: true });

  return { URL };
})
