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

ALTER TABLE payments ADD COLUMN result_import_id INTEGER;
ALTER TABLE payments ADD COLUMN bank_txn_id TEXT;
ALTER TABLE payments ADD COLUMN reason_code TEXT;
ALTER TABLE payments ADD COLUMN reason_text TEXT;
ALTER TABLE payments ADD COLUMN settled_on TEXT;

-- Once a payment has left for the bank, what was sent never changes, and a settled payment
-- never changes its outcome: corrections are new attempts.
CREATE TRIGGER payments_immutable_once_sent BEFORE UPDATE ON payments
WHEN OLD.status NOT IN ('pending') AND (NEW.amount_fen <> OLD.amount_fen OR NEW.acct_enc IS NOT OLD.acct_enc
  OR NEW.holder_name <> OLD.holder_name OR NEW.end_to_end_ref <> OLD.end_to_end_ref
  OR NEW.batch_id <> OLD.batch_id OR NEW.entitlement_id <> OLD.entitlement_id
  OR (OLD.status IN ('paid', 'returned', 'removed') AND NEW.status <> OLD.status))
BEGIN
  SELECT RAISE(ABORT, 'payment is immutable once sent or settled');
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
