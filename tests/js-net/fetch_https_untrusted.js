// TLS verification is on: a server whose certificate is not trusted (the test server's
// self-signed one, with no SSL_CERT_FILE naming it) fails with TypeError("fetch failed")
// whose cause.code names the certificate problem; plain HTTP keeps working, and
// connections to one origin are reused over HTTP/1.1 too.
const base = process.env.GP_TEST_HTTPS, plain = process.env.GP_TEST_HTTP;

(async () => {
  const e = await assert.rejects(() => fetch(base + "/echo"), TypeError);
  assert.equal(e.message, "fetch failed");
  assert.ok(e.cause && /CERT/.test(e.cause.code), `cause.code names the certificate: ${e.cause && e.cause.code}`);
  console.log("untrusted certificate:", e.cause.code);
  const ports = new Set();
  for (let i = 0; i < 5; i++) {
    const x = await (await fetch(plain + "/echo")).json();
    assert.equal(x.httpVersion, "1.1");
    ports.add(x.remotePort);
  }
  assert.equal(ports.size, 1, `HTTP/1.1 keep-alive reuses one connection (client ports: ${[...ports]})`);
  console.log("fetch_https_untrusted: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
