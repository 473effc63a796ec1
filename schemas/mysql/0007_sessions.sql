-- API sessions: a random 256-bit bearer token is handed to the client once; only its SHA-256 is
-- stored, with the expiry; logout revokes it.
CREATE TABLE sessions (
  token_hash VARCHAR(64) PRIMARY KEY,
  user_name  VARCHAR(64) NOT NULL,
  created_at VARCHAR(32) NOT NULL,
  expires_at VARCHAR(32) NOT NULL,
  revoked    TINYINT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  KEY sessions_user (user_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
