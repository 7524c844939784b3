// `URLSearchParams` (SPEC §3.1): an ordered list of name/value pairs with the
// application/x-www-form-urlencoded parser and serializer. A `URL`'s `searchParams` is
// one of these bound to it: url.js makes it with `bound()` and refreshes it with
// `reset()`; every change made here is written back through the URL's callback.
(function (host, lib, g) {
  "use strict";
  const { sets, encode, decode, usv } = lib("url_encoding");

  // application/x-www-form-urlencoded parsing: the [name, value] pairs of `s`.
  function parse(s) {
    const list = [];
    if (s === "") return list;
    for (const part of s.split("&")) {
      if (part === "") continue;
      const eq = part.indexOf("=");
      let name = eq < 0 ? part : part.slice(0, eq);
      let value = eq < 0 ? "" : part.slice(eq + 1);
      if (name.indexOf("+") >= 0) name = name.replace(/\+/g, " ");
      if (value.indexOf("+") >= 0) value = value.replace(/\+/g, " ");
      list.push([decode(name), decode(value)]);
    }
    return list;
  }

  // application/x-www-form-urlencoded serializing of a pair list.
  function serialize(list) {
    let out = "";
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += "&";
      out += encode(list[i][0], sets.form, true) + "=" + encode(list[i][1], sets.form, true);
    }
    return out;
  }

  function need(count, n, what) {
    if (count < n)
      throw new TypeError(`URLSearchParams.${what}: ${n} argument${n > 1 ? "s" : ""} required, but only ${count} present`);
  }

  let getList, setBinding; // filled in by the class's static block: private field access
  const iteratorKinds = { keys: 0, values: 1, entries: 2 };

  class URLSearchParams {
    #list = [];
    #onUpdate = null; // the bound URL's callback (query string or null), else null

    constructor(init = undefined) {
      if (init === undefined) return;
      if ((typeof init === "object" && init !== null) || typeof init === "function") {
        const iter = init[Symbol.iterator];
        if (iter !== undefined && iter !== null) {
          if (typeof iter !== "function") throw new TypeError("URLSearchParams: init[Symbol.iterator] is not a function");
          for (const pair of init) {
            if (pair === null || (typeof pair !== "object" && typeof pair !== "function") || typeof pair[Symbol.iterator] !== "function")
              throw new TypeError("URLSearchParams: each pair must be an iterable of [name, value]");
            const items = Array.from(pair);
            if (items.length !== 2)
              throw new TypeError(`URLSearchParams: a pair must have exactly 2 items, not ${items.length}`);
            this.#list.push([usv(items[0]), usv(items[1])]);
          }
          return;
        }
        // A WebIDL record: keys that become equal as USV strings keep the first one's
        // place and the last one's value.
        const record = new Map();
        for (const key of Reflect.ownKeys(init)) {
          if (typeof key !== "string") continue;
          const d = Reflect.getOwnPropertyDescriptor(init, key);
          if (d === undefined || !d.enumerable) continue;
          record.set(usv(key), usv(init[key]));
        }
        for (const [k, v] of record) this.#list.push([k, v]);
        return;
      }
      let s = usv(init);
      if (s[0] === "?") s = s.slice(1);
      this.#list = parse(s);
    }

    #update() {
      if (this.#onUpdate !== null) {
        const q = serialize(this.#list);
        this.#onUpdate(q === "" ? null : q);
      }
    }

    get size() { return this.#list.length; }

    append(name, value) {
      need(arguments.length, 2, "append");
      this.#list.push([usv(name), usv(value)]);
      this.#update();
    }

    delete(name, value = undefined) {
      need(arguments.length, 1, "delete");
      name = usv(name);
      const v = value === undefined ? undefined : usv(value);
      this.#list = this.#list.filter((p) => !(p[0] === name && (v === undefined || p[1] === v)));
      this.#update();
    }

    get(name) {
      need(arguments.length, 1, "get");
      name = usv(name);
      const p = this.#list.find((q) => q[0] === name);
      return p === undefined ? null : p[1];
    }

    getAll(name) {
      need(arguments.length, 1, "getAll");
      name = usv(name);
      return this.#list.filter((p) => p[0] === name).map((p) => p[1]);
    }

    has(name, value = undefined) {
      need(arguments.length, 1, "has");
      name = usv(name);
      const v = value === undefined ? undefined : usv(value);
      return this.#list.some((p) => p[0] === name && (v === undefined || p[1] === v));
    }

    set(name, value) {
      need(arguments.length, 2, "set");
      name = usv(name);
      value = usv(value);
      const i = this.#list.findIndex((p) => p[0] === name);
      if (i < 0) this.#list.push([name, value]);
      else {
        this.#list[i][1] = value;
        this.#list = this.#list.filter((p, j) => j <= i || p[0] !== name);
      }
      this.#update();
    }

    // Stable, by the names' UTF-16 code units (JS string order).
    sort() {
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }

    toString() { return serialize(this.#list); }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") throw new TypeError("URLSearchParams.forEach: the callback must be a function");
      for (let i = 0; i < this.#list.length; i++) {
        const p = this.#list[i];
        callback.call(thisArg, p[1], p[0], this);
      }
    }

    keys() { return makeIterator(this, iteratorKinds.keys); }
    values() { return makeIterator(this, iteratorKinds.values); }
    entries() { return makeIterator(this, iteratorKinds.entries); }
    [Symbol.iterator]() { return makeIterator(this, iteratorKinds.entries); }

    static {
      getList = (p) => p.#list;
      setBinding = (p, list, onUpdate) => { p.#list = list; p.#onUpdate = onUpdate; };
    }
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag,
                        { value: "URLSearchParams", configurable: true });
  // console.log / util.inspect show the pairs as Node does: URLSearchParams { 'a' => '1' }.
  Object.defineProperty(URLSearchParams.prototype, Symbol.for("nodejs.util.inspect.custom"), {
    configurable: true, writable: true,
    value: function inspect() {
      const show = (v) => "'" + v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
      const list = getList(this);
      if (list.length === 0) return "URLSearchParams {}";
      return "URLSearchParams { " + list.map((p) => show(p[0]) + " => " + show(p[1])).join(", ") + " }";
    },
  });
  for (const name of ["size", "append", "delete", "get", "getAll", "has", "set", "sort", "toString",
                      "forEach", "keys", "values", "entries"])
    Object.defineProperty(URLSearchParams.prototype, name, { enumerable: true });

  // The pair iterator: it reads the live list at each step, as WebIDL says, so pairs
  // appended during iteration are visited and deletions shift what comes next.
  const iteratorProto = Object.create(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())), {
    [Symbol.toStringTag]: { value: "URLSearchParams Iterator", configurable: true },
  });
  const iterState = new WeakMap();
  Object.defineProperty(iteratorProto, "next", {
    writable: true, configurable: true,
    value: function next() {
      const st = iterState.get(this);
      if (st === undefined) throw new TypeError("next called on an object that is not a URLSearchParams iterator");
      const list = getList(st.params);
      if (st.index >= list.length) return { value: undefined, done: true };
      const p = list[st.index++];
      return { value: st.kind === 0 ? p[0] : st.kind === 1 ? p[1] : [p[0], p[1]], done: false };
    },
  });
  function makeIterator(params, kind) {
    getList(params); // brand check
    const it = Object.create(iteratorProto);
    iterState.set(it, { params, kind, index: 0 });
    return it;
  }

  // A URLSearchParams for a URL whose query is `query` (string or null); `onUpdate`
  // receives the new query (null for none) after each change.
  function bound(query, onUpdate) {
    const p = new URLSearchParams();
    setBinding(p, query === null ? [] : parse(query), onUpdate);
    return p;
  }
  // Replaces the pairs of a bound URLSearchParams after its URL's query changed.
  function reset(p, query, onUpdate) { setBinding(p, query === null ? [] : parse(query), onUpdate); }

  return { URLSearchParams, bound, reset, parse, serialize };
})
