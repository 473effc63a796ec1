#!/usr/bin/env bash
# Roll import of N synthetic students on SQLite and MariaDB, side by side with each database's raw
# loader on the same file in the same run (sqlite3 .import, LOAD DATA LOCAL INFILE into a plain
# table of text columns). Prints rows/s for both, the ratio, and edupay's peak RSS.
#   bench/roll-import.sh [N ...]        default: 100000 1000000 (two sizes show RSS does not grow with N)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

. bench/common.sh
work="$PWD/build/bench/roll-import"
mkdir -p "$work"
mariadb_dir="$work/mariadb"
trap 'scripts/mariadb stop "$mariadb_dir"' EXIT
url=$(scripts/mariadb start "$mariadb_dir")
port=$(cat "$mariadb_dir/port")
client=(mariadb --no-defaults -uroot -pedupay-test -h127.0.0.1 -P"$port" --local-infile=1 -N)

[ -f "$work/bench.key" ] || "$edupay" keygen --key-file "$work/bench.key" >/dev/null
export EDUPAY_KEY_FILE="$work/bench.key"

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

printf '\n%-9s %-8s %12s %12s %12s %12s %8s %10s\n' "students" "db" "edupay s" "edupay r/s" "raw s" "raw r/s" "ratio" "peak RSS"
for n in "${sizes[@]}"; do
  data="$work/prov-$n"
  [ -f "$data/roll.csv" ] || "$edupay" synth --students "$n" --seed 1 --single-file --out "$data" >/dev/null 2>&1
  roll="$data/roll.csv"

  # SQLite
  db="$work/edupay-$n.db"
  rm -f "$db" "$db"-wal "$db"-shm "$work/raw-$n.db"
  actors "sqlite:$db" "$work"
  "$edupay" --db "sqlite:$db" import regions "$data/regions.csv" "${AS_ADMIN[@]}" >/dev/null
  "$edupay" --db "sqlite:$db" import schools "$data/schools.csv" "${AS_ADMIN[@]}" >/dev/null
  timed "$work/t-edupay" "$edupay" --db "sqlite:$db" import roll "$roll" --as-of 2026-10-08 "${AS_SVC[@]}" >/dev/null 2>&1
  timed "$work/t-raw" sqlite3 "$work/raw-$n.db" ".mode csv" ".import $roll raw_roll"
  es=$(seconds "$work/t-edupay"); rs=$(seconds "$work/t-raw")
  printf '%-9s %-8s %12s %12s %12s %12s %7.1f%% %7s MB\n' "$n" sqlite "$es" "$(rate "$n" "$es")" "$rs" "$(rate "$n" "$rs")" \
    "$(awk -v a="$rs" -v b="$es" 'BEGIN{print 100*a/b}')" "$(rss_mb "$work/t-edupay")"
  rm -f "$db" "$db"-wal "$db"-shm "$work/raw-$n.db"

  # MariaDB (the server's own memory is not in the RSS column: that is edupay's)
  "${client[@]}" -e "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
  murl="${url%/*}/bench"
  actors "$murl" "$work"
  "$edupay" --db "$murl" import regions "$data/regions.csv" "${AS_ADMIN[@]}" >/dev/null
  "$edupay" --db "$murl" import schools "$data/schools.csv" "${AS_ADMIN[@]}" >/dev/null
  timed "$work/t-edupay" "$edupay" --db "$murl" import roll "$roll" --as-of 2026-10-08 "${AS_SVC[@]}" >/dev/null 2>&1
  cols=$(head -1 "$roll" | tr -d '\r' | tr ',' '\n' | sed 's/.*/`&` VARCHAR(255)/' | paste -sd,)
  "${client[@]}" bench -e "CREATE TABLE raw_roll ($cols) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
  timed "$work/t-raw" "${client[@]}" bench -e "LOAD DATA LOCAL INFILE '$roll' INTO TABLE raw_roll CHARACTER SET utf8mb4
    FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\r\n' IGNORE 1 LINES"
  es=$(seconds "$work/t-edupay"); rs=$(seconds "$work/t-raw")
  printf '%-9s %-8s %12s %12s %12s %12s %7.1f%% %7s MB\n' "$n" mariadb "$es" "$(rate "$n" "$es")" "$rs" "$(rate "$n" "$rs")" \
    "$(awk -v a="$rs" -v b="$es" 'BEGIN{print 100*a/b}')" "$(rss_mb "$work/t-edupay")"
  "${client[@]}" -e "DROP DATABASE bench"
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; edupay writes ~9 tables and ~18 index entries"
echo "per student (encrypted IDs, blind indexes, history); the raw loaders write one row, no index."
