-- Disbursement: see schemas/sqlite/0004_disbursement.sql for the commentary.

CREATE TABLE banks (
  code      CHAR(3) PRIMARY KEY,
  name      VARCHAR(100) NOT NULL,
  max_lines INT NOT NULL DEFAULT 2000 CHECK (max_lines > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO banks (code, name) VALUES ('102', 'ICBC 中国工商银行'), ('103', 'ABC 中国农业银行'),
  ('104', 'BOC 中国银行'), ('105', 'CCB 中国建设银行'), ('402', 'Rural credit cooperatives 农村信用社');

CREATE TABLE approval_thresholds (
  min_total_fen BIGINT PRIMARY KEY CHECK (min_total_fen >= 0),
  approvers     INT NOT NULL CHECK (approvers BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO approval_thresholds (min_total_fen, approvers) VALUES (0, 1), (100000000, 2), (1000000000, 3);

CREATE TABLE batches (
  id                 BIGINT AUTO_INCREMENT PRIMARY KEY,
  programme          VARCHAR(64) NOT NULL,
  term               VARCHAR(16) NOT NULL,
  paying_region      VARCHAR(12) NOT NULL,
  bank_code          CHAR(3) NOT NULL,
  part               INT NOT NULL,
  status             VARCHAR(20) NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'exported', 'settled',
                                                            'partially_settled', 'closed', 'rejected')),
  payment_count      BIGINT NOT NULL CHECK (payment_count > 0),
  total_fen          BIGINT NOT NULL CHECK (total_fen > 0),
  central_fen        BIGINT NOT NULL,
  provincial_fen     BIGINT NOT NULL,
  county_fen         BIGINT NOT NULL,
  required_approvals INT NOT NULL CHECK (required_approvals >= 1),
  prepared_by        VARCHAR(64) NOT NULL,
  cycle              INT NOT NULL DEFAULT 1,
  version            INT NOT NULL DEFAULT 1,
  created_on         VARCHAR(32) NOT NULL,
  updated_on         VARCHAR(32) NOT NULL,
  CHECK (central_fen + provincial_fen + county_fen = total_fen),
  UNIQUE KEY batches_part (programme, term, paying_region, bank_code, part),
  KEY batches_status (status, term),
  FOREIGN KEY (bank_code) REFERENCES banks(code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payments (
  id             BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id       BIGINT NOT NULL,
  entitlement_id BIGINT NOT NULL,
  attempt        INT NOT NULL CHECK (attempt >= 1),
  seq            INT NOT NULL,
  end_to_end_ref VARCHAR(35) NOT NULL UNIQUE,
  amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
  central_fen    BIGINT NOT NULL,
  provincial_fen BIGINT NOT NULL,
  county_fen     BIGINT NOT NULL,
  payee          VARCHAR(20) NOT NULL,
  account_id     BIGINT,
  acct_enc       VARCHAR(160),
  acct_mask      VARCHAR(16),
  holder_name    VARCHAR(100) NOT NULL,
  bank_code      VARCHAR(20) NOT NULL,
  status         VARCHAR(10) NOT NULL CHECK (status IN ('pending', 'sent', 'paid', 'returned', 'failed', 'removed')),
  live_entitlement BIGINT AS (IF(status IN ('pending', 'sent', 'paid'), entitlement_id, NULL)) STORED,
  UNIQUE KEY payments_seq (batch_id, seq),
  UNIQUE KEY payments_attempt (entitlement_id, attempt),
  UNIQUE KEY payments_one_live (live_entitlement),
  KEY payments_batch (batch_id, seq),
  FOREIGN KEY (batch_id) REFERENCES batches(id),
  FOREIGN KEY (entitlement_id) REFERENCES entitlements(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE batch_actions (
  id        BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id  BIGINT NOT NULL,
  cycle     INT NOT NULL,
  user_name VARCHAR(64) NOT NULL,
  action    VARCHAR(10) NOT NULL CHECK (action IN ('submit', 'approve', 'reject')),
  reason    VARCHAR(500),
  at        VARCHAR(32) NOT NULL,
  UNIQUE KEY batch_actions_once (batch_id, cycle, user_name),
  FOREIGN KEY (batch_id) REFERENCES batches(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE budgets (
  programme     VARCHAR(64) NOT NULL,
  region        VARCHAR(12) NOT NULL,
  fiscal_year   INT NOT NULL,
  source        VARCHAR(12) NOT NULL CHECK (source IN ('central', 'provincial', 'county')),
  allocated_fen BIGINT NOT NULL CHECK (allocated_fen >= 0),
  committed_fen BIGINT NOT NULL DEFAULT 0 CHECK (committed_fen >= 0),
  paid_fen      BIGINT NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
  returned_fen  BIGINT NOT NULL DEFAULT 0 CHECK (returned_fen >= 0),
  PRIMARY KEY (programme, region, fiscal_year, source),
  CHECK (committed_fen + paid_fen <= allocated_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE batch_flags (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  batch_id   BIGINT NOT NULL,
  payment_id BIGINT,
  kind       VARCHAR(24) NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                                  'holder_mismatch', 'implausible_age', 'claimed_not_on_roster')),
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
