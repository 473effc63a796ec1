-- Reason sentences beside each decision's reason line: see schemas/sqlite/0016_reason_sentences.sql.
CREATE TABLE reason_sentences (
  sha256   CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  messages MEDIUMTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE entitlements ADD COLUMN reason_sha CHAR(64) CHARACTER SET ascii NULL;
ALTER TABLE entitlement_history ADD COLUMN reason_sha CHAR(64) CHARACTER SET ascii NULL;
ALTER TABLE batch_flags ADD COLUMN evidence_message TEXT NULL;
