-- API sessions: a random 256-bit bearer token is handed to the client once; only its SHA-256 is
-- stored, with the expiry; logout revokes it.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name  TEXT NOT NULL REFERENCES users(name),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX sessions_user ON sessions(user_name);
