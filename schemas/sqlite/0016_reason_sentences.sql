-- Each decision's reason as catalogue sentences beside its English reason line, so that a
-- reason reads in the reader's language: a JSON array of {check, ok, message} (rules::storedTrace).
-- Reasons repeat across students (the same rate, the same missing condition), so each distinct
-- one is kept once, under the SHA-256 of its text, and a decision names it. NULL for decisions
-- stored before this migration: they are read from the reason line until the next run adds it.
CREATE TABLE reason_sentences (
  sha256   TEXT PRIMARY KEY,
  messages TEXT NOT NULL
);
ALTER TABLE entitlements ADD COLUMN reason_sha TEXT;
ALTER TABLE entitlement_history ADD COLUMN reason_sha TEXT;

-- A precision flag's evidence as a catalogue sentence (storedForm) beside its text, likewise.
ALTER TABLE batch_flags ADD COLUMN evidence_message TEXT;
