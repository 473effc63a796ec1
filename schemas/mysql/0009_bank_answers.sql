-- Bank answers as banks really send them: money that comes back after the bank said it was paid
-- (a late return). See the SQLite migration for the model: the first answer stays in
-- payment_results; the late return is appended here, one per payment, never changed.
CREATE TABLE payment_returns (
  payment_id  BIGINT PRIMARY KEY,
  import_id   BIGINT NOT NULL,
  reason_code VARCHAR(32),
  reason_text VARCHAR(400),
  bank_txn_id VARCHAR(64),
  returned_on VARCHAR(10) NOT NULL,
  CHECK (reason_code IS NOT NULL OR reason_text IS NOT NULL),
  KEY payment_returns_import (import_id),
  FOREIGN KEY (payment_id) REFERENCES payment_results(payment_id),
  FOREIGN KEY (import_id) REFERENCES result_imports(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TRIGGER payment_returns_only_paid BEFORE INSERT ON payment_returns FOR EACH ROW
BEGIN IF NOT ((SELECT outcome FROM payment_results WHERE payment_id = NEW.payment_id) <=> 'paid') THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'only a payment the bank paid can be returned late'; END IF; END;
CREATE TRIGGER payment_returns_append_only_u BEFORE UPDATE ON payment_returns FOR EACH ROW
BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'late returns are never changed'; END;
CREATE TRIGGER payment_returns_append_only_d BEFORE DELETE ON payment_returns FOR EACH ROW
BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'late returns are never deleted'; END;

CREATE OR REPLACE VIEW payment_states AS
SELECT p.id, p.batch_id, p.entitlement_id, p.attempt, p.end_to_end_ref, p.amount_fen,
       CASE WHEN lr.payment_id IS NOT NULL THEN 'returned'
            WHEN r.outcome IS NOT NULL THEN r.outcome
            WHEN p.status = 'pending' AND b.status IN ('exported', 'settled', 'partially_settled', 'closed') THEN 'sent'
            ELSE p.status END AS state,
       CASE WHEN lr.payment_id IS NOT NULL THEN lr.reason_code ELSE r.reason_code END AS reason_code,
       CASE WHEN lr.payment_id IS NOT NULL THEN lr.reason_text ELSE r.reason_text END AS reason_text,
       CASE WHEN lr.payment_id IS NOT NULL THEN lr.bank_txn_id ELSE r.bank_txn_id END AS bank_txn_id,
       CASE WHEN lr.payment_id IS NOT NULL THEN lr.returned_on ELSE r.settled_on END AS settled_on,
       CASE WHEN lr.payment_id IS NOT NULL THEN lr.import_id ELSE r.import_id END AS import_id,
       CASE WHEN r.outcome = 'paid' THEN r.settled_on END AS paid_on
FROM payments p JOIN batches b ON b.id = p.batch_id LEFT JOIN payment_results r ON r.payment_id = p.id
LEFT JOIN payment_returns lr ON lr.payment_id = p.id;
