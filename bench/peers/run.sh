#!/usr/bin/env bash
# Peer libraries generating an ISO 20022 pain.001 of the same payments as our exporter, for the
# side-by-side figures of bench/bank-files.sh (see bench/peers/README.md):
#   sepa-xml 0.6.0 (pain.001.001.03) and sepa 3.0.0 (pain.001.001.09), both npm.
#
#   bench/peers/run.sh PAYMENTS.csv WORKDIR [SEPA_LIMIT]
#
# PAYMENTS.csv: UTF-8, header reference,account,holder,amount_fen. WORKDIR keeps node_modules
# (reused while package.json / package-lock.json are unchanged), the XML files, logs and timings.
# `sepa` runs on the first SEPA_LIMIT payments (default 100000: it needs ~8 GB at 1M) and
# sepa-xml on the first SEPA_XML_LIMIT (env, default 750000: its document is one JS string,
# which V8 caps at 2^29 - 24 chars, ~630 chars a payment); a limited figure is also printed
# scaled linearly to the full count. Each XML is then validated with `xmllint --stream` against
# the XSD in $EDUPAY_ISO20022_DIR (default: the shared/iso20022 beside the repository).
# Installs nodejs/npm (and /usr/bin/time, xmllint) with apt when missing. Exits 1 if a library
# failed or produced an invalid file, after printing everything else.
set -euo pipefail

usage() { echo "usage: $0 PAYMENTS.csv WORKDIR [SEPA_LIMIT]" >&2; exit 2; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -f "$1" ] || { echo "$0: no such file: $1" >&2; exit 2; }
csv=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
sepa_limit=${3:-100000}
sepa_xml_limit=${SEPA_XML_LIMIT:-750000}
[[ $sepa_limit =~ ^[1-9][0-9]*$ ]] || usage
[[ $sepa_xml_limit =~ ^[1-9][0-9]*$ ]] || { echo "$0: bad SEPA_XML_LIMIT" >&2; exit 2; }
iso=${EDUPAY_ISO20022_DIR:-$here/../../../shared/iso20022}
mkdir -p "$2"
work=$(cd "$2" && pwd)

# Tools, from Debian's packages, only when missing (Debian's nodejs comes without npm).
need=()
if ! command -v node >/dev/null; then need+=(nodejs npm)
elif ! command -v npm >/dev/null; then need+=(npm); fi
[ -x /usr/bin/time ] || need+=(time)
command -v xmllint >/dev/null || need+=(libxml2-utils)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
fi

# The pinned libraries, into WORKDIR/node_modules; reused while the manifests are unchanged.
export NPM_CONFIG_UPDATE_NOTIFIER=false
stamp=$work/node_modules/.edupay-peers-stamp
want=$({ cat "$here/package.json"; cat "$here/package-lock.json" 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  cp "$here/package.json" "$work/"
  if [ -f "$here/package-lock.json" ]; then
    cp "$here/package-lock.json" "$work/"
    npm_cmd=(npm ci)
  else
    rm -f "$work/package-lock.json"
    npm_cmd=(npm install)
  fi
  (cd "$work" && "${npm_cmd[@]}" --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 ||
    { cat "$work/npm.log" >&2; exit 1; }
  echo "$want" >"$stamp"
fi
version() { node -p "require(process.argv[1]).version" "$work/node_modules/$1/package.json"; }

n=$(awk 'NR > 1 && $0 != "" && $0 != "\r" { c++ } END { print c + 0 }' "$csv")
[ "$n" -gt 0 ] || { echo "$0: no payments in $csv" >&2; exit 2; }
status=0

# peer LIB SCHEMA LIMIT: runs LIB.js on the first LIMIT payments and prints its summary lines.
peer() {
  local lib=$1 schema=$2 limit=$3 input=$csv m=$n ver
  ver=$(version "$lib")
  if [ "$n" -gt "$limit" ]; then
    input=$work/payments-$limit.csv
    head -n $((limit + 1)) "$csv" >"$input"
    m=$limit
  fi
  rm -f "$work/$lib.xml"
  if ! NODE_PATH="$work/node_modules" /usr/bin/time -f "elapsed %e s rss %M KB" -o "$work/$lib.time" \
      node --max-old-space-size=12000 "$here/$lib.js" "$input" "$work/$lib.xml" \
      >"$work/$lib.out" 2>"$work/$lib.err"; then
    echo "peer $lib $ver $schema: FAILED on $m payments ($(tail -n 1 "$work/$lib.time")):"
    head -n 20 "$work/$lib.err" | sed 's/^/  /'
    status=1
    return 0
  fi
  local got count secs wall rss
  got=$(grep '^PEER_RESULT ' "$work/$lib.out" | tail -n 1 || true)
  count=$(echo "$got" | cut -d' ' -f3)
  secs=$(echo "$got" | cut -d' ' -f4)
  wall=$(sed -n 's/^elapsed \([0-9.]*\) s.*/\1/p' "$work/$lib.time")
  rss=$(sed -n 's/.* rss \([0-9]*\) KB.*/\1/p' "$work/$lib.time")
  if [ -z "$secs" ] || [ "$count" != "$m" ]; then
    echo "peer $lib $ver $schema: FAILED: it reports ${count:-no} payments written, expected $m"
    status=1
    return 0
  fi
  awk -v l="$lib" -v v="$ver" -v s="$schema" -v m="$m" -v t="$secs" -v r="$rss" -v w="$wall" 'BEGIN {
    printf "peer %s %s %s: %d payments in %.2f s (%.0f/s), peak RSS %.0f MB (process %.2f s)\n",
      l, v, s, m, t, (t > 0 ? m / t : 0), r / 1024, w }'
  if [ "$m" -lt "$n" ] || [ "$lib" = sepa ]; then
    awk -v l="$lib" -v v="$ver" -v s="$schema" -v m="$m" -v n="$n" -v t="$secs" -v r="$rss" 'BEGIN {
      printf "peer %s %s %s: scaled to %d: %.2f s (peak RSS ~%.0f MB, linear estimate)\n",
        l, v, s, n, t * n / m, r / 1024 * n / m }'
  fi
  if [ -s "$work/$lib.err" ]; then sed 's/^/  note: /' "$work/$lib.err"; fi
}

# validate LIB SCHEMA
validate() {
  local lib=$1 schema=$2 xsd="$iso/$2.xsd"
  [ -f "$work/$lib.xml" ] || return 0
  if [ ! -f "$xsd" ]; then
    echo "peer $lib: $schema.xsd not found in $iso, not validated"
    return 0
  fi
  if xmllint --noout --stream --schema "$xsd" "$work/$lib.xml" >"$work/$lib.xmllint" 2>&1; then
    echo "peer $lib: $work/$lib.xml is valid against $schema.xsd"
  else
    echo "peer $lib: $work/$lib.xml is NOT valid against $schema.xsd:"
    awk '!/ fails to validate$/ && c < 5 { print "  " $0; c++ }' "$work/$lib.xmllint"
    status=1
  fi
}

peer sepa-xml pain.001.001.03 "$sepa_xml_limit"
peer sepa pain.001.001.09 "$sepa_limit"
echo "  (peers: synthetic German IBANs/BICs, as both take only IBANs; sepa-xml amounts in EUR, it has no currency option)"
validate sepa-xml pain.001.001.03
validate sepa pain.001.001.09
exit "$status"
