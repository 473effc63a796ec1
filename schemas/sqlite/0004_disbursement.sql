-- Disbursement: banks, batches, payments, maker-checker actions, approval thresholds, budgets.

CREATE TABLE banks (
  code      TEXT PRIMARY KEY CHECK (length(code) = 3),
  name      TEXT NOT NULL,
  max_lines INTEGER NOT NULL DEFAULT 2000 CHECK (max_lines > 0)
);
INSERT INTO banks (code, name) VALUES ('102', 'ICBC 中国工商银行'), ('103', 'ABC 中国农业银行'),
  ('104', 'BOC 中国银行'), ('105', 'CCB 中国建设银行'), ('402', 'Rural credit cooperatives 农村信用社');

-- Batches above min_total_fen need this many distinct approvers (at least one always).
CREATE TABLE approval_thresholds (
  min_total_fen INTEGER PRIMARY KEY CHECK (min_total_fen >= 0),
  approvers     INTEGER NOT NULL CHECK (approvers BETWEEN 1 AND 5)
);
INSERT INTO approval_thresholds (min_total_fen, approvers) VALUES (0, 1), (100000000, 2), (1000000000, 3);

CREATE TABLE batches (
  id                 INTEGER PRIMARY KEY,
  programme          TEXT NOT NULL,
  term               TEXT NOT NULL,
  paying_region      TEXT NOT NULL,
  bank_code          TEXT NOT NULL REFERENCES banks(code),
  part               INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'exported', 'settled',
                                                     'partially_settled', 'closed', 'rejected')),
  payment_count      INTEGER NOT NULL CHECK (payment_count > 0),
  total_fen          INTEGER NOT NULL CHECK (total_fen > 0),
  central_fen        INTEGER NOT NULL,
  provincial_fen     INTEGER NOT NULL,
  county_fen         INTEGER NOT NULL,
  required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
  prepared_by        TEXT NOT NULL,
  cycle              INTEGER NOT NULL DEFAULT 1,
  version            INTEGER NOT NULL DEFAULT 1,
  created_on         TEXT NOT NULL,
  updated_on         TEXT NOT NULL,
  CHECK (central_fen + provincial_fen + county_fen = total_fen),
  UNIQUE (programme, term, paying_region, bank_code, part)
);
CREATE INDEX batches_status ON batches(status, term);

-- One live (pending, sent or paid) payment per entitlement: the database, not the code, makes
-- double payment impossible. A returned or failed payment is re-issued as a new attempt.
CREATE TABLE payments (
  id             INTEGER PRIMARY KEY,
  batch_id       INTEGER NOT NULL REFERENCES batches(id),
  entitlement_id INTEGER NOT NULL REFERENCES entitlements(id),
  attempt        INTEGER NOT NULL CHECK (attempt >= 1),
  seq            INTEGER NOT NULL,
  end_to_end_ref TEXT NOT NULL UNIQUE,
  amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
  central_fen    INTEGER NOT NULL,
  provincial_fen INTEGER NOT NULL,
  county_fen     INTEGER NOT NULL,
  payee          TEXT NOT NULL,
  account_id     INTEGER REFERENCES bank_accounts(id),
  acct_enc       TEXT,
  acct_mask      TEXT,
  holder_name    TEXT NOT NULL,
  bank_code      TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'paid', 'returned', 'failed', 'removed')),
  UNIQUE (batch_id, seq),
  UNIQUE (entitlement_id, attempt)
);
CREATE UNIQUE INDEX payments_one_live ON payments(entitlement_id) WHERE status IN ('pending', 'sent', 'paid');
CREATE INDEX payments_batch ON payments(batch_id, seq);

-- Who submitted, approved or rejected a batch in each submission cycle; one user acts once per
-- batch and cycle (the preparer is batches.prepared_by and may not approve).
CREATE TABLE batch_actions (
  id        INTEGER PRIMARY KEY,
  batch_id  INTEGER NOT NULL REFERENCES batches(id),
  cycle     INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  action    TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'reject')),
  reason    TEXT,
  at        TEXT NOT NULL,
  UNIQUE (batch_id, cycle, user_name)
);

-- Allocations per programme x county x fiscal year x funding source. Approval commits money;
-- the CHECK makes overspending impossible even for a buggy or hostile client.
CREATE TABLE budgets (
  programme     TEXT NOT NULL,
  region        TEXT NOT NULL,
  fiscal_year   INTEGER NOT NULL,
  source        TEXT NOT NULL CHECK (source IN ('central', 'provincial', 'county')),
  allocated_fen INTEGER NOT NULL CHECK (allocated_fen >= 0),
  committed_fen INTEGER NOT NULL DEFAULT 0 CHECK (committed_fen >= 0),
  paid_fen      INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
  returned_fen  INTEGER NOT NULL DEFAULT 0 CHECK (returned_fen >= 0),
  PRIMARY KEY (programme, region, fiscal_year, source),
  CHECK (committed_fen + paid_fen <= allocated_fen)
);

-- Precision checks computed when a batch is built; approval waits until each is cleared (with a
-- written reason) or its payment is removed from the batch.
CREATE TABLE batch_flags (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster')),
  evidence   TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'removed')),
  cleared_by TEXT,
  reason     TEXT,
  cleared_at TEXT,
  CHECK (status = 'open' OR (cleared_by IS NOT NULL AND reason IS NOT NULL))
);
CREATE INDEX batch_flags_batch ON batch_flags(batch_id, status);
