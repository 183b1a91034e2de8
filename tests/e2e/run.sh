#!/bin/sh
# run.sh: the end-to-end tests.  Runs every test_* function of every
# tests/e2e/t-*.sh in a fresh temporary directory, with $GBI the binary
# under test, and ends with the line "N passed, N failed".  Exits non-zero
# when a test failed or when no test ran.
#
#   GBI=build/gbi sh tests/e2e/run.sh [t-import.sh ...] [-k PATTERN]
set -u
here=$(cd "$(dirname "$0")" && pwd)
export ROOT=$(cd "$here/../.." && pwd)
export SAMPLES="$ROOT/samples"
export SHARED="$ROOT/../shared"
: "${GBI:=$ROOT/build/gbi}"
: "${GBI_GEN:=$ROOT/build/gbi-gen}"
export GBI GBI_GEN
unset GBI_STORE GBI_FORMATS
pattern=""
files=""
while [ $# -gt 0 ]; do
	case $1 in
	-k) pattern=$2; shift 2 ;;
	*) files="$files $here/$1"; shift ;;
	esac
done
[ -n "$files" ] || files=$(ls "$here"/t-*.sh)
passed=0
failed=0
skipped=0
tmproot=$(mktemp -d)
trap 'rm -rf "$tmproot"' EXIT
for f in $files; do
	for t in $(grep -o '^test_[A-Za-z0-9_]*' "$f"); do
		case $t in *"$pattern"*) ;; *) continue ;; esac
		d="$tmproot/$(basename "$f" .sh)-$t"
		mkdir -p "$d"
		res=$(cd "$d" && sh -c ". '$here/lib.sh'; . '$f'; $t; finish" 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
		elif [ $rc -eq 77 ]; then
			skipped=$((skipped + 1))
			echo "SKIP $(basename "$f") $t: $res"
		else
			failed=$((failed + 1))
			echo "FAIL $(basename "$f") $t"
			echo "$res" | sed 's/^/    /'
		fi
	done
done
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
