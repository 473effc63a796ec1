-- Holder names a bank file cannot carry are flagged when the batch is built (two new flag kinds),
-- and an approved batch that still cannot be exported can go back to draft (batch_returns).

-- SQLite cannot change a CHECK in place: batch_flags is rebuilt with the new kinds, rows and ids
-- kept.
CREATE TABLE batch_flags_new (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                           'holder_not_encodable', 'holder_unsafe_text')),
  evidence   TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'removed')),
  cleared_by TEXT,
  reason     TEXT,
  cleared_at TEXT,
  CHECK (status = 'open' OR (cleared_by IS NOT NULL AND reason IS NOT NULL))
);
INSERT INTO batch_flags_new (id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at)
  SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at FROM batch_flags;
DROP TABLE batch_flags;
ALTER TABLE batch_flags_new RENAME TO batch_flags;
CREATE INDEX batch_flags_batch ON batch_flags(batch_id, status);

-- An approved batch sent back to draft by an approver, with the reason: it ends the approval round
-- `cycle` (once per round), its budget commitment is released, and a new round starts.
CREATE TABLE batch_returns (
  id        INTEGER PRIMARY KEY,
  batch_id  INTEGER NOT NULL REFERENCES batches(id),
  cycle     INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  reason    TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  at        TEXT NOT NULL,
  UNIQUE (batch_id, cycle)
);
