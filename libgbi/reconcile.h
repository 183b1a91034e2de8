/*
 * reconcile.h: gbi's payments against another account of them (gbi reconcile).
 *
 * Against legacy: for every period of the range, gbi's latest calculation
 * (calc_run, libgbi/schema/20-calculate.sql; per municipality the latest run
 * for the period without a --case filter that covers it) against the live
 * legacy `payments` rows (summed per case and period; the municipality is
 * the case's).  Kinds:
 *   only_gbi     gbi pays, legacy paid nothing
 *   only_legacy  legacy paid, gbi pays nothing (or has no calculation)
 *   amount       both pay, different amounts
 * Only municipalities and periods gbi calculated are compared.
 *
 * Against calculations: every period of the range is recomputed with
 * today's store (libgbi/calc.h) and compared with the stored run that gbi
 * computed at the time:
 *   underpayment  recomputed > stored: to pay (nabetaling)
 *   overpayment   recomputed < stored: to recover (terugvordering)
 *
 * The explanation says what gbi can tell from its calculation components
 * (household, cost-sharers, proration, norm date, income, sanction, housing
 * reduction, verify hold) or, against calculations, which facts changed.
 *
 * gbi_reconcile() writes one reconcile_run and a reconcile_result row per
 * difference (libgbi/schema/50-reconcile.sql) in one transaction; the heavy
 * part is one set-based comparison in SQL, the explanations are made for
 * the differing rows only.
 */
#ifndef GBI_RECONCILE_H
#define GBI_RECONCILE_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "store.h"

#define GBI_RECONCILE_MAX_MUNIS 64

enum gbi_against { GBI_AGAINST_LEGACY, GBI_AGAINST_CALCULATIONS };

struct gbi_reconcile_opts {
	int32_t from, to;                 /* periods as y*100+m, from <= to */
	const char *munis[GBI_RECONCILE_MAX_MUNIS]; /* --municipality codes, none: all */
	int nmunis;
	int64_t tolerance;                /* cents: |difference| above it needs attention */
	enum gbi_against against;
	int64_t run_id;                   /* the run recording this reconcile */
	const char *parameters;           /* --parameters FILE for the recomputation, or NULL */
};

struct gbi_reconcile_summary {
	int64_t id;          /* the reconcile_run written */
	int64_t compared;    /* case-months compared */
	int64_t equal;
	int64_t different;
	int64_t over;        /* differences above the tolerance */
};

/* Compares and stores the result.  GBI_EINPUT when a period has no gbi
 * calculation to compare (nothing written).  Warnings (a calculation older
 * than the latest import) go to note(ctx, message) when not NULL. */
gbi_status gbi_reconcile(struct gbi_store *s, const struct gbi_reconcile_opts *o,
			 void (*note)(void *ctx, const char *msg), void *ctx,
			 struct gbi_reconcile_summary *sum, struct gbi_err *err);

/* One stored difference. */
struct gbi_reconcile_row {
	const char *muni, *case_id, *period;
	int has_gbi, has_other;   /* 0 when that side has no amount */
	int64_t gbi, other;       /* cents */
	int64_t difference;       /* gbi - other */
	const char *kind;
	const char *explanation;
	int over;                 /* |difference| > the run's tolerance */
};

/* The run's `against` ("legacy" or "calculations") into out. */
gbi_status gbi_reconcile_against(struct gbi_store *s, int64_t id, char *out, size_t outsize,
				 struct gbi_err *err);

/* Calls fn for every difference of reconcile run id, ordered by
 * municipality, case and period.  GBI_EINPUT when there is no such run. */
gbi_status gbi_reconcile_each(struct gbi_store *s, int64_t id,
			      gbi_status (*fn)(void *ctx, const struct gbi_reconcile_row *r, struct gbi_err *err),
			      void *ctx, struct gbi_err *err);

/* The totals of run id: fn gets what ("kind" or "municipality"), its name,
 * the number of differences and their sum in cents; kinds first. */
gbi_status gbi_reconcile_totals(struct gbi_store *s, int64_t id,
				gbi_status (*fn)(void *ctx, const char *what, const char *name, int64_t n,
						 int64_t sum, struct gbi_err *err),
				void *ctx, struct gbi_err *err);

/* The CSV header for a run against legacy or calculations. */
const char *gbi_reconcile_csv_header(enum gbi_against a);
/* Writes one difference as a CSV line (amounts in euros, empty when absent),
 * the one form both gbi reconcile and gbi export reconcile print; returns 0
 * or EOF on a write error. */
int gbi_reconcile_csv_row(FILE *fp, const struct gbi_reconcile_row *r);

/* Writes run id as CSV to fp: the header line, then one line per
 * difference (municipality,case_id,period,gbi,legacy,difference,kind,
 * explanation; against calculations the amount columns are recomputed,
 * stored).  For gbi export reconcile --run ID.  GBI_EINPUT when there is no
 * such run, GBI_ESYS on a write error. */
gbi_status gbi_reconcile_write_csv(struct gbi_store *s, int64_t id, FILE *fp, struct gbi_err *err);

#endif
