// URL against the web-platform-tests data (tests/data/wpt/): every urltestdata case
// (parsing, relative resolution, failures), the setters cases, and the IDNA cases
// (toascii, IdnaTestV2) through the URL parser, and WPT's setter-stripping rules. Skips come only from the rules below.
// timeout: 120
// expect-stdout: wpt url: [0-9]+ passed, [0-9]+ skipped

const urltestdata = require("../data/wpt/urltestdata.json")
  .concat(require("../data/wpt/urltestdata-javascript-only.json"));
const setters = require("../data/wpt/setters_tests.json");
const toascii = require("../data/wpt/toascii.json");
const idnaTests = require("../data/wpt/IdnaTestV2.json")
  .concat(require("../data/wpt/IdnaTestV2-removed.json"));

// Inputs skipped because they need Unicode data that url_host.js does not carry (it
// approximates UTS #46 by NFKC + lowercase and general categories; see
// docs/WEB_PLATFORM_PART_URL.md). Each entry is the input (or setter value) of a case.
const SKIP_IDNA = new Set([
  "\u06ef\u200c\u06ef", // CheckJoiners: ZWNJ after U+06EF needs its Joining_Type (R)
]);
// IdnaTestV2 cases with an empty input cannot go through new URL() (WPT skips them too).
const skipEmptyIdna = (t) => t.input === "";
// Fewer passes than this means a regression: the number passing when this was written.
const FLOOR = 4293;

let passed = 0, skipped = 0;
const perGroup = {}; // group -> passes
const failures = [];
const show = (s) => JSON.stringify(s);
const components = ["href", "origin", "protocol", "username", "password", "host", "hostname",
                    "port", "pathname", "search", "hash"];

function check(name, fn) {
  try {
    const problem = fn();
    if (problem) failures.push(name + ": " + problem);
    else { passed++; const group = name.split(" ")[0]; perGroup[group] = (perGroup[group] || 0) + 1; }
  } catch (e) {
    failures.push(name + ": threw " + e);
  }
}

for (const t of urltestdata) {
  if (typeof t === "string") continue;
  const name = "parse " + show(t.input) + (t.base !== null ? " against " + show(t.base) : "");
  if (SKIP_IDNA.has(t.input)) { skipped++; continue; }
  check(name, () => {
    const make = () => (t.base === null ? new URL(t.input) : new URL(t.input, t.base));
    const can = t.base === null ? URL.canParse(t.input) : URL.canParse(t.input, t.base);
    if (t.failure) {
      try { make(); } catch (e) {
        if (!(e instanceof TypeError)) return "threw " + e.name + ", not TypeError";
        return can ? "URL.canParse said true" : null;
      }
      return "did not throw";
    }
    const u = make();
    if (!can) return "URL.canParse said false";
    for (const k of components) {
      if (!(k in t)) continue;
      if (u[k] !== t[k]) return `${k} is ${show(u[k])}, expected ${show(t[k])}`;
    }
    if ("searchParams" in t && u.searchParams.toString() !== t.searchParams)
      return `searchParams is ${show(u.searchParams.toString())}, expected ${show(t.searchParams)}`;
    return null;
  });
}

for (const prop of Object.keys(setters)) {
  if (prop === "comment") continue;
  for (const t of setters[prop]) {
    const name = `set ${prop} of ${show(t.href)} to ${show(t.new_value)}`;
    if (SKIP_IDNA.has(t.new_value)) { skipped++; continue; }
    check(name, () => {
      const u = new URL(t.href);
      u[prop] = t.new_value;
      for (const k of Object.keys(t.expected))
        if (u[k] !== t.expected[k]) return `${k} is ${show(u[k])}, expected ${show(t.expected[k])}`;
      return null;
    });
  }
}

for (const t of toascii) {
  if (typeof t === "string") continue;
  if (SKIP_IDNA.has(t.input)) { skipped++; continue; }
  for (const form of ["https://" + t.input + "/x", "http://" + t.input + ":8080/"]) {
    check("toascii " + show(form), () => {
      if (t.output === null) {
        try { new URL(form); } catch (e) { return e instanceof TypeError ? null : "threw " + e.name; }
        return "did not throw";
      }
      const u = new URL(form);
      return u.hostname === t.output ? null : `hostname is ${show(u.hostname)}, expected ${show(t.output)}`;
    });
  }
}

for (const t of idnaTests) {
  if (typeof t === "string") continue;
  if (skipEmptyIdna(t) || SKIP_IDNA.has(t.input)) { skipped++; continue; }
  check("IdnaTestV2 " + show(t.input), () => {
    const form = "https://" + t.input + "/x";
    if (t.output === null) {
      try { new URL(form); } catch (e) { return e instanceof TypeError ? null : "threw " + e.name; }
      return "did not throw";
    }
    const u = new URL(form);
    if (u.host !== t.output || u.hostname !== t.output) return `host is ${show(u.host)}, expected ${show(t.output)}`;
    if (u.pathname !== "/x" || u.href !== "https://" + t.output + "/x") return `href is ${show(u.href)}`;
    return null;
  });
}

// WPT url-setters-stripping.any.js, restated: setters strip tabs and newlines, do not
// strip U+0000 or U+001F, and percent-encode them where the component's set says so.
function urlString({ scheme = "https", username = "username", password = "password", host = "host",
                     port = "8000", pathname = "path", search = "query", hash = "fragment" }) {
  return `${scheme}://${username}:${password}@${host}:${port}/${pathname}?${search}#${hash}`;
}
for (const scheme of ["https", "wpt++"]) {
  for (const i of [0x00, 0x09, 0x0a, 0x0d, 0x1f]) {
    const cp = String.fromCodePoint(i), stripped = i === 0x09 || i === 0x0a || i === 0x0d;
    const esc = encodeURIComponent(cp);
    const tag = `strip U+${i.toString(16).padStart(4, "0")} (${scheme}:)`;
    const expect = (set, prop, expected, parts) => check(`${tag} ${prop}`, () => {
      const u = new URL(urlString({ scheme }));
      set(u);
      if (u[prop] !== expected) return `${prop} is ${show(u[prop])}, expected ${show(expected)}`;
      const href = urlString(Object.assign({ scheme }, parts));
      return u.href === href ? null : `href is ${show(u.href)}, expected ${show(href)}`;
    });
    const proto = scheme === "https" ? (stripped ? "http" : "https") : (stripped ? "wpt--" : "wpt++");
    const newProto = scheme === "https" ? "http" : "wpt--";
    expect((u) => { u.protocol = cp + newProto; }, "protocol", proto + ":", { scheme: proto });
    expect((u) => { u.protocol = newProto + cp; }, "protocol", proto + ":", { scheme: proto });
    for (const [input, enc, hostPart] of [[cp + "test", esc + "test", (scheme === "https" ? cp : esc) + "test"],
                                          ["te" + cp + "st", "te" + esc + "st", "te" + (scheme === "https" ? cp : esc) + "st"],
                                          ["test" + cp, "test" + esc, "test" + (scheme === "https" ? cp : esc)]]) {
      for (const prop of ["username", "password"])
        expect((u) => { u[prop] = input; }, prop, enc, { [prop]: enc });
      const h = i === 0 || (scheme === "https" && i === 0x1f) ? "host" : stripped ? "test" : hostPart;
      expect((u) => { u.host = input; }, "host", h + ":8000", { host: h });
      expect((u) => { u.hostname = input; }, "hostname", h, { host: h });
      for (const [prop, sep] of [["pathname", "/"], ["search", "?"], ["hash", "#"]]) {
        const e = stripped ? "test" : enc;
        expect((u) => { u[prop] = input; }, prop, sep + e, { [prop]: e });
      }
    }
    expect((u) => { u.port = cp + "9000"; }, "port", stripped ? "9000" : "8000", { port: stripped ? "9000" : "8000" });
    expect((u) => { u.port = "90" + cp + "00"; }, "port", stripped ? "9000" : "90", { port: stripped ? "9000" : "90" });
    expect((u) => { u.port = "9000" + cp; }, "port", "9000", { port: "9000" });
  }
}

for (const f of failures) console.log("FAIL " + f);
console.log("passes by group: " + JSON.stringify(perGroup));
console.log(`wpt url: ${passed} passed, ${skipped} skipped (IDNA: an empty input, ` +
            `a case needing Joining_Type data), ` +
            `${failures.length} failed`);
assert(failures.length === 0, failures.length + " WPT URL cases failed");
assert(passed >= FLOOR, `only ${passed} WPT URL cases passed, the floor is ${FLOOR}`);
