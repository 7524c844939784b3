// Real npm packages (installed by scripts/npm-test-deps.sh into build-deps/npm): zod
// (CommonJS for require, its ES build for import), lodash, uuid (ES modules only, its
// browser build through the `default` condition) and chalk and nanoid (ES modules only;
// nanoid's default build imports node:crypto).
// Skipped (exit 77) when the folder is absent, unless GP_TEST_REQUIRE_NPM is set (CI sets
// it): then it fails.
// timeout: 60
const dir = process.env.GP_TEST_NPM_DIR || __dirname.replace(/\/tests\/js$/, "") + "/build-deps/npm";
let entry;
try { entry = require(dir + "/entry.cjs"); } catch (e) {
  if (e.code !== "MODULE_NOT_FOUND") throw e;
  if (process.env.GP_TEST_REQUIRE_NPM) throw new Error(`npm test packages missing in ${dir}: run scripts/npm-test-deps.sh`);
  console.log(`modules_npm: skipped, ${dir} is absent (run scripts/npm-test-deps.sh)`);
  process.exit(77); // ctest reports it as skipped
}
(async () => {
  // zod through require(): its CommonJS build
  assert(entry.resolve("zod").endsWith("/zod/index.cjs"), entry.resolve("zod"));
  const { z } = entry.require("zod");
  const User = z.object({ name: z.string().min(1), age: z.number().int().nonnegative(), tags: z.array(z.string()).default([]) });
  assert.deepEqual(User.parse({ name: "Ada", age: 36 }), { name: "Ada", age: 36, tags: [] });
  const bad = User.safeParse({ name: "", age: -1.5 });
  assert.equal(bad.success, false);
  const paths = new Set(bad.error.issues.map((i) => i.path.join(".")));
  assert(paths.has("name") && paths.has("age"), JSON.stringify(bad.error.issues));
  const ze = assert.throws(() => User.parse({ name: 7 }));
  assert(ze instanceof z.ZodError, String(ze));
  // zod through import(): its ES build, a different file with the same behaviour
  const zm = await entry.import("zod");
  assert.equal(zm.z.string().parse("x"), "x");
  assert.equal(zm.z.number().safeParse("1").success, false);

  const _ = entry.require("lodash");
  assert.deepEqual(_.chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.equal(_.camelCase("Hello big world"), "helloBigWorld");
  assert.deepEqual(_.groupBy([1.1, 2.3, 1.5], Math.floor), { 1: [1.1, 1.5], 2: [2.3] });
  assert.deepEqual(_.merge({ a: { b: 1 } }, { a: { c: 2 } }), { a: { b: 1, c: 2 } });
  assert.equal(_.get({ a: [{ b: "deep" }] }, "a[0].b"), "deep");
  assert.equal((await entry.import("lodash")).default, _, "import() of CommonJS: default is module.exports");

  const uuid = entry.require("uuid");
  const id = uuid.v4();
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), id);
  assert.equal(uuid.validate(id), true);
  assert.equal(uuid.version(id), 4);
  assert.notEqual(uuid.v4(), id);

  const { Chalk } = await entry.import("chalk");
  assert.equal(new Chalk({ level: 1 }).red.bold("hi"), "\u001b[31m\u001b[1mhi\u001b[22m\u001b[39m");
  assert.equal(new Chalk({ level: 0 }).red("plain"), "plain");
  const { nanoid, customAlphabet } = await entry.import("nanoid/non-secure");
  assert.equal(nanoid().length, 21);
  assert(/^[ab]{8}$/.test(customAlphabet("ab", 8)()));
  // nanoid's default build: `import { webcrypto as crypto } from 'node:crypto'`
  const secure = await entry.import("nanoid");
  assert(entry.resolve("nanoid").endsWith("/nanoid/index.js"), entry.resolve("nanoid"));
  const ids = new Set(Array.from({ length: 100 }, () => secure.nanoid()));
  assert.equal(ids.size, 100);
  for (const id of ids) assert(/^[A-Za-z0-9_-]{21}$/.test(id), id);
  assert.equal(secure.nanoid(10).length, 10);
  assert(/^[xyz]{12}$/.test(secure.customAlphabet("xyz", 12)()));
  console.log("modules_npm ok");
})().catch((e) => { console.error(e.stack ? e.message + "\n" + e.stack : e); process.exit(1); });
