-- Users with roles and scopes, and the append-only audit chain.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('school_admin', 'bureau_officer', 'bureau_approver', 'bank_operator',
                                              'auditor', 'sysadmin')),
  scope         TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until  TEXT,
  created_on    TEXT NOT NULL,
  updated_on    TEXT NOT NULL
);

-- seq is the chain position: two writers racing for the same position cannot both commit, and no
-- two events may claim the same predecessor. The application never updates or deletes rows.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object       TEXT NOT NULL,
  before_state TEXT NOT NULL,
  after_state  TEXT NOT NULL,
  prev_hash    TEXT NOT NULL UNIQUE,
  hash         TEXT NOT NULL UNIQUE
);
