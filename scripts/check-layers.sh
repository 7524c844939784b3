#!/usr/bin/env bash
# Checks the layer rule at link level (docs/ARCHITECTURE.md "Layers"): no object of a
# layer uses a symbol that a layer it may not use defines. The include paths already stop
# an upward #include of an internal header; this catches an upward call through a public
# header (include/geppetto/ is seen by every layer). The build runs it after linking
# the library (CMakeLists.txt).
#   check-layers.sh LAYERS_DIR --layer NAME OBJECT... [--layer NAME OBJECT...]...
# LAYERS_DIR/NAME holds a link per layer NAME may use (itself included), as the build
# made them for its include path.
set -euo pipefail
export LC_ALL=C
layers_dir=$1
shift
declare -A objs=()
order=()
layer=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--layer" ]; then
    layer=$2
    order+=("$layer")
    objs[$layer]=""
    shift 2
    continue
  fi
  objs[$layer]+="$1"$'\n'
  shift
done

# Every global symbol a layer defines: "SYMBOL LAYER" lines.
defs=$(for l in "${order[@]}"; do
  printf "%s" "${objs[$l]}" | tr "\n" "\0" | xargs -0 nm --defined-only -g 2>/dev/null |
    awk -v l="$l" 'NF == 3 {print $3, l}'
done | sort -u)

fail=0
for l in "${order[@]}"; do
  allowed=" $(ls "$layers_dir/$l" | tr '\n' ' ') "
  while IFS= read -r obj; do
    [ -n "$obj" ] || continue
    while read -r sym owner; do
      case "$allowed" in *" $owner "*) continue ;; esac
      echo "check-layers: src/$l/$(basename "${obj%.o}") uses $sym of src/$owner; src/$l may use: $(echo $allowed)" >&2
      fail=1
    done < <(nm -u "$obj" | awk '{print $2}' | sort -u | join - <(echo "$defs"))
  done <<<"${objs[$l]}"
done
exit $fail
