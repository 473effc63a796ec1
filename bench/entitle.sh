#!/usr/bin/env bash
# Entitlement run for N synthetic students (all programmes of the Hunan policy) on SQLite and
# MariaDB, end to end: facts read, engine, entitlements written, one transaction. Also the
# re-run (nothing changed), the engine alone (evaluations/s), and peak RSS.
#   bench/entitle.sh [N]        default 1000000; BACKENDS="sqlite" or "mariadb" to run one
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}

. bench/common.sh
work="$PWD/build/bench/entitle"
mkdir -p "$work"
mariadb_dir="$work/mariadb"
trap 'scripts/mariadb stop "$mariadb_dir"' EXIT
url=$(scripts/mariadb start "$mariadb_dir")
port=$(cat "$mariadb_dir/port")

data="$work/prov-$n"
[ -f "$data/roll.csv" ] || "$edupay" synth --students "$n" --seed 1 --single-file --out "$data" >/dev/null 2>&1
[ -f "$work/bench.key" ] || "$edupay" keygen --key-file "$work/bench.key" >/dev/null
export EDUPAY_KEY_FILE="$work/bench.key"


prepare() {
  local db=$1
  actors "$db" "$work"
  "$edupay" --db "$db" import regions "$data/regions.csv" "${AS_ADMIN[@]}" >/dev/null
  "$edupay" --db "$db" import schools "$data/schools.csv" "${AS_ADMIN[@]}" >/dev/null
  "$edupay" --db "$db" import roll "$data/roll.csv" --as-of 2026-10-08 "${AS_SVC[@]}" >/dev/null 2>&1
  for s in poverty civil_affairs disabled orphan; do
    "$edupay" --db "$db" import roster "$data/rosters/$s.csv" --source "$s" "${AS_SVC[@]}" >/dev/null
  done
  "$edupay" --db "$db" policy activate policies/hunan.json "${AS_SVC[@]}" >/dev/null
  for f in "$data"/nominations/*.csv; do
    name=$(basename "$f" .csv)
    "$edupay" --db "$db" import nominations "$f" --programme "${name%-*}" --year "${name##*-}" "${AS_SVC[@]}" >/dev/null
  done
}

printf '\n%-8s %-8s %10s %12s %10s %10s %10s\n' "students" "db" "first s" "students/s" "rerun s" "peak RSS" "written"
for backend in ${BACKENDS:-sqlite mariadb}; do
  if [ "$backend" = sqlite ]; then
    db="sqlite:$work/edupay-$n.db"
    rm -f "$work/edupay-$n.db"*
  else
    mariadb --no-defaults -uroot -pedupay-test -h127.0.0.1 -P"$port" -e \
      "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    db="${url%/*}/bench"
  fi
  prepare "$db"
  timed "$work/t-first" "$edupay" --db "$db" --json entitle --term 2026-autumn "${AS_SVC[@]}" >"$work/first.json" 2>/dev/null
  timed "$work/t-again" "$edupay" --db "$db" --json entitle --term 2026-autumn "${AS_SVC[@]}" >"$work/again.json" 2>/dev/null
  written=$(sed -n 's/.*"inserted": *\([0-9]*\).*/\1/p' "$work/first.json")
  unchanged=$(sed -n 's/.*"unchanged": *\([0-9]*\).*/\1/p' "$work/again.json")
  fs=$(seconds "$work/t-first")
  printf '%-8s %-8s %10s %12.0f %10s %7s MB %10s\n' "$n" "$backend" "$fs" "$(awk -v n="$n" -v s="$fs" 'BEGIN{print n/s}')" \
    "$(seconds "$work/t-again")" "$(rss_mb "$work/t-first")" "$written"
  [ "$written" = "$unchanged" ] || echo "  re-run changed rows: $written written, $unchanged unchanged" >&2
  [ "$backend" = sqlite ] && rm -f "$work/edupay-$n.db"*
done
echo
"$build/bench/edupay_engine_bench" "$n"
