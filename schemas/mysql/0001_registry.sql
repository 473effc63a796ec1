-- Registry: see schemas/sqlite/0001_registry.sql for the commentary; this is the same model in
-- MySQL/MariaDB DDL. "At most one open row" rules use a stored generated column that is NULL
-- for closed rows, with a unique index on it (MySQL has no partial indexes).

CREATE TABLE meta (
  name  VARCHAR(64) PRIMARY KEY,
  value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE regions (
  code        CHAR(6) PRIMARY KEY,
  name        VARCHAR(100) NOT NULL,
  parent_code CHAR(6),
  level       VARCHAR(10) NOT NULL CHECK (level IN ('province', 'city', 'county'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE schools (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  code        VARCHAR(10) NOT NULL UNIQUE,
  name        VARCHAR(200) NOT NULL,
  region_code CHAR(6) NOT NULL,
  stages      VARCHAR(200) NOT NULL,
  ownership   VARCHAR(10) NOT NULL CHECK (ownership IN ('public', 'private')),
  bank_code   VARCHAR(20)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE import_runs (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  kind        VARCHAR(20) NOT NULL,
  file_name   VARCHAR(500) NOT NULL,
  file_sha256 CHAR(64) NOT NULL,
  as_of       VARCHAR(10) NOT NULL,
  started_at  VARCHAR(32) NOT NULL,
  rows_total  BIGINT NOT NULL DEFAULT 0,
  rows_ok     BIGINT NOT NULL DEFAULT 0,
  rows_bad    BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE persons (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  rid_hash     VARCHAR(64) UNIQUE,
  rid_enc      VARCHAR(128),
  rid_mask     VARCHAR(24),
  student_no   VARCHAR(24) UNIQUE,
  name         VARCHAR(100) NOT NULL,
  sex          CHAR(1) CHECK (sex IN ('M', 'F')),
  birth_date   VARCHAR(10),
  ethnicity    VARCHAR(40),
  hukou_region VARCHAR(12),
  last_run_id  BIGINT,
  last_line    BIGINT,
  CHECK (rid_hash IS NOT NULL OR student_no IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE households (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  code         VARCHAR(64) NOT NULL UNIQUE,
  hukou_region VARCHAR(12)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE household_members (
  household_id BIGINT NOT NULL,
  person_id    BIGINT NOT NULL,
  relation     VARCHAR(10) NOT NULL CHECK (relation IN ('student', 'guardian', 'member')),
  PRIMARY KEY (household_id, person_id),
  KEY household_members_person (person_id),
  FOREIGN KEY (household_id) REFERENCES households(id),
  FOREIGN KEY (person_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE household_status (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  household_id BIGINT NOT NULL,
  category     VARCHAR(32) NOT NULL,
  valid_from   VARCHAR(10) NOT NULL,
  valid_to     VARCHAR(10),
  source       VARCHAR(16) NOT NULL CHECK (source IN ('claimed', 'poverty', 'civil_affairs', 'disabled', 'orphan')),
  source_ref   VARCHAR(64) NOT NULL,
  run_id       BIGINT,
  open_key     TINYINT AS (IF(valid_to IS NULL, 1, NULL)) STORED,
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  UNIQUE KEY household_status_open (household_id, category, source, source_ref, open_key),
  FOREIGN KEY (household_id) REFERENCES households(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE guardians (
  student_id  BIGINT NOT NULL,
  guardian_id BIGINT NOT NULL,
  PRIMARY KEY (student_id, guardian_id),
  FOREIGN KEY (student_id) REFERENCES persons(id),
  FOREIGN KEY (guardian_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE enrollments (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  person_id   BIGINT NOT NULL,
  school_id   BIGINT NOT NULL,
  stage       VARCHAR(12) NOT NULL,
  grade       INT NOT NULL,
  class_name  VARCHAR(100) NOT NULL,
  major       VARCHAR(200) NOT NULL,
  agri_major  TINYINT NOT NULL CHECK (agri_major IN (0, 1)),
  boarding    TINYINT NOT NULL CHECK (boarding IN (0, 1)),
  status      VARCHAR(12) NOT NULL CHECK (status IN ('active', 'suspended', 'transferred', 'dropped', 'graduated')),
  enroll_date VARCHAR(10) NOT NULL,
  status_date VARCHAR(10),
  end_date    VARCHAR(10),
  run_id      BIGINT,
  open_person BIGINT AS (IF(end_date IS NULL, person_id, NULL)) STORED,
  UNIQUE KEY enrollments_one_open (open_person),
  KEY enrollments_person (person_id, id),
  KEY enrollments_school (school_id, status),
  FOREIGN KEY (person_id) REFERENCES persons(id),
  FOREIGN KEY (school_id) REFERENCES schools(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE difficulty_levels (
  person_id     BIGINT NOT NULL,
  academic_year INT NOT NULL,
  level         VARCHAR(12) NOT NULL CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  school_id     BIGINT,
  PRIMARY KEY (person_id, academic_year),
  FOREIGN KEY (person_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE bank_accounts (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  student_id  BIGINT NOT NULL,
  owner       VARCHAR(10) NOT NULL CHECK (owner IN ('student', 'guardian')),
  kind        VARCHAR(16) NOT NULL CHECK (kind IN ('student_card', 'one_card', 'passbook', 'social_security')),
  acct_hash   VARCHAR(64) NOT NULL,
  acct_enc    VARCHAR(160) NOT NULL,
  acct_mask   VARCHAR(16) NOT NULL,
  bank_code   VARCHAR(20) NOT NULL,
  holder_name VARCHAR(100) NOT NULL,
  luhn_ok     TINYINT NOT NULL CHECK (luhn_ok IN (0, 1)),
  verified    TINYINT NOT NULL DEFAULT 0,
  valid_from  VARCHAR(10) NOT NULL,
  valid_to    VARCHAR(10),
  open_student BIGINT AS (IF(valid_to IS NULL, student_id, NULL)) STORED,
  UNIQUE KEY bank_accounts_one_open (open_student, kind),
  KEY bank_accounts_hash (acct_hash),
  FOREIGN KEY (student_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE change_log (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  entity     VARCHAR(32) NOT NULL,
  entity_id  BIGINT NOT NULL,
  field      VARCHAR(32) NOT NULL,
  old_value  VARCHAR(255),
  new_value  VARCHAR(255),
  run_id     BIGINT,
  changed_on VARCHAR(10) NOT NULL,
  KEY change_log_entity (entity, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
