-- Eligibility: hukou type, policies, scholarship nominations, official-roster statuses, and
-- entitlements (one per student x programme x term, enforced here) with their history.

ALTER TABLE persons ADD COLUMN hukou_type TEXT CHECK (hukou_type IN ('rural', 'urban'));

CREATE INDEX household_status_household ON household_status(household_id, valid_from);
-- A roster status is identified by household, category, source and start date.
CREATE UNIQUE INDEX household_status_roster
  ON household_status(household_id, category, source, valid_from) WHERE source <> 'claimed';

CREATE TABLE policies (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  sha256       TEXT NOT NULL UNIQUE,
  content      TEXT NOT NULL,
  activated_on TEXT NOT NULL,
  active_seq   INTEGER NOT NULL
);

CREATE TABLE nominations (
  programme     TEXT NOT NULL,
  academic_year INTEGER NOT NULL,
  person_id     INTEGER NOT NULL REFERENCES persons(id),
  PRIMARY KEY (programme, academic_year, person_id)
);
CREATE INDEX nominations_person ON nominations(person_id, academic_year);

CREATE TABLE entitlement_runs (
  id         INTEGER PRIMARY KEY,
  term       TEXT NOT NULL,
  region     TEXT NOT NULL,
  policy_id  INTEGER NOT NULL REFERENCES policies(id),
  started_on TEXT NOT NULL,
  summary    TEXT
);

CREATE TABLE entitlements (
  id             INTEGER PRIMARY KEY,
  person_id      INTEGER NOT NULL REFERENCES persons(id),
  programme      TEXT NOT NULL,
  term           TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('eligible', 'held', 'excluded')),
  amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
  central_fen    INTEGER NOT NULL CHECK (central_fen >= 0),
  provincial_fen INTEGER NOT NULL CHECK (provincial_fen >= 0),
  county_fen     INTEGER NOT NULL CHECK (county_fen >= 0),
  payee          TEXT NOT NULL CHECK (payee IN ('student_account', 'household_one_card', 'school')),
  account_id     INTEGER REFERENCES bank_accounts(id),
  paying_region  TEXT NOT NULL,
  school_id      INTEGER REFERENCES schools(id),
  hold_reason    TEXT,
  reason         TEXT NOT NULL,
  policy_id      INTEGER NOT NULL REFERENCES policies(id),
  run_id         INTEGER NOT NULL REFERENCES entitlement_runs(id),
  version        INTEGER NOT NULL,
  locked         INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  updated_on     TEXT NOT NULL,
  CHECK (central_fen + provincial_fen + county_fen = amount_fen),
  CHECK (status <> 'excluded' OR amount_fen = 0)
);
-- Once per student x programme x term, whatever school or region claims the student.
CREATE UNIQUE INDEX entitlements_once ON entitlements(person_id, programme, term);
CREATE INDEX entitlements_term ON entitlements(term, programme, status);

CREATE TABLE entitlement_history (
  id             INTEGER PRIMARY KEY,
  entitlement_id INTEGER NOT NULL REFERENCES entitlements(id),
  version        INTEGER NOT NULL,
  status         TEXT NOT NULL,
  amount_fen     INTEGER NOT NULL,
  account_id     INTEGER,
  paying_region  TEXT NOT NULL,
  reason         TEXT NOT NULL,
  policy_id      INTEGER NOT NULL,
  run_id         INTEGER NOT NULL,
  replaced_on    TEXT NOT NULL,
  UNIQUE (entitlement_id, version)
);

CREATE INDEX bank_accounts_student ON bank_accounts(student_id, valid_to);
