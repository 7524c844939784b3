// API keys and profile variables from the script's process.env (SPEC §6): what a
// script (or dotenv) sets, changes or deletes there is what gp.engines and
// gp.embeddings read; errors still name $VAR and never show the key. Child processes
// without an `env` option inherit process.env as it is now. No network is used; ctest
// unsets the provider keys and GEPPETTO_PROFILE(S) in the C environment.
const gp = require("geppetto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cp = require("child_process");

function fails(fn, code, re, secret) {
  try { fn(); } catch (e) {
    assert.equal(e.code, code, e.message);
    assert(re.test(e.message), "message " + JSON.stringify(e.message) + " should match " + re);
    if (secret) assert(!e.message.includes(secret) && !JSON.stringify(e).includes(secret), "no key in " + e.message);
    return e;
  }
  assert.fail("expected " + code);
}

// The protocol's default variable, on the official host (a key is required there).
const key = "sk-envkeys-SECRET-1234";
fails(() => gp.engines.fromConfig({ apiType: "openai", model: "m" }), "CONFIG", /\$OPENAI_API_KEY \(not set\)/);
process.env.OPENAI_API_KEY = key;
assert(gp.engines.fromConfig({ apiType: "openai", model: "m" }), "the key set in process.env");
assert(gp.embeddings.fromConfig({ apiType: "openai", model: "emb" }), "an embedder with it");
process.env.OPENAI_API_KEY = "";
fails(() => gp.engines.fromConfig({ apiType: "openai", model: "m" }), "CONFIG", /\$OPENAI_API_KEY \(empty\)/);
delete process.env.OPENAI_API_KEY;
fails(() => gp.engines.fromConfig({ apiType: "openai", model: "m" }), "CONFIG", /\$OPENAI_API_KEY \(not set\)/);
fails(() => gp.embeddings.fromConfig({ apiType: "openai", model: "emb" }), "CONFIG", /\$OPENAI_API_KEY/);

// apiKeyEnv naming a variable set only in process.env; a bad key names $VAR, not the key.
process.env.GP_ENVKEYS_GEMINI = key;
assert(gp.engines.fromConfig({ apiType: "gemini", model: "g", apiKeyEnv: "GP_ENVKEYS_GEMINI" }));
assert(gp.embeddings.fromConfig({ apiType: "gemini", model: "g", apiKeyEnv: "GP_ENVKEYS_GEMINI" }));
process.env.GP_ENVKEYS_GEMINI = key + "\tx";
fails(() => gp.engines.fromConfig({ apiType: "gemini", model: "g", apiKeyEnv: "GP_ENVKEYS_GEMINI" }),
      "INVALID_ARGUMENT", /\$GP_ENVKEYS_GEMINI contains a control character/, key);
delete process.env.GP_ENVKEYS_GEMINI;
fails(() => gp.engines.fromConfig({ apiType: "gemini", model: "g", apiKeyEnv: "GP_ENVKEYS_GEMINI" }),
      "CONFIG", /\$GP_ENVKEYS_GEMINI from apiKeyEnv \(not set\)/, key);

// Profiles: the file from $GEPPETTO_PROFILES or $XDG_CONFIG_HOME, the profile from
// $GEPPETTO_PROFILE, its api_key_env: all set in process.env only.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-envkeys-"));
const yaml = "default: a\nprofiles:\n  a: {api_type: openai, model: ma, api_key_env: GP_ENVKEYS_A}\n" +
             "  b: {api_type: claude, model: mb, api_key_env: GP_ENVKEYS_B}\n";
fs.writeFileSync(path.join(dir, "p.yaml"), yaml);
fs.mkdirSync(path.join(dir, "geppetto"));
fs.writeFileSync(path.join(dir, "geppetto", "profiles.yaml"), yaml.replace("default: a", "default: b"));
try {
  process.env.GEPPETTO_PROFILES = path.join(dir, "p.yaml");
  fails(() => gp.engines.fromProfile(), "CONFIG", /profile "a" in .*p\.yaml.*\$GP_ENVKEYS_A from apiKeyEnv \(not set\)/);
  process.env.GP_ENVKEYS_A = key;
  assert(gp.engines.fromProfile(), "profile a with its key from process.env");
  assert(gp.embeddings.fromProfile(), "an embedder from profile a");
  process.env.GEPPETTO_PROFILE = "b";
  fails(() => gp.engines.fromProfile(), "CONFIG", /profile "b" in .*p\.yaml.*\$GP_ENVKEYS_B/, key);
  process.env.GP_ENVKEYS_B = "sk-b";
  assert(gp.engines.fromProfile(), "profile b chosen by $GEPPETTO_PROFILE in process.env");
  process.env.GEPPETTO_PROFILE = "zz";
  fails(() => gp.engines.fromProfile(), "CONFIG", /no profile "zz" \(from \$GEPPETTO_PROFILE\)/);
  delete process.env.GEPPETTO_PROFILE;
  delete process.env.GEPPETTO_PROFILES;
  process.env.XDG_CONFIG_HOME = dir;
  delete process.env.GP_ENVKEYS_B;
  fails(() => gp.engines.fromProfile(), "CONFIG", /profile "b" in .*geppetto\/profiles\.yaml.*\$GP_ENVKEYS_B/);
  process.env.XDG_CONFIG_HOME = path.join(dir, "nowhere");
  fails(() => gp.engines.fromProfile(), "CONFIG", /nowhere\/geppetto\/profiles\.yaml \(from \$XDG_CONFIG_HOME\)/);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

// Children inherit process.env as it is now: set, changed and deleted variables.
process.env.GP_ENVKEYS_CHILD = "one";
process.env.HOME_ENVKEYS_GONE = "here";
delete process.env.HOME_ENVKEYS_GONE;
assert.equal(cp.execSync("echo $GP_ENVKEYS_CHILD-${HOME_ENVKEYS_GONE:-unset}").toString(), "one-unset\n");
process.env.GP_ENVKEYS_CHILD = "two";
assert.equal(cp.spawnSync("sh", ["-c", "echo $GP_ENVKEYS_CHILD"]).stdout.toString(), "two\n");
cp.exec("echo $GP_ENVKEYS_CHILD", (err, out) => {
  assert.equal(err, null);
  assert.equal(out, "two\n", "exec inherits process.env");
  console.log("env keys ok");
});
