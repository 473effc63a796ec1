#!/usr/bin/env bash
# edupayd under load on MariaDB: N generated students (default 1,000,000) imported into a private
# MariaDB, the term's entitlements of one county and its batches built; then `wrk` over loopback
# against the student look-up (random resident IDs through the blind index) and a batch detail,
# reporting requests/s and p50 / p99 latency.
#   bench/api.sh [N]          DURATION=20s CONNECTIONS=32 THREADS=16 (edupayd's) to change the load
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
duration=${DURATION:-20s}
connections=${CONNECTIONS:-32}

. bench/common.sh
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "bench/api.sh: wrk is missing; run as root or install it" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
edupayd="$PWD/$build/src/app/edupayd"
work="$PWD/build/bench/api"
mkdir -p "$work"
mariadb_dir="$work/mariadb"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; scripts/mariadb stop "$mariadb_dir"; }
trap cleanup EXIT
url=$(scripts/mariadb start "$mariadb_dir")

data="$work/prov-$n"
[ -f "$data/roll.csv" ] || "$edupay" synth --students "$n" --seed 1 --single-file --out "$data" >/dev/null 2>&1
export EDUPAY_DB="$url" EDUPAY_KEY_FILE="$work/bench.key"
[ -f "$EDUPAY_KEY_FILE" ] || "$edupay" keygen >/dev/null
if [ "$(mariadb -h 127.0.0.1 -P "$(cat "$mariadb_dir/port")" -uroot -pedupay-test -N edupay_test -e 'SELECT COUNT(*) FROM persons' 2>/dev/null || echo 0)" -lt "$n" ]; then
  echo "importing $n students into MariaDB (not timed)..."
  EDUPAY_NEW_PASSWORD='Admin-bench-2026' "$edupay" user add admin --role sysadmin --scope '*' >/dev/null
  rm -f "$work/svc-import.credential"
  EDUPAY_PASSWORD='Admin-bench-2026' "$edupay" user add svc-import --role bureau_officer --scope 43 \
    --credential-file "$work/svc-import.credential" --as admin >/dev/null
  svc=(--as svc-import --credential "$work/svc-import.credential")
  EDUPAY_PASSWORD='Admin-bench-2026' "$edupay" import regions "$data/regions.csv" --as admin >/dev/null
  EDUPAY_PASSWORD='Admin-bench-2026' "$edupay" import schools "$data/schools.csv" --as admin >/dev/null
  "$edupay" import roll "$data/roll.csv" --as-of 2026-10-08 "${svc[@]}" >/dev/null 2>&1
  for s in poverty civil_affairs disabled orphan; do
    "$edupay" import roster "$data/rosters/$s.csv" --source "$s" "${svc[@]}" >/dev/null
  done
  "$edupay" policy activate policies/hunan.json "${svc[@]}" >/dev/null
  "$edupay" entitle --term 2026-autumn --region 430121 "${svc[@]}" >/dev/null 2>&1
  EDUPAY_PASSWORD='Admin-bench-2026' EDUPAY_NEW_PASSWORD='Officer-bench-2026' \
    "$edupay" user add officer --role bureau_officer --scope 430121 --as admin >/dev/null
  EDUPAY_PASSWORD='Officer-bench-2026' "$edupay" batch build --term 2026-autumn \
    --programme compulsory_nonboarding_allowance --region 430121 --as officer >/dev/null
fi
batch=$(mariadb -h 127.0.0.1 -P "$(cat "$mariadb_dir/port")" -uroot -pedupay-test -N edupay_test \
  -e "SELECT MIN(id) FROM batches" 2>/dev/null)

port=18181
cat >"$work/edupayd.properties" <<PROPS
http.address = 127.0.0.1
http.port = $port
http.threads = ${THREADS:-16}
db.url = $url
key.file = $EDUPAY_KEY_FILE
PROPS
"$edupayd" --config "$work/edupayd.properties" 2>"$work/edupayd.log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/login" -H 'Content-Type: application/json' \
  -d '{"name": "officer", "password": "Officer-bench-2026"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')

# Resident IDs of the county's students, in random order, for the look-up.
awk -F, 'FNR == 1 {next} NR == FNR {region[$1] = $3; next} region[$6] == "430121" {print $1}' \
  "$data/schools.csv" "$data/roll.csv" | shuf -n 20000 --random-source=<(yes) >"$work/ids.txt"
cat >"$work/lookup.lua" <<LUA
local ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/students?resident_id=" .. ids[i],
                    {["Authorization"] = "Bearer $token"})
end
LUA
cat >"$work/batch.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
echo "edupayd on MariaDB with $n students; wrk -t2 -c$connections -d$duration over loopback"
report() {
  awk -v what="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$4} END {printf "%-22s %8s req/s   p50 %-8s p99 %-8s%s\n", what, rps, p50, p99,
    (bad ? "   NON-2xx: " bad : "")}' "$2"
}
wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/lookup.lua" "http://127.0.0.1:$port" >"$work/lookup.out"
report "student look-up" "$work/lookup.out"
wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/batch.lua" \
  "http://127.0.0.1:$port/api/v1/batches/$batch" >"$work/batch.out"
report "batch detail ($batch)" "$work/batch.out"
