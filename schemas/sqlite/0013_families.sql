-- Families can see and report (互联网+监督): complaints filed by anyone through the public page,
-- routed to a county, investigated with notes and closed with an outcome the complainant reads
-- by tracking code; a confirmed complaint holds entitlements, flags a payment or opens an
-- objection, each linked back to the complaint.

CREATE TABLE complaints (
  id            INTEGER PRIMARY KEY,
  tracking_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the tracking code (the code is shown once)
  category      TEXT NOT NULL CHECK (category IN ('not_paid', 'wrong_account', 'amount_wrong',
                                                  'ineligible_paid', 'school_charged', 'other')),
  body          TEXT NOT NULL,             -- the complainant's words, at most 1,000 characters
  contact_enc   TEXT,                      -- name and phone, encrypted (FieldCipher); NULL: anonymous
  contact_mask  TEXT,
  person_id     INTEGER REFERENCES persons(id),  -- set when filed from a successful look-up
  region        TEXT NOT NULL,             -- the county it is routed to
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'closed')),
  assigned_to   TEXT,
  filed_at      TEXT NOT NULL,
  filed_on      TEXT NOT NULL,             -- the filing date
  due_on        TEXT NOT NULL,             -- filing date + N working days on the holiday calendar
  outcome       TEXT CHECK (outcome IN ('confirmed', 'not_confirmed', 'referred')),
  outcome_text  TEXT,                      -- what the complainant reads by tracking code
  closed_by     TEXT,
  closed_on     TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  CHECK ((status = 'closed') = (outcome IS NOT NULL AND closed_by IS NOT NULL AND closed_on IS NOT NULL)),
  CHECK (status <> 'assigned' OR assigned_to IS NOT NULL)
);
CREATE INDEX complaints_region ON complaints(region, status, due_on);
CREATE INDEX complaints_person ON complaints(person_id);

CREATE TABLE complaint_notes (
  id           INTEGER PRIMARY KEY,
  complaint_id INTEGER NOT NULL REFERENCES complaints(id),
  author       TEXT NOT NULL,
  at           TEXT NOT NULL,
  body         TEXT NOT NULL
);
CREATE INDEX complaint_notes_complaint ON complaint_notes(complaint_id, id);

-- What a confirmed complaint did, both ways: from a complaint to its holds, flags and objections,
-- and from an entitlement, flag or objection back to the complaint.
CREATE TABLE complaint_links (
  id             INTEGER PRIMARY KEY,
  complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
  kind           TEXT NOT NULL CHECK (kind IN ('hold', 'flag', 'objection')),
  entitlement_id INTEGER NOT NULL REFERENCES entitlements(id),
  flag_id        INTEGER,                  -- no REFERENCES: batch_flags is rebuilt when a kind is added
  objection_id   INTEGER REFERENCES objections(id),
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released')),
  created_by     TEXT NOT NULL,
  created_on     TEXT NOT NULL,
  released_by    TEXT,
  released_on    TEXT,
  CHECK (kind <> 'flag' OR flag_id IS NOT NULL),
  CHECK (kind <> 'objection' OR objection_id IS NOT NULL)
);
CREATE INDEX complaint_links_complaint ON complaint_links(complaint_id);
CREATE INDEX complaint_links_entitlement ON complaint_links(entitlement_id, kind, status);
CREATE INDEX complaint_links_flag ON complaint_links(flag_id);
CREATE INDEX complaint_links_objection ON complaint_links(objection_id);

-- A flag raised from a confirmed complaint (kind `complaint`): batch_flags is rebuilt with the
-- new kind, rows and ids kept (SQLite cannot change a CHECK in place).
CREATE TABLE batch_flags_new (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  payment_id INTEGER REFERENCES payments(id),
  kind       TEXT NOT NULL CHECK (kind IN ('multi_enrollment', 'paid_elsewhere', 'shared_account',
                                           'holder_mismatch', 'implausible_age', 'claimed_not_on_roster',
                                           'holder_not_encodable', 'holder_unsafe_text', 'possible_duplicate',
                                           'school_student_inactive', 'school_over_roll',
                                           'school_account_shared', 'complaint')),
  evidence   TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'removed')),
  cleared_by TEXT,
  reason     TEXT,
  cleared_at TEXT,
  CHECK (status = 'open' OR (cleared_by IS NOT NULL AND reason IS NOT NULL))
);
INSERT INTO batch_flags_new (id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at)
  SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason, cleared_at FROM batch_flags;
DROP TABLE batch_flags;
ALTER TABLE batch_flags_new RENAME TO batch_flags;
CREATE INDEX batch_flags_batch ON batch_flags(batch_id, status);
