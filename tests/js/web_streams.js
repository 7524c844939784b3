// ReadableStream (WHATWG Streams, default streams; SPEC §3.1): underlying sources with
// start/pull/cancel, the default reader (read, releaseLock, closed), async iteration with
// early exit and preventCancel, errors, queuing strategies and desiredSize, back-pressure,
// tee(), ReadableStream.from, locking, and 100 000 chunks read in linear time.
// pipeTo/pipeThrough exist but reject/throw: there is no WritableStream/TransformStream.
// expect-stdout: web_streams: ok
// timeout: 60

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
async function readAll(stream) {
  const out = [];
  const r = stream.getReader();
  for (;;) {
    const { value, done } = await r.read();
    if (done) break;
    out.push(value);
  }
  r.releaseLock();
  return out;
}
async function rejects(p, check, what) {
  let err, ok = false;
  try { await p; ok = true; } catch (e) { err = e; }
  assert(!ok, what + ": expected a rejection");
  if (check) assert(check(err), what + ": wrong error " + err);
  return err;
}

(async () => {
  // ---- start / pull / cancel -------------------------------------------------------------
  {
    const log = [];
    let ctl;
    const src = {
      start(c) { ctl = c; log.push("start"); assert(this === src, "start's this is the source"); },
      pull(c) { log.push("pull"); assert(c === ctl, "pull gets the controller"); },
      cancel(r) { log.push("cancel:" + r); },
    };
    const s = new ReadableStream(src);
    assert.equal(log.join(","), "start", "start runs synchronously, pull waits for it");
    assert(ctl instanceof ReadableStreamDefaultController);
    assert.equal(ctl.desiredSize, 1, "default highWaterMark is 1");
    await tick();
    assert.equal(log.join(","), "start,pull", "pull once the start settled (queue below highWaterMark)");
    ctl.enqueue("a");
    assert.equal(ctl.desiredSize, 0);
    await tick();
    assert.equal(log.filter((x) => x === "pull").length, 1, "no pull while the queue is full");
    const r = s.getReader();
    const first = await r.read();
    assert.equal(first.value, "a");
    assert.equal(first.done, false);
    await tick();
    assert.equal(log.filter((x) => x === "pull").length, 2, "a read makes room: pull again");
    const pending = r.read();
    ctl.enqueue("b");
    assert.equal((await pending).value, "b", "a waiting read gets the chunk directly");
    const cancelP = r.cancel("why");
    assert.equal(await cancelP, undefined, "cancel resolves with undefined");
    assert(log.includes("cancel:why"), "source's cancel called with the reason");
    assert.equal((await r.read()).done, true, "reads after cancel are done");
    let threw = false;
    try { ctl.enqueue("c"); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "enqueue after cancel is a TypeError");
  }
  // a start returning a promise delays pull
  {
    let resolveStart, pulled = 0;
    const s = new ReadableStream({
      start() { return new Promise((r) => (resolveStart = r)); },
      pull(c) { pulled++; c.enqueue(pulled); },
    });
    await tick(5);
    assert.equal(pulled, 0, "no pull before start resolves");
    resolveStart();
    const r = s.getReader();
    assert.equal((await r.read()).value, 1);
    r.releaseLock();
  }
  // close with chunks queued: they are read first, then done; closed resolves
  {
    const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
    const r = s.getReader();
    let closedResolved = false;
    r.closed.then(() => (closedResolved = true));
    assert.equal((await r.read()).value, 1);
    assert.equal((await r.read()).value, 2);
    assert.equal((await r.read()).done, true);
    await tick();
    assert(closedResolved, "closed resolves once the queue is drained after close()");
    assert.equal((await r.read()).done, true, "read after done is done again");
    r.releaseLock();
    assert.equal(await s.cancel(), undefined, "cancel of a closed stream resolves");
  }
  // closing twice, enqueue after close
  {
    let ctl;
    new ReadableStream({ start(c) { ctl = c; } });
    ctl.close();
    let threw = 0;
    try { ctl.close(); } catch (e) { threw += e instanceof TypeError; }
    try { ctl.enqueue(1); } catch (e) { threw += e instanceof TypeError; }
    assert.equal(threw, 2, "close twice and enqueue after close are TypeErrors");
  }

  // ---- reader: releaseLock and closed ---------------------------------------------------
  {
    let ctl;
    const s = new ReadableStream({ start(c) { ctl = c; } });
    const r = s.getReader();
    assert.equal(s.locked, true);
    const pending = r.read();
    const closed = r.closed;
    r.releaseLock();
    assert.equal(s.locked, false, "released");
    await rejects(pending, (e) => e instanceof TypeError, "a pending read when the lock is released");
    await rejects(closed, (e) => e instanceof TypeError, "closed after releaseLock");
    await rejects(r.read(), (e) => e instanceof TypeError, "read on a released reader");
    r.releaseLock(); // twice is harmless
    const r2 = s.getReader();
    ctl.enqueue("after");
    assert.equal((await r2.read()).value, "after", "a new reader after releaseLock");
    r2.releaseLock();
  }

  // ---- locking ---------------------------------------------------------------------------
  {
    const s = new ReadableStream();
    assert.equal(s.locked, false);
    const r = s.getReader();
    assert(r instanceof ReadableStreamDefaultReader);
    let threw = 0;
    try { s.getReader(); } catch (e) { threw += e instanceof TypeError; }
    try { new ReadableStreamDefaultReader(s); } catch (e) { threw += e instanceof TypeError; }
    try { s.values(); } catch (e) { threw += e instanceof TypeError; }
    try { s.tee(); } catch (e) { threw += e instanceof TypeError; }
    assert.equal(threw, 4, "getReader twice, a second reader, values() and tee() of a locked stream throw TypeError");
    await rejects(s.cancel(), (e) => e instanceof TypeError, "cancel of a locked stream");
    threw = false;
    try { s.getReader({ mode: "byob" }); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "BYOB readers are not supported: TypeError");
    r.releaseLock();
  }

  // ---- async iteration -----------------------------------------------------------------
  {
    const canceled = [];
    let n = 0;
    const s = new ReadableStream({
      pull(c) { c.enqueue(++n); },
      cancel(r) { canceled.push(r); },
    });
    const got = [];
    for await (const v of s) { got.push(v); if (v === 3) break; }
    assert.equal(got.join(","), "1,2,3");
    assert.equal(canceled.length, 1, "break cancels the stream");
    assert.equal(canceled[0], undefined, "with an undefined reason");
    assert.equal(s.locked, false, "and releases the lock");
    assert.equal((await s.getReader().read()).done, true, "the stream is closed");
  }
  {
    let canceled = false, n = 0;
    const s = new ReadableStream({ pull(c) { c.enqueue(++n); }, cancel() { canceled = true; } });
    for await (const v of s.values({ preventCancel: true })) if (v === 2) break;
    assert.equal(canceled, false, "preventCancel: break does not cancel");
    assert.equal(s.locked, false, "but releases the lock");
    const r = s.getReader();
    assert.equal((await r.read()).value, 3, "reading goes on where it stopped");
    r.releaseLock();
    // a throw in the loop body cancels too
    let reason = "none";
    const s2 = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel(r) { reason = r; } });
    try { for await (const v of s2) throw new Error("body"); } catch (e) { assert.equal(e.message, "body"); }
    assert.equal(reason, undefined, "a throw in the loop cancels with undefined");
    // an errored stream makes the loop throw
    const boom = new Error("boom");
    const s3 = new ReadableStream({ start(c) { c.enqueue(1); c.error(boom); } });
    let caught;
    try { for await (const v of s3) { /* nothing */ } } catch (e) { caught = e; }
    assert(caught === boom, "for await rejects with the stream's error");
    // the iterator
    const it = new ReadableStream({ start(c) { c.enqueue("x"); c.close(); } })[Symbol.asyncIterator]();
    assert.equal(Object.prototype.toString.call(it), "[object ReadableStream AsyncIterator]");
    assert.equal((await it.next()).value, "x");
    assert.equal((await it.next()).done, true);
    assert.equal((await it.next()).done, true);
    assert.equal((await it.return("v")).value, "v");
  }

  // ---- errors ----------------------------------------------------------------------------
  {
    const e1 = new Error("e1");
    let ctl;
    const s = new ReadableStream({ start(c) { ctl = c; } });
    const r = s.getReader();
    const pending = r.read();
    ctl.error(e1);
    assert((await rejects(pending, null, "pending read")) === e1, "a pending read rejects with the error");
    assert((await rejects(r.read(), null, "later read")) === e1, "later reads too");
    assert((await rejects(r.closed, null, "closed")) === e1, "closed rejects");
    assert.equal(ctl.desiredSize, null, "desiredSize of an errored stream is null");
    ctl.error(new Error("ignored")); // no effect
    r.releaseLock();
    assert((await rejects(s.cancel(), null, "cancel of errored")) === e1, "cancel of an errored stream rejects");
    await rejects(s.getReader().closed, (e) => e === e1, "a new reader's closed rejects");
  }
  {
    const e2 = new Error("start threw");
    let threw = false;
    let s;
    try { s = new ReadableStream({ start() { throw e2; } }); } catch (e) { threw = e === e2; }
    assert(threw, "a throwing start throws from the constructor");
    const e3 = new Error("start rejected");
    s = new ReadableStream({ start() { return Promise.reject(e3); } });
    assert((await rejects(s.getReader().read(), null, "rejected start")) === e3, "a rejected start errors the stream");
    const e4 = new Error("pull threw");
    s = new ReadableStream({ pull() { throw e4; } });
    assert((await rejects(s.getReader().read(), null, "throwing pull")) === e4, "a throwing pull errors the stream");
    const e5 = new Error("cancel rejected");
    s = new ReadableStream({ cancel() { throw e5; } });
    assert((await rejects(s.cancel(), null, "throwing cancel")) === e5, "a throwing cancel rejects cancel()");
    // a throwing size() errors the stream and enqueue throws
    const e6 = new Error("size");
    let ctl;
    s = new ReadableStream({ start(c) { ctl = c; } }, { size() { throw e6; }, highWaterMark: 5 });
    let caught;
    try { ctl.enqueue(1); } catch (e) { caught = e; }
    assert(caught === e6, "enqueue throws size()'s error");
    assert((await rejects(s.getReader().read(), null, "after size threw")) === e6);
    // bad arguments
    let bad = 0;
    try { new ReadableStream({ pull: 5 }); } catch (e) { bad += e instanceof TypeError; }
    try { new ReadableStream({ type: "nope" }); } catch (e) { bad += e instanceof TypeError; }
    try { new ReadableStream({}, { highWaterMark: -1 }); } catch (e) { bad += e instanceof RangeError; }
    try { new ReadableStream({}, { highWaterMark: NaN }); } catch (e) { bad += e instanceof RangeError; }
    try { new ReadableStream({}, { size: 1 }); } catch (e) { bad += e instanceof TypeError; }
    try { new ReadableStreamDefaultController(); } catch (e) { bad += e instanceof TypeError; }
    assert.equal(bad, 6, "bad sources and strategies are rejected");
  }

  // ---- queuing strategies and desiredSize -------------------------------------------------
  {
    const cqs = new CountQueuingStrategy({ highWaterMark: 3 });
    assert.equal(cqs.highWaterMark, 3);
    assert.equal(cqs.size(), 1);
    assert.equal(cqs.size.name, "size");
    const bqs = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
    assert.equal(bqs.highWaterMark, 16);
    assert.equal(bqs.size(new Uint8Array(7)), 7);
    let threw = 0;
    try { new CountQueuingStrategy(); } catch (e) { threw += e instanceof TypeError; }
    try { new ByteLengthQueuingStrategy({}); } catch (e) { threw += e instanceof TypeError; }
    assert.equal(threw, 2, "highWaterMark is required");

    let ctl;
    const s = new ReadableStream({ start(c) { ctl = c; } }, cqs);
    assert.equal(ctl.desiredSize, 3);
    ctl.enqueue("a");
    ctl.enqueue("b");
    assert.equal(ctl.desiredSize, 1);
    ctl.enqueue("c");
    ctl.enqueue("d");
    assert.equal(ctl.desiredSize, -1, "desiredSize goes negative when over the mark");
    const r = s.getReader();
    await r.read();
    assert.equal(ctl.desiredSize, 0);
    ctl.close();
    assert.equal(ctl.desiredSize, 0, "close requested with chunks queued: still counted");
    await r.read(); await r.read(); await r.read();
    assert.equal((await r.read()).done, true);
    assert.equal(ctl.desiredSize, 0, "desiredSize of a closed stream is 0");

    let bctl;
    new ReadableStream({ start(c) { bctl = c; } }, bqs);
    assert.equal(bctl.desiredSize, 16);
    bctl.enqueue(new Uint8Array(10));
    assert.equal(bctl.desiredSize, 6);
    bctl.enqueue(new ArrayBuffer(10));
    assert.equal(bctl.desiredSize, -4, "byteLength of an ArrayBuffer counts too");
    // a highWaterMark of 0: pull only when a read waits
    let pulls = 0;
    const lazy = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); } }, { highWaterMark: 0 });
    await tick();
    assert.equal(pulls, 0, "highWaterMark 0: no pull before a read");
    const lr = lazy.getReader();
    assert.equal((await lr.read()).value, 1);
    await tick();
    assert.equal(pulls, 1, "one pull per read");
    lr.releaseLock();
  }

  // ---- back-pressure: pull runs only while desiredSize > 0 ------------------------------------
  {
    let pulls = 0, maxQueued = 0, ctl;
    const HWM = 4;
    const s = new ReadableStream({
      start(c) { ctl = c; },
      pull(c) {
        pulls++;
        c.enqueue(pulls);
        maxQueued = Math.max(maxQueued, HWM - c.desiredSize);
      },
    }, new CountQueuingStrategy({ highWaterMark: HWM }));
    await tick(10);
    assert.equal(pulls, HWM, "with no reader, pulls stop when the queue reaches the mark");
    const r = s.getReader();
    const reads = 20;
    for (let i = 0; i < reads; i++) {
      const { value } = await r.read();
      assert.equal(value, i + 1, "chunks in order");
      await tick(2); // a slow reader
    }
    assert(pulls <= reads + HWM + 1, `pulls bounded by reads + highWaterMark (${pulls})`);
    assert(pulls >= reads, "the source is pulled as the reader reads");
    assert(maxQueued <= HWM, "the queue never passes the mark: " + maxQueued);
    r.releaseLock();
    // pull is never called again while its promise is pending
    let concurrent = 0, maxConcurrent = 0, slowPulls = 0;
    const slow = new ReadableStream({
      async pull(c) {
        concurrent++; slowPulls++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await tick(3);
        c.enqueue(slowPulls);
        concurrent--;
      },
    }, { highWaterMark: 0 });
    const sr = slow.getReader();
    const all = await Promise.all([sr.read(), sr.read(), sr.read()]);
    assert.equal(all.map((x) => x.value).join(","), "1,2,3", "three waiting reads");
    assert.equal(maxConcurrent, 1, "one pull at a time");
    sr.releaseLock();
  }

  // ---- tee ------------------------------------------------------------------------------
  {
    const s = new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(i); c.close(); } });
    const [a, b] = s.tee();
    assert.equal(s.locked, true, "tee locks the source");
    assert(a instanceof ReadableStream && b instanceof ReadableStream);
    const [ga, gb] = await Promise.all([readAll(a), readAll(b)]);
    assert.equal(ga.join(","), "0,1,2,3,4", "branch 1 gets every chunk");
    assert.equal(gb.join(","), "0,1,2,3,4", "branch 2 gets every chunk");
    // one branch read first, the other later
    let n = 0;
    const s2 = new ReadableStream({ pull(c) { if (n < 3) c.enqueue(n++); else c.close(); } });
    const [c1, c2] = s2.tee();
    assert.equal((await readAll(c1)).join(","), "0,1,2");
    assert.equal((await readAll(c2)).join(","), "0,1,2", "the slower branch still gets all");
    // the same chunk object in both (not cloned)
    const obj = {};
    const [o1, o2] = new ReadableStream({ start(c) { c.enqueue(obj); c.close(); } }).tee();
    assert((await readAll(o1))[0] === obj && (await readAll(o2))[0] === obj, "chunks are shared");
  }
  {
    let reason = "not called";
    const s = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel(r) { reason = r; } });
    const [a, b] = s.tee();
    const pa = a.cancel("ra");
    await tick();
    assert.equal(reason, "not called", "canceling one branch does not cancel the source");
    const rb = b.getReader();
    assert.equal((await rb.read()).value, 1, "the other branch reads on");
    const pb = rb.cancel("rb");
    await Promise.all([pa, pb]);
    assert(Array.isArray(reason), "both canceled: the source is canceled with both reasons");
    assert.equal(reason.join(","), "ra,rb");
  }
  {
    const err = new Error("tee source failed");
    let ctl;
    const [a, b] = new ReadableStream({ start(c) { ctl = c; } }).tee();
    const ra = a.getReader(), rb = b.getReader();
    const pa = ra.read(), pb = rb.read();
    ctl.error(err);
    assert((await rejects(pa, null, "branch a")) === err, "an error reaches branch 1");
    assert((await rejects(pb, null, "branch b")) === err, "and branch 2");
  }

  // ---- ReadableStream.from ----------------------------------------------------------------
  {
    assert.equal(typeof ReadableStream.from, "function");
    assert.equal((await readAll(ReadableStream.from([1, 2, 3]))).join(","), "1,2,3", "from an array");
    assert.equal((await readAll(ReadableStream.from(new Set(["a", "b"])))).join(","), "a,b", "from a Set");
    function* gen() { yield "x"; yield Promise.resolve("y"); }
    assert.equal((await readAll(ReadableStream.from(gen()))).join(","), "x,y", "from a generator (promises awaited)");
    async function* agen() { yield 1; await tick(1); yield 2; }
    assert.equal((await readAll(ReadableStream.from(agen()))).join(","), "1,2", "from an async generator");
    // canceling calls the iterator's return
    let finalized = false, produced = 0;
    async function* forever() { try { for (;;) yield produced++; } finally { finalized = true; } }
    for await (const v of ReadableStream.from(forever())) if (v === 2) break;
    assert(finalized, "break ends the async generator (return called)");
    const err = new Error("gen failed");
    async function* failing() { yield 1; throw err; }
    const r = ReadableStream.from(failing()).getReader();
    assert.equal((await r.read()).value, 1);
    assert((await rejects(r.read(), null, "failing generator")) === err, "the generator's throw errors the stream");
    // from() of a stream (it is async iterable)
    const inner = new ReadableStream({ start(c) { c.enqueue("s"); c.close(); } });
    assert.equal((await readAll(ReadableStream.from(inner))).join(","), "s", "from a ReadableStream");
    let threw = 0;
    try { ReadableStream.from(5); } catch (e) { threw += e instanceof TypeError; }
    try { ReadableStream.from(null); } catch (e) { threw += e instanceof TypeError; }
    assert.equal(threw, 2, "from() of a non-iterable is a TypeError");
  }

  // ---- pipeTo / pipeThrough: not provided (no WritableStream / TransformStream) ----------------
  {
    const s = new ReadableStream();
    await rejects(s.pipeTo({}), (e) => e instanceof TypeError, "pipeTo");
    let threw = false;
    try { s.pipeThrough({ writable: {}, readable: new ReadableStream() }); } catch (e) { threw = e instanceof TypeError; }
    assert(threw, "pipeThrough throws a TypeError");
    assert.equal(typeof WritableStream, "undefined");
    assert.equal(typeof TransformStream, "undefined");
  }

  // ---- 100 000 chunks in linear time --------------------------------------------------------
  {
    const N = 100000;
    const time = async (n) => {
      const t0 = performance.now();
      const s = new ReadableStream({ start(c) { for (let i = 0; i < n; i++) c.enqueue(i); c.close(); } },
                                   { highWaterMark: Infinity });
      const r = s.getReader();
      let sum = 0, count = 0;
      for (;;) { const { value, done } = await r.read(); if (done) break; sum += value; count++; }
      assert.equal(count, n);
      assert.equal(sum, (n * (n - 1)) / 2);
      return performance.now() - t0;
    };
    const pulled = async (n) => {
      const t0 = performance.now();
      let i = 0, count = 0;
      for await (const v of new ReadableStream({ pull(c) { if (i < n) c.enqueue(i++); else c.close(); } })) count++;
      assert.equal(count, n);
      return performance.now() - t0;
    };
    await time(1000); // warm up
    const small = await time(N / 10);
    const big = await time(N);
    const pSmall = await pulled(N / 10);
    const pBig = await pulled(N);
    console.log(`web_streams: ${N} queued chunks read in ${big.toFixed(1)} ms (${N / 10}: ${small.toFixed(1)} ms); ` +
                `${N} pulled chunks in ${pBig.toFixed(1)} ms (${N / 10}: ${pSmall.toFixed(1)} ms)`);
    // linear: ten times the chunks takes far less than a hundred times as long
    assert(big < Math.max(small, 5) * 40, "queued reads are not linear");
    assert(pBig < Math.max(pSmall, 5) * 40, "pulled reads are not linear");
  }
  console.log("web_streams: ok");
})().catch((e) => { console.error("FAIL", e, e && e.stack); process.exit(1); });
