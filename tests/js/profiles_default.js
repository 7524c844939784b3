// Profiles (SPEC §6): with no name, no $GEPPETTO_PROFILE and no `default:` key, the
// profile named "default" is used; a profile whose api_key_env names an unset variable
// is a CONFIG error naming the variable, even with a local base_url (a key the profile
// asks for is missing); one naming a set variable works.
// flags: --profiles fixtures/profiles_default.yaml
// env: GP_PROFILES_TEST_SET_KEY=sk-test
// expect-stdout: profiles_default: ok
const gp = require("geppetto");

assert.ok(gp.engines.fromProfile(), "the profile named default is the default");
assert.throws(() => gp.engines.fromProfile("keyenv"), (e) =>
  e.code === "CONFIG" && e.message.includes("GP_PROFILES_TEST_UNSET_KEY"));
assert.ok(gp.engines.fromProfile("keypath"), "the key from the named variable");
console.log("profiles_default: ok");
