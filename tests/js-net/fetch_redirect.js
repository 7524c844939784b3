// Redirects: follow (301/302/303 turn POST into GET without a body, 307/308 keep both),
// manual (the 3xx itself), error (TypeError), at most 20 (a 21st fails, a loop fails),
// relative locations, and a cross-host redirect that drops Authorization and Cookie
// (127.0.0.1 -> localhost: another origin) while a same-host one keeps them.
const base = process.env.GP_TEST_HTTP, alt = process.env.GP_TEST_HTTP_ALT;
const enc = encodeURIComponent;

(async () => {
  for (const code of [301, 302, 303]) {
    const r = await fetch(`${base}/redirect?code=${code}&to=${enc("/echo")}`, { method: "POST", body: "data", headers: { "Content-Type": "text/plain" } });
    assert.equal(r.status, 200);
    assert.equal(r.redirected, true);
    assert.equal(r.url, base + "/echo");
    const e = await r.json();
    assert.equal(e.method, "GET", `${code} turns POST into GET`);
    assert.equal(e.bodyLength, 0);
    assert.ok(!e.headers.some(([k]) => k === "content-type"), `${code} drops the body's headers`);
  }
  for (const code of [307, 308]) {
    const e = await (await fetch(`${base}/redirect?code=${code}&to=${enc("/echo")}`, { method: "POST", body: "data" })).json();
    assert.equal(e.method, "POST", `${code} keeps the method`);
    assert.equal(e.bodyText, "data", `${code} keeps the body`);
  }
  const put = await (await fetch(`${base}/redirect?code=302&to=${enc("/echo")}`, { method: "PUT", body: "p" })).json();
  assert.equal(put.method, "PUT", "302 keeps methods other than POST");

  // manual: the redirect response itself
  const m = await fetch(`${base}/redirect?code=302&to=${enc("/echo")}`, { redirect: "manual" });
  assert.equal(m.status, 302);
  assert.equal(m.headers.get("location"), "/echo");
  assert.equal(m.redirected, false);
  // error
  const err = await assert.rejects(() => fetch(`${base}/redirect?code=301&to=${enc("/echo")}`, { redirect: "error" }), TypeError);
  assert.equal(err.message, "fetch failed");
  // 20 hops are fine, 21 are not, a loop is not
  const twenty = await fetch(`${base}/redirect-chain?n=20`);
  assert.equal(await twenty.text(), "done");
  assert.equal(twenty.redirected, true);
  await assert.rejects(() => fetch(`${base}/redirect-chain?n=21`), TypeError);
  await assert.rejects(() => fetch(`${base}/redirect-loop`), TypeError);

  // credentials across hosts
  const secret = { Authorization: "Bearer sekret", Cookie: "session=1", "X-Keep": "kept" };
  const same = await (await fetch(`${base}/redirect?code=302&to=${enc(base + "/echo")}`, { headers: secret })).json();
  assert.ok(same.headers.some(([k, v]) => k === "authorization" && v === "Bearer sekret"), "same origin keeps Authorization");
  assert.ok(same.headers.some(([k]) => k === "cookie"), "same origin keeps Cookie");
  const cross = await fetch(`${base}/redirect?code=302&to=${enc(alt + "/echo")}`, { headers: secret });
  assert.equal(cross.url, alt + "/echo");
  const ce = await cross.json();
  assert.equal(ce.host, new URL(alt).host, "the second hop went to the other host");
  assert.ok(!ce.headers.some(([k]) => k === "authorization"), "Authorization dropped across hosts");
  assert.ok(!ce.headers.some(([k]) => k === "cookie"), "Cookie dropped across hosts");
  assert.ok(ce.headers.some(([k, v]) => k === "x-keep" && v === "kept"), "other headers kept");
  console.log("fetch_redirect: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
