// env: GP_TEST_WITH_PROXY=1
// env: GP_TEST_WITH_CERT=1
// Proxies from the environment: with http_proxy/https_proxy pointing at the test server
// (a forward proxy), a request for a host that does not resolve here reaches the proxy
// in absolute form, and an https: URL goes through a CONNECT tunnel.
const proxy = process.env.http_proxy;
assert(proxy, "http_proxy is set by tests/net/with-server.sh");

(async () => {
  const e = await (await fetch("http://only-the-proxy-knows.invalid/echo?via=proxy")).json();
  assert.equal(e.proxied, true, "the request reached the proxy in absolute form");
  assert.equal(e.url, "http://only-the-proxy-knows.invalid/echo?via=proxy");
  assert.equal(e.host, "only-the-proxy-knows.invalid");
  const s = await (await fetch(process.env.GP_TEST_HTTPS + "/echo?tls=1")).json();
  assert.equal(s.query.tls, "1");
  const log = await (await fetch(proxy + "/log")).json();
  assert.ok(log.some((q) => q.method === "CONNECT" && q.url === new URL(process.env.GP_TEST_HTTPS).host),
            "https went through a CONNECT tunnel");
  console.log("fetch_proxy: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
