#!/usr/bin/env bash
# edupayd's memory under a burst of anonymous uploads: N (default 20) concurrent POSTs of a
# 64 MiB body to /api/v1/rolls with no login, sent without waiting for 100-continue. Prints the
# daemon's resident memory before, its peak during (VmHWM) and after the burst, and what the
# clients got back.
#   bench/upload-burst.sh [N]        EDUPAYD=path/to/edupayd to measure another build
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
if [ -z "${EDUPAYD:-}" ]; then
  . bench/common.sh
  EDUPAYD="$PWD/$build/src/app/edupayd"
fi
work=$(mktemp -d /tmp/edupay-burst.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=${PORT:-18281}
cat >"$work/edupayd.properties" <<PROPS
http.address = 127.0.0.1
http.port = $port
db.url = sqlite:$work/edupay.db
files.dir = $work/files
PROPS
"$EDUPAYD" --config "$work/edupayd.properties" 2>"$work/edupayd.log" &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
head -c 67108864 /dev/zero | tr '\0' 'a' >"$work/body.csv"
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$pid/status"; }
before=$(rss VmRSS)
peak_seen=$before
for i in $(seq "$n"); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect:' -H 'Content-Type: text/csv' \
    --max-time 120 --data-binary @"$work/body.csv" "http://127.0.0.1:$port/api/v1/rolls" \
    >>"$work/codes" 2>/dev/null || echo "reset" >>"$work/codes" &
done
started=$(date +%s.%N)
while [ "$(jobs -rp | grep -vc "^$pid$")" -gt 0 ]; do
  now=$(rss VmRSS)
  [ "$now" -gt "$peak_seen" ] && peak_seen=$now
  sleep 0.05
done
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
sleep 1
after=$(rss VmRSS)
hwm=$(rss VmHWM)
echo "edupayd $(basename "$EDUPAYD"): $n concurrent anonymous 64 MiB POST /api/v1/rolls"
echo "  RSS before ${before} MiB, peak ${hwm} MiB (VmHWM; sampled max ${peak_seen} MiB), after ${after} MiB"
echo "  burst took ${elapsed} s; answers: $(sort "$work/codes" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
