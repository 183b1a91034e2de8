/*
 * csvout.c: minimal-quoting CSV output (csvout.h).
 */
#include <string.h>

#include "csvout.h"
#include "banned.h"

int gbi_csv_needs_quotes(const char *s)
{
	if (strpbrk(s, ",\"\r\n"))
		return 1;
	size_t n = strlen(s);
	return n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}

int gbi_csv_put(FILE *fp, const char *s)
{
	if (!gbi_csv_needs_quotes(s))
		return fputs(s, fp) < 0 ? EOF : 0;
	if (putc('"', fp) == EOF)
		return EOF;
	/* the field in runs up to and including each quote, which is then
	   doubled: a putc per character (each taking stdio's lock) was most of
	   the time gbi verify took to print 161,671 findings */
	for (;;) {
		const char *q = strchr(s, '"');
		size_t n = q ? (size_t)(q - s) + 1 : strlen(s);
		if (n && fwrite(s, 1, n, fp) != n)
			return EOF;
		if (!q)
			break;
		if (putc('"', fp) == EOF)
			return EOF;
		s = q + 1;
	}
	return putc('"', fp) == EOF ? EOF : 0;
}

int gbi_csv_row(FILE *fp, int n, const char *const *fields)
{
	for (int i = 0; i < n; i++) {
		if (i && putc(',', fp) == EOF)
			return EOF;
		if (gbi_csv_put(fp, fields[i]))
			return EOF;
	}
	return putc('\n', fp) == EOF ? EOF : 0;
}
