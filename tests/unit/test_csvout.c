/*
 * test_csvout.c: writing CSV fields (libgbi/csvout.h), and reading them
 * back with the reader (libgbi/csvread.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "csvread.h"
#include "export.h"
#include "banned.h"

/* What gbi_csv_put writes for s. */
static char *put(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	cr_assert_not_null(fp);
	cr_assert_eq(gbi_csv_put(fp, s), 0);
	fclose(fp);
	return buf;
}

Test(csvout, quotes_only_what_needs_it)
{
	static const char *const cases[][2] = {
		{"", ""},
		{"plain text", "plain text"},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"\"", "\"\"\"\""},
		{"\"\"", "\"\"\"\"\"\""},
		{"end\"", "\"end\"\"\""},
		{"\"start", "\"\"\"start\""},
		{"line\nbreak", "\"line\nbreak\""},
		{"cr\r", "\"cr\r\""},
		{" lead", "\" lead\""},
		{"trail\t", "\"trail\t\""},
		{"in side", "in side"},
		{" ", "\" \""},
		{"registered at 1011AB 1 with the applicant, without a partner, of case H2 (0363), case H3 (0392)",
		 "\"registered at 1011AB 1 with the applicant, without a partner, of case H2 (0363), case H3 (0392)\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = put(cases[i][0]);
		cr_assert_str_eq(got, cases[i][1], "field %zu", i);
		free(got);
	}
}

/* Rows of random fields from an alphabet heavy in quotes, commas and line
 * ends, and in blanks at either end (which the reader trims from a field
 * that is not quoted), read back as written. */
struct back {
	int rows;
	const char *const *want;
	int n;
};

static gbi_status check_row(void *ctx, const struct gbi_csv_row *row, struct gbi_err *err)
{
	(void)err;
	struct back *b = ctx;
	cr_assert_null(row->bad);
	cr_assert_eq(row->nfields, b->n);
	for (int k = 0; k < b->n; k++)
		cr_assert_str_eq(row->f[k], b->want[k], "field %d: read [%s] wrote [%s]", k, row->f[k], b->want[k]);
	b->rows++;
	return GBI_OK;
}

Test(csvout, random_fields_read_back)
{
	static const char alphabet[] = "ab,\"\n\r x;'\t";
	srand(7);
	for (int round = 0; round < 2000; round++) {
		char f[3][24];
		const char *fields[3] = {f[0], f[1], f[2]};
		for (int k = 0; k < 3; k++) {
			int len = rand() % 20;
			for (int j = 0; j < len; j++)
				f[k][j] = alphabet[rand() % (int)(sizeof alphabet - 1)];
			f[k][len] = '\0';
		}
		char *buf = NULL;
		size_t n = 0;
		FILE *fp = open_memstream(&buf, &n);
		cr_assert_eq(gbi_csv_row(fp, 3, fields), 0);
		fclose(fp);
		struct back b = {0, fields, 3};
		struct gbi_csvread *r;
		struct gbi_err err;
		gbi_err_clear(&err);
		cr_assert_eq(gbi_csvread_new(&r, "t.csv", ',', "UTF-8", check_row, &b, &err), GBI_OK);
		cr_assert_eq(gbi_csvread_feed(r, buf, n, &err), GBI_OK, "%s: [%s]", err.msg, buf);
		cr_assert_eq(gbi_csvread_finish(r, &err), GBI_OK, "%s", err.msg);
		cr_assert_eq(b.rows, 1, "[%s]", buf);
		gbi_csvread_free(r);
		free(buf);
	}
}

/* The exports' buffered writer quotes the same fields. */
Test(csvout, export_writer_quotes_alike)
{
	static const char *const fields[] = {"", "plain", "a,b", "say \"hi\"", " lead", "trail\t", "x\ny"};
	size_t nf = sizeof fields / sizeof fields[0];
	FILE *tf = tmpfile();
	cr_assert_not_null(tf);
	static struct gbi_out o;
	gbi_out_fd(&o, fileno(tf));
	for (size_t i = 0; i < nf; i++)
		gbi_out_csv(&o, fields[i], i == 0);
	struct gbi_err err;
	cr_assert_eq(gbi_out_commit(&o, NULL, &err), GBI_OK, "%s", err.msg);
	char got[256] = "";
	rewind(tf);
	size_t n = fread(got, 1, sizeof got - 1, tf);
	got[n] = '\0';
	fclose(tf);
	char *want = NULL;
	size_t wn = 0;
	FILE *fp = open_memstream(&want, &wn);
	for (size_t i = 0; i < nf; i++) {
		if (i)
			putc(',', fp);
		gbi_csv_put(fp, fields[i]);
	}
	fclose(fp);
	cr_assert_str_eq(got, want);
	cr_assert_str_eq(got, ",plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"trail\t\",\"x\ny\"");
	free(want);
}
