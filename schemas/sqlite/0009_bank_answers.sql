-- Bank answers as banks really send them: money that comes back after the bank said it was paid
-- (a late return). The bank's first answer stays in payment_results as it was (append-only, one per
-- payment); the return is a new fact appended here, one per payment (the primary key makes a
-- second late return of the same payment impossible), never updated or deleted. The payment also
-- becomes `returned` (pending -> returned, as for any return), which frees its entitlement for a
-- re-issue; payment_states shows it returned, with the return's reason and date.
CREATE TABLE payment_returns (
  payment_id  INTEGER PRIMARY KEY REFERENCES payment_results(payment_id),
  import_id   INTEGER NOT NULL REFERENCES result_imports(id),
  reason_code TEXT,
  reason_text TEXT,
  bank_txn_id TEXT,
  returned_on TEXT NOT NULL,
  CHECK (reason_code IS NOT NULL OR reason_text IS NOT NULL)
);
CREATE INDEX payment_returns_import ON payment_returns(import_id);
-- Only money the bank said it paid can come back late.
CREATE TRIGGER payment_returns_only_paid BEFORE INSERT ON payment_returns
WHEN (SELECT outcome FROM payment_results WHERE payment_id = NEW.payment_id) IS NOT 'paid'
BEGIN
  SELECT RAISE(ABORT, 'only a payment the bank paid can be returned late');
END;
CREATE TRIGGER payment_returns_append_only_u BEFORE UPDATE ON payment_returns
BEGIN
  SELECT RAISE(ABORT, 'late returns are never changed');
END;
CREATE TRIGGER payment_returns_append_only_d BEFORE DELETE ON payment_returns
BEGIN
  SELECT RAISE(ABORT, 'late returns are never deleted');
END;

DROP VIEW payment_states;
CREATE VIEW payment_states AS
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
