-- Identification of needy students: see schemas/sqlite/0015_identification.sql for the commentary.

ALTER TABLE users MODIFY role VARCHAR(20) NOT NULL CHECK (role IN ('school_admin', 'school_approver', 'bureau_officer',
                                                                   'bureau_approver', 'bank_operator', 'auditor', 'sysadmin'));

CREATE TABLE ident_rounds (
  id                  BIGINT AUTO_INCREMENT PRIMARY KEY,
  school_id           BIGINT NOT NULL,
  academic_year       BIGINT NOT NULL,
  identification_date VARCHAR(200) NOT NULL,
  status              VARCHAR(200) NOT NULL CHECK (status IN ('open', 'submitted', 'accepted', 'sent_back')),
  opened_by           VARCHAR(200) NOT NULL,
  opened_on           VARCHAR(200) NOT NULL,
  submitted_by        VARCHAR(200),
  submitted_on        VARCHAR(200),
  reviewed_by         VARCHAR(200),
  reviewed_on         VARCHAR(200),
  review_reason       VARCHAR(1000),
  version             BIGINT NOT NULL DEFAULT 1,
  UNIQUE (school_id, academic_year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One student's identification in a round. The family situation (items_enc) and the evidence
-- notes (notes_enc) are encrypted with the field key; the rest is what the notice, the county and
-- the audit need. The decider is never the person who entered or assessed the case.
CREATE TABLE ident_cases (
  id                    BIGINT AUTO_INCREMENT PRIMARY KEY,
  round_id              BIGINT NOT NULL,
  person_id             BIGINT NOT NULL,
  student               VARCHAR(200) NOT NULL,
  name                  VARCHAR(200) NOT NULL,
  class_name            VARCHAR(200) NOT NULL,
  kind                  VARCHAR(200) NOT NULL CHECK (kind IN ('special', 'application', 'change')),
  state                 VARCHAR(200) NOT NULL CHECK (state IN ('applied', 'assessed', 'decided', 'noticed', 'filed', 'revoked')),
  category              VARCHAR(200),
  evidence              VARCHAR(500),
  items_enc             TEXT,
  notes_enc             TEXT,
  commitment_signed     BIGINT NOT NULL DEFAULT 0 CHECK (commitment_signed IN (0, 1)),
  commitment_date       VARCHAR(200),
  entered_by            VARCHAR(200) NOT NULL,
  entered_on            VARCHAR(200) NOT NULL,
  effective_from        VARCHAR(200) NOT NULL,
  score                 BIGINT,
  score_level           VARCHAR(200),
  proposed_level        VARCHAR(200),
  panel_teacher         VARCHAR(200),
  panel_representatives VARCHAR(200),
  panel_reason          VARCHAR(1000),
  assessed_by           VARCHAR(200),
  assessed_on           VARCHAR(200),
  level                 VARCHAR(200) CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  decided_by            VARCHAR(200),
  decided_on            VARCHAR(200),
  decision_reason       VARCHAR(1000),
  notice_id             BIGINT,
  version               BIGINT NOT NULL DEFAULT 1,
  CHECK (kind = 'special' OR state = 'applied' OR state = 'assessed' OR decided_by IS NULL
         OR (decided_by <> entered_by AND decided_by <> COALESCE(assessed_by, ''))),
  CHECK (kind = 'special' OR commitment_signed = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ident_cases_round ON ident_cases(round_id, state);
CREATE INDEX ident_cases_person ON ident_cases(person_id);

CREATE TABLE ident_notices (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  round_id     BIGINT NOT NULL,
  published_by VARCHAR(200) NOT NULL,
  published_on VARCHAR(200) NOT NULL,
  window_ends  VARCHAR(200) NOT NULL,
  entries      BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ident_notices_round ON ident_notices(round_id);

CREATE TABLE ident_objections (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  case_id     BIGINT NOT NULL,
  text        VARCHAR(1000) NOT NULL,
  recorded_by VARCHAR(200) NOT NULL,
  recorded_on VARCHAR(200) NOT NULL,
  status      VARCHAR(200) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  new_level   VARCHAR(200),
  resolution  VARCHAR(1000),
  resolved_by VARCHAR(200),
  resolved_on VARCHAR(200),
  CHECK (status = 'open' OR (resolution IS NOT NULL AND resolved_by IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ident_objections_case ON ident_objections(case_id, status);

-- The effective-dated level of a student for an academic year (动态调整): in force, or kept as
-- history (superseded by a later change, revoked for false information).
CREATE TABLE ident_levels (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  person_id     BIGINT NOT NULL,
  academic_year BIGINT NOT NULL,
  case_id       BIGINT NOT NULL,
  level         VARCHAR(200) NOT NULL CHECK (level IN ('none', 'generally', 'difficult', 'especially')),
  valid_from    VARCHAR(200) NOT NULL,
  valid_to      VARCHAR(200),
  status        VARCHAR(200) NOT NULL CHECK (status IN ('in_force', 'superseded', 'revoked'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ident_levels_person ON ident_levels(person_id, academic_year, status);

CREATE TABLE ident_spot_checks (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  round_id    BIGINT NOT NULL,
  case_id     BIGINT NOT NULL,
  seed        BIGINT NOT NULL,
  percent     BIGINT NOT NULL,
  drawn_by    VARCHAR(200) NOT NULL,
  drawn_on    VARCHAR(200) NOT NULL,
  outcome     VARCHAR(200) CHECK (outcome IN ('confirmed', 'level_changed', 'false_information')),
  new_level   VARCHAR(200),
  note        VARCHAR(1000),
  recorded_by VARCHAR(200),
  recorded_on VARCHAR(200),
  UNIQUE (round_id, case_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Money paid on a level revoked for false information, to be recovered (追回).
CREATE TABLE ident_recoveries (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  spot_check_id  BIGINT NOT NULL,
  payment_id     BIGINT NOT NULL,
  amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
  UNIQUE (spot_check_id, payment_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;


CREATE TABLE batch_flags_new (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                                  'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                                  'school_student_inactive', 'school_over_roll',
                                                  'school_account_shared', 'complaint',
                                                  'level_not_identified')),
  evidence   VARCHAR(500) NOT NULL,
  status     VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'removed')),
  cleared_by VARCHAR(64),
  reason     VARCHAR(500),
  cleared_at VARCHAR(32),
  CHECK (status = 'open' OR (cleared_by IS NOT NULL AND reason IS NOT NULL)),
  KEY batch_flags_batch (batch_id, status),
  FOREIGN KEY (batch_id) REFERENCES batches(id),
  FOREIGN KEY (payment_id) REFERENCES payments(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO batch_flags_new (id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at)
  SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at FROM batch_flags;
DROP TABLE batch_flags;
RENAME TABLE batch_flags_new TO batch_flags;
