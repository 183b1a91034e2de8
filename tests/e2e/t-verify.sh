# t-verify.sh: gbi verify.  Each test copies the clean extract
# data/verify/base (no findings on 2026-05) to ./x, adds or changes one fact,
# imports it and checks 2026-05: the rule fires with its severity on the
# right case and exit status, and its near miss (one day, one cent) does not.
D="$ROOT/tests/e2e/data/verify"

setup() { rm -rf x s.db; cp -r "$D/base" x; }
add() { t=$1; shift; for r in "$@"; do printf '%s\n' "$r" >>"x/$t.csv"; done; }
edit() { sed -i "$2" "x/$1.csv"; }
load() { "$GBI" import -d s.db x >imp.out 2>&1 || { fail "import failed"; sed 's/^/    /' imp.out | head -5; }; }
verify() { gbi verify -d s.db --period "${PERIOD:-2026-05}" "$@"; }
# has RULE SEVERITY CASE [MUNI]: a finding in the CSV output
has() {
	grep -q "^$1,$2,${4:-0392},$3," out || { fail "no $1 ($2) for case $3"; sed 's/^/    out: /' out | head -6; }
}
hasnt() {
	if grep -q "^$1," out; then fail "unexpected $1"; grep "^$1," out | sed 's/^/    out: /'; fi
}
# trigger RULE SEVERITY CASE: run, expect the finding and the exit status
trigger() {
	load; verify
	has "$1" "$2" "$3"
	if [ "$2" = block ]; then expect_rc 1; else expect_rc 0; fi
}
nearmiss() { load; verify; hasnt "$1"; expect_rc 0; }

test_clean_extract_has_no_findings() {
	setup; load; verify
	expect_rc 0
	expect_eq "$(cat out)" "rule,severity,municipality,case_id,bsn,period,message,legal_basis" "output"
	expect_err "3 cases checked, 0 findings"
	expect_eq "$(q s.db 'SELECT count(*) FROM verify_run')" 1 "verify runs"
}

test_help() {
	# t-man.sh compares it with the SYNOPSIS of gbi-verify(1)
	gbi verify --help
	expect_rc 0
	expect_out "usage: gbi verify [-d STORE] [--period YYYY-MM]"
	expect_out "--list-rules"
}

test_list_rules_documents_every_rule() {
	gbi verify --list-rules --format csv
	expect_rc 0
	expect_out "code,severity,legal_basis,checks,tables"
	for r in BSN_INVALID NO_APPLICANT TWO_APPLICANTS TWO_PARTNERS MEMBER_IN_TWO_CASES SAME_ADDRESS_SINGLES \
		CHILD_18_PLUS NOT_RESIDENT NO_ADDRESS ABROAD_OVER_4_WEEKS DETENTION UNDER_18 YOUTH_18_20 AOW_AGE \
		STUDENT_UNDER_27 STUDENT_27_PLUS BENEFIT_NOT_AS_INCOME SEARCH_PERIOD_UNDER_27 DECISION_TERM_EXCEEDED \
		ASSETS_ABOVE_LIMIT VEHICLE_REVIEW PROPERTY_OWNED INCOME_AT_OR_ABOVE_NORM POLIS_INCOME_NOT_IN_CASE \
		IBAN_MISSING_OR_INVALID IBAN_SHARED COST_SHARERS_DIFFER; do
		grep -q "^$r," out || fail "--list-rules lacks $r"
		[ -f "$ROOT/man/gbi-verify.1" ] && ! grep -q "$r" "$ROOT/man/gbi-verify.1" && fail "gbi-verify(1) lacks $r"
	done
	expect_out "DETENTION,block,PW art. 13 lid 1 a,"
	n=$(($(wc -l <out) - 1))
	[ -f "$ROOT/man/gbi-verify.1" ] && expect_eq "$(sed -n '/^\.SS Rules/,/^\.SH/p' "$ROOT/man/gbi-verify.1" | grep -c '^\.B [A-Z_0-9]*$')" "$n" "rules in the man page"
}

test_usage_errors() {
	gbi verify --rule NO_SUCH_RULE; expect_rc 2; expect_err "--rule 'NO_SUCH_RULE': no such rule"
	gbi verify --period 2026-13; expect_rc 2
	gbi verify --format xml; expect_rc 2
	gbi verify -m 392; expect_rc 2
	gbi verify extra; expect_rc 2
}

# ---- identity and household -------------------------------------------------

test_bsn_invalid() {
	setup; load
	q s.db "UPDATE members SET bsn='123456789' WHERE case_id='V001'"   # import refuses it; a store edited by hand
	verify
	has BSN_INVALID block V001; has BSN_UNKNOWN block V001; expect_rc 1
}

# import refuses these (no such person, two applicants or partners at one
# time); verify still checks them, for a store written otherwise
member() { q s.db "INSERT INTO members(batch_id, line, muni, live, case_id, bsn, role, from_date, to_date) VALUES (1, 99, '0392', 1, '$1', '$2', '$3', '$4', NULL)"; }

test_bsn_unknown() {
	setup; load; member V001 999970100 child 2024-02-01; verify; has BSN_UNKNOWN block V001; expect_rc 1
	setup; add members "V001,999970069,child,2024-02-01,"; nearmiss BSN_UNKNOWN
}

test_no_applicant() {
	setup; edit members 's/^V001,999970008,applicant,2024-02-01,$/V001,999970008,applicant,2024-02-01,2026-04-30/'
	trigger NO_APPLICANT block V001
	setup; edit members 's/^V001,999970008,applicant,2024-02-01,$/V001,999970008,applicant,2024-02-01,2026-05-01/'
	nearmiss NO_APPLICANT
}

test_two_applicants_and_partners() {
	setup; load; member V001 999970069 applicant 2026-05-31; verify; has TWO_APPLICANTS block V001; expect_rc 1
	setup; load; member V002 999970069 partner 2026-05-31; verify; has TWO_PARTNERS block V002; expect_rc 1
	# one after the other is a change of partner, not two at once
	setup; edit members 's/^V002,999970033,partner,2023-04-01,$/V002,999970033,partner,2023-04-01,2026-05-15/'
	add members "V002,999970069,partner,2026-05-16,"; add addresses "999970069,0392,2011AB,2,,2020-01-01,"
	nearmiss TWO_PARTNERS
}

test_member_in_two_cases() {
	setup
	add cases "W001,0363,active,2025-01-06,2025-02-01,,NL22SNSB0912345678,W. Een,rent,,,"
	add members "W001,999970008,applicant,2025-02-01,"
	load; verify
	has MEMBER_IN_TWO_CASES block V001; has MEMBER_IN_TWO_CASES block W001 0363; expect_rc 1
	expect_out "applicant here and applicant in case W001 of municipality 0363"
	setup
	add cases "W001,0363,ended,2025-01-06,2025-02-01,2026-04-30,NL22SNSB0912345678,W. Een,rent,,,"
	add members "W001,999970008,applicant,2025-02-01,"
	load; verify; hasnt MEMBER_IN_TWO_CASES
}

test_same_address_singles() {
	setup; edit addresses 's/^999970057,0392,2011AC,3,,/999970057,0392,2011AA,1,,/'
	load; verify; has SAME_ADDRESS_SINGLES review V001; has SAME_ADDRESS_SINGLES review V003; expect_rc 0
	setup; edit addresses 's/^999970057,0392,2011AC,3,,/999970057,0392,2011AA,1,A,/'; nearmiss SAME_ADDRESS_SINGLES
}

test_child_18_plus() {
	setup; edit persons 's/^999970045,2015-06-01/999970045,2008-05-31/'; trigger CHILD_18_PLUS review V002
	expect_out "is 18 on 2026-05-31"
	setup; edit persons 's/^999970045,2015-06-01/999970045,2008-06-01/'; nearmiss CHILD_18_PLUS
}

# ---- residence and presence -----------------------------------------------

test_not_resident() {
	setup; edit addresses 's/^999970008,0392,2011AA,1,,2020-01-01,$/999970008,0363,1011AA,1,,2020-01-01,/'
	trigger NOT_RESIDENT block V001
	setup; edit addresses 's/^999970008,0392,2011AA,1,,2020-01-01,$/999970008,0363,1011AA,1,,2020-01-01,2026-05-30/'
	add addresses "999970008,0392,2011AA,1,,2026-05-31,"
	nearmiss NOT_RESIDENT
}

test_no_address() {
	setup; edit addresses 's/^999970008,0392,2011AA,1,,2020-01-01,$/999970008,0392,2011AA,1,,2020-01-01,2026-04-30/'
	trigger NO_ADDRESS block V001
	setup; edit addresses 's/^999970008,0392,2011AA,1,,2020-01-01,$/999970008,0392,2011AA,1,,2020-01-01,2026-05-01/'
	nearmiss NO_ADDRESS
}

test_abroad_over_four_weeks() {
	setup; add stays_abroad "999970008,2026-04-20,2026-05-31"; trigger ABROAD_OVER_4_WEEKS block V001
	expect_out "(42 days)"
	# exactly four weeks in one stretch: not over
	setup; add stays_abroad "999970008,2026-05-01,2026-05-28"; nearmiss ABROAD_OVER_4_WEEKS
	# over four weeks in the calendar year, in two stretches: 20 + 9 days
	setup; add stays_abroad "999970033,2026-01-10,2026-01-29" "999970033,2026-05-10,2026-05-18"
	trigger ABROAD_OVER_4_WEEKS block V002
	setup; add stays_abroad "999970033,2026-01-10,2026-01-29" "999970033,2026-05-10,2026-05-17"
	nearmiss ABROAD_OVER_4_WEEKS
	# 13 weeks at AOW age: 60 days abroad is not over (but AOW_AGE blocks)
	setup; edit persons 's/^999970008,1990-03-01/999970008,1950-03-01/'; add stays_abroad "999970008,2026-04-01,2026-05-30"
	load; verify; hasnt ABROAD_OVER_4_WEEKS; has AOW_AGE block V001
}

test_detention() {
	setup; add detentions "999970008,2026-05-31,"; trigger DETENTION block V001
	expect_out "applicant detained from 2026-05-31"
	# the period ends the day before the detention starts
	setup; add detentions "999970033,2026-06-01,2026-09-30"; nearmiss DETENTION
	setup; add detentions "999970033,2025-01-01,2026-04-30"; nearmiss DETENTION
	setup; add detentions "999970033,2025-01-01,2026-05-01"; trigger DETENTION block V002
}

# ---- age and prior provisions ----------------------------------------------

test_under_18_and_youth() {
	setup; edit persons 's/^999970008,1990-03-01/999970008,2008-05-02/'; trigger UNDER_18 block V001
	setup; edit persons 's/^999970008,1990-03-01/999970008,2008-05-01/'
	load; verify; hasnt UNDER_18; has YOUTH_18_20 info V001; expect_rc 0
	setup; edit persons 's/^999970008,1990-03-01/999970008,2005-05-01/'; nearmiss YOUTH_18_20
}

test_aow_age() {
	setup; edit persons 's/^999970057,1970-01-01/999970057,1959-05-31/'; trigger AOW_AGE block V003
	expect_out "reaches AOW age on 2026-05-31"
	setup; edit persons 's/^999970057,1970-01-01/999970057,1959-06-01/'; nearmiss AOW_AGE
	# a partner at AOW age makes the couple the SVB's
	setup; edit persons 's/^999970033,1982-01-01/999970033,1958-01-01/'; trigger AOW_AGE block V002
}

test_students() {
	setup; edit persons 's/^999970008,1990-03-01/999970008,2000-01-01/'; add studies "999970008,2025-09-01,,yes"
	trigger STUDENT_UNDER_27 block V001
	setup; edit persons 's/^999970008,1990-03-01/999970008,2000-01-01/'; add studies "999970008,2025-09-01,,no"
	nearmiss STUDENT_UNDER_27
	setup; edit persons 's/^999970008,1990-03-01/999970008,1999-05-01/'; add studies "999970008,2025-09-01,2026-06-30,yes"
	load; verify; hasnt STUDENT_UNDER_27; has STUDENT_27_PLUS review V001; expect_rc 0
	setup; add studies "999970008,2025-09-01,2026-04-30,yes"; nearmiss STUDENT_27_PLUS
}

test_benefit_not_as_income() {
	setup; add benefits "999970033,UWV,WW,2026-02-01,2026-08-31,1450.00"; trigger BENEFIT_NOT_AS_INCOME review V002
	setup; add benefits "999970033,UWV,WW,2026-02-01,2026-08-31,1450.00"; add incomes "999970033,2026-05,benefit,1450.00,polis"
	nearmiss BENEFIT_NOT_AS_INCOME
	setup; add benefits "999970033,SVB,kinderbijslag,2026-01-01,,300.00"; nearmiss BENEFIT_NOT_AS_INCOME
}

test_search_period_under_27() {
	setup; edit persons 's/^999970057,1970-01-01/999970057,2000-01-01/'
	edit cases 's/^V003,0392,application,2026-05-04,2026-05-04,/V003,0392,application,2026-05-04,2026-05-31,/'
	trigger SEARCH_PERIOD_UNDER_27 review V003
	setup; edit persons 's/^999970057,1970-01-01/999970057,2000-01-01/'
	edit cases 's/^V003,0392,application,2026-05-04,2026-05-04,/V003,0392,application,2026-05-04,2026-06-01,/'
	nearmiss SEARCH_PERIOD_UNDER_27
	# the municipality shortened the search period to 2 weeks (art. 41 lid 4, from 2026)
	setup; edit persons 's/^999970057,1970-01-01/999970057,2000-01-01/'
	edit cases 's/^V003,0392,application,2026-05-04,2026-05-04,/V003,0392,application,2026-05-04,2026-05-31,/'
	add policy "0392,application_search_weeks,2,2026-01-01"
	nearmiss SEARCH_PERIOD_UNDER_27
}

test_decision_term_exceeded() {
	setup; edit cases 's/^V003,0392,application,2026-05-04,2026-05-04,/V003,0392,application,2026-04-04,2026-04-04,/'
	trigger DECISION_TERM_EXCEEDED review V003
	expect_out "the decision was due by 2026-05-30"
	setup; edit cases 's/^V003,0392,application,2026-05-04,2026-05-04,/V003,0392,application,2026-04-05,2026-04-05,/'
	nearmiss DECISION_TERM_EXCEEDED
}

# ---- means ------------------------------------------------------------------

test_assets_above_limit() {
	setup; add assets "V001,bank,7000.01,2026-05-01" "V001,cash,1000.00,2026-05-01"; trigger ASSETS_ABOVE_LIMIT block V001
	expect_out "assets 8000.01 above the limit 8000.00 for a single person"
	setup; add assets "V001,bank,7000.00,2026-05-01" "V001,cash,1000.00,2026-05-01"; nearmiss ASSETS_ABOVE_LIMIT
	# a couple: the family limit; a debt counts against the assets
	setup; add assets "V002,bank,16500.00,2026-05-01" "V002,debt,500.00,2026-05-01"; nearmiss ASSETS_ABOVE_LIMIT
	setup; add assets "V002,bank,16500.00,2026-05-01" "V002,debt,499.99,2026-05-01"; trigger ASSETS_ABOVE_LIMIT block V002
	# an older statement does not add to the latest one
	setup; add assets "V001,bank,7000.00,2026-04-01" "V001,bank,5000.00,2026-05-01"; nearmiss ASSETS_ABOVE_LIMIT
	# an RDW vehicle not declared counts
	setup; add assets "V001,bank,4000.00,2026-05-01"; add vehicles "999970008,AB-123-C,4000.01,2024-01-01,"
	trigger ASSETS_ABOVE_LIMIT block V001
}

test_vehicle_review() {
	setup; add vehicles "999970021,AB-123-C,10000.01,2024-01-01,"; trigger VEHICLE_REVIEW review V002
	expect_out "1 vehicle(s) registered (RDW), the most valuable worth 10000.01; review threshold 10000.00"
	setup; add vehicles "999970021,AB-123-C,10000.00,2024-01-01,"; nearmiss VEHICLE_REVIEW
	setup; add vehicles "999970021,AB-123-C,1500.00,2024-01-01," "999970033,XY-987-Z,1500.00,2022-01-01,"
	trigger VEHICLE_REVIEW review V002
	setup; add vehicles "999970021,AB-123-C,1500.00,2024-01-01," "999970033,XY-987-Z,1500.00,2022-01-01,2026-04-30"
	nearmiss VEHICLE_REVIEW
	# a lower municipal threshold
	setup; add vehicles "999970008,AB-123-C,4000.01,2024-01-01,"; add policy "0392,vehicle_value_review,4000,2026-01-01"
	trigger VEHICLE_REVIEW review V001
}

test_property_owned() {
	setup; edit cases 's/^V001,\(.*\),rent,,,$/V001,\1,own,,,/'; add properties "999970008,150000.00,100000.00,2015-01-01"
	trigger PROPERTY_OWNED review V001
	expect_out "equity 50000.00; own-home equity limit 67500.00"
	# the own home's equity under the limit does not count as assets
	hasnt ASSETS_ABOVE_LIMIT
	setup; add properties "999970069,150000.00,100000.00,2015-01-01"; nearmiss PROPERTY_OWNED
}

test_income_at_or_above_norm() {
	setup; add incomes "999970008,2026-05,wage,1401.50,declared"; trigger INCOME_AT_OR_ABOVE_NORM info V001
	setup; add incomes "999970008,2026-05,wage,1401.49,declared" "999970008,2026-05,allowance,500.00,other"
	nearmiss INCOME_AT_OR_ABOVE_NORM
	# a wage both declared and in the polis records counts once
	setup; add incomes "999970008,2026-05,wage,1000.00,declared" "999970008,2026-05,wage,1000.00,polis"
	nearmiss INCOME_AT_OR_ABOVE_NORM
	setup; add incomes "999970021,2026-05,wage,1002.13,declared" "999970033,2026-05,wage,1000.00,declared"
	trigger INCOME_AT_OR_ABOVE_NORM info V002
}

test_polis_income_not_in_case() {
	setup; add incomes "999970008,2026-05,wage,500.00,polis"; trigger POLIS_INCOME_NOT_IN_CASE review V001
	setup; add incomes "999970008,2026-05,wage,500.00,polis" "999970008,2026-05,wage,500.00,declared"
	nearmiss POLIS_INCOME_NOT_IN_CASE
	setup; add incomes "999970008,2026-04,wage,500.00,polis"; nearmiss POLIS_INCOME_NOT_IN_CASE
}

# ---- payment data -------------------------------------------------------------

test_iban_missing_or_invalid() {
	setup; edit cases 's/^V001,\(.*\),NL67INGB0006543210,/V001,\1,,/'; trigger IBAN_MISSING_OR_INVALID block V001
	expect_out "no IBAN on the case"
	setup; load; q s.db "UPDATE cases SET iban='NL67INGB0006543211' WHERE case_id='V001'"; verify
	has IBAN_MISSING_OR_INVALID block V001; expect_rc 1
}

test_iban_shared() {
	setup; edit cases 's/NL91ABNA0417164300/NL67INGB0006543210/'
	load; verify; has IBAN_SHARED review V001; has IBAN_SHARED review V003; expect_rc 0
	setup; edit cases 's/^V002,0392,active,2023-03-06,2023-04-01,,NL44RABO0123456789/V002,0392,ended,2023-03-06,2023-04-01,2026-04-30,NL67INGB0006543210/'
	nearmiss IBAN_SHARED
}

# Found by review: the rules across cases read the store's cases, where a
# hand-edited store may hold rows import never writes (a live case without
# municipality crashed verify; a second live row of a case shared an IBAN).
test_iban_shared_ignores_rows_import_would_refuse() {
	setup; load
	q s.db "INSERT INTO cases SELECT batch_id, 900, NULL, live, 'V009', municipality, status, application_date, start_date,
		end_date, iban, account_name, housing, work_exemption_from, single_parent_exemption_from, cost_sharers FROM cases WHERE case_id='V001'"
	q s.db "INSERT INTO cases SELECT batch_id, 901, muni, live, case_id, municipality, status, application_date, start_date,
		end_date, 'NL44RABO0123456789', account_name, housing, work_exemption_from, single_parent_exemption_from, cost_sharers
		FROM cases WHERE case_id='V001'"
	verify
	expect_rc 0
	hasnt IBAN_SHARED
	expect_err "3 cases checked, 0 findings"
}

test_cost_sharers_differ() {
	setup; edit cases 's/^V001,\(.*\),rent,,,$/V001,\1,rent,,,2/'; trigger COST_SHARERS_DIFFER review V001
	expect_out "the case has 2 cost-sharers, the BRP gives 1"
	# a housemate who is 27 on the first day counts
	setup; edit cases 's/^V001,\(.*\),rent,,,$/V001,\1,rent,,,2/'; edit persons 's/^999970069,1985-01-01/999970069,1999-05-01/'
	add addresses "999970069,0392,2011AA,1,,2025-01-01,"; nearmiss COST_SHARERS_DIFFER
	setup; edit cases 's/^V001,\(.*\),rent,,,$/V001,\1,rent,,,2/'; edit persons 's/^999970069,1985-01-01/999970069,1999-05-02/'
	add addresses "999970069,0392,2011AA,1,,2025-01-01,"; trigger COST_SHARERS_DIFFER review V001
	# a commercial tenant or a WSF student does not count
	setup; edit cases 's/^V001,\(.*\),rent,,,$/V001,\1,rent,,,2/'; add addresses "999970069,0392,2011AA,1,,2025-01-01,"
	add contracts "999970069,commercial_rent,2025-01-01,"; trigger COST_SHARERS_DIFFER review V001
	# a couple with one housemate: A = 3
	setup; edit cases 's/^V002,\(.*\),rent,,,$/V002,\1,rent,,,3/'; add addresses "999970069,0392,2011AB,2,,2025-01-01,"
	nearmiss COST_SHARERS_DIFFER
}

test_sanction_active() {
	setup; add sanctions "V001,30,2026-05-31,2026-06-30,01"; trigger SANCTION_ACTIVE info V001
	setup; add sanctions "V001,30,2026-06-01,2026-06-30,01"; nearmiss SANCTION_ACTIVE
}

# ---- policy, filters, storage, formats -----------------------------------------

test_policy_switches_review_rules_off_not_block_rules() {
	setup; edit addresses 's/^999970057,0392,2011AC,3,,/999970057,0392,2011AA,1,,/'; add detentions "999970008,2026-05-01,"
	add policy "0392,verify_rules_off,SAME_ADDRESS_SINGLES DETENTION,2026-01-01"
	load; verify
	hasnt SAME_ADDRESS_SINGLES; has DETENTION block V001; expect_rc 1
	expect_err "DETENTION is a block rule the law requires; it stays on"
}

# A run that fails still says the notes on the policy it read.
test_failed_run_says_the_policy_notes() {
	setup; add policy "0392,verify_rules_off,NO_SUCH_CODE,2026-01-01"; load
	q s.db "DROP INDEX cases_key"
	verify
	expect_rc 5
	expect_err "policy verify_rules_off: 'NO_SUCH_CODE' is not a rule code; ignored"
	expect_err "no such index: cases_key"
	expect_eq "$(q s.db "SELECT count(*) FROM verify_run")" 0 "verify runs"
}

# The findings are printed while the run is stored: a reader that stops
# early must not cost the run (the output is larger than a pipe's buffer).
test_reader_stopping_early_keeps_the_run() {
	need_gen
	"$GBI_GEN" -n 3000 -s 4 -o g >gen.out 2>&1 || { fail "gbi-gen: exit $?"; return; }
	"$GBI" import -q -d s.db g/*.csv >/dev/null 2>&1 || { fail "import of generated data failed"; return; }
	cp s.db full.db
	"$GBI" verify -d full.db --period 2026-05 >full.out 2>/dev/null
	[ "$(wc -c <full.out)" -gt 150000 ] || fail "output of $(wc -c <full.out) bytes fills no pipe"
	{ "$GBI" verify -d s.db --period 2026-05 2>err; echo $? >rc; } | head -1 >out
	expect_eq "$(cat rc)" 5 "exit status"
	expect_err "write error on standard output"
	expect_eq "$(cat out)" "rule,severity,municipality,case_id,bsn,period,message,legal_basis" "first line"
	expect_eq "$(q s.db "SELECT count(*) FROM verify_run")" 1 "verify runs stored"
	expect_eq "$(q s.db "SELECT count(*) FROM finding")" "$(($(wc -l <full.out) - 1))" "findings stored"
	expect_eq "$(q s.db "SELECT exit_status FROM run WHERE command='verify'")" 5 "run's exit status"
	[ -e s.db-journal ] && fail "a journal was left"
}

test_findings_stored_with_source_row() {
	setup; add detentions "999970008,2026-05-12,2026-06-20"; load; verify
	expect_eq "$(q s.db "SELECT rule, severity, municipality, case_id, bsn, period, src_table, src_batch, src_line FROM finding")" \
		"DETENTION|block|0392|V001|999970008|2026-05|detentions|1|2" "finding"
	expect_eq "$(q s.db "SELECT period, municipalities, cases, rules, last_batch FROM verify_run")" "2026-05||||1" "verify_run"
	expect_eq "$(q s.db "SELECT exit_status FROM run WHERE command='verify'")" 1 "run exit status"
}

test_filters_and_order() {
	setup; add detentions "999970008,2026-05-01," "999970033,2026-05-01,"; add sanctions "V001,30,2026-05-01,2026-05-31,"
	add cases "W001,0363,active,2025-01-06,2025-02-01,,NL22SNSB0912345678,W. Een,rent,,,"
	add members "W001,999970069,applicant,2025-02-01,"; add addresses "999970069,0363,1011AA,1,,2020-01-01,"
	add detentions "999970069,2026-05-01,"
	load; verify
	expect_eq "$(cut -d, -f1,4 out | tail -n +2 | tr '\n' ' ')" "DETENTION,W001 DETENTION,V001 SANCTION_ACTIVE,V001 DETENTION,V002 " "order"
	verify --case V002; expect_eq "$(cut -d, -f1,4 out | tail -n +2)" "DETENTION,V002" "--case"
	verify -m 0363; expect_eq "$(cut -d, -f1,4 out | tail -n +2)" "DETENTION,W001" "--municipality"
	verify --rule SANCTION_ACTIVE; expect_eq "$(cut -d, -f1,4 out | tail -n +2)" "SANCTION_ACTIVE,V001" "--rule"; expect_rc 0
	expect_eq "$(q s.db "SELECT cases, rules FROM verify_run ORDER BY id DESC LIMIT 1")" "|SANCTION_ACTIVE" "filters recorded"
}

test_formats() {
	setup; add detentions "999970008,2026-05-12,"; load
	verify --format jsonl
	expect_out '{"rule":"DETENTION","severity":"block","municipality":"0392","case_id":"V001","bsn":"999970008","period":"2026-05","message":"applicant detained from 2026-05-12","legal_basis":"PW art. 13 lid 1 a","source":{"table":"detentions","batch":1,"line":2}}'
	verify --format text
	expect_out "0392 V001 (2026-05)"
	expect_out "block   DETENTION"
}

test_unknown_parameters_skip_rules_with_attention() {
	setup; load; PERIOD=2026-07 verify
	expect_rc 1
	expect_err "rule INCOME_AT_OR_ABOVE_NORM not checked"
}

# ---- the samples ------------------------------------------------------------------

test_samples_trigger_rules() {
	[ -d "$SAMPLES/gbi-v1" ] || skip "no samples/gbi-v1"
	"$GBI" import -d s.db "$SAMPLES/gbi-v1" >/dev/null 2>&1 || { fail "samples import"; return; }
	gbi verify -d s.db --period 2026-05; cp out may.csv
	gbi verify -d s.db --period 2026-06; cp out june.csv
	# what the samples are meant to show (samples/README.md)
	for e in ASSETS_ABOVE_LIMIT,block,0392,H011 DETENTION,block,0363,A008 ABROAD_OVER_4_WEEKS,block,0363,A009 \
		AOW_AGE,block,0392,H010 CHILD_18_PLUS,review,0392,H003 COST_SHARERS_DIFFER,review,0392,H009 \
		IBAN_SHARED,review,0392,H001 IBAN_SHARED,review,0392,H013 SAME_ADDRESS_SINGLES,review,0363,A014 \
		VEHICLE_REVIEW,review,0363,A007 PROPERTY_OWNED,review,0392,H012 YOUTH_18_20,info,0392,H004 \
		SANCTION_ACTIVE,info,0392,H013 BENEFIT_NOT_AS_INCOME,review,0392,H015 INCOME_AT_OR_ABOVE_NORM,info,0392,H015 \
		IBAN_MISSING_OR_INVALID,block,0392,H016 MEMBER_IN_TWO_CASES,block,0392,H017 MEMBER_IN_TWO_CASES,block,0363,A017 \
		NOT_RESIDENT,block,0392,H018 NO_ADDRESS,block,0392,H019 NO_APPLICANT,block,0392,H020 \
		STUDENT_UNDER_27,block,0363,A018 STUDENT_27_PLUS,review,0363,A019 UNDER_18,block,0363,A020; do
		grep -q "^$e," may.csv || fail "samples 2026-05: no $e"
	done
	grep -q "^DECISION_TERM_EXCEEDED,review,0363,A012," june.csv || fail "samples 2026-06: no DECISION_TERM_EXCEEDED for A012"
	grep -q "^SEARCH_PERIOD_UNDER_27,review,0392,H021," june.csv || fail "samples 2026-06: no SEARCH_PERIOD_UNDER_27 for H021"
	# the near misses of the samples
	grep -q "^ASSETS_ABOVE_LIMIT,[a-z]*,0363,A006," may.csv && fail "A006 (assets exactly at the limit) flagged"
	grep -h "^COST_SHARERS_DIFFER,[a-z]*,0392,H006," may.csv june.csv && fail "H006 (A = 3) flagged"
	# every rule is triggered by the samples, except those whose rows gbi import
	# rejects (a bad BSN, a member without a person, two applicants or partners)
	gbi verify --list-rules --format csv
	for r in $(cut -d, -f1 out | tail -n +2); do
		case $r in BSN_INVALID | BSN_UNKNOWN | TWO_APPLICANTS | TWO_PARTNERS) continue ;; esac
		grep -q "^$r," may.csv june.csv || fail "the samples do not trigger $r"
	done
	return 0
}

# From a review of verify: lawful payments were held, or a block was missed.
test_review_overlapping_stays_count_once() {
	setup
	add stays_abroad "999970008,2026-05-01,2026-05-20" "999970008,2026-05-10,2026-05-25"
	nearmiss ABROAD_OVER_4_WEEKS
	add stays_abroad "999970008,2026-05-21,2026-05-29"
	trigger ABROAD_OVER_4_WEEKS block V001
	expect_out "29 days abroad in 2026 up to 2026-05-31"
}

test_review_member_moving_between_cases_mid_month() {
	setup
	edit members 's/^V002,999970033,partner,2023-04-01,$/V002,999970033,partner,2023-04-01,2026-05-10/'
	add cases "V004,0392,active,2026-04-20,2026-05-11,,NL02ABNA0123456789,V. Vier,rent,,,"
	add members "V004,999970033,applicant,2026-05-11,"
	load; verify
	hasnt MEMBER_IN_TWO_CASES
	# overlapping days are still a double payment
	setup
	add cases "V004,0392,active,2026-04-20,2026-05-11,,NL02ABNA0123456789,V. Vier,rent,,,"
	add members "V004,999970033,applicant,2026-05-11,"
	trigger MEMBER_IN_TWO_CASES block V002
}

test_review_ex_partner_facts_after_leaving() {
	setup
	edit members 's/^V002,999970033,partner,2023-04-01,$/V002,999970033,partner,2023-04-01,2026-05-05/'
	add detentions "999970033,2026-05-20,"
	nearmiss DETENTION
	setup
	edit members 's/^V002,999970033,partner,2023-04-01,$/V002,999970033,partner,2023-04-01,2026-05-25/'
	add detentions "999970033,2026-05-20,"
	trigger DETENTION block V002
}

test_review_adult_child_no_family_asset_limit() {
	setup
	edit persons 's/^999970069,1985-01-01/999970069,2006-01-01/'
	add members "V001,999970069,child,2024-02-01,"
	add assets "V001,bank,10000.00,2026-05-01"
	trigger ASSETS_ABOVE_LIMIT block V001
}

test_review_iban_outside_sepa_blocks() {
	setup
	edit cases 's/NL67INGB0006543210/XK051212012345678906/'
	trigger IBAN_MISSING_OR_INVALID block V001
}
