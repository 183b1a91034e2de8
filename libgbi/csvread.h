/*
 * csvread.h: a streaming, bounded CSV reader on top of libcsv (which a
 * line with no quote and no stray carriage return skips, with the same
 * result; see csvread.c).
 *
 * Bytes go in with gbi_csvread_feed() in chunks of any size; every complete
 * row comes out through the row callback with its fields converted to UTF-8
 * and the physical line number it started on.  Memory is bounded: a field
 * longer than GBI_CSV_MAX_FIELD bytes or a row longer than GBI_CSV_MAX_ROW
 * stops the file with an error, whatever the input.
 *
 * What stops the file (gbi_csvread_feed/finish return GBI_EINPUT with
 * "NAME:LINE: ..."): an unterminated quote, a quote in the middle of an
 * unquoted field, a NUL byte, a field or row over the limit, an empty file.
 * What only spoils a row (the callback gets row->bad set, the caller rejects
 * the row and goes on): a byte that is not in the declared encoding, invalid
 * UTF-8.
 */
#ifndef GBI_CSVREAD_H
#define GBI_CSVREAD_H

#include <stddef.h>
#include "err.h"

#define GBI_CSV_MAX_FIELD (64 * 1024)
#define GBI_CSV_MAX_ROW   (1024 * 1024)
#define GBI_CSV_MAX_FIELDS 64   /* fields kept per row; more are counted */

struct gbi_csv_row {
	long line;            /* physical line the row starts on (1 = first) */
	int nfields;          /* fields in the row (may exceed the kept ones) */
	int kept;             /* fields in f/len: min(nfields, GBI_CSV_MAX_FIELDS) */
	const char *f[GBI_CSV_MAX_FIELDS];   /* UTF-8 field values, NUL-terminated */
	size_t len[GBI_CSV_MAX_FIELDS];
	const char *bad;      /* NULL, or why the row cannot be read (encoding) */
	int bad_field;        /* index of the field `bad` is about */
};

/* Called once per row (the header row included).  A non-OK return stops the
 * reader and is returned from feed/finish with err as the callback set it. */
typedef gbi_status (*gbi_csv_row_fn)(void *ctx, const struct gbi_csv_row *row, struct gbi_err *err);

struct gbi_csvread;

/* Creates a reader.  name is used in messages; sep the separator; encoding
 * an iconv name ("UTF-8": validated, not converted).  A UTF-8 byte-order mark
 * at the start is dropped and switches the reader to UTF-8. */
gbi_status gbi_csvread_new(struct gbi_csvread **out, const char *name, char sep,
			   const char *encoding, gbi_csv_row_fn fn, void *ctx, struct gbi_err *err);
gbi_status gbi_csvread_feed(struct gbi_csvread *r, const void *buf, size_t n, struct gbi_err *err);
/* Ends the input: delivers a last row without a line end, checks for an open
 * quote and for an empty file. */
gbi_status gbi_csvread_finish(struct gbi_csvread *r, struct gbi_err *err);
/* Rows delivered so far (header included). */
long gbi_csvread_rows(const struct gbi_csvread *r);
void gbi_csvread_free(struct gbi_csvread *r);

#endif
