-- Which legal identity document a person's number is (resident_id, hmt_permit,
-- foreign_permanent, foreign_permanent_2017); NULL for a person known by a J / L student number
-- only. Possible duplicates are looked up by name and birth date.
ALTER TABLE persons ADD COLUMN id_document VARCHAR(24)
  CHECK (id_document IN ('resident_id', 'hmt_permit', 'foreign_permanent', 'foreign_permanent_2017'));
UPDATE persons SET id_document = 'resident_id' WHERE rid_hash IS NOT NULL;
CREATE INDEX persons_name_birth ON persons(name, birth_date);
