-- calc.sql: a calculation run for 2026-05 over samples/gbi-v1, written by
-- hand (as gbi calculate would) so that gbi export can be tested on known
-- values.  Load after `gbi import samples/gbi-v1`.
INSERT INTO calc_run(id, run_id, period, created, municipalities, cases, batches, last_batch, params, verify_run_id)
VALUES (1, (SELECT max(id) FROM run), '2026-05', '2026-05-20T10:00:00Z', '', '',
        'cases=1,persons=1', (SELECT max(id) FROM batch), 'norm_single=2026-01-01', NULL);
INSERT INTO calc_result VALUES
 (1,'0392','H001','2026-05','single',1,31,134700,0,0,12244,122456,0,123456,'payable','','NL67INGB0006543210','P. Bakker','{"segments":[]}'),
 (1,'0392','H002','2026-05','single_parent',1,31,134700,0,0,0,150000,0,150000,'payable','','NL44RABO0123456789','Z. Jansen','{}'),
 (1,'0392','H003','2026-05','couple',2,31,192400,0,0,93635,98765,0,98765,'payable','','NL91ABNA0417164300','M. Çelik','{}'),
 (1,'0392','H004','2026-05','single',1,31,134700,0,0,0,110000,0,110000,'held','BSN_INVALID','NL22SNSB0912345678','S. de Boer','{}'),
 (1,'0392','H005','2026-05','single',1,31,134700,0,0,134700,0,0,0,'nil','INCOME_ABOVE_NORM','NL20INGB0001234567','K. Smit','{}'),
 (1,'0392','H006','2026-05','single',3,31,134700,0,0,0,0,0,0,'not_entitled','ASSETS','NL61RABO0300123456','Müller, H.','{}'),
 (1,'0392','H007','2026-05','single',1,31,134700,0,0,0,1,0,1,'payable','','NL85TRIO0212345670','L. Visser','{}'),
 (1,'0392','H013','2026-05','single',1,31,134700,0,40410,0,94290,0,94290,'payable','SANCTION','NL67INGB0006543210','T. Mulder','{}'),
 (1,'0363','A001','2026-05','couple',2,31,192400,0,0,0,200000,0,200000,'payable','','NL15ABNA0432109876','A. Haddou','{}'),
 (1,'0363','A002','2026-05','single',1,31,134700,0,0,0,50000,0,50000,'payable','','NL18INGB0007788990','Ødegård & Søn_ "Bij" “Ťest” ß','{}'),
 (1,'0363','A016','2026-05','single',1,31,134700,0,0,0,133333,0,133333,'payable','','NL59ABNA0864297531','C. Lefèvre','{}');
