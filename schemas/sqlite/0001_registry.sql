-- Registry: regions, schools, persons (students and guardians), households and their status
-- history, enrollments, difficulty levels, bank accounts, change history, import runs.
-- Resident IDs and account numbers are stored only as ciphertext (*_enc), a keyed blind index
-- (*_hash, for lookups and uniqueness) and a masked form (*_mask, for display).

CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE regions (
  code        TEXT PRIMARY KEY CHECK (length(code) = 6),
  name        TEXT NOT NULL,
  parent_code TEXT,
  level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county'))
);

CREATE TABLE schools (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE CHECK (length(code) = 10),
  name        TEXT NOT NULL,
  region_code TEXT NOT NULL,
  stages      TEXT NOT NULL,
  ownership   TEXT NOT NULL CHECK (ownership IN ('public', 'private')),
  bank_code   TEXT
);

CREATE TABLE import_runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  file_name   TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  as_of       TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  rows_total  INTEGER NOT NULL DEFAULT 0,
  rows_ok     INTEGER NOT NULL DEFAULT 0,
  rows_bad    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE persons (
  id           INTEGER PRIMARY KEY,
  rid_hash     TEXT UNIQUE,
  rid_enc      TEXT,
  rid_mask     TEXT,
  student_no   TEXT UNIQUE,
  name         TEXT NOT NULL,
  sex          TEXT CHECK (sex IN ('M', 'F')),
  birth_date   TEXT,
  ethnicity    TEXT,
  hukou_region TEXT,
  last_run_id  INTEGER,
  last_line    INTEGER,
  CHECK (rid_hash IS NOT NULL OR student_no IS NOT NULL)
);

CREATE TABLE households (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,
  hukou_region TEXT
);

CREATE TABLE household_members (
  household_id INTEGER NOT NULL REFERENCES households(id),
  person_id    INTEGER NOT NULL REFERENCES persons(id),
  relation     TEXT NOT NULL CHECK (relation IN ('student', 'guardian', 'member')),
  PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_person ON household_members(person_id);

-- A status is never deleted: leaving it sets valid_to.
CREATE TABLE household_status (
  id           INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(id),
  category     TEXT NOT NULL,
  valid_from   TEXT NOT NULL,
  valid_to     TEXT,
  source       TEXT NOT NULL CHECK (source IN ('claimed', 'poverty', 'civil_affairs', 'disabled', 'orphan')),
  source_ref   TEXT NOT NULL,
  run_id       INTEGER REFERENCES import_runs(id),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX household_status_open
  ON household_status(household_id, category, source, source_ref) WHERE valid_to IS NULL;

CREATE TABLE guardians (
  student_id  INTEGER NOT NULL REFERENCES persons(id),
  guardian_id INTEGER NOT NULL REFERENCES persons(id),
  PRIMARY KEY (student_id, guardian_id)
);

-- At most one open (end_date IS NULL) enrollment per student: the database enforces it.
CREATE TABLE enrollments (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES persons(id),
  school_id   INTEGER NOT NULL REFERENCES schools(id),
  stage       TEXT NOT NULL,
  grade       INTEGER NOT NULL,
  class_name  TEXT NOT NULL,
  major       TEXT NOT NULL,
  agri_major  INTEGER NOT NULL CHECK (agri_major IN (0, 1)),
  boarding    INTEGER NOT NULL CHECK (boarding IN (0, 1)),
  status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'transferred', 'dropped', 'graduated')),
  enroll_date TEXT NOT NULL,
  status_date TEXT,
  end_date    TEXT,
  run_id      INTEGER REFERENCES import_runs(id)
);
CREATE UNIQUE INDEX enrollments_one_open ON enrollments(person_id) WHERE end_date IS NULL;
CREATE INDEX enrollments_person ON enrollments(person_id, id);
CREATE INDEX enrollments_school ON enrollments(school_id, status);

CREATE TABLE difficulty_levels (
  person_id     INTEGER NOT NULL REFERENCES persons(id),
  academic_year INTEGER NOT NULL,
  level         TEXT NOT NULL CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  school_id     INTEGER REFERENCES schools(id),
  PRIMARY KEY (person_id, academic_year)
);

-- The account a student's aid is paid to, per kind; replaced accounts keep valid_to.
CREATE TABLE bank_accounts (
  id          INTEGER PRIMARY KEY,
  student_id  INTEGER NOT NULL REFERENCES persons(id),
  owner       TEXT NOT NULL CHECK (owner IN ('student', 'guardian')),
  kind        TEXT NOT NULL CHECK (kind IN ('student_card', 'one_card', 'passbook', 'social_security')),
  acct_hash   TEXT NOT NULL,
  acct_enc    TEXT NOT NULL,
  acct_mask   TEXT NOT NULL,
  bank_code   TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  luhn_ok     INTEGER NOT NULL CHECK (luhn_ok IN (0, 1)),
  verified    INTEGER NOT NULL DEFAULT 0,
  valid_from  TEXT NOT NULL,
  valid_to    TEXT
);
CREATE UNIQUE INDEX bank_accounts_one_open ON bank_accounts(student_id, kind) WHERE valid_to IS NULL;
CREATE INDEX bank_accounts_hash ON bank_accounts(acct_hash);

-- Field-level history of registry changes (old and new values, masked where sensitive).
CREATE TABLE change_log (
  id        INTEGER PRIMARY KEY,
  entity    TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  field     TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  run_id    INTEGER REFERENCES import_runs(id),
  changed_on TEXT NOT NULL
);
CREATE INDEX change_log_entity ON change_log(entity, entity_id);
