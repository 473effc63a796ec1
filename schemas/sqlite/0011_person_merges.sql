-- Two records of one child merged: the losing record keeps its identifier as a pointer to the
-- record kept (a roll still carrying the old identifier lands there), and has no enrollment,
-- account, household or open entitlement of its own any more.
ALTER TABLE persons ADD COLUMN merged_into INTEGER REFERENCES persons(id);

-- What slipped through the import check is flagged at batch build: `possible_duplicate`.
CREATE TABLE batch_flags_new (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                           'holder_not_encodable', 'holder_unsafe_text',
                                           'possible_duplicate')),
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
