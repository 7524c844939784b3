// flags: --allow-net=localhost --allow-env
// With --permission (implied by --allow-net), fetch reaches only the granted hosts: a
// denied request rejects with ERR_ACCESS_DENIED naming the URL and the flag that would
// grant it, before anything is sent; a redirect to a host not granted is denied at that
// hop; data: URLs need no grant.
const base = process.env.GP_TEST_HTTP, alt = process.env.GP_TEST_HTTP_ALT;
const port = new URL(base).port;

(async () => {
  assert.equal(process.permission.has("net", "localhost"), true);
  assert.equal(process.permission.has("net", "127.0.0.1"), false);
  const e = await assert.rejects(() => fetch(`${base}/echo?denied=1`));
  assert.equal(e.code, "ERR_ACCESS_DENIED");
  assert.ok(e.message.includes(`--allow-net=127.0.0.1:${port}`), e.message);
  assert.ok(e.message.includes(`http://127.0.0.1:${port}/echo`), e.message);
  const ok = await fetch(`${alt}/echo`);
  assert.equal(ok.status, 200);
  const log = await (await fetch(`${alt}/log`)).json();
  assert.ok(!log.some((q) => q.url.includes("denied=1")), "a denied request sends nothing");
  const hop = await assert.rejects(() => fetch(`${alt}/redirect?code=302&to=${encodeURIComponent(base + "/echo")}`));
  assert.equal(hop.code, "ERR_ACCESS_DENIED");
  assert.equal(await (await fetch("data:,plain")).text(), "plain");
  console.log("fetch_permission: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
