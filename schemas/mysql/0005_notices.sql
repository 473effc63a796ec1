-- Public notices and objections: see schemas/sqlite/0005_notices.sql.

CREATE TABLE notices (
  id           BIGINT AUTO_INCREMENT PRIMARY KEY,
  term         VARCHAR(16) NOT NULL,
  programme    VARCHAR(64) NOT NULL,
  school_id    BIGINT NOT NULL,
  published_by VARCHAR(64) NOT NULL,
  published_on VARCHAR(10) NOT NULL,
  window_ends  VARCHAR(10) NOT NULL,
  entries      BIGINT NOT NULL,
  total_fen    BIGINT NOT NULL,
  sha256       CHAR(64) NOT NULL,
  CHECK (window_ends > published_on),
  KEY notices_lookup (term, programme, school_id),
  FOREIGN KEY (school_id) REFERENCES schools(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE objections (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  entitlement_id BIGINT NOT NULL,
  raised_on      VARCHAR(10) NOT NULL,
  recorded_by    VARCHAR(64) NOT NULL,
  text           VARCHAR(1000) NOT NULL,
  status         VARCHAR(10) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  resolved_by    VARCHAR(64),
  resolution     VARCHAR(1000),
  resolved_on    VARCHAR(10),
  CHECK (status = 'open' OR (resolved_by IS NOT NULL AND resolution IS NOT NULL)),
  KEY objections_entitlement (entitlement_id, status),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
