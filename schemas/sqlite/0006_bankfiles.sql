-- Bank files: each bank's layout and the bureau's paying accounts, exported files, result imports,
-- settlement of payments, and the returned-funds ledger.

ALTER TABLE banks ADD COLUMN layout TEXT NOT NULL DEFAULT 'pipe-gbk';
UPDATE banks SET layout = 'pipe-gbk' WHERE code = '102';
UPDATE banks SET layout = 'abc-fixed' WHERE code = '103';
UPDATE banks SET layout = 'pain.001.001.09' WHERE code = '104';
UPDATE banks SET layout = 'ccb-csv' WHERE code = '105';
UPDATE banks SET layout = 'header-block-gbk' WHERE code = '402';

-- The bureau's account a county pays from at a bank (longest region prefix wins).
CREATE TABLE payer_accounts (
  region    TEXT NOT NULL,
  bank_code TEXT NOT NULL REFERENCES banks(code),
  account   TEXT NOT NULL,
  name      TEXT NOT NULL,
  PRIMARY KEY (region, bank_code)
);

ALTER TABLE batches ADD COLUMN exported_on TEXT;

-- A payment is `pending` until the bank answers; while its batch is exported it is at the bank
-- ("sent" is the batch's state, so an export does not rewrite a million payment rows). The bank's
-- answer is a fact appended to payment_results (one per payment: the primary key makes settling
-- twice impossible); a returned payment also becomes `returned`, which frees its entitlement for a
-- re-issue. The view payment_states shows each payment's state in one word.
-- Once its batch has left for the bank, what a payment says never changes, and only pending ->
-- returned is allowed; corrections are new attempts.
CREATE TRIGGER payments_immutable_once_exported BEFORE UPDATE ON payments
WHEN (SELECT status FROM batches WHERE id = OLD.batch_id) NOT IN ('draft', 'submitted', 'approved', 'rejected')
  AND (NEW.amount_fen <> OLD.amount_fen OR NEW.acct_enc IS NOT OLD.acct_enc
  OR NEW.holder_name <> OLD.holder_name OR NEW.end_to_end_ref <> OLD.end_to_end_ref
  OR NEW.batch_id <> OLD.batch_id OR NEW.entitlement_id <> OLD.entitlement_id
  OR (NEW.status <> OLD.status AND NOT (OLD.status = 'pending' AND NEW.status = 'returned')))
BEGIN
  SELECT RAISE(ABORT, 'payment is immutable once exported');
END;

-- Each file of an export, with its digest (the manifest beside the file carries the same).
CREATE TABLE payment_files (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  part       INTEGER NOT NULL,
  file_name  TEXT NOT NULL,
  layout     TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  count      INTEGER NOT NULL,
  total_fen  INTEGER NOT NULL,
  key_id     TEXT NOT NULL,
  payer_account TEXT NOT NULL,
  payer_name TEXT NOT NULL,
  created_on TEXT NOT NULL,
  UNIQUE (batch_id, part)
);

-- One row per accepted result file; the digest makes a second import of the same file a no-op.
CREATE TABLE result_imports (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL UNIQUE,
  file_name   TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  line_count  INTEGER NOT NULL DEFAULT 0,
  paid        INTEGER NOT NULL DEFAULT 0,
  returned    INTEGER NOT NULL DEFAULT 0,
  pending     INTEGER NOT NULL DEFAULT 0
);

-- The bank's answer per payment, never updated or deleted.
CREATE TABLE payment_results (
  payment_id  INTEGER PRIMARY KEY REFERENCES payments(id),
  import_id   INTEGER NOT NULL REFERENCES result_imports(id),
  outcome     TEXT NOT NULL CHECK (outcome IN ('paid', 'returned')),
  reason_code TEXT,
  reason_text TEXT,
  bank_txn_id TEXT,
  settled_on  TEXT NOT NULL
);
CREATE INDEX payment_results_import ON payment_results(import_id, outcome);
CREATE TRIGGER payment_results_append_only_u BEFORE UPDATE ON payment_results
BEGIN
  SELECT RAISE(ABORT, 'bank results are never changed');
END;
CREATE TRIGGER payment_results_append_only_d BEFORE DELETE ON payment_results
BEGIN
  SELECT RAISE(ABORT, 'bank results are never deleted');
END;

CREATE VIEW payment_states AS
SELECT p.id, p.batch_id, p.entitlement_id, p.attempt, p.end_to_end_ref, p.amount_fen,
       CASE WHEN r.outcome IS NOT NULL THEN r.outcome
            WHEN p.status = 'pending' AND b.status IN ('exported', 'settled', 'partially_settled', 'closed') THEN 'sent'
            ELSE p.status END AS state,
       r.reason_code, r.reason_text, r.bank_txn_id, r.settled_on, r.import_id
FROM payments p JOIN batches b ON b.id = p.batch_id LEFT JOIN payment_results r ON r.payment_id = p.id;

-- Money the bank sent back. It waits for the school to correct the account, then the
-- entitlement is re-issued as a new attempt in a later batch.
CREATE TABLE returned_funds (
  payment_id         INTEGER PRIMARY KEY REFERENCES payments(id),
  entitlement_id     INTEGER NOT NULL REFERENCES entitlements(id),
  amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
  reason_code        TEXT,
  reason_text        TEXT,
  returned_on        TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'awaiting_account'
                     CHECK (status IN ('awaiting_account', 'ready', 'reissued')),
  reissue_payment_id INTEGER REFERENCES payments(id)
);
CREATE INDEX returned_funds_entitlement ON returned_funds(entitlement_id, status);
