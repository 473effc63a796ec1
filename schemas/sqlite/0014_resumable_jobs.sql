-- Work that must survive a crash or a kill: what an export fixes at its first attempt, the leases
-- that keep exclusive work to one process at a time, and how far a chunked entitlement run got.

-- Everything that goes inside an export's files, fixed before the first file is written, so every
-- later export of the batch (the next day, after a crash, on another node) gives the same bytes.
-- Valid for the approval round it was made in (`batch_version`); a batch sent back to draft and
-- approved again is planned afresh.
CREATE TABLE export_plans (
  batch_id      INTEGER PRIMARY KEY REFERENCES batches(id),
  batch_version INTEGER NOT NULL,
  created_on    TEXT NOT NULL,
  layout        TEXT NOT NULL,
  max_lines     INTEGER NOT NULL CHECK (max_lines > 0),
  payer_account TEXT NOT NULL,
  payer_name    TEXT NOT NULL,
  purpose       TEXT NOT NULL,
  planned_by    TEXT NOT NULL,
  planned_at    TEXT NOT NULL
);

-- One row per kind of exclusive work (e.g. `entitle:2026-autumn:4301`): taken by a conditional
-- UPDATE when free, expired, or held by a process of this host that no longer runs; renewed while
-- the work goes on; freed at the end. Never a database lock, so it works the same on a cluster.
CREATE TABLE job_leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL DEFAULT '',
  expires_at TEXT NOT NULL DEFAULT ''
);

-- A chunked entitlement run commits every few thousand students; `progress` holds the last person
-- id done and the counts so far, so the same command again resumes the run where it stopped.
ALTER TABLE entitlement_runs ADD COLUMN progress TEXT;

-- A result import records its answers chunk by chunk and is finished by its last transaction;
-- until then the same file again resumes it. Imports made before this migration were whole.
ALTER TABLE result_imports ADD COLUMN finished INTEGER NOT NULL DEFAULT 1 CHECK (finished IN (0, 1));
