# t-import.sh: gbi import end to end: the good path, every class of bad
# input (each with its message, exit status and an unchanged store), inputs
# of every kind, snapshots and re-import.
D="$ROOT/tests/e2e/data/import"

good() { cp -r "$D/good" x; }

test_good_extract_imports() {
	good
	gbi import -d s.db x
	expect_rc 0
	expect_err "batch 1: municipalities 0392: 10 rows read, 10 imported, 0 rejected"
	expect_err "x/persons.csv: 3 rows read, 3 imported, 0 rejected"
	expect_eq "$(q s.db 'select count(*) from persons where live=1')" 3 persons
	expect_eq "$(q s.db "select amount from incomes where bsn='999990019'")" 123456 "income cents"
	expect_eq "$(q s.db "select amount from incomes where bsn='999990032'")" 10050 "income cents"
	expect_eq "$(q s.db "select housing from cases where case_id='H1'")" rent housing
	expect_eq "$(q s.db "select muni from members where bsn='999990044'")" 0392 "member's municipality"
	expect_eq "$(q s.db 'pragma user_version')" 2 "schema version"
	expect_eq "$(stat -c %a s.db)" 600 "store mode"
	expect_eq "$(q s.db "select command || ' ' || exit_status from run")" "import 0" "run recorded"
	expect_eq "$(q s.db "select count(*) from batch_input where length(sha256)=64")" 4 "inputs hashed"
}

test_store_from_environment() {
	good
	GBI_STORE=env.db "$GBI" import -q x 2>err
	expect_eq "$(q env.db 'select count(*) from cases')" 2 "cases in \$GBI_STORE"
	"$GBI" import x 2>err
	[ -f gbi.db ] || fail "no ./gbi.db by default"
}

test_reimport_identical_changes_nothing() {
	good
	gbi import -d s.db x
	before=$(store_sum s.db)
	gbi import -d s.db x
	expect_rc 0
	expect_err "identical to batch 1, which is current: nothing changed"
	expect_eq "$(store_sum s.db)" "$before" "store"
	expect_eq "$(q s.db 'select count(*) from batch')" 1 batches
	expect_eq "$(q s.db 'select count(*) from run')" 2 "runs recorded"
}

test_bad_bsn_refused_store_unchanged() {
	good
	gbi import -d s.db x
	before=$(store_sum s.db)
	printf '999990056,1970-01-01,X,Y,M\n123456789,1970-01-01,X,Y,M\n' >> x/persons.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "gbi import: x/persons.csv:6: bsn '123456789': fails the 11-test"
	expect_err "1 rows rejected, more than --max-rejects 0: nothing imported"
	expect_eq "$(store_sum s.db)" "$before" "store"
	expect_eq "$(q s.db 'select exit_status from run order by id desc limit 1')" 3 "failed run recorded"
}

test_rejects_within_max_keep_batch() {
	good
	printf 'H3,0392,active,2026-02-30,,,rent\nH4,0392,active,2026-01-01,NL91ABNA0417164301,,rent\nH5,0392,sleeping,2026-01-01,,,rent\n' >> x/cases.csv
	gbi import -d s.db --max-rejects 3 --rejects rej.csv x
	expect_rc 1
	expect_err "x/cases.csv:4: start_date '2026-02-30': no such day"
	expect_err "x/cases.csv:5: iban 'NL91ABNA0417164301': fails the IBAN check (mod-97)"
	expect_err "x/cases.csv:6: status 'sleeping': not one of application|active|suspended|ended"
	expect_err "x/cases.csv: 5 rows read, 2 imported, 3 rejected"
	expect_eq "$(stat -c %a rej.csv)" 600 "rejects file mode"
	expect_eq "$(sed -n 1p rej.csv)" "file,line,column,value,reason" "rejects header"
	expect_eq "$(sed -n 2p rej.csv)" "x/cases.csv,4,start_date,2026-02-30,no such day" "first reject"
	expect_eq "$(wc -l < rej.csv)" 4 "rejects lines"
	expect_eq "$(q s.db 'select count(*) from cases where live=1')" 2 "cases kept"
	expect_eq "$(q s.db 'select rows_read || "/" || rows_imported || "/" || rows_rejected from batch')" 13/10/3 "read = imported + rejected"
	expect_eq "$(q s.db 'select count(*) from reject')" 3 "rejects recorded with the batch"
}

test_rejects_over_max_refused() {
	good
	printf 'H3,0392,active,2026-02-30,,,rent\nH4,0392,active,2026-13-01,,,rent\n' >> x/cases.csv
	gbi import -d s.db --max-rejects 1 x
	expect_rc 3
	expect_err "2 rows rejected, more than --max-rejects 1: nothing imported"
	expect_eq "$(q s.db 'select count(*) from cases')" 0 "nothing imported"
	expect_eq "$(q s.db 'select count(*) from batch')" 0 "no batch"
}

test_every_value_type_checked() {
	good
	cat > x/persons.csv <<-'X'
	bsn,birth_date,family_name,given_names,sex
	999990019,1980-05-01,Jansen,Jan,M
	999990032,1982-02-28,Bakker,Els,F
	999990044,1990-12-31,Müller,Zoë,X
	99999001,1980-01-01,,,
	999990056,29-02-2024,,,
	999990068,1980-01-01,,,Q
	X
	cat > x/incomes.csv <<-'X'
	bsn,period,kind,amount,source
	999990019,2026-05,wage,0.005,polis
	999990019,2026-13,wage,1.00,polis
	999990019,2026-05,wage,"1,00",polis
	999990019,2026-05,wage,12345678901234.00,polis
	X
	gbi import -d s.db --max-rejects 100 x
	expect_rc 1
	expect_err "persons.csv:5: bsn '99999001': not 9 digits"
	expect_err "persons.csv:6: birth_date '29-02-2024': not a date in the layout YYYY-MM-DD"
	expect_err "persons.csv:7: sex 'Q': not one of M|F|X"
	expect_err "incomes.csv:2: amount '0.005': more than two decimals"
	expect_err "incomes.csv:3: period '2026-13': no such month"
	expect_err "incomes.csv:4: amount '1,00': wrong decimal mark"
	expect_err "incomes.csv:5: amount '12345678901234.00': amount too large"
}

test_references_checked() {
	good
	printf 'H9,999990019,applicant,,\nH1,999990068,child,,\nH1,999990044,applicant,2025-06-01,\n' >> x/members.csv
	printf 'bsn,period,kind,amount\n999990081,2026-05,wage,1.00\n' > x/incomes.csv
	printf 'H1,0392,active,2025-01-01,,,rent\n' >> x/cases.csv
	printf '999990019,1970-01-01,,,\n' >> x/persons.csv
	gbi import -d s.db --max-rejects 100 --rejects rej.csv x
	expect_rc 1
	expect_err "cases.csv:4: case_id 'H1': duplicate: the same municipality, case_id as line 2"
	expect_err "persons.csv:5: bsn '999990019': duplicate: the same bsn as line 2"
	expect_err "members.csv:5: case_id 'H9': no such case"
	expect_err "members.csv:6: bsn '999990068': no such person in persons"
	expect_err "members.csv:7: role 'applicant': a second applicant in case H1 at the same time (line 2)"
	expect_err "incomes.csv:2: bsn '999990081': no such person in persons"
	expect_eq "$(q s.db 'select count(*) from members where live=1')" 3 "members kept"
}

test_malformed_csv_refused() {
	good
	gbi import -d s.db x
	before=$(store_sum s.db)
	good; rm -r x; good
	printf 'H3,0392,"active,2026-01-01,,,rent\nH4,0392,active,2026-01-01,,,rent\n' >> x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:4: unterminated quote"
	expect_eq "$(store_sum s.db)" "$before" "store after unterminated quote"

	rm -r x; good
	printf 'H3,0392,act"ive,2026-01-01,,,rent\n' >> x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:4: malformed quoting"

	rm -r x; good
	printf 'H3,0392,active,2026-01-01\0,,,rent\n' >> x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:4: NUL byte"

	rm -r x; good
	{ printf 'H3,0392,active,2026-01-01,,"'; head -c 70000 /dev/zero | tr '\0' a; printf '",rent\n'; } >> x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:4: field longer than 65536 bytes"

	rm -r x; good
	: > x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv: empty file (no header row)"
	expect_eq "$(store_sum s.db)" "$before" "store after all of them"
}

test_header_problems_refused() {
	good
	sed -i '1s/.*/case_id,municipality,status,start_date,iban,account_name,status/' x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:1: header: column 'status' appears twice"
	rm -r x; good
	sed -i '1s/.*/case_id,municipality,status,begin,iban,account_name,housing/' x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:1: header: column 'begin' is not in table 'cases' of format gbi-v1"
	rm -r x; good
	cut -d, -f1-3,5- x/cases.csv > c && mv c x/cases.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/cases.csv:1: header: required column 'start_date' is missing"
	expect_eq "$(q s.db 'select count(*) from batch')" 0 "no batch"
}

test_ragged_and_encoding_rows_rejected() {
	good
	printf 'H3,0392,active\nH4,0392,active,2026-01-01,,\377\376,rent\n' >> x/cases.csv
	gbi import -d s.db --max-rejects 5 x
	expect_rc 1
	expect_err "x/cases.csv:4: 3 fields, the header has 7"
	expect_err "x/cases.csv:5: account_name '\\xff\\xfe': invalid UTF-8"
}

test_nl_legacy_format() {
	mkdir y
	printf '\357\273\277dossiernummer;gemeentecode;status;ingangsdatum;woonsituatie\r\nA1;0363;lopend;01-02-2026;huur\r\n' > y/dossiers.csv
	printf 'bsn;geboortedatum;geslachtsnaam;geslacht\r\n999990019;29-02-1984;M\374ller;V\r\n' > y/personen.csv
	printf 'dossiernummer;bsn;rol\r\nA1;999990019;aanvrager\r\n' > y/leden.csv
	printf 'bsn;periode;soort;bedrag\r\n999990019;05-2026;loon;1.234,56\r\n999990019;06-2026;loon;1234,5\r\n999990019;06-2026;gift;1,234.56\r\n' > y/inkomsten.csv
	gbi import -d s.db --format nl-legacy --max-rejects 1 y
	expect_rc 1
	expect_err "y/inkomsten.csv:4: bedrag '1,234.56': more than two decimals"
	expect_eq "$(q s.db "select status || ' ' || start_date from cases")" "active 2026-02-01" "translated case"
	expect_eq "$(q s.db "select family_name || ' ' || birth_date || ' ' || sex from persons")" "Müller 1984-02-29 F" "cp1252 to UTF-8"
	expect_eq "$(q s.db "select group_concat(period || '=' || amount, ' ') from incomes")" "2026-05=123456 2026-06=123450" "decimal comma"
	expect_eq "$(q s.db "select format from batch")" nl-legacy "batch format"
	printf 'bsn;geboortedatum\r\n999990032;01-01-1980\r\n999990044;01-01-1981\201\r\n' > y/personen.csv
	gbi import -d s.db --format nl-legacy --max-rejects 5 y
	expect_err "y/personen.csv:3: geboortedatum '01-01-1981\\x81': a byte that is not in the declared encoding"
}

test_format_file_by_administrator() {
	mkdir f y
	cat > f/tabs.fmt <<-'X'
	name tabs
	base gbi-v1
	separator tab
	date YYYYMMDD
	table persons
	  file mensen
	  column bsn header=BSN
	  column birth_date header=GEBDAT
	X
	printf 'BSN\tGEBDAT\n999990019\t19800501\n' > y/mensen.csv
	gbi import -d s.db --format f/tabs.fmt -m 0392 y
	expect_rc 0
	expect_eq "$(q s.db 'select birth_date from persons')" 1980-05-01 "date from YYYYMMDD"
	GBI_FORMATS=f "$GBI" import -d s2.db --format tabs -m 0392 y 2>err
	expect_eq "$(q s2.db 'select count(*) from persons')" 1 "format from \$GBI_FORMATS"
	gbi import -d s3.db --format nosuch y
	expect_rc 2
	expect_err "format 'nosuch': no such format"
	printf 'name broken\nbase gbi-v1\ntable persons\n  column nosuch header=X\n' > f/broken.fmt
	gbi import -d s3.db --format f/broken.fmt y
	expect_rc 3
	expect_err "f/broken.fmt:4: column 'nosuch' is not in base format 'gbi-v1'"
}

test_inputs_compressed_archives_stdin() {
	good
	mkdir z
	gzip -c x/cases.csv > z/cases.csv.gz
	zstd -q -c x/persons.csv > z/persons.csv.zst
	cp x/members.csv x/incomes.csv z/
	gbi import -d a.db z
	expect_rc 0
	expect_err "z/cases.csv.gz: 2 rows read, 2 imported"
	expect_err "z/persons.csv.zst: 3 rows read, 3 imported"
	(cd x && tar cf - *.csv | zstd -q -c > ../x.tar.zst && tar czf ../x.tar.gz *.csv && zip -q ../x.zip *.csv)
	for a in x.tar.zst x.tar.gz x.zip; do
		gbi import -d "$a.db" "$a"
		expect_rc 0
		expect_err "$a:persons.csv: 3 rows read, 3 imported, 0 rejected"
	done
	# the same content gives the same digest, whatever the packaging
	expect_eq "$(q x.zip.db 'select digest from batch')" "$(q a.db 'select digest from batch')" "digest"
	gbi import -d b.db --table cases - < x/cases.csv
	expect_rc 0
	expect_err "<stdin>: 2 rows read, 2 imported, 0 rejected"
	gzip -c x/cases.csv | "$GBI" import -d c.db --table cases - 2>err
	expect_eq "$(q c.db 'select count(*) from cases')" 2 "gzip on stdin"
	gbi import -d b.db - < x/cases.csv
	expect_rc 2
	expect_err "reading standard input needs --table TABLE"
}

test_archive_paths_refused() {
	good
	mkdir -p t/sub && cp x/cases.csv t/sub/ && cp x/persons.csv t/
	(cd t/sub && tar cPf ../../dotdot.tar ../persons.csv)
	tar cf abs.tar -P "$PWD/t/persons.csv"
	ln -s persons.csv t/link.csv
	(cd t && tar cf ../link.tar link.csv)
	for a in dotdot abs link; do
		gbi import -d s.db "$a.tar"
		expect_rc 3
	done
	gbi import -d s.db dotdot.tar
	expect_err "refused: absolute path or '..' in an archive entry"
	gbi import -d s.db abs.tar
	expect_err "refused: absolute path or '..' in an archive entry"
	gbi import -d s.db link.tar
	expect_err "link.tar:link.csv: refused: archive entry is a link or device, not a file"
	expect_eq "$(q s.db 'select count(*) from batch')" 0 "no batch"
	{ echo 'case_id,municipality,status,start_date'; yes 'C1,0392,active,2026-01-01' | head -n 200000; } | gzip -c > big.csv.gz
	gbi import -d s.db --table cases --max-bytes 1000000 big.csv.gz
	expect_rc 3
	expect_err "big.csv.gz: more than 1000000 bytes decompressed (--max-bytes)"
}

test_unknown_table_and_scope() {
	good
	printf 'a,b\n1,2\n' > x/notes.csv
	gbi import -d s.db x
	expect_rc 3
	expect_err "x/notes.csv: 'notes' is not a table of format gbi-v1"
	mkdir y && cp x/persons.csv y/
	gbi import -d s.db y
	expect_rc 3
	expect_err "cannot tell which municipality this batch covers"
	gbi import -d s.db -m 0392 y
	expect_rc 0
	gbi import -d new.db -m 392 y
	expect_rc 2
	expect_err "--municipality '392': not a 4-digit CBS code"
	[ -e new.db ] && fail "a usage error created a store"
	gbi import -d new.db --table cases x
	expect_rc 2
	expect_err "--table names the table of one file or of standard input"
	gbi log -d nosuch.db
	expect_rc 3
	expect_err "no store at 'nosuch.db'"
	[ -e nosuch.db ] && fail "gbi log created a store"
}

test_snapshot_replaces_and_prune() {
	good
	gbi import -d s.db x
	sed -i '/^H2/d' x/cases.csv
	sed -i '/^H2/d' x/members.csv
	gbi import -d s.db x
	expect_rc 0
	expect_eq "$(q s.db 'select group_concat(case_id) from cases where live=1')" H1 "current cases"
	expect_eq "$(q s.db 'select count(*) from cases where live=0')" 2 "replaced rows kept for audit"
	expect_eq "$(q s.db 'select count(*) from persons where live=1')" 3 "persons current"
	# a batch of other tables leaves cases as they were
	mkdir y && cp x/incomes.csv y/
	gbi import -d s.db -m 0392 y
	expect_eq "$(q s.db 'select count(*) from cases where live=1')" 1 "cases untouched"
	expect_eq "$(q s.db 'select count(*) from incomes where live=1')" 2 "incomes current"
	gbi prune -d s.db --keep 1
	expect_rc 0
	expect_err "removed 12 replaced rows and 1 batches"
	expect_eq "$(q s.db 'select count(*) from cases where live=0')" 0 "replaced rows pruned"
	expect_eq "$(q s.db 'select count(*) from cases where live=1')" 1 "current rows kept"
	gbi log -d s.db
	expect_rc 0
	expect_eq "$(sed -n 1p out | cut -d' ' -f1-2)" "run 5" "newest first"
	expect_out "batch 3  format gbi-v1  municipalities 0392  tables incomes"
}

test_other_municipality_untouched() {
	good
	gbi import -d s.db x
	mkdir y
	printf 'case_id,municipality,status,start_date\nA1,0363,active,2026-01-01\n' > y/cases.csv
	gbi import -d s.db y
	expect_rc 0
	expect_eq "$(q s.db 'select group_concat(case_id) from (select case_id from cases where live=1 order by case_id)')" A1,H1,H2 "both municipalities current"
}

test_store_refusals() {
	good
	gbi import -d s.db x
	sqlite3 s.db 'pragma user_version=99'
	gbi import -d s.db x
	expect_rc 3
	expect_err "store 's.db' has schema version 99, written by a newer gbi"
	sqlite3 other.db 'create table t(x)'
	gbi log -d other.db
	expect_rc 3
	expect_err "'other.db' is an SQLite database but not a gbi store"
}

test_store_busy() {
	good
	gbi import -d s.db x
	(echo 'BEGIN EXCLUSIVE;'; sleep 3; echo 'COMMIT;') | sqlite3 s.db &
	sleep 1
	gbi import -d s.db --busy-timeout 1 x
	expect_rc 4
	expect_err "store 's.db' is busy: another gbi is writing to it; retry later"
	wait
}

test_front_end() {
	gbi --version
	expect_rc 0
	expect_out "gbi 0."
	gbi --help
	expect_rc 0
	expect_out "import"
	gbi help import
	expect_rc 0
	expect_out "usage: gbi import"
	gbi import --help
	expect_rc 0
	expect_out "usage: gbi import"
	gbi import --bogus
	expect_rc 2
	expect_err "unknown option '--bogus'"
	gbi import
	expect_rc 2
	expect_err "no INPUT given"
	gbi nosuch
	expect_rc 2
	gbi import -d s.db --max-rejects x y
	expect_rc 2
	if [ -w /dev/full ]; then
		"$GBI" --help > /dev/full 2>err; rc=$?
		expect_rc 5
		expect_err "write error"
	fi
}

test_format_owner_checked() {
	mkdir f
	printf 'name o1\ntable t\n  column m municipality\n  owner m\n' > f/o1.fmt
	printf 'name o2\ntable t\n  owner nosuch\n  column m municipality\n' > f/o2.fmt
	printf 'case_id,municipality,status,start_date\n' > cases.csv
	gbi import -d s.db --format f/o2.fmt cases.csv
	expect_rc 3
	expect_err "table 't': owner 'nosuch' is not a column of the table"
}

test_case_rows_before_cases_in_archive() {
	good
	(cd x && tar cf ../order.tar members.csv persons.csv cases.csv incomes.csv)
	gbi import -d s.db order.tar
	expect_rc 0
	expect_eq "$(q s.db "select group_concat(muni) from members where live=1")" 0392,0392,0392 "members' municipality"
	# the same case id in two municipalities is ambiguous without -m
	mkdir y
	printf 'case_id,municipality,status,start_date\nH1,0363,active,2026-01-01\n' > y/cases.csv
	gbi import -d s.db y
	mkdir z
	printf 'case_id,kind,value,reference_date\nH1,bank,10.00,2026-01-01\n' > z/assets.csv
	gbi import -d s.db z
	expect_rc 3
	expect_err "z/assets.csv:2: case_id 'H1': case id exists in several municipalities"
	gbi import -d s.db -m 0363 z
	expect_rc 0
	expect_eq "$(q s.db "select muni from assets where live=1")" 0363 "resolved with -m"
}

# From the review: a table replaces only the municipalities it delivers.
test_scope_per_table() {
	S="$SAMPLES/gbi-v1"
	gbi import -q -d s.db "$S"
	before=$(q s.db "select count(*) from cases where live=1 and muni='0363'")
	mkdir b
	head -1 "$S/cases.csv" > b/cases.csv; grep ',0392,' "$S/cases.csv" >> b/cases.csv
	head -1 "$S/members.csv" > b/members.csv; grep '^H' "$S/members.csv" >> b/members.csv
	grep '^A001,' "$S/members.csv" >> b/members.csv
	gbi import -d s.db --max-rejects 5 b
	expect_rc 1
	expect_err "case_id 'A001': case of municipality 0363, for which this batch delivers no cases"
	expect_err "batch 2: municipalities 0392:"
	expect_eq "$(q s.db "select count(*) from cases where live=1 and muni='0363'")" "$before" "0363's cases stay"
	expect_eq "$(q s.db "select count(*) from members where live=1 and muni='0363'")" 21 "0363's members stay"
	# cases of one municipality and policy of another: each replaces its own
	mkdir c
	head -1 "$S/cases.csv" > c/cases.csv; grep ',0392,' "$S/cases.csv" >> c/cases.csv
	head -1 "$S/policy.csv" > c/policy.csv; grep '^0363,' "$S/policy.csv" >> c/policy.csv
	gbi import -d s.db c
	expect_rc 0
	expect_eq "$(q s.db "select count(*) from cases where live=1 and muni='0363'")" "$before" "0363's cases stay"
	expect_eq "$(q s.db "select count(*) from policy where live=1 and muni='0392'")" "$(grep -c '^0392,' "$S/policy.csv")" "0392's policy stays"
}

test_reimport_identical_with_rejects_keeps_status() {
	printf 'bsn,birth_date\n999990019,1980-01-01\n999990XXX,1980-01-01\n' > persons.csv
	gbi import -d s.db -m 0392 --max-rejects 5 persons.csv
	expect_rc 1
	gbi import -d s.db -m 0392 --max-rejects 5 persons.csv
	expect_rc 1
	expect_err "identical to batch 1, which is current: nothing changed (its rejected rows are still rejected)"
	gbi import -d s.db -m 0392 persons.csv
	expect_rc 3
	expect_err "1 rows rejected, more than --max-rejects 0 (the input is identical to batch 1"
}

test_header_with_quote_in_format() {
	mkdir f in
	printf "name mine\nbase gbi-v1\ntable members\n  column bsn header=client's_bsn\n" > f/mine.fmt
	cp "$D/good/cases.csv" "$D/good/persons.csv" in/
	printf "case_id,client's_bsn,role\nH1,999990019,applicant\nH1,999990093,child\n" > in/members.csv
	gbi import -d s.db --formats-dir f --format mine --max-rejects 5 in
	expect_rc 1
	expect_err "in/members.csv:3: client's_bsn '999990093': no such person in persons"
}

test_refused_batch_says_nothing_of_replacing() {
	good
	mkdir y && cp x/cases.csv y/ && cp x/persons.csv y/
	sed -i 's/^H2,0392/H2,0363/' y/cases.csv
	gbi import -d s.db y
	printf 'bsn,birth_date\n999990019,1980-01-01,x\n' > p.csv
	gbi import -d s.db --table persons -m 0392 p.csv
	expect_rc 3
	expect_no_err "stay current"
	printf 'bsn,birth_date\n999990019,1980-01-01\n' > p.csv
	gbi import -d s.db --table persons -m 0392 p.csv
	expect_rc 0
	expect_err "warning: persons: the rows of batch 1 stay current for 0363"
}

test_file_naming_no_table_is_usage_error() {
	cp "$D/good/persons.csv" foo.txt
	gbi import -d new.db foo.txt
	expect_rc 2
	expect_err "foo.txt: cannot tell which table this is: name it TABLE.csv or give --table"
	[ -e new.db ] && fail "a usage error created a store"
	gbi import -d new.db -m 0392 --table persons foo.txt
	expect_rc 0
}

test_rejects_file_kept_when_store_busy() {
	good
	printf 'H3,0392,active,2026-02-30,,,rent\n' >> x/cases.csv
	gbi import -d s.db --max-rejects 5 --rejects rej.csv x
	expect_rc 1
	cp rej.csv before.csv
	(echo 'BEGIN EXCLUSIVE;'; sleep 3; echo 'COMMIT;') | sqlite3 s.db &
	sleep 1
	sed -i 's/^H1,/H9,/' x/cases.csv
	gbi import -d s.db --busy-timeout 1 --max-rejects 5 --rejects rej.csv x
	expect_rc 4
	wait
	expect_file rej.csv before.csv
	[ -z "$(ls rej.csv.* 2>/dev/null)" ] || fail "a temporary rejects file was left"
	printf 'H4,0392,active,2026-13-01,,,rent\n' >> x/cases.csv
	gbi import -d s.db --rejects rej.csv x
	expect_rc 3
	expect_eq "$(wc -l < rej.csv)" 5 "rejects of a refused batch are written"
	expect_eq "$(stat -c %a rej.csv)" 600 "mode"
}
