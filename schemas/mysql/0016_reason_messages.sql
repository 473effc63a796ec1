-- Reason sentences beside each decision's reason line: see schemas/sqlite/0016_reason_messages.sql.
ALTER TABLE entitlements ADD COLUMN reason_messages MEDIUMTEXT NULL;
ALTER TABLE entitlement_history ADD COLUMN reason_messages MEDIUMTEXT NULL;
ALTER TABLE batch_flags ADD COLUMN evidence_message TEXT NULL;
