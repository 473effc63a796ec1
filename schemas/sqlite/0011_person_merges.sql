-- Two records of one child merged: the losing record keeps its identifier as a pointer to the
-- record kept (a roll still carrying the old identifier lands there), and has no enrollment,
-- account, household or open entitlement of its own any more.
ALTER TABLE persons ADD COLUMN merged_into INTEGER REFERENCES persons(id);

