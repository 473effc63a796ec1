-- See schemas/sqlite/0014_resumable_jobs.sql for the commentary.

CREATE TABLE export_plans (
  batch_id      BIGINT PRIMARY KEY,
  batch_version INT NOT NULL,
  created_on    VARCHAR(10) NOT NULL,
  layout        VARCHAR(64) NOT NULL,
  max_lines     INT NOT NULL CHECK (max_lines > 0),
  payer_account VARCHAR(40) NOT NULL,
  payer_name    VARCHAR(140) NOT NULL,
  purpose       VARCHAR(200) NOT NULL,
  planned_by    VARCHAR(64) NOT NULL,
  planned_at    VARCHAR(32) NOT NULL,
  FOREIGN KEY (batch_id) REFERENCES batches(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE job_leases (
  name       VARCHAR(120) PRIMARY KEY,
  holder     VARCHAR(200) NOT NULL DEFAULT '',
  expires_at VARCHAR(32) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE entitlement_runs ADD COLUMN progress MEDIUMTEXT;

ALTER TABLE result_imports ADD COLUMN finished TINYINT NOT NULL DEFAULT 1 CHECK (finished IN (0, 1));
