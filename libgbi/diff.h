/*
 * diff.h: what changed between two batches (gbi diff).
 *
 * The state of the store "as of batch N" is, for every table and
 * municipality, the rows of the latest batch <= N that delivered that table
 * for that municipality (batch_scope).  gbi_diff() compares two such states
 * per table and key, set-based in SQL over the data tables (superseded rows
 * stay in the store, live=0, until gbi prune):
 *
 *   cases      appeared, removed, ended, status (changed status), changed
 *   members    joined, left, changed
 *   addresses  client_moved (a client's own address changed), moved_in (a
 *              person moved into a client's dwelling), moved_out (a person
 *              left a client's dwelling), moved (no client involved), new
 *              (no current address before), removed (none after)
 *   the others new, removed, changed (incomes, assets and payments are
 *              summed per key, shown in euros)
 *
 * Without batches, each table and municipality compares its last two
 * batches that delivered it; a table first delivered after an earlier batch
 * of the municipality is all new; a municipality's first batch is not
 * compared.  With batch_a only, batch_a is compared with the latest batch.
 *
 * The callbacks get the counts per table and change first (in table order),
 * then every change, ordered by table, municipality and key.  The strings
 * live until the callback returns.  Read-only but for temporary tables.
 */
#ifndef GBI_DIFF_H
#define GBI_DIFF_H

#include <stdint.h>
#include "err.h"
#include "store.h"

struct gbi_diff_opts {
	const char *muni;   /* only this municipality (NULL: all) */
	int64_t batch_a;    /* the earlier state, 0: each table's previous batch */
	int64_t batch_b;    /* the later state, 0: the latest batch */
};

struct gbi_diff_row {
	const char *table;    /* data table */
	const char *change;   /* see above */
	const char *muni;     /* municipality, "" when not known */
	const char *case_id;  /* the case concerned, "" when not known */
	const char *key;      /* the row's key within the table */
	const char *before;   /* value in the earlier state, "" when none */
	const char *after;    /* value in the later state, "" when none */
};

struct gbi_diff_cb {
	/* one per (table, change) with its number of rows, before any row */
	gbi_status (*count)(void *ctx, const char *table, const char *change, int64_t n, struct gbi_err *err);
	gbi_status (*row)(void *ctx, const struct gbi_diff_row *r, struct gbi_err *err);
	void *ctx;
};

/* The batches compared, filled by gbi_diff for the summary. */
struct gbi_diff_info {
	int64_t pairs;       /* (table, municipality) pairs compared */
	int64_t changes;     /* rows reported */
	int64_t batch_min;   /* the earliest and latest batch involved (0: none) */
	int64_t batch_max;
};

/* GBI_EINPUT when a batch does not exist or its rows were pruned. */
gbi_status gbi_diff(struct gbi_store *s, const struct gbi_diff_opts *o, const struct gbi_diff_cb *cb,
		    struct gbi_diff_info *info, struct gbi_err *err);

#endif
