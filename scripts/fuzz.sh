#!/usr/bin/env bash
# Builds the stream-decoder fuzzers and the MCP client's (tests/fuzz/, libFuzzer with
# ASan and UBSan) with clang into build-fuzz/ and runs each for SECONDS (default 15),
# keeping a corpus per target under build-fuzz/ (seeded from tests/fuzz/corpus/TARGET/
# where there is one, and below). Exits non-zero if a fuzzer finds a crash, a leak or an
# invariant violation; the input that did it is saved as build-fuzz/crash-<target>-*.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
cc="${FUZZ_CC:-}"
if [ -z "$cc" ]; then
  for c in clang-14 clang; do
    if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
  done
fi
[ -n "$cc" ] || { echo "fuzz.sh: clang not found (set FUZZ_CC)" >&2; exit 2; }

out=build-fuzz
mkdir -p "$out"
# The decoders need only the core helpers (and the turn code that errors reference).
deps=(src/core/*.c src/turns/*.c)
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -Wall -Wextra -Wno-unused-parameter -Isrc -Iinclude)
read -r -a jansson_cflags <<<"$(pkg-config --cflags jansson)"
read -r -a jansson_libs <<<"$(pkg-config --libs jansson)"

targets=(sse ndjson jscan gemini mcp)
for t in "${targets[@]}"; do
  echo "fuzz.sh: building fuzz_$t"
  src=("src/http/$t.c")
  libs=("${jansson_libs[@]}")
  [ "$t" = jscan ] && src=("src/engines/$t.c")
  if [ "$t" = gemini ]; then # a protocol decoder: the library's layers below the sessions
    src=(src/events/*.c src/http/*.c src/engines/*.c src/tools/*.c)
    read -r -a libs <<<"$(pkg-config --libs jansson libcurl libuv yaml-0.1)"
  fi
  if [ "$t" = mcp ]; then # the client over an in-memory transport, and the layers it uses
    src=(src/mcp/*.c src/events/*.c src/http/*.c src/engines/*.c src/tools/*.c)
    read -r -a libs <<<"$(pkg-config --libs jansson libcurl libuv yaml-0.1)"
  fi
  "$cc" "${cflags[@]}" "${jansson_cflags[@]}" -o "$out/fuzz_$t" \
    "tests/fuzz/fuzz_$t.c" "${src[@]}" "${deps[@]}" "${libs[@]}" -lpthread -lm
done

seed() { # seed DIR NAME CONTENT: writes a seed input once
  [ -e "$1/$2" ] || printf '%b' "$3" >"$1/$2"
}
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus_$t"
  for f in "tests/fuzz/corpus/$t"/*; do # committed seeds (regressions among them), once
    if [ -f "$f" ] && [ ! -e "$out/corpus_$t/${f##*/}" ]; then cp "$f" "$out/corpus_$t/"; fi
  done
done
seed "$out/corpus_sse" basic 'event: completion\ndata: {"a":1}\n\n'
seed "$out/corpus_sse" mixed '\xef\xbb\xbf: hi\r\nid: 1\r\ndata: a\rdata: b\r\r:c\nretry: 10\nevent: x\ndata\n\ndata: tail'
seed "$out/corpus_ndjson" basic '{"a":1}\n[1,2]\r\n\n"s"\nnull'
seed "$out/corpus_ndjson" bad '{"a":1}\n{"b":\n'
seed "$out/corpus_jscan" delta '{"choices":[{"index":0,"delta":{"content":"h\\u00e9 \\"q\\""},"finish_reason":null}]}'
seed "$out/corpus_gemini" tools "$(cat tests/fixtures/providers/gemini_tools.sse)"
seed "$out/corpus_gemini" error "$(cat tests/fixtures/providers/gemini_error.sse)"
seed "$out/corpus_jscan" mixed '[1e308,-0.5,9223372036854775807,"\\ud83d\\ude00",{"a":[null,true,false]}]'

status=0
for t in "${targets[@]}"; do
  echo "fuzz.sh: running fuzz_$t for ${secs}s"
  if ! ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$out/fuzz_$t" \
      -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -dict="tests/fuzz/$t.dict" -artifact_prefix="$out/crash-$t-" -print_final_stats=1 \
      "$out/corpus_$t" 2>"$out/fuzz_$t.log"; then
    echo "fuzz.sh: fuzz_$t FAILED; see $out/fuzz_$t.log and $out/crash-$t-*" >&2
    tail -n 40 "$out/fuzz_$t.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$out/fuzz_$t.log" | sed "s/^/fuzz_$t /"
  fi
done
exit "$status"
