-- Two records of one child merged: the losing record keeps its identifier as a pointer to the
-- record kept (a roll still carrying the old identifier lands there), and has no enrollment,
-- account, household or open entitlement of its own any more.
ALTER TABLE persons ADD COLUMN merged_into BIGINT NULL;
ALTER TABLE persons ADD CONSTRAINT persons_merged_into FOREIGN KEY (merged_into) REFERENCES persons(id);

-- What slipped through the import check is flagged at batch build: `possible_duplicate`.
CREATE TABLE batch_flags_new (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                                  'holder_not_encodable', 'holder_unsafe_text',
                                                  'possible_duplicate')),
  evidence   VARCHAR(500) NOT NULL,
  status     VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'removed')),
  cleared_by VARCHAR(64),
  reason     VARCHAR(500),
  cleared_at VARCHAR(32),
  CHECK (status = 'open' OR (cleared_by IS NOT NULL AND reason IS NOT NULL)),
  KEY batch_flags_batch (batch_id, status),
  FOREIGN KEY (batch_id) REFERENCES batches(id),
  FOREIGN KEY (payment_id) REFERENCES payments(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO batch_flags_new (id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at)
  SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at FROM batch_flags;
DROP TABLE batch_flags;
RENAME TABLE batch_flags_new TO batch_flags;
