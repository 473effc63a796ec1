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

-- See the SQLite migration for the model: payments stay pending until the bank answers; the
-- answer is appended to payment_results; payment_states shows each payment's state.
CREATE TRIGGER payments_immutable_once_exported BEFORE UPDATE ON payments FOR EACH ROW
BEGIN IF (SELECT status FROM batches WHERE id = OLD.batch_id) NOT IN ('draft', 'submitted', 'approved', 'rejected') AND (NEW.amount_fen <> OLD.amount_fen OR NOT (NEW.acct_enc <=> OLD.acct_enc) OR NEW.holder_name <> OLD.holder_name OR NEW.end_to_end_ref <> OLD.end_to_end_ref OR NEW.batch_id <> OLD.batch_id OR NEW.entitlement_id <> OLD.entitlement_id OR (NEW.status <> OLD.status AND NOT (OLD.status = 'pending' AND NEW.status = 'returned'))) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'payment is immutable once exported'; END IF; END;

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

CREATE TABLE payment_results (
  payment_id  BIGINT PRIMARY KEY,
  import_id   BIGINT NOT NULL,
  outcome     VARCHAR(10) NOT NULL CHECK (outcome IN ('paid', 'returned')),
  reason_code VARCHAR(32),
  reason_text VARCHAR(400),
  bank_txn_id VARCHAR(64),
  settled_on  VARCHAR(10) NOT NULL,
  KEY payment_results_import (import_id, outcome),
  FOREIGN KEY (payment_id) REFERENCES payments(id),
  FOREIGN KEY (import_id) REFERENCES result_imports(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TRIGGER payment_results_append_only_u BEFORE UPDATE ON payment_results FOR EACH ROW
BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bank results are never changed'; END;
CREATE TRIGGER payment_results_append_only_d BEFORE DELETE ON payment_results FOR EACH ROW
BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'bank results are never deleted'; END;

CREATE VIEW payment_states AS
SELECT p.id, p.batch_id, p.entitlement_id, p.attempt, p.end_to_end_ref, p.amount_fen,
       CASE WHEN r.outcome IS NOT NULL THEN r.outcome
            WHEN p.status = 'pending' AND b.status IN ('exported', 'settled', 'partially_settled', 'closed') THEN 'sent'
            ELSE p.status END AS state,
       r.reason_code, r.reason_text, r.bank_txn_id, r.settled_on, r.import_id
FROM payments p JOIN batches b ON b.id = p.batch_id LEFT JOIN payment_results r ON r.payment_id = p.id;

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
