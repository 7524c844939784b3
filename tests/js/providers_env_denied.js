// flags: --permission
// env: GP_ENVKEYS_DENIED=sk-from-the-c-environment
// Under --permission without --allow-env, process.env is closed: engines read their
// key variables from the process environment as before (SPEC §6, §3.4).
const gp = require("geppetto");
assert.throws(() => process.env.GP_ENVKEYS_DENIED, { code: "ERR_ACCESS_DENIED" });
assert(gp.engines.fromConfig({ apiType: "openai", model: "m", apiKeyEnv: "GP_ENVKEYS_DENIED" }));
assert.throws(() => gp.engines.fromConfig({ apiType: "openai", model: "m", apiKeyEnv: "GP_ENVKEYS_NONE" }),
              { code: "CONFIG", message: /\$GP_ENVKEYS_NONE from apiKeyEnv \(not set\)/ });
console.log("denied env ok");
