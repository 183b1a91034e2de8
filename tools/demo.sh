#!/bin/sh
# demo.sh GBI: the main job on the bundled samples, as a nightly cron job
# would run it, into demo-out/.
set -eu
GBI=$1
OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
export GBI_STORE="$OUT/gbi.db"
step() { printf '\n$ %s\n' "$*"; }
run() { step "$@"; "$@" || { rc=$?; [ $rc -le 1 ] || exit $rc; }; }

run "$GBI" import --rejects "$OUT/rejects.csv" samples/gbi-v1
run "$GBI" import samples/gbi-v1
for p in 2026-05 2026-06; do
	if "$GBI" help verify >/dev/null 2>&1; then
		run "$GBI" verify --period "$p" --format text
	fi
	if "$GBI" help calculate >/dev/null 2>&1; then
		run "$GBI" calculate --period "$p" --format text
	fi
done
if "$GBI" help export >/dev/null 2>&1; then
	run "$GBI" export pain001 --period 2026-06 -o "$OUT/pain001-2026-06.xml"
	run "$GBI" export bundle --period 2026-06 -o "$OUT/bundle-2026-06.tar.zst"
fi
if "$GBI" help reconcile >/dev/null 2>&1; then
	run "$GBI" reconcile --from 2026-05 --to 2026-06 --format text
fi
run "$GBI" log -n 5
echo
echo "demo: the store is $OUT/gbi.db; everything written is in $OUT/:"
ls -l "$OUT"
