# lib.sh: assertions for the end-to-end tests (sourced by run.sh).
# A test function runs in its own empty directory.  `gbi ARGS` runs the
# binary under test with stdout in ./out, stderr in ./err and the exit status
# in $rc.  Each expect_* records a failure and the test goes on; `finish`
# decides.  `skip MESSAGE` ends the test as skipped.
_failures=0
fail() { echo "  $*"; _failures=$((_failures + 1)); }
finish() { [ "$_failures" -eq 0 ]; }
skip() { echo "$*"; exit 77; }
need_gen() { [ -x "$GBI_GEN" ] || skip "no gbi-gen at $GBI_GEN"; }

gbi() { "$GBI" "$@" >out 2>err; rc=$?; }

expect_rc() {
	[ "$rc" = "$1" ] || { fail "exit status $rc, expected $1"; sed 's/^/    stderr: /' err | head -5; }
}
expect_err() {  # expect_err TEXT: stderr contains TEXT (fixed string)
	grep -qF -- "$1" err || { fail "stderr lacks '$1'"; sed 's/^/    stderr: /' err | head -8; }
}
expect_out() {
	grep -qF -- "$1" out || { fail "stdout lacks '$1'"; sed 's/^/    stdout: /' out | head -8; }
}
expect_no_err() {
	if grep -qF -- "$1" err; then fail "stderr has '$1'"; fi
}
expect_eq() {  # expect_eq ACTUAL EXPECTED [WHAT]
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}
expect_file() {  # expect_file FILE EXPECTED-FILE
	cmp -s "$1" "$2" || { fail "$1 differs from $2"; diff "$2" "$1" | head -20 | sed 's/^/    /'; }
}
# q STORE SQL: one query result
q() { sqlite3 "$1" "$2"; }
# A digest of everything a store holds but the audit records, to show that
# nothing changed.
store_sum() {
	sqlite3 "$1" .dump 2>/dev/null | grep -v '^INSERT INTO run ' | sha256sum | cut -c1-16
}
