#!/usr/bin/env bash
# The cost of the cluster: the same term's write-heavy steps for N synthetic students (imports of
# regions, schools, the roll, the four rosters, the policy and the nominations; the entitlement
# run and its re-run; the province's batch build for one programme) on one private MariaDB and
# on a private three-node Galera cluster (scripts/galera), same binary, same data. Prints the wall
# time of each step on both and the retries the cluster needed (logged by edupay.retry).
#   bench/galera-term.sh [N]      default 20000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}

. bench/common.sh
work="$PWD/build/bench/galera-term"
mkdir -p "$work"
mariadb_dir="$work/mariadb"
galera_dir="$work/galera"
trap 'scripts/mariadb stop "$mariadb_dir"; scripts/galera stop "$galera_dir"' EXIT

data="$work/prov-$n"
[ -f "$data/roll.csv" ] || "$edupay" synth --students "$n" --seed 1 --single-file --out "$data" >/dev/null 2>&1
[ -f "$work/bench.key" ] || "$edupay" keygen --key-file "$work/bench.key" >/dev/null
export EDUPAY_KEY_FILE="$work/bench.key"
export EDUPAY_LOG_LEVEL=notice

steps=(imports entitle entitle-again batch-build)
declare -A took

run_term() {  # run_term NAME URL: the term's steps against a fresh database `bench` at URL's server
  local name=$1 db=$2
  export EDUPAY_LOG_FILE="$work/$name.log"
  rm -f "$EDUPAY_LOG_FILE"
  actors "$db" "$work"
  timed "$work/t-$name-imports" bash -c '
    set -e
    e=$1 db=$2 data=$3; shift 3
    admin=(--as setup-admin --credential "$WORK/setup-admin.credential")
    svc=(--as svc-import --credential "$WORK/svc-import.credential")
    "$e" --db "$db" import regions "$data/regions.csv" "${admin[@]}" >/dev/null
    "$e" --db "$db" import schools "$data/schools.csv" "${admin[@]}" >/dev/null
    "$e" --db "$db" import roll "$data/roll.csv" --as-of 2026-10-08 "${svc[@]}" >/dev/null 2>&1
    for s in poverty civil_affairs disabled orphan; do
      "$e" --db "$db" import roster "$data/rosters/$s.csv" --source "$s" "${svc[@]}" >/dev/null
    done
    "$e" --db "$db" policy activate policies/hunan.json "${svc[@]}" >/dev/null
    for f in "$data"/nominations/*.csv; do
      b=$(basename "$f" .csv)
      "$e" --db "$db" import nominations "$f" --programme "${b%-*}" --year "${b##*-}" "${svc[@]}" >/dev/null
    done' _ "$edupay" "$db" "$data"
  timed "$work/t-$name-entitle" "$edupay" --db "$db" entitle --term 2026-autumn "${AS_SVC[@]}" >/dev/null
  timed "$work/t-$name-entitle-again" "$edupay" --db "$db" entitle --term 2026-autumn "${AS_SVC[@]}" >/dev/null
  timed "$work/t-$name-batch-build" "$edupay" --db "$db" batch build --term 2026-autumn \
    --programme compulsory_nonboarding_allowance "${AS_SVC[@]}" >/dev/null
  for s in "${steps[@]}"; do took[$name-$s]=$(seconds "$work/t-$name-$s"); done
  took[$name-retries]=$(grep -c "unit retried" "$EDUPAY_LOG_FILE" 2>/dev/null || true)
}
export WORK="$work"

fresh() {  # fresh URL PORT: drops and creates the database `bench` on that server; prints its URL
  local url=$1
  mariadb --no-defaults -uroot -pedupay-test -h127.0.0.1 -P"$2" -e \
    "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
  echo "${url%/*}/bench"
}

single=$(scripts/mariadb start "$mariadb_dir")
run_term single "$(fresh "$single" "$(cat "$mariadb_dir/port")")"
scripts/mariadb stop "$mariadb_dir"

cluster=$(scripts/galera start "$galera_dir")
run_term galera "$(fresh "$cluster" "$(cat "$galera_dir/n1/port")")"
scripts/galera status "$galera_dir" >"$work/galera-status.txt"

printf '\nthe same term, %s students (seconds; release build, 127.0.0.1):\n' "$n"
printf '%-14s %10s %14s %8s\n' step "1 MariaDB" "3-node Galera" ratio
total_s=0 total_g=0
for s in "${steps[@]}"; do
  a=${took[single-$s]} b=${took[galera-$s]}
  total_s=$(awk -v x="$total_s" -v y="$a" 'BEGIN{print x+y}')
  total_g=$(awk -v x="$total_g" -v y="$b" 'BEGIN{print x+y}')
  printf '%-14s %10s %14s %8.2f\n' "$s" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
done
printf '%-14s %10s %14s %8.2f\n' total "$total_s" "$total_g" "$(awk -v a="$total_s" -v b="$total_g" 'BEGIN{print b/a}')"
printf 'retries logged: 1 MariaDB %s, Galera %s\n' "${took[single-retries]}" "${took[galera-retries]}"
