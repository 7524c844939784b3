// require("path") (SPEC §3.2), POSIX: a table of cases for each function whose expected
// values are what Node 20's path.posix returns for them (trailing slashes, "..", empty
// strings, dotfiles, suffixes), resolve against process.cwd(), argument errors.
const path = require("path");
assert.equal(require("node:path"), path);
assert.equal(path.posix, path);
assert.equal(require("path/posix"), path);
assert.equal(path.sep, "/");
assert.equal(path.delimiter, ":");

// function -> [[arguments, expected], ...]
const table =
  {"normalize":[[[""],"."],
      [["."],"."],
      [[".."],".."],
      [["/"],"/"],
      [["//"],"/"],
      [["///a//b"],"/a/b"],
      [["./"],"./"],
      [["./a"],"a"],
      [["a/"],"a/"],
      [["a//"],"a/"],
      [["a/./b"],"a/b"],
      [["a/../b"],"b"],
      [["a/b/../../.."],".."],
      [["/.."],"/"],
      [["/../a"],"/a"],
      [["../"],"../"],
      [["../a/.."],".."],
      [["foo/.."],"."],
      [["foo/../"],"./"],
      [["/a/b/c/../../d/"],"/a/d/"],
      [["a/.../b"],"a/.../b"],
      [[".bashrc"],".bashrc"],
      [["/foo/bar//baz/asdf/quux/.."],"/foo/bar/baz/asdf"]],
    "join":[[[],"."],
      [[""],"."],
      [["",""],"."],
      [["a","","b"],"a/b"],
      [["/a","b"],"/a/b"],
      [["a","/b"],"a/b"],
      [["/","a"],"/a"],
      [["a","../.."],".."],
      [["a/","b/"],"a/b/"],
      [["/foo","bar","baz/asdf","quux",".."],"/foo/bar/baz/asdf"],
      [[".","."],"."],
      [["..","a"],"../a"],
      [["","/a"],"/a"],
      [["a",".","b"],"a/b"]],
    "resolve":[[["/a/b","c"],"/a/b/c"],
      [["/a/b","/c"],"/c"],
      [["/foo/bar","./baz"],"/foo/bar/baz"],
      [["/foo/bar","/tmp/file/"],"/tmp/file"],
      [["/",".."],"/"],
      [["/a","","b"],"/a/b"],
      [["/a/b/","../c/."],"/a/c"],
      [["/x","y","..","z/"],"/x/z"]],
    "relative":[[["/a/b","/a/b"],""],
      [["/a/b","/a/b/c"],"c"],
      [["/a/b/c","/a/b"],".."],
      [["/a/bc","/a/b"],"../b"],
      [["/","/a"],"a"],
      [["/a","/"],".."],
      [["/data/orandea/test/aaa","/data/orandea/impl/bbb"],"../../impl/bbb"],
      [["/a/b/","/a/b"],""],
      [["/foo/bar/baz-quux","/foo/bar/baz"],"../baz"],
      [["/page1/page2/foo","/"],"../../.."],
      [["/x","/y/z"],"../y/z"]],
    "dirname":[[[""],"."],
      [["/"],"/"],
      [["//"],"/"],
      [["//a"],"//"],
      [["/a"],"/"],
      [["/a/"],"/"],
      [["/a/b"],"/a"],
      [["/a/b/"],"/a"],
      [["a"],"."],
      [["a/"],"."],
      [["a/b"],"a"],
      [["a/b//c"],"a/b/"],
      [["./a"],"."],
      [[".."],"."],
      [["/foo/bar/baz/asdf/quux"],"/foo/bar/baz/asdf"],
      [["a//"],"."],
      [["///a"],"//"]],
    "basename":[[[""],""],
      [["/"],""],
      [["//"],""],
      [["a"],"a"],
      [["/a"],"a"],
      [["/a/"],"a"],
      [["/a/b.txt"],"b.txt"],
      [["a/b//"],"b"],
      [[".bashrc"],".bashrc"],
      [["/foo/bar/baz/asdf/quux.html",".html"],"quux"],
      [["/foo/bar/baz/asdf/quux.html","html"],"quux."],
      [["aaa","a"],"aa"],
      [["a","a"],""],
      [["/a/a","a"],"a"],
      [["file.js.js",".js"],"file.js"],
      [["a/b.js/",".js"],"b"],
      [["b.js","b.js"],""],
      [["/ab","xab"],"ab"],
      [["x","yx"],"x"],
      [["dir/file.","."],"file"],
      [["a",""],"a"]],
    "extname":[[[""],""],
      [["a"],""],
      [[".a"],""],
      [["a."],"."],
      [["a.b"],".b"],
      [["a.b.c"],".c"],
      [[".a.b"],".b"],
      [[".."],""],
      [["..."],"."],
      [["..a"],".a"],
      [["/a.b/c"],""],
      [["/a/b.c/"],".c"],
      [["index.coffee.md"],".md"],
      [["index."],"."],
      [["x.."],"."],
      [["a/.b"],""],
      [["a/..b"],".b"]],
    "isAbsolute":[[[""],false],
      [["/"],true],
      [["a"],false],
      [["./a"],false],
      [["/a/.."],true],
      [["//x"],true]],
    "parse":[[[""],{"root":"","dir":"","base":"","ext":"","name":""}],
      [["/"],{"root":"/","dir":"/","base":"","ext":"","name":""}],
      [["///"],{"root":"/","dir":"/","base":"","ext":"","name":""}],
      [["/home/user/dir/file.txt"],{"root":"/","dir":"/home/user/dir","base":"file.txt","ext":".txt","name":"file"}],
      [["./a"],{"root":"","dir":".","base":"a","ext":"","name":"a"}],
      [["a/b/"],{"root":"","dir":"a","base":"b","ext":"","name":"b"}],
      [["//a"],{"root":"/","dir":"/","base":"a","ext":"","name":"a"}],
      [["/a//b"],{"root":"/","dir":"/a/","base":"b","ext":"","name":"b"}],
      [[".bashrc"],{"root":"","dir":"","base":".bashrc","ext":"","name":".bashrc"}],
      [["/a/.."],{"root":"/","dir":"/a","base":"..","ext":"","name":".."}],
      [["a.b.c"],{"root":"","dir":"","base":"a.b.c","ext":".c","name":"a.b"}],
      [["/a"],{"root":"/","dir":"/","base":"a","ext":"","name":"a"}],
      [["file"],{"root":"","dir":"","base":"file","ext":"","name":"file"}],
      [["../x.y"],{"root":"","dir":"..","base":"x.y","ext":".y","name":"x"}]],
    "format":[[[{"root":"/ignored","dir":"/home/user/dir","base":"file.txt"}],"/home/user/dir/file.txt"],
      [[{"root":"/","base":"file.txt","ext":"ignored"}],"/file.txt"],
      [[{"root":"/","name":"file","ext":".txt"}],"/file.txt"],
      [[{"name":"file","ext":"txt"}],"file.txt"],
      [[{}],""],
      [[{"dir":"a"}],"a/"],
      [[{"root":"/","dir":"/","base":"x"}],"/x"],
      [[{"dir":"d","name":"n","ext":".e"}],"d/n.e"]]}
;

let n = 0;
for (const [fn, cases] of Object.entries(table)) {
  for (const [args, want] of cases) {
    const got = path[fn](...args);
    assert.deepEqual(got, want, `path.${fn}(${args.map((a) => JSON.stringify(a)).join(", ")}) = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    n++;
  }
}

// against the working directory
const cwd = process.cwd();
assert.equal(path.resolve(), cwd);
assert.equal(path.resolve(""), cwd);
assert.equal(path.resolve("a/b", "../c"), cwd + "/a/c");
assert.equal(path.resolve("."), cwd);
assert.equal(path.relative("", cwd + "/x/y"), "x/y");
assert.equal(path.relative("a", "b"), "../b");
assert.equal(path.relative(cwd, "/"), cwd.split("/").filter(Boolean).map(() => "..").join("/"));
// parse and format are inverse on ordinary paths
for (const p of ["/home/u/f.txt", "a/b.c", "/x", "rel"]) assert.equal(path.format(path.parse(p)), p);

// arguments must be strings
for (const [fn, args] of [["join", [1]], ["resolve", [null]], ["normalize", [{}]], ["dirname", []],
                          ["basename", ["a", 1]], ["extname", [undefined]], ["relative", ["a", 2]],
                          ["isAbsolute", [3]], ["parse", [[]]], ["format", ["x"]]]) {
  const e = assert.throws(() => path[fn](...args), TypeError, `path.${fn} throws a TypeError`);
  assert.equal(e.code, "ERR_INVALID_ARG_TYPE");
}
assert.equal(assert.throws(() => path.resolve("a", 7)).message,
             'The "paths[1]" argument must be of type string. Received type number (7)');
assert.equal(assert.throws(() => path.join("a", null)).message,
             'The "path" argument must be of type string. Received null');
console.log(`node_path: ok (${n} cases)`);
