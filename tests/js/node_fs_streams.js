// fs.createWriteStream / fs.createReadStream: events in Node's order (open, ready, then
// data/end/close or finish/close), back-pressure (write() false past highWaterMark,
// then 'drain'), UTF-8 split across pieces, start/end ranges, pause/resume, async
// iteration, pipe between files, append mode, readline over a file, and errors as
// 'error' events.
const fs = require("fs");
const os = require("os");
const path = require("path");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-fs-streams-"));
const f = (n) => path.join(dir, n);
const once = (em, name) => new Promise((resolve) => em.once(name, resolve));

(async () => {
  // writing: events, back-pressure, bytesWritten
  const ws = fs.createWriteStream(f("w.txt"), { highWaterMark: 1024 });
  const events = [];
  for (const e of ["open", "ready", "drain", "finish", "close"]) ws.on(e, () => events.push(e));
  let sawFalse = false;
  for (let i = 0; i < 200; i++) if (ws.write(`line ${i} é\n`) === false) sawFalse = true;
  assert.ok(sawFalse, "write() says false past highWaterMark");
  let endCb = false;
  ws.end("last\n", () => { endCb = true; });
  await once(ws, "close");
  assert.ok(endCb);
  assert.deepEqual(events.filter((e) => e !== "drain"), ["open", "ready", "finish", "close"]);
  const expected = Array.from({ length: 200 }, (_, i) => `line ${i} é\n`).join("") + "last\n";
  assert.equal(fs.readFileSync(f("w.txt"), "utf8"), expected);
  assert.equal(ws.bytesWritten, Buffer.byteLength(expected));

  // drain after a full buffer
  const ws2 = fs.createWriteStream(f("d.txt"), { highWaterMark: 16 });
  assert.equal(ws2.write("0123456789abcdefXYZ"), false);
  await once(ws2, "drain");
  ws2.end();
  await once(ws2, "finish");

  // append mode
  const wa = fs.createWriteStream(f("d.txt"), { flags: "a" });
  wa.end("+");
  await once(wa, "close");
  assert.equal(fs.readFileSync(f("d.txt"), "utf8"), "0123456789abcdefXYZ+");

  // reading: small pieces, UTF-8 across piece boundaries
  const rs = fs.createReadStream(f("w.txt"), { encoding: "utf8", highWaterMark: 7 });
  const order = [];
  let text = "", pieces = 0;
  rs.on("open", () => order.push("open"));
  rs.on("data", (c) => { assert.equal(typeof c, "string"); text += c; pieces++; });
  rs.on("end", () => order.push("end"));
  await once(rs, "close");
  assert.equal(text, expected);
  assert.ok(pieces > 100);
  assert.deepEqual(order, ["open", "end"]);

  // Buffers, a byte range, pause and resume
  const rb = fs.createReadStream(f("w.txt"), { start: 5, end: 9 });
  const got = [];
  rb.on("data", (c) => { assert.ok(Buffer.isBuffer(c)); got.push(c); rb.pause(); setTimeout(() => rb.resume(), 5); });
  await once(rb, "end");
  assert.equal(Buffer.concat(got).toString(), "0 é\n");

  // async iteration
  let it = "";
  for await (const c of fs.createReadStream(f("d.txt"), { highWaterMark: 4 })) it += c.toString();
  assert.equal(it, "0123456789abcdefXYZ+");

  // pipe between files
  const dst = fs.createWriteStream(f("copy.txt"));
  fs.createReadStream(f("w.txt"), { highWaterMark: 100 }).pipe(dst);
  await once(dst, "close");
  assert.equal(fs.readFileSync(f("copy.txt"), "utf8"), expected);

  // readline reads a file stream line by line
  const rl = require("readline").createInterface({ input: fs.createReadStream(f("w.txt"), { highWaterMark: 5 }) });
  const lines = [];
  for await (const line of rl) lines.push(line);
  assert.equal(lines.length, 201);
  assert.equal(lines[3], "line 3 é");
  assert.equal(lines[200], "last");

  // errors
  const bad = fs.createReadStream(f("nope"));
  const e = await once(bad, "error");
  assert.equal(e.code, "ENOENT");
  assert.equal(e.syscall, "open");
  const badw = fs.createWriteStream(f("nodir/x"));
  assert.equal((await once(badw, "error")).code, "ENOENT");
  const c = new AbortController();
  const ra = fs.createReadStream(f("w.txt"), { signal: c.signal });
  c.abort();
  assert.equal((await once(ra, "error")).name, "AbortError");

  fs.rmSync(dir, { recursive: true });
  console.log("node_fs_streams: ok");
})().catch((e) => {
  console.error("FAIL", e && e.stack ? e + "\n" + e.stack : e);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
