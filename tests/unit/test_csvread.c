/*
 * test_csvread.c: the streaming CSV reader (libgbi/csvread.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "banned.h"

#define MAXROWS 16

/* What the row callback saw: each row's fields joined with '|'. */
struct seen {
	int n;
	long line[MAXROWS];
	int nfields[MAXROWS], kept[MAXROWS], bad_field[MAXROWS];
	const char *bad[MAXROWS];
	char text[MAXROWS][512];
	size_t len0[MAXROWS];     /* length of field 0 */
};

static gbi_status collect(void *ctx, const struct gbi_csv_row *row, struct gbi_err *err)
{
	struct seen *s = ctx;
	if (s->n >= MAXROWS)
		return gbi_err_set(err, GBI_ESYS, "too many rows for the test");
	int i = s->n++;
	s->line[i] = row->line;
	s->nfields[i] = row->nfields;
	s->kept[i] = row->kept;
	s->bad[i] = row->bad;
	s->bad_field[i] = row->bad_field;
	s->len0[i] = row->kept ? row->len[0] : 0;
	size_t o = 0;
	s->text[i][0] = '\0';
	for (int k = 0; k < row->kept && o < sizeof s->text[i]; k++) {
		cr_assert_eq(strlen(row->f[k]), row->len[k], "field %d is NUL-terminated at its length", k);
		int w = snprintf(s->text[i] + o, sizeof s->text[i] - o, "%s%s", k ? "|" : "", row->f[k]);
		o += (size_t)w;
	}
	return GBI_OK;
}

/* Reads buf (n bytes) in chunks of `chunk` (0: all at once); returns the
 * status of the first failing call. */
static gbi_status read_csv(const char *buf, size_t n, size_t chunk, char sep, const char *enc,
			   struct seen *s, struct gbi_err *err)
{
	struct gbi_csvread *r;
	memset(s, 0, sizeof *s);
	gbi_err_clear(err);
	gbi_status st = gbi_csvread_new(&r, "t.csv", sep, enc, collect, s, err);
	cr_assert_eq(st, GBI_OK, "%s", err->msg);
	if (!chunk)
		chunk = n ? n : 1;
	for (size_t i = 0; i < n && st == GBI_OK; i += chunk)
		st = gbi_csvread_feed(r, buf + i, n - i < chunk ? n - i : chunk, err);
	if (st == GBI_OK)
		st = gbi_csvread_finish(r, err);
	if (st == GBI_OK)
		cr_assert_eq(gbi_csvread_rows(r), s->n);
	gbi_csvread_free(r);
	return st;
}

#define READ(lit, s, err) read_csv(lit, sizeof(lit) - 1, 0, ',', "UTF-8", s, err)

Test(csvread, lf_rows_and_lines)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n1,2\n3,4\n", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.text[0], "a|b");
	cr_assert_str_eq(s.text[1], "1|2");
	cr_assert_str_eq(s.text[2], "3|4");
	cr_assert_eq(s.line[0], 1);
	cr_assert_eq(s.line[1], 2);
	cr_assert_eq(s.line[2], 3);
	cr_assert_eq(s.nfields[1], 2);
	cr_assert_eq(s.kept[1], 2);
	cr_assert_null(s.bad[1]);
}

Test(csvread, crlf_rows_and_lines)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(read_csv("a;b\r\n1;2\r\n3;\r\n", 14, 0, ';', "UTF-8", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.text[0], "a|b");
	cr_assert_str_eq(s.text[1], "1|2");
	cr_assert_str_eq(s.text[2], "3|");
	cr_assert_eq(s.nfields[2], 2);
	cr_assert_eq(s.line[1], 2);
	cr_assert_eq(s.line[2], 3);
	cr_assert_eq(s.len0[1], 1, "no CR left in a field");
}

Test(csvread, quoted_fields)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"\",z\n", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.text[1], "x,y|say \"hi\"");
	cr_assert_eq(s.nfields[1], 2);
	cr_assert_str_eq(s.text[2], "|z");
	cr_assert_eq(s.line[2], 3);
}

Test(csvread, multiline_field_line_numbers)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n1,\"two\nlines\"\n2,\"three\r\nmore\r\nlines\"\n3,x\n", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.line[1], 2);
	cr_assert_str_eq(s.text[1], "1|two\nlines");
	cr_assert_eq(s.line[2], 4);
	cr_assert_str_eq(s.text[2], "2|three\r\nmore\r\nlines");
	cr_assert_eq(s.line[3], 7);
	cr_assert_str_eq(s.text[3], "3|x");
}

Test(csvread, blank_lines_and_last_row_without_newline)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n\n1,2\r\n\r\n\n3,4", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.line[0], 1);
	cr_assert_eq(s.line[1], 3);
	cr_assert_str_eq(s.text[1], "1|2");
	cr_assert_eq(s.line[2], 6);
	cr_assert_str_eq(s.text[2], "3|4");
}

Test(csvread, byte_by_byte_equals_one_chunk)
{
	static const char in[] = "\xef\xbb\xbf" "a,b\r\n\"x\ny\",2\n\n\"q\"\"\",\xc3\xa9\n4,5";
	struct seen one, each;
	struct gbi_err e;
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		cr_assert_eq(read_csv(in, sizeof in - 1, 0, ',', "UTF-8", &one, &e), GBI_OK, "%s", e.msg);
		cr_assert_eq(read_csv(in, sizeof in - 1, chunk, ',', "UTF-8", &each, &e), GBI_OK, "%s", e.msg);
		cr_assert_eq(one.n, 4);
		cr_assert_eq(each.n, one.n, "chunk %zu", chunk);
		for (int i = 0; i < one.n; i++) {
			cr_assert_str_eq(each.text[i], one.text[i], "chunk %zu row %d", chunk, i);
			cr_assert_eq(each.line[i], one.line[i], "chunk %zu row %d", chunk, i);
		}
	}
	cr_assert_str_eq(one.text[0], "a|b");
	cr_assert_str_eq(one.text[1], "x\ny|2");
	cr_assert_str_eq(one.text[2], "q\"|\xc3\xa9");
	cr_assert_eq(one.line[2], 5);
	cr_assert_eq(one.line[3], 6);
}

Test(csvread, bom_dropped)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("\xef\xbb\xbf" "bsn,x\n1,2\n", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(s.text[0], "bsn|x");
	cr_assert_eq(s.len0[0], 3);
	/* a BOM switches a Windows-1252 reader to UTF-8: é stays é */
	static const char in[] = "\xef\xbb\xbf" "naam\nRen\xc3\xa9" "e\n";
	cr_assert_eq(read_csv(in, sizeof in - 1, 0, ';', "WINDOWS-1252", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.text[0], "naam");
	cr_assert_str_eq(s.text[1], "Ren\xc3\xa9" "e");
	cr_assert_null(s.bad[1]);
	/* also when the BOM arrives one byte at a time */
	cr_assert_eq(read_csv(in, sizeof in - 1, 1, ';', "WINDOWS-1252", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(s.text[1], "Ren\xc3\xa9" "e");
}

Test(csvread, windows_1252_converted)
{
	struct seen s;
	struct gbi_err e;
	static const char in[] = "naam;bedrag\r\nRen\xe9" "e;\x80 5\r\n";
	cr_assert_eq(read_csv(in, sizeof in - 1, 0, ';', "WINDOWS-1252", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.text[1], "Ren\xc3\xa9" "e|\xe2\x82\xac 5");
	cr_assert_null(s.bad[1]);
	cr_assert_eq(s.len0[1], 6);
}

Test(csvread, byte_not_in_encoding_marks_row)
{
	struct seen s;
	struct gbi_err e;
	static const char in[] = "a;b;c\r\n1;x\x81y;3\r\n4;5;6\r\n";
	cr_assert_eq(read_csv(in, sizeof in - 1, 0, ';', "WINDOWS-1252", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.bad[1], "a byte that is not in the declared encoding");
	cr_assert_eq(s.bad_field[1], 1);
	cr_assert_eq(s.line[1], 2);
	cr_assert_eq(s.nfields[1], 3);
	/* the next row is fine again */
	cr_assert_null(s.bad[2]);
	cr_assert_str_eq(s.text[2], "4|5|6");
}

Test(csvread, invalid_utf8_marks_row)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b,c\n1,2,Ren\xe9\n\xed\xa0\x80,5,6\n7,8,9\n", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.bad[1], "invalid UTF-8");
	cr_assert_eq(s.bad_field[1], 2);
	cr_assert_str_eq(s.bad[2], "invalid UTF-8");
	cr_assert_eq(s.bad_field[2], 0);
	cr_assert_null(s.bad[3]);
}

Test(csvread, unterminated_quote)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n1,2\n3,\"open\nmore\nstill\n", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:3: unterminated quote (the quoted field runs to the end of the file)");
	cr_assert_eq(s.n, 2, "the open row is not delivered");
	cr_assert_eq(READ("a,b\n\"x\n", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:2: unterminated quote (the quoted field runs to the end of the file)");
	/* after a multi-line field the line is still right */
	cr_assert_eq(READ("a,b\n\"x\ny\",1\n2,\"z\n", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:4: unterminated quote (the quoted field runs to the end of the file)");
}

Test(csvread, stray_quote)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(READ("a,b\n1,2\nab\"c,3\n", &s, &e), GBI_EINPUT);
	cr_assert(strstr(e.msg, "t.csv:3: malformed quoting"), "%s", e.msg);
	cr_assert_eq(READ("a,b\n1,2\n4,ab\"c\n", &s, &e), GBI_EINPUT);
	cr_assert(strstr(e.msg, "t.csv:3: malformed quoting"), "%s", e.msg);
	/* text after a closing quote */
	cr_assert_eq(READ("a,b\n\"x\"y,1\n", &s, &e), GBI_EINPUT);
	cr_assert(strstr(e.msg, "t.csv:2: malformed quoting"), "%s", e.msg);
}

Test(csvread, nul_byte)
{
	struct seen s;
	struct gbi_err e;
	static const char in[] = "a,b\n1,2\n3,x\0y\n";
	cr_assert_eq(read_csv(in, sizeof in - 1, 0, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:3: NUL byte (binary data, not a text table)");
	cr_assert_eq(read_csv(in, sizeof in - 1, 2, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:3: NUL byte (binary data, not a text table)");
	static const char first[] = "\0a,b\n";
	cr_assert_eq(read_csv(first, sizeof first - 1, 0, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:1: NUL byte (binary data, not a text table)");
	static const char at_line_start[] = "a,b\n\0";
	cr_assert_eq(read_csv(at_line_start, sizeof at_line_start - 1, 0, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:2: NUL byte (binary data, not a text table)");
}

Test(csvread, field_limit)
{
	struct seen s;
	struct gbi_err e;
	size_t big = GBI_CSV_MAX_FIELD;
	char *buf = malloc(big + 64);
	cr_assert_not_null(buf);
	/* exactly the limit is fine */
	memcpy(buf, "a,b\n", 4);
	memset(buf + 4, 'x', big);
	memcpy(buf + 4 + big, ",1\n", 3);
	cr_assert_eq(read_csv(buf, 4 + big + 3, 0, ',', "UTF-8", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.len0[1], big);
	/* one byte more is not, with the line of the row */
	memset(buf + 4, 'x', big + 1);
	memcpy(buf + 4 + big + 1, ",1\n", 3);
	cr_assert_eq(read_csv(buf, 4 + big + 4, 0, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:2: field longer than 65536 bytes");
	/* and much more, quoted, fed in pieces */
	free(buf);
	big = 4 * GBI_CSV_MAX_FIELD;
	buf = malloc(big + 64);
	cr_assert_not_null(buf);
	memcpy(buf, "a\n\"", 3);
	memset(buf + 3, 'y', big);
	memcpy(buf + 3 + big, "\"\n", 2);
	cr_assert_eq(read_csv(buf, 3 + big + 2, 4096, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv:2: field longer than 65536 bytes");
	free(buf);
}

Test(csvread, empty_file)
{
	struct seen s;
	struct gbi_err e;
	cr_assert_eq(read_csv("", 0, 0, ',', "UTF-8", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv: empty file (no header row)");
	cr_assert_eq(READ("\n\r\n\n", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv: empty file (no header row)");
	cr_assert_eq(READ("\xef\xbb\xbf", &s, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "t.csv: empty file (no header row)");
	/* one short header without a newline is a file */
	cr_assert_eq(READ("a", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.text[0], "a");
}

Test(csvread, too_many_fields_counted_but_capped)
{
	struct seen s;
	struct gbi_err e;
	char buf[1024];
	size_t o = 0;
	int want = GBI_CSV_MAX_FIELDS + 6;
	for (int i = 0; i < want; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%d", i ? "," : "", i);
	o += (size_t)snprintf(buf + o, sizeof buf - o, "\nx,y\n");
	cr_assert_eq(read_csv(buf, o, 0, ',', "UTF-8", &s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.nfields[0], want);
	cr_assert_eq(s.kept[0], GBI_CSV_MAX_FIELDS);
	cr_assert(strncmp(s.text[0], "0|1|2|", 6) == 0);
	const char *last = strrchr(s.text[0], '|');
	cr_assert_str_eq(last + 1, "63");
	cr_assert_eq(s.nfields[1], 2);
	cr_assert_eq(s.kept[1], 2);
}

Test(csvread, unknown_encoding)
{
	struct gbi_csvread *r = NULL;
	struct gbi_err e;
	struct seen s;
	cr_assert_eq(gbi_csvread_new(&r, "t.csv", ',', "NO-SUCH-CHARSET", collect, &s, &e), GBI_EINPUT);
	cr_assert_null(r);
	cr_assert_str_eq(e.msg, "t.csv: encoding 'NO-SUCH-CHARSET' is not known to iconv");
}

/* The callback's error stops the reader and comes back unchanged. */
static gbi_status stop_at_2(void *ctx, const struct gbi_csv_row *row, struct gbi_err *err)
{
	int *calls = ctx;
	(*calls)++;
	if (row->line == 2)
		return gbi_err_set(err, GBI_EINPUT, "stop at %ld", row->line);
	return GBI_OK;
}

Test(csvread, callback_error_stops)
{
	struct gbi_csvread *r;
	struct gbi_err e;
	int calls = 0;
	cr_assert_eq(gbi_csvread_new(&r, "t.csv", ',', "UTF-8", stop_at_2, &calls, &e), GBI_OK);
	cr_assert_eq(gbi_csvread_feed(r, "a\nb\nc\nd\n", 8, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "stop at 2");
	cr_assert_eq(calls, 2);
	gbi_csvread_free(r);
}

/* Plain lines are split without libcsv (csvread.c); fed a byte at a time,
 * every line goes through libcsv.  Both must read the same rows, lines and
 * errors, whatever mix of blanks, separators, carriage returns, quotes and
 * multi-byte characters a line holds. */
Test(csvread, plain_lines_read_as_libcsv_reads_them)
{
	static const char *const parts[] = {"a", "bc", "d", " ", "\t", ",", ",", ";", "\r", "\n", "\n", "\xc3\xa9",
					    "\xff", "", "a", "bc", "d", ",", ";", "\n", "\"x\"", "\""};
	const size_t nquoteless = sizeof parts / sizeof parts[0] - 2;
	unsigned seed = 12345;
	int read_ok = 0;
	for (int round = 0; round < 4000; round++) {
		char in[128];
		size_t n = 0;
		int lines = 0;
		while (n < sizeof in - 8 && lines < 8) {
			seed = seed * 1103515245u + 12345u;
			/* one round in four has quotes */
			const char *p = parts[(seed >> 16) % (nquoteless + (round % 4 == 0 ? 2 : 0))];
			size_t k = strlen(p);
			memcpy(in + n, p, k);
			n += k;
			lines += p[0] == '\n';
		}
		char sep = round % 3 == 2 ? ';' : ',';
		struct seen one, each;
		struct gbi_err e1, e2;
		gbi_status s1 = read_csv(in, n, 0, sep, "UTF-8", &one, &e1);
		gbi_status s2 = read_csv(in, n, 1, sep, "UTF-8", &each, &e2);
		cr_assert_eq(s1, s2, "round %d: status %d vs %d (%s / %s)", round, s1, s2, e1.msg, e2.msg);
		if (s1) {
			cr_assert_str_eq(e1.msg, e2.msg, "round %d", round);
			continue;
		}
		cr_assert_eq(one.n, each.n, "round %d: rows", round);
		read_ok += one.n > 2;
		for (int i = 0; i < one.n; i++) {
			cr_assert_str_eq(one.text[i], each.text[i], "round %d row %d", round, i);
			cr_assert_eq(one.line[i], each.line[i], "round %d row %d", round, i);
			cr_assert_eq(one.nfields[i], each.nfields[i], "round %d row %d", round, i);
			cr_assert_eq(one.bad[i], each.bad[i], "round %d row %d", round, i);
		}
	}
	cr_assert_gt(read_ok, 400, "inputs read without error: %d", read_ok);
}
