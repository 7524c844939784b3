# The JavaScript test scripts, run by ctest through the `geppetto` command: tests/js
# (plain), tests/js-net (against tests/net/server.mjs), tests/js-mock (against
# geppetto-mock), tests/js-mcp (against MCP servers). Included by tests/CMakeLists.txt
# when the command is built.
set(GP_JS_TEST_TIMEOUT 60 CACHE STRING "Per-script timeout of the JS tests, seconds")
file(GLOB GP_JS_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js/*.js)
# Every script runs under tests/hang-guard.sh, a few seconds inside its ctest
# TIMEOUT: a hang then fails with the stacks of all its threads (also kept in
# hangs/ of the build directory) instead of a bare timeout.
set(GP_HANG_GUARD ${CMAKE_SOURCE_DIR}/tests/hang-guard.sh)
set(GP_HANG_ENV "GP_HANG_DIR=${CMAKE_BINARY_DIR}/hangs")
# The scripts inherit ctest's environment: GP_TEST_PG_URL and GP_TEST_REQUIRE_PG (set by
# .ci/run, or `eval "$(scripts/pg-test-cluster.sh start)"`) reach store_sessions_pg.js as
# they reach the C store tests; no test's ENVIRONMENT sets or clears them.
# Scripts that measure time scale themselves down under sanitizers (GP_TEST_SANITIZER).
if(GEPPETTO_SANITIZE)
  list(APPEND GP_HANG_ENV "GP_TEST_SANITIZER=${GEPPETTO_SANITIZE}")
endif()
math(EXPR GP_JS_GUARD "${GP_JS_TEST_TIMEOUT} - 5")
# Runs a command and checks its exit status, stdout and stderr (run_expect.cmake).
set(GP_RUN_EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/run_expect.cmake)
# The "// env: NAME=VALUE" lines of a script's header, as a list of NAME=VALUE in `out`.
function(gp_script_env script out)
  file(STRINGS ${script} lines REGEX "^// env: [A-Za-z_][A-Za-z0-9_]*=")
  list(TRANSFORM lines REPLACE "^// env: " "")
  set(${out} ${lines} PARENT_SCOPE)
endfunction()
# One script test, named PREFIX_NAME, run in the script's folder, optionally through a
# wrapper command (WRAP: a list, e.g. a script that starts a server first). A script
# may declare in its header:
#   "// timeout: N"        its timeout in seconds
#   "// flags: A B"        options of `geppetto run` before the script (e.g. --allow-net=x)
#   "// env: NAME=VALUE"   an environment variable (one per line)
#   "// expect-exit: N", "// expect-stdout: RE", "// expect-stderr: RE" what it must do
#                          (then it runs through run_expect.cmake).
#   "// stdin: FILE"       its standard input: FILE (relative to the script's folder)
#   "// stdin-pipe: FILE"  ... a pipe that FILE is written into
#   "// stdin-open: -"     ... a pipe that stays open and empty while the script runs
#   "// stdin-tty: FILE"   ... a terminal typed FILE (skipped without script(1))
#                          (tests/stdin-wrap.sh; without a header stdin is /dev/null)
function(gp_js_script_test script prefix)
  cmake_parse_arguments(A "" "" "WRAP" ${ARGN})
  get_filename_component(name ${script} NAME_WE)
  get_filename_component(dir ${script} DIRECTORY)
  file(STRINGS ${script} timeout_line REGEX "^// timeout: [0-9]+")
  set(t ${GP_JS_TEST_TIMEOUT})
  if(timeout_line)
    string(REGEX REPLACE "^// timeout: ([0-9]+).*" "\\1" t "${timeout_line}")
  endif()
  math(EXPR guard "${t} - 5")
  set(flags "")
  file(STRINGS ${script} flags_line REGEX "^// flags: ")
  if(flags_line)
    string(REGEX REPLACE "^// flags: " "" flags "${flags_line}")
    separate_arguments(flags UNIX_COMMAND "${flags}")
  endif()
  gp_script_env(${script} env)
  set(env ${GP_HANG_ENV} ${env})
  set(stdin_wrap "")
  file(STRINGS ${script} stdin_line REGEX "^// stdin(-pipe|-open|-tty)?: ")
  if(stdin_line)
    string(REGEX MATCH "^// stdin(-[a-z]+)?: ([^ ]*)" m "${stdin_line}")
    set(mode "${CMAKE_MATCH_1}")
    set(input "${CMAKE_MATCH_2}")
    if(mode STREQUAL "")
      set(mode "-file")
    endif()
    string(SUBSTRING "${mode}" 1 -1 mode)
    if(NOT mode STREQUAL "open")
      set(input ${dir}/${input})
    endif()
    set(stdin_wrap bash ${CMAKE_SOURCE_DIR}/tests/stdin-wrap.sh ${mode} ${input} --)
  endif()
  set(cmd ${A_WRAP} bash ${GP_HANG_GUARD} ${guard} ${stdin_wrap} $<TARGET_FILE:geppetto> run ${flags} ${script} a1 a2)
  file(STRINGS ${script} exp_exit REGEX "^// expect-exit: ")
  file(STRINGS ${script} exp_out REGEX "^// expect-stdout: ")
  file(STRINGS ${script} exp_err REGEX "^// expect-stderr: ")
  if(exp_exit OR exp_out OR exp_err)
    set(code 0)
    set(extra "")
    if(exp_exit)
      string(REGEX REPLACE "^// expect-exit: ([0-9]+).*" "\\1" code "${exp_exit}")
    endif()
    if(exp_out)
      string(REGEX REPLACE "^// expect-stdout: " "" re "${exp_out}")
      list(APPEND extra "-DSTDOUT=${re}")
    endif()
    if(exp_err)
      string(REGEX REPLACE "^// expect-stderr: " "" re "${exp_err}")
      list(APPEND extra "-DSTDERR=${re}")
    endif()
    add_test(NAME ${prefix}_${name}
             COMMAND ${CMAKE_COMMAND} "-DCMD=${cmd}"
                     -DEXIT=${code} ${extra} -P ${GP_RUN_EXPECT}
             WORKING_DIRECTORY ${dir})
  else()
    add_test(NAME ${prefix}_${name} COMMAND ${cmd} WORKING_DIRECTORY ${dir})
  endif()
  # exit 77: skipped (a missing optional dependency), run_expect.cmake says so in words
  set_tests_properties(${prefix}_${name} PROPERTIES TIMEOUT ${t} ENVIRONMENT "${env}"
                       SKIP_RETURN_CODE 77 SKIP_REGULAR_EXPRESSION "geppetto-test-skipped [(]exit status 77[)]")
endfunction()
foreach(script ${GP_JS_TESTS})
  gp_js_script_test(${script} js)
endforeach()
# Scripts that talk to the project's test HTTP server (tests/net/server.mjs, Node.js):
# tests/net/with-server.sh starts it and exports its addresses (GP_TEST_HTTP, ...).
find_program(GP_NODE node)
if(GP_NODE)
  file(GLOB GP_JS_NET_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js-net/*.js)
  foreach(script ${GP_JS_NET_TESTS})
    gp_js_script_test(${script} jsnet WRAP bash ${CMAKE_SOURCE_DIR}/tests/net/with-server.sh --)
  endforeach()
else()
  message(WARNING "node not found: the tests of tests/js-net (fetch against a real server) are skipped")
endif()
# Provider keys of the environment never leak into the tests.
set(GP_NO_KEYS "OPENAI_API_KEY=unset:;ANTHROPIC_API_KEY=unset:;GEMINI_API_KEY=unset:;GEPPETTO_PROFILE=unset:;GEPPETTO_PROFILES=unset:")
set_tests_properties(js_providers_config_errors js_providers_env_keys js_providers_env_denied
                     PROPERTIES ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
if(TARGET geppetto-mock)
  set(with_mock ${CMAKE_SOURCE_DIR}/tools/mock/with-mock.sh)
  # Scripts that talk HTTP: tests/js-mock/NAME.js runs against geppetto-mock replaying
  # tests/js-mock/NAME.json, with GEPPETTO_MOCK_URL set and tests/js-mock/profiles.yaml.
  file(GLOB GP_JS_MOCK_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js-mock/*.js)
  foreach(script ${GP_JS_MOCK_TESTS})
    get_filename_component(name ${script} NAME_WE)
    get_filename_component(dir ${script} DIRECTORY)
    gp_script_env(${script} env)
    list(TRANSFORM env REPLACE "^([A-Za-z_][A-Za-z0-9_]*)=" "\\1=set:")
    set(mock_env ${GP_NO_KEYS} ${env})
    add_test(NAME jsmock_${name}
             COMMAND bash ${with_mock} $<TARGET_FILE:geppetto-mock> ${dir}/${name}.json --
                     bash ${GP_HANG_GUARD} ${GP_JS_GUARD}
                     $<TARGET_FILE:geppetto> run --profiles ${dir}/profiles.yaml ${script}
             WORKING_DIRECTORY ${dir})
    set_tests_properties(jsmock_${name} PROPERTIES TIMEOUT ${GP_JS_TEST_TIMEOUT}
                         ENVIRONMENT "${GP_HANG_ENV}"
                         ENVIRONMENT_MODIFICATION "${mock_env}")
  endforeach()
  # MCP (SPEC §4.11): tests/js-mcp/NAME.js against the npm MCP servers and the fake
  # server, through tests/mcp/with-mcp.sh (geppetto-mock replays NAME.json if present;
  # exit 77 = skipped when build-deps/mcp is missing).
  file(GLOB GP_JS_MCP_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js-mcp/*.js)
  foreach(script ${GP_JS_MCP_TESTS})
    gp_js_script_test(${script} jsmcp WRAP bash ${CMAKE_SOURCE_DIR}/tests/mcp/with-mcp.sh
                      $<TARGET_FILE:geppetto-mock> ${script} --)
    get_filename_component(name ${script} NAME_WE)
    set_tests_properties(jsmcp_${name} PROPERTIES SKIP_RETURN_CODE 77
                         ENVIRONMENT_MODIFICATION "${GP_NO_KEYS}")
  endforeach()
endif()
