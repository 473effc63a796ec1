-- Eligibility: see schemas/sqlite/0002_eligibility.sql for the commentary.

ALTER TABLE persons ADD COLUMN hukou_type VARCHAR(8) NULL CHECK (hukou_type IN ('rural', 'urban'));

ALTER TABLE household_status
  ADD COLUMN roster_from VARCHAR(10) AS (IF(source <> 'claimed', valid_from, NULL)) STORED,
  ADD KEY household_status_household (household_id, valid_from),
  ADD UNIQUE KEY household_status_roster (household_id, category, source, roster_from);

CREATE TABLE policies (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  name         VARCHAR(100) NOT NULL,
  sha256       CHAR(64) NOT NULL UNIQUE,
  content      MEDIUMTEXT NOT NULL,
  activated_on VARCHAR(32) NOT NULL,
  active_seq   BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE nominations (
  programme     VARCHAR(64) NOT NULL,
  academic_year INT NOT NULL,
  person_id     BIGINT NOT NULL,
  PRIMARY KEY (programme, academic_year, person_id),
  KEY nominations_person (person_id, academic_year),
  FOREIGN KEY (person_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE entitlement_runs (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  term       VARCHAR(16) NOT NULL,
  region     VARCHAR(12) NOT NULL,
  policy_id  BIGINT NOT NULL,
  started_on VARCHAR(32) NOT NULL,
  summary    MEDIUMTEXT,
  FOREIGN KEY (policy_id) REFERENCES policies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE entitlements (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  person_id      BIGINT NOT NULL,
  programme      VARCHAR(64) NOT NULL,
  term           VARCHAR(16) NOT NULL,
  status         VARCHAR(10) NOT NULL CHECK (status IN ('eligible', 'held', 'excluded')),
  amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
  central_fen    BIGINT NOT NULL CHECK (central_fen >= 0),
  provincial_fen BIGINT NOT NULL CHECK (provincial_fen >= 0),
  county_fen     BIGINT NOT NULL CHECK (county_fen >= 0),
  payee          VARCHAR(20) NOT NULL CHECK (payee IN ('student_account', 'household_one_card', 'school')),
  account_id     BIGINT,
  paying_region  VARCHAR(12) NOT NULL,
  school_id      BIGINT,
  hold_reason    VARCHAR(255),
  reason         TEXT NOT NULL,
  policy_id      BIGINT NOT NULL,
  run_id         BIGINT NOT NULL,
  version        INT NOT NULL,
  locked         TINYINT NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  updated_on     VARCHAR(32) NOT NULL,
  CHECK (central_fen + provincial_fen + county_fen = amount_fen),
  CHECK (status <> 'excluded' OR amount_fen = 0),
  UNIQUE KEY entitlements_once (person_id, programme, term),
  KEY entitlements_term (term, programme, status),
  FOREIGN KEY (person_id) REFERENCES persons(id),
  FOREIGN KEY (account_id) REFERENCES bank_accounts(id),
  FOREIGN KEY (school_id) REFERENCES schools(id),
  FOREIGN KEY (policy_id) REFERENCES policies(id),
  FOREIGN KEY (run_id) REFERENCES entitlement_runs(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE entitlement_history (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  entitlement_id BIGINT NOT NULL,
  version        INT NOT NULL,
  status         VARCHAR(10) NOT NULL,
  amount_fen     BIGINT NOT NULL,
  account_id     BIGINT,
  paying_region  VARCHAR(12) NOT NULL,
  reason         TEXT NOT NULL,
  policy_id      BIGINT NOT NULL,
  run_id         BIGINT NOT NULL,
  replaced_on    VARCHAR(32) NOT NULL,
  UNIQUE KEY entitlement_history_version (entitlement_id, version),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE bank_accounts ADD KEY bank_accounts_student (student_id, valid_to);
