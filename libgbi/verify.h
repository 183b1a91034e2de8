/*
 * verify.h: gbi verify, the lawfulness checks of the Participatiewet
 * against the sources (gbi-verify(1)).
 *
 * The catalogue is data: each rule has a stable code, a severity, its legal
 * basis, a line saying what it checks, the tables it reads, and one
 * set-based SQL statement over the live rows of the store that inserts its
 * findings.  No rule looks at rows one by one in C; two small SQL functions
 * (the BSN 11-test and the IBAN mod-97 check of field.h) and the money
 * format are registered for the statements.
 *
 * A run checks the cases of one period (every application, and every case
 * running on a day of the period), writes one verify_run and its findings
 * in one transaction (libgbi/schema/30-verify.sql) and returns the run's
 * id.  A `block` finding means no payment may go out: gbi calculate holds
 * the case.  Local policy (the `policy` table, policy.h) can switch review
 * and info rules off per municipality (key verify_rules_off, a list of
 * codes) and sets the thresholds the law leaves to it (vehicle_value_review,
 * application_search_weeks); block rules cannot be switched off.
 */
#ifndef GBI_VERIFY_H
#define GBI_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "store.h"

/* What a rule needs from the statutory parameters (params.h). */
#define GBI_NEED_AOW    1u  /* the AOW-age table */
#define GBI_NEED_ASSETS 2u  /* asset_limit_single, _family, _home_equity of the period */
#define GBI_NEED_NORMS  4u  /* norm_single, norm_couple of the period */

struct gbi_rule {
	const char *code;        /* stable code, e.g. "DETENTION" */
	const char *severity;    /* "block", "review" or "info" */
	const char *legal_basis; /* e.g. "PW art. 13 lid 1 a" */
	const char *checks;      /* what it checks, one line */
	const char *tables;      /* the tables it reads, comma-separated */
	unsigned needs;          /* GBI_NEED_* bits */
	const char *sql;         /* the statement inserting its findings into temp.vf */
};

/* The catalogue in code order; *n gets the number of rules. */
const struct gbi_rule *gbi_verify_rules(size_t *n);
/* The rule with that code, NULL when none. */
const struct gbi_rule *gbi_verify_rule(const char *code);

/* One finding of a verify run (strings valid during the callback only). */
struct gbi_finding {
	const char *rule, *severity, *municipality, *case_id, *bsn /* "" when none */,
		*period, *message, *legal_basis, *src_table /* "" when none */;
	int64_t src_batch, src_line; /* 0 when none */
};
typedef gbi_status (*gbi_finding_fn)(void *ctx, const struct gbi_finding *f, struct gbi_err *err);

struct gbi_verify_opts {
	int64_t run_id;               /* the run recording this command */
	int32_t period;               /* y*100+m */
	const char *const *munis;     /* --municipality filter (nmunis 0: all) */
	int nmunis;
	const char *const *cases;     /* --case filter (ncases 0: all) */
	int ncases;
	const char *const *rules;     /* --rule filter (nrules 0: all); codes checked by the caller */
	int nrules;
	const char *params_file;      /* --parameters FILE, or NULL */
	int one_lane;                 /* 1: every rule on the caller's connection, no second thread */
	/* called for each note (a rule skipped, a policy value refused); may be NULL */
	void (*on_note)(void *ctx, const char *msg);
	void *ctx;
	/* called after each step (setup, each rule, findings) with its wall time; may be NULL */
	void (*on_step)(void *ctx, const char *step, int64_t ns);
	/* called for each finding as it is stored, in the order of
	   gbi_verify_each, before the run commits; an error ends the run
	   (nothing stored); may be NULL */
	gbi_finding_fn on_finding;
};

struct gbi_verify_result {
	int64_t verify_run_id;   /* the verify_run written */
	long cases;              /* cases checked */
	long findings;           /* findings written */
	long block, review, info;
	int skipped;             /* rules skipped (a parameter unknown for the period) */
};

/* Runs the rules and stores their findings as one verify run (one
 * transaction).  GBI_EINPUT when the period is out of range. */
gbi_status gbi_verify_run(struct gbi_store *s, const struct gbi_verify_opts *o,
			  struct gbi_verify_result *res, struct gbi_err *err);

/* Calls fn for each finding of verify run id in the order municipality,
 * case, rule (then person and message). */
gbi_status gbi_verify_each(struct gbi_store *s, int64_t verify_run_id, gbi_finding_fn fn, void *ctx,
			   struct gbi_err *err);

/* Registers the SQL functions the rules use on the store's connection:
 * gbi_bsn_ok(TEXT), gbi_iban_ok(TEXT) (1 or 0) and gbi_money(CENTS) ("-12.34"). */
gbi_status gbi_verify_functions(struct gbi_store *s, struct gbi_err *err);

#endif
