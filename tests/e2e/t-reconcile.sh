# t-reconcile.sh: gbi reconcile end to end.  Against legacy with a stored
# calculation written by calc-2026-05.sql (so that these tests do not depend
# on gbi calculate's amounts); against calculations with gbi calculate itself.
D="$ROOT/tests/e2e/data/reconcile"

legacy_store() {
	"$GBI" import -d s.db "$D/base" 2>/dev/null || fail "import base"
	sqlite3 s.db < "$D/calc-2026-05.sql" || fail "calc fixture"
}

test_legacy_every_kind() {
	legacy_store
	gbi reconcile -d s.db --period 2026-05 --format csv
	expect_rc 1
	expect_eq "$(head -1 out)" "municipality,case_id,period,gbi,legacy,difference,kind,explanation" header
	expect_out '0392,R3,2026-05,1261.35,1401.50,-140.15,amount,"difference equals the sanction gbi applied, 140.15; gbi: single, norm 1401.50, income 0.00, sanction 140.15"'
	expect_out '0392,R4,2026-05,1401.50,,1401.50,only_gbi,"legacy paid nothing for this case and period; gbi: single, norm 1401.50'
	expect_out '0392,R5,2026-05,0.00,1401.50,-1401.50,only_legacy,"gbi finds the case not_entitled (assets_over_limit)'
	expect_eq "$(wc -l < out)" 4 "header and 3 differences"
	expect_err "gbi reconcile: reconcile run 1 against legacy: 5 case-months compared, 2 equal, 3 different, 3 over the tolerance 0.00"
	expect_err "gbi reconcile: kind amount: 1 different, sum -140.15"
	expect_err "gbi reconcile: kind only_gbi: 1 different, sum 1401.50"
	expect_err "gbi reconcile: kind only_legacy: 1 different, sum -1401.50"
	expect_err "gbi reconcile: municipality 0392: 3 different, sum -140.15"
	expect_eq "$(q s.db 'select compared, equal, different, over_tolerance, against from reconcile_run')" "5|2|3|3|legacy" "stored run"
	expect_eq "$(q s.db "select gbi, other, difference, kind from reconcile_result where case_id='R3'")" "126135|140150|-14015|amount" "stored row"
	expect_eq "$(q s.db "select exit_status from run where command='reconcile'")" 1 "run recorded"
}

test_legacy_payment_without_gbi_row() {
	legacy_store
	sqlite3 s.db "DELETE FROM calc_result WHERE case_id='R2'"
	gbi reconcile -d s.db --period 2026-05 --format csv
	expect_rc 1
	expect_out "0392,R2,2026-05,,1151.50,-1151.50,only_legacy,gbi has no calculation for this case and period: case status active"
	expect_err "5 case-months compared, 1 equal, 4 different"
}

test_legacy_text_ends_with_summary() {
	legacy_store
	gbi reconcile -d s.db --period 2026-05
	expect_rc 1
	expect_eq "$(tail -4 out | head -1)" "kind amount: 1 different, sum -140.15" "summary in text"
	expect_eq "$(tail -1 out)" "municipality 0392: 3 different, sum -140.15" "last line"
	expect_out "reconcile run 1 against legacy: 5 case-months compared, 2 equal, 3 different"
}

test_legacy_jsonl() {
	legacy_store
	gbi reconcile -d s.db --period 2026-05 --format jsonl
	expect_rc 1
	expect_out '{"municipality":"0392","case_id":"R4","period":"2026-05","gbi":1401.50,"legacy":null,"difference":1401.50,"kind":"only_gbi",'
}

test_tolerance_boundary() {
	legacy_store
	"$GBI" import -d s.db "$D/cent" 2>/dev/null || fail "import payments"
	gbi reconcile -d s.db --period 2026-05 --tolerance 0.01 --format csv
	expect_rc 0
	expect_out "0392,R1,2026-05,1401.50,1401.49,0.01,amount,"
	expect_err "1 different, 0 over the tolerance 0.01"
	gbi reconcile -d s.db --period 2026-05 --format csv
	expect_rc 1
	expect_err "1 different, 1 over the tolerance 0.00"
	mkdir over && sed 's/1401.49/1401.48/' "$D/cent/payments.csv" > over/payments.csv
	"$GBI" import -d s.db over 2>/dev/null
	gbi reconcile -d s.db --period 2026-05 --tolerance 0.01 --format csv
	expect_rc 1
	expect_out "0392,R1,2026-05,1401.50,1401.48,0.02,amount,"
	expect_err "1 different, 1 over the tolerance 0.01"
	gbi reconcile -d s.db --period 2026-05 --tolerance 0.02
	expect_rc 0
}

test_legacy_stale_calculation_warns() {
	legacy_store
	"$GBI" import -d s.db "$D/cent" 2>/dev/null
	gbi reconcile -d s.db --period 2026-05 --tolerance 1
	expect_rc 0
	expect_err "warning: 2026-05: calculation run 1 is older than the latest import (batch 2)"
}

test_no_calculation_refused() {
	legacy_store
	before=$(store_sum s.db)
	gbi reconcile -d s.db --period 2026-06
	expect_rc 3
	expect_err "gbi reconcile: period 2026-06 has no gbi calculation to compare: run gbi calculate --period 2026-06 first"
	gbi reconcile -d s.db --from 2026-05 --to 2026-06
	expect_rc 3
	expect_eq "$(store_sum s.db)" "$before" "store"
	# a run over all municipalities covers 0363 too: nothing to compare there
	gbi reconcile -d s.db --period 2026-05 -m 0363
	expect_rc 0
	expect_err "0 case-months compared"
	# a run for 0392 alone does not cover 0363
	sqlite3 s.db "UPDATE calc_run SET municipalities='0392'"
	gbi reconcile -d s.db --period 2026-05 -m 0363
	expect_rc 3
	expect_err "period 2026-05: municipality 0363 has no gbi calculation: run gbi calculate --period 2026-05 -m 0363 first"
}

test_municipality_filter_and_latest_run() {
	legacy_store
	# a later run for 0392 alone (R3 now without the sanction) wins for 0392
	sqlite3 s.db "INSERT INTO calc_run(run_id, period, created, municipalities, cases, batches, last_batch, params)
	  VALUES(1, '2026-05', 'x', '0392', '', '', 1, '');
	  INSERT INTO calc_result SELECT 2, municipality, case_id, period, household, cost_sharers, days, norm, housing_reduction,
	  0, income, bijstand, holiday_reserve, CASE case_id WHEN 'R3' THEN 140150 ELSE payable END, status, reasons, iban,
	  account_name, components FROM calc_result WHERE calc_run_id=1;
	  INSERT INTO calc_run(run_id, period, created, municipalities, cases, batches, last_batch, params)
	  VALUES(1, '2026-05', 'x', '', 'R1', '', 1, '');"
	gbi reconcile -d s.db --period 2026-05 -m 0392 --format csv
	expect_rc 1
	expect_no_err "R3"
	if grep -q '^0392,R3' out; then fail "R3 compared with the older run"; fi
	expect_err "5 case-months compared, 3 equal, 2 different"
}

test_calculations_late_income_is_overpayment() {
	"$GBI" import -d s.db "$D/base" 2>/dev/null
	"$GBI" calculate -d s.db --period 2026-05 >/dev/null 2>&1
	[ $? -le 1 ] || skip "gbi calculate not available"
	stored=$(q s.db "select payable from calc_result where case_id='R1'")
	mkdir late && cp "$D"/base/*.csv late/ && printf '999900006,2026-05,wage,200.00,polis\n' >> late/incomes.csv
	"$GBI" import -d s.db late 2>/dev/null
	runs=$(q s.db "select group_concat(id) from calc_run")
	gbi reconcile -d s.db --period 2026-05 --against calculations --format csv
	expect_rc 1
	expect_eq "$(head -1 out)" "municipality,case_id,period,recomputed,stored,difference,kind,explanation" header
	# 200.00 income less: bijstand 200.00 lower, holiday reserve 5% of it (10.00) lower: 190.00 paid too much
	expect_out "0392,R1,2026-05,1141.42,1331.42,-190.00,overpayment,income 0.00 -> 200.00; holiday reserve 70.08 -> 60.08"
	expect_eq "$stored" 133142 "stored payable"
	expect_eq "$(wc -l < out)" 2 "one difference"
	expect_err "against calculations: 5 case-months compared, 4 equal, 1 different, 1 over the tolerance 0.00"
	expect_err "kind overpayment: 1 different, sum -190.00"
	expect_eq "$(q s.db "select group_concat(id) from calc_run")" "$runs" "calc runs unchanged (export still sees the stored run)"
}

test_calculations_income_withdrawn_is_underpayment() {
	"$GBI" import -d s.db "$D/base" 2>/dev/null
	"$GBI" calculate -d s.db --period 2026-05 >/dev/null 2>&1
	[ $? -le 1 ] || skip "gbi calculate not available"
	mkdir fix && cp "$D"/base/*.csv fix/ && printf 'bsn,period,kind,amount,source\n' > fix/incomes.csv
	"$GBI" import -d s.db fix 2>/dev/null
	gbi reconcile -d s.db --period 2026-05 --against calculations --format csv --tolerance 300
	expect_rc 0
	expect_out "0392,R2,2026-05,1331.42,1093.92,237.50,underpayment,income 250.00 -> 0.00; holiday reserve 57.58 -> 70.08"
}

test_usage() {
	gbi reconcile --period 2026-13
	expect_rc 2
	expect_err "--period '2026-13': not a YYYY-MM month"
	gbi reconcile
	expect_rc 2
	expect_err "--period YYYY-MM or --from and --to are required"
	gbi reconcile --from 2026-06 --to 2026-05
	expect_rc 2
	gbi reconcile --period 2026-05 --tolerance -1
	expect_rc 2
	gbi reconcile --period 2026-05 --against nothing
	expect_rc 2
	expect_err "--against 'nothing': legacy or calculations"
	gbi reconcile --help
	expect_rc 0
	expect_out "usage: gbi reconcile [-d STORE]"
	# the SYNOPSIS of the man page is checked against --help in t-man.sh
}

test_export_reconcile_run() {
	legacy_store
	gbi reconcile -d s.db --period 2026-05 --format csv
	cp out printed.csv
	gbi export reconcile -d s.db --run 1 -o rec.csv
	expect_rc 0
	expect_err "rec.csv: reconcile run 1"
	expect_file rec.csv printed.csv
	expect_eq "$(stat -c %a rec.csv)" 600 "file mode"
	gbi export reconcile -d s.db --run 7 -o none.csv
	expect_rc 3
	expect_err "reconcile run 7 does not exist"
	[ -e none.csv ] && fail "a failed export left a file"
	gbi export reconcile -d s.db
	expect_rc 2
	expect_err "reconcile needs --run ID"
}
