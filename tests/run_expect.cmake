# Runs a command and checks its exit status and output (for tests of exit codes).
#   cmake -DCMD="a;b;c" -DEXIT=N [-DSTDOUT=regex] [-DSTDERR=regex] -P run_expect.cmake
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
# Exit status 77 is a skip (a missing optional dependency): the message below is the
# SKIP_REGULAR_EXPRESSION of the tests that run through this file (cmake -P cannot exit 77).
if("${rc}" STREQUAL "77" AND NOT "${EXIT}" STREQUAL "77")
  message(FATAL_ERROR "geppetto-test-skipped (exit status 77)\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT "${rc}" STREQUAL "${EXIT}")
  message(FATAL_ERROR "exit status ${rc}, expected ${EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED STDOUT AND NOT "${out}" MATCHES "${STDOUT}")
  message(FATAL_ERROR "stdout does not match '${STDOUT}':\n${out}\nstderr:\n${err}")
endif()
if(DEFINED STDERR AND NOT "${err}" MATCHES "${STDERR}")
  message(FATAL_ERROR "stderr does not match '${STDERR}':\n${err}")
endif()
