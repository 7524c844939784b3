// URLSearchParams: construction (string, pairs, record, another instance), "+" and %20,
// get/getAll/has/set/append/delete with values, stable sort, size, live iteration, and
// the web-platform-tests' urlencoded-parser and sort tables (url/*.any.js).

const same = (a, b, msg) => assert.equal(JSON.stringify(a), JSON.stringify(b), msg);
const entries = (p) => [...p];

// ---- construction ------------------------------------------------------------------
same(entries(new URLSearchParams("?a=1&b=2")), [["a", "1"], ["b", "2"]], "leading ? stripped");
same(entries(new URLSearchParams("??a=1")), [["?a", "1"]], "only one ? stripped");
same(entries(new URLSearchParams([["x", "1"], ["x", "2"]])), [["x", "1"], ["x", "2"]]);
same(entries(new URLSearchParams({ b: "2", a: 1 })), [["b", "2"], ["a", "1"]], "record, in key order");
same(entries(new URLSearchParams(new Map([["m", "v"]]))), [["m", "v"]], "any iterable of pairs");
const orig = new URLSearchParams("k=v");
const copy = new URLSearchParams(orig);
copy.append("k", "w");
assert.equal(orig.toString(), "k=v", "a copy is independent");
assert.equal(copy.toString(), "k=v&k=w");
same(entries(new URLSearchParams()), []);
same(entries(new URLSearchParams(undefined)), []);
assert.equal(new URLSearchParams(null).toString(), "null=", "null is taken as the string \"null\", as WebIDL says");
for (const bad of [[["a"]], [["a", "b", "c"]], [1]]) {
  let err = null;
  try { new URLSearchParams(bad); } catch (e) { err = e; }
  assert(err instanceof TypeError, "bad pair " + JSON.stringify(bad) + " throws TypeError");
}
assert.equal(new URLSearchParams({ "\ud800": "\udc00" }).toString(), "%EF%BF%BD=%EF%BF%BD", "USV conversion");
// WPT urlsearchparams-constructor.any.js's table of records and sequences.
for (const t of [
  { input: { "+": "%C2" }, output: [["+", "%C2"]] },
  { input: { c: "x", a: "?" }, output: [["c", "x"], ["a", "?"]] },
  { input: [["c", "x"], ["a", "?"]], output: [["c", "x"], ["a", "?"]] },
  { input: { "\uD835x": "1", "xx": "2", "\uD83Dx": "3" }, output: [["\uFFFDx", "3"], ["xx", "2"]] },
  { input: { "x\uDC53": "1", "x\uDC5C": "2", "x\uDC65": "3" }, output: [["x\uFFFD", "3"]] },
  { input: { "a\0b": "42", "c\uD83D": "23", "d\u1234": "foo" },
    output: [["a\0b", "42"], ["c\uFFFD", "23"], ["d\u1234", "foo"]] },
]) same(entries(new URLSearchParams(t.input)), t.output, "record/sequence " + JSON.stringify(t.input));
const custom = new URLSearchParams();
custom[Symbol.iterator] = function* () { yield ["a", "b"]; };
assert.equal(new URLSearchParams(custom).get("a"), "b", "a custom [Symbol.iterator] is used");
const spaced = new URLSearchParams("&a&&& &&&&&a+b=& c&m%c3%b8%c3%b8");
assert(spaced.has("a") && spaced.has("a b") && spaced.has(" ") && !spaced.has("c") && spaced.has(" c") && spaced.has("møø"));
const phone = new URLSearchParams();
phone.set("query", "+15555555555");
assert.equal(phone.toString(), "query=%2B15555555555");
assert.equal(new URLSearchParams(phone.toString()).get("query"), "+15555555555");
assert.equal(new URLSearchParams("a=b%00c").get("a"), "b\0c");
assert.equal(new URLSearchParams("a%f0%9f%92%a9b=c").get("a\uD83D\uDCA9b"), "c");

// ---- "+" and %20 ------------------------------------------------------------------------
const plus = new URLSearchParams("a=b+c&d=e%20f&g=h%2Bi");
assert.equal(plus.get("a"), "b c", "+ is a space");
assert.equal(plus.get("d"), "e f");
assert.equal(plus.get("g"), "h+i", "%2B is a plus");
assert.equal(plus.toString(), "a=b+c&d=e+f&g=h%2Bi", "a space serializes as +");
const enc = new URLSearchParams();
enc.append("sp ce", "*-._ ~!'()&=é😀");
assert.equal(enc.toString(), "sp+ce=*-._+%7E%21%27%28%29%26%3D%C3%A9%F0%9F%98%80");

// ---- methods ---------------------------------------------------------------------------
const p = new URLSearchParams("a=1&b=2&a=3&c=4");
assert.equal(p.get("a"), "1");
assert.equal(p.get("zz"), null);
same(p.getAll("a"), ["1", "3"]);
assert(p.has("a") && !p.has("zz"));
assert(p.has("a", "3") && !p.has("a", "2"), "has with a value");
assert.equal(p.size, 4);
p.delete("a", "3");
assert.equal(p.toString(), "a=1&b=2&c=4", "delete with a value removes only that pair");
p.append("b", "5");
p.set("b", "9");
assert.equal(p.toString(), "a=1&b=9&c=4", "set replaces the first and removes the rest");
p.set("new", "x");
assert.equal(p.toString(), "a=1&b=9&c=4&new=x");
p.delete("a");
assert.equal(p.size, 3);
p.delete("a", undefined);
assert.equal(p.size, 3, "undefined value means any value");
for (const [m, n] of [["append", 1], ["set", 1], ["get", 0], ["has", 0], ["delete", 0]]) {
  let err = null;
  try { p[m](...["x"].slice(0, n)); } catch (e) { err = e; }
  assert(err instanceof TypeError, `${m} with too few arguments throws`);
}

// ---- sort: stable, by UTF-16 code units ------------------------------------------------------
const s = new URLSearchParams("z=1&a=1&z=2&\uFFFD=x&\ud83c\udf08=y&a=2&A=0&z=3");
s.sort();
same(entries(s), [["A", "0"], ["a", "1"], ["a", "2"], ["z", "1"], ["z", "2"], ["z", "3"],
                  ["\ud83c\udf08", "y"], ["\uFFFD", "x"]], "stable; U+1F308 (a surrogate pair) sorts before U+FFFD");

// ---- iteration ----------------------------------------------------------------------------
const it = new URLSearchParams("a=1&b=2");
same([...it.keys()], ["a", "b"]);
same([...it.values()], ["1", "2"]);
same([...it.entries()], [["a", "1"], ["b", "2"]]);
assert.equal(Object.prototype.toString.call(it.keys()), "[object URLSearchParams Iterator]");
const seen = [];
it.forEach(function (value, name, obj) { seen.push(name + "=" + value); assert(obj === it && this === seen); }, seen);
same(seen, ["a=1", "b=2"]);
// Iteration reads the live list: appended pairs are visited, deletions shift the rest.
const live = new URLSearchParams("a=1&b=2&c=3");
const visited = [];
for (const [k] of live) {
  visited.push(k);
  if (k === "a") live.delete("a");      // "b" moves to index 0 and is skipped
  if (k === "c") live.append("d", "4"); // visited
}
same(visited, ["a", "c", "d"]);
const growing = new URLSearchParams("x=0");
let steps = 0;
growing.forEach(() => { if (++steps < 5) growing.append("x", String(steps)); });
assert.equal(steps, 5, "forEach sees pairs appended during the walk");

// From WPT urlsearchparams-foreach: the iterator follows its URL's query being replaced,
// and deleting each visited pair skips the one that moves into its place.
const bound = new URL("http://a.b/c?a=1&b=2&c=3&d=4");
const got = [];
for (const pair of bound.searchParams) { bound.search = "x=1&y=2&z=3"; got.push(pair); }
same(got, [["a", "1"], ["y", "2"], ["z", "3"]]);
const eaten = new URL("http://localhost/query?param0=0&param1=1&param2=2");
const ate = [];
for (const [k] of eaten.searchParams) { ate.push(k); eaten.searchParams.delete(k); }
same(ate, ["param0", "param2"]);
assert.equal(eaten.search, "?param1=1");
// From WPT urlsearchparams-stringifier: a bound URL re-serializes its query on change.
const comma = new URL("http://www.example.com/?a=b,c");
assert.equal(comma.searchParams.toString(), "a=b%2Cc");
assert.equal(comma.href, "http://www.example.com/?a=b,c", "reading does not rewrite");
comma.searchParams.append("x", "y");
assert.equal(comma.href, "http://www.example.com/?a=b%2Cc&x=y");
assert.equal(new URLSearchParams("a = b &a=b&c=d%20").toString(), "a+=+b+&a=b&c=d+");
assert.equal(new URLSearchParams("b=%2%2af%2a").toString(), "b=%252*f*");
const nl = new URLSearchParams();
nl.append("a\nb", "c\rd");
assert.equal(nl.toString(), "a%0Ab=c%0Dd", "no newline normalization");

// ---- the WPT urlencoded-parser table ---------------------------------------------------------
const wpt = [
  { input: "test", output: [["test", ""]] },
  { input: "\uFEFFtest=\uFEFF", output: [["\uFEFFtest", "\uFEFF"]] },
  { input: "%EF%BB%BFtest=%EF%BB%BF", output: [["\uFEFFtest", "\uFEFF"]] },
  { input: "%FE%FF", output: [["\uFFFD\uFFFD", ""]] },
  { input: "%FF%FE", output: [["\uFFFD\uFFFD", ""]] },
  { input: "†&†=x", output: [["†", ""], ["†", "x"]] },
  { input: "%C2", output: [["\uFFFD", ""]] },
  { input: "%C2x", output: [["\uFFFDx", ""]] },
  { input: "_charset_=windows-1252&test=%C2x", output: [["_charset_", "windows-1252"], ["test", "\uFFFDx"]] },
  { input: "", output: [] },
  { input: "a", output: [["a", ""]] },
  { input: "a=b", output: [["a", "b"]] },
  { input: "a=", output: [["a", ""]] },
  { input: "=b", output: [["", "b"]] },
  { input: "&", output: [] },
  { input: "&a", output: [["a", ""]] },
  { input: "a&", output: [["a", ""]] },
  { input: "a&a", output: [["a", ""], ["a", ""]] },
  { input: "a&b&c", output: [["a", ""], ["b", ""], ["c", ""]] },
  { input: "a=b&c=d", output: [["a", "b"], ["c", "d"]] },
  { input: "a=b&c=d&", output: [["a", "b"], ["c", "d"]] },
  { input: "&&&a=b&&&&c=d&", output: [["a", "b"], ["c", "d"]] },
  { input: "a=a&a=b&a=c", output: [["a", "a"], ["a", "b"], ["a", "c"]] },
  { input: "a==a", output: [["a", "=a"]] },
  { input: "a=a+b+c+d", output: [["a", "a b c d"]] },
  { input: "%=a", output: [["%", "a"]] },
  { input: "%a=a", output: [["%a", "a"]] },
  { input: "%a_=a", output: [["%a_", "a"]] },
  { input: "%61=a", output: [["a", "a"]] },
  { input: "%61+%4d%4D=", output: [["a MM", ""]] },
  { input: "id=0&value=%", output: [["id", "0"], ["value", "%"]] },
  { input: "b=%2sf%2a", output: [["b", "%2sf*"]] },
  { input: "b=%2%2af%2a", output: [["b", "%2*f*"]] },
  { input: "b=%%2a", output: [["b", "%*"]] },
];
for (const t of wpt) same(entries(new URLSearchParams(t.input)), t.output, "urlencoded-parser: " + JSON.stringify(t.input));

// ---- the WPT sort table (url/urlsearchparams-sort.any.js) ----------------------------------------
const sortCases = [
  { input: "z=b&a=b&z=a&a=a", output: [["a", "b"], ["a", "a"], ["z", "b"], ["z", "a"]] },
  { input: "\uFFFD=x&\uFFFC&\uFFFD=a", output: [["\uFFFC", ""], ["\uFFFD", "x"], ["\uFFFD", "a"]] },
  { input: "ﬃ&🌈", output: [["🌈", ""], ["ﬃ", ""]] }, // by code units, not code points
  { input: "é&e\uFFFD&e\u0301", output: [["e\u0301", ""], ["e\uFFFD", ""], ["é", ""]] },
  { input: "z=z&a=a&z=y&a=b&z=x&a=c&z=w&a=d&z=v&a=e&z=u&a=f&z=t&a=g",
    output: [["a", "a"], ["a", "b"], ["a", "c"], ["a", "d"], ["a", "e"], ["a", "f"], ["a", "g"],
             ["z", "z"], ["z", "y"], ["z", "x"], ["z", "w"], ["z", "v"], ["z", "u"], ["z", "t"]] },
  { input: "bbb&bb&aaa&aa=x&aa=y", output: [["aa", "x"], ["aa", "y"], ["aaa", ""], ["bb", ""], ["bbb", ""]] },
  { input: "z=z&=f&=t&=x", output: [["", "f"], ["", "t"], ["", "x"], ["z", "z"]] },
  { input: "a🌈&a💩", output: [["a🌈", ""], ["a💩", ""]] },
];
for (const t of sortCases) {
  const sp = new URLSearchParams(t.input);
  sp.sort();
  same(entries(sp), t.output, "sort: " + t.input);
  const url = new URL("?" + t.input, "https://example/");
  url.searchParams.sort();
  same(entries(new URLSearchParams(url.search)), t.output, "URL sort: " + t.input);
}
const emptyQuery = new URL("http://example.com/?");
emptyQuery.searchParams.sort();
assert.equal(emptyQuery.href, "http://example.com/", "sorting no params removes the ?");
const gone = new URL("http://example.com/?param1&param2");
gone.searchParams.delete("param1");
gone.searchParams.delete("param2");
assert.equal(gone.href, "http://example.com/", "deleting every param removes the ?");

// ---- as a fetch body it serializes --------------------------------------------------------------
assert.equal(String(new URLSearchParams({ q: "a b", n: "1" })), "q=a+b&n=1");
console.log(`web_url_params: ok (${wpt.length} WPT urlencoded-parser cases, ${sortCases.length} sort cases)`);
