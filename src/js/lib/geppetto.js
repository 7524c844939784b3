// The `geppetto` module (SPEC §4), built over the natives of src/js/mod_*.c.
(function (native, host) {
  "use strict";
  const BlockKind = Object.freeze({ USER: "user", LLM_TEXT: "llm_text", TOOL_CALL: "tool_call",
    TOOL_USE: "tool_use", SYSTEM: "system", REASONING: "reasoning", OTHER: "other" });
  const consts = Object.freeze({ BlockKind });
  return { consts };
})
