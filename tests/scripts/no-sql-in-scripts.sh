#!/bin/sh
# The demo and the unattended batch/ jobs find what to act on through edupay's own commands
# (--json), never by querying the database: a user running them needs no SQL and no database
# client, and the scripts keep working on either database. Fails naming each line that queries.
cd "$(dirname "$0")/../.." || exit 2
found=$(grep -nE '\b(sqlite3|mariadb|mysql)\b|\b(SELECT|INSERT|UPDATE|DELETE)\b' scripts/demo batch/* || true)
if [ -n "$found" ]; then
  echo "these lines query the database; use an edupay command with --json instead:" >&2
  echo "$found" >&2
  exit 1
fi
echo "scripts/demo and batch/*: no SQL"
