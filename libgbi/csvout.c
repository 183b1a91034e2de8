/*
 * csvout.c: minimal-quoting CSV output (csvout.h).
 */
#include <string.h>

#include "csvout.h"
#include "banned.h"

int gbi_csv_put(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n"))
		return fputs(s, fp) < 0 ? EOF : 0;
	if (putc('"', fp) == EOF)
		return EOF;
	for (; *s; s++) {
		if (*s == '"' && putc('"', fp) == EOF)
			return EOF;
		if (putc(*s, fp) == EOF)
			return EOF;
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
