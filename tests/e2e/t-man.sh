# t-man.sh: the manual pages against the binary.  Every man/gbi-*.1 present
# (pages added later included) must have the SYNOPSIS that `gbi NAME --help`
# prints, every page the required sections, every command in `gbi --help` a
# page, and every page must render without warnings where a formatter is
# installed.

MAN="$ROOT/man"

# man_synopsis PAGE: the lines of the .nf/.fi block(s) under .SH SYNOPSIS,
# with roff font escapes and \- \& \e \(aq undone and leading and trailing
# blanks dropped.
man_synopsis() {
	awk '/^\.SH/ { s = ($0 ~ /^\.SH "?SYNOPSIS"?[ \t]*$/); next }
	     s && /^\.nf/ { n = 1; next }
	     s && /^\.fi/ { n = 0; next }
	     s && n { print }' "$1" | man_plain
}

man_plain() {
	sed -e 's/\\f[BIRP1-4]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[A-Z]*\]//g' \
	    -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\(aq/'"'"'/g' -e 's/\\(dq/"/g' \
	    -e 's/\\ / /g' -e 's/\\e/\\/g' \
	    -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

# usage_of ARGS...: the usage lines that `gbi ARGS --help` prints (from the
# line starting "usage: gbi" to the first empty line), without "usage: ",
# leading and trailing blanks dropped.
usage_of() {
	"$GBI" "$@" --help 2>/dev/null |
		awk '/^usage: gbi/ { u = 1; sub(/^usage: /, "") } u && /^[[:space:]]*$/ { exit } u { print }' |
		sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

# The command names listed under "Commands:" in gbi --help.
commands_of_gbi() {
	"$GBI" --help | awk '/^Commands:/ { c = 1; next } c && /^[[:space:]]*$/ { exit } c { print $1 }'
}

man_pages() {
	ls "$MAN"/gbi*.[1-9] 2>/dev/null
}

test_man_pages_exist() {
	[ -d "$MAN" ] || { fail "no man/ directory in $ROOT"; return; }
	for p in gbi.1 gbi-import.1 gbi-log.1 gbi-prune.1 gbi-formats.5; do
		[ -f "$MAN/$p" ] || fail "man/$p is missing"
	done
}

test_man_synopsis_is_the_usage() {
	n=0
	for page in "$MAN"/gbi-*.1; do
		[ -f "$page" ] || continue
		name=$(basename "$page" .1)
		name=${name#gbi-}
		man_synopsis "$page" >man.txt
		usage_of "$name" >usage.txt
		if [ ! -s usage.txt ]; then
			fail "man/gbi-$name.1: 'gbi $name --help' prints no usage (is $name in the command table?)"
			continue
		fi
		[ -s man.txt ] || { fail "man/gbi-$name.1: no .nf/.fi block under .SH SYNOPSIS"; continue; }
		if ! cmp -s man.txt usage.txt; then
			fail "man/gbi-$name.1: SYNOPSIS differs from 'gbi $name --help' (< man page, > usage):"
			diff man.txt usage.txt | sed 's/^/    /' | head -20
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 3 ] || fail "only $n command pages compared, expected at least import, log, prune"
	# gbi(1) itself: its SYNOPSIS is what gbi --help starts with
	man_synopsis "$MAN/gbi.1" >man.txt
	"$GBI" --help | awk '/^usage: gbi/ { u = 1; sub(/^usage: /, "") } u && /^[[:space:]]*$/ { exit } u { print }' |
		sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' >usage.txt
	if ! cmp -s man.txt usage.txt; then
		fail "man/gbi.1: SYNOPSIS differs from 'gbi --help' (< man page, > usage):"
		diff man.txt usage.txt | sed 's/^/    /' | head -20
	fi
	expect_eq "$(head -1 usage.txt)" "gbi [--version] [--help] COMMAND [ARGS]" "first usage line of gbi --help"
}

# The comparison itself must see a difference: a page whose SYNOPSIS lacks an
# option of the usage is caught.
test_man_synopsis_check_catches_a_difference() {
	sed 's/\[\\fB\\-q\\fR\] //' "$MAN/gbi-import.1" >changed.1
	cmp -s changed.1 "$MAN/gbi-import.1" && { fail "could not make a changed page (no [-q] in gbi-import.1?)"; return; }
	man_synopsis changed.1 >man.txt
	usage_of import >usage.txt
	if cmp -s man.txt usage.txt; then
		fail "a SYNOPSIS without [-q] still compared equal to the usage"
	fi
	# and the escapes are undone: the page's text has no backslashes left
	man_synopsis "$MAN/gbi-import.1" >man.txt
	if grep -q '\\' man.txt; then
		fail "roff escapes left in the extracted SYNOPSIS:"
		sed 's/^/    /' man.txt
	fi
	expect_eq "$(head -1 man.txt | cut -c1-19)" "gbi import [-d STOR" "start of gbi-import SYNOPSIS"
}

test_man_sections() {
	pages=$(man_pages)
	[ -n "$pages" ] || { fail "no pages in $MAN"; return; }
	for page in $pages; do
		base=$(basename "$page")
		sect=${base##*.}
		case $sect in
		1) need="NAME|SYNOPSIS|DESCRIPTION|OPTIONS|EXIT STATUS|ENVIRONMENT|FILES|EXAMPLES|SEE ALSO" ;;
		*) need="NAME|SYNOPSIS|DESCRIPTION|ENVIRONMENT|FILES|EXAMPLES|SEE ALSO" ;;
		esac
		grep '^\.SH' "$page" | sed -e 's/^\.SH[[:space:]]*//' -e 's/"//g' -e 's/[[:space:]]*$//' >have.txt
		old_ifs=$IFS
		IFS='|'
		for h in $need; do
			grep -qx "$h" have.txt || fail "$base: no section .SH $h"
		done
		IFS=$old_ifs
		# the title line names the page and its section
		title=$(basename "$base" ".$sect" | tr 'a-z' 'A-Z' | sed 's/-/\\\\-/g')
		grep -q "^\.TH $title $sect " "$page" || fail "$base: no '.TH $title $sect ...' line"
		# NAME is "name \- what it does"
		name=$(basename "$base" ".$sect" | sed 's/-/\\\\-/g')
		sed -n '/^\.SH NAME/{n;p;}' "$page" | grep -q "^$name \\\\- " || fail "$base: NAME line is not '$name \\- ...'"
	done
}

test_man_page_for_every_command() {
	cmds=$(commands_of_gbi)
	[ -n "$cmds" ] || { fail "gbi --help lists no commands"; return; }
	for c in $cmds; do
		[ -f "$MAN/gbi-$c.1" ] || fail "command '$c' (gbi --help) has no man/gbi-$c.1"
		grep -q "gbi\\\\-$c (1)" "$MAN/gbi.1" || fail "gbi.1 does not refer to gbi-$c(1)"
		"$GBI" help "$c" >out 2>err
		grep -qx "The manual: man gbi-$c" out || fail "'gbi help $c' does not name the manual gbi-$c"
	done
	# and gbi --help's import, log and prune are among them
	for c in import log prune; do
		echo "$cmds" | grep -qx "$c" || fail "gbi --help does not list '$c'"
	done
}

test_man_pages_render_without_warnings() {
	have=""
	command -v groff >/dev/null 2>&1 && have="$have groff"
	command -v mandoc >/dev/null 2>&1 && have="$have mandoc"
	if [ -z "$have" ]; then
		command -v man >/dev/null 2>&1 && man --help 2>&1 | grep -q -- '--warnings' && have="man"
	fi
	[ -n "$have" ] || skip "neither groff, mandoc nor man-db is installed: pages not rendered"
	for page in $(man_pages); do
		base=$(basename "$page")
		for tool in $have; do
			case $tool in
			groff) LC_ALL=C.UTF-8 groff -man -t -ww -z -Tutf8 "$page" >warn.txt 2>&1 ;;
			mandoc) mandoc -Tlint -W warning "$page" >warn.txt 2>&1 ;;
			man) MANWIDTH=80 man --warnings -l "$page" 2>warn.txt >/dev/null ;;
			esac
			if [ -s warn.txt ]; then
				fail "$base: $tool warns:"
				head -10 warn.txt | sed 's/^/    /'
			fi
		done
		# the rendered text has every section heading (the page is not empty)
	done
	if command -v groff >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 groff -man -t -Tutf8 "$MAN/gbi-import.1" 2>/dev/null | sed 's/.\x08//g' >page.txt
		grep -q '^EXIT STATUS' page.txt || fail "gbi-import.1 renders without an EXIT STATUS heading"
		grep -q 'gbi import \[-d STORE\]' page.txt || fail "gbi-import.1 renders without its synopsis"
	fi
}
