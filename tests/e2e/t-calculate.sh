# t-calculate.sh: gbi calculate and gbi policy on samples/gbi-v1 and small
# fixtures in tests/e2e/data/calc/.  Expected outputs in tests/e2e/expected/.
EXP="$ROOT/tests/e2e/expected"
DATA="$ROOT/tests/e2e/data/calc"

load_samples() {
	[ -d "$SAMPLES/gbi-v1" ] || skip "samples/gbi-v1 is missing"
	"$GBI" import -d s.db "$SAMPLES/gbi-v1" >/dev/null 2>&1 || { fail "import of samples failed"; return 1; }
}

test_calculate_2026_05() {
	load_samples || return
	gbi calculate -d s.db --period 2026-05
	expect_rc 0
	expect_file out "$EXP/calc-2026-05.csv"
	expect_err "2026-05: calc_run=1 cases=38 payable=26 nil=9 held=0 not_entitled=3"
	expect_eq "$(q s.db "SELECT count(*) FROM calc_result WHERE calc_run_id=1")" 38 "stored rows"
	expect_eq "$(q s.db "SELECT period, municipalities, cases, last_batch FROM calc_run")" "2026-05|||1" "calc_run"
	expect_eq "$(q s.db "SELECT params FROM calc_run")" \
		"known_until=2026-06-30;valid_from=2026-01-01,2024-01-01,2023-01-01;sources=built-in" "params used"
}

test_calculate_2026_06() {
	load_samples || return
	gbi calculate -d s.db --period 2026-06
	# A012 is an application: held, so attention
	expect_rc 1
	expect_file out "$EXP/calc-2026-06.csv"
}

test_calculate_deterministic_and_formats() {
	load_samples || return
	gbi calculate -d s.db --period 2026-05 --format jsonl
	expect_rc 0
	cp out first.jsonl
	gbi calculate -d s.db --period 2026-05 --format jsonl
	expect_file out first.jsonl
	expect_eq "$(wc -l < out)" 38 "jsonl lines"
	expect_out '{"case_id":"A010","municipality":"0363","period":"2026-05","household":"single","cost_sharers":1,"days":31,"norm":890.77,'
	expect_out '"segments":[{"from":"2026-05-01","to":"2026-05-15","days":15,"household":"single","cost_sharers":1,"norm":345.99'
	if command -v python3 >/dev/null; then
		python3 -c 'import json,sys; [json.loads(l) for l in open("out")]' || fail "jsonl is not JSON"
	fi
	gbi calculate -d s.db --period 2026-05 --format text
	expect_out "H014       0392 single         1   19    858.98"
	# two runs stored, the second one is the latest
	expect_eq "$(q s.db "SELECT count(*) FROM calc_run")" 3 "runs"
}

test_calculate_explain() {
	load_samples || return
	for c in A010 A002 H002 H009 H012 H014 A008; do
		gbi calculate -d s.db --period 2026-05 --explain $c
		expect_rc 0
		expect_file out "$EXP/calc-explain-$c-2026-05.txt"
	done
	expect_eq "$(q s.db "SELECT count(*) FROM calc_run")" 0 "explain stores nothing"
	gbi calculate -d s.db --period 2026-05 --explain A013
	expect_rc 3
	expect_err "case A013 has no right in 2026-05"
}

test_calculate_filters() {
	load_samples || return
	gbi calculate -d s.db --period 2026-05 -m 0392 --format csv
	expect_rc 0
	expect_eq "$(grep -c ',0392,' out)" 20 "0392 rows"
	expect_eq "$(grep -c ',0363,' out)" 0 "0363 rows"
	gbi calculate -d s.db --period 2026-05 --case H013 --case A011
	expect_eq "$(sed 1d out | cut -d, -f1 | tr '\n' ' ')" "A011 H013 " "cases"
	expect_out "H013,0392,2026-05,single,1,31,1401.50,0.00,420.45,0.00,981.05,49.05,932.00,payable,SANCTION"
	expect_out "A011,0363,2026-05,single,1,31,1401.50,400.43,0.00,0.00,1001.07,50.05,951.02,payable,HOUSING_REDUCTION"
	expect_eq "$(q s.db "SELECT municipalities, cases FROM calc_run WHERE id=2")" "|H013,A011" "filters recorded"
}

test_calculate_held_by_verify() {
	load_samples || return
	sqlite3 s.db "INSERT INTO run(id,command,argv,started,user) VALUES(99,'verify','','2026-05-01T00:00:00Z','t');
		INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(7,99,'2026-05','x','','','',1);
		INSERT INTO finding VALUES(7,'IBAN_SHARED','block','0392','H001',NULL,'2026-05','shared IBAN','PW art. 17',NULL,NULL,NULL);
		INSERT INTO finding VALUES(7,'X','block','0392','H011',NULL,'2026-05','x','x',NULL,NULL,NULL);
		INSERT INTO finding VALUES(7,'Y','review','0392','H013',NULL,'2026-05','y','y',NULL,NULL,NULL);"
	gbi calculate -d s.db --period 2026-05
	expect_rc 1
	expect_out "H001,0392,2026-05,single,1,31,1401.50,0.00,0.00,0.00,1401.50,70.08,1331.42,held,BLOCKING_FINDING"
	expect_out "H011,0392,2026-05,couple,1,31,2002.13,0.00,0.00,0.00,0.00,0.00,0.00,nil,ASSETS_ABOVE_LIMIT"
	expect_out "H013,0392,2026-05,single,1,31,1401.50,0.00,420.45,0.00,981.05,49.05,932.00,payable,SANCTION"
	expect_eq "$(q s.db "SELECT verify_run_id FROM calc_run")" 7 "verify run recorded"
	# a verify run of another period does not hold
	gbi calculate -d s.db --period 2026-06 --case H001
	expect_out "H001,0392,2026-06,single,1,30,1401.50,0.00,0.00,0.00,1401.50,70.08,1331.42,payable,"
}

test_calculate_period_beyond_parameters() {
	load_samples || return
	before=$(q s.db "SELECT count(*) FROM calc_run")
	gbi calculate -d s.db --period 2026-07
	expect_rc 3
	expect_err "gbi calculate: statutory parameter 'norm_single' is not known for 2026-07-01: gbi knows the amounts up to 2026-06-30"
	expect_err "--parameters FILE"
	expect_eq "$(q s.db "SELECT count(*) FROM calc_run")" "$before" "nothing stored"
	# a newer parameters file makes the month computable
	gbi calculate -d s.db --period 2026-07 --parameters "$DATA/params/parameters-2026-07.tsv" --case H001
	expect_rc 0
	expect_out "H001,0392,2026-07,single,1,31,1420.00,0.00,0.00,0.00,1420.00,71.00,1349.00,payable,"
	# and so does an imported parameters table
	"$GBI" import -d s.db -m 0392 -m 0363 "$DATA/params/parameters.csv" >/dev/null 2>&1
	gbi calculate -d s.db --period 2026-07 --case A001
	expect_rc 0
	expect_out "A001,0363,2026-07,couple,1,31,2028.57,0.00,0.00,0.00,2028.57,101.43,1927.14,payable,"
	gbi calculate -d s.db --period 2027-01
	expect_rc 3
	expect_err "up to 2026-12-31"
}

test_calculate_usage() {
	gbi calculate --help
	expect_rc 0
	expect_out "usage: gbi calculate [-d STORE] --period YYYY-MM"
	gbi calculate -d s.db
	expect_rc 2
	expect_err "--period YYYY-MM is required"
	gbi calculate -d s.db --period 2026-13
	expect_rc 2
	gbi calculate -d s.db --period 2026-05 --format xml
	expect_rc 2
	[ ! -e s.db ] || fail "a usage error created the store"
}

test_calculate_nl_legacy_same() {
	[ -d "$SAMPLES/nl-legacy" ] || skip "samples/nl-legacy is missing"
	"$GBI" import -d l.db --format nl-legacy "$SAMPLES/nl-legacy" >/dev/null 2>&1 || { fail "nl-legacy import"; return; }
	gbi calculate -d l.db --period 2026-05
	expect_file out "$EXP/calc-2026-05.csv"
}

test_policy_defaults_warned() {
	"$GBI" import -d p.db "$DATA/nopolicy" >/dev/null 2>&1 || { fail "import"; return; }
	gbi calculate -d p.db --period 2026-05
	expect_rc 1
	expect_err "warning: municipality 0014 has no policy rows: computed with the defaults of gbi-policy(1)"
	expect_out "Z001,0014,2026-05,single,1,31,1401.50,0.00,0.00,0.00,1401.50,70.08,1331.42,payable,"
	gbi policy -d p.db --date 2026-05-01
	expect_rc 1
	expect_out "0014  housing_reduction_percent  0                          default"
	expect_out "0014  debtor_iban                -                          (no value)"
}

test_policy_samples() {
	load_samples || return
	gbi policy -d s.db -m 0363 --date 2026-05-01
	expect_rc 0
	expect_out "0363  housing_reduction_percent  20                         2026-01-01"
	expect_out "0363  sanction_base              norm                       default"
	expect_out "0363  debtor_iban                NL94BNGH0285001637         2026-01-01"
	gbi policy -d s.db -m 0363 --date 2025-06-01
	expect_out "0363  housing_reduction_percent  18                         2025-01-01"
	gbi policy --keys
	expect_rc 0
	expect_out "housing_reduction_percent"
	gbi policy --help
	expect_out "usage: gbi policy [-d STORE] [-m CODE]... [--date YYYY-MM-DD] [--keys]"
}

test_calculate_narrow_verify_run_keeps_hold() {
	load_samples || return
	sqlite3 s.db "INSERT INTO run(id,command,argv,started,user) VALUES(99,'verify','','2026-05-01T00:00:00Z','t');
		INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(7,99,'2026-05','x','','','',1);
		INSERT INTO finding VALUES(7,'IBAN_SHARED','block','0392','H001',NULL,'2026-05','shared IBAN','PW art. 17',NULL,NULL,NULL);
		INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(8,99,'2026-05','x','','','AOW_AGE',1);
		INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(9,99,'2026-05','x','','H001','',1);
		INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(10,99,'2026-05','x','0363','','',1);"
	gbi calculate -d s.db --period 2026-05 --case H001
	expect_out "H001,0392,2026-05,single,1,31,1401.50,0.00,0.00,0.00,1401.50,70.08,1331.42,held,BLOCKING_FINDING"
	# a later full run of the municipality without the finding releases it
	sqlite3 s.db "INSERT INTO verify_run(id,run_id,period,created,municipalities,cases,rules,last_batch) VALUES(11,99,'2026-05','x','0392','','',1);"
	gbi calculate -d s.db --period 2026-05 --case H001
	expect_out "H001,0392,2026-05,single,1,31,1401.50,0.00,0.00,0.00,1401.50,70.08,1331.42,payable,"
}

test_calculate_income_delivered_twice_counted_once() {
	load_samples || return
	# A016 has a polis wage of 1120.00 in 2026-05; the case registers it too
	sqlite3 s.db "INSERT INTO incomes SELECT batch_id, 9999, muni, 1, bsn, period, kind, amount, 'declared' FROM incomes
		WHERE live=1 AND period='2026-05' AND kind='wage' AND bsn=(SELECT bsn FROM members WHERE case_id='A016' AND role='applicant')"
	gbi calculate -d s.db --period 2026-05 --case A016
	expect_out "A016,0363,2026-05,single,1,31,1401.50,0.00,0.00,840.00,561.50,28.08,533.42,payable,WORK_EXEMPTION"
	# a declared amount that differs from polis is the one counted
	sqlite3 s.db "UPDATE incomes SET amount=100000 WHERE line=9999"
	gbi calculate -d s.db --period 2026-05 --case A016
	expect_out "A016,0363,2026-05,single,1,31,1401.50,0.00,0.00,750.00,651.50,32.58,618.92,payable,WORK_EXEMPTION"
}

# From the review of the computation (amounts worked out by hand there).
calc_dir() {  # calc_dir DIR PERIOD [CASE]: a fresh store of tests/e2e/data/calc/DIR, calculated
	"$GBI" import -q -d s.db "$ROOT/tests/e2e/data/calc/$1" 2>/dev/null
	gbi calculate -d s.db --period "$2"
}

test_calculate_gifts_of_both_partners_over_the_year() {
	# partner 1200.00 in March, applicant 500.00 in May: 1700 - 1200 = 500.00 counts
	calc_dir gift 2026-05
	expect_out "G1,0392,2026-05,couple,1,31,2002.13,0.00,0.00,500.00,1502.13,75.11,1427.02,payable,GIFT_ABOVE_ALLOWANCE"
}

test_calculate_ex_partner_at_the_address_is_a_cost_sharer() {
	# partner until 2026-05-15, registered there all month: from the 16th A=2
	# round((2002.13 x 15 + 1001.07 x 16) / 31) = 1485.45
	calc_dir expart 2026-05
	expect_out "E1,0392,2026-05,single,2,31,1485.45,0.00,0.00,0.00,1485.45,74.27,1411.18,payable,COST_SHARERS"
}

test_calculate_mixed_couple_children_cost_sharers_held() {
	calc_dir mixcs 2024-08
	expect_out ",held,YOUTH_NORM;COST_SHARERS;NORM_NOT_KNOWN"
}
