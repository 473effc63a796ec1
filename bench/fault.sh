#!/usr/bin/env bash
# The fault harness of tests/fault at length: kill -9 at random points of entitle, batch build,
# batch approve, batch export and bank import-result, then the same command again, with the
# release build, on SQLite and on a private MariaDB. Prints trials, faults injected, failures
# and the time taken per backend.
#   bench/fault.sh [TRIALS_PER_COMMAND]      default 100; BACKENDS="sqlite" or "mysql" for one
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100}

. bench/common.sh
work="$PWD/build/bench/fault"
mkdir -p "$work"
export EDUPAY_BIN="$edupay" EDUPAY_BANKSIM="$PWD/$build/tools/banksim/edupay-banksim"
for backend in ${BACKENDS:-sqlite mysql}; do
  if [ "$backend" = mysql ]; then
    mariadb_dir="$work/mariadb"
    trap 'scripts/mariadb stop "$mariadb_dir"' EXIT
    EDUPAY_TEST_MYSQL_URL=$(scripts/mariadb start "$mariadb_dir")
    export EDUPAY_TEST_MYSQL_URL EDUPAY_TEST_BACKENDS="sqlite mysql"
  fi
  tests/fault/fault.sh --backend "$backend" --trials "$trials" --seed "${SEED:-2026}" --work "$work/$backend"
done
