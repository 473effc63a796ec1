#!/usr/bin/env bash
# Kills edupay's long commands at random points and checks that the same command run again ends
# exactly as an uninterrupted run would, losing nothing and paying nothing twice.
#
#   tests/fault/fault.sh --backend sqlite|mysql [--trials N] [--seed S] [--work DIR] [--only CMD]
#
# Commands under test: entitle, batch build, batch approve, batch export, bank import-result.
# Each trial restores the database to the command's starting point (a snapshot taken once),
# runs the command with one fault, then the same command again without one, and checks:
#   - the second run succeeds and the database ends as after an uninterrupted run (the
#     reference, run once per command): entitlements, batches and payments, approvals and
#     budgets, exported files and their digests, settlements and returns;
#   - no payment exported twice or with two references, none settled twice;
#   - reconciliation adds up to the fen (`edupay reconcile report` exits 0);
#   - the audit chain verifies (`edupay audit verify`);
#   - export: right after the kill, every payment file under its final name belongs to a batch
#     the database calls exported and verifies (signature, digest, totals); after the second run
#     no `*.tmp-*` file and no staging folder is left, and an export on a later day ("today"
#     faked with EDUPAY_TODAY) gives the same bytes;
#   - entitle: an exceptions file under its final name only once the run committed.
# Faults (seeded, so a run is reproducible with the same --seed): two in three trials set
# EDUPAY_FAULT_AT=POINT:N, a crash point inside the code (src/common/Fault.h: SIGKILL at the N-th
# pass), chosen at random among the command's points; the others send SIGKILL after a random
# delay within the reference run's duration (`timeout -s KILL`).
# Needs EDUPAY_BIN and EDUPAY_BANKSIM (the binaries), and for mysql EDUPAY_TEST_MYSQL_URL.
set -euo pipefail
shopt -s nullglob

backend=sqlite trials=30 seed=18 work="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --trials) trials=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 --backend sqlite|mysql [--trials N] [--seed S] [--work DIR] [--only CMD]" >&2; exit 2 ;;
  esac
done
if [ "$backend" = mysql ] && { [ -z "${EDUPAY_TEST_MYSQL_URL:-}" ] || [[ " ${EDUPAY_TEST_BACKENDS:-sqlite} " != *" mysql "* ]]; }; then
  echo "fault harness (mysql): skipped, EDUPAY_TEST_BACKENDS has no mysql (scripts/test runs it)"
  exit 77
fi
edupay=${EDUPAY_BIN:?set EDUPAY_BIN to the edupay binary}
banksim=${EDUPAY_BANKSIM:?set EDUPAY_BANKSIM to the edupay-banksim binary}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${work:-$(mktemp -d /tmp/edupay-fault.XXXXXX)}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
started=$(date +%s.%N)

# Small enough to be quick, chunked finely enough that a kill lands between chunks: entitlement
# runs commit every 40 students, result imports every 6 lines, batches are cut at 6 payments.
export EDUPAY_FAULT_CHUNK=${EDUPAY_FAULT_CHUNK:-40}
students=${FAULT_STUDENTS:-1200}
export EDUPAY_KEY_FILE="$work/edupay.key" EDUPAY_SIGNING_KEY="$work/signing.pem"
export EDUPAY_TODAY=2026-10-20
term=2026-autumn county=430121

# --- the database ----------------------------------------------------------------------------
if [ "$backend" = mysql ]; then
  base_url=${EDUPAY_TEST_MYSQL_URL:?set EDUPAY_TEST_MYSQL_URL (scripts/mariadb start DIR)}
  hostport=${base_url#mysql://}
  userpass=${hostport%%@*}
  hostport=${hostport#*@}
  hostport=${hostport%%/*}
  my=(mariadb --no-defaults -u"${userpass%%:*}" -p"${userpass#*:}" -h"${hostport%%:*}" -P"${hostport##*:}")
  dbname="fault_$$"
  export EDUPAY_DB="mysql://$userpass@$hostport/$dbname"
  sql() { "${my[@]}" -N -B "$dbname" -e "$1"; }
  fresh() { "${my[@]}" -e "DROP DATABASE IF EXISTS $dbname; CREATE DATABASE $dbname CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"; }
  # Snapshots are copies of the tables in databases of their own; a restore copies back only
  # the tables that changed since the last restore (DDL for the whole schema takes seconds).
  declare -A columns=() sums=()
  current=""
  tables() { sql "SELECT table_name FROM information_schema.tables WHERE table_schema = '$dbname' AND table_type = 'BASE TABLE' ORDER BY 1"; }
  cols() {
    [ -n "${columns[$1]:-}" ] || columns[$1]=$(sql "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '$dbname' AND table_name = '$1' AND extra NOT LIKE '%GENERATED%'")
    echo "${columns[$1]}"
  }
  snapshot() {
    local snap="${dbname}_$1" t
    {
      echo "DROP DATABASE IF EXISTS $snap; CREATE DATABASE $snap CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
      for t in $(tables); do
        echo "CREATE TABLE $snap.$t LIKE $dbname.$t; INSERT INTO $snap.$t ($(cols "$t")) SELECT $(cols "$t") FROM $dbname.$t;"
      done
    } | "${my[@]}"
  }
  checksums() { "${my[@]}" -N -B -e "CHECKSUM TABLE $(tables | sed "s/^/$dbname./" | paste -sd,)" | awk '{print $1 "=" $2}'; }
  restore() {
    local snap="${dbname}_$1" t changed=() line
    if [ "$current" != "$1" ]; then
      changed=($(tables))
    else
      while read -r line; do
        t=${line%%=*}
        [ "${sums[$t]}" = "${line#*=}" ] || changed+=("${t#$dbname.}")
      done < <(checksums)
    fi
    {
      echo "SET FOREIGN_KEY_CHECKS = 0;"
      for t in "${changed[@]}"; do
        echo "TRUNCATE TABLE $dbname.$t; INSERT INTO $dbname.$t ($(cols "$t")) SELECT $(cols "$t") FROM $snap.$t;"
      done
    } | "${my[@]}"
    if [ "$current" != "$1" ]; then
      current=$1
      while read -r line; do sums[${line%%=*}]=${line#*=}; done < <(checksums)
    fi
  }
  cleanup_db() {
    local s
    for s in entitle build approve export import; do "${my[@]}" -e "DROP DATABASE IF EXISTS ${dbname}_$s" 2>/dev/null || true; done
    "${my[@]}" -e "DROP DATABASE IF EXISTS $dbname" 2>/dev/null || true
  }
else
  db="$work/edupay.db"
  export EDUPAY_DB="sqlite:$db"
  fresh() { rm -f "$db" "$db-wal" "$db-shm"; }
  snapshot() { sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; cp "$db" "$work/snap-$1.db"; }
  restore() { fresh; cp "$work/snap-$1.db" "$db"; }
  sql() { sqlite3 -cmd ".timeout 10000" -separator $'\t' "$db" "$1"; }
  cleanup_db() { :; }
fi
trap cleanup_db EXIT

fail() { echo "FAULT TEST FAILURE: $*" >&2; failures=$((failures + 1)); }
quiet() { "$@" >"$work/last.out" 2>&1 || { cat "$work/last.out" >&2; return 1; }; }

# What a command leaves behind, with nothing that legitimately differs between runs (ids a
# database hands out, times): compared with the reference run's.
state() {
  case "$1" in
    entitle)
      sql "SELECT person_id, programme, status, amount_fen, paying_region, reason FROM entitlements ORDER BY person_id, programme"
      sql "SELECT COUNT(*) FROM audit_events WHERE action = 'entitle.run'" | sed 's/^/runs audited: /' | sed 's/: [1-9][0-9]*$/: some/'
      sha256sum <"$work/out/exceptions.csv" | sed 's/^/exceptions.csv /' ;;
    build)
      sql "SELECT programme, bank_code, paying_region, payment_count, total_fen, status FROM batches ORDER BY id"
      sql "SELECT b.bank_code, p.seq, p.entitlement_id, p.amount_fen, p.holder_name FROM payments p JOIN batches b ON b.id = p.batch_id ORDER BY p.entitlement_id"
      sql "SELECT COUNT(*) FROM batch_flags"
      sql "SELECT COUNT(*) FROM audit_events WHERE action = 'batch.build'" ;;
    approve)
      sql "SELECT status, version FROM batches ORDER BY id"
      sql "SELECT programme, source, allocated_fen, committed_fen, paid_fen, returned_fen FROM budgets ORDER BY 1, 2"
      sql "SELECT action, COUNT(*) FROM audit_events WHERE action LIKE 'batch.approve%' GROUP BY action ORDER BY 1" ;;
    export)
      sql "SELECT status, exported_on FROM batches ORDER BY id"
      sql "SELECT part, file_name, sha256, count, total_fen, created_on FROM payment_files ORDER BY batch_id, part"
      sql "SELECT COUNT(*) FROM audit_events WHERE action = 'batch.export'"
      (cd "$work/out/files" && find . -type f | sort | xargs sha256sum) ;;
    import)
      sql "SELECT payment_id, outcome, reason_code FROM payment_results ORDER BY payment_id"
      sql "SELECT payment_id, reason_code FROM payment_returns ORDER BY payment_id"
      sql "SELECT status FROM batches ORDER BY id"
      sql "SELECT programme, source, committed_fen, paid_fen, returned_fen FROM budgets ORDER BY 1, 2"
      sql "SELECT payment_id, status FROM returned_funds ORDER BY payment_id"
      sql "SELECT sha256, line_count, paid, returned, pending, finished FROM result_imports ORDER BY id"
      sql "SELECT COUNT(*) FROM audit_events WHERE action = 'bank.import_result'" ;;
  esac
}

# --- a small term, up to each command's starting point --------------------------------------
fresh
quiet "$edupay" synth --students "$students" --seed 7 --out "$work/prov"
quiet "$edupay" keygen
quiet "$edupay" keygen --signing "$EDUPAY_SIGNING_KEY"
quiet "$edupay" migrate
quiet "$edupay" user add setup-admin --role sysadmin --scope '*' --credential-file "$work/admin.cred"
ADMIN=(--as setup-admin --credential "$work/admin.cred")
quiet "$edupay" user add officer --role bureau_officer --scope 43 --credential-file "$work/officer.cred" "${ADMIN[@]}"
quiet "$edupay" user add approver1 --role bureau_approver --scope 43 --credential-file "$work/approver1.cred" "${ADMIN[@]}"
quiet "$edupay" user add approver2 --role bureau_approver --scope 43 --credential-file "$work/approver2.cred" "${ADMIN[@]}"
quiet "$edupay" user add approver3 --role bureau_approver --scope 43 --credential-file "$work/approver3.cred" "${ADMIN[@]}"
OFFICER=(--as officer --credential "$work/officer.cred")
approver() { echo --as "approver$1" --credential "$work/approver$1.cred"; }
quiet "$edupay" import regions "$work/prov/regions.csv" "${ADMIN[@]}"
quiet "$edupay" import schools "$work/prov/schools.csv" "${ADMIN[@]}"
for f in "$work"/prov/roll/*.csv; do quiet "$edupay" import roll "$f" --accept-valid "${OFFICER[@]}" || true; done
for s in poverty civil_affairs disabled orphan; do
  quiet "$edupay" import roster "$work/prov/rosters/$s.csv" --source "$s" "${OFFICER[@]}"
done
quiet "$edupay" policy activate "$src/policies/hunan.json" "${OFFICER[@]}"
for f in "$work"/prov/nominations/*.csv; do
  name=$(basename "$f" .csv)
  quiet "$edupay" import nominations "$f" --programme "${name%-*}" --year "${name##*-}" "${OFFICER[@]}"
done
snapshot entitle
ENTITLE=(entitle --term "$term" --exceptions "$work/out/exceptions.csv" "${OFFICER[@]}")
mkdir -p "$work/out"
quiet "$edupay" "${ENTITLE[@]}"
state entitle >"$work/ref-entitle.txt"

# The programme with the most payments in the county, its budget, banks cut at 6 lines.
programme=$(sql "SELECT programme FROM entitlements WHERE paying_region = '$county' AND term = '$term' AND status = 'eligible' AND payee <> 'school' GROUP BY programme ORDER BY COUNT(*) DESC, programme LIMIT 1")
{
  echo "programme,region,fiscal_year,source,allocated"
  for source in central provincial county; do echo "$programme,$county,2026,$source,100000000"; done
} >"$work/budget.csv"
quiet "$edupay" budget import "$work/budget.csv" "${OFFICER[@]}"
for bank in $(sql "SELECT code FROM banks ORDER BY code"); do
  quiet "$edupay" bank set "$bank" --max-lines 6 "${ADMIN[@]}"
  quiet "$edupay" bank payer --region "$county" --bank "$bank" --account "62${bank}0000000$county" --name "长沙县教育局学生资助专户" "${OFFICER[@]}"
done
snapshot build
BUILD=(batch build --term "$term" --programme "$programme" --region "$county" "${OFFICER[@]}")
quiet "$edupay" "${BUILD[@]}"
state build >"$work/ref-build.txt"

# Notices published long enough ago, batches submitted with their flags cleared; the batch
# under test waits for its last approval.
for school in $(sql "SELECT DISTINCT s.code FROM entitlements e JOIN schools s ON s.id = e.school_id WHERE e.programme = '$programme' AND e.paying_region = '$county' AND e.status = 'eligible' ORDER BY 1"); do
  EDUPAY_TODAY=2026-09-14 quiet "$edupay" notice publish --term "$term" --programme "$programme" --school "$school" --out "$work/notices" "${OFFICER[@]}"
done
batch=$(sql "SELECT id FROM batches ORDER BY payment_count DESC, id LIMIT 1")
quiet "$edupay" batch submit "$batch" "${OFFICER[@]}"
for flag in $(sql "SELECT id FROM batch_flags WHERE batch_id = $batch AND status = 'open'"); do
  quiet "$edupay" batch clear-flag "$flag" --reason "checked with the school" "${OFFICER[@]}"
done
required=$(sql "SELECT required_approvals FROM batches WHERE id = $batch")
for i in $(seq 1 $((required - 1))); do quiet "$edupay" batch approve "$batch" $(approver "$i"); done
snapshot approve
APPROVE=(batch approve "$batch" $(approver "$required"))
quiet "$edupay" "${APPROVE[@]}"
state approve >"$work/ref-approve.txt"
snapshot export
EXPORT=(batch export "$batch" --out "$work/out/files" "${OFFICER[@]}")
mkdir -p "$work/out/files"
quiet "$edupay" "${EXPORT[@]}"
state export >"$work/ref-export.txt"
for f in "$work"/out/files/B*; do
  case "$f" in *.manifest.json | *.manifest.sig | *.students.*) continue ;; esac
  quiet "$banksim" --in "$f" --public-key "$EDUPAY_SIGNING_KEY.pub" --out "$work/result-$(basename "$f").txt" \
    --fail-rate 0.25 --seed 3 --date 2026-10-25
done
result=$(ls "$work"/result-*.txt | head -1)
snapshot import
IMPORT=(bank import-result "$result" "${OFFICER[@]}")
EDUPAY_FAULT_CHUNK=2 quiet "$edupay" "${IMPORT[@]}"
state import >"$work/ref-import.txt"
echo "fault harness ($backend): $students students, programme $programme, batch $batch ($(sql "SELECT payment_count FROM batches WHERE id = $batch") payments), set up in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e - s}') s"

# --- the trials ------------------------------------------------------------------------------
RANDOM=$seed
failures=0 trials_run=0 faults_injected=0
payments=$(sql "SELECT payment_count FROM batches WHERE id = $batch")
chunks=$(( (students + EDUPAY_FAULT_CHUNK - 1) / EDUPAY_FAULT_CHUNK ))
batches=$(sql "SELECT COUNT(*) FROM batches")

# The crash points each command passes (src/common/Fault.h), with how often.
points() {
  case "$1" in
    entitle) for i in $(seq 1 "$chunks"); do echo "entitle.chunk:$i"; done
             echo entitle.before_commit:1; echo entitle.committed:1; echo file.before_rename:1 ;;
    build) for i in $(seq 1 "$batches"); do echo "build.before_commit:$i"; echo "build.batch:$i"; done ;;
    approve) echo approve.before_commit:1; echo approve.committed:1 ;;
    export) echo export.planned:1; echo export.page:1; echo export.staged:1; echo export.before_commit:1
            echo export.committed:1
            for i in 1 2 3 4; do echo "file.before_rename:$i"; echo "export.published_one:$i"; done ;;
    import) echo import.begun:1; for i in $(seq 1 $(( (payments + 1) / 2 ))); do echo "import.chunk:$i"; done
            echo import.before_commit:1; echo import.committed:1 ;;
  esac
}

command_of() {
  case "$1" in
    entitle) echo ENTITLE ;; build) echo BUILD ;; approve) echo APPROVE ;; export) echo EXPORT ;; import) echo IMPORT ;;
  esac
}

# run CMD [env...]: the command under test, with the chunk size its trials use.
run() {
  local name=$1; shift
  local -n args=$(command_of "$name")
  local chunk=$EDUPAY_FAULT_CHUNK
  [ "$name" = import ] && chunk=2
  env EDUPAY_FAULT_CHUNK="$chunk" "$@" "$edupay" "${args[@]}"
}

ref_seconds() {  # the uninterrupted command's wall time, for random-delay kills
  restore "$1"
  prepare_out "$1"
  local t0 t1
  t0=$(date +%s.%N)
  run "$1" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}'
}

prepare_out() {
  rm -rf "$work/out"
  mkdir -p "$work/out/files"
}

# Every payment file under its final name: its batch is exported and the file verifies.
check_published() {
  local f name id st
  for f in "$work"/out/files/B*; do
    name=$(basename "$f")
    case "$name" in *.manifest.json | *.manifest.sig | *.students.* | *.tmp-*) continue ;; esac
    id=$((10#${name:1:6}))
    st=$(sql "SELECT status FROM batches WHERE id = $id")
    [ "$st" = exported ] || [ "$st" = settled ] || [ "$st" = partially_settled ] ||
      fail "$2: $name is visible under its final name while batch $id is $st"
    "$edupay" file verify "$f" --public-key "$EDUPAY_SIGNING_KEY.pub" >/dev/null 2>&1 ||
      fail "$2: $name is visible under its final name but does not verify"
  done
}

invariants() {
  local what=$1
  "$edupay" audit verify >/dev/null 2>&1 || fail "$what: the audit chain does not verify"
  "$edupay" reconcile report --term "$term" --region "$county" "${OFFICER[@]}" >"$work/reconcile.txt" 2>&1 ||
    fail "$what: the reconciliation does not add up: $(tail -2 "$work/reconcile.txt")"
  local n
  n=$(sql "SELECT COUNT(*) FROM (SELECT entitlement_id FROM payment_entitlements WHERE live = 1 GROUP BY entitlement_id HAVING COUNT(*) > 1) x")
  [ "$n" = 0 ] || fail "$what: $n entitlements in two live payments"
  n=$(sql "SELECT COUNT(*) FROM (SELECT end_to_end_ref FROM payments GROUP BY end_to_end_ref HAVING COUNT(*) > 1) x")
  [ "$n" = 0 ] || fail "$what: $n references used twice"
  n=$(sql "SELECT COUNT(*) FROM (SELECT entitlement_id FROM payments p JOIN payment_results r ON r.payment_id = p.id WHERE r.outcome = 'paid' GROUP BY entitlement_id HAVING COUNT(*) > 1) x")
  [ "$n" = 0 ] || fail "$what: $n entitlements paid twice"
  n=$(sql "SELECT COUNT(*) FROM (SELECT batch_id, part FROM payment_files GROUP BY batch_id, part HAVING COUNT(*) > 1) x")
  [ "$n" = 0 ] || fail "$what: a file exported twice"
  local left
  left=$(find "$work/out" \( -name '*.tmp-*' -o -name '.staging-*' \) | head -3)
  [ -z "$left" ] || fail "$what: left behind: $left"
}

trial() {
  local name=$1 i=$2 ref_t=$3
  local what="$backend $name trial $i" fault="" delay="" rc=0
  restore "$name"
  prepare_out "$name"
  mapfile -t pts < <(points "$name")
  if (( RANDOM % 3 < 2 )); then
    fault=${pts[RANDOM % ${#pts[@]}]}
  else
    delay=$(awk -v t="$ref_t" -v r="$RANDOM" 'BEGIN{printf "%.3f", t * r / 32768}')
  fi
  if [ -n "$fault" ]; then
    run "$name" EDUPAY_FAULT_AT="$fault" >"$work/first.out" 2>&1 || rc=$?
  else
    rc=0
    run "$name" timeout -s KILL "$delay" >"$work/first.out" 2>&1 || rc=$?
  fi
  [ "$rc" = 137 ] && faults_injected=$((faults_injected + 1))
  if [ "$rc" != 0 ] && [ "$rc" != 137 ]; then
    fail "$what (${fault:-kill after ${delay}s}): the first run failed with $rc: $(tail -2 "$work/first.out")"
  fi
  # What others see right after the kill, before anyone runs the command again.
  check_published "$name" "$what (${fault:-kill after ${delay}s}), after the kill"
  if [ "$name" = entitle ] && [ -f "$work/out/exceptions.csv" ] &&
    [ "$(sql "SELECT COUNT(*) FROM entitlement_runs WHERE summary IS NOT NULL AND summary NOT LIKE '%abandoned%'")" = 0 ]; then
    fail "$what: the exceptions file was published before the run committed"
  fi
  # The same command again, on a later day: it must finish the job exactly as planned.
  if ! run "$name" EDUPAY_TODAY=2026-10-21 >"$work/second.out" 2>&1; then
    # One person approves once: after a committed approval the same approval again is refused,
    # and the state must then be the reference's.
    if [ "$name" = approve ] && grep -q "this batch is approved" "$work/second.out" &&
      state approve | cmp -s - "$work/ref-approve.txt"; then
      invariants "$what"
      trials_run=$((trials_run + 1))
      return
    fi
    fail "$what (${fault:-kill after ${delay}s}): the same command again failed: $(tail -3 "$work/second.out")"
    return
  fi
  state "$name" >"$work/state.txt"
  if ! cmp -s "$work/state.txt" "$work/ref-$name.txt"; then
    # An export killed before its plan was recorded is planned afresh on the later day: the
    # same files except the date inside.
    if [ "$name" = export ] && [ -z "$(sql "SELECT 1 FROM export_plans WHERE created_on = '2026-10-20'")" ]; then
      :
    else
      fail "$what (${fault:-kill after ${delay}s}): differs from an uninterrupted run: $(diff "$work/ref-$name.txt" "$work/state.txt" | head -5)"
    fi
  fi
  invariants "$what"
  check_published "$name" "$what, after the second run"
  if [ "$name" = export ]; then
    # Any later export of the batch, another day, gives the same bytes.
    (cd "$work/out/files" && find . -type f | sort | xargs sha256sum) >"$work/files-1.txt"
    EDUPAY_TODAY=2026-11-02 "$edupay" "${EXPORT[@]}" >/dev/null 2>&1 || fail "$what: a re-export failed"
    (cd "$work/out/files" && find . -type f | sort | xargs sha256sum) >"$work/files-2.txt"
    cmp -s "$work/files-1.txt" "$work/files-2.txt" || fail "$what: a re-export on a later day gave other bytes"
  fi
  trials_run=$((trials_run + 1))
}

for name in entitle build approve export import; do
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  t0=$(date +%s.%N)
  ref_t=$(ref_seconds "$name")
  before=$failures
  for i in $(seq 1 "$trials"); do trial "$name" "$i" "$ref_t"; done
  printf '  %-8s %3d trials, %2d failures, reference run %ss, %ss in all\n' "$name" "$trials" $((failures - before)) "$ref_t" \
    "$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e - s}')"
done
echo "fault harness ($backend): $trials_run trials, $faults_injected faults injected (killed), $failures failures, $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.0f", e - s}') s"
[ "$failures" = 0 ]
