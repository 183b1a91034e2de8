-- A stored gbi calculation of 2026-05 for the cases of base/ (as gbi
-- calculate would write it): R1 and R2 equal to legacy, R3 with a 10%
-- sanction legacy did not apply, R4 only in gbi, R5 not entitled.
INSERT INTO run(command, argv, started, user, exit_status) VALUES('calculate', 'calculate --period 2026-05', '2026-05-20T00:00:00Z', 'test', 0);
INSERT INTO calc_run(run_id, period, created, municipalities, cases, batches, last_batch, params, verify_run_id)
  VALUES(last_insert_rowid(), '2026-05', '2026-05-20T00:00:00Z', '', '', 'cases=1', (SELECT max(id) FROM batch), 'norm_single=2026-01-01', NULL);
INSERT INTO calc_result VALUES
 ((SELECT max(id) FROM calc_run), '0392', 'R1', '2026-05', 'single', 1, 31, 140150, 0, 0, 0, 140150, 0, 140150, 'payable', '', 'NL91ABNA0417164300', 'A. Jansen', '{}'),
 ((SELECT max(id) FROM calc_run), '0392', 'R2', '2026-05', 'single', 1, 31, 140150, 0, 0, 25000, 115150, 0, 115150, 'payable', '', 'NL91ABNA0417164300', 'B. Bakker', '{}'),
 ((SELECT max(id) FROM calc_run), '0392', 'R3', '2026-05', 'single', 1, 31, 140150, 0, 14015, 0, 126135, 0, 126135, 'payable', 'sanction', 'NL91ABNA0417164300', 'C. de Vries', '{}'),
 ((SELECT max(id) FROM calc_run), '0392', 'R4', '2026-05', 'single', 1, 31, 140150, 0, 0, 0, 140150, 0, 140150, 'payable', '', 'NL91ABNA0417164300', 'D. Visser', '{}'),
 ((SELECT max(id) FROM calc_run), '0392', 'R5', '2026-05', 'single', 1, 31, 140150, 0, 0, 0, 0, 0, 0, 'not_entitled', 'assets_over_limit', 'NL91ABNA0417164300', 'E. Smit', '{}');
