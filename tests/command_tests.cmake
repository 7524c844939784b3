# The `geppetto` command itself: its options and usage errors, signals, the examples
# users copy, `geppetto chat`, MCP conformance, the install and the TypeScript
# declarations. Included by tests/CMakeLists.txt after js_tests.cmake (whose variables
# it uses: GP_RUN_EXPECT, GP_HANG_*, GP_NO_KEYS, with_mock) when the command is built.
set(expect ${GP_RUN_EXPECT})
# Version, eval, usage errors.
add_test(NAME cli_version COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:geppetto>;version"
         -DEXIT=0 "-DSTDOUT=^geppetto [0-9]+[.][0-9]+[.][0-9]+" -P ${expect})
add_test(NAME cli_eval COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;eval;setTimeout(() => (console.log(40 + 2), process.exitCode = 6), 5)"
         -DEXIT=6 "-DSTDOUT=^42" -P ${expect})
add_test(NAME cli_usage COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:geppetto>;frobnicate"
         -DEXIT=2 "-DSTDERR=usage" -P ${expect})
add_test(NAME cli_usage_missing_script COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:geppetto>;run"
         -DEXIT=2 "-DSTDERR=missing script" -P ${expect})
add_test(NAME cli_stats_json COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:geppetto>;eval;--stats;1+1"
         -DEXIT=0 "-DSTDERR=\"queueDepth\":0.*\"byOp\"" -P ${expect})
# --log-level / --log-format: the turnLogging middleware's records (info), and the
# warning for a throwing event sink, as text lines and as JSON lines on stderr. Only
# orders fixed by the run are asserted (the sink's warnings interleave with the log).
set(gp_log_js "((gp) => gp.createSession({engine: gp.engines.echo(), middlewares: [gp.middlewares.native('turnLogging')], eventSink: () => { throw new Error('sink broke') }}).run('hi'))(require('geppetto'))")
add_test(NAME cli_log_text COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;eval;--log-level;info;--log-format;text;${gp_log_js}"
         -DEXIT=0 "-DSTDERR=info  middleware: turn [^\n]*: 1 blocks [(]user[)]\n.*info  middleware: turn [^\n]*: 2 blocks [(]user, llm_text[)]\n.*warn  js: eventSink threw on 'final'" -P ${expect})
add_test(NAME cli_log_json COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;eval;--log-format;json;--log-level;debug;${gp_log_js}"
         -DEXIT=0 "-DSTDERR=[{]\"ts\":[0-9]+,\"level\":\"info\",\"component\":\"middleware\",\"msg\":\"turn [^\"]*: 1 blocks [(]user[)]\"[}]\n.*[{]\"ts\":[0-9]+,\"level\":\"warn\",\"component\":\"js\",\"msg\":\"eventSink threw on 'final'" -P ${expect})
add_test(NAME cli_log_level_bad COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;eval;--log-level;loud;1" -DEXIT=2 "-DSTDERR=bad --log-level" -P ${expect})
add_test(NAME cli_log_format_bad COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;run;--log-format;xml;x.js" -DEXIT=2 "-DSTDERR=bad --log-format" -P ${expect})
# Options as --opt=VALUE too.
add_test(NAME cli_option_equals COMMAND ${CMAKE_COMMAND}
         "-DCMD=$<TARGET_FILE:geppetto>;eval;--log-level=loud;1" -DEXIT=2 "-DSTDERR=bad --log-level" -P ${expect})
# The permission options (SPEC §3.4, docs/PERMISSIONS.md): a malformed value is a usage
# error naming the argument; any --allow-* turns the model on; without one it is off.
set(gp_perm_has "console.log(process.permission.has('fs.read'), process.permission.has('net', 'x:1'), process.permission.has('fs.read', '/gp-data/a'))")
# gp_cli_test(NAME EXIT STDOUT|STDERR REGEX ARGS...): `geppetto ARGS...` exits EXIT and
# its stdout or stderr matches REGEX.
set(gp_perm_cli_names "")
function(gp_cli_test name code stream re)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:geppetto>;${ARGN}"
           -DEXIT=${code} "-D${stream}=${re}" -P ${expect})
  set(gp_perm_cli_names ${gp_perm_cli_names} ${name} PARENT_SCOPE)
endfunction()
gp_cli_test(cli_perm_bad_port 2 STDERR "--allow-net=example.com:99999: 'example.com:99999' has a bad port"
            eval --allow-net=example.com:99999 1)
gp_cli_test(cli_perm_empty_list 2 STDERR "--allow-fs-read= needs a value" run --allow-fs-read= x.js)
gp_cli_test(cli_perm_empty_item 2 STDERR "--allow-net=a.test,,b.test has an empty item"
            eval --allow-net=a.test,,b.test 1)
gp_cli_test(cli_perm_url_as_host 2 STDERR "'https://a.test' takes HOST.*, not a URL"
            eval --allow-net=https://a.test 1)
gp_cli_test(cli_perm_missing_value 2 STDERR "--allow-fs-write needs a value" eval --allow-fs-write)
gp_cli_test(cli_perm_bare_with_value 2 STDERR "--allow-env takes no value" eval --allow-env=HOME 1)
gp_cli_test(cli_perm_implied 0 STDOUT "^false true false\n" eval --allow-net=x "${gp_perm_has}")
gp_cli_test(cli_perm_value_form 0 STDOUT "^false false true\n" eval --allow-fs-read /gp-data "${gp_perm_has}")
gp_cli_test(cli_perm_off 0 STDOUT "^undefined string\n" eval
            "console.log(typeof process.permission, typeof process.env.PATH)")
# Eval code is named [eval]: a syntax error shows the place, the line and a caret; a
# runtime error's stack names [eval]:LINE:COL; no frame of the runtime shows.
gp_cli_test(cli_eval_syntax_error 1 STDERR
            "^\\[eval\\]:1:9\nlet q = [*]\n        \\^\nUncaught: SyntaxError: Unexpected token '[*]'\n$"
            eval "let q = *")
gp_cli_test(cli_eval_syntax_eof 1 STDERR "^\\[eval\\]:2:5\n  f[(]\n    \\^\nUncaught: SyntaxError: Unexpected end of input"
            eval "1\n  f(")
gp_cli_test(cli_eval_runtime_error 1 STDERR
            "^Uncaught: TypeError: null is not an object [(]evaluating 'null.x'[)]\nglobal code@\\[eval\\]:1:5\n$"
            eval "null.x")
gp_cli_test(cli_eval_stack 0 STDOUT "^f@\\[eval\\]:2:31\nglobal code@\\[eval\\]:3:8\n$"
            eval "\nfunction f() { throw new Error('x') }\ntry { f() } catch (e) { console.log(e.stack) }")
gp_cli_test(cli_eval_require_stack 0 STDOUT "^global code@\\[eval\\]:1:14\n$"
            eval "try { require('nope-x') } catch (e) { console.log(e.stack) }")
gp_cli_test(cli_eval_require_stack_debug 0 STDOUT "codeError@geppetto:prelude:[0-9]+:[0-9]+\n.*\nglobal code@\\[eval\\]:1:14\n$"
            eval --log-level debug "try { require('nope-x') } catch (e) { console.log(e.stack) }")
# eval's code with import/export statements or top-level await is an ES module, as a
# main .mjs is (SPEC §3.3); a throw after an await is uncaught (exit 1). Lines, not
# semicolons: a semicolon would split the command list.
gp_cli_test(cli_eval_tla 0 STDOUT "^42\n" eval "const x = await Promise.resolve(41)\nconsole.log(x + 1)")
gp_cli_test(cli_eval_import 0 STDOUT "^/ true file:///" eval
            "import p from 'path'\nimport { sep } from 'node:path'\nconst fsp = await import('fs/promises')\nconsole.log(p.sep, sep === p.sep && typeof fsp.readFile === 'function', import.meta.url)")
gp_cli_test(cli_eval_tla_throw 1 STDERR "^Uncaught: Error: late" eval "await sleep(5)\nthrow new Error('late')")
gp_cli_test(cli_eval_script 0 STDOUT "^5 true\n" eval "var q = 5\nconsole.log(globalThis.q, typeof exports === 'object')")
gp_cli_test(cli_help 0 STDOUT "^usage: geppetto run .*geppetto help" help)
gp_cli_test(cli_help_long 0 STDOUT "^usage: geppetto run" --help)
gp_cli_test(cli_help_short 0 STDOUT "^usage: geppetto run" -h)
gp_cli_test(cli_version_long 0 STDOUT "^geppetto [0-9]+[.][0-9]+[.][0-9]+" --version)
gp_cli_test(cli_unknown_command 2 STDERR "unknown command 'frobnicate'" frobnicate)
# Usage errors name the bad argument and exit 2 (SPEC §2); a command's --help / -h
# prints that command's usage and exits 0.
gp_cli_test(cli_option_needs_value 2 STDERR "^geppetto: option --profile needs a value\nusage: geppetto run"
            run --profile)
gp_cli_test(cli_chat_option_needs_value 2 STDERR "option --system needs a value" chat --system)
gp_cli_test(cli_eval_missing_code 2 STDERR "^geppetto: missing code\nusage: geppetto eval" eval)
gp_cli_test(cli_run_unknown_short 2 STDERR "^geppetto: unknown option -x\nusage: geppetto run" run -x x.js)
gp_cli_test(cli_run_unknown_long 2 STDERR "^geppetto: unknown option --frob\n" run --frob x.js)
gp_cli_test(cli_run_stats_value 2 STDERR "--stats takes no value" run --stats=1 x.js)
gp_cli_test(cli_run_after_dashdash 1 STDERR "Cannot find module '-x[.]js'" run -- -x.js)
gp_cli_test(cli_run_help 0 STDOUT "^usage: geppetto run [[]OPTIONS[]] SCRIPT.*--allow-env" run --help)
gp_cli_test(cli_chat_help 0 STDOUT "^usage: geppetto chat .*--tools FILE[.]js.*--allow-env" chat --help)
gp_cli_test(cli_eval_help_short 0 STDOUT "^usage: geppetto eval" eval --stats -h)
gp_cli_test(cli_help_command 0 STDOUT "^usage: geppetto chat" help chat)
gp_cli_test(cli_help_unknown_command 2 STDERR "unknown command 'frob'" help frob)
set_tests_properties(cli_version cli_eval cli_usage cli_usage_missing_script cli_stats_json
                     cli_log_text cli_log_json cli_log_level_bad cli_log_format_bad
                     cli_option_equals ${gp_perm_cli_names}
                     PROPERTIES TIMEOUT 30)
# SIGINT/SIGTERM (SPEC §2): tests/signals/sig_*.sh start `geppetto run` in the
# background, signal it and check its status and output (tests/signals/lib.sh).
file(GLOB GP_SIGNAL_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/signals/sig_*.sh)
# sig_provider.sh streams from geppetto-mock (slow.json): it runs under with-mock.sh.
foreach(script ${GP_SIGNAL_TESTS})
  get_filename_component(name ${script} NAME_WE)
  set(wrap "")
  if(name STREQUAL "sig_provider")
    if(NOT TARGET geppetto-mock)
      continue()
    endif()
    set(wrap bash ${with_mock} $<TARGET_FILE:geppetto-mock> ${CMAKE_SOURCE_DIR}/tests/fixtures/mock/slow.json --)
  endif()
  add_test(NAME signals_${name} COMMAND ${wrap} bash ${script} $<TARGET_FILE:geppetto>
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/signals)
  set_tests_properties(signals_${name} PROPERTIES TIMEOUT 60 ENVIRONMENT "${GP_HANG_ENV}" SKIP_RETURN_CODE 77
                       ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
endforeach()
# The install (SPEC §5): a C host builds with pkg-config or find_package alone. Not in
# sanitizer builds (a host compiled without the sanitizer cannot link their library).
if(NOT GEPPETTO_SANITIZE)
  add_test(NAME install_host COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/install-test.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(install_host PROPERTIES TIMEOUT 120)
  # The TypeScript declarations against what the examples use (npm: TypeScript).
  add_test(NAME types_check COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/typecheck.sh)
  set_tests_properties(types_check PROPERTIES TIMEOUT 300)
endif()
file(GLOB GP_JS_EXAMPLES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/js/*.js)
foreach(script ${GP_JS_EXAMPLES})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME example_js_${name}
           COMMAND bash ${GP_HANG_GUARD} ${GP_JS_GUARD} $<TARGET_FILE:geppetto> run ${script})
  set_tests_properties(example_js_${name} PROPERTIES TIMEOUT ${GP_JS_TEST_TIMEOUT}
                       ENVIRONMENT "${GP_HANG_ENV}")
endforeach()
if(TARGET geppetto-mock)
  # The interactive agent of the README (stdin, readline, fs, child_process, an
  # approval hook), its user's lines piped in.
  add_test(NAME example_interactive COMMAND ${CMAKE_COMMAND}
           "-DCMD=bash;${CMAKE_SOURCE_DIR}/examples/interactive/run.sh;$<TARGET_FILE:geppetto>;$<TARGET_FILE:geppetto-mock>"
           -DEXIT=0 "-DSTDOUT=allow read_file.*tool ran.*buy milk, call Bob.*allow shell.*refused: the user declined.*did not run the command" -P ${expect})
  set_tests_properties(example_interactive PROPERTIES TIMEOUT 60 ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
  # The MCP conformance suite's client scenarios (lifecycle, tools) against gp.mcp.
  add_test(NAME mcp_conformance COMMAND bash ${CMAKE_SOURCE_DIR}/tests/mcp/conformance.sh $<TARGET_FILE:geppetto>)
  set_tests_properties(mcp_conformance PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77)
  # `geppetto chat` on a pipe and on a pseudo-terminal, against the mock.
  foreach(t chat_pipe chat_pty chat_mcp chat_profile chat_resume_kill chat_tools chat_store)
    set(fixture ${CMAKE_SOURCE_DIR}/tests/chat/chat.json)
    if(EXISTS ${CMAKE_SOURCE_DIR}/tests/chat/${t}.json)
      set(fixture ${CMAKE_SOURCE_DIR}/tests/chat/${t}.json)
    endif()
    add_test(NAME ${t} COMMAND bash ${with_mock} $<TARGET_FILE:geppetto-mock> ${fixture} --
             bash ${CMAKE_SOURCE_DIR}/tests/chat/${t}.sh $<TARGET_FILE:geppetto>)
    set_tests_properties(${t} PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77
                         ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
  endforeach()
  # The README's main job: the example agent over HTTP, in each protocol.
  foreach(api openai claude openai-responses gemini)
    add_test(NAME example_agent_http_${api} COMMAND ${CMAKE_COMMAND}
             "-DCMD=bash;${CMAKE_SOURCE_DIR}/examples/agent/run.sh;$<TARGET_FILE:geppetto>;$<TARGET_FILE:geppetto-mock>;${api}"
             -DEXIT=0 "-DSTDOUT=sunny in Paris.*\\[final\\].*\\[done\\] 8 blocks" -P ${expect})
    set_tests_properties(example_agent_http_${api} PROPERTIES TIMEOUT ${GP_JS_TEST_TIMEOUT}
                         ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
  endforeach()
endif()
