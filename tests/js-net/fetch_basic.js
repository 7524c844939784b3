// fetch against a real HTTP server (tests/net/server.mjs): every method and body type,
// headers both ways (case-insensitive, multi-valued, iteration order), status codes,
// chunked and content-length bodies, gzip/deflate/br decoding, the body readers, clone()
// and bodyUsed, and the Request/Response constructors.
const base = process.env.GP_TEST_HTTP;
assert(base, "GP_TEST_HTTP is set by tests/net/with-server.sh");
const echo = async (init, path = "/echo") => (await fetch(base + path, init)).json();
const pattern = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = i % 251; return b; };
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

(async () => {
  // methods
  for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]) {
    const e = await echo({ method: m });
    assert.equal(e.method, m);
  }
  assert.equal((await echo({ method: "post" })).method, "POST", "standard methods are upper-cased");
  const head = await fetch(base + "/echo", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null, "HEAD has no body");
  assert.equal(await head.text(), "");

  // request bodies of each type, with their default content types
  const bodies = [
    ["string é", "text/plain;charset=UTF-8", new TextEncoder().encode("string é")],
    [new Uint8Array([0, 1, 2, 255]), null, new Uint8Array([0, 1, 2, 255])],
    [new Uint8Array([9, 8, 7]).buffer, null, new Uint8Array([9, 8, 7])],
    [new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2), null, new Uint8Array([6, 7])],
    [new URLSearchParams({ a: "1 2", b: "ü" }), "application/x-www-form-urlencoded;charset=UTF-8",
     new TextEncoder().encode("a=1+2&b=%C3%BC")],
    [new Blob(["blob", new Uint8Array([33])], { type: "text/x-blob" }), "text/x-blob", new TextEncoder().encode("blob!")],
  ];
  for (const [body, type, bytes] of bodies) {
    const e = await echo({ method: "POST", body });
    const ct = e.headers.find(([k]) => k === "content-type");
    assert.equal(ct ? ct[1] : null, type, "content-type of " + Object.prototype.toString.call(body));
    assert.ok(sameBytes(Uint8Array.from(atob(e.bodyBase64), (c) => c.charCodeAt(0)), bytes),
              "body bytes of " + Object.prototype.toString.call(body));
  }
  const fd = new FormData();
  fd.append("field", "value");
  fd.append("file", new Blob(["file body"], { type: "text/plain" }), "a.txt");
  const fe = await echo({ method: "POST", body: fd });
  const fct = fe.headers.find(([k]) => k === "content-type")[1];
  assert.ok(/^multipart\/form-data; boundary=/.test(fct), fct);
  assert.ok(fe.bodyText.includes('name="field"\r\n\r\nvalue\r\n'), fe.bodyText);
  assert.ok(fe.bodyText.includes('filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n'), fe.bodyText);
  // an explicit content-type wins
  const own = await echo({ method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
  assert.deepEqual(own.headers.filter(([k]) => k === "content-type"), [["content-type", "application/json"]]);
  await assert.rejects(() => fetch(base + "/echo", { method: "GET", body: "x" }), TypeError);

  // request headers: names are case-insensitive, several values sent
  const h = new Headers([["X-One", "1"], ["x-one", "2"], ["X-Two", " spaced  "]]);
  assert.equal(h.get("X-ONE"), "1, 2");
  assert.equal(h.get("x-two"), "spaced");
  const eh = await echo({ headers: h });
  assert.equal(eh.headers.filter(([k]) => k === "x-one").map(([, v]) => v).join(", "), "1, 2");
  assert.ok(eh.headers.some(([k, v]) => k === "user-agent" && /^geppetto\//.test(v)));
  assert.ok(eh.headers.some(([k, v]) => k === "accept" && v === "*/*"));
  assert.throws(() => new Headers({ "bad name": "x" }), TypeError);
  assert.throws(() => new Headers({ ok: "bad\nvalue" }), TypeError);

  // response headers: multi-valued, sorted iteration, set-cookie kept apart
  const rh = await fetch(base + "/headers?h=X-Multi:a&h=X-Multi:b&h=Set-Cookie:c=1&h=Set-Cookie:d=2&h=A-First:z");
  assert.equal(rh.headers.get("x-multi"), "a, b");
  assert.deepEqual(rh.headers.getSetCookie(), ["c=1", "d=2"]);
  const keys = [...rh.headers.keys()];
  assert.deepEqual(keys, [...keys].sort(), "headers iterate sorted by name");
  assert.equal(keys[0], "a-first");
  assert.equal([...rh.headers].filter(([k]) => k === "set-cookie").length, 2);
  assert.throws(() => rh.headers.set("x", "y"), TypeError, "a fetched response's headers are immutable");
  assert.equal(await rh.text(), "ok");

  // status codes
  for (const code of [200, 201, 299, 400, 404, 418, 500, 503]) {
    const r = await fetch(base + "/status/" + code);
    assert.equal(r.status, code);
    assert.equal(r.ok, code < 300);
    assert.equal(await r.text(), "status " + code);
  }
  const nc = await fetch(base + "/status/204");
  assert.equal(nc.status, 204);
  assert.equal(nc.body, null);
  assert.equal((await fetch(base + "/status/200?text=Fine%20Thanks")).statusText, "Fine Thanks");

  // chunked and content-length bodies, byte for byte
  const ch = await fetch(base + "/chunked?n=50&size=1000&delayMs=1");
  assert.equal(ch.headers.get("content-length"), null);
  assert.ok(sameBytes(await ch.bytes(), pattern(50000)));
  const cl = await fetch(base + "/length?bytes=123457");
  assert.equal(cl.headers.get("content-length"), "123457");
  const ab = await cl.arrayBuffer();
  assert.ok(ab instanceof ArrayBuffer);
  assert.ok(sameBytes(new Uint8Array(ab), pattern(123457)));

  // compressed bodies are decoded
  for (const enc of ["gzip", "deflate", "br"]) {
    const r = await fetch(base + "/" + enc + "?bytes=100000");
    assert.equal(r.headers.get("content-encoding"), enc);
    const text = await r.text();
    assert.equal(text.length, 100000, enc);
    assert.ok(text.startsWith("hello compressed world hello"), enc);
  }

  // body readers: once only; clone() reads twice
  const r1 = await fetch(base + "/echo");
  const r2 = r1.clone();
  assert.equal(r1.bodyUsed, false);
  const j1 = await r1.json();
  assert.equal(r1.bodyUsed, true);
  await assert.rejects(() => r1.text(), TypeError);
  assert.deepEqual(await r2.json(), j1);
  const r3 = await fetch(base + "/length?bytes=10");
  assert.ok(sameBytes(await r3.bytes(), pattern(10)));
  assert.throws(() => r3.clone(), TypeError);
  await assert.rejects(async () => (await fetch(base + "/status/200")).json(), SyntaxError);

  // constructors
  const req = new Request(base + "/echo?q=1", { method: "PUT", body: "payload", headers: { "X-R": "r" } });
  assert.equal(req.method, "PUT");
  assert.equal(req.url, base + "/echo?q=1");
  const er = await (await fetch(req)).json();
  assert.equal(er.method, "PUT");
  assert.equal(er.bodyText, "payload");
  assert.ok(er.headers.some(([k, v]) => k === "x-r" && v === "r"));
  assert.throws(() => new Request("not a url"), TypeError);
  assert.throws(() => new Response("x", { status: 99 }), RangeError);
  assert.throws(() => new Response("x", { status: 204 }), TypeError);
  const made = new Response("made", { status: 201, headers: { "X-M": "1" } });
  assert.equal(made.status, 201);
  assert.equal(made.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await made.text(), "made");
  assert.deepEqual(await Response.json({ a: 1 }).json(), { a: 1 });
  assert.equal(Response.redirect(base + "/x", 307).headers.get("location"), base + "/x");
  assert.equal(Response.error().type, "error");
  const streamed = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } }));
  assert.equal(await streamed.text(), "hi");
  const dataUrl = await fetch("data:text/plain;base64,aGVsbG8=");
  assert.equal(await dataUrl.text(), "hello");
  await assert.rejects(() => fetch("ftp://example.com/"), TypeError);
  console.log("fetch_basic: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
