-- Families can see and report: see schemas/sqlite/0013_families.sql.

CREATE TABLE complaints (
  id            BIGINT AUTO_INCREMENT PRIMARY KEY,
  tracking_hash CHAR(64) NOT NULL,
  category      VARCHAR(16) NOT NULL CHECK (category IN ('not_paid', 'wrong_account', 'amount_wrong',
                                                         'ineligible_paid', 'school_charged', 'other')),
  body          TEXT NOT NULL,
  contact_enc   TEXT,
  contact_mask  VARCHAR(100),
  person_id     BIGINT,
  region        VARCHAR(6) NOT NULL,
  status        VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'closed')),
  assigned_to   VARCHAR(64),
  filed_at      VARCHAR(32) NOT NULL,
  filed_on      VARCHAR(10) NOT NULL,
  due_on        VARCHAR(10) NOT NULL,
  outcome       VARCHAR(16) CHECK (outcome IN ('confirmed', 'not_confirmed', 'referred')),
  outcome_text  TEXT,
  closed_by     VARCHAR(64),
  closed_on     VARCHAR(10),
  version       BIGINT NOT NULL DEFAULT 1,
  CHECK ((status = 'closed') = (outcome IS NOT NULL AND closed_by IS NOT NULL AND closed_on IS NOT NULL)),
  CHECK (status <> 'assigned' OR assigned_to IS NOT NULL),
  UNIQUE KEY complaints_tracking (tracking_hash),
  KEY complaints_region (region, status, due_on),
  KEY complaints_person (person_id),
  FOREIGN KEY (person_id) REFERENCES persons(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE complaint_notes (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  complaint_id BIGINT NOT NULL,
  author       VARCHAR(64) NOT NULL,
  at           VARCHAR(32) NOT NULL,
  body         TEXT NOT NULL,
  KEY complaint_notes_complaint (complaint_id, id),
  FOREIGN KEY (complaint_id) REFERENCES complaints(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- flag_id has no foreign key: batch_flags is rebuilt whenever a flag kind is added.
CREATE TABLE complaint_links (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  complaint_id   BIGINT NOT NULL,
  kind           VARCHAR(10) NOT NULL CHECK (kind IN ('hold', 'flag', 'objection')),
  entitlement_id BIGINT NOT NULL,
  flag_id        BIGINT,
  objection_id   BIGINT,
  status         VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released')),
  created_by     VARCHAR(64) NOT NULL,
  created_on     VARCHAR(10) NOT NULL,
  released_by    VARCHAR(64),
  released_on    VARCHAR(10),
  CHECK (kind <> 'flag' OR flag_id IS NOT NULL),
  CHECK (kind <> 'objection' OR objection_id IS NOT NULL),
  KEY complaint_links_complaint (complaint_id),
  KEY complaint_links_entitlement (entitlement_id, kind, status),
  KEY complaint_links_flag (flag_id),
  KEY complaint_links_objection (objection_id),
  FOREIGN KEY (complaint_id) REFERENCES complaints(id),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id),
  FOREIGN KEY (objection_id) REFERENCES objections(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A flag raised from a confirmed complaint (kind `complaint`): batch_flags rebuilt as in 0012.
CREATE TABLE batch_flags_new (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                                  'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                                  'school_student_inactive', 'school_over_roll',
                                                  'school_account_shared', 'complaint')),
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
