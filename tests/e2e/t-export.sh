# t-export.sh: gbi export.  Most tests run on a store of samples/gbi-v1 with
# a hand-written calculation run (data/export/calc.sql: known amounts, held,
# nil and not_entitled cases, names with diacritics); test_real_pipeline
# runs gbi calculate itself.

DATA="$ROOT/tests/e2e/data/export"
XSD="$SHARED/xsd"

# a store with the samples, calc run 1 and verify run 1 for 2026-05
setup() {
	"$GBI" import -q -d s.db "$SAMPLES/gbi-v1" 2>/dev/null || fail "import of the samples failed"
	sqlite3 s.db < "$DATA/calc.sql" && sqlite3 s.db < "$DATA/verify.sql" || fail "loading the fixture failed"
}

# x FILE XPATH: an XPath value of a pain.001, namespace-blind
x() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}
el() {  # el NAME: XPath for elements by local name
	echo "//*[local-name()='$1']"
}

validate() {  # validate FILE VERSION(09|03)
	[ -d "$XSD" ] || { echo "  (no $XSD: schema validation skipped)"; return 0; }
	xmllint --noout --schema "$XSD/pain.001.001.$2.xsd" "$1" 2>xsd.err || {
		fail "$1 is not valid pain.001.001.$2"; head -5 xsd.err | sed 's/^/    /'; }
}

# the sums, counts and ids of a pain.001 against themselves
check_pain() {
	f=$1
	n=$(x "$f" "count($(el CdtTrfTxInf))")
	expect_eq "$(x "$f" "string(//*[local-name()='GrpHdr']/*[local-name()='NbOfTxs'])")" "$n" "GrpHdr NbOfTxs"
	sum=$(x "$f" "$(el InstdAmt)/text()" | awk '{ split($0, a, "."); c += a[1] * 100 + a[2] } END { printf "%d.%02d", c / 100, c % 100 }')
	expect_eq "$(x "$f" "string(//*[local-name()='GrpHdr']/*[local-name()='CtrlSum'])")" "$sum" "GrpHdr CtrlSum"
	blocks=$(x "$f" "count($(el PmtInf))")
	i=1
	while [ "$i" -le "$blocks" ]; do
		b="(//*[local-name()='PmtInf'])[$i]"
		bn=$(x "$f" "count($b/*[local-name()='CdtTrfTxInf'])")
		expect_eq "$(x "$f" "string($b/*[local-name()='NbOfTxs'])")" "$bn" "block $i NbOfTxs"
		bs=$(x "$f" "$b//*[local-name()='InstdAmt']/text()" | awk '{ split($0, a, "."); c += a[1] * 100 + a[2] } END { printf "%d.%02d", c / 100, c % 100 }')
		expect_eq "$(x "$f" "string($b/*[local-name()='CtrlSum'])")" "$bs" "block $i CtrlSum"
		[ "$bn" -le 100000 ] || fail "block $i has $bn transactions"
		i=$((i + 1))
	done
	dup=$(x "$f" "$(el EndToEndId)/text()" | sort | uniq -d)
	expect_eq "$dup" "" "repeated EndToEndIds"
	for id in $(x "$f" "$(el EndToEndId)/text()"); do
		[ ${#id} -le 35 ] || fail "EndToEndId '$id' longer than 35"
	done
	expect_eq "$(head -c 5 "$f")" "<?xml" "start (no BOM)"
	expect_eq "$(x "$f" "string(($(el ChrgBr))[1])")" "SLEV" "ChrgBr"
	expect_eq "$(x "$f" "count($(el PstlAdr))")" "0" "postal addresses"
	if LC_ALL=C grep -q "[^ -~]" "$f"; then fail "bytes outside ASCII in $f"; fi
}

test_pain001_v09() {
	setup
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 0
	validate pay.xml 09
	check_pain pay.xml
	expect_eq "$(x pay.xml "count($(el CdtTrfTxInf))")" "8" "transactions"
	expect_eq "$(x pay.xml "count($(el PmtInf))")" "2" "payment blocks"
	expect_eq "$(grep -c '^<CdtTrfTxInf>' pay.xml)" "8" "one transaction per line"
	expect_eq "$(x pay.xml "string(//*[local-name()='GrpHdr']/*[local-name()='CtrlSum'])")" "8498.45" "CtrlSum"
	# held, nil and not_entitled cases are absent
	ids=$(x pay.xml "$(el EndToEndId)/text()" | tr '\n' ' ')
	expect_eq "$ids" "0363-202605-A001 0363-202605-A002 0363-202605-A016 0392-202605-H001 0392-202605-H002 0392-202605-H003 0392-202605-H007 0392-202605-H013 " "EndToEndIds"
	expect_eq "$(x pay.xml "string(//*[local-name()='CdtTrfTxInf'][.//*[local-name()='EndToEndId']='0392-202605-H001']//*[local-name()='InstdAmt'])")" "1234.56" "H001 amount"
	expect_eq "$(x pay.xml "string(//*[local-name()='CdtTrfTxInf'][.//*[local-name()='EndToEndId']='0392-202605-H007']//*[local-name()='InstdAmt'])")" "0.01" "H007 amount"
	expect_eq "$(x pay.xml "string(//*[local-name()='CdtTrfTxInf'][.//*[local-name()='EndToEndId']='0392-202605-H013']//*[local-name()='Ustrd'])")" "Bijstand 2026-05 H013" "remittance"
	# diacritics and characters outside the set transliterated
	names=$(x pay.xml "//*[local-name()='Cdtr']/*[local-name()='Nm']/text()" | tr '\n' '|')
	expect_eq "$names" "A. Haddou|Odegard + Son- 'Bij' 'Test' ss|C. Lefevre|P. Bakker|Z. Jansen|M. Celik|L. Visser|T. Mulder|" "creditor names"
	# the debtor of each block from the policy, execution date from payment_day
	expect_eq "$(x pay.xml "string((//*[local-name()='DbtrAcct'])[2]//*[local-name()='IBAN'])")" "NL60BNGH0285045123" "0392 debtor IBAN"
	expect_eq "$(x pay.xml "string((//*[local-name()='Dbtr'])[2]/*[local-name()='Nm'])")" "Gemeente Haarlem" "0392 debtor"
	expect_eq "$(x pay.xml "string(($(el BICFI))[1])")" "BNGHNL2G" "BICFI"
	expect_eq "$(x pay.xml "string(($(el ReqdExctnDt))[1]/*[local-name()='Dt'])")" "2026-05-25" "execution date"
	expect_eq "$(x pay.xml "string(($(el CtgyPurp))[1]/*[local-name()='Cd'])")" "SSBE" "category purpose"
	expect_eq "$(x pay.xml "string(($(el SvcLvl))[1]/*[local-name()='Cd'])")" "SEPA" "service level"
	# SHA-256 and totals on stderr, file mode 0600
	expect_err "sha256 $(sha256sum pay.xml | cut -c1-64)"
	expect_err "8 transactions in 2 payment blocks, total EUR 8498.45"
	expect_eq "$(stat -c %a pay.xml)" "600" "mode"
	# the same file twice: byte-identical (same MsgId: a bank refuses a repeat)
	gbi export pain001 -d s.db --period 2026-05 -o pay2.xml
	cmp -s pay.xml pay2.xml || fail "a second export differs"
	# --indent: the same document, one element per line
	gbi export pain001 -d s.db --period 2026-05 --indent -o ind.xml
	validate ind.xml 09
	expect_eq "$(xmllint --c14n ind.xml | tr -d ' \n' | sha256sum)" "$(xmllint --c14n pay.xml | tr -d ' \n' | sha256sum)" "indented = plain"
}

test_pain001_v03_split_and_date() {
	setup
	gbi export pain001 -d s.db --period 2026-05 --version 03 --batch-size 2 --date 2026-05-28 -o pay.xml
	expect_rc 0
	validate pay.xml 03
	check_pain pay.xml
	# 0363: 3 -> 2+1, 0392: 5 -> 2+2+1
	expect_eq "$(x pay.xml "count($(el PmtInf))")" "5" "payment blocks"
	expect_eq "$(x pay.xml "$(el PmtInfId)/text()" | tr '\n' ' ')" "GBI-202605-R1-0363-1 GBI-202605-R1-0363-2 GBI-202605-R1-0392-1 GBI-202605-R1-0392-2 GBI-202605-R1-0392-3 " "PmtInfIds"
	expect_eq "$(x pay.xml "string(($(el ReqdExctnDt))[1])")" "2026-05-28" "execution date (.03: no Dt)"
	expect_eq "$(x pay.xml "count($(el BIC))")" "5" "BIC elements (.03)"
	expect_eq "$(x pay.xml "count($(el BICFI))")" "0" "no BICFI in .03"
	expect_eq "$(x pay.xml "namespace-uri(/*)")" "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" "namespace"
}

test_pain001_municipality_filter() {
	setup
	gbi export pain001 -d s.db --period 2026-05 -m 0392 -o pay.xml
	expect_rc 0
	validate pay.xml 09
	check_pain pay.xml
	expect_eq "$(x pay.xml "count($(el CdtTrfTxInf))")" "5" "transactions of 0392"
	expect_eq "$(x pay.xml "string(//*[local-name()='GrpHdr']/*[local-name()='CtrlSum'])")" "4665.12" "CtrlSum of 0392"
	expect_eq "$(x pay.xml "string(($(el InitgPty))[1]/*[local-name()='Nm'])")" "Gemeente Haarlem" "initiating party"
	gbi export pain001 -d s.db --period 2026-05 -m 0000 -o none.xml
	expect_rc 3
	expect_err "no payable cases"
	[ ! -e none.xml ] || fail "none.xml written"
}

test_missing_debtor_iban() {
	setup
	sqlite3 s.db "UPDATE policy SET live = 0 WHERE municipality = '0392' AND key = 'debtor_iban'"
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 3
	expect_err "debtor_iban"
	expect_err "0392"
	[ ! -e pay.xml ] || fail "pay.xml left behind"
	expect_eq "$(ls | grep -c 'pay.xml')" "0" "temporary files left"
	gbi export bundle -d s.db --period 2026-05 -o b.tar.zst
	expect_rc 3
	[ ! -e b.tar.zst ] || fail "b.tar.zst left behind"
	# a bad IBAN of a case stops the file too
	sqlite3 s.db "UPDATE policy SET live = 1 WHERE municipality = '0392' AND key = 'debtor_iban';
		UPDATE calc_result SET iban = 'NL67INGB0006543211' WHERE case_id = 'H002'"
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 3
	expect_err "case H002: iban 'NL67INGB0006543211': fails the IBAN check (mod-97)"
	[ ! -e pay.xml ] || fail "pay.xml left behind"
}

test_no_or_stale_run() {
	"$GBI" import -q -d s.db "$SAMPLES/gbi-v1" 2>/dev/null
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 3
	expect_err "no calculation run for period 2026-05: run 'gbi calculate --period 2026-05' first"
	sqlite3 s.db < "$DATA/calc.sql"
	# a later import makes the run stale
	sqlite3 s.db "INSERT INTO batch(run_id, created, format, municipalities, tables, digest, rows_read, rows_imported, rows_rejected)
		VALUES (1, '2026-05-21T00:00:00Z', 'gbi-v1', '0392', 'cases', 'x', 0, 0, 0)"
	gbi export payments -d s.db --period 2026-05 -o p.csv
	expect_rc 3
	expect_err "calculation run 1 for 2026-05 is stale"
	[ ! -e p.csv ] || fail "p.csv written"
	gbi export payments -d s.db --period 2026-05 --run 1 -o p.csv
	expect_rc 0
	expect_eq "$(wc -l < p.csv)" "9" "payments with --run"
	gbi export payments -d s.db --period 2026-06 --run 1
	expect_rc 3
	expect_err "calculation run 1 is for period 2026-05, not 2026-06"
}

test_payments_results_findings_stats() {
	setup
	gbi export payments -d s.db --period 2026-05
	expect_rc 0
	cat > want <<'EOF'
municipality,case_id,period,iban,name,amount,end_to_end_id
0363,A001,2026-05,NL15ABNA0432109876,A. Haddou,2000.00,0363-202605-A001
0363,A002,2026-05,NL18INGB0007788990,Odegard + Son- 'Bij' 'Test' ss,500.00,0363-202605-A002
0363,A016,2026-05,NL59ABNA0864297531,C. Lefevre,1333.33,0363-202605-A016
0392,H001,2026-05,NL67INGB0006543210,P. Bakker,1234.56,0392-202605-H001
0392,H002,2026-05,NL44RABO0123456789,Z. Jansen,1500.00,0392-202605-H002
0392,H003,2026-05,NL91ABNA0417164300,M. Celik,987.65,0392-202605-H003
0392,H007,2026-05,NL85TRIO0212345670,L. Visser,0.01,0392-202605-H007
0392,H013,2026-05,NL67INGB0006543210,T. Mulder,942.90,0392-202605-H013
EOF
	expect_file out want
	expect_err "8 rows, total EUR 8498.45"
	gbi export results -d s.db --period 2026-05
	expect_rc 0
	expect_eq "$(wc -l < out)" "12" "results lines"
	expect_out '0392,H004,2026-05,single,1,31,1347.00,0.00,0.00,0.00,1100.00,0.00,1100.00,held,BSN_INVALID,NL22SNSB0912345678,S. de Boer'
	expect_out '0392,H006,2026-05,single,3,31,1347.00,0.00,0.00,0.00,0.00,0.00,0.00,not_entitled,ASSETS,NL61RABO0300123456,"Müller, H."'
	gbi export results --jsonl -d s.db --period 2026-05
	expect_rc 0
	expect_eq "$(wc -l < out)" "11" "results jsonl lines"
	expect_out '{"municipality":"0392","case_id":"H001","period":"2026-05","household":"single","cost_sharers":1,"days":31,"norm":134700,'
	expect_out '"account_name":"Ødegård & Søn_ \"Bij\" “Ťest” ß","components":{}}'
	gbi export findings -d s.db --period 2026-05
	expect_rc 0
	expect_out '1,BSN_INVALID,block,0392,H004,999900493,2026-05,"bsn fails the 11-test, ""check""",Pw art. 17,persons,1,5'
	expect_eq "$(wc -l < out)" "3" "findings lines"
	gbi export findings --jsonl -d s.db --period 2026-05 -m 0363
	expect_out '{"verify_run":1,"rule":"VEHICLE_VALUE","severity":"review","municipality":"0363","case_id":"A001","bsn":null,'
	expect_eq "$(wc -l < out)" "1" "findings of 0363"
	gbi export stats -d s.db --period 2026-05
	expect_rc 0
	cat > want <<'EOF'
municipality,period,household,cost_sharers,cases,norm_sum,payable_sum,held,nil,not_entitled
0363,2026-05,couple,2,1,1924.00,2000.00,0,0,0
0363,2026-05,single,1,2,2694.00,1833.33,0,0,0
0392,2026-05,couple,2,1,1924.00,987.65,0,0,0
0392,2026-05,single,1,5,6735.00,2177.47,1,1,0
0392,2026-05,single,3,1,1347.00,0.00,0,0,1
0392,2026-05,single_parent,1,1,1347.00,1500.00,0,0,0
EOF
	expect_file out want
	if grep -q 9999 out; then fail "stats holds a BSN"; fi
}

test_bus() {
	setup
	gbi export bus -d s.db --period 2026-05 -o bus.csv
	expect_rc 0
	head -1 bus.csv | tr ',' '\n' > cols
	expect_eq "$(wc -l < cols)" "34" "BUS columns"
	if [ -f "$SHARED/reference/bus-fields.csv" ]; then
		tail -n +2 "$SHARED/reference/bus-fields.csv" | cut -d';' -f3 > want
		expect_file cols want
	fi
	# H013: sanction 404.10 -> +404 with reason 01 and its dates; payable 942.90 -> 943
	expect_eq "$(grep ',H013,' bus.csv)" "2026,05,0392,0392,gws,gbi 0.1.0,H013,01,,1,1,1347,+404,+0,943,20231204,,999901540,19920418,1,1,20240101,,2,,,,01,20260501,20260531,,,," "H013 record"
	# H001: 1234.56 -> 1235 (half away from zero), income 122.44 -> +122
	grep -q '^2026,05,0392,0392,gws,gbi 0.1.0,H001,01,,1,1,1347,+0,+122,1235,' bus.csv || fail "H001 record"
	# held and nil cases are benefits (payable 0), not_entitled is not
	grep -q ',H004,.*,0,20251006,' bus.csv || fail "H004 (held) record"
	if grep -q ',H006,' bus.csv; then fail "H006 (not_entitled) in the BUS"; fi
	# couples: one record per partner
	expect_eq "$(grep -c ',H003,' bus.csv)" "2" "H003 persons"
	# without a policy row the package is 'and' (ander pakket): gbi itself
	sqlite3 s.db "DELETE FROM policy WHERE key='software_package' AND municipality='0392'"
	gbi export bus -d s.db --period 2026-05 --run 1 -o bus2.csv
	expect_rc 0
	grep -q '^2026,05,0392,0392,and,gbi 0.1.0,H001,' bus2.csv || fail "default package code and"
}

test_bundle_identical_and_verified() {
	setup
	gbi export bundle -d s.db --period 2026-05 -o a.tar.zst
	expect_rc 0
	expect_err "8 files, payments total EUR 8498.45"
	gbi export bundle -d s.db --period 2026-05 -o b.tar.zst
	cmp -s a.tar.zst b.tar.zst || fail "two bundles of the same run differ"
	expect_eq "$(stat -c %a a.tar.zst)" "600" "mode"
	gbi export verify-bundle a.tar.zst
	expect_rc 0
	expect_err "MANIFEST and 7 files agree"
	expect_out "ok payments.csv"
	cp out verified
	# the parts are the single exports
	gbi export payments -d s.db --period 2026-05 -o payments.csv
	grep -qF "ok payments.csv $(wc -c < payments.csv) $(sha256sum payments.csv | cut -c1-64)" verified ||
		fail "bundle's payments.csv differs from the single export"
	zstd -dc a.tar.zst > a.tar
	tar -tf a.tar > names
	printf 'MANIFEST\npain.001.xml\npayments.csv\nresults.csv\nresults.jsonl\nfindings.csv\nbus.csv\nstats.csv\n' > want
	expect_file names want
	tar -xOf a.tar MANIFEST > manifest
	grep -q '^calc_run 1$' manifest || fail "MANIFEST lacks the calc run"
	grep -q '^verify_run 1$' manifest || fail "MANIFEST lacks the verify run"
	grep -q '^batches cases=1,persons=1$' manifest || fail "MANIFEST lacks the batches"
	grep -q "^file payments.csv $(wc -c < payments.csv) $(sha256sum payments.csv | cut -c1-64) 8 8498.45$" manifest ||
		fail "MANIFEST payments line"
	tar -tvf a.tar | awk '{ print $2 }' | sort -u > owners
	expect_eq "$(cat owners)" "0/0" "owners"
	# one changed byte inside the compressed stream
	size=$(wc -c < a.tar.zst)
	cp a.tar.zst c.tar.zst
	printf 'X' | dd of=c.tar.zst bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
	cmp -s a.tar.zst c.tar.zst && fail "the byte did not change"
	gbi export verify-bundle c.tar.zst
	expect_rc 3
	# one changed byte in a file, the archive rebuilt around it
	mkdir d && (cd d && tar -xf ../a.tar)
	sed -i 's/1234.56/1234.57/' d/payments.csv
	(cd d && tar -cf ../m.tar MANIFEST pain.001.xml payments.csv results.csv results.jsonl findings.csv bus.csv stats.csv)
	zstd -q m.tar -o m.tar.zst
	gbi export verify-bundle m.tar.zst
	expect_rc 3
	expect_err "payments.csv: SHA-256"
	gbi export verify-bundle missing.tar.zst
	expect_rc 3
}

test_real_pipeline() {
	"$GBI" help calculate >/dev/null 2>&1 || skip "gbi calculate is not there yet"
	"$GBI" import -q -d s.db "$SAMPLES/gbi-v1" 2>/dev/null
	# verify first: its block findings make cases held
	if "$GBI" help verify >/dev/null 2>&1; then
		"$GBI" verify -d s.db --period 2026-05 >/dev/null 2>&1
	fi
	"$GBI" calculate -d s.db --period 2026-05 >/dev/null 2>calc.err
	crc=$?
	[ $crc -le 1 ] || { fail "gbi calculate: exit $crc"; head -3 calc.err; return; }
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 0
	validate pay.xml 09
	check_pain pay.xml
	want_n=$(sqlite3 s.db "SELECT count(*) FROM calc_result WHERE calc_run_id = (SELECT max(id) FROM calc_run) AND status = 'payable' AND payable > 0")
	want_sum=$(sqlite3 s.db "SELECT printf('%d.%02d', sum(payable) / 100, sum(payable) % 100) FROM calc_result WHERE calc_run_id = (SELECT max(id) FROM calc_run) AND status = 'payable' AND payable > 0")
	expect_eq "$(x pay.xml "count($(el CdtTrfTxInf))")" "$want_n" "transactions = payable results"
	expect_eq "$(x pay.xml "string(//*[local-name()='GrpHdr']/*[local-name()='CtrlSum'])")" "$want_sum" "CtrlSum = sum payable"
	held=$(sqlite3 s.db "SELECT count(*) FROM calc_result WHERE status = 'held' AND payable > 0")
	if "$GBI" help verify >/dev/null 2>&1 && [ "$held" -eq 0 ]; then
		fail "no held case with an amount in the samples to leave out"
	fi
	for c in $(sqlite3 s.db "SELECT municipality || '-202605-' || case_id FROM calc_result WHERE calc_run_id = (SELECT max(id) FROM calc_run) AND status <> 'payable'"); do
		if grep -q "<EndToEndId>$c<" pay.xml; then fail "$c (not payable) is in the payment file"; fi
	done
	gbi export pain001 -d s.db --period 2026-05 --version 03 -o pay3.xml
	expect_rc 0
	validate pay3.xml 03
	gbi export bundle -d s.db --period 2026-05 -o a.tar.zst
	expect_rc 0
	gbi export bundle -d s.db --period 2026-05 -o b.tar.zst
	cmp -s a.tar.zst b.tar.zst || fail "two bundles differ"
	gbi export verify-bundle a.tar.zst
	expect_rc 0
}

test_usage() {
	gbi export --help
	expect_rc 0
	expect_out "usage: gbi export FORMAT --period YYYY-MM"
	gbi export nonsense --period 2026-05
	expect_rc 2
	expect_err "unknown FORMAT 'nonsense'"
	gbi export pain001
	expect_rc 2
	expect_err "--period YYYY-MM is required"
	gbi export pain001 --period 2026-13
	expect_rc 2
	gbi export pain001 --period 2026-05 --version 02
	expect_rc 2
	gbi export pain001 --period 2026-05 --batch-size 100001
	expect_rc 2
	gbi export stats --period 2026-05 --jsonl
	expect_rc 2
	gbi export verify-bundle
	expect_rc 2
}

test_verify_bundle_refuses_paths_and_links() {
	mkdir d && printf 'gbi-bundle 1\n' > d/MANIFEST && printf 'x\n' > evil
	(cd d && tar -cPf ../p.tar MANIFEST ../evil) && zstd -q p.tar -o p.tar.zst
	gbi export verify-bundle p.tar.zst
	expect_rc 3
	expect_err "entry '../evil': not a plain file name"
	(cd d && ln -s /etc/passwd link && tar -cf ../l.tar MANIFEST link) && zstd -q l.tar -o l.tar.zst
	gbi export verify-bundle l.tar.zst
	expect_rc 3
	expect_err "link: not a regular file"
	(cd d && printf 'y\n' > first && tar -cf ../f.tar first MANIFEST) && zstd -q f.tar -o f.tar.zst
	gbi export verify-bundle f.tar.zst
	expect_rc 3
	expect_err "the first entry is 'first', not MANIFEST"
	# a file the MANIFEST lists but the archive lacks
	printf 'gbi-bundle 1\nfile stats.csv 1 %064d 0 0.00\n' 0 > d/MANIFEST
	(cd d && tar -cf ../g.tar MANIFEST) && zstd -q g.tar -o g.tar.zst
	gbi export verify-bundle g.tar.zst
	expect_rc 3
	expect_err "stats.csv: listed in MANIFEST but missing"
}

# From the review: a run of some municipalities or cases never hides the others.
test_narrow_run_refused() {
	"$GBI" import -q -d s.db "$SAMPLES/gbi-v1" 2>/dev/null
	"$GBI" calculate -d s.db --period 2026-05 >/dev/null 2>&1
	"$GBI" calculate -d s.db --period 2026-05 -m 0363 >/dev/null 2>&1
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 3
	expect_err "the latest calculation run 2 for 2026-05 covers only municipalities 0363: export those with -m"
	[ ! -e pay.xml ] || fail "pay.xml written"
	gbi export pain001 -d s.db --period 2026-05 -m 0392 -o pay.xml
	expect_rc 3
	expect_err "covers only municipalities 0363, not 0392"
	gbi export pain001 -d s.db --period 2026-05 -m 0363 -o pay.xml
	expect_rc 0
	"$GBI" calculate -d s.db --period 2026-05 --case H001 >/dev/null 2>&1
	gbi export payments -d s.db --period 2026-05 -o p.csv
	expect_rc 3
	expect_err "was computed for some cases only (--case)"
	gbi export payments -d s.db --period 2026-05 --run 1 -o p.csv
	expect_rc 0
}

# pain001_refused MESSAGE: the extract in x/ imported and calculated for
# 2026-05, pain001 is refused (exit 3) with MESSAGE and writes no file.
pain001_refused() {
	"$GBI" import -q -d s.db x 2>/dev/null
	"$GBI" calculate -d s.db --period 2026-05 >/dev/null 2>&1
	gbi export pain001 -d s.db --period 2026-05 -o pay.xml
	expect_rc 3
	expect_err "$1"
	[ ! -e pay.xml ] || fail "pay.xml written"
}

test_iban_outside_sepa_refused() {
	mkdir x && cp "$SAMPLES"/gbi-v1/*.csv x/
	# mod-97 valid, but Brazilian: a SEPA credit transfer cannot pay it
	sed -i 's/^H001,\(.*\),NL67INGB0006543210,/H001,\1,BR1800360305000010009795493C1,/' x/cases.csv
	grep -q BR18 x/cases.csv || fail "fixture: IBAN not replaced"
	pain001_refused "case H001: iban 'BR1800360305000010009795493C1': not an account in a SEPA country"
	# a German IBAN of the wrong length is refused at import
	printf 'case_id,municipality,status,start_date,iban\nZ1,0392,active,2026-01-01,DE41370400440532013\n' > cases.csv
	gbi import -d z.db cases.csv
	expect_rc 3
	expect_err "iban 'DE41370400440532013': not an IBAN (wrong length for its country)"
}

# From the review: verify-bundle checks the MANIFEST's row counts and parts.
test_bundle_manifest_rows_and_parts() {
	setup
	gbi export bundle -d s.db --period 2026-05 -o a.tar.zst
	zstd -dc a.tar.zst > a.tar
	mkdir d && (cd d && tar -xf ../a.tar)
	all="MANIFEST pain.001.xml payments.csv results.csv results.jsonl findings.csv bus.csv stats.csv"
	# a row count changed in the MANIFEST (files untouched)
	cp -r d e
	sed -i 's/^\(file pain.001.xml [0-9]* [0-9a-f]*\) [0-9]* /\1 3 /' e/MANIFEST
	(cd e && tar -cf ../e.tar $all) && zstd -q e.tar -o e.tar.zst
	gbi export verify-bundle e.tar.zst
	expect_rc 3
	expect_err "pain.001.xml: 8 rows, MANIFEST says 3"
	# a part and its MANIFEST line left out
	cp -r d f
	sed -i '/^file stats.csv /d' f/MANIFEST
	(cd f && tar -cf ../f.tar MANIFEST pain.001.xml payments.csv results.csv results.jsonl findings.csv bus.csv) && zstd -q f.tar -o f.tar.zst
	gbi export verify-bundle f.tar.zst
	expect_rc 3
	expect_err "MANIFEST does not list stats.csv"
}

test_account_name_without_latin_letters_refused() {
	mkdir x && cp "$SAMPLES"/gbi-v1/*.csv x/
	awk -F, 'BEGIN { OFS = "," } $1 == "H001" { $8 = "张伟" } { print }' x/cases.csv > c && mv c x/cases.csv
	grep -q '张伟' x/cases.csv || fail "fixture: name not replaced"
	pain001_refused "case H001: the account name has no letters in the SEPA character set"
}
