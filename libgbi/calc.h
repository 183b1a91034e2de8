/*
 * calc.h: the monthly bijstand of every household (gbi calculate).
 *
 * For a period (calendar month) gbi_calc_run() reads the live store set-wise
 * (one ordered, joined result set per input table, merged by case; no
 * query per case), computes every case with a right on some day of the
 * period, and writes one calc_run with its calc_result rows
 * (libgbi/schema/20-calculate.sql) in one transaction.  A run of every case
 * reads and computes on two threads, each on its own read-only connection,
 * a chunk of case ids at a time into memory, while the main thread stores
 * the chunks in case id order as they become ready (at most a few chunks
 * in memory).  The same store and parameters give the same rows.  gbi_calc_case() is the computation of one
 * case from its inputs, with no store, for tests and explanations.
 *
 * The computation (gbi-calculate(1), ../shared/domain/participatiewet.md
 * section 1), per day d of the month with a right:
 *   household(d)  applicant, partner (a `partner` member on d, not detained),
 *                 children (`child` members under 18 on d): single,
 *                 single_parent, couple
 *   right(d)      case start..end, the applicant's member dates, not under 18
 *                 (UNDER_18), nobody of the couple at AOW age (AOW_AGE,
 *                 art. 47a: the SVB pays), applicant not detained (DETENTION)
 *   norm(d)       art. 20 youth norms (18-20; mixed couples), art. 21 norms,
 *                 art. 22a cost-sharer norm for a claimant of 21+ with
 *                 kostendelende medebewoners (27+ at the applicant's address on
 *                 d, not the partner, no commercial contract, no WSF study):
 *                 round_half_up(B x (40 + 30 A) / (100 A)) per person, B =
 *                 the art. 21 couple norm
 *   housing(d)    policy housing_reduction_percent of the couple norm when
 *                 cases.housing is `none` (art. 27)
 *   sanction(d)   the sanctions covering d: percent (summed, at most 100) of
 *                 the norm (policy sanction_base)
 * Each component is summed over the days as amount x 1/days_in_month and
 * rounded half-up once (exact integer arithmetic on the sum).  Income is
 * counted per month (art. 31: child benefit and allowances exempt, gifts over
 * the year's allowance, the 25 % and 12.5 % exemptions with their caps, taken
 * of the income as delivered, holiday pay included) and prorated the same way.
 * bijstand = max(0, norm - housing - sanction - income); nil when assets are
 * above the limit or counted income reaches the norm; holiday_reserve =
 * round_half_up(5 % x bijstand); payable = bijstand - holiday_reserve.
 * Status held replaces payable for a block finding of the latest verify run,
 * a suspended case and an undecided application.  gbi-calculate(1) has the
 * whole list of choices and reason codes.
 */
#ifndef GBI_CALC_H
#define GBI_CALC_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "params.h"
#include "store.h"

/* Rounds num/den (den > 0) to the nearest integer, halves away from zero
 * for positive values ("half-up" on amounts, which are never negative here;
 * a negative num rounds half towards +infinity's mirror, i.e. -0.5 -> -1). */
int64_t gbi_round_half_up(int64_t num, int64_t den);

/* The art. 22a cost-sharer norm per person for A persons (A >= 1) with base
 * B (the art. 21 couple norm) in cents: round_half_up(B x (fixed + person x A)
 * / (100 x A)), fixed = 40, person = 30. */
int64_t gbi_cost_sharer_norm(int64_t base, int a, int fixed_pct, int person_pct);

/* ---- reason codes (calc_result.reasons, in this order) ------------------ */
enum gbi_reason {
	GBI_R_UNDER_18,             /* applicant under 18 on some day: no right (art. 13 lid 1 f) */
	GBI_R_AOW_AGE,              /* applicant or partner at AOW age: no right, the SVB pays (art. 47a) */
	GBI_R_DETENTION,            /* applicant detained on some days: no right those days (art. 13 lid 1 a) */
	GBI_R_NO_APPLICANT,         /* no applicant member (with a date of birth) on any day of the right */
	GBI_R_PARTIAL_MONTH,        /* a right on fewer days than the month has */
	GBI_R_YOUTH_NORM,           /* an art. 20 youth norm on some day */
	GBI_R_COST_SHARERS,         /* the art. 22a cost-sharer norm on some day */
	GBI_R_HOUSING_REDUCTION,    /* art. 27 housing-cost reduction */
	GBI_R_SANCTION,             /* a sanction (art. 18) */
	GBI_R_WORK_EXEMPTION,       /* art. 31 lid 2 n exemption applied */
	GBI_R_SINGLE_PARENT_EXEMPTION, /* art. 31 lid 2 r exemption applied */
	GBI_R_GIFT_ABOVE_ALLOWANCE, /* gifts over the yearly allowance counted (art. 31 lid 2 m) */
	GBI_R_INCOME_ABOVE_NORM,    /* counted income reaches the norm: nil */
	GBI_R_ASSETS_ABOVE_LIMIT,   /* assets above the art. 34 limit: nil */
	GBI_R_HOME_EQUITY_ABOVE_LIMIT, /* home equity above its limit: bijstand as a loan (art. 50) */
	GBI_R_CASE_SUSPENDED,       /* case status suspended: held */
	GBI_R_APPLICATION_PENDING,  /* case status application: held until decided */
	GBI_R_BLOCKING_FINDING,     /* a block finding of the latest gbi verify: held */
	GBI_R_NORM_NOT_KNOWN,       /* a norm gbi's parameters do not hold: held for a caseworker */
	GBI_R_COUNT
};
/* The code of reason r ("ASSETS_ABOVE_LIMIT") and a one-line description. */
const char *gbi_reason_code(int r);
const char *gbi_reason_doc(int r);

/* ---- the inputs of one case ---------------------------------------------- */
enum gbi_role { GBI_ROLE_APPLICANT, GBI_ROLE_PARTNER, GBI_ROLE_CHILD };

struct gbi_calc_member {
	char bsn[10];
	int role;                 /* enum gbi_role */
	int32_t from, to;         /* ymd, 0 for open */
	int32_t birth;            /* ymd, 0 when the person is unknown */
};

/* A person registered at the applicant's address during the period (not
 * the applicant), with the days both were registered there. */
struct gbi_calc_housemate {
	char bsn[10];
	int32_t from, to;         /* overlap of both registrations, ymd (to 0: open) */
	int32_t birth;            /* 0 when unknown */
	char dwelling[32];        /* postcode house number suffix, for explanations */
};

/* A reason a housemate does not count (art. 19a lid 1): a commercial
 * contract or a study with WSF. */
struct gbi_calc_exclusion {
	char bsn[10];
	char kind[24];            /* commercial_rent, commercial_board, study_wsf */
	int32_t from, to;         /* to 0: open */
};

enum gbi_income_kind {
	GBI_INC_WAGE, GBI_INC_SELF_EMPLOYMENT, GBI_INC_BENEFIT, GBI_INC_ALIMONY,
	GBI_INC_STUDY_FINANCE, GBI_INC_GIFT, GBI_INC_CHILD_BENEFIT, GBI_INC_ALLOWANCE,
	GBI_INC_OTHER, GBI_INC_COUNT
};
const char *gbi_income_kind_name(int k);
int gbi_income_kind_parse(const char *s);   /* -1 when unknown */

struct gbi_calc_income {
	char bsn[10];
	int32_t period;           /* y*100+m; months of the same year up to the period */
	int kind;                 /* enum gbi_income_kind */
	int64_t amount;           /* cents, net */
};

struct gbi_calc_asset {
	char kind[16];            /* bank, cash, vehicle, property, other, debt */
	int64_t value;            /* cents; a debt subtracts */
	int32_t ref;              /* reference date ymd */
};

struct gbi_calc_sanction {
	int percent;
	int32_t from, to;
};

struct gbi_calc_detention {
	char bsn[10];
	int32_t from, to;         /* to 0: open */
};

struct gbi_calc_input {
	char case_id[33];
	char muni[5];
	char status[16];          /* application, active, suspended */
	int32_t start, end;       /* ymd; end 0 for open */
	char housing[16];
	int32_t work_exemption_from, single_parent_exemption_from; /* 0 for none */
	int cost_sharers_recorded; /* cases.cost_sharers, 0 when empty */
	int held;                 /* a block finding in the latest verify run */
	struct gbi_calc_member *members; int nmembers;
	struct gbi_calc_housemate *housemates; int nhousemates;
	int applicant_addresses;  /* address rows of the applicant in the period */
	struct gbi_calc_exclusion *exclusions; int nexclusions;
	struct gbi_calc_income *incomes; int nincomes;
	struct gbi_calc_asset *assets; int nassets;  /* the latest reference date only */
	struct gbi_calc_sanction *sanctions; int nsanctions;
	struct gbi_calc_detention *detentions; int ndetentions;
	char address[32];         /* the applicant's dwelling (last in the period), for explanations */
};

/* Local policy for one municipality as the computation needs it. */
struct gbi_calc_policy {
	int64_t housing_bp;       /* housing_reduction_percent in hundredths of a percent */
	int64_t gift_allowance;   /* gift_allowance_per_year in cents */
	int sanction_after_housing; /* sanction_base = norm_after_housing */
};

/* The parameters of one period, resolved per day once per run. */
struct gbi_calc_period;
/* GBI_EINPUT (with the message of gbi_params_get) when a parameter is not
 * known for some day of period ym (y*100+m). */
gbi_status gbi_calc_period_new(const struct gbi_params *p, int32_t ym, struct gbi_calc_period **out,
			       struct gbi_err *err);
void gbi_calc_period_free(struct gbi_calc_period *cp);

/* ---- the result of one case ------------------------------------------------ */
struct gbi_calc_result {
	char household[16];       /* single, single_parent, couple (of the last day with a right) */
	int cost_sharers;         /* A of the last day with a right; 1 when the norm does not apply */
	int days;                 /* days with a right */
	int64_t norm, housing_reduction, sanction, income, bijstand, holiday_reserve, payable;
	char status[16];          /* payable, nil, held, not_entitled */
	uint32_t reasons;         /* bit r for enum gbi_reason r */
	char *components;         /* JSON object (segments, income, assets); owned, free() it */
};

/* Computes one case.  say (may be NULL) receives the explanation, one line
 * at a time (no newline).  GBI_ESYS only on out of memory. */
gbi_status gbi_calc_case(const struct gbi_calc_period *cp, const struct gbi_calc_policy *pol,
			 const struct gbi_calc_input *in, struct gbi_calc_result *out,
			 void (*say)(void *ctx, const char *line), void *ctx, struct gbi_err *err);

/* Writes the reasons bitmask as "A;B;C" into out. */
void gbi_reasons_format(uint32_t reasons, char *out, size_t outsize);

/* Writes cents as "-123.45" at p (at most 22 bytes, no NUL) and returns the
 * end: gbi_money_format without snprintf, for bulk output. */
char *gbi_money_put(char *p, int64_t cents);
/* Writes v in decimal at p (at most 20 bytes, no NUL) and returns the end. */
char *gbi_int_put(char *p, int64_t v);

/* ---- a run over the store ---------------------------------------------------- */
#define GBI_CALC_MAX_FILTER 64

struct gbi_calc_row;

struct gbi_calc_opts {
	int32_t period;                          /* y*100+m */
	const char *munis[GBI_CALC_MAX_FILTER]; int nmunis;   /* --municipality, none: all */
	const char *cases[GBI_CALC_MAX_FILTER]; int ncases;   /* --case, none: all */
	int64_t run_id;                          /* the run recording this command */
	const char *explain;                     /* case id: explain it, write nothing */
	void (*say)(void *ctx, const char *line);/* explanation lines */
	void (*warn)(void *ctx, const char *msg);/* warnings (policy defaults, ...) */
	void *ctx;
	/* called for every computed case as it is stored, in (case_id,
	 * municipality) order (may be NULL); non-zero stops the run (GBI_ESYS,
	 * nothing stored) */
	int (*row)(void *ctx, const struct gbi_calc_row *row);
	/* Optional, with row, so that a national run can make its output on
	 * the computing threads: format writes what row would print for a row
	 * into buf, at most size bytes, and returns its length (more than size:
	 * nothing written, called again with that room) or GBI_CALC_UNPRINTABLE;
	 * it is called on several threads at once, in no order.  print then
	 * prints those bytes, on the calling thread, in (case_id,
	 * municipality) order as each row is stored, instead of row; non-zero
	 * stops the run as row's would (so does GBI_CALC_UNPRINTABLE). */
	size_t (*format)(void *ctx, const struct gbi_calc_row *row, char *buf, size_t size);
	int (*print)(void *ctx, const char *bytes, size_t n);
};
#define GBI_CALC_UNPRINTABLE ((size_t)-1)

struct gbi_calc_summary {
	int64_t calc_run_id;                     /* 0 when nothing was written */
	long cases, payable, nil, held, not_entitled;
	int64_t total_payable;                   /* cents */
	int64_t verify_run_id;                   /* 0 when none */
};

/* Computes the period for every case in scope (status active, suspended or
 * application; start_date on or before the period's last day; no end_date
 * before its first day; the filters) and stores the run (one transaction;
 * the caller has NOT begun one).  With opts->explain set, computes only that
 * case, says every step and writes nothing; GBI_EINPUT when it is not in
 * scope. */
gbi_status gbi_calc_run(struct gbi_store *s, const struct gbi_params *p, const struct gbi_calc_opts *o,
			struct gbi_calc_summary *sum, struct gbi_err *err);

/* One stored result row, for printing and for export. */
struct gbi_calc_row {
	const char *case_id, *municipality, *period, *household;
	int cost_sharers, days;
	int64_t norm, housing_reduction, sanction, income, bijstand, holiday_reserve, payable;
	const char *status, *reasons, *iban, *account_name, *components;
};

/* Calls fn for every calc_result row of calc run id, ordered by municipality
 * and case_id; stops when fn returns non-zero (that value is returned as
 * GBI_ESYS with the message "stopped"). */
gbi_status gbi_calc_results(struct gbi_store *s, int64_t calc_run_id,
			    int (*fn)(void *ctx, const struct gbi_calc_row *row), void *ctx,
			    struct gbi_err *err);

#endif
