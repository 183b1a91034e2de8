-- 20-calculate.sql: calculation runs and their results (gbi calculate).
-- The contract between gbi calculate (writes) and gbi export and gbi
-- reconcile (read).  Money INTEGER cents, periods TEXT 'YYYY-MM'.

CREATE TABLE calc_run (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES run(id),
  period         TEXT NOT NULL,
  created        TEXT NOT NULL,
  municipalities TEXT NOT NULL,   -- the --municipality filter, '' for all
  cases          TEXT NOT NULL,   -- the --case filter, '' for all
  batches        TEXT NOT NULL,   -- the current batch of each table: 'cases=3,persons=3,...'
  last_batch     INTEGER NOT NULL,-- max(batch.id) when computed: a later import makes the run stale
  params         TEXT NOT NULL,   -- which statutory parameters were used (their valid_from dates)
  verify_run_id  INTEGER          -- the verify run whose block findings made cases held, or NULL
);

CREATE TABLE calc_result (
  calc_run_id       INTEGER NOT NULL REFERENCES calc_run(id),
  municipality      TEXT NOT NULL,
  case_id           TEXT NOT NULL,
  period            TEXT NOT NULL,
  household         TEXT NOT NULL,  -- single, single_parent, couple
  cost_sharers      INTEGER NOT NULL,
  days              INTEGER NOT NULL,
  norm              INTEGER NOT NULL,
  housing_reduction INTEGER NOT NULL,
  sanction          INTEGER NOT NULL,
  income            INTEGER NOT NULL,
  bijstand          INTEGER NOT NULL,
  holiday_reserve   INTEGER NOT NULL,
  payable           INTEGER NOT NULL,
  status            TEXT NOT NULL,  -- payable, nil, held, not_entitled
  reasons           TEXT NOT NULL,  -- ';'-separated reason codes
  iban              TEXT,           -- from the case, for payments
  account_name      TEXT,
  components        TEXT NOT NULL,  -- JSON: segments and components, as in --format jsonl
  PRIMARY KEY (calc_run_id, municipality, case_id)
);
