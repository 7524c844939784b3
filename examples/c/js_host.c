/* A C host of the JavaScript runtime (include/geppetto/js.h): a tool written in C, a
 * script whose agent calls it, and one call that tears everything down. Offline: the
 * script's engine is a JS function that asks for the tool, then answers.
 *
 *   example_js_host [SCRIPT.js]      without a script, runs the one below
 *   cc js_host.c $(pkg-config --cflags --libs geppetto)   builds it from an install */
#include <stdio.h>

#include <geppetto/geppetto.h>
#include <geppetto/js.h>

static int add_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                    gp_error_t **err) {
  json_int_t a = json_integer_value(json_object_get(args, "a"));
  json_int_t b = json_integer_value(json_object_get(args, "b"));
  *result = json_integer(a + b);
  return 0;
}

static const char script[] =
    "const gp = require('geppetto');\n"
    "const tools = gp.tools.createRegistry().useNativeTools(['add']);\n"
    "const engine = gp.engines.fromFunction((turn) => {\n"
    "  const use = turn.blocks.find((b) => b.kind === 'tool_use');\n"
    "  return gp.turns.appendBlock(turn, use\n"
    "    ? gp.turns.newAssistantBlock('2 + 40 = ' + use.payload.result)\n"
    "    : gp.turns.newToolCallBlock('c1', 'add', {a: 2, b: 40}));\n"
    "});\n"
    "gp.createSession({engine, tools}).runAsync('add 2 and 40').then((t) =>\n"
    "  console.log(t.blocks[t.blocks.length - 1].payload.text));\n";

int main(int argc, char **argv) {
  gp_js_t *js = NULL;
  gp_error_t *err = NULL;
  if (gp_js_new(NULL, &js, &err) != GP_OK) {
    fprintf(stderr, "js_host: %s\n", err ? err->message : "cannot create the runtime");
    gp_error_free(err);
    return 1;
  }
  const char *schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
                       "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}";
  gp_js_add_native_tool(js, "add", "Adds two integers", schema, add_tool, NULL, NULL, NULL);
  int rc = argc > 1 ? gp_js_run_file(js, argv[1]) : gp_js_eval(js, script);
  if (rc == GP_OK) gp_js_wait(js);
  int status = rc == GP_OK ? gp_js_exit_code(js) : 1;
  gp_js_free(js);
  return status;
}
