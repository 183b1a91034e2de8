# t-import-refs.sh: gbi import's check that rows name a person in persons,
# made during the load when the batch has no persons and the rows come in
# the order of their bsn, and after the load otherwise: both reject the same
# rows, and persons later in an archive count.
D="$ROOT/tests/e2e/data/import"

# the good extract's persons: 999990019, 999990032, 999990044; 999990007
# sorts before them, 999990020 between, 999990081 after
incomes() {
	printf 'bsn,period,kind,amount\n'
	printf '%s,2026-05,wage,1.00\n' 999990007 999990019 999990019 999990020 999990020 999990032 999990044 999990081
}


test_sorted_rows_checked_during_the_load() {
	cp -r "$D/good" x
	gbi import -d s.db x
	incomes > in.csv
	gbi import -d s.db --max-rejects 10 -m 0392 --table incomes in.csv
	expect_rc 1
	for l in 2 5 6 9; do expect_err "in.csv:$l: bsn '"; done
	expect_eq "$(grep -c 'no such person in persons' err)" 4 "rejects"
	expect_err "in.csv: 8 rows read, 4 imported, 4 rejected"
	expect_eq "$(q s.db "select group_concat(bsn) from incomes where batch_id=2")" 999990019,999990019,999990032,999990044 "rows kept"
	expect_eq "$(q s.db 'select count(*) from temp.missing' 2>&1 | grep -c 'no such table')" 1 "temp.missing is the connection's"
}

test_unsorted_rows_checked_after_the_load() {
	cp -r "$D/good" x
	gbi import -d s.db x
	incomes | awk 'NR == 1 { print; next } { l[NR] = $0 } END { for (i = NR; i > 1; i--) print l[i] }' > in.csv
	gbi import -d s.db --max-rejects 10 -m 0392 --table incomes in.csv
	expect_rc 1
	for l in 2 5 6 9; do expect_err "in.csv:$l: bsn '"; done
	expect_eq "$(grep -c 'no such person in persons' err)" 4 "rejects"
	# out of order only after some rows: the check during the load stops
	incomes | sed '4{h;d};7G' > in2.csv
	gbi import -d s.db --max-rejects 10 -m 0392 --table incomes in2.csv
	expect_rc 1
	expect_eq "$(grep 'no such person' err | cut -d: -f3 | tr '\n' ' ')" "2 4 5 9 " "rejected lines"
}

test_replaced_persons_are_no_persons() {
	cp -r "$D/good" x
	gbi import -d s.db x
	# a new persons snapshot without 999990032
	grep -v 999990032 x/persons.csv > p.csv
	gbi import -d s.db -m 0392 --table persons p.csv
	expect_rc 0
	incomes > in.csv
	gbi import -d s.db --max-rejects 10 -m 0392 --table incomes in.csv
	expect_rc 1
	for l in 2 5 6 7 9; do expect_err "in.csv:$l: bsn '"; done
	expect_eq "$(grep -c 'no such person in persons' err)" 5 "rejects"
}

test_persons_later_in_the_archive_count() {
	cp -r "$D/good" x
	gbi import -d s.db x
	# incomes first names 999990056, whom only the archive's persons has
	printf '999990056,2026-05,wage,1.00,polis\n' >> x/incomes.csv
	printf '999990056,1970-01-01,X,Y,M\n' >> x/persons.csv
	(cd x && tar cf ../order.tar cases.csv incomes.csv members.csv persons.csv)
	gbi import -d s.db order.tar
	expect_rc 0
	expect_eq "$(q s.db "select count(*) from incomes where live=1 and bsn='999990056'")" 1 "income kept"
	# and without it there, the row is rejected
	grep -v 999990056 x/persons.csv > p && mv p x/persons.csv
	(cd x && tar cf ../order2.tar cases.csv incomes.csv members.csv persons.csv)
	gbi import -d s.db --max-rejects 1 order2.tar
	expect_rc 1
	expect_err "order2.tar:incomes.csv:4: bsn '999990056': no such person in persons"
}

# Generated incomes come per household, mostly but not quite in bsn order;
# shuffled, they come in none, and the check after the load takes over.
test_generated_rows_in_any_order() {
	[ -x "$GBI_GEN" ] || skip "no gbi-gen at $GBI_GEN"
	"$GBI_GEN" -n 2000 -s 5 -o g >gen.out 2>&1 || fail "gbi-gen: exit $?"
	gone=$(sed -n 200p g/incomes.csv | cut -d, -f1)
	grep -v "^$gone," g/persons.csv > p.csv
	gbi import -d s.db -m 0363 --table persons p.csv
	expect_rc 0
	n=$(grep -c "^$gone," g/incomes.csv)
	[ "$n" -gt 0 ] || fail "no incomes of $gone"
	gbi import -d s.db -m 0363 --max-rejects 100 --table incomes g/incomes.csv
	expect_rc 1
	expect_eq "$(grep -c "bsn '$gone': no such person in persons" err)" "$n" "rejects in the generated order"
	awk 'BEGIN { srand(7) } NR == 1 { print; next } { print rand() "\t" $0 }' g/incomes.csv | sort -n -k1,1 | cut -f2- > mixed.csv
	head -1 g/incomes.csv > shuffled.csv
	tail -n +2 mixed.csv >> shuffled.csv
	gbi import -d s.db -m 0363 --max-rejects 100 --table incomes shuffled.csv
	expect_rc 1
	expect_eq "$(grep -c "bsn '$gone': no such person in persons" err)" "$n" "rejects in no order"
	expect_eq "$(grep -c 'no such person' err)" "$n" "no other rejects"
}

test_number_bsns_checked_after_the_load() {
	# a format of one's own reading the bsn as a number: not looked for
	# during the load (persons holds text), so the check after it runs
	F="$ROOT/tests/e2e/data/import/own"
	mkdir p i
	printf 'case_id,municipality,status,start_date\nC1,0363,active,2024-01-01\n' > p/cases.csv
	printf 'bsn,birth_date\n900000004,1980-01-01\n' > p/persons.csv
	printf 'bsn,period,kind,amount\n900000004,2024-01,wage,10\n123456782,2024-01,wage,10\n' > i/incomes.csv
	gbi import -q -d s.db --formats-dir "$F" --format int-bsn p
	expect_rc 0
	before=$(store_sum s.db)
	gbi import -d s.db --formats-dir "$F" --format int-bsn -m 0363 i
	expect_rc 3
	expect_err "incomes.csv:3: bsn '123456782': no such person in persons"
	expect_eq "$(store_sum s.db)" "$before" "store after the refused batch"
}
