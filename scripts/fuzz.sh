#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan+UBSan) and runs every fuzz
# target for a bounded time, starting from the seed corpus in fuzz/corpus/<name>.
#   scripts/fuzz.sh                  # 20 s per target (what the test command runs)
#   scripts/fuzz.sh --seconds 3600   # a long run
#   scripts/fuzz.sh --seconds 600 rlp_fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
only=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) only+=("$1"); shift ;;
  esac
done

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/trellis-ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

targets=()
for f in fuzz/*_fuzz.cpp; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .cpp)
  if ((${#only[@]})) && [[ ! " ${only[*]} " =~ " $name " ]]; then continue; fi
  targets+=("$name")
done

failed=0
passed=0
for name in "${targets[@]}"; do
  work="build/fuzz/corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
  [ -d "fuzz/corpus/${name%_fuzz}" ] && seeds+=("fuzz/corpus/${name%_fuzz}")
  echo "fuzz: $name for ${seconds}s"
  if build/fuzz/fuzz/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=0 "$work" "${seeds[@]}" >"build/fuzz/$name.log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^#[0-9]+.*DONE' "build/fuzz/$name.log" | tail -1 || true
  else
    failed=$((failed + 1))
    echo "fuzz: $name FAILED; last lines of build/fuzz/$name.log:"
    tail -40 "build/fuzz/$name.log"
  fi
done
echo "fuzz: $passed passed, $failed failed"
exit $((failed > 0))
