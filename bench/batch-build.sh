#!/usr/bin/env bash
# Batch build + precision flags for N eligible entitlements of one programme in one county, on
# SQLite: the registry rows the checks read (persons, households, guardians, enrollments, accounts)
# and the entitlements are generated directly in SQL (a synthetic province of N students yields only
# about a third as many eligible entitlements), then `edupay batch build` is timed.
#   bench/batch-build.sh [N]        default 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}

. bench/common.sh
work="$PWD/build/bench/batch-build"
mkdir -p "$work"
db="$work/edupay.db"
rm -f "$db" "$db"-wal "$db"-shm
export EDUPAY_DB="sqlite:$db" EDUPAY_KEY_FILE="$work/bench.key"
[ -f "$EDUPAY_KEY_FILE" ] || "$edupay" keygen >/dev/null
"$edupay" migrate >/dev/null
EDUPAY_NEW_PASSWORD='Admin-bench-2026' "$edupay" user add admin --role sysadmin --scope '*' >/dev/null
EDUPAY_PASSWORD='Admin-bench-2026' "$edupay" policy activate policies/hunan.json --as admin >/dev/null
EDUPAY_PASSWORD='Admin-bench-2026' EDUPAY_NEW_PASSWORD='Officer-bench-2026' \
  "$edupay" user add officer --role bureau_officer --scope 430121 --as admin >/dev/null

start=$(date +%s.%N)
seed_entitlements "$db" "$n" v1:x 1
prep=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}')

timed "$work/time" env EDUPAY_PASSWORD='Officer-bench-2026' "$edupay" --json batch build --term 2026-autumn \
  --programme compulsory_nonboarding_allowance --region 430121 --as officer >"$work/build.json"
secs=$(seconds "$work/time")
payments=$(sed -n 's/.*"payments": *\([0-9]*\).*/\1/p' "$work/build.json")
batches=$(sqlite3 "$db" "SELECT COUNT(*) FROM batches")
flags=$(sqlite3 "$db" "SELECT COUNT(*) FROM batch_flags")
echo
echo "generated $n eligible entitlements with their registry rows in ${prep} s (not counted)"
printf 'batch build + flags on SQLite: %s payments into %s batches with %s flags in %s s (%.0f payments/s), peak RSS %s MB\n' \
  "$payments" "$batches" "$flags" "$secs" "$(awk -v p="$payments" -v s="$secs" 'BEGIN{print p/s}')" "$(rss_mb "$work/time")"
