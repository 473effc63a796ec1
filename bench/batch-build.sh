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
"$edupay" policy activate policies/hunan.json >/dev/null
EDUPAY_NEW_PASSWORD='Admin-bench-2026' "$edupay" user add admin --role sysadmin --scope '*' >/dev/null
EDUPAY_PASSWORD='Admin-bench-2026' EDUPAY_NEW_PASSWORD='Officer-bench-2026' \
  "$edupay" user add officer --role bureau_officer --scope 430121 --as admin >/dev/null

start=$(date +%s.%N)
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
INSERT INTO regions (code, name, parent_code, level) VALUES ('430121', 'bench county', NULL, 'county');
INSERT INTO schools (code, name, region_code, stages, ownership, bank_code)
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500)
  SELECT printf('1430121%03d', i), 'school ' || i, '430121', 'primary', 'public', '102551000010' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO persons (id, rid_hash, rid_enc, rid_mask, name, sex, birth_date, hukou_region, hukou_type)
  SELECT i, printf('%032x', i), 'v1:x', '4301**********0000', 'student' || (i % 1000), 'M', '2016-05-01', '430121', 'rural' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO households (id, code, hukou_region) SELECT i, 'H' || i, '430121' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO household_members (household_id, person_id, relation) SELECT i, i, 'student' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO enrollments (person_id, school_id, stage, grade, class_name, major, agri_major, boarding, status, enroll_date)
  SELECT i, 1 + i % 500, 'primary', 4, '', '', 0, 0, 'active', '2023-09-01' FROM s;
-- Every 2,000th account is shared by five households, every 1,000th held by a stranger: some flags fire.
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO bank_accounts (id, student_id, owner, kind, acct_hash, acct_enc, acct_mask, bank_code, holder_name, luhn_ok, valid_from)
  SELECT i, i, 'student', 'student_card', CASE WHEN i % 2000 < 5 THEN 'shared' || (i / 2000) ELSE printf('a%031x', i) END,
         'v1:x', '6222****0000', CASE i % 3 WHEN 0 THEN '102' WHEN 1 THEN '105' ELSE '402' END || '551000011',
         CASE WHEN i % 1000 = 0 THEN 'stranger' ELSE 'student' || (i % 1000) END, 1, '2026-09-01' FROM s;
INSERT INTO entitlement_runs (id, term, region, policy_id, started_on) VALUES (1, '2026-autumn', '', 1, '2026-10-01');
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO entitlements (person_id, programme, term, status, amount_fen, central_fen, provincial_fen, county_fen,
    payee, account_id, paying_region, school_id, reason, policy_id, run_id, version, updated_on)
  SELECT i, 'compulsory_nonboarding_allowance', '2026-autumn', 'eligible', 25000, 12500, 7500, 5000, 'student_account',
         i, '430121', 1 + i % 500, 'stage=primary', 1, 1, 1, '2026-10-01' FROM s;
COMMIT;
SQL
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
