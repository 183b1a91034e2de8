#!/bin/sh
# bench.sh GBI GBI_GEN: national-scale benchmark, stage by stage, side by
# side with the peer tool on the same data in the same run.
#
#   BENCH_HOUSEHOLDS  households to generate (default 420000: the whole
#                     Netherlands, about 1 million persons)
#   BENCH_DIR         where data and stores go (default build/bench)
#   BENCH_ROUNDS      alternating rounds per comparison, and runs of verify
#                     and calculate (default 2)
#
# Import is compared with sqlite3's .import into equivalent typed tables,
# which validates nothing: each round runs both tools one after the other
# on the same files, because this machine's CPU speed drifts from minute to
# minute.  Times are wall-clock seconds; RSS is the peak resident set.
set -eu
GBI=$1
GEN=$2
N=${BENCH_HOUSEHOLDS:-420000}
DIR=${BENCH_DIR:-build/bench}
ROUNDS=${BENCH_ROUNDS:-2}
mkdir -p "$DIR"
DATA="$DIR/data-$N"
if [ ! -f "$DATA/persons.csv" ]; then
	echo "generating $N households into $DATA"
	"$GEN" -n "$N" -s 1 -o "$DATA"
fi
echo "data: $(wc -l < "$DATA/persons.csv") persons rows, $(wc -l < "$DATA/incomes.csv") incomes rows, $(wc -l < "$DATA/cases.csv") cases rows ($(du -sh "$DATA" | cut -f1))"

# measure LABEL CMD...: runs CMD, prints its wall time, CPU time (user +
# system: above the wall time when it uses both cores) and peak RSS, sets
# $secs $rss
measure() {
	label=$1; shift
	/usr/bin/time -f '%e %M %U %S' -o "$DIR/time.out" "$@" >"$DIR/cmd.out" 2>"$DIR/cmd.err" || {
		rc=$?
		if [ $rc -gt 1 ]; then echo "$label failed (exit $rc):"; tail -5 "$DIR/cmd.err"; exit 1; fi
	}
	set -- $(tail -1 "$DIR/time.out")
	secs=$1
	rss=$(($2 / 1024))
	printf '  %-44s %7.2f s  %5d MiB  (CPU %.2f s)\n' "$label" "$secs" "$rss" "$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')"
}
# rounds LABEL CMD...: measure, BENCH_ROUNDS times
rounds() {
	what=$1; shift
	r=1
	while [ $r -le "$ROUNDS" ]; do
		measure "$what (round $r)" "$@"
		r=$((r + 1))
	done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# sqlite_import DB TABLE FILE SCHEMA: the peer's load, as one command for
# /usr/bin/time
sqlite_import='rm -f "$1" && sqlite3 "$1" "$4" && sqlite3 "$1" ".import --csv --skip 1 $3 $2"' 
P_SCHEMA='CREATE TABLE persons(bsn TEXT NOT NULL, birth_date TEXT NOT NULL, family_name TEXT, given_names TEXT, sex TEXT);'
I_SCHEMA='CREATE TABLE incomes(bsn TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, amount NUMERIC NOT NULL, source TEXT);'

echo
echo "== import: gbi (every field validated) vs sqlite3 .import (nothing validated)"
r=1
while [ $r -le "$ROUNDS" ]; do
	echo "round $r"
	rm -f "$DIR/gbi.db" "$DIR/gbi.db-journal"
	measure "gbi import persons" "$GBI" import -q -d "$DIR/gbi.db" -m 0363 --table persons "$DATA/persons.csv"
	gp=$secs; gp_rss=$rss
	measure "sqlite3 .import persons" sh -c "$sqlite_import" - "$DIR/peer.db" persons "$DATA/persons.csv" "$P_SCHEMA"
	sp=$secs
	measure "  + the same index as gbi's" sqlite3 "$DIR/peer.db" "CREATE INDEX p_bsn ON persons(bsn)"
	spi=$(awk -v a="$sp" -v b="$secs" 'BEGIN { print a + b }')
	measure "gbi import incomes (and persons refs)" "$GBI" import -q -d "$DIR/gbi.db" -m 0363 --table incomes "$DATA/incomes.csv"
	gi=$secs; gi_rss=$rss
	measure "sqlite3 .import incomes" sh -c "$sqlite_import" - "$DIR/peer2.db" incomes "$DATA/incomes.csv" "$I_SCHEMA"
	si=$secs
	measure "  + the same index as gbi's" sqlite3 "$DIR/peer2.db" "CREATE INDEX i_bsn ON incomes(bsn, period)"
	sii=$(awk -v a="$si" -v b="$secs" 'BEGIN { print a + b }')
	echo "  ratio sqlite3/gbi, .import alone:      persons $(ratio "$sp" "$gp"), incomes $(ratio "$si" "$gi")  (>= 1.00: gbi as fast or faster)"
	echo "  ratio sqlite3/gbi, .import + index:    persons $(ratio "$spi" "$gp"), incomes $(ratio "$sii" "$gi")"
	r=$((r + 1))
done
rm -f "$DIR/gbi.db"
measure "gbi import whole extract ($N households)" "$GBI" import -q -d "$DIR/gbi.db" "$DATA"
whole=$secs
echo "  peak RSS: persons $gp_rss MiB, incomes $gi_rss MiB, whole extract $rss MiB (target < 64)"
rows=$(sqlite3 "$DIR/gbi.db" 'select rows_read from batch order by id desc limit 1')
echo "  whole extract: $rows rows, $(awk -v r="$rows" -v s="$whole" 'BEGIN { printf "%.0f", r / s }') rows/s"

# Later stages, as the commands exist.  Each compares with a plain SQL
# aggregate over the same store (sqlite3), the nearest peer there is.
PERIOD=${BENCH_PERIOD:-2026-05}
if "$GBI" help verify >/dev/null 2>&1; then
	echo
	echo "== verify $PERIOD"
	rounds "gbi verify" "$GBI" verify -d "$DIR/gbi.db" --period "$PERIOD"
	echo "  findings: $(($(wc -l < "$DIR/cmd.out") - 1))  (target < 4 s, < 128 MiB)"
	v=$secs
	# the join nearly every rule starts from, counted and not stored: a floor
	# for one of verify's 29 rules, on one core
	ps="${PERIOD}-01"
	pe=$(date -d "$ps +1 month -1 day" +%F)
	measure "sqlite3: period's members joined to persons" sqlite3 "$DIR/gbi.db" \
		"select count(*), count(p.birth_date) from cases c join members m on m.case_id=c.case_id and m.muni=c.muni and m.live=1 left join persons p on p.bsn=m.bsn and p.live=1 where c.live=1 and (c.status='application' or (c.start_date <= '$pe' and (c.end_date is null or c.end_date >= '$ps')))"
	echo "  ratio gbi verify / that join: $(ratio "$v" "$secs")"
fi
if "$GBI" help calculate >/dev/null 2>&1; then
	echo
	echo "== calculate $PERIOD"
	rounds "gbi calculate" "$GBI" calculate -d "$DIR/gbi.db" --period "$PERIOD"
	c=$(($(wc -l < "$DIR/cmd.out") - 1))
	echo "  $c cases, $(awk -v c="$c" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", c / s }') cases/s  (target < 4 s, < 128 MiB)"
	measure "sqlite3: sum of incomes per household" sqlite3 "$DIR/gbi.db" \
		"select m.case_id, sum(i.amount) from members m join incomes i on i.bsn=m.bsn and i.live=1 and i.period='$PERIOD' where m.live=1 group by m.case_id, m.muni"
fi
if "$GBI" help export >/dev/null 2>&1; then
	echo
	echo "== export pain.001 $PERIOD"
	measure "gbi export pain001" "$GBI" export pain001 -d "$DIR/gbi.db" --period "$PERIOD" -o "$DIR/pain.xml"
	echo "  $(grep -c '<CdtTrfTxInf>' "$DIR/pain.xml" || true) transactions  (target < 2 s, < 64 MiB)"
	measure "xmllint --stream (reading it back)" xmllint --stream --noout "$DIR/pain.xml"
fi
if "$GBI" help reconcile >/dev/null 2>&1; then
	echo
	echo "== reconcile $PERIOD against legacy payments (about 1% differing)"
	sqlite3 "$DIR/gbi.db" "select r.case_id, r.period, case when abs(random()) % 100 = 0 then r.payable + 1000 else r.payable end from calc_result r where r.calc_run_id = (select max(id) from calc_run) and r.status = 'payable'" | \
		awk -F'|' 'BEGIN { print "case_id,period,amount" } { printf "%s,%s,%d.%02d\n", $1, $2, $3 / 100, $3 % 100 }' > "$DIR/payments.csv"
	"$GBI" import -q -d "$DIR/gbi.db" --table payments "$DIR/payments.csv" >/dev/null 2>&1 || true
	measure "gbi reconcile" "$GBI" reconcile -d "$DIR/gbi.db" --period "$PERIOD"
	echo "  $(($(wc -l < "$DIR/cmd.out") - 1)) differences  (target < 3 s, < 128 MiB)"
fi
