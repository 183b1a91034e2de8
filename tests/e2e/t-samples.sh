# t-samples.sh: the bundled samples (both formats) and the generator gbi-gen.

DATA_TABLES="cases persons members addresses incomes assets sanctions detentions studies
	stays_abroad vehicles properties benefits contracts payments policy"

# live_dump STORE: every data table's live rows without batch_id and line, sorted
live_dump() {
	for t in $DATA_TABLES; do
		cols=$(q "$1" "SELECT group_concat(name, ',') FROM pragma_table_info('$t') WHERE name NOT IN ('batch_id','line')")
		echo "== $t"
		q "$1" "SELECT $cols FROM $t WHERE live=1 ORDER BY $cols"
	done
}

# count STORE TABLE: live rows
count() { q "$1" "SELECT count(*) FROM $2 WHERE live=1"; }

expect_sample_counts() {
	expect_eq "$(count "$1" cases)" 41 "cases"
	expect_eq "$(count "$1" persons)" 50 "persons"
	expect_eq "$(count "$1" members)" 48 "members"
	expect_eq "$(count "$1" addresses)" 49 "addresses"
	expect_eq "$(count "$1" incomes)" 114 "incomes"
	expect_eq "$(count "$1" assets)" 10 "assets"
	expect_eq "$(count "$1" policy)" 23 "policy"
	expect_eq "$(count "$1" studies)" 3 "studies"
	expect_eq "$(count "$1" benefits)" 3 "benefits"
	for t in sanctions detentions stays_abroad vehicles properties contracts; do
		expect_eq "$(count "$1" $t)" 1 "$t"
	done
	expect_eq "$(q "$1" "SELECT sum(rows_rejected) FROM batch")" 0 "rejected rows"
	expect_eq "$(q "$1" "SELECT municipalities FROM batch")" "0363,0392" "municipalities"
}

test_samples_gbi_v1_import_clean() {
	gbi import -d s.db "$SAMPLES/gbi-v1"
	expect_rc 0
	expect_err "0 rejected"
	expect_no_err "rejected row"
	expect_sample_counts s.db
}

test_samples_nl_legacy_import_clean() {
	gbi import -d s.db --format nl-legacy "$SAMPLES/nl-legacy"
	expect_rc 0
	expect_err "0 rejected"
	expect_sample_counts s.db
}

test_samples_formats_give_same_data() {
	gbi import -d v1.db "$SAMPLES/gbi-v1"
	expect_rc 0
	gbi import -d nl.db --format nl-legacy "$SAMPLES/nl-legacy"
	expect_rc 0
	live_dump v1.db >v1.txt
	live_dump nl.db >nl.txt
	expect_file nl.txt v1.txt
	[ "$(wc -l <v1.txt)" -gt 250 ] || fail "the dump has only $(wc -l <v1.txt) lines"
}

# The legacy files really are what the set claims to exercise.
test_samples_nl_legacy_encodings() {
	d="$SAMPLES/nl-legacy"
	# cp1252: "Müller, H." has ü as the single byte 0xFC; CRLF line ends
	expect_eq "$(grep -c "$(printf 'M\374ller, H\\.')" "$d/dossiers.csv")" 1 "cp1252 Müller in dossiers.csv"
	expect_eq "$(head -c 3 "$d/personen.csv" | od -An -tx1 | tr -d ' ')" efbbbf "BOM of personen.csv"
	expect_eq "$(head -c 3 "$d/dossiers.csv" | od -An -tx1 | tr -d ' ')" 646f73 "start of dossiers.csv (no BOM)"
	expect_eq "$(grep -vc "$(printf '\r')\$" "$d/inkomsten.csv")" 0 "lines without CR in inkomsten.csv"
	grep -q '15\.000,00' "$d/vermogen.csv" || fail "vermogen.csv lacks 15.000,00"
	gbi import -d s.db --format nl-legacy "$d"
	expect_eq "$(q s.db "SELECT account_name FROM cases WHERE live=1 AND case_id='H006'")" "Müller, H." "H006 account_name"
	expect_eq "$(q s.db "SELECT family_name FROM persons WHERE live=1 AND given_names='Deniz'")" "Yılmaz" "UTF-8 name"
	expect_eq "$(q s.db "SELECT sum(value) FROM assets WHERE live=1 AND case_id='H011'")" 1600001 "H011 assets (cents)"
	expect_eq "$(q s.db "SELECT sum(value) FROM assets WHERE live=1 AND case_id='A006'")" 800000 "A006 assets (cents)"
	expect_eq "$(q s.db "SELECT value FROM policy WHERE live=1 AND municipality='0363' AND key='housing_reduction_percent' ORDER BY valid_from DESC LIMIT 1")" 20 "0363 housing reduction"
	expect_eq "$(q s.db "SELECT period || ' ' || amount FROM incomes WHERE live=1 AND kind='gift' ORDER BY period LIMIT 1 OFFSET 2")" "2026-05 60000" "third gift"
}

# Every sample BSN is from the 9999 test range; the samples are what the
# README promises to later commands.
test_samples_households() {
	gbi import -d s.db "$SAMPLES/gbi-v1"
	expect_eq "$(q s.db "SELECT count(*) FROM persons WHERE live=1 AND bsn NOT LIKE '9999%'")" 0 "BSNs outside 9999"
	expect_eq "$(q s.db "SELECT count(*) FROM cases WHERE live=1 AND municipality='0392'")" 21 "Haarlem cases"
	expect_eq "$(q s.db "SELECT count(*) FROM cases WHERE live=1 AND municipality='0363'")" 20 "Amsterdam cases"
	# H006: a housemate of 27+ at the couple's address who is not a member
	expect_eq "$(q s.db "SELECT count(*) FROM addresses a JOIN addresses b ON a.postcode=b.postcode
		AND a.house_number=b.house_number AND a.bsn<>b.bsn
		JOIN members m ON m.bsn=a.bsn AND m.case_id='H006' AND m.role='applicant' AND m.live=1
		WHERE a.live=1 AND b.live=1 AND b.bsn NOT IN (SELECT bsn FROM members WHERE live=1)")" 1 "H006 housemates"
	expect_eq "$(q s.db "SELECT case_id FROM cases WHERE live=1 AND iban IN
		(SELECT iban FROM cases WHERE live=1 GROUP BY iban HAVING count(*) > 1) ORDER BY case_id" | tr '\n' ' ')" "H001 H013 " "shared IBAN"
	expect_eq "$(q s.db "SELECT start_date FROM cases WHERE live=1 AND case_id='H014'")" 2026-05-13 "partial month"
	expect_eq "$(q s.db "SELECT birth_date FROM persons p JOIN members m ON m.bsn=p.bsn AND m.case_id='H010' WHERE p.live=1")" 1959-03-03 "AOW-age applicant"
	expect_eq "$(q s.db "SELECT percent || ' ' || reason FROM sanctions WHERE live=1")" "30 01" "sanction"
	expect_eq "$(q s.db "SELECT status FROM cases WHERE live=1 AND case_id IN ('A012','A013') ORDER BY case_id" | tr '\n' ' ')" "application ended " "statuses"
}

# ---- gbi-gen ------------------------------------------------------------------

test_gen_deterministic() {
	need_gen
	"$GBI_GEN" -n 500 -s 7 -o a >a.out 2>a.err || fail "gbi-gen a: exit $?"
	"$GBI_GEN" -n 500 -s 7 -o b >b.out 2>b.err || fail "gbi-gen b: exit $?"
	"$GBI_GEN" -n 500 -s 8 -o c >c.out 2>c.err || fail "gbi-gen c: exit $?"
	(cd a && sha256sum *.csv) >a.sum
	(cd b && sha256sum *.csv) >b.sum
	(cd c && sha256sum *.csv) >c.sum
	expect_eq "$(wc -l <a.sum)" 15 "files written"
	expect_file b.sum a.sum
	expect_file b.out a.out
	cmp -s a.sum c.sum && fail "seed 8 wrote the same files as seed 7"
	[ -s a.err ] && fail "gbi-gen wrote to stderr: $(head -1 a.err)"
	expect_eq "$(stat -c %a a/persons.csv)" 600 "mode of persons.csv"
	expect_eq "$(grep -c . a/cases.csv)" 501 "cases.csv lines"
}

test_gen_imports_clean() {
	need_gen
	"$GBI_GEN" -n 2000 -s 3 -o g >summary || fail "gbi-gen: exit $?"
	gbi import -d g.db g
	expect_rc 0
	expect_eq "$(q g.db "SELECT sum(rows_rejected) FROM batch")" 0 "rejected rows"
	expect_eq "$(count g.db cases)" 2000 "cases"
	for t in persons members addresses incomes assets sanctions studies detentions stays_abroad \
		vehicles properties benefits contracts policy; do
		want=$(awk -v f="$t.csv" '$1 == f { print $2 }' summary)
		expect_eq "$(count g.db $t)" "$want" "$t (summary says $want)"
		expect_eq "$(($(wc -l <g/$t.csv) - 1))" "$want" "$t.csv data lines"
	done
	p=$(count g.db persons)
	[ "$p" -ge 4400 ] && [ "$p" -le 5200 ] || fail "persons $p: not about 2.4 per household"
	i=$(count g.db incomes)
	[ "$i" -ge 6000 ] && [ "$i" -le 7400 ] || fail "incomes $i: not about 3.3 per household"
	expect_eq "$(q g.db "SELECT count(*) FROM members WHERE live=1 AND role='applicant'")" 2000 "applicants"
	expect_eq "$(q g.db "SELECT count(DISTINCT municipality) FROM cases WHERE live=1")" 32 "municipalities"
	expect_eq "$(q g.db "SELECT count(*) FROM persons WHERE live=1 AND bsn NOT LIKE '9%'")" 0 "BSNs outside 9xxxxxxxx"
	# every person has an address; housemates share the applicant's
	expect_eq "$(q g.db "SELECT count(*) FROM persons p WHERE live=1 AND NOT EXISTS
		(SELECT 1 FROM addresses a WHERE a.live=1 AND a.bsn=p.bsn)")" 0 "persons without address"
	h=$(q g.db "SELECT count(*) FROM persons WHERE live=1 AND bsn NOT IN (SELECT bsn FROM members WHERE live=1)")
	[ "$h" -gt 100 ] || fail "only $h housemates"
}

test_gen_usage() {
	need_gen
	"$GBI_GEN" --help >out 2>err
	expect_eq "$?" 0 "--help exit status"
	expect_out "usage: gbi-gen [-n HOUSEHOLDS] [-s SEED] [-o DIR]"
	"$GBI_GEN" -n 12x >out 2>err
	expect_eq "$?" 2 "-n 12x exit status"
	expect_err "gbi-gen: -n '12x'"
	"$GBI_GEN" -n 0 >out 2>err
	expect_eq "$?" 2 "-n 0 exit status"
	"$GBI_GEN" -s -1 >out 2>err
	expect_eq "$?" 2 "-s -1 exit status"
	"$GBI_GEN" extra >out 2>err
	expect_eq "$?" 2 "extra argument exit status"
	expect_err "unexpected argument 'extra'"
	[ -s out ] && fail "usage errors wrote to stdout"
	ls ./*.csv >/dev/null 2>&1 && fail "usage errors wrote files"
	: >file
	"$GBI_GEN" -n 1 -o file/x >out 2>err
	expect_eq "$?" 5 "unwritable -o exit status"
	expect_err "gbi-gen: file/x"
}
