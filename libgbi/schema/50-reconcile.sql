-- 50-reconcile.sql: reconcile runs and their differences (gbi reconcile).
-- The contract between gbi reconcile (writes) and gbi export reconcile
-- (reads, through gbi_reconcile_write_csv in libgbi/reconcile.h).  Only
-- differences are stored; the counts of the run are in reconcile_run.
-- Money INTEGER cents, periods TEXT 'YYYY-MM'.

CREATE TABLE reconcile_run (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES run(id),
  against        TEXT NOT NULL,    -- legacy (the payments table) or calculations (recomputed now)
  period_from    TEXT NOT NULL,
  period_to      TEXT NOT NULL,
  created        TEXT NOT NULL,
  municipalities TEXT NOT NULL,    -- the --municipality filter, '' for all
  tolerance      INTEGER NOT NULL, -- cents: a larger |difference| needs attention
  last_batch     INTEGER NOT NULL, -- max(batch.id) when run
  compared       INTEGER NOT NULL, -- case-months compared
  equal          INTEGER NOT NULL,
  different      INTEGER NOT NULL,
  over_tolerance INTEGER NOT NULL
);

CREATE TABLE reconcile_result (
  reconcile_run_id INTEGER NOT NULL REFERENCES reconcile_run(id),
  municipality     TEXT NOT NULL,
  case_id          TEXT NOT NULL,
  period           TEXT NOT NULL,
  gbi              INTEGER,        -- gbi's amount: its latest calculation (legacy) or recomputed now (calculations); NULL: none
  other            INTEGER,        -- the legacy payment, or the stored calculation; NULL: none
  difference       INTEGER NOT NULL, -- gbi - other
  kind             TEXT NOT NULL,  -- only_gbi, only_legacy, amount (legacy); underpayment, overpayment (calculations)
  calc_run_id      INTEGER,        -- the stored calc_run compared
  explanation      TEXT NOT NULL,
  PRIMARY KEY (reconcile_run_id, municipality, case_id, period)
);

-- Reconcile reads gbi's amount of every case of a run: this covering index
-- keeps it off the wide calc_result rows (components JSON).
CREATE INDEX calc_result_pay ON calc_result(calc_run_id, municipality, case_id, period, status, payable);
