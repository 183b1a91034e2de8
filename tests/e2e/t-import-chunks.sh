# t-import-chunks.sh: gbi import of tables long enough to pass from the
# reading thread to the writing one in several chunks (2048 rows each): the
# rows stored are the rows read, rejects anywhere in the file are reported
# in input order, and an error late in the file still changes nothing.


gen() { need_gen; "$GBI_GEN" -n 2000 -s 3 -o g >gen.out 2>&1 || fail "gbi-gen: exit $?"; }

test_long_tables_stored_as_read() {
	gen
	gbi import -d s.db -m 0363 --table persons g/persons.csv
	expect_rc 0
	expect_err "g/persons.csv: 4770 rows read, 4770 imported, 0 rejected"
	q s.db "select line || ',' || bsn || ',' || birth_date || ',' || ifnull(family_name, '') || ',' ||
		ifnull(given_names, '') || ',' || ifnull(sex, '') from persons where live=1 and batch_id=1 order by rowid" > got
	awk 'NR > 1 { print NR "," $0 }' g/persons.csv > want
	expect_file got want
	gbi import -d s.db -m 0363 --table incomes g/incomes.csv
	expect_rc 0
	expect_err "g/incomes.csv: 6948 rows read, 6948 imported, 0 rejected"
	q s.db "select line || ',' || bsn || ',' || period || ',' || kind || ',' ||
		printf('%d.%02d', amount / 100, amount % 100) || ',' || ifnull(source, '') from incomes order by rowid" > got
	awk 'NR > 1 { print NR "," $0 }' g/incomes.csv > want
	expect_file got want
	expect_eq "$(q s.db 'select rows_read || "/" || rows_imported from batch_input order by batch_id')" "4770/4770
6948/6948" "counts"
}

test_rejects_across_chunks_in_order() {
	gen
	# bad values at the first and last rows of the first two chunks, and a
	# duplicate right after its original in an otherwise sorted file (so
	# that the lines after it move one down)
	awk 'NR == 2 || NR == 2049 || NR == 2050 || NR == 4097 { sub(/,[MFX]$/, ",Q") } { print }
	     NR == 3000 { print }' g/persons.csv > p.csv
	gbi import -d s.db -m 0363 --max-rejects 10 --table persons p.csv
	expect_rc 1
	expect_eq "$(grep -c "sex 'Q': not one of M|F|X" err)" 4 "bad values"
	expect_err "p.csv:3001: bsn '$(sed -n 3000p g/persons.csv | cut -d, -f1)': duplicate: the same bsn as line 3000"
	# the values first, in input order, then the keys
	expect_eq "$(grep -o 'p.csv:[0-9][0-9]*' err | cut -d: -f2 | tr '\n' ' ')" "2 2049 2050 4098 3001 " "reject order"
	expect_err "p.csv: 4771 rows read, 4766 imported, 5 rejected"
	expect_eq "$(q s.db 'select count(*) from persons where live=1')" 4766 "rows kept"
	expect_eq "$(q s.db 'select group_concat(line) from (select line from reject order by rowid)')" "2,2049,2050,4098,3001" "rejects stored"
}

test_late_error_changes_nothing() {
	gen
	gbi import -d s.db -m 0363 --table persons g/persons.csv
	before=$(store_sum s.db)
	awk 'NR == 10 { sub(/,[MFX]$/, ",Q") } { print } END { print "900000001,\"1980-01-01,x,y,M" }' g/persons.csv > p.csv
	gbi import -d s.db -m 0363 --max-rejects 10 --table persons p.csv
	expect_rc 3
	expect_err "p.csv:10: sex 'Q': not one of M|F|X"
	expect_err "p.csv:4772: unterminated quote"
	expect_eq "$(store_sum s.db)" "$before" "store"
}

# Into a table with no current rows, the indexes stay during the load while
# the rows come in their order, and go (to be built after the load) when
# they do not, from the start or from some chunk on: either way the store
# ends with every index, whole, and the rows as read.
test_indexes_kept_or_rebuilt() {
	gen
	for order in sorted shuffled broken; do
		case $order in
		sorted) cp g/persons.csv p.csv ;;
		shuffled) { head -1 g/persons.csv; tail -n +2 g/persons.csv | awk 'BEGIN { srand(3) } { print rand() "\t" $0 }' | sort -n | cut -f2-; } > p.csv ;;
		broken) { head -3000 g/persons.csv; tail -n +3001 g/persons.csv | sort -r; } > p.csv ;;
		esac
		rm -f s.db
		gbi import -d s.db -m 0363 --table persons p.csv
		expect_rc 0
		expect_eq "$(q s.db 'pragma integrity_check')" ok "$order: integrity"
		expect_eq "$(q s.db "select count(*) from sqlite_master where type='index' and tbl_name='persons'")" 1 "$order: index"
		expect_eq "$(q s.db "select count(*) from persons indexed by persons_bsn where live=1 and bsn > ''")" 4770 "$order: indexed rows"
		q s.db "select line || ',' || bsn || ',' || birth_date || ',' || ifnull(family_name, '') || ',' ||
			ifnull(given_names, '') || ',' || ifnull(sex, '') from persons order by rowid" > got
		awk 'NR > 1 { print NR "," $0 }' p.csv > want
		expect_file got want
	done
	# a second snapshot replaces the first, with the index built again
	gbi import -d s.db -m 0363 --table persons g/persons.csv
	expect_rc 0
	expect_eq "$(q s.db 'select count(*) from persons where live=1')" 4770 "current rows"
	expect_eq "$(q s.db 'select count(*) from persons where live=0')" 4770 "replaced rows"
	expect_eq "$(q s.db 'pragma integrity_check')" ok "integrity after the second"
}

# Enum values are split once per table (import.c, in_enum): only a whole
# value matches, never a part of one, two of them, or an empty one.
test_enum_values_whole_only() {
	cp -r "$ROOT/tests/e2e/data/import/good" x
	gbi import -d s.db x
	printf 'bsn,period,kind,amount,source\n' > in.csv
	for k in wage wag wages 'wage|gift' '|' gift other; do
		printf '999990019,2026-05,%s,1.00,polis\n' "$k" >> in.csv
	done
	printf '999990019,2026-05,wage,1.00,\n999990019,2026-05,wage,1.00,poli\n' >> in.csv
	gbi import -d s.db -m 0392 --max-rejects 10 --table incomes in.csv
	expect_rc 1
	expect_err "in.csv:3: kind 'wag': not one of wage|"
	expect_err "in.csv:4: kind 'wages': not one of wage|"
	expect_err "in.csv:5: kind 'wage|gift': not one of wage|"
	expect_err "in.csv:6: kind '|': not one of wage|"
	expect_err "in.csv:10: source 'poli': not one of polis|declared|other"
	expect_err "in.csv: 9 rows read, 4 imported, 5 rejected"
}

test_increasing_text_keys_over_an_integer_column_checked() {
	# '01' < '1' as read, but an INTEGER store column holds both as 1: the
	# rows only look strictly increasing, so the store's check must run
	F="$ROOT/tests/e2e/data/import/own"
	mkdir x
	printf 'case_id,municipality,status,start_date,cost_sharers\nC1,0363,active,2024-01-01,01\nC2,0363,active,2024-01-01,1\n' > x/cases.csv
	gbi import -d s.db --formats-dir "$F" --format text-key x
	expect_rc 3
	expect_err "cases.csv:3: cost_sharers '1': duplicate: the same municipality, cost_sharers as line 2"
	expect_eq "$(q s.db 'SELECT count(*) FROM cases')" 0 "cases stored"
}
