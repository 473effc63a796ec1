#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/) for as long as asked, each in turn, growing their corpora
# under the build folder and saving any crashing input there.
#   bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 600 s; every target)
# A crash is printed with its input's path: copy that file to fuzz/regressions/TARGET/, fix the
# bug, and scripts/test replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
scripts/install-deps >/dev/null
build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDUPAY_TESTS=OFF \
  -DEDUPAY_FUZZ=ON >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target edupay_fuzz >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for t in "$build"/fuzz/fuzz_*; do targets+=("$(basename "$t" | sed 's/^fuzz_//')"); done
fi
out="$build/fuzz/runs"
mkdir -p "$out"
printf '%-12s %8s %12s %8s %s\n' target seconds execs corpus result
failed=0
for t in "${targets[@]}"; do
  dirs=("$build/fuzz/corpus/$t" "$build/fuzz/seeds/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  log="$out/$t.log"
  start=$(date +%s)
  if "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=262144 -print_final_stats=1 -artifact_prefix="$build/fuzz/crash-$t-" \
      "${dirs[@]}" >"$log" 2>&1; then
    result=ok
  else
    result="CRASH: $(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')"
    failed=1
  fi
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$build/fuzz/corpus/$t" | wc -l)
  printf '%-12s %8s %12s %8s %s\n' "$t" "$elapsed" "${execs:-?}" "$corpus" "$result"
done
exit $failed
