-- Fee waivers paid to the school (免学费补助资金, 保教费减免补助): the bureau pays one amount per
-- school, programme and term into the school's basic account, with the list of students it covers.

-- The school's basic account at its bank: encrypted, blind-indexed and masked like every account;
-- one open account per school, a replaced one keeps valid_to.
CREATE TABLE school_accounts (
  id          INTEGER PRIMARY KEY,
  school_id   INTEGER NOT NULL REFERENCES schools(id),
  acct_hash   TEXT NOT NULL,
  acct_enc    TEXT NOT NULL,
  acct_mask   TEXT NOT NULL,
  bank_code   TEXT NOT NULL CHECK (length(bank_code) = 12),
  holder_name TEXT NOT NULL,
  valid_from  TEXT NOT NULL,
  valid_to    TEXT,
  recorded_by TEXT NOT NULL
);
CREATE UNIQUE INDEX school_accounts_one_open ON school_accounts(school_id) WHERE valid_to IS NULL;
CREATE INDEX school_accounts_hash ON school_accounts(acct_hash);

-- The entitlements each payment covers: one for a payment to a student, every student of the
-- school for a payment to a school (payments.entitlement_id is then the first of them). An
-- entitlement is covered by at most one live (pending, sent or paid) payment: the unique index,
-- not the code, makes paying it twice impossible, whoever the payee. `live` follows the payment's
-- status (trigger below).
CREATE TABLE payment_entitlements (
  payment_id     INTEGER NOT NULL REFERENCES payments(id),
  entitlement_id INTEGER NOT NULL REFERENCES entitlements(id),
  amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
  central_fen    INTEGER NOT NULL,
  provincial_fen INTEGER NOT NULL,
  county_fen     INTEGER NOT NULL,
  live           INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
  PRIMARY KEY (payment_id, entitlement_id),
  CHECK (central_fen + provincial_fen + county_fen = amount_fen)
);
CREATE UNIQUE INDEX payment_entitlements_one_live ON payment_entitlements(entitlement_id) WHERE live = 1;
CREATE INDEX payment_entitlements_entitlement ON payment_entitlements(entitlement_id);
INSERT INTO payment_entitlements (payment_id, entitlement_id, amount_fen, central_fen, provincial_fen,
                                  county_fen, live)
  SELECT id, entitlement_id, amount_fen, central_fen, provincial_fen, county_fen,
         CASE WHEN status IN ('pending', 'sent', 'paid') THEN 1 ELSE 0 END FROM payments;
CREATE TRIGGER payment_entitlements_follow_status AFTER UPDATE OF status ON payments
WHEN NEW.status NOT IN ('pending', 'sent', 'paid')
BEGIN
  UPDATE payment_entitlements SET live = 0 WHERE payment_id = NEW.id;
END;
-- What a payment covers is fixed with the payment.
CREATE TRIGGER payment_entitlements_fixed_u BEFORE UPDATE OF payment_id, entitlement_id, amount_fen
ON payment_entitlements
BEGIN
  SELECT RAISE(ABORT, 'what a payment covers never changes');
END;

-- Precision checks for school payees (three new flag kinds): a student on the school's list who
-- is not active on the reference date, more waived students than the school's roll has in the
-- stage, a school account that is also a person's account.
CREATE TABLE batch_flags_new (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                           'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                           'school_student_inactive', 'school_over_roll',
                                           'school_account_shared')),
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
