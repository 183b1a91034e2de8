-- verify.sql: a verify run for 2026-05 with two findings (after calc.sql).
INSERT INTO verify_run(id, run_id, period, created, municipalities, cases, rules, last_batch)
VALUES (1, (SELECT max(id) FROM run), '2026-05', '2026-05-20T09:00:00Z', '', '', '', (SELECT max(id) FROM batch));
INSERT INTO finding VALUES
 (1,'BSN_INVALID','block','0392','H004','999900493','2026-05','bsn fails the 11-test, "check"','Pw art. 17','persons',1,5),
 (1,'VEHICLE_VALUE','review','0363','A001',NULL,'2026-05','vehicle above 4000, review','Pw art. 34',NULL,NULL,NULL);
UPDATE calc_run SET verify_run_id = 1 WHERE id = 1;
