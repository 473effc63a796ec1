-- See schemas/sqlite/0012_school_payments.sql for the commentary.

CREATE TABLE school_accounts (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  school_id   BIGINT NOT NULL,
  acct_hash   VARCHAR(64) NOT NULL,
  acct_enc    VARCHAR(160) NOT NULL,
  acct_mask   VARCHAR(16) NOT NULL,
  bank_code   VARCHAR(20) NOT NULL CHECK (CHAR_LENGTH(bank_code) = 12),
  holder_name VARCHAR(100) NOT NULL,
  valid_from  VARCHAR(10) NOT NULL,
  valid_to    VARCHAR(10),
  recorded_by VARCHAR(64) NOT NULL,
  open_school BIGINT AS (IF(valid_to IS NULL, school_id, NULL)) STORED,
  UNIQUE KEY school_accounts_one_open (open_school),
  KEY school_accounts_hash (acct_hash),
  FOREIGN KEY (school_id) REFERENCES schools(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payment_entitlements (
  payment_id     BIGINT NOT NULL,
  entitlement_id BIGINT NOT NULL,
  amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
  central_fen    BIGINT NOT NULL,
  provincial_fen BIGINT NOT NULL,
  county_fen     BIGINT NOT NULL,
  live           TINYINT NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
  live_entitlement BIGINT AS (IF(live = 1, entitlement_id, NULL)) STORED,
  PRIMARY KEY (payment_id, entitlement_id),
  UNIQUE KEY payment_entitlements_one_live (live_entitlement),
  KEY payment_entitlements_entitlement (entitlement_id),
  CHECK (central_fen + provincial_fen + county_fen = amount_fen),
  FOREIGN KEY (payment_id) REFERENCES payments(id),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO payment_entitlements (payment_id, entitlement_id, amount_fen, central_fen, provincial_fen, county_fen, live)
  SELECT id, entitlement_id, amount_fen, central_fen, provincial_fen, county_fen, IF(status IN ('pending', 'sent', 'paid'), 1, 0) FROM payments;
CREATE TRIGGER payment_entitlements_follow_status AFTER UPDATE ON payments FOR EACH ROW
BEGIN IF NEW.status <> OLD.status AND NEW.status NOT IN ('pending', 'sent', 'paid') THEN UPDATE payment_entitlements SET live = 0 WHERE payment_id = NEW.id; END IF; END;
CREATE TRIGGER payment_entitlements_fixed_u BEFORE UPDATE ON payment_entitlements FOR EACH ROW
BEGIN IF NEW.payment_id <> OLD.payment_id OR NEW.entitlement_id <> OLD.entitlement_id OR NEW.amount_fen <> OLD.amount_fen THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'what a payment covers never changes'; END IF; END;

CREATE TABLE batch_flags_new (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                                  'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                                  'school_student_inactive', 'school_over_roll',
                                                  'school_account_shared')),
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
