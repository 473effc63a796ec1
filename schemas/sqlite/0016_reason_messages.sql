-- Each decision's reason as catalogue sentences beside its English reason line, so that a
-- reason reads in the reader's language: a JSON array of {check, ok, message} (rules::storedTrace).
-- NULL for decisions stored before this migration: they are read from the reason line.
ALTER TABLE entitlements ADD COLUMN reason_messages TEXT;
ALTER TABLE entitlement_history ADD COLUMN reason_messages TEXT;

-- A precision flag's evidence as a catalogue sentence (storedForm) beside its text, likewise.
ALTER TABLE batch_flags ADD COLUMN evidence_message TEXT;
