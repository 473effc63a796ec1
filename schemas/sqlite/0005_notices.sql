-- Public notices (公示) of who is to receive what, per school, and objections raised against them.

CREATE TABLE notices (
  id           INTEGER PRIMARY KEY,
  term         TEXT NOT NULL,
  programme    TEXT NOT NULL,
  school_id    INTEGER NOT NULL REFERENCES schools(id),
  published_by TEXT NOT NULL,
  published_on TEXT NOT NULL,
  window_ends  TEXT NOT NULL,
  entries      INTEGER NOT NULL,
  total_fen    INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  CHECK (window_ends > published_on)
);
CREATE INDEX notices_lookup ON notices(term, programme, school_id);

CREATE TABLE objections (
  id             INTEGER PRIMARY KEY,
  entitlement_id INTEGER NOT NULL REFERENCES entitlements(id),
  raised_on      TEXT NOT NULL,
  recorded_by    TEXT NOT NULL,
  text           TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
  resolved_by    TEXT,
  resolution     TEXT,
  resolved_on    TEXT,
  CHECK (status = 'open' OR (resolved_by IS NOT NULL AND resolution IS NOT NULL))
);
CREATE INDEX objections_entitlement ON objections(entitlement_id, status);
