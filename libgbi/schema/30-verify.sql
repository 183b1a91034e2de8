-- 30-verify.sql: verify runs and their findings (gbi verify).
-- The contract between gbi verify (writes) and gbi calculate (a case with a
-- `block` finding in the latest verify run for the period is held) and
-- gbi export (findings).

CREATE TABLE verify_run (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES run(id),
  period         TEXT NOT NULL,
  created        TEXT NOT NULL,
  municipalities TEXT NOT NULL,   -- the --municipality filter, '' for all
  cases          TEXT NOT NULL,   -- the --case filter, '' for all
  rules          TEXT NOT NULL,   -- the --rule filter, '' for all
  last_batch     INTEGER NOT NULL -- max(batch.id) when run
);

CREATE TABLE finding (
  verify_run_id INTEGER NOT NULL REFERENCES verify_run(id),
  rule          TEXT NOT NULL,     -- stable rule code, e.g. BSN_INVALID
  severity      TEXT NOT NULL,     -- block, review, info
  municipality  TEXT NOT NULL,
  case_id       TEXT NOT NULL,
  bsn           TEXT,
  period        TEXT NOT NULL,
  message       TEXT NOT NULL,
  legal_basis   TEXT NOT NULL,
  src_table     TEXT,              -- the row that proves it: table, batch, line
  src_batch     INTEGER,
  src_line      INTEGER
);
CREATE INDEX finding_case ON finding(verify_run_id, municipality, case_id);
