/*
 * import.h: loading extracts into the store as one batch.
 *
 * gbi_import() reads every table of the given inputs in the given format,
 * checks every value by its type and every reference between tables, and
 * writes the rows that pass as one batch, in one transaction:
 *
 *  - A batch is a full snapshot of each table it contains: for each such
 *    table it replaces the current rows of the municipalities it covers
 *    (gbi-formats(5), "owner").  Replaced rows stay in the store, no longer
 *    current, for audit until gbi prune.
 *  - A row that fails a check is rejected: reported through on_reject
 *    (file, line, column, value, reason) and recorded with the batch.  More
 *    than max_rejects rejected rows refuse the whole batch (GBI_EINPUT);
 *    fewer keep it (GBI_ATTENTION).
 *  - A table that cannot be read (malformed CSV, bad header) refuses the
 *    batch with a message naming file and line.
 *  - Input byte-identical to the batch that is current for all its tables
 *    changes nothing (result->same_as names that batch).
 */
#ifndef GBI_IMPORT_H
#define GBI_IMPORT_H

#include <stdint.h>
#include "err.h"
#include "format.h"
#include "store.h"

#define GBI_MAX_MUNIS 64

struct gbi_reject {
	const char *file;     /* input name as in messages */
	const char *table;
	long line;
	const char *column;   /* header name, "" for the whole row */
	const char *value;    /* the value as read (UTF-8), "" for none */
	const char *reason;
};

struct gbi_import_opts {
	const char *format;          /* format name, "gbi-v1" when NULL */
	const char *formats_dir;     /* extra format definitions, or NULL */
	const char *table;           /* table of a single file or stdin, or NULL */
	const char *munis[GBI_MAX_MUNIS]; /* --municipality codes */
	int nmunis;
	long max_rejects;            /* rejected rows allowed; more refuse the batch */
	uint64_t max_bytes;          /* decompressed bytes per input (0: default) */
	int64_t run_id;              /* the run recording this import */
	/* called for every rejected row: first the rows that fail their
	 * column types, in input order, then those failing the checks between
	 * rows and tables, per check */
	void (*on_reject)(void *ctx, const struct gbi_reject *r);
	/* called now and then while reading: input name, bytes done, bytes in
	 * all (0 when unknown), rows so far */
	void (*on_progress)(void *ctx, const char *name, uint64_t done, uint64_t total, long rows);
	/* called when a table's rows stay current for municipalities the batch
	 * does not cover (see gbi-import(1), "ownership") */
	void (*on_note)(void *ctx, const char *msg);
	void *ctx;
};

struct gbi_import_table {
	char table[GBI_NAME];
	char name[1024];             /* input name */
	char sha256[65];
	uint64_t size;
	long read, imported, rejected;
};

struct gbi_import_result {
	int64_t batch_id;            /* the new batch, 0 when none was written */
	int64_t same_as;             /* identical to this current batch: nothing changed */
	char munis[GBI_MAX_MUNIS * 5 + 1]; /* municipalities covered, comma-separated */
	int ntables;
	struct gbi_import_table t[GBI_MAX_TABLES];
	long read, imported, rejected;
};

/* Imports paths[0..npaths-1] (directories, files, archives, "-") as one
 * batch.  Returns GBI_OK, GBI_ATTENTION (rows rejected, batch kept),
 * GBI_EINPUT (refused, nothing changed), GBI_EBUSY, GBI_ESYS or GBI_EUSAGE. */
gbi_status gbi_import(struct gbi_store *s, const char *const *paths, int npaths,
		      const struct gbi_import_opts *o, struct gbi_import_result *res, struct gbi_err *err);

#endif
