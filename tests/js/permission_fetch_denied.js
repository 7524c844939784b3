// flags: --permission
// Under --permission, fetch to a host not granted rejects with ERR_ACCESS_DENIED naming
// the URL and the --allow-net flag, before any connection is made (no network needed).
(async () => {
  if (typeof URL === "undefined") {  // fetch needs the URL class (src/js/lib/web/url.js)
    console.log("permission_fetch_denied: skipped, no URL class in this build");
    process.exit(77); // ctest reports it as skipped
  }
  const e = await assert.rejects(() => fetch("https://example.invalid/x"), { code: "ERR_ACCESS_DENIED" });
  assert.ok(e.message.includes("https://example.invalid/x"), e.message);
  assert.ok(e.message.includes("--allow-net=example.invalid"), e.message);
  assert.equal(await (await fetch("data:,plain")).text(), "plain");
  console.log("permission_fetch_denied: ok");
})().catch((e) => { console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e); process.exit(1); });
