-- Bank files: each bank's layout and the bureau's paying accounts, exported files, result imports,
-- settlement of payments, and the returned-funds ledger.

ALTER TABLE banks ADD COLUMN layout VARCHAR(64) NOT NULL DEFAULT 'pipe-gbk';
UPDATE banks SET layout = 'pipe-gbk' WHERE code = '102';
UPDATE banks SET layout = 'abc-fixed' WHERE code = '103';
UPDATE banks SET layout = 'pain.001.001.09' WHERE code = '104';
UPDATE banks SET layout = 'ccb-csv' WHERE code = '105';
UPDATE banks SET layout = 'header-block-gbk' WHERE code = '402';

CREATE TABLE payer_accounts (
  region    VARCHAR(12) NOT NULL,
  bank_code CHAR(3) NOT NULL,
  account   VARCHAR(40) NOT NULL,
  name      VARCHAR(140) NOT NULL,
  PRIMARY KEY (region, bank_code),
  FOREIGN KEY (bank_code) REFERENCES banks(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE batches ADD COLUMN exported_on VARCHAR(10);

ALTER TABLE payments ADD COLUMN result_import_id BIGINT, ADD COLUMN bank_txn_id VARCHAR(64),
  ADD COLUMN reason_code VARCHAR(32), ADD COLUMN reason_text VARCHAR(400), ADD COLUMN settled_on VARCHAR(10);

CREATE TRIGGER payments_immutable_once_sent BEFORE UPDATE ON payments FOR EACH ROW
BEGIN IF OLD.status <> 'pending' AND (NEW.amount_fen <> OLD.amount_fen OR NOT (NEW.acct_enc <=> OLD.acct_enc) OR NEW.holder_name <> OLD.holder_name OR NEW.end_to_end_ref <> OLD.end_to_end_ref OR NEW.batch_id <> OLD.batch_id OR NEW.entitlement_id <> OLD.entitlement_id OR (OLD.status IN ('paid', 'returned', 'removed') AND NEW.status <> OLD.status)) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'payment is immutable once sent or settled'; END IF; END;

CREATE TABLE payment_files (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  part       INT NOT NULL,
  file_name  VARCHAR(200) NOT NULL,
  layout     VARCHAR(64) NOT NULL,
  sha256     VARCHAR(64) NOT NULL,
  count      BIGINT NOT NULL,
  total_fen  BIGINT NOT NULL,
  key_id     VARCHAR(32) NOT NULL,
  payer_account VARCHAR(40) NOT NULL,
  payer_name VARCHAR(140) NOT NULL,
  created_on VARCHAR(10) NOT NULL,
  UNIQUE KEY payment_files_part (batch_id, part),
  FOREIGN KEY (batch_id) REFERENCES batches(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE result_imports (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  sha256      VARCHAR(64) NOT NULL UNIQUE,
  file_name   VARCHAR(400) NOT NULL,
  imported_by VARCHAR(64) NOT NULL,
  imported_at VARCHAR(32) NOT NULL,
  line_count  BIGINT NOT NULL DEFAULT 0,
  paid        BIGINT NOT NULL DEFAULT 0,
  returned    BIGINT NOT NULL DEFAULT 0,
  pending     BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE returned_funds (
  payment_id         BIGINT PRIMARY KEY,
  entitlement_id     BIGINT NOT NULL,
  amount_fen         BIGINT NOT NULL CHECK (amount_fen > 0),
  reason_code        VARCHAR(32),
  reason_text        VARCHAR(200),
  returned_on        VARCHAR(10) NOT NULL,
  status             VARCHAR(16) NOT NULL DEFAULT 'awaiting_account'
                     CHECK (status IN ('awaiting_account', 'ready', 'reissued')),
  reissue_payment_id BIGINT,
  KEY returned_funds_entitlement (entitlement_id, status),
  FOREIGN KEY (payment_id) REFERENCES payments(id),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id),
  FOREIGN KEY (reissue_payment_id) REFERENCES payments(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
