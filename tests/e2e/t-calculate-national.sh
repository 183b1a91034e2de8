# t-calculate-national.sh: gbi calculate of every case on data long enough
# to be read by the two reading threads in several chunks (2048 cases
# each): the rows printed and stored are those of runs one municipality at
# a time (which read on one thread), in (case_id, municipality) order, and a
# run stopped halfway stores nothing.


gen_store() {
	need_gen
	"$GBI_GEN" -n 6000 -s 5 -o g >gen.out 2>&1 || { fail "gbi-gen: exit $?"; return 1; }
	"$GBI" import -q -d s.db g/*.csv >/dev/null 2>&1 || { fail "import of generated data failed"; return 1; }
	# block findings make some cases held
	"$GBI" verify -d s.db --period 2026-05 >/dev/null 2>&1
	[ "$(q s.db "SELECT count(*) FROM verify_run")" = 1 ] || { fail "verify stored no run"; return 1; }
}

RESULT="municipality, case_id, period, household, cost_sharers, days, norm, housing_reduction, sanction, income,
	bijstand, holiday_reserve, payable, status, reasons, iban, account_name, components"

test_national_run_is_the_runs_per_municipality() {
	gen_store || return
	gbi calculate -d s.db --period 2026-05
	expect_rc 1
	cp out national.csv
	n=$(($(wc -l < national.csv) - 1))
	[ "$n" -gt 4096 ] || fail "$n cases: fewer than three chunks"
	expect_eq "$(q s.db "SELECT count(*) FROM calc_result WHERE calc_run_id=1")" "$n" "stored rows"
	tail -n +2 national.csv | cut -d, -f1,2 > keys
	LC_ALL=C sort -t, -k1,1 -k2,2 keys > sorted
	expect_file keys sorted
	# stored in the order printed
	q s.db "SELECT case_id || ',' || municipality FROM calc_result WHERE calc_run_id=1 ORDER BY rowid" > stored
	expect_file stored keys
	: > per.csv
	for m in $(q s.db "SELECT DISTINCT muni FROM cases WHERE live=1 ORDER BY 1"); do
		"$GBI" calculate -d s.db --period 2026-05 -m "$m" > m.csv 2>/dev/null
		tail -n +2 m.csv >> per.csv
	done
	LC_ALL=C sort per.csv > a
	tail -n +2 national.csv | LC_ALL=C sort > b
	expect_file b a
	q s.db "SELECT $RESULT FROM calc_result WHERE calc_run_id=1 ORDER BY municipality, case_id" > a
	q s.db "SELECT $RESULT FROM calc_result WHERE calc_run_id>1 ORDER BY municipality, case_id" > b
	expect_file b a
	# and again: the same bytes
	gbi calculate -d s.db --period 2026-05
	expect_file out national.csv
	# the other formats, made on the computing threads
	gbi calculate -d s.db --period 2026-05 --format jsonl
	LC_ALL=C sort out > a
	: > per.jsonl
	for m in $(q s.db "SELECT DISTINCT muni FROM cases WHERE live=1 ORDER BY 1"); do
		"$GBI" calculate -d s.db --period 2026-05 -m "$m" --format jsonl >> per.jsonl 2>/dev/null
	done
	LC_ALL=C sort per.jsonl > b
	expect_file a b
	gbi calculate -d s.db --period 2026-05 --format text
	expect_eq "$(head -1 out | cut -c1-20)" "case       muni hous" "text header"
	expect_eq "$(wc -l < out)" "$((n + 1))" "text lines"
}

test_national_run_stopped_stores_nothing() {
	gen_store || return
	before=$(store_sum s.db)
	"$GBI" calculate -d s.db --period 2026-05 >/dev/full 2>err
	rc=$?
	expect_rc 5
	expect_err "the output could not be written"
	# said once, not again (with a stale reason) when the command ends
	expect_eq "$(grep -c 'write error\|could not be written' err)" 1 "write errors reported"
	expect_eq "$(store_sum s.db)" "$before" "store after a stopped run"
	expect_eq "$(q s.db "SELECT count(*) FROM calc_result")" 0 "rows stored"
}

# A reader that stops early (the output is far larger than a pipe's buffer)
# stops the run as an unwritable output does, instead of killing gbi with
# SIGPIPE in the middle of its transaction.
test_reader_stopping_early_stops_the_run() {
	gen_store || return
	before=$(store_sum s.db)
	{ "$GBI" calculate -d s.db --period 2026-05 2>err; echo $? >rc; } | head -1 >out
	expect_eq "$(cat rc)" 5 "exit status"
	expect_err "the output could not be written"
	expect_eq "$(store_sum s.db)" "$before" "store after a stopped run"
	expect_eq "$(q s.db "SELECT exit_status FROM run WHERE command='calculate'")" 5 "run's exit status"
	[ -e s.db-journal ] && fail "a journal was left"
}

test_national_run_policy_first() {
	gen_store || return
	# the warnings of municipalities without policy in code order, then the
	# first bad value refuses the run before any result
	m1=$(q s.db "SELECT min(muni) FROM cases WHERE live=1")
	m2=$(q s.db "SELECT max(muni) FROM cases WHERE live=1")
	m3=$(q s.db "SELECT min(muni) FROM cases WHERE live=1 AND muni > '$m1'")
	sqlite3 s.db "DELETE FROM policy WHERE municipality IN ('$m2', '$m1');
		UPDATE policy SET value='abc' WHERE key='housing_reduction_percent' AND municipality='$m3'"
	before=$(store_sum s.db)
	gbi calculate -d s.db --period 2026-05
	expect_rc 3
	expect_eq "$(wc -l < out)" 1 "lines on stdout (the header)"
	expect_eq "$(grep -c warning err)" 1 "warnings before the error"
	expect_err "warning: municipality $m1 has no policy rows"
	expect_err "municipality $m3: policy key 'housing_reduction_percent' value 'abc'"
	expect_eq "$(store_sum s.db)" "$before" "store after a refused run"
	sqlite3 s.db "UPDATE policy SET value='20' WHERE key='housing_reduction_percent' AND municipality='$m3'"
	gbi calculate -d s.db --period 2026-05
	expect_rc 1
	expect_eq "$(grep warning err | cut -d' ' -f5)" "$m1
$m2" "warnings in code order"
	# a municipality whose live cases are all out of scope is not warned of
	sqlite3 s.db "UPDATE cases SET end_date='2026-04-30' WHERE muni='$m2'"
	gbi calculate -d s.db --period 2026-05
	expect_eq "$(grep warning err | cut -d' ' -f5)" "$m1" "warnings with $m2 out of scope"
	expect_eq "$(cut -d, -f2 out | grep -c "^$m2\$")" 0 "cases of $m2"
}

test_national_run_store_path_with_odd_characters() {
	# the reading threads open the store by URI: these must be escaped
	[ -d "$SAMPLES/gbi-v1" ] || skip "samples/gbi-v1 is missing"
	"$GBI" import -d s.db "$SAMPLES/gbi-v1" >/dev/null 2>&1 || { fail "import of samples failed"; return; }
	gbi calculate -d s.db --period 2026-05
	cp out want
	mkdir -p "d ir%3F#"
	cp s.db "d ir%3F#/a?b c.db"
	gbi calculate -d "d ir%3F#/a?b c.db" --period 2026-05
	expect_rc 0
	expect_file out want
	expect_eq "$(q "d ir%3F#/a?b c.db" "SELECT count(*) FROM calc_result")" 76 "rows in the copy"
}

test_national_run_on_a_wal_store() {
	# gbi never sets WAL, sqlite3 can; while another connection holds the
	# store open, the last commits stay in the -wal file, which the readers
	# must see: the held cases of the verify run just made, and the import
	sqlite3 s.db 'PRAGMA journal_mode=WAL;' >/dev/null
	"$GBI" import -q -d s.db "$ROOT/samples/gbi-v1" >/dev/null 2>&1
	mkfifo holder
	sqlite3 s.db <holder >/dev/null 2>&1 &
	pid=$!
	exec 3>holder
	echo 'SELECT count(*) FROM cases;' >&3
	"$GBI" verify -d s.db --period 2026-05 >/dev/null 2>&1
	[ -s s.db-wal ] || fail "no -wal file kept: the test proves nothing"
	gbi calculate -d s.db --period 2026-05
	expect_rc 1
	cp out national.csv
	"$GBI" calculate -d s.db --period 2026-05 -m 0363 -m 0392 >filtered.csv 2>/dev/null
	exec 3>&-
	wait "$pid"
	held=$(grep -c ',held,' national.csv)
	[ "$held" -gt 0 ] || fail "no held case in the national run"
	expect_eq "$held" "$(grep -c ',held,' filtered.csv)" "held cases, national and filtered"
	tail -n +2 national.csv | LC_ALL=C sort >a
	tail -n +2 filtered.csv | LC_ALL=C sort >b
	expect_file a b
}
