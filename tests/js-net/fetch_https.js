// env: GP_TEST_WITH_CERT=1
// HTTPS with the test server's self-signed certificate trusted through SSL_CERT_FILE:
// TLS verification is on and passes, HTTP/2 is used where the server offers it (the
// server speaks both), and several requests to one origin reuse one connection.
const base = process.env.GP_TEST_HTTPS;
assert(base && base.startsWith("https://localhost:"), "GP_TEST_HTTPS is set by tests/net/with-server.sh");

(async () => {
  const r = await fetch(base + "/echo?x=1", { method: "POST", body: "secure" });
  assert.equal(r.status, 200);
  const e = await r.json();
  assert.equal(e.httpVersion, "2.0", "HTTP/2 is negotiated with a server that offers it");
  assert.equal(e.bodyText, "secure");
  assert.equal(e.query.x, "1");
  // one connection for requests made one after another (HTTP/2: one stream each)
  const ports = new Set();
  for (let i = 0; i < 5; i++) ports.add((await (await fetch(base + "/echo")).json()).remotePort);
  assert.equal(ports.size, 1, `requests reused one connection (client ports: ${[...ports]})`);
  // several at once share it too
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    fetch(`${base}/length?bytes=${1000 + i}`).then((x) => x.bytes())));
  many.forEach((b, i) => assert.equal(b.length, 1000 + i));
  // a compressed body over HTTP/2
  assert.equal((await (await fetch(base + "/gzip?bytes=5000")).text()).length, 5000);
  console.log("fetch_https: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
