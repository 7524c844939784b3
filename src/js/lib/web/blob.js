// Blob, File and FormData (W3C File API, WHATWG XHR, SPEC §3.1), and for fetch the bytes
// of a Blob (blobBytes) and the multipart/form-data body of a FormData (formDataBody,
// RFC 7578 as the HTML standard encodes it). A Blob holds its bytes in memory; strings
// are encoded as UTF-8 (a lone surrogate becomes U+FFFD).
(function (host, lib, g) {
  "use strict";
  const CHUNK = 65536; // bytes per chunk of Blob.stream()

  function toBytes(part) {
    if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
    if (ArrayBuffer.isView(part))
      return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
    return null;
  }
  function concat(chunks, total) {
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }
  // A type is kept lowercased when every character is printable ASCII, else it is "".
  function normalizeType(t) {
    t = String(t);
    return /^[\x20-\x7e]*$/.test(t) ? t.toLowerCase() : "";
  }
  function clamp(rel, size) {
    rel = Number(rel);
    if (Number.isNaN(rel)) rel = 0;
    rel = Math.trunc(rel);
    return rel < 0 ? Math.max(size + rel, 0) : Math.min(rel, size);
  }

  class Blob {
    #bytes;
    #type;
    constructor(parts = undefined, options = undefined) {
      if (options !== undefined && options !== null && typeof options !== "object")
        throw new TypeError("Blob constructor: the options must be an object");
      const o = options || {};
      const endings = o.endings === undefined ? "transparent" : String(o.endings);
      if (endings !== "transparent" && endings !== "native")
        throw new TypeError(`Blob constructor: '${endings}' is not a valid value for endings ("transparent" or "native")`);
      const chunks = [];
      let total = 0, fromBlobs = 0;
      if (parts !== undefined) {
        if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function")
          throw new TypeError("Blob constructor: the parts must be a sequence (an array or iterable)");
        for (const part of parts) {
          let b = part instanceof Blob ? part.#bytes : toBytes(part);
          if (part instanceof Blob) fromBlobs++;
          if (b === null) {
            let s = String(part);
            if (endings === "native") s = s.replace(/\r\n?/g, "\n");
            b = host.encEncode(s, 0);
          }
          chunks.push(b);
          total += b.length;
        }
      }
      // a Blob's bytes never change: one Blob part is shared, not copied
      this.#bytes = chunks.length === 1 && fromBlobs === 1 ? chunks[0] : concat(chunks, total);
      this.#type = o.type === undefined ? "" : normalizeType(o.type);
    }
    get size() { return this.#bytes.length; }
    get type() { return this.#type; }
    slice(start = undefined, end = undefined, contentType = undefined) {
      const size = this.#bytes.length;
      const from = start === undefined ? 0 : clamp(start, size);
      const to = end === undefined ? size : clamp(end, size);
      const b = new Blob();
      b.#bytes = this.#bytes.subarray(from, Math.max(from, to));
      b.#type = contentType === undefined ? "" : normalizeType(contentType);
      return b;
    }
    text() {
      try {
        let b = this.#bytes;
        if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
        return Promise.resolve(host.encDecode(b, 0, b.length, 0, false));
      } catch (e) { return Promise.reject(e); }
    }
    arrayBuffer() {
      try { return Promise.resolve(this.#bytes.slice().buffer); } catch (e) { return Promise.reject(e); }
    }
    bytes() {
      try { return Promise.resolve(this.#bytes.slice()); } catch (e) { return Promise.reject(e); }
    }
    stream() {
      const bytes = this.#bytes;
      let at = 0;
      const { ReadableStream } = lib("streams");
      return new ReadableStream({
        pull(c) {
          if (at >= bytes.length) { c.close(); return; }
          const n = Math.min(CHUNK, bytes.length - at);
          c.enqueue(bytes.slice(at, at + n));
          at += n;
          if (at >= bytes.length) c.close();
        },
      }, { highWaterMark: 0 });
    }
    get [Symbol.toStringTag]() { return "Blob"; }
    // The bytes (not a copy: callers must not change them). Throws for a non-Blob.
    static _bytesOf(b) {
      if (b === null || typeof b !== "object" || !(#bytes in b)) throw new TypeError("not a Blob");
      return b.#bytes;
    }
  }
  const blobBytes = Blob._bytesOf;
  delete Blob._bytesOf;

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = undefined) {
      if (arguments.length < 2) throw new TypeError(`File constructor: 2 arguments required, but only ${arguments.length} present`);
      super(parts, options);
      this.#name = String(name);
      const lm = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
      this.#lastModified = Number.isFinite(lm) ? Math.trunc(lm) : 0;
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
    get webkitRelativePath() { return ""; }
    get [Symbol.toStringTag]() { return "File"; }
  }

  // ---- FormData --------------------------------------------------------------------
  const usv = (s) => String(s).toWellFormed ? String(s).toWellFormed() : String(s);
  function entryValue(value, filename, argc) {
    if (value instanceof Blob) {
      if (!(value instanceof File))
        return new File([value], filename === undefined ? "blob" : usv(filename), { type: value.type });
      if (filename !== undefined)
        return new File([value], usv(filename), { type: value.type, lastModified: value.lastModified });
      return value;
    }
    if (argc > 2) throw new TypeError("FormData: a filename is only allowed with a Blob or File value");
    return usv(value);
  }
  function need(argc, n, what) {
    if (argc < n) throw new TypeError(`FormData.${what}: ${n} argument${n > 1 ? "s" : ""} required, but only ${argc} present`);
  }
  class FormData {
    #list = [];
    constructor(form = undefined) {
      if (form !== undefined) throw new TypeError("FormData constructor: forms are not supported; call it without arguments");
    }
    append(name, value, filename = undefined) {
      need(arguments.length, 2, "append");
      this.#list.push([usv(name), entryValue(value, filename, arguments.length)]);
    }
    set(name, value, filename = undefined) {
      need(arguments.length, 2, "set");
      const entry = [usv(name), entryValue(value, filename, arguments.length)];
      const i = this.#list.findIndex((e) => e[0] === entry[0]);
      if (i < 0) { this.#list.push(entry); return; }
      this.#list[i] = entry;
      this.#list = this.#list.filter((e, j) => j <= i || e[0] !== entry[0]);
    }
    get(name) {
      need(arguments.length, 1, "get");
      const e = this.#list.find((x) => x[0] === usv(name));
      return e ? e[1] : null;
    }
    getAll(name) {
      need(arguments.length, 1, "getAll");
      const n = usv(name);
      return this.#list.filter((x) => x[0] === n).map((x) => x[1]);
    }
    has(name) {
      need(arguments.length, 1, "has");
      const n = usv(name);
      return this.#list.some((x) => x[0] === n);
    }
    delete(name) {
      need(arguments.length, 1, "delete");
      const n = usv(name);
      this.#list = this.#list.filter((x) => x[0] !== n);
    }
    // Iterators walk the live list by position, as WebIDL's pair iterators do.
    *entries() { for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]]; }
    *keys() { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][0]; }
    *values() { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][1]; }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") throw new TypeError("FormData.forEach: the callback must be a function");
      for (let i = 0; i < this.#list.length; i++) callback.call(thisArg, this.#list[i][1], this.#list[i][0], this);
    }
    get [Symbol.toStringTag]() { return "FormData"; }
    static _listOf(fd) {
      if (fd === null || typeof fd !== "object" || !(#list in fd)) throw new TypeError("not a FormData");
      return fd.#list;
    }
  }
  FormData.prototype[Symbol.iterator] = FormData.prototype.entries;
  const listOf = FormData._listOf;
  delete FormData._listOf;

  // In names and filenames, LF, CR and '"' become %0A, %0D and %22 (HTML standard).
  const escapeName = (s) => s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
  function boundary() {
    const r = new Uint8Array(12);
    host.randomFill(r);
    let s = "";
    for (const b of r) s += (b + 0x100).toString(16).slice(1);
    return "----geppetto-formdata-" + s;
  }
  // The multipart/form-data body of a FormData: {bytes, contentType}.
  function formDataBody(fd, fixedBoundary = undefined) {
    const list = listOf(fd);
    const b = fixedBoundary === undefined ? boundary() : String(fixedBoundary);
    const chunks = [];
    let total = 0;
    const add = (bytes) => { chunks.push(bytes); total += bytes.length; };
    for (const [name, value] of list) {
      let head = `--${b}\r\nContent-Disposition: form-data; name="${escapeName(name)}"`;
      if (typeof value === "string") {
        add(host.encEncode(head + "\r\n\r\n" + value + "\r\n", 0));
        continue;
      }
      head += `; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`;
      add(host.encEncode(head, 0));
      add(blobBytes(value));
      add(host.encEncode("\r\n", 0));
    }
    add(host.encEncode(`--${b}--\r\n`, 0));
    return { bytes: concat(chunks, total), contentType: "multipart/form-data; boundary=" + b };
  }

  return { Blob, File, FormData, blobBytes, formDataBody };
})
