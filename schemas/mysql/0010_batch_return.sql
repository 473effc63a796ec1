-- See schemas/sqlite/0010_batch_return.sql for the commentary.

-- The kind CHECK is rebuilt with the table: MySQL 8 and MariaDB name column checks differently, so
-- a copy is the one way that works on both.
CREATE TABLE batch_flags_new (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                                  'holder_not_encodable', 'holder_unsafe_text')),
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

CREATE TABLE batch_returns (
  id        BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id  BIGINT NOT NULL,
  cycle     INT NOT NULL,
  user_name VARCHAR(64) NOT NULL,
  reason    VARCHAR(500) NOT NULL CHECK (CHAR_LENGTH(TRIM(reason)) > 0),
  at        VARCHAR(32) NOT NULL,
  UNIQUE KEY batch_returns_once (batch_id, cycle),
  FOREIGN KEY (batch_id) REFERENCES batches(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
