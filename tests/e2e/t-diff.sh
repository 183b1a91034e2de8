# t-diff.sh: gbi diff end to end: what changed between two batches of
# tests/e2e/data/reconcile (base, then next: a move into a client's
# dwelling, a move out of one, a client who moved, a case ended, a case
# appeared, a changed income, a new sanction and detention).
D="$ROOT/tests/e2e/data/reconcile"

two_batches() {
	"$GBI" import -d s.db "$D/base" 2>/dev/null || fail "import base"
	"$GBI" import -d s.db "$D/next" 2>/dev/null || fail "import next"
}

test_diff_after_move() {
	two_batches
	gbi diff -d s.db
	expect_rc 0
	expect_out "addresses moved_in 0392 R1 999900067: 2011ZZ 99 -> 2011AA 1"
	expect_out "addresses moved_out 0392 R2 999900079: 2011AB 2 -> 2011ZZ 7"
	expect_out "addresses client_moved 0392 R5 999900055: 2011AE 5A -> 2011AF 6"
	expect_out "addresses new 0392 R6 999900080: (none) -> 2011AG 8"
	expect_err "gbi diff: 11 changes in 8 table/municipality pairs, batches 1..2"
}

test_diff_counts_first_then_details() {
	two_batches
	gbi diff -d s.db --format csv
	expect_rc 0
	expect_eq "$(head -1 out)" "record,table,change,count,municipality,case_id,key,before,after" header
	expect_eq "$(sed -n 2,12p out | cut -d, -f1 | sort -u)" count "the first 11 records are counts"
	expect_eq "$(sed -n 13,100p out | cut -d, -f1 | sort -u)" change "then the changes"
	expect_out "count,cases,appeared,1,,,,,"
	expect_out "count,cases,ended,1,,,,,"
	expect_out "change,cases,ended,,0392,R4,R4,status=active start=2026-01-01 housing=rent iban=NL91ABNA0417164300,status=ended start=2026-01-01 end=2026-05-31 housing=rent iban=NL91ABNA0417164300"
	expect_out "change,incomes,changed,,0392,R2,999900018 2026-05 wage,250.00,300.00"
	expect_out "change,sanctions,new,,0392,R3,R3 2026-05-01,,10% to 2026-07-31 03"
	expect_out "change,detentions,new,,0392,R3,999900031 2026-05-10,,to=open"
	expect_out "change,members,joined,,0392,R6,R6 999900080,,applicant from=2026-05-01"
	expect_eq "$(wc -l < out)" 23 "lines: header, 11 counts, 11 changes"
}

test_diff_jsonl() {
	two_batches
	gbi diff -d s.db --format jsonl
	expect_rc 0
	expect_out '{"record":"count","table":"incomes","change":"changed","count":1}'
	expect_out '{"record":"change","table":"incomes","change":"changed","municipality":"0392","case_id":"R2","key":"999900018 2026-05 wage","before":"250.00","after":"300.00"}'
}

test_diff_explicit_batches_both_ways() {
	two_batches
	gbi diff -d s.db --format csv 2 1
	expect_rc 0
	expect_out "change,cases,removed,,0392,R6,R6,"
	expect_out "change,incomes,changed,,0392,R2,999900018 2026-05 wage,300.00,250.00"
	expect_out "change,sanctions,removed,,0392,R3,R3 2026-05-01,10% to 2026-07-31 03,"
	gbi diff -d s.db --format csv 1
	expect_out "change,incomes,changed,,0392,R2,999900018 2026-05 wage,250.00,300.00"
}

test_diff_first_batch_has_nothing_to_compare() {
	"$GBI" import -d s.db "$D/base" 2>/dev/null
	gbi diff -d s.db
	expect_rc 0
	expect_err "gbi diff: 0 changes"
	expect_eq "$(wc -l < out)" 1 "only the header"
}

test_diff_other_municipality_is_empty() {
	two_batches
	gbi diff -d s.db -m 0363 --format csv
	expect_rc 0
	expect_eq "$(wc -l < out)" 1 "only the header"
	gbi diff -d s.db -m 0392 --format csv
	expect_eq "$(wc -l < out)" 23 "all of 0392"
}

test_diff_unknown_batch() {
	two_batches
	gbi diff -d s.db 1 7
	expect_rc 3
	expect_err "gbi diff: batch 7 does not exist"
}

test_diff_after_prune_refuses() {
	two_batches
	"$GBI" prune -d s.db --keep 1 2>/dev/null
	gbi diff -d s.db 1 2
	# batch 1 is gone or its replaced rows are: either way refused, never "all new"
	expect_rc 3
	grep -qE "removed by gbi prune|batch 1 does not exist" err || fail "message: $(cat err)"
}

test_diff_usage() {
	gbi diff --format xml
	expect_rc 2
	expect_err "--format 'xml': one of csv, jsonl, text"
	gbi diff x
	expect_rc 2
	expect_err "BATCH_A 'x': not a batch number"
	gbi diff --help
	expect_rc 0
	expect_out "usage: gbi diff [-d STORE]"
	# the SYNOPSIS of the man page is checked against --help in t-man.sh
}
