/*
 * export.h: what leaves gbi (gbi-export(1)): the calculation run an export
 * reads, the output it writes, and the CSV/JSON Lines formats.  The SEPA
 * file is sepa.h, the sealed bundle bundle.h.
 *
 * Every export reads one calc_run (20-calculate.sql) inside the caller's
 * read transaction and streams its rows: memory does not grow with the
 * number of cases.  Output goes through struct gbi_out, which buffers,
 * counts and hashes (SHA-256) the exact bytes and, for a named file, writes
 * a temporary file (mode 0600) beside it that is renamed into place only
 * when everything succeeded.
 */
#ifndef GBI_EXPORT_H
#define GBI_EXPORT_H

#include <stdint.h>
#include <nettle/sha2.h>
#include "err.h"
#include "store.h"

/* ---- output --------------------------------------------------------- */

struct gbi_out {
	int fd;                  /* where the bytes go */
	int own;                 /* 1: a temporary file to rename to path on commit;
	                            2: an existing device or pipe, written in place */
	char path[1024];         /* the final name ("" for a plain descriptor) */
	char tmp[1040];          /* the temporary name while writing */
	struct sha256_ctx sha;   /* over every byte written */
	uint64_t bytes;          /* bytes written so far */
	int err_no;              /* first write error (errno), 0 when none */
	size_t n;                /* bytes in buf */
	unsigned char buf[1 << 16];
};

/* Opens output to path: NULL or "-" is standard output; an existing device
 * or pipe (/dev/null) is written in place; otherwise a temporary file
 * PATH.XXXXXX (mode 0600) in the same directory, renamed on commit. */
gbi_status gbi_out_open(struct gbi_out *o, const char *path, struct gbi_err *err);
/* Output to an open descriptor that the caller owns (not closed). */
void gbi_out_fd(struct gbi_out *o, int fd);
/* Buffers bytes; a write error is kept and reported by gbi_out_commit. */
void gbi_out_write(struct gbi_out *o, const void *p, size_t n);
void gbi_out_puts(struct gbi_out *o, const char *s);
/* One CSV field, quoted as gbi_csv_put quotes (csvout.h); first says
 * whether it starts a row (no comma before it). */
void gbi_out_csv(struct gbi_out *o, const char *s, int first);
/* Flushes; for a temporary file fsyncs, closes and renames it into place.
 * hex (if not NULL) gets the SHA-256 of all bytes.  On failure the
 * temporary file is removed. */
gbi_status gbi_out_commit(struct gbi_out *o, char hex[65], struct gbi_err *err);
/* Drops the output: removes the temporary file (nothing is left). */
void gbi_out_abort(struct gbi_out *o);

/* ---- the calculation run an export reads ------------------------------ */

struct gbi_export_run {
	int64_t id;              /* calc_run.id */
	int64_t last_batch;      /* calc_run.last_batch */
	int64_t verify_run;      /* the verify run for findings: calc_run.verify_run_id,
	                            else the latest for the period; 0 when none */
	char period[8];          /* 'YYYY-MM' */
	char created[32];        /* calc_run.created */
	int64_t epoch;           /* created as seconds since 1970 (0 when unparsable) */
	char municipalities[512];/* calc_run.municipalities */
	char batches[1024];      /* calc_run.batches */
	char params[2048];       /* calc_run.params */
};

/* The run to export: `want` (--run ID) or else the latest calc_run of the
 * period.  GBI_EINPUT when there is none, when `want` belongs to another
 * period, or (without `want`) when a batch was imported after the run. */
gbi_status gbi_export_run_find(struct gbi_store *s, const char *period, int64_t want,
			       struct gbi_export_run *r, struct gbi_err *err);

/* Refuses (GBI_EINPUT) a run that does not cover what is exported: a run
 * computed with --case, or with --municipality codes that leave out one of
 * mfilter's (",0392,0363,", "" for all municipalities).  Without this the
 * latest run of one municipality would silently drop the others' payments. */
gbi_status gbi_export_run_covers(struct gbi_store *s, const struct gbi_export_run *r, const char *mfilter,
				 struct gbi_err *err);

/* What an export wrote, for the stderr summary and the bundle MANIFEST. */
struct gbi_export_totals {
	int64_t rows;            /* data rows (transactions, results, findings ...) */
	int64_t total;           /* control total in cents (payable, or 0) */
	int64_t blocks;          /* pain.001: payment information blocks */
	int64_t max_block;       /* pain.001: transactions in the largest block */
	char sha256[65];         /* of the exact bytes (set by the caller on commit) */
	uint64_t bytes;
};

/* The municipality filter: codes as ",0392,0363," (or "" for all), the form
 * the queries bind. */
#define GBI_EXPORT_MAX_MUNIS 400
gbi_status gbi_export_munis(const char *const *codes, int n, char *out, size_t size, struct gbi_err *err);

/* Options shared by the table formats. */
struct gbi_export_opts {
	const char *munis;       /* from gbi_export_munis */
	int jsonl;               /* results, findings: JSON Lines instead of CSV */
};

/* results: one row per calc_result, CSV (amounts in euros, '.' decimal
 * mark) or JSON Lines (amounts in cents, the components JSON included). */
gbi_status gbi_export_results(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			      struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);
/* findings: the findings of r->verify_run (header only when none). */
gbi_status gbi_export_findings(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			       struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);
/* stats: per municipality, household and cost-sharers: cases, sum of norms,
 * sum payable, held, nil.  No BSNs. */
gbi_status gbi_export_stats(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			    struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);
/* bus: the CBS BUS records, one row per person of each benefit. */
gbi_status gbi_export_bus(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			  struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);

/* Whole euros for the BUS: cents rounded half away from zero
 * (150 -> 2, 149 -> 1, -150 -> -2). */
int64_t gbi_round_euro_half_away(int64_t cents);

/* A policy value of a municipality on date ymd (see policy.h). */
gbi_status gbi_export_policy(struct gbi_store *s, const char *muni, const char *key, int32_t ymd, char *out,
			     size_t size, struct gbi_err *err);

#endif
