-- 10-import.sql: the store tables of runs, batches and imported data.
-- The store schema is libgbi/schema/*.sql concatenated in name order, one
-- file per concern, built into the binary; store.c runs it on a new store
-- and sets PRAGMA user_version.  Once released, a version is never edited in
-- place: later versions add migrations in store.c.
--
-- Every data table has the same four bookkeeping columns:
--   batch_id  the import batch that delivered the row
--   line      the row's line in its input file (batch_input names the file)
--   muni      the municipality the row belongs to (NULL for owner batch)
--   live      1 while the row is in the current snapshot, 0 once a later
--             batch replaced it (kept for audit until gbi prune)
-- Dates are TEXT 'YYYY-MM-DD', periods TEXT 'YYYY-MM', money INTEGER cents.

CREATE TABLE run (
  id          INTEGER PRIMARY KEY,
  command     TEXT NOT NULL,
  argv        TEXT NOT NULL,
  started     TEXT NOT NULL,
  ended       TEXT,
  user        TEXT NOT NULL,
  exit_status INTEGER,
  counts      TEXT
);

CREATE TABLE batch (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES run(id),
  created        TEXT NOT NULL,
  format         TEXT NOT NULL,
  municipalities TEXT NOT NULL,
  tables         TEXT NOT NULL,
  digest         TEXT NOT NULL,
  rows_read      INTEGER NOT NULL,
  rows_imported  INTEGER NOT NULL,
  rows_rejected  INTEGER NOT NULL
);
CREATE INDEX batch_digest ON batch(digest);

CREATE TABLE batch_input (
  batch_id      INTEGER NOT NULL REFERENCES batch(id),
  tbl           TEXT NOT NULL,
  name          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  rows_read     INTEGER NOT NULL,
  rows_imported INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  PRIMARY KEY (batch_id, tbl)
);

-- Which batch holds the current rows of each table for each municipality.
CREATE TABLE snapshot (
  tbl       TEXT NOT NULL,
  muni      TEXT NOT NULL,
  batch_id  INTEGER NOT NULL,
  PRIMARY KEY (tbl, muni)
);
-- What each batch covered (tbl, muni), for re-import detection and audit.
CREATE TABLE batch_scope (
  batch_id  INTEGER NOT NULL,
  tbl       TEXT NOT NULL,
  muni      TEXT NOT NULL,
  PRIMARY KEY (batch_id, tbl, muni)
);

CREATE TABLE reject (
  batch_id  INTEGER NOT NULL,
  file      TEXT NOT NULL,
  line      INTEGER NOT NULL,
  col       TEXT NOT NULL,
  value     TEXT NOT NULL,
  reason    TEXT NOT NULL
);

CREATE TABLE cases (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  case_id TEXT NOT NULL, municipality TEXT NOT NULL, status TEXT NOT NULL,
  application_date TEXT, start_date TEXT NOT NULL, end_date TEXT, iban TEXT,
  account_name TEXT, housing TEXT NOT NULL, work_exemption_from TEXT,
  single_parent_exemption_from TEXT, cost_sharers INTEGER
);
CREATE TABLE persons (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, birth_date TEXT NOT NULL, family_name TEXT, given_names TEXT, sex TEXT
);
CREATE TABLE members (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  case_id TEXT NOT NULL, bsn TEXT NOT NULL, role TEXT NOT NULL, from_date TEXT, to_date TEXT
);
CREATE TABLE addresses (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, municipality TEXT NOT NULL, postcode TEXT NOT NULL,
  house_number INTEGER NOT NULL, house_suffix TEXT, from_date TEXT NOT NULL, to_date TEXT
);
CREATE TABLE incomes (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL, source TEXT
);
CREATE TABLE assets (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  case_id TEXT NOT NULL, kind TEXT NOT NULL, value INTEGER NOT NULL, reference_date TEXT NOT NULL
);
CREATE TABLE sanctions (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  case_id TEXT NOT NULL, percent INTEGER NOT NULL, from_date TEXT NOT NULL, to_date TEXT NOT NULL,
  reason TEXT
);
CREATE TABLE detentions (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT
);
CREATE TABLE studies (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT, wsf TEXT NOT NULL
);
CREATE TABLE stays_abroad (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT NOT NULL
);
CREATE TABLE vehicles (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, plate TEXT NOT NULL, value INTEGER NOT NULL, from_date TEXT, to_date TEXT
);
CREATE TABLE properties (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, value INTEGER NOT NULL, mortgage INTEGER, from_date TEXT
);
CREATE TABLE benefits (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, agency TEXT NOT NULL, kind TEXT NOT NULL, from_date TEXT NOT NULL,
  to_date TEXT, amount INTEGER
);
CREATE TABLE contracts (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  bsn TEXT NOT NULL, kind TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT
);
CREATE TABLE payments (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  case_id TEXT NOT NULL, period TEXT NOT NULL, amount INTEGER NOT NULL
);
CREATE TABLE policy (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  municipality TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, valid_from TEXT NOT NULL
);
-- Statutory parameters newer than the built-in table (gbi-calculate(1)).
CREATE TABLE parameters (
  batch_id INTEGER NOT NULL, line INTEGER NOT NULL, muni TEXT, live INTEGER NOT NULL,
  key TEXT NOT NULL, valid_from TEXT NOT NULL, value TEXT NOT NULL
);
