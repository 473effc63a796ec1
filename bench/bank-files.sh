#!/usr/bin/env bash
# Bank files for N payments in one batch on SQLite, with peak RSS per step:
#   - the money path of a term: batch build -> submit + 3 approvals -> export (pipe-delimited GBK)
#     -> strict bank simulator -> result import -> reconciliation report;
#   - the same batch exported as ISO 20022 pain.001.001.09, validated with
#     `xmllint --stream --schema`, answered as pain.002 and imported;
#   - side by side, the npm libraries sepa-xml and sepa generating a pain.001 of the same
#     payments (bench/peers; installed into a scratch folder; skipped with PEERS=0).
# The registry rows and entitlements are generated directly in SQL (not timed).
#   bench/bank-files.sh [N]        default 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}

. bench/common.sh
banksim="$PWD/$build/tools/banksim/edupay-banksim"
tool="$PWD/$build/bench/edupay_bench_tool"
iso=${EDUPAY_ISO20022_DIR:-$PWD/../shared/iso20022}
work="$PWD/build/bench/bank-files"
run="$work/run-$n"
rm -rf "$run"
mkdir -p "$run"
db="$run/edupay.db"
export EDUPAY_DB="sqlite:$db" EDUPAY_KEY_FILE="$run/bench.key" EDUPAY_SIGNING_KEY="$run/signing.pem"
"$edupay" keygen >/dev/null
"$edupay" keygen --signing "$EDUPAY_SIGNING_KEY" >/dev/null
"$edupay" migrate >/dev/null
EDUPAY_NEW_PASSWORD='Admin-bench-2026' "$edupay" user add admin --role sysadmin --scope '*' >/dev/null
EDUPAY_PASSWORD='Admin-bench-2026' "$edupay" policy activate policies/hunan.json --as admin >/dev/null
adduser() {
  EDUPAY_PASSWORD='Admin-bench-2026' EDUPAY_NEW_PASSWORD='User-bench-2026' \
    "$edupay" user add "$1" --role "$2" --scope 430121 --as admin >/dev/null
}
adduser officer bureau_officer
for a in approver1 approver2 approver3; do adduser "$a" bureau_approver; done
cli=(env EDUPAY_PASSWORD='User-bench-2026' "$edupay")  # /usr/bin/time runs programs, not functions

start=$(date +%s.%N)
acct=$("$tool" encrypt "$EDUPAY_KEY_FILE" bank_account 6222021234567890123)
seed_entitlements "$db" "$n" "$acct" 0
big=1000000000000000
sqlite3 "$db" <<SQL
BEGIN;
UPDATE bank_accounts SET bank_code = '102551000011';
UPDATE banks SET max_lines = $n;
INSERT INTO notices (term, programme, school_id, published_by, published_on, window_ends, entries, total_fen, sha256)
  SELECT '2026-autumn', 'compulsory_nonboarding_allowance', id, 'officer', '2026-09-14', '2026-09-21', 1, 1, 'bench' FROM schools;
INSERT INTO budgets (programme, region, fiscal_year, source, allocated_fen) VALUES
  ('compulsory_nonboarding_allowance', '430121', 2026, 'central', $big),
  ('compulsory_nonboarding_allowance', '430121', 2026, 'provincial', $big),
  ('compulsory_nonboarding_allowance', '430121', 2026, 'county', $big);
INSERT INTO payer_accounts (region, bank_code, account, name) VALUES ('430121', '102', '6212260000000430121', '长沙县教育局学生资助专户');
COMMIT;
SQL
# The shipped pipe-gbk layout splits at 2,000 lines (as many banks require); the bench writes
# one file of N lines so the figures are per million lines.
mkdir -p "$run/layouts"
sed "s/\"max_lines\": 2000/\"max_lines\": $n/" templates/banks/pipe-gbk.json >"$run/layouts/pipe-gbk.json"
export EDUPAY_LAYOUT_DIR="$run/layouts"
prep=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}')

step() {  # step NAME CMD...: timed, output kept in $run/NAME.out
  local name=$1; shift
  timed "$run/t-$name" "$@" >"$run/$name.out" 2>&1 || { cat "$run/$name.out" >&2; exit 1; }
  printf '  %-26s %7s s  peak RSS %5s MB\n' "$name" "$(seconds "$run/t-$name")" "$(rss_mb "$run/t-$name")"
}
total() { local t=0; for s in "$@"; do t=$(awk -v a="$t" -v b="$(seconds "$run/t-$s")" 'BEGIN{print a+b}'); done; echo "$t"; }

echo "generated $n eligible entitlements with their registry rows in $prep s (not counted)"
echo "money path on SQLite, one batch of $n payments:"
step build "${cli[@]}" batch build --term 2026-autumn --programme compulsory_nonboarding_allowance --region 430121 --as officer
id=$(sqlite3 "$db" "SELECT MAX(id) FROM batches")
cat >"$run/approve.sh" <<APPROVE
set -e
export EDUPAY_PASSWORD='User-bench-2026'
"$edupay" batch submit $id --as officer
for a in approver1 approver2 approver3; do
  [ "\$(sqlite3 "$db" "SELECT status FROM batches WHERE id = $id")" = submitted ] || break
  "$edupay" batch approve $id --as \$a
done
APPROVE
step submit-approve bash "$run/approve.sh"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$db" "$run/pain.db"
step export-txt "${cli[@]}" batch export "$id" --out "$run/txt" --as officer
txt=$(ls "$run"/txt/*.txt)
step bank-txt "$banksim" --in "$txt" --public-key "$EDUPAY_SIGNING_KEY.pub" --out "$run/result.txt" \
  --fail-rate 0.02 --seed 1 --max-lines "$n" --date 2026-11-30
step import-result-txt "${cli[@]}" bank import-result "$run/result.txt" --as officer
step reconcile "${cli[@]}" reconcile report --term 2026-autumn --region 430121 --as officer
whole=$(total build submit-approve export-txt bank-txt import-result-txt reconcile)

echo "the same batch as ISO 20022 pain.001.001.09:"
export EDUPAY_DB="sqlite:$run/pain.db"
sqlite3 "$run/pain.db" "UPDATE banks SET layout = 'pain.001.001.09' WHERE code = '102'"
step export-pain001 "${cli[@]}" batch export "$id" --out "$run/pain" --as officer
# A layout's line limit may cut the batch into several files (pain.001 takes up to 1,000,000).
xmls=("$run"/pain/*.xml)
if [ -f "$iso/pain.001.001.09.xsd" ]; then
  step xmllint-stream xmllint --noout --stream --schema "$iso/pain.001.001.09.xsd" "${xmls[@]}"
fi
cat >"$run/bank-pain.sh" <<BANK
set -e
for f in ${xmls[*]}; do
  "$banksim" --in "\$f" --public-key "$EDUPAY_SIGNING_KEY.pub" --out "\$f.result.xml" \
    --fail-rate 0.02 --seed 1 --max-lines $n --date 2026-11-30
done
BANK
step bank-pain bash "$run/bank-pain.sh"
cat >"$run/import-pain.sh" <<IMPORT
set -e
for f in ${xmls[*]}; do
  EDUPAY_PASSWORD='User-bench-2026' "$edupay" bank import-result "\$f.result.xml" --as officer
done
IMPORT
step import-result-pain002 bash "$run/import-pain.sh"

rate() { awk -v n="$n" -v s="$(seconds "$run/t-$1")" 'BEGIN{printf "%.0f", n/s}'; }
echo
printf 'export pipe-GBK:   %s lines/s (%s MB, %s MB peak)\n' "$(rate export-txt)" \
  "$(du -m "$txt" | cut -f1)" "$(rss_mb "$run/t-export-txt")"
printf 'export pain.001:   %s payments/s (%s MB in %s file(s), %s MB peak)\n' "$(rate export-pain001)" \
  "$(du -cm "${xmls[@]}" | tail -1 | cut -f1)" "${#xmls[@]}" "$(rss_mb "$run/t-export-pain001")"
printf 'result import:     pipe %s s (%s MB peak), pain.002 %s s (%s MB peak)\n' \
  "$(seconds "$run/t-import-result-txt")" "$(rss_mb "$run/t-import-result-txt")" \
  "$(seconds "$run/t-import-result-pain002")" "$(rss_mb "$run/t-import-result-pain002")"
printf 'whole money path:  %s s for %s payment lines (build, approvals, export, bank, results, reconcile)\n' \
  "$whole" "$n"
grep -h "check:" "$run/reconcile.out" || true

if [ "${PEERS:-1}" = 1 ] && [ -x bench/peers/run.sh ]; then
  echo
  echo "peers generating a pain.001 of the same payments:"
  sqlite3 -csv "$run/pain.db" "SELECT end_to_end_ref, '6222021234567890123', holder_name, amount_fen FROM payments WHERE batch_id = $id ORDER BY seq" |
    { echo "reference,account,holder,amount_fen"; cat; } >"$run/payments.csv"
  bench/peers/run.sh "$run/payments.csv" "$work/npm" "${SEPA_LIMIT:-100000}"
fi
