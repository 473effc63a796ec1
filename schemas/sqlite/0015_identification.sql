-- Identifying students from financially difficult families (资助对象认定, 教财〔2018〕16号): per
-- school and academic year, special groups from the official rosters, applications, the class
-- panel's assessment, the school's decision (maker-checker), the in-school notice (公示),
-- objections, the county's review (复核), spot checks (抽查核实) and effective-dated levels
-- (动态调整). The entitlement engine reads the levels in force (ident_levels).

-- A school approver decides the school's identifications: a new role (same scope as a school
-- administrator). SQLite cannot alter a CHECK: the users table is rebuilt, sessions kept aside
-- because they refer to users.
CREATE TABLE sessions_keep AS SELECT * FROM sessions;
DELETE FROM sessions;
CREATE TABLE users_new (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('school_admin', 'school_approver', 'bureau_officer',
                                              'bureau_approver', 'bank_operator', 'auditor', 'sysadmin')),
  scope         TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until  TEXT,
  created_on    TEXT NOT NULL,
  updated_on    TEXT NOT NULL
);
INSERT INTO users_new SELECT id, name, password_hash, role, scope, disabled, failed_logins, locked_until,
                             created_on, updated_on FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
INSERT INTO sessions SELECT * FROM sessions_keep;
DROP TABLE sessions_keep;

CREATE TABLE ident_rounds (
  id                  INTEGER PRIMARY KEY,
  school_id           INTEGER NOT NULL REFERENCES schools(id),
  academic_year       INTEGER NOT NULL,
  identification_date TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'accepted', 'sent_back')),
  opened_by           TEXT NOT NULL,
  opened_on           TEXT NOT NULL,
  submitted_by        TEXT,
  submitted_on        TEXT,
  reviewed_by         TEXT,
  reviewed_on         TEXT,
  review_reason       TEXT,
  version             INTEGER NOT NULL DEFAULT 1,
  UNIQUE (school_id, academic_year)
);

-- One student's identification in a round. The family situation (items_enc) and the evidence
-- notes (notes_enc) are encrypted with the field key; the rest is what the notice, the county and
-- the audit need. The decider is never the person who entered or assessed the case.
CREATE TABLE ident_cases (
  id                    INTEGER PRIMARY KEY,
  round_id              INTEGER NOT NULL REFERENCES ident_rounds(id),
  person_id             INTEGER NOT NULL REFERENCES persons(id),
  student               TEXT NOT NULL,
  name                  TEXT NOT NULL,
  class_name            TEXT NOT NULL,
  kind                  TEXT NOT NULL CHECK (kind IN ('special', 'application', 'change')),
  state                 TEXT NOT NULL CHECK (state IN ('applied', 'assessed', 'decided', 'noticed', 'filed', 'revoked')),
  category              TEXT,
  evidence              TEXT,
  items_enc             TEXT,
  notes_enc             TEXT,
  commitment_signed     INTEGER NOT NULL DEFAULT 0 CHECK (commitment_signed IN (0, 1)),
  commitment_date       TEXT,
  entered_by            TEXT NOT NULL,
  entered_on            TEXT NOT NULL,
  effective_from        TEXT NOT NULL,
  score                 INTEGER,
  score_level           TEXT,
  proposed_level        TEXT,
  panel_teacher         TEXT,
  panel_representatives TEXT,
  panel_reason          TEXT,
  assessed_by           TEXT,
  assessed_on           TEXT,
  level                 TEXT CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  decided_by            TEXT,
  decided_on            TEXT,
  decision_reason       TEXT,
  notice_id             INTEGER,
  version               INTEGER NOT NULL DEFAULT 1,
  CHECK (kind = 'special' OR state = 'applied' OR state = 'assessed' OR decided_by IS NULL
         OR (decided_by <> entered_by AND decided_by <> COALESCE(assessed_by, ''))),
  CHECK (kind = 'special' OR commitment_signed = 1)
);
CREATE INDEX ident_cases_round ON ident_cases(round_id, state);
CREATE INDEX ident_cases_person ON ident_cases(person_id);

CREATE TABLE ident_notices (
  id           INTEGER PRIMARY KEY,
  round_id     INTEGER NOT NULL REFERENCES ident_rounds(id),
  published_by TEXT NOT NULL,
  published_on TEXT NOT NULL,
  window_ends  TEXT NOT NULL,
  entries      INTEGER NOT NULL
);
CREATE INDEX ident_notices_round ON ident_notices(round_id);

CREATE TABLE ident_objections (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES ident_cases(id),
  text        TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_on TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  new_level   TEXT,
  resolution  TEXT,
  resolved_by TEXT,
  resolved_on TEXT,
  CHECK (status = 'open' OR (resolution IS NOT NULL AND resolved_by IS NOT NULL))
);
CREATE INDEX ident_objections_case ON ident_objections(case_id, status);

-- The effective-dated level of a student for an academic year (动态调整): in force, or kept as
-- history (superseded by a later change, revoked for false information).
CREATE TABLE ident_levels (
  id            INTEGER PRIMARY KEY,
  person_id     INTEGER NOT NULL REFERENCES persons(id),
  academic_year INTEGER NOT NULL,
  case_id       INTEGER NOT NULL REFERENCES ident_cases(id),
  level         TEXT NOT NULL CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  valid_from    TEXT NOT NULL,
  valid_to      TEXT,
  status        TEXT NOT NULL CHECK (status IN ('in_force', 'superseded', 'revoked'))
);
CREATE INDEX ident_levels_person ON ident_levels(person_id, academic_year, status);

CREATE TABLE ident_spot_checks (
  id          INTEGER PRIMARY KEY,
  round_id    INTEGER NOT NULL REFERENCES ident_rounds(id),
  case_id     INTEGER NOT NULL REFERENCES ident_cases(id),
  seed        INTEGER NOT NULL,
  percent     INTEGER NOT NULL,
  drawn_by    TEXT NOT NULL,
  drawn_on    TEXT NOT NULL,
  outcome     TEXT CHECK (outcome IN ('confirmed', 'level_changed', 'false_information')),
  new_level   TEXT,
  note        TEXT,
  recorded_by TEXT,
  recorded_on TEXT,
  UNIQUE (round_id, case_id)
);

-- Money paid on a level revoked for false information, to be recovered (追回).
CREATE TABLE ident_recoveries (
  id             INTEGER PRIMARY KEY,
  spot_check_id  INTEGER NOT NULL REFERENCES ident_spot_checks(id),
  payment_id     INTEGER NOT NULL REFERENCES payments(id),
  amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
  UNIQUE (spot_check_id, payment_id)
);

-- A level declared on the roll where no identification exists: a new precision flag kind.
CREATE TABLE batch_flags_new (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                           'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                           'school_student_inactive', 'school_over_roll',
                                           'school_account_shared', 'complaint',
                                           'level_not_identified')),
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
