// Blob, File and FormData (W3C File API, XHR's FormData, SPEC §3.1): parts of every kind,
// the type's normalisation, size, slice, text/arrayBuffer/bytes/stream, File's name and
// lastModified, and FormData's list (append/set/get/getAll/has/delete, order, files).
// expect-stdout: web_blob: ok
// timeout: 20

const bytesOf = (u8) => Array.from(u8).join(",");

(async () => {
  // ---- parts ----------------------------------------------------------------------------
  {
    const b = new Blob();
    assert.equal(b.size, 0);
    assert.equal(b.type, "");
    assert.equal(await b.text(), "");
    assert.equal(new Blob([]).size, 0);
  }
  {
    const s = new Blob(["é", "🦀", "a"]);
    assert.equal(s.size, 2 + 4 + 1, "strings are UTF-8");
    assert.equal(bytesOf(await s.bytes()), "195,169,240,159,166,128,97");
    assert.equal(new Blob(["\ud800"]).size, 3, "a lone surrogate becomes U+FFFD (3 bytes)");
    assert.equal(await new Blob(["\ud800x"]).text(), "\ufffdx");
  }
  {
    const ab = new Uint8Array([1, 2, 3, 4]).buffer;
    const big = new Uint8Array([9, 8, 7, 6, 5, 4]);
    const view = big.subarray(2, 4); // 7, 6
    const dv = new DataView(big.buffer, 4, 2); // 5, 4
    const u16 = new Uint16Array([0x0201]); // 1, 2 (little endian)
    const inner = new Blob(["xy"]);
    const b = new Blob([ab, view, dv, u16, inner, "z", 42, { toString() { return "!"; } }]);
    assert.equal(bytesOf(await b.bytes()), "1,2,3,4,7,6,5,4,1,2,120,121,122,52,50,33",
      "ArrayBuffer, views (only their range), Blob, string, others as String()");
    // the parts are copied: changing them later does not change the Blob
    new Uint8Array(ab)[0] = 100;
    view[0] = 100;
    assert.equal((await b.bytes())[0], 1);
    assert.equal((await b.bytes())[4], 7);
    // any iterable of parts
    const fromSet = new Blob(new Set(["a", "b"]));
    assert.equal(await fromSet.text(), "ab");
    for (const bad of ["abc", 5, { length: 1, 0: "x" }]) {
      let threw = false;
      try { new Blob(bad); } catch (e) { threw = e instanceof TypeError; }
      assert(threw, "parts must be iterable: " + JSON.stringify(bad));
    }
  }
  {
    // endings
    assert.equal(await new Blob(["a\r\nb\rc\n"]).text(), "a\r\nb\rc\n", "transparent by default");
    assert.equal(await new Blob(["a\r\nb\rc\n"], { endings: "native" }).text(), "a\nb\nc\n", "native: \\n on this platform");
    let threw = false;
    try { new Blob([], { endings: "dos" }); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "a bad endings value is a TypeError");
  }

  // ---- type ----------------------------------------------------------------------------
  {
    assert.equal(new Blob([], { type: "Text/HTML; Charset=UTF-8" }).type, "text/html; charset=utf-8", "lowercased");
    assert.equal(new Blob([], { type: "text/plain\u00e9" }).type, "", "non-ASCII: dropped");
    assert.equal(new Blob([], { type: "a\nb" }).type, "", "control character: dropped");
    assert.equal(new Blob([], { type: "a\x7fb" }).type, "", "DEL: dropped");
    assert.equal(new Blob([], {}).type, "");
  }

  // ---- slice ---------------------------------------------------------------------------
  {
    const b = new Blob(["0123456789"], { type: "text/plain" });
    assert.equal(b.size, 10);
    const cases = [
      [[], "0123456789"], [[2], "23456789"], [[2, 5], "234"], [[-3], "789"], [[-3, -1], "78"],
      [[5, 2], ""], [[0, 100], "0123456789"], [[-100, 2], "01"], [[100], ""], [[1.9, 3.9], "12"],
      [[NaN, 3], "012"], [[undefined, 4], "0123"],
    ];
    for (const [args, want] of cases) assert.equal(await b.slice(...args).text(), want, "slice(" + args.join(",") + ")");
    assert.equal(b.slice().type, "", "a slice has no type unless given");
    assert.equal(b.slice(0, 1, "Image/PNG").type, "image/png", "contentType lowercased");
    assert.equal(b.slice(0, 1, "é").type, "", "invalid contentType dropped");
    const s2 = b.slice(2, 8).slice(1, -1);
    assert.equal(await s2.text(), "3456", "slice of a slice");
    assert.equal(s2.size, 4);
    assert(b.slice() instanceof Blob && !(b.slice() instanceof File));
  }

  // ---- reading -------------------------------------------------------------------------
  {
    const b = new Blob(["\ufeffhé"]);
    assert.equal(await b.text(), "hé", "text() strips a UTF-8 BOM");
    const bad = new Blob([new Uint8Array([0x61, 0xff, 0x62])]);
    assert.equal(await bad.text(), "a\ufffdb", "invalid UTF-8 decodes to U+FFFD");
    const ab = await new Blob(["abc"]).arrayBuffer();
    assert(ab instanceof ArrayBuffer);
    assert.equal(bytesOf(new Uint8Array(ab)), "97,98,99");
    const u = await new Blob(["abc"]).bytes();
    assert(u instanceof Uint8Array);
    u[0] = 0;
    assert.equal(await new Blob(["abc"]).text(), "abc");
    const b2 = new Blob(["xyz"]);
    (await b2.bytes())[0] = 0;
    assert.equal(await b2.text(), "xyz", "bytes() is a copy");
    assert(b2.text() instanceof Promise && b2.arrayBuffer() instanceof Promise && b2.bytes() instanceof Promise);
  }
  {
    // stream(): Uint8Array chunks that together are the bytes
    const n = 200000;
    const src = new Uint8Array(n);
    for (let i = 0; i < n; i++) src[i] = i % 251;
    const s = new Blob([src]).stream();
    assert(s instanceof ReadableStream);
    let total = 0, chunks = 0, ok = true;
    for await (const c of s) {
      assert(c instanceof Uint8Array, "stream chunks are Uint8Array");
      for (let i = 0; i < c.length; i++) if (c[i] !== (total + i) % 251) ok = false;
      total += c.length;
      chunks++;
    }
    assert.equal(total, n, "stream() gives every byte");
    assert(ok, "in order");
    assert(chunks > 1, "in several chunks");
    const r = new Blob([]).stream().getReader();
    assert.equal((await r.read()).done, true, "an empty Blob's stream ends at once");
    const r2 = new Blob(["hi"]).stream().getReader();
    const first = await r2.read();
    assert.equal(bytesOf(first.value), "104,105");
    assert.equal((await r2.read()).done, true);
  }

  // ---- File ----------------------------------------------------------------------------
  {
    const before = Date.now();
    const f = new File(["data"], "name.txt", { type: "TEXT/plain" });
    assert(f instanceof File && f instanceof Blob);
    assert.equal(f.name, "name.txt");
    assert.equal(f.type, "text/plain");
    assert.equal(f.size, 4);
    assert(f.lastModified >= before && f.lastModified <= Date.now(), "lastModified defaults to now");
    assert.equal(new File([], "x", { lastModified: 1234.9 }).lastModified, 1234);
    assert.equal(new File([], 5).name, "5");
    assert.equal(f.webkitRelativePath, "");
    assert.equal(Object.prototype.toString.call(f), "[object File]");
    assert.equal(Object.prototype.toString.call(new Blob()), "[object Blob]");
    assert.equal(await f.text(), "data");
    assert(!(f.slice(0, 2) instanceof File), "a File's slice is a Blob");
    let threw = false;
    try { new File(["x"]); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "File needs a name");
    const ff = new File([f, new Blob(["!"])], "both");
    assert.equal(await ff.text(), "data!", "Blobs and Files as parts");
  }

  // ---- FormData ------------------------------------------------------------------------
  {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", "2");
    fd.append("a", "3");
    fd.append("n", 4);
    assert.equal(fd.get("a"), "1", "get gives the first");
    assert.equal(fd.getAll("a").join(","), "1,3");
    assert.equal(fd.get("n"), "4", "values are strings");
    assert.equal(fd.get("none"), null);
    assert.equal(fd.getAll("none").length, 0);
    assert.equal(fd.has("b"), true);
    assert.equal(fd.has("c"), false);
    assert.equal(Array.from(fd.keys()).join(","), "a,b,a,n", "order of append");
    fd.set("a", "x");
    assert.equal(Array.from(fd.entries()).map(([k, v]) => k + "=" + v).join("&"), "a=x&b=2&n=4",
      "set replaces the first in place and removes the others");
    fd.set("c", "new");
    assert.equal(Array.from(fd.keys()).join(","), "a,b,n,c", "set of a new name appends");
    fd.delete("b");
    assert.equal(fd.has("b"), false);
    assert.equal(Array.from(fd.values()).join(","), "x,4,new");
    const seen = [];
    for (const [k, v] of fd) seen.push(k + v);
    assert.equal(seen.join(","), "ax,n4,cnew", "iteration is entries()");
    const fe = [];
    const thisArg = {};
    fd.forEach(function (v, k, self) { fe.push(k + v); assert(self === fd && this === thisArg, "forEach's arguments"); }, thisArg);
    assert.equal(fe.join(","), "ax,n4,cnew");
    fd.append("lone", "\ud800");
    assert.equal(fd.get("lone"), "\ufffd", "names and values are USVStrings");
    let threw = false;
    try { fd.append("only-name"); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "append needs two arguments");
    threw = false;
    try { fd.append("s", "str", "file.txt"); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "a filename with a string value is a TypeError");
    assert.equal(Object.prototype.toString.call(fd), "[object FormData]");
  }
  {
    // file entries
    const fd = new FormData();
    const blob = new Blob(["bytes"], { type: "application/x-thing" });
    fd.append("b", blob);
    const got = fd.get("b");
    assert(got instanceof File, "a Blob becomes a File");
    assert.equal(got.name, "blob", "named 'blob'");
    assert.equal(got.type, "application/x-thing");
    assert.equal(await got.text(), "bytes");
    fd.append("b2", blob, "given.bin");
    assert.equal(fd.get("b2").name, "given.bin");
    const file = new File(["f"], "orig.txt", { lastModified: 5 });
    fd.append("f", file);
    assert(fd.get("f") === file, "a File without a filename is kept as it is");
    fd.set("f2", file, "renamed.txt");
    const renamed = fd.get("f2");
    assert(renamed !== file && renamed.name === "renamed.txt", "a filename makes a new File");
    assert.equal(renamed.lastModified, 5, "keeping lastModified");
    assert.equal(await renamed.text(), "f");
    // a live iterator sees later appends
    const it = fd.keys();
    const firstKey = it.next().value;
    fd.append("late", "v");
    const rest = Array.from(it);
    assert.equal(firstKey, "b");
    assert.equal(rest[rest.length - 1], "late", "iterators walk the live list");
  }
  console.log("web_blob: ok");
})().catch((e) => { console.error("FAIL", e, e && e.stack); process.exit(1); });
