/*
 * csvout.h: writing CSV fields the way gbi's CSV outputs are written:
 * comma-separated, a field quoted (with doubled quotes) only when it holds a
 * comma, a quote, CR or LF, or begins or ends with a space or tab (which a
 * reader would trim); lines end in LF.
 */
#ifndef GBI_CSVOUT_H
#define GBI_CSVOUT_H

#include <stdio.h>

/* Whether field s is written quoted: it holds a comma, quote, CR or LF, or
 * a space or tab at either end (CSV readers such as libcsv, and so gbi
 * import, trim those from a field that is not quoted). */
int gbi_csv_needs_quotes(const char *s);
/* Writes one field s (NUL-terminated); returns 0 or EOF on a write error. */
int gbi_csv_put(FILE *fp, const char *s);
/* Writes n fields separated by commas and a newline. */
int gbi_csv_row(FILE *fp, int n, const char *const *fields);

#endif
