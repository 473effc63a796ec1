-- Users and the audit chain: see schemas/sqlite/0003_security.sql for the commentary.

CREATE TABLE users (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(64) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role          VARCHAR(20) NOT NULL CHECK (role IN ('school_admin', 'bureau_officer', 'bureau_approver',
                                                     'bank_operator', 'auditor', 'sysadmin')),
  scope         VARCHAR(20) NOT NULL,
  disabled      TINYINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins INT NOT NULL DEFAULT 0,
  locked_until  VARCHAR(32),
  created_on    VARCHAR(32) NOT NULL,
  updated_on    VARCHAR(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE audit_events (
  seq          BIGINT PRIMARY KEY,
  at           VARCHAR(32) NOT NULL,
  actor        VARCHAR(64) NOT NULL,
  action       VARCHAR(64) NOT NULL,
  object       VARCHAR(128) NOT NULL,
  before_state TEXT NOT NULL,
  after_state  TEXT NOT NULL,
  prev_hash    CHAR(64) NOT NULL UNIQUE,
  hash         CHAR(64) NOT NULL UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
