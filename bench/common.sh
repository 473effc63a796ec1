# Sourced by the bench scripts: installs dependencies, builds the release binaries, and gives the
# timing helpers. Sets $build and $edupay.
scripts/install-deps >/dev/null
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDUPAY_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
edupay="$PWD/$build/src/app/edupay"

# actors DB_URL DIR: every write acts for someone. Adds the sysadmin `setup-admin` and the
# provincial import account `svc-import` (service accounts, credential files in DIR) to a new
# database and sets AS_ADMIN / AS_SVC to the options that act for them.
actors() {
  rm -f "$2/setup-admin.credential" "$2/svc-import.credential"
  "$edupay" --db "$1" user add setup-admin --role sysadmin --scope '*' \
    --credential-file "$2/setup-admin.credential" >/dev/null
  AS_ADMIN=(--as setup-admin --credential "$2/setup-admin.credential")
  "$edupay" --db "$1" user add svc-import --role bureau_officer --scope 43 "${AS_ADMIN[@]}" \
    --credential-file "$2/svc-import.credential" >/dev/null
  AS_SVC=(--as svc-import --credential "$2/svc-import.credential")
}

# timed OUT CMD...: runs CMD, recording wall time and peak RSS in OUT.
timed() { /usr/bin/time -f "elapsed %e s rss %M KB" -o "$1" "${@:2}"; }
seconds() { sed -n 's/^elapsed \([0-9.]*\).*/\1/p' "$1"; }
rss_mb() { sed -n 's/.*rss \([0-9]*\) KB.*/\1/p' "$1" | awk '{printf "%.0f", $1/1024}'; }

# seed_entitlements DB N ACCT_ENC FLAGS: N eligible non-boarding-allowance entitlements in county
# 430121 (250.00 yuan each; paying banks 102 / 105 / 402 in turn) with the registry rows the
# precision checks read, generated directly in SQL. ACCT_ENC is stored as every account's
# ciphertext; FLAGS=1 seeds shared accounts and strangers' accounts so that some flags fire.
seed_entitlements() {
  local db=$1 n_=$2 acct_=$3 flags_=$4
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
INSERT INTO regions (code, name, parent_code, level) VALUES ('430121', 'bench county', NULL, 'county');
INSERT INTO schools (code, name, region_code, stages, ownership, bank_code)
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500)
  SELECT printf('1430121%03d', i), 'school ' || i, '430121', 'primary', 'public', '102551000010' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO persons (id, rid_hash, rid_enc, rid_mask, name, sex, birth_date, hukou_region, hukou_type)
  SELECT i, printf('%032x', i), 'v1:x', '4301**********0000', '学生' || (i % 1000), 'M', '2016-05-01', '430121', 'rural' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO households (id, code, hukou_region) SELECT i, 'H' || i, '430121' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO household_members (household_id, person_id, relation) SELECT i, i, 'student' FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO enrollments (person_id, school_id, stage, grade, class_name, major, agri_major, boarding, status, enroll_date)
  SELECT i, 1 + i % 500, 'primary', 4, '', '', 0, 0, 'active', '2023-09-01' FROM s;
-- With flags: every 2,000th account is shared by five households, every 1,000th held by a
-- stranger, so some precision flags fire.
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO bank_accounts (id, student_id, owner, kind, acct_hash, acct_enc, acct_mask, bank_code, holder_name, luhn_ok, valid_from)
  SELECT i, i, 'student', 'student_card', CASE WHEN $flags_ = 1 AND i % 2000 < 5 THEN 'shared' || (i / 2000) ELSE printf('a%031x', i) END,
         '$acct_', '6222****0000', CASE i % 3 WHEN 0 THEN '102' WHEN 1 THEN '105' ELSE '402' END || '551000011',
         CASE WHEN $flags_ = 1 AND i % 1000 = 0 THEN 'stranger' ELSE '学生' || (i % 1000) END, 1, '2026-09-01' FROM s;
INSERT INTO entitlement_runs (id, term, region, policy_id, started_on) VALUES (1, '2026-autumn', '', 1, '2026-10-01');
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n_)
  INSERT INTO entitlements (person_id, programme, term, status, amount_fen, central_fen, provincial_fen, county_fen,
    payee, account_id, paying_region, school_id, reason, policy_id, run_id, version, updated_on)
  SELECT i, 'compulsory_nonboarding_allowance', '2026-autumn', 'eligible', 25000, 12500, 7500, 5000, 'student_account',
         i, '430121', 1 + i % 500, 'stage=primary', 1, 1, 1, '2026-10-01' FROM s;
COMMIT;
SQL
}
