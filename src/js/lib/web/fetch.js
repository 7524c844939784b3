// fetch, Headers, Request, Response (SPEC §3.1; the Fetch Standard as server-side
// runtimes implement it: no CORS, no cookies jar, no cache). The transfer itself is
// native (mod_fetch.c on the HTTP loop); redirects are followed here, one transfer per
// hop, so each hop is checked against --allow-net and credentials are dropped when the
// origin changes.
//
// A body is kept as a source ({read(), cancel(reason)}) until a script asks for
// `body`: text()/json()/arrayBuffer()/bytes() read the source directly, without the
// stream machinery; `body` wraps the source in a ReadableStream pulled on demand, so a
// slow reader holds the transfer (its pieces are counted as consumed only when read).
(function (host, lib, g) {
  "use strict";

  // ---- helpers -----------------------------------------------------------------------
  const enc = () => new g.TextEncoder();
  const utf8 = (s) => enc().encode(s);
  const decodeUtf8 = (b) => new g.TextDecoder().decode(b);
  const isHttpWs = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

  function normalizeValue(v) {
    v = String(v);
    let a = 0, b = v.length;
    while (a < b && isHttpWs(v.charCodeAt(a))) a++;
    while (b > a && isHttpWs(v.charCodeAt(b - 1))) b--;
    return v.slice(a, b);
  }
  function checkName(name) {
    name = String(name);
    if (!tokenRe.test(name)) throw new TypeError(`Headers: invalid header name "${name}"`);
    return name;
  }
  function checkValue(name, v) {
    if (/[\0\r\n]/.test(v) || /[^\x00-\xff]/.test(v))
      throw new TypeError(`Headers: invalid value for header "${name}"`);
    return v;
  }
  function concatBytes(chunks, total) {
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.byteLength; }
    return out;
  }

  // ---- Headers -----------------------------------------------------------------------
  const kGuard = Symbol("guard");
  class Headers {
    #list = []; // [lowercased name, value] in insertion order
    constructor(init) {
      this[kGuard] = "none";
      if (init === undefined || init === null) return;
      if (typeof init !== "object" && typeof init !== "function")
        throw new TypeError("Headers: init must be an object, an array of pairs or Headers");
      if (init instanceof Headers) {
        for (const [k, v] of init.#list) this.#list.push([k, v]);
      } else if (typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const p = Array.from(pair);
          if (p.length !== 2) throw new TypeError("Headers: each pair must have a name and a value");
          this.append(p[0], p[1]);
        }
      } else {
        for (const k of Object.keys(init)) this.append(k, init[k]);
      }
    }
    #mutable() { if (this[kGuard] === "immutable") throw new TypeError("Headers are immutable"); }
    append(name, value) {
      this.#mutable();
      name = checkName(name);
      value = checkValue(name, normalizeValue(value));
      this.#list.push([name.toLowerCase(), value]);
    }
    delete(name) {
      this.#mutable();
      const n = checkName(name).toLowerCase();
      this.#list = this.#list.filter((e) => e[0] !== n);
    }
    get(name) {
      const n = checkName(name).toLowerCase();
      const vs = this.#list.filter((e) => e[0] === n).map((e) => e[1]);
      return vs.length ? vs.join(", ") : null;
    }
    getSetCookie() { return this.#list.filter((e) => e[0] === "set-cookie").map((e) => e[1]); }
    has(name) { const n = checkName(name).toLowerCase(); return this.#list.some((e) => e[0] === n); }
    set(name, value) {
      this.#mutable();
      name = checkName(name);
      const n = name.toLowerCase();
      value = checkValue(name, normalizeValue(value));
      const i = this.#list.findIndex((e) => e[0] === n);
      if (i < 0) { this.#list.push([n, value]); return; }
      this.#list[i] = [n, value];
      this.#list = this.#list.filter((e, j) => j <= i || e[0] !== n);
    }
    // Sorted by name, values of one name combined, except set-cookie (one entry each).
    #sorted() {
      const names = [...new Set(this.#list.map((e) => e[0]))].sort();
      const out = [];
      for (const n of names) {
        if (n === "set-cookie") for (const v of this.getSetCookie()) out.push([n, v]);
        else out.push([n, this.get(n)]);
      }
      return out;
    }
    *entries() { yield* this.#sorted(); }
    *keys() { for (const e of this.#sorted()) yield e[0]; }
    *values() { for (const e of this.#sorted()) yield e[1]; }
    [Symbol.iterator]() { return this.entries(); }
    forEach(fn, thisArg) {
      if (typeof fn !== "function") throw new TypeError("Headers.forEach needs a function");
      for (const [k, v] of this.#sorted()) fn.call(thisArg, v, k, this);
    }
    get [Symbol.toStringTag]() { return "Headers"; }
    // The raw list, in order (for the transfer).
    static raw(h) { return h.#list; }
  }
  function immutableHeaders(flat) {
    const h = new Headers();
    const raw = Headers.raw(h);
    for (let i = 0; i + 1 < flat.length; i += 2) raw.push([flat[i].toLowerCase(), flat[i + 1]]);
    h[kGuard] = "immutable";
    return h;
  }

  // ---- body sources ------------------------------------------------------------------
  // A source gives Uint8Array pieces: read() -> Promise<{done, value}>; cancel(reason).
  function bytesSource(bytes) {
    let given = false;
    return {
      read: () => Promise.resolve(given || bytes.byteLength === 0
        ? { done: true, value: undefined } : (given = true, { done: false, value: bytes })),
      cancel() { given = true; },
      bytes,
    };
  }
  function streamSource(stream) {
    let reader = null;
    return {
      async read() {
        if (!reader) reader = stream.getReader();
        const r = await reader.read();
        if (r.done) return r;
        const v = r.value;
        if (!(v instanceof Uint8Array))
          throw new TypeError("a body stream must give Uint8Array chunks");
        return r;
      },
      cancel(reason) { return reader ? reader.cancel(reason) : stream.cancel(reason); },
      stream,
    };
  }
  // Two sources reading one: pieces read by one wait for the other (clone()).
  function teeSource(src) {
    const queues = [[], []];
    let pending = null, ended = null, canceled = 0;
    function pull() {
      if (!pending) pending = src.read().then((r) => {
        pending = null;
        for (const q of queues) q.push(r);
        if (r.done) ended = r;
      }, (e) => { pending = null; ended = { error: e }; for (const q of queues) q.push({ error: e }); });
      return pending;
    }
    const branch = (i) => ({
      async read() {
        while (queues[i].length === 0) {
          if (ended) return ended.error ? Promise.reject(ended.error) : ended;
          await pull();
        }
        const r = queues[i].shift();
        if (r.error) throw r.error;
        return r;
      },
      cancel(reason) { queues[i] = []; if (++canceled === 2) return src.cancel(reason); },
    });
    return [branch(0), branch(1)];
  }

  // What a body init becomes: {source, length, type} (type: the default Content-Type).
  function extractBody(init, keepalive) {
    if (init === null || init === undefined) return null;
    if (typeof init === "string") return { source: bytesSource(utf8(init)), type: "text/plain;charset=UTF-8" };
    if (g.URLSearchParams && init instanceof g.URLSearchParams)
      return { source: bytesSource(utf8(init.toString())), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    if (init instanceof ArrayBuffer) return { source: bytesSource(new Uint8Array(init.slice(0))), type: null };
    if (ArrayBuffer.isView(init))
      return { source: bytesSource(new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength))), type: null };
    if (g.Blob && init instanceof g.Blob)
      return { source: bytesSource(lib("blob").blobBytes(init)), type: init.type || null };
    if (g.FormData && init instanceof g.FormData) {
      const f = lib("blob").formDataBody(init);
      return { source: bytesSource(f.bytes), type: f.contentType };
    }
    if (g.ReadableStream && init instanceof g.ReadableStream) {
      if (keepalive) throw new TypeError("a keepalive request cannot have a stream body");
      if (init.locked) throw new TypeError("the body stream is locked");
      return { source: streamSource(init), type: null };
    }
    return { source: bytesSource(utf8(String(init))), type: "text/plain;charset=UTF-8" };
  }

  // ---- Body mixin ------------------------------------------------------------------
  const kBody = Symbol("body"); // {source, stream, used} or null
  function bodyStream(b) {
    if (b.stream) return b.stream;
    if (b.source.stream) return (b.stream = b.source.stream);
    const src = b.source;
    b.stream = new g.ReadableStream({
      async pull(c) {
        b.used = true;
        const r = await src.read();
        if (r.done) c.close(); else c.enqueue(r.value);
      },
      cancel(reason) { b.used = true; return src.cancel(reason); },
    }, { highWaterMark: 0 });
    return b.stream;
  }
  async function readAll(owner, what) {
    const b = owner[kBody];
    if (b === null) return new Uint8Array(0);
    if (b.used || (b.stream && (b.stream.locked || isDisturbed(b))))
      throw new TypeError(`Body is unusable: the body has already been read (${what})`);
    b.used = true;
    const chunks = [];
    let total = 0;
    if (b.stream) {
      const reader = b.stream.getReader();
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        chunks.push(r.value);
        total += r.value.byteLength;
      }
    } else {
      if (b.source.bytes) return b.source.bytes;
      for (;;) {
        const r = await b.source.read();
        if (r.done) break;
        chunks.push(r.value);
        total += r.value.byteLength;
      }
    }
    return concatBytes(chunks, total);
  }
  const isDisturbed = (b) => b.used;
  function parseJson(text) {
    return JSON.parse(text);
  }
  const bodyMethods = {
    get body() { const b = this[kBody]; return b === null ? null : bodyStream(b); },
    get bodyUsed() { const b = this[kBody]; return b !== null && b.used; },
    async arrayBuffer() {
      const u = await readAll(this, "arrayBuffer");
      return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u.buffer : u.slice().buffer;
    },
    async bytes() {
      const u = await readAll(this, "bytes");
      return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : u.slice();
    },
    async text() { return decodeUtf8(await readAll(this, "text")); },
    async json() { return parseJson(decodeUtf8(await readAll(this, "json"))); },
    async blob() {
      const u = await readAll(this, "blob");
      return new g.Blob([u], { type: (this.headers.get("content-type") || "") });
    },
    async formData() {
      const type = this.headers.get("content-type") || "";
      const text = decodeUtf8(await readAll(this, "formData"));
      if (/^application\/x-www-form-urlencoded/i.test(type)) {
        const fd = new g.FormData();
        for (const [k, v] of new g.URLSearchParams(text)) fd.append(k, v);
        return fd;
      }
      throw new TypeError("formData(): only application/x-www-form-urlencoded bodies are parsed");
    },
  };
  function mixBody(C) {
    for (const k of Object.keys(Object.getOwnPropertyDescriptors(bodyMethods)))
      Object.defineProperty(C.prototype, k, Object.getOwnPropertyDescriptor(bodyMethods, k));
  }
  function cloneBody(owner) {
    const b = owner[kBody];
    if (b === null) return null;
    if (b.used || (b.stream && b.stream.locked)) throw new TypeError("cannot clone a body already read");
    if (b.stream) {
      const [s1, s2] = b.stream.tee();
      b.stream = s1;
      return { source: streamSource(s2), stream: s2, used: false };
    }
    if (b.source.bytes) return { source: bytesSource(b.source.bytes), stream: null, used: false };
    const [a, c] = teeSource(b.source);
    b.source = a;
    return { source: c, stream: null, used: false };
  }

  // ---- Request -----------------------------------------------------------------------
  const forbiddenMethods = new Set(["CONNECT", "TRACE", "TRACK"]);
  const normalMethods = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
  function parseUrl(input, what) {
    try {
      return new g.URL(String(input));
    } catch (e) {
      throw new TypeError(`${what}: Failed to parse URL from ${input}`);
    }
  }
  const kState = Symbol("state");
  class Request {
    constructor(input, init) {
      if (init !== undefined && init !== null && typeof init !== "object")
        throw new TypeError("Request: init must be an object");
      init = init || {};
      let base = null;
      if (input instanceof Request) base = input;
      const url = base ? base[kState].url : parseUrl(input, "Request");
      if (url.username || url.password)
        throw new TypeError(`Request: the URL includes credentials: ${input}`);
      let method = init.method !== undefined ? String(init.method) : (base ? base.method : "GET");
      if (!tokenRe.test(method)) throw new TypeError(`Request: invalid method "${method}"`);
      if (normalMethods.has(method.toUpperCase())) method = method.toUpperCase();
      if (forbiddenMethods.has(method.toUpperCase())) throw new TypeError(`Request: method ${method} is not allowed`);
      const st = {
        url, method,
        redirect: init.redirect !== undefined ? String(init.redirect) : (base ? base.redirect : "follow"),
        headers: new Headers(init.headers !== undefined ? init.headers : (base ? base.headers : undefined)),
        signal: null,
        keepalive: !!(init.keepalive !== undefined ? init.keepalive : base && base.keepalive),
        cache: init.cache || (base ? base.cache : "default"),
        credentials: init.credentials || (base ? base.credentials : "same-origin"),
        mode: init.mode || (base ? base.mode : "cors"),
        referrer: init.referrer !== undefined ? String(init.referrer) : "about:client",
        referrerPolicy: init.referrerPolicy || "",
        integrity: init.integrity || "",
        duplex: init.duplex || "half",
        // geppetto extensions: timeouts of the transfer (ms); 0: the defaults
        connectTimeoutMs: Number(init.connectTimeoutMs ?? (base ? base[kState].connectTimeoutMs : 0)) || 0,
        idleTimeoutMs: Number(init.idleTimeoutMs ?? (base ? base[kState].idleTimeoutMs : 0)) || 0,
      };
      if (!["follow", "manual", "error"].includes(st.redirect))
        throw new TypeError(`Request: redirect must be "follow", "manual" or "error", not "${st.redirect}"`);
      const signal = init.signal !== undefined ? init.signal : (base ? base.signal : null);
      if (signal !== null && signal !== undefined && !(g.AbortSignal && signal instanceof g.AbortSignal) &&
          !(typeof signal === "object" && "aborted" in signal && typeof signal.addEventListener === "function"))
        throw new TypeError("Request: signal must be an AbortSignal");
      st.signal = signal || null;
      this[kState] = st;
      let body = null;
      if (init.body !== undefined && init.body !== null) {
        if (method === "GET" || method === "HEAD")
          throw new TypeError(`Request with ${method} method cannot have a body`);
        const ex = extractBody(init.body, st.keepalive);
        if (ex.source.stream && init.duplex !== "half")
          throw new TypeError("Request: a stream body needs duplex: \"half\"");
        if (ex.type && !st.headers.has("content-type")) st.headers.append("content-type", ex.type);
        body = { source: ex.source, stream: null, used: false };
      } else if (base && init.body === undefined) {
        body = base[kBody] === null ? null : cloneBody(base);
        if (base[kBody] && body) { base[kBody].used = true; } // the input's body moves here
      }
      this[kBody] = body;
    }
    get url() { return this[kState].url.href; }
    get method() { return this[kState].method; }
    get headers() { return this[kState].headers; }
    get redirect() { return this[kState].redirect; }
    get signal() {
      const st = this[kState];
      if (!st.signal && g.AbortSignal) st.signal = new g.AbortController().signal;
      return st.signal;
    }
    get keepalive() { return this[kState].keepalive; }
    get cache() { return this[kState].cache; }
    get credentials() { return this[kState].credentials; }
    get mode() { return this[kState].mode; }
    get referrer() { return this[kState].referrer; }
    get referrerPolicy() { return this[kState].referrerPolicy; }
    get integrity() { return this[kState].integrity; }
    get duplex() { return this[kState].duplex; }
    get destination() { return ""; }
    clone() {
      const r = Object.create(Request.prototype);
      const st = Object.assign({}, this[kState]);
      st.headers = new Headers(this[kState].headers);
      r[kState] = st;
      r[kBody] = cloneBody(this);
      return r;
    }
    get [Symbol.toStringTag]() { return "Request"; }
  }
  mixBody(Request);

  // ---- Response ----------------------------------------------------------------------
  const nullBodyStatus = new Set([101, 103, 204, 205, 304]);
  const redirectStatus = new Set([301, 302, 303, 307, 308]);
  class Response {
    constructor(body, init) {
      if (init !== undefined && init !== null && typeof init !== "object")
        throw new TypeError("Response: init must be an object");
      init = init || {};
      const status = init.status !== undefined ? Number(init.status) : 200;
      if (!Number.isInteger(status) || status < 200 || status > 599)
        throw new RangeError(`Response: status must be an integer from 200 to 599, not ${init.status}`);
      const statusText = init.statusText !== undefined ? String(init.statusText) : "";
      if (/[^\t\x20-\x7e\x80-\xff]/.test(statusText)) throw new TypeError("Response: invalid statusText");
      const headers = new Headers(init.headers);
      let b = null;
      if (body !== null && body !== undefined) {
        if (nullBodyStatus.has(status)) throw new TypeError(`Response with status ${status} cannot have a body`);
        const ex = extractBody(body, false);
        if (ex.type && !headers.has("content-type")) headers.append("content-type", ex.type);
        b = { source: ex.source, stream: null, used: false };
      }
      this[kState] = { type: "default", url: "", urlList: [], status, statusText, headers, redirected: false };
      this[kBody] = b;
    }
    static error() {
      const r = new Response(null, { status: 200 });
      Object.assign(r[kState], { type: "error", status: 0 });
      r[kState].headers[kGuard] = "immutable";
      return r;
    }
    static redirect(url, status = 302) {
      const u = parseUrl(url, "Response.redirect");
      if (!redirectStatus.has(status)) throw new RangeError(`Response.redirect: invalid status ${status}`);
      const r = new Response(null, { status, headers: { location: u.href } });
      r[kState].headers[kGuard] = "immutable";
      return r;
    }
    static json(data, init) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError("Response.json: the value cannot be serialized to JSON");
      const r = new Response(text, init);
      r.headers.set("content-type", "application/json");
      return r;
    }
    get type() { return this[kState].type; }
    get url() { const u = this[kState].url; return u ? u.replace(/#.*$/, "") : ""; }
    get redirected() { return this[kState].redirected; }
    get status() { return this[kState].status; }
    get ok() { const s = this[kState].status; return s >= 200 && s <= 299; }
    get statusText() { return this[kState].statusText; }
    get headers() { return this[kState].headers; }
    clone() {
      if (this[kState].type === "error") return Response.error();
      const r = Object.create(Response.prototype);
      r[kState] = Object.assign({}, this[kState], { headers: new Headers(this[kState].headers) });
      r[kState].headers[kGuard] = this[kState].headers[kGuard];
      r[kBody] = cloneBody(this);
      return r;
    }
    get [Symbol.toStringTag]() { return "Response"; }
  }
  mixBody(Response);

  // ---- fetch -------------------------------------------------------------------------
  function abortReason(signal) {
    if (signal.reason !== undefined) return signal.reason;
    return g.DOMException ? new g.DOMException("This operation was aborted", "AbortError")
                          : Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
  }
  function netError(code, cause, message) {
    const c = new Error(message || cause || code);
    c.code = cause || code;
    return new TypeError("fetch failed", { cause: c });
  }
  // --allow-net (SPEC §3.4): each hop's host and port, before anything is sent; a denial
  // throws ERR_ACCESS_DENIED naming the URL and the flag that would grant it.
  function checkPermission(url) {
    const port = url.port ? Number(url.port) : (url.protocol === "https:" ? 443 : 80);
    host.permission.requireNet(url.href, port, "fetch " + url.origin + url.pathname);
  }
  // A data: URL as a response (the Fetch Standard's data: URL processor, simplified:
  // the MIME type is kept as written).
  function dataResponse(url) {
    const s = url.href.slice(5);
    const comma = s.indexOf(",");
    if (comma < 0) throw new TypeError("fetch failed", { cause: new Error("malformed data: URL") });
    let mime = s.slice(0, comma).trim();
    let data = decodeURIComponentBytes(s.slice(comma + 1).replace(/#.*$/, ""));
    if (/;\s*base64$/i.test(mime)) {
      mime = mime.replace(/;\s*base64$/i, "");
      let bin;
      try { bin = g.atob(String.fromCharCode(...data).replace(/[\t\n\f\r ]/g, "")); } catch (e) {
        throw new TypeError("fetch failed", { cause: new Error("malformed base64 in data: URL") });
      }
      data = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    }
    if (mime === "" || mime.startsWith(";")) mime = "text/plain" + (mime || ";charset=US-ASCII");
    const r = new Response(data, { status: 200, statusText: "OK", headers: { "content-type": mime } });
    r[kState].url = url.href;
    r[kState].type = "basic";
    r[kState].headers[kGuard] = "immutable";
    return r;
  }
  function decodeURIComponentBytes(s) {
    const out = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
        out.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 0x80) out.push(c);
      else for (const b of utf8(s[i])) out.push(b);
    }
    return new Uint8Array(out);
  }

  // One hop: starts the transfer, resolves with {status, statusText, headers, url,
  // handle} when its head arrives. `aborter` gets the function that aborts it.
  function transfer(st, url, method, headers, body, onAbort) {
    return new Promise((resolve, reject) => {
      const flat = [];
      for (const [k, v] of headers) flat.push(k, v);
      let handle = null;
      let settled = false;
      onAbort((reason) => {
        if (settled) return;
        settled = true;
        if (handle) host.fetchAbort(handle);
        reject(reason);
      });
      handle = host.fetchStart(method, url.href, flat, body, st.connectTimeoutMs, st.idleTimeoutMs,
        (status, statusText, hv, finalUrl, version) => {
          if (settled) { host.fetchAbort(handle); return; }
          settled = true;
          resolve({ status, statusText, hv, handle, version });
        },
        (code, cause, message) => {
          if (settled) return;
          settled = true;
          reject(netError(code, cause, message));
        });
    });
  }

  // The body of a fetched response: a source over the transfer; an abort errors it.
  function transferSource(handle, abortState) {
    let pendingReject = null, done = false;
    const src = {
      read() {
        if (abortState.reason !== undefined) return Promise.reject(abortState.reason);
        if (done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => {
          pendingReject = reject;
          host.fetchRead(handle, (chunk, code, cause, message) => {
            pendingReject = null;
            if (chunk) return resolve({ done: false, value: chunk });
            done = true;
            abortState.finish();
            if (code) {
              const c = new Error(message || cause || code);
              c.code = cause || code;
              return reject(new TypeError("terminated", { cause: c }));
            }
            resolve({ done: true, value: undefined });
          });
        });
      },
      cancel() {
        if (done) return;
        done = true;
        host.fetchAbort(handle);
        abortState.finish();
      },
      abort(reason) {
        if (done) return;
        done = true;
        host.fetchAbort(handle);
        if (pendingReject) { const r = pendingReject; pendingReject = null; r(reason); }
      },
    };
    return src;
  }

  async function drain(handle) {
    // a redirect's body: read what is small, drop the rest
    let total = 0;
    for (;;) {
      const chunk = await new Promise((resolve) => host.fetchRead(handle, (c) => resolve(c)));
      if (!chunk) return;
      total += chunk.byteLength;
      if (total > 65536) { host.fetchAbort(handle); return; }
    }
  }

  async function fetch(input, init) {
    const req = new Request(input, init);
    const st = req[kState];
    const signal = st.signal;
    if (signal && signal.aborted) throw abortReason(signal);
    if (req[kBody] && req[kBody].used && !(init && init.body !== undefined) && input instanceof Request && input[kBody] === null)
      throw new TypeError("fetch: the request's body was already used");
    let url = st.url;
    if (url.protocol === "data:") {
      if (st.method !== "GET") throw new TypeError("fetch failed", { cause: new Error("data: URLs accept only GET") });
      return dataResponse(url);
    }
    let method = st.method;
    const headers = new Headers(st.headers);
    if (!headers.has("accept")) headers.set("accept", "*/*");
    let body = req[kBody] ? await readAll(req, "request body") : null;

    // abort: the current step's aborter, replaced as the fetch moves on
    const abortState = { reason: undefined, current: null, finish() {} };
    let listener = null;
    if (signal) {
      listener = () => {
        abortState.reason = abortReason(signal);
        if (abortState.current) abortState.current(abortState.reason);
      };
      signal.addEventListener("abort", listener, { once: true });
      abortState.finish = () => { signal.removeEventListener("abort", listener); abortState.current = null; };
    }
    const urlList = [url];
    try {
      for (let hops = 0; ; hops++) {
        if (url.protocol !== "http:" && url.protocol !== "https:")
          throw new TypeError("fetch failed", { cause: Object.assign(new Error(`unsupported URL scheme ${url.protocol}`), { code: "ERR_INVALID_URL_SCHEME" }) });
        checkPermission(url);
        if (abortState.reason !== undefined) throw abortState.reason;
        const h = await transfer(st, url, method, headers, body, (fn) => { abortState.current = fn; });
        const resHeaders = immutableHeaders(h.hv);
        const location = resHeaders.get("location");
        if (redirectStatus.has(h.status) && location !== null && st.redirect !== "manual") {
          drain(h.handle);
          if (st.redirect === "error")
            throw new TypeError("fetch failed", { cause: Object.assign(new Error(`unexpected redirect to ${location} (redirect: "error")`), { code: "UND_ERR_REDIRECT" }) });
          if (hops >= 20)
            throw new TypeError("fetch failed", { cause: Object.assign(new Error("redirect count exceeded (20)"), { code: "UND_ERR_REDIRECT" }) });
          let next;
          try { next = new g.URL(location, url); } catch (e) {
            throw new TypeError("fetch failed", { cause: new Error(`invalid redirect location ${location}`) });
          }
          if ((h.status === 303 && method !== "GET" && method !== "HEAD") ||
              ((h.status === 301 || h.status === 302) && method === "POST")) {
            method = "GET";
            body = null;
            for (const n of ["content-type", "content-length", "content-encoding", "content-language", "content-location"])
              headers.delete(n);
          }
          if (next.origin !== url.origin) {
            headers.delete("authorization");
            headers.delete("cookie");
            headers.delete("proxy-authorization");
          }
          if (next.hash === "" && url.hash !== "") next.hash = url.hash;
          url = next;
          urlList.push(url);
          continue;
        }
        const res = Object.create(Response.prototype);
        res[kState] = { type: "basic", url: url.href, urlList, status: h.status, statusText: h.statusText,
                        headers: resHeaders, redirected: urlList.length > 1 };
        const src = transferSource(h.handle, abortState);
        abortState.current = (reason) => src.abort(reason);
        const noBody = method === "HEAD" || nullBodyStatus.has(h.status);
        res[kBody] = { source: src, stream: null, used: false };
        if (noBody) { src.cancel(); res[kBody] = null; }
        return res;
      }
    } catch (e) {
      abortState.finish();
      throw e;
    }
  }

  return { fetch, Headers, Request, Response };
})
