// Node's `crypto` from an ES module: the named imports npm packages use (nanoid's
// `import { webcrypto as crypto } from 'node:crypto'`), the default import (the module
// object) and a namespace import, with and without "node:".
import { webcrypto as wc, createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import cryptoDefault from "crypto";
import * as ns from "node:crypto";

assert.equal(wc, globalThis.crypto);
assert.equal(wc.getRandomValues(new Uint8Array(4)).length, 4);
assert.equal(createHash("sha256").update("abc").digest("hex"),
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
assert.equal(createHmac("sha1", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"),
             "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
assert.equal(randomBytes(5).length, 5);
assert(/^[0-9a-f-]{36}$/.test(randomUUID()));
assert.equal(timingSafeEqual(Buffer.from("a"), Buffer.from("a")), true);
assert.equal(cryptoDefault.createHash, createHash);
assert.equal(ns.createHash, createHash);
assert.equal(ns.webcrypto, globalThis.crypto);
assert.equal(cryptoDefault, (await import("node:crypto")).default);
console.log("node_crypto_esm ok");
