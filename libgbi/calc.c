/*
 * calc.c: the monthly bijstand of every household (calc.h).
 *
 * Part 1 computes one case from its inputs (gbi_calc_case), day by day,
 * with exact integer sums and one half-up rounding per component.  Part 2
 * reads the store as a handful of joined result sets, all ordered by
 * (case_id, muni) and merged like sorted files, so that the whole country is
 * one pass with no query per case, and stores the run (gbi_calc_run).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "audit.h"
#include "field.h"
#include "policy.h"
#include "banned.h"

/* ---- rounding and formulas ------------------------------------------------ */

int64_t gbi_round_half_up(int64_t num, int64_t den)
{
	/* (2 num + den) / (2 den), floored: exact for odd and even den */
	if (num >= 0)
		return (2 * num + den) / (2 * den);
	return -((-2 * num + den) / (2 * den));
}

int64_t gbi_cost_sharer_norm(int64_t base, int a, int fixed_pct, int person_pct)
{
	if (a < 1)
		a = 1;
	return gbi_round_half_up(base * (fixed_pct + (int64_t)person_pct * a), 100 * (int64_t)a);
}

static const char *const reason_codes[GBI_R_COUNT][2] = {
	{"UNDER_18", "applicant under 18: no right (art. 13 lid 1 f)"},
	{"AOW_AGE", "applicant or partner at AOW age: no right here, the SVB pays the AIO (art. 47a)"},
	{"DETENTION", "applicant detained: no right on those days (art. 13 lid 1 a)"},
	{"NO_APPLICANT", "no applicant member with a known date of birth in the period"},
	{"PARTIAL_MONTH", "a right on fewer days than the month has (art. 45 lid 3, calendar days)"},
	{"YOUTH_NORM", "an art. 20 youth norm (18-20) on some day"},
	{"COST_SHARERS", "the art. 22a cost-sharer norm on some day"},
	{"HOUSING_REDUCTION", "housing-cost reduction (art. 27, local policy)"},
	{"SANCTION", "a sanction (art. 18)"},
	{"WORK_EXEMPTION", "25 % work exemption (art. 31 lid 2 n)"},
	{"SINGLE_PARENT_EXEMPTION", "12.5 % single-parent exemption (art. 31 lid 2 r)"},
	{"GIFT_ABOVE_ALLOWANCE", "gifts above the yearly allowance counted (art. 31 lid 2 m)"},
	{"INCOME_ABOVE_NORM", "counted income reaches the norm: nothing to pay"},
	{"ASSETS_ABOVE_LIMIT", "assets above the limit (art. 34): no right"},
	{"HOME_EQUITY_ABOVE_LIMIT", "home equity above its limit: bijstand as a loan (art. 50)"},
	{"CASE_SUSPENDED", "the case is suspended: held"},
	{"APPLICATION_PENDING", "the application is not yet decided: held"},
	{"BLOCKING_FINDING", "a blocking finding of the latest gbi verify for the period: held"},
	{"NORM_NOT_KNOWN", "a couple of one 18-20 and one 21+ with children and cost-sharers: the art. 22a lid 3 amount is not in gbi's parameters: held"},
};

const char *gbi_reason_code(int r)
{
	return r >= 0 && r < GBI_R_COUNT ? reason_codes[r][0] : "";
}

const char *gbi_reason_doc(int r)
{
	return r >= 0 && r < GBI_R_COUNT ? reason_codes[r][1] : "";
}

void gbi_reasons_format(uint32_t reasons, char *out, size_t outsize)
{
	size_t o = 0;
	out[0] = '\0';
	for (int r = 0; r < GBI_R_COUNT; r++)
		if (reasons & (1u << r)) {
			int w = snprintf(out + o, o < outsize ? outsize - o : 0, "%s%s", o ? ";" : "", reason_codes[r][0]);
			if (w > 0)
				o += (size_t)w;
			if (o >= outsize) {
				out[outsize - 1] = '\0';
				return;
			}
		}
}

static const char *const income_kinds[GBI_INC_COUNT] = {
	"wage", "self_employment", "benefit", "alimony", "study_finance", "gift", "child_benefit", "allowance", "other",
};

const char *gbi_income_kind_name(int k)
{
	return k >= 0 && k < GBI_INC_COUNT ? income_kinds[k] : "";
}

int gbi_income_kind_parse(const char *s)
{
	for (int k = 0; k < GBI_INC_COUNT; k++)
		if (strcmp(s, income_kinds[k]) == 0)
			return k;
	return -1;
}

/* ---- the parameters of a period, per day --------------------------------- */

enum { Y_SINGLE, Y_COUPLE, Y_MIXED, Y_SINGLE_PARENT, Y_COUPLE_CHILDREN, Y_MIXED_CHILDREN, Y_N };
static const char *const youth_keys[Y_N] = {
	"youth_single", "youth_couple", "youth_couple_mixed", "youth_single_parent",
	"youth_couple_children", "youth_couple_mixed_children",
};
static const char *const youth_articles[Y_N] = {
	"art. 20 lid 1 a", "art. 20 lid 1 b", "art. 20 lid 1 c", "art. 20 lid 2 a", "art. 20 lid 2 b", "art. 20 lid 2 c",
};

struct dayp {
	int64_t norm_single, norm_couple, youth[Y_N];
	int cs_fixed, cs_person, cs_min_age;
	int32_t vf_norm;                 /* valid_from of the norms in force */
};

struct gbi_calc_period {
	const struct gbi_params *p;
	int32_t ym, first, last;
	int dim;
	struct dayp d[31];
	/* month values (in force on the first day) */
	int64_t asset_single, asset_family, asset_home;
	int64_t work_max, sp_max, gift_law;
	int has_gift_law;
	int wk_pct, wk_months, sp_permille, sp_months, sp_child_age, ex_min_age, vt_pct;
	uint32_t param_change;   /* bit i: day i's parameters differ from day i-1's */
};

static gbi_status getp(const struct gbi_params *p, const char *key, int32_t ymd, int64_t *v, struct gbi_err *err)
{
	return gbi_params_get(p, key, ymd, v, err);
}

gbi_status gbi_calc_period_new(const struct gbi_params *p, int32_t ym, struct gbi_calc_period **out,
			       struct gbi_err *err)
{
	*out = NULL;
	struct gbi_calc_period *cp = calloc(1, sizeof *cp);
	if (!cp)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	cp->p = p;
	cp->ym = ym;
	cp->dim = gbi_days_in_month(ym / 100, ym % 100);
	cp->first = ym * 100 + 1;
	cp->last = ym * 100 + cp->dim;
	gbi_status st = GBI_OK;
	int64_t v;
	for (int i = 0; i < cp->dim && !st; i++) {
		int32_t d = cp->first + i;
		struct dayp *dp = &cp->d[i];
		if ((st = getp(p, "norm_single", d, &dp->norm_single, err)) || (st = getp(p, "norm_couple", d, &dp->norm_couple, err)))
			break;
		for (int y = 0; y < Y_N && !st; y++)
			st = getp(p, youth_keys[y], d, &dp->youth[y], err);
		if (!st && !(st = getp(p, "cost_sharer_fixed_percent", d, &v, err)))
			dp->cs_fixed = (int)v;
		if (!st && !(st = getp(p, "cost_sharer_person_percent", d, &v, err)))
			dp->cs_person = (int)v;
		if (!st && !(st = getp(p, "cost_sharer_min_age", d, &v, err)))
			dp->cs_min_age = (int)v;
		dp->vf_norm = gbi_params_valid_from(p, "norm_single", d, NULL);
	}
	for (int i = 1; i < cp->dim; i++)
		if (memcmp(&cp->d[i], &cp->d[i - 1], sizeof cp->d[i]) != 0)
			cp->param_change |= 1u << i;
	int32_t f = cp->first;
	if (!st) st = getp(p, "asset_limit_single", f, &cp->asset_single, err);
	if (!st) st = getp(p, "asset_limit_family", f, &cp->asset_family, err);
	if (!st) st = getp(p, "asset_limit_home_equity", f, &cp->asset_home, err);
	if (!st) st = getp(p, "work_exemption_max", f, &cp->work_max, err);
	if (!st) st = getp(p, "single_parent_exemption_max", f, &cp->sp_max, err);
	if (!st && !(st = getp(p, "work_exemption_percent", f, &v, err))) cp->wk_pct = (int)v;
	if (!st && !(st = getp(p, "work_exemption_months", f, &v, err))) cp->wk_months = (int)v;
	if (!st && !(st = getp(p, "single_parent_exemption_permille", f, &v, err))) cp->sp_permille = (int)v;
	if (!st && !(st = getp(p, "single_parent_exemption_months", f, &v, err))) cp->sp_months = (int)v;
	if (!st && !(st = getp(p, "single_parent_exemption_child_age", f, &v, err))) cp->sp_child_age = (int)v;
	if (!st && !(st = getp(p, "exemption_min_age", f, &v, err))) cp->ex_min_age = (int)v;
	if (!st && !(st = getp(p, "holiday_allowance_percent", cp->last, &v, err))) cp->vt_pct = (int)v;
	if (!st)
		cp->has_gift_law = gbi_params_find(p, "gift_allowance_year", f, &cp->gift_law);
	if (st) {
		free(cp);
		return st;
	}
	*out = cp;
	return GBI_OK;
}

void gbi_calc_period_free(struct gbi_calc_period *cp)
{
	free(cp);
}

/* ---- text helpers ------------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

/* a in decimal at p; returns the end */
static char *put_u(char *p, uint64_t a)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + a % 10);
		a /= 10;
	} while (a);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *gbi_money_put(char *p, int64_t cents)
{
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	if (cents < 0)
		*p++ = '-';
	p = put_u(p, a / 100);
	*p++ = '.';
	*p++ = (char)('0' + a / 10 % 10);
	*p++ = (char)('0' + a % 10);
	return p;
}

char *gbi_int_put(char *p, int64_t v)
{
	if (v < 0)
		*p++ = '-';
	return put_u(p, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

/* Appends without a format string: the components of every case go through
 * these, so they avoid printf. */
static char *sb_room(struct sbuf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (!b->s || b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 512;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		char *t = realloc(b->s, ncap);
		if (!t) {
			b->oom = 1;
			return NULL;
		}
		b->s = t;
		b->cap = ncap;
	}
	return b->s + b->n;
}

static void sb_cat(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	char *p = sb_room(b, n);
	if (p) {
		memcpy(p, s, n + 1);
		b->n += n;
	}
}

static void sb_money(struct sbuf *b, int64_t cents)
{
	char *p = sb_room(b, 24);
	if (p) {
		char *e = gbi_money_put(p, cents);
		*e = '\0';
		b->n += (size_t)(e - p);
	}
}

static void sb_int(struct sbuf *b, int64_t v)
{
	char *p = sb_room(b, 24);
	if (p) {
		char *e = gbi_int_put(p, v);
		*e = '\0';
		b->n += (size_t)(e - p);
	}
}

static void sb_date(struct sbuf *b, int32_t d)
{
	char t[11];
	gbi_date_format(d, t);
	sb_cat(b, t);
}

/* money as "1401.50" in a small rotating buffer (for one printf call) */
static const char *eur(int64_t cents)
{
	static char bufs[8][32];
	static int i;
	char *b = bufs[i++ & 7];
	*gbi_money_put(b, cents) = '\0';
	return b;
}

static const char *ymd_s(int32_t d)
{
	static char bufs[8][11];
	static int i;
	char *b = bufs[i++ & 7];
	if (d)
		gbi_date_format(d, b);
	else
		gbi_strlcpy(b, "(open)", 11);
	return b;
}

struct say {
	void (*fn)(void *ctx, const char *line);
	void *ctx;
};

static void say(const struct say *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct say *s, const char *fmt, ...)
{
	if (!s->fn)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->fn(s->ctx, line);
}

/* ---- one case ---------------------------------------------------------------- */

static int covers(int32_t from, int32_t to, int32_t d)
{
	return (!from || from <= d) && (!to || d <= to);
}

static int excluded_on(const struct gbi_calc_input *in, const char *bsn, int32_t d, const char **why)
{
	for (int i = 0; i < in->nexclusions; i++)
		if (strcmp(in->exclusions[i].bsn, bsn) == 0 && covers(in->exclusions[i].from, in->exclusions[i].to, d)) {
			if (why)
				*why = in->exclusions[i].kind;
			return 1;
		}
	return 0;
}

static int detained_on(const struct gbi_calc_input *in, const char *bsn, int32_t d)
{
	for (int i = 0; i < in->ndetentions; i++)
		if (strcmp(in->detentions[i].bsn, bsn) == 0 && covers(in->detentions[i].from, in->detentions[i].to, d))
			return 1;
	return 0;
}

/* bsn is the partner of the case on day d (any day when d is 0): an
 * ex-partner still registered at the address is a housemate from the day
 * the partnership ends, and a housemate who becomes the partner counts on
 * the days before. */
static int is_partner_bsn(const struct gbi_calc_input *in, const char *bsn, int32_t d)
{
	for (int i = 0; i < in->nmembers; i++)
		if (in->members[i].role == GBI_ROLE_PARTNER && strcmp(in->members[i].bsn, bsn) == 0
		    && (!d || covers(in->members[i].from, in->members[i].to, d)))
			return 1;
	return 0;
}

/* A housemate counts as kostendelende medebewoner on d (art. 19a). */
static int housemate_counts(const struct gbi_calc_input *in, const struct gbi_calc_housemate *h, int32_t d, int min_age)
{
	if (!covers(h->from, h->to, d) || !h->birth)
		return 0;
	if (gbi_age_on(h->birth, d) < min_age)
		return 0;
	if (is_partner_bsn(in, h->bsn, d))
		return 0;
	return !excluded_on(in, h->bsn, d, NULL);
}

enum { H_SINGLE, H_SINGLE_PARENT, H_COUPLE };
static const char *const household_names[] = {"single", "single_parent", "couple"};

enum { NR_NONE = 0, NR_OUTSIDE, NR_UNDER_18, NR_AOW, NR_DETENTION, NR_NO_APPLICANT };
static const char *const noright_text[] = {
	"", "outside the case's dates", "applicant under 18 (art. 13 lid 1 f)",
	"AOW age reached (art. 47a: the SVB pays)", "applicant detained (art. 13 lid 1 a)", "no applicant member",
};

struct day {
	int noright;            /* NR_* */
	int household;          /* H_* */
	int a;                  /* cost-sharers A (1: not applied) */
	int64_t norm;           /* monthly norm in force that day */
	int64_t couple_norm;    /* art. 21 couple norm (housing base) */
	int64_t housing_bp;     /* housing reduction in hundredths of a percent of couple_norm */
	int pct;                /* sanction percent */
	int kind;               /* which rule gave the norm (a source line), to split segments */
	char how[160];          /* which norm, for explanations (only when explaining) */
};

/* Records which rule gave the day's norm; writes its text only when explaining. */
#define HOW(...) \
	do { \
		dy->kind = __LINE__; \
		if (explain) \
			snprintf(dy->how, sizeof dy->how, __VA_ARGS__); \
	} while (0)

static int day_same(const struct day *x, const struct day *y)
{
	return x->noright == y->noright && x->household == y->household && x->a == y->a && x->norm == y->norm
	       && x->couple_norm == y->couple_norm && x->housing_bp == y->housing_bp && x->pct == y->pct
	       && x->kind == y->kind;
}

static void compute_day(const struct gbi_calc_period *cp, const struct gbi_calc_policy *pol,
			const struct gbi_calc_input *in, const struct gbi_calc_member *app, int32_t aow_app,
			int i, int explain, struct day *dy, uint32_t *reasons)
{
	const struct dayp *dp = &cp->d[i];
	int32_t d = cp->first + i;
	dy->noright = dy->household = dy->kind = dy->pct = 0;
	dy->norm = dy->couple_norm = dy->housing_bp = 0;
	dy->how[0] = '\0';
	dy->a = 1;
	if (!app) {
		dy->noright = NR_NO_APPLICANT;
		return;
	}
	/* household on d, also on days without a right (for the columns) */
	const struct gbi_calc_member *partner = NULL;
	int children = 0;
	for (int k = 0; k < in->nmembers; k++) {
		const struct gbi_calc_member *m = &in->members[k];
		if (!covers(m->from, m->to, d) || !m->birth)
			continue;
		if (m->role == GBI_ROLE_PARTNER && !partner && !detained_on(in, m->bsn, d))
			partner = m;
		else if (m->role == GBI_ROLE_CHILD && gbi_age_on(m->birth, d) < 18)
			children++;
	}
	dy->household = partner ? H_COUPLE : children ? H_SINGLE_PARENT : H_SINGLE;
	if (d < in->start || (in->end && d > in->end) || !covers(app->from, app->to, d)) {
		dy->noright = NR_OUTSIDE;
		return;
	}
	int age_a = gbi_age_on(app->birth, d);
	if (detained_on(in, app->bsn, d)) {
		dy->noright = NR_DETENTION;
		*reasons |= 1u << GBI_R_DETENTION;
		return;
	}
	if (age_a < 18) {
		dy->noright = NR_UNDER_18;
		*reasons |= 1u << GBI_R_UNDER_18;
		return;
	}
	int32_t aow_p = partner ? gbi_aow_date(cp->p, partner->birth) : 0;
	if ((aow_app && d >= aow_app) || (aow_p && d >= aow_p)) {
		dy->noright = NR_AOW;
		*reasons |= 1u << GBI_R_AOW_AGE;
		return;
	}
	/* cost-sharers at the applicant's address on d */
	int n = 0;
	for (int k = 0; k < in->nhousemates; k++) {
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= strcmp(in->housemates[j].bsn, in->housemates[k].bsn) == 0
			       && housemate_counts(in, &in->housemates[j], d, dp->cs_min_age);
		if (!dup && housemate_counts(in, &in->housemates[k], d, dp->cs_min_age))
			n++;
	}
	if (!partner) {
		if (age_a < 21) {
			int y = children ? Y_SINGLE_PARENT : Y_SINGLE;
			dy->norm = dp->youth[y];
			HOW("youth norm %s %s (%s)", children ? "single parent" : "single",
				 eur(dy->norm), youth_articles[y]);
			*reasons |= 1u << GBI_R_YOUTH_NORM;
		} else if (n > 0) {
			dy->a = 1 + n;
			dy->norm = gbi_cost_sharer_norm(dp->norm_couple, dy->a, dp->cs_fixed, dp->cs_person);
			HOW("cost-sharer norm A=%d: round_half_up(%s x (%d%% + %d x %d%%) / %d) = %s (art. 22a)",
				 dy->a, eur(dp->norm_couple), dp->cs_fixed, dy->a, dp->cs_person, dy->a, eur(dy->norm));
			*reasons |= 1u << GBI_R_COST_SHARERS;
		} else {
			dy->norm = dp->norm_single;
			HOW("norm %s %s (art. 21 %s)", children ? "single parent" : "single",
				 eur(dy->norm), children ? "b" : "a");
		}
	} else {
		int age_p = gbi_age_on(partner->birth, d);
		int ya = age_a < 21, yp = age_p < 21;
		if (ya && yp) {
			int y = children ? Y_COUPLE_CHILDREN : Y_COUPLE;
			dy->norm = dp->youth[y];
			HOW("youth norm couple both 18-20%s %s (%s)", children ? " with children" : "",
				 eur(dy->norm), youth_articles[y]);
			*reasons |= 1u << GBI_R_YOUTH_NORM;
		} else if (ya || yp) {
			*reasons |= 1u << GBI_R_YOUTH_NORM;
			if (n > 0) {
				/* the spouse of 21+ gets the cost-sharer norm (A counts the
				 * claimant and the cost-sharers, not the spouse under 21),
				 * the spouse of 18-20 the art. 20 lid 1 a norm */
				dy->a = 1 + n;
				int64_t cs = gbi_cost_sharer_norm(dp->norm_couple, dy->a, dp->cs_fixed, dp->cs_person);
				dy->norm = cs + dp->youth[Y_SINGLE];
				HOW("cost-sharer norm A=%d %s (art. 22a) + youth norm %s (art. 20 lid 1 a) = %s",
					 dy->a, eur(cs), eur(dp->youth[Y_SINGLE]), eur(dy->norm));
				/* With dependent children art. 22a lid 3 gives the spouse of
				 * 18-20 another amount, which the parameters do not hold (it is
				 * not in the figures gbi computes from): the case is held
				 * rather than paid the amount without children. */
				if (children) {
					*reasons |= 1u << GBI_R_NORM_NOT_KNOWN;
					HOW("with children art. 22a lid 3 sets another amount for the spouse of 18-20, unknown to gbi: held");
				}
				*reasons |= 1u << GBI_R_COST_SHARERS;
			} else {
				int y = children ? Y_MIXED_CHILDREN : Y_MIXED;
				dy->norm = dp->youth[y];
				HOW("youth norm couple one 18-20, one 21+%s %s (%s)",
					 children ? " with children" : "", eur(dy->norm), youth_articles[y]);
			}
		} else if (n > 0) {
			dy->a = 2 + n;
			int64_t cs = gbi_cost_sharer_norm(dp->norm_couple, dy->a, dp->cs_fixed, dp->cs_person);
			dy->norm = 2 * cs;
			HOW("cost-sharer norm A=%d: 2 x round_half_up(%s x (%d%% + %d x %d%%) / %d) = 2 x %s = %s (art. 22a)",
				 dy->a, eur(dp->norm_couple), dp->cs_fixed, dy->a, dp->cs_person, dy->a, eur(cs), eur(dy->norm));
			*reasons |= 1u << GBI_R_COST_SHARERS;
		} else {
			dy->norm = dp->norm_couple;
			HOW("norm couple %s (art. 21 c)", eur(dy->norm));
		}
	}
	dy->couple_norm = dp->norm_couple;
	if (strcmp(in->housing, "none") == 0 && pol->housing_bp > 0) {
		dy->housing_bp = pol->housing_bp;
		*reasons |= 1u << GBI_R_HOUSING_REDUCTION;
	}
	for (int k = 0; k < in->nsanctions; k++)
		if (covers(in->sanctions[k].from, in->sanctions[k].to, d))
			dy->pct += in->sanctions[k].percent;
	if (dy->pct > 100)
		dy->pct = 100;
	if (dy->pct > 0)
		*reasons |= 1u << GBI_R_SANCTION;
}

/* months between period ym and the month of date from (>= 0 when ym is at or after it) */
/* ---- the days on which something may change ---- */

static void mark(uint32_t *b, const struct gbi_calc_period *cp, int32_t d)
{
	if (d > cp->first && d <= cp->last)
		*b |= 1u << (d - cp->first);
}

static void mark_interval(uint32_t *b, const struct gbi_calc_period *cp, int32_t from, int32_t to)
{
	if (from)
		mark(b, cp, from);
	if (to && to < cp->last)
		mark(b, cp, gbi_ymd_add_days(to, 1));
}

/* Every day on which an input of compute_day() can change: the days between
 * two marked days are computed once.  Each input of compute_day() must have
 * its change days marked here. */
static uint32_t change_days(const struct gbi_calc_period *cp, const struct gbi_calc_input *in)
{
	uint32_t b = cp->param_change | 1u;
	mark_interval(&b, cp, in->start, in->end);
	for (int k = 0; k < in->nmembers; k++) {
		const struct gbi_calc_member *m = &in->members[k];
		mark_interval(&b, cp, m->from, m->to);
		if (m->birth) {
			mark(&b, cp, gbi_ymd_add(m->birth, 18, 0));
			mark(&b, cp, gbi_ymd_add(m->birth, 21, 0));
			mark(&b, cp, gbi_aow_date(cp->p, m->birth));
		}
	}
	for (int k = 0; k < in->nhousemates; k++) {
		const struct gbi_calc_housemate *h = &in->housemates[k];
		mark_interval(&b, cp, h->from, h->to);
		if (h->birth)
			for (int i = 0; i < cp->dim; i++)
				if (i == 0 || cp->d[i].cs_min_age != cp->d[i - 1].cs_min_age)
					mark(&b, cp, gbi_ymd_add(h->birth, cp->d[i].cs_min_age, 0));
	}
	for (int k = 0; k < in->nexclusions; k++)
		mark_interval(&b, cp, in->exclusions[k].from, in->exclusions[k].to);
	for (int k = 0; k < in->nsanctions; k++)
		mark_interval(&b, cp, in->sanctions[k].from, in->sanctions[k].to);
	for (int k = 0; k < in->ndetentions; k++)
		mark_interval(&b, cp, in->detentions[k].from, in->detentions[k].to);
	return b;
}

static int months_since(int32_t ym, int32_t from)
{
	int fy = from / 10000, fm = from / 100 % 100;
	return (ym / 100 - fy) * 12 + (ym % 100 - fm);
}

static const char *role_name(int r)
{
	return r == GBI_ROLE_APPLICANT ? "applicant" : r == GBI_ROLE_PARTNER ? "partner" : "child";
}

gbi_status gbi_calc_case(const struct gbi_calc_period *cp, const struct gbi_calc_policy *pol,
			 const struct gbi_calc_input *in, struct gbi_calc_result *out,
			 void (*sayfn)(void *ctx, const char *line), void *ctx, struct gbi_err *err)
{
	struct say sy = {sayfn, ctx};
	memset(out, 0, sizeof *out);
	uint32_t reasons = 0;
	const int dim = cp->dim;
	char per[8];
	gbi_period_format(cp->ym, per);

	const struct gbi_calc_member *app = NULL;
	for (int k = 0; k < in->nmembers; k++)
		if (in->members[k].role == GBI_ROLE_APPLICANT && in->members[k].birth) {
			app = &in->members[k];
			break;
		}
	int32_t aow_app = app ? gbi_aow_date(cp->p, app->birth) : 0;

	if (sy.fn) {
		say(&sy, "Case %s, municipality %s, period %s (%d days)", in->case_id, in->muni, per, dim);
		say(&sy, "  status %s, right from %s to %s, housing %s", in->status, ymd_s(in->start), ymd_s(in->end), in->housing);
		say(&sy, "Members:");
		for (int k = 0; k < in->nmembers; k++) {
			const struct gbi_calc_member *m = &in->members[k];
			if (!m->birth) {
				say(&sy, "  %-9s %s  date of birth unknown (not in persons): not counted", role_name(m->role), m->bsn);
				continue;
			}
			say(&sy, "  %-9s %s  born %s, age %d on %s; member %s to %s", role_name(m->role), m->bsn, ymd_s(m->birth),
			    gbi_age_on(m->birth, cp->first), ymd_s(cp->first), ymd_s(m->from), ymd_s(m->to));
			static const int marks[] = {18, 21, 27};
			for (int j = 0; j < 3; j++) {
				int32_t b = gbi_ymd_add(m->birth, marks[j], 0);
				if (b > cp->first && b <= cp->last)
					say(&sy, "            turns %d on %s: from that day the rules for %d+ apply", marks[j], ymd_s(b), marks[j]);
			}
			int32_t aow = gbi_aow_date(cp->p, m->birth);
			if (m->role != GBI_ROLE_CHILD && aow && aow <= cp->last)
				say(&sy, "            reaches AOW age on %s%s", ymd_s(aow), aow <= cp->first ? " (before this month)" : "");
		}
	}

	/* ---- housemates (explanation) ---- */
	if (sy.fn && app) {
		if (!in->applicant_addresses)
			say(&sy, "Address: the applicant has no registered address in the period: no cost-sharers");
		else
			say(&sy, "Address: %s; %s", in->address,
			    in->nhousemates ? "others registered there in the period:" : "nobody else registered there in the period");
		for (int k = 0; k < in->nhousemates; k++) {
			const struct gbi_calc_housemate *h = &in->housemates[k];
			const char *why = NULL;
			int min_age = cp->d[0].cs_min_age;
			char verdict[200];
			int member = 0;
			for (int j = 0; j < in->nmembers; j++)
				if (strcmp(in->members[j].bsn, h->bsn) == 0 && in->members[j].role == GBI_ROLE_CHILD)
					member = 1;
			if (!h->birth)
				snprintf(verdict, sizeof verdict, "date of birth unknown: not counted");
			else if (is_partner_bsn(in, h->bsn, cp->first) && is_partner_bsn(in, h->bsn, cp->last))
				snprintf(verdict, sizeof verdict, "the partner: not a cost-sharer (art. 19a)");
			else if (is_partner_bsn(in, h->bsn, 0))
				snprintf(verdict, sizeof verdict, "the partner on some days of the month: a cost-sharer on the others if %d or older (art. 19a)",
					 min_age);
			else if (gbi_age_on(h->birth, h->to && h->to < cp->last ? h->to : cp->last) < min_age)
				snprintf(verdict, sizeof verdict, "%sunder %d: not a cost-sharer (art. 19a)",
					 member ? "child of this case, " : "", min_age);
			else if (excluded_on(in, h->bsn, h->from > cp->first ? h->from : cp->first, &why))
				snprintf(verdict, sizeof verdict, "%s: not a cost-sharer (art. 19a lid 1)", why);
			else
				snprintf(verdict, sizeof verdict, "%d or older: counts as cost-sharer (art. 19a)", min_age);
			say(&sy, "  housemate %s at %s, born %s (age %d), registered %s to %s: %s", h->bsn, h->dwelling,
			    h->birth ? ymd_s(h->birth) : "?", h->birth ? gbi_age_on(h->birth, cp->first) : 0,
			    ymd_s(h->from), ymd_s(h->to), verdict);
		}
	}

	/* ---- days and segments ---- */
	struct day seg, nxt;   /* the day of the open segment; a newly computed day */
	int64_t norm_sum = 0, housing_num = 0, sanction_num = 0;
	int days = 0, last_household = H_SINGLE, last_a = 1;
	int seg_start = 0;
	struct sbuf js = {0};
	sb_cat(&js, "{\"segments\":[");
	int nseg = 0;
	char terms[600] = "";
	size_t tn = 0;
	uint32_t change = change_days(cp, in);
	for (int i = 0; i <= dim; i++) {
		/* only a change day is computed; the others repeat the segment's day */
		int boundary = i < dim && (change & (1u << i));
		int close = i == dim;
		if (boundary) {
			compute_day(cp, pol, in, app, aow_app, i, sy.fn != NULL, &nxt, &reasons);
			close = i > 0 && !day_same(&nxt, &seg);
		}
		if (close) {
			/* close the segment seg_start..i-1 */
			int n = i - seg_start;
			const struct day *s = &seg;
			if (s->noright == NR_NONE) {
				int64_t housing_m = gbi_round_half_up(s->couple_norm * s->housing_bp, 10000);
				sb_cat(&js, nseg++ ? ",{\"from\":\"" : "{\"from\":\"");
				sb_date(&js, cp->first + seg_start);
				sb_cat(&js, "\",\"to\":\"");
				sb_date(&js, cp->first + i - 1);
				sb_cat(&js, "\",\"days\":");
				sb_int(&js, n);
				sb_cat(&js, ",\"household\":\"");
				sb_cat(&js, household_names[s->household]);
				sb_cat(&js, "\",\"cost_sharers\":");
				sb_int(&js, s->a);
				sb_cat(&js, ",\"norm\":");
				sb_money(&js, s->norm);
				sb_cat(&js, ",\"housing_reduction\":");
				sb_money(&js, housing_m);
				sb_cat(&js, ",\"sanction_percent\":");
				sb_int(&js, s->pct);
				sb_cat(&js, "}");
				if (sy.fn && tn < sizeof terms)
					tn += (size_t)snprintf(terms + tn, sizeof terms - tn, "%s%s x %d", tn ? " + " : "", eur(s->norm), n);
				if (sy.fn) {
					say(&sy, "Days %s to %s (%d): %s", ymd_s(cp->first + seg_start), ymd_s(cp->first + i - 1), n,
					    household_names[s->household]);
					say(&sy, "  %s", s->how);
					if (s->housing_bp)
						say(&sy, "  housing reduction %lld.%02lld %% of the couple norm %s = %s a month (art. 27, policy housing_reduction_percent)",
						    (long long)(s->housing_bp / 100), (long long)(s->housing_bp % 100), eur(s->couple_norm), eur(housing_m));
					if (s->pct)
						say(&sy, "  sanction %d %% of the %s (art. 18)", s->pct,
						    pol->sanction_after_housing ? "norm after the housing reduction" : "norm");
				}
			} else if (sy.fn) {
				say(&sy, "Days %s to %s (%d): no right: %s", ymd_s(cp->first + seg_start), ymd_s(cp->first + i - 1), n,
				    noright_text[s->noright]);
			}
			seg_start = i;
		}
		if (i == dim)
			break;
		if (boundary && (i == 0 || close))
			seg = nxt;
		if (seg.noright != NR_OUTSIDE || days == 0)
			last_household = seg.household;
		if (seg.noright == NR_NONE) {
			days++;
			last_household = seg.household;
			last_a = seg.a;
			norm_sum += seg.norm;
			int64_t h = seg.couple_norm * seg.housing_bp; /* cents x 1/10000 */
			housing_num += h;
			int64_t base = pol->sanction_after_housing ? seg.norm * 10000 - h : seg.norm * 10000;
			if (base < 0)
				base = 0;
			sanction_num += base * seg.pct;     /* cents x 1/1,000,000 */
		}
	}
	sb_cat(&js, "]");
	if (!app || (days == 0 && !(reasons & ((1u << GBI_R_UNDER_18) | (1u << GBI_R_AOW_AGE) | (1u << GBI_R_DETENTION)))))
		reasons |= 1u << GBI_R_NO_APPLICANT;
	if (days > 0 && days < dim)
		reasons |= 1u << GBI_R_PARTIAL_MONTH;

	if (sy.fn && in->cost_sharers_recorded && in->cost_sharers_recorded != last_a)
		say(&sy, "  note: the case records cost_sharers %d; computed from the addresses: %d", in->cost_sharers_recorded, last_a);
	out->days = days;
	out->cost_sharers = last_a;
	gbi_strlcpy(out->household, household_names[last_household], sizeof out->household);
	out->norm = gbi_round_half_up(norm_sum, dim);
	out->housing_reduction = gbi_round_half_up(housing_num, 10000 * (int64_t)dim);
	out->sanction = gbi_round_half_up(sanction_num, 1000000 * (int64_t)dim);
	if (sy.fn && days) {
		say(&sy, "Proration by calendar days (art. 45 lid 3, policy proration=calendar_days), one half-up rounding per component:");
		say(&sy, "  norm               (%s) / %d = %s / %d = %s", terms, dim, eur(norm_sum), dim, eur(out->norm));
		if (housing_num)
			say(&sy, "  housing reduction  sum of (couple norm x percent x days) / %d = %s", dim, eur(out->housing_reduction));
		if (sanction_num)
			say(&sy, "  sanction           sum of (base x percent x days) / %d = %s", dim, eur(out->sanction));
	}

	/* ---- income ---- */
	int64_t counted = 0, gift_before = 0, gift_now = 0;
	int64_t ex_work = 0, ex_sp = 0;
	int youngest = 99;
	for (int k = 0; k < in->nmembers; k++)
		if (in->members[k].role == GBI_ROLE_CHILD && in->members[k].birth
		    && covers(in->members[k].from, in->members[k].to, cp->last)) {
			int a = gbi_age_on(in->members[k].birth, cp->first);
			if (a >= 0 && a < youngest)
				youngest = a;
		}
	if (sy.fn && in->nincomes)
		say(&sy, "Income of %s (art. 31-33; amounts net):", per);
	for (int k = 0; k < in->nmembers; k++) {
		const struct gbi_calc_member *m = &in->members[k];
		if (m->role == GBI_ROLE_CHILD)
			continue;
		int dupm = 0;
		for (int j = 0; j < k; j++)
			dupm |= strcmp(in->members[j].bsn, m->bsn) == 0;
		if (dupm)
			continue;
		int64_t kind_sum[GBI_INC_COUNT] = {0};
		for (int j = 0; j < in->nincomes; j++) {
			const struct gbi_calc_income *x = &in->incomes[j];
			if (strcmp(x->bsn, m->bsn) != 0)
				continue;
			if (x->period == cp->ym)
				kind_sum[x->kind] += x->amount;
			else if (x->period < cp->ym && x->period / 100 == cp->ym / 100 && x->kind == GBI_INC_GIFT)
				gift_before += x->amount;
		}
		gift_now += kind_sum[GBI_INC_GIFT];
		int64_t earned = kind_sum[GBI_INC_WAGE] + kind_sum[GBI_INC_SELF_EMPLOYMENT];
		int64_t other = kind_sum[GBI_INC_BENEFIT] + kind_sum[GBI_INC_ALIMONY] + kind_sum[GBI_INC_STUDY_FINANCE]
				+ kind_sum[GBI_INC_OTHER];
		int age = m->birth ? gbi_age_on(m->birth, cp->first) : 0;
		int64_t ex = 0;
		const char *exwhy = NULL;
		if (earned > 0 && age >= cp->ex_min_age) {
			int wn = in->work_exemption_from ? months_since(cp->ym, in->work_exemption_from) : -1;
			int sn = in->single_parent_exemption_from ? months_since(cp->ym, in->single_parent_exemption_from) : -1;
			if (wn >= 0 && wn < cp->wk_months) {
				int64_t raw = gbi_round_half_up(earned * cp->wk_pct, 100);
				ex = raw < cp->work_max ? raw : cp->work_max;
				ex_work += ex;
				reasons |= 1u << GBI_R_WORK_EXEMPTION;
				if (sy.fn) {
					static char b[200];
					snprintf(b, sizeof b, "work exemption (art. 31 lid 2 n), month %d of %d from %s: %d %% of %s = %s, cap %s: %s",
						 wn + 1, cp->wk_months, ymd_s(in->work_exemption_from), cp->wk_pct, eur(earned), eur(raw),
						 eur(cp->work_max), eur(ex));
					exwhy = b;
				}
			} else if (sn >= 0 && sn < cp->sp_months && last_household == H_SINGLE_PARENT && youngest < cp->sp_child_age) {
				int64_t raw = gbi_round_half_up(earned * cp->sp_permille, 1000);
				ex = raw < cp->sp_max ? raw : cp->sp_max;
				ex_sp += ex;
				reasons |= 1u << GBI_R_SINGLE_PARENT_EXEMPTION;
				if (sy.fn) {
					static char b[220];
					snprintf(b, sizeof b, "single-parent exemption (art. 31 lid 2 r), month %d of %d from %s, child aged %d: 12.5 %% of %s = %s, cap %s: %s",
						 sn + 1, cp->sp_months, ymd_s(in->single_parent_exemption_from), youngest, eur(earned),
						 eur(raw), eur(cp->sp_max), eur(ex));
					exwhy = b;
				}
			}
		}
		int64_t person = earned - ex + other;
		counted += person;
		if (sy.fn) {
			for (int kd = 0; kd < GBI_INC_COUNT; kd++)
				if (kind_sum[kd])
					say(&sy, "  %s %s: %-15s %10s  %s", role_name(m->role), m->bsn, income_kinds[kd], eur(kind_sum[kd]),
					    kd == GBI_INC_CHILD_BENEFIT || kd == GBI_INC_ALLOWANCE ? "exempt (art. 31 lid 2)" :
					    kd == GBI_INC_GIFT ? "see gifts" : "counts");
			if (exwhy)
				say(&sy, "  %s", exwhy);
			else if (earned > 0)
				say(&sy, "  no exemption on earnings: %s", age < cp->ex_min_age ? "under 27 (art. 31 lid 5)" : "none granted for this month");
			if (earned < 0)
				say(&sy, "  negative earnings are counted as they are");
		}
	}
	int64_t allowance = pol->gift_allowance;
	if (cp->has_gift_law && cp->gift_law > allowance)
		allowance = cp->gift_law;
	int64_t over_after = gift_before + gift_now - allowance, over_before = gift_before - allowance;
	int64_t gift_counted = (over_after > 0 ? over_after : 0) - (over_before > 0 ? over_before : 0);
	if (gift_counted > 0)
		reasons |= 1u << GBI_R_GIFT_ABOVE_ALLOWANCE;
	counted += gift_counted;
	if (sy.fn && (gift_now || gift_before))
		say(&sy, "  gifts: %s earlier this year + %s this month against the yearly allowance %s (%s): %s counted",
		    eur(gift_before), eur(gift_now), eur(allowance),
		    cp->has_gift_law && cp->gift_law >= pol->gift_allowance ? "art. 31 lid 2 m" : "policy gift_allowance_per_year",
		    eur(gift_counted));
	if (counted < 0)
		counted = 0;
	out->income = days ? gbi_round_half_up(counted * days, dim) : 0;
	if (sy.fn && days)
		say(&sy, "  counted income of the month %s; for %d of %d days: round_half_up(%s x %d / %d) = %s",
		    eur(counted), days, dim, eur(counted), days, dim, eur(out->income));
	sb_cat(&js, ",\"income\":{\"counted_month\":");
	sb_money(&js, counted);
	sb_cat(&js, ",\"work_exemption\":");
	sb_money(&js, ex_work);
	sb_cat(&js, ",\"single_parent_exemption\":");
	sb_money(&js, ex_sp);
	sb_cat(&js, ",\"gifts_counted\":");
	sb_money(&js, gift_counted);
	sb_cat(&js, "}");

	/* ---- assets ---- */
	/* debts are set against the own home first (the mortgage); what is
	 * left of them subtracts from the other assets */
	int64_t total = 0, property = 0, debts = 0;
	int32_t ref = 0;
	for (int k = 0; k < in->nassets; k++) {
		const struct gbi_calc_asset *x = &in->assets[k];
		ref = x->ref;
		if (strcmp(x->kind, "debt") == 0)
			debts += x->value < 0 ? -x->value : x->value;
		else if (strcmp(x->kind, "property") == 0)
			property += x->value;
		else
			total += x->value;
	}
	int64_t equity = property - debts;
	if (equity < 0) {
		total += equity;
		equity = 0;
	}
	int64_t limit = last_household == H_SINGLE ? cp->asset_single : cp->asset_family;
	int assets_over = total > limit;
	if (assets_over)
		reasons |= 1u << GBI_R_ASSETS_ABOVE_LIMIT;
	if (equity > cp->asset_home)
		reasons |= 1u << GBI_R_HOME_EQUITY_ABOVE_LIMIT;
	if (sy.fn) {
		if (!in->nassets)
			say(&sy, "Assets: none recorded on or before %s", ymd_s(cp->last));
		else {
			say(&sy, "Assets on %s (art. 34):", ymd_s(ref));
			for (int k = 0; k < in->nassets; k++)
				say(&sy, "  %-8s %12s%s", in->assets[k].kind, eur(in->assets[k].value),
				    strcmp(in->assets[k].kind, "debt") == 0 ? " (subtracts)" :
				    strcmp(in->assets[k].kind, "property") == 0 ? " (own home: against the home-equity limit)" : "");
			if (property)
				say(&sy, "  debts are set against the own home first: home equity %s - %s = %s",
				    eur(property), eur(debts), eur(equity));
			say(&sy, "  total %s against the %s limit %s: %s", eur(total),
			    last_household == H_SINGLE ? "single" : "family", eur(limit),
			    assets_over ? "ABOVE the limit: no right" : total == limit ? "exactly at the limit: allowed" : "within the limit");
			if (equity)
				say(&sy, "  home equity %s against %s: %s", eur(equity), eur(cp->asset_home),
				    equity > cp->asset_home ? "above: bijstand as a loan (art. 50)" : "within");
		}
	}
	sb_cat(&js, ",\"assets\":{\"total\":");
	sb_money(&js, total);
	sb_cat(&js, ",\"limit\":");
	sb_money(&js, limit);
	sb_cat(&js, "}");

	/* ---- result ---- */
	if (days == 0) {
		out->norm = out->housing_reduction = out->sanction = out->income = 0;
		gbi_strlcpy(out->status, "not_entitled", sizeof out->status);
	} else {
		int64_t after_housing = out->norm - out->housing_reduction;
		int64_t b = after_housing - out->sanction - out->income;
		if (assets_over) {
			b = 0;
		} else if (out->income > 0 && out->income >= after_housing) {
			b = 0;
			reasons |= 1u << GBI_R_INCOME_ABOVE_NORM;
		}
		out->bijstand = b > 0 ? b : 0;
		out->holiday_reserve = gbi_round_half_up(out->bijstand * cp->vt_pct, 100);
		out->payable = out->bijstand - out->holiday_reserve;
		if (out->payable <= 0)
			gbi_strlcpy(out->status, "nil", sizeof out->status);
		else {
			int held = 0;
			if (strcmp(in->status, "suspended") == 0) {
				reasons |= 1u << GBI_R_CASE_SUSPENDED;
				held = 1;
			}
			if (strcmp(in->status, "application") == 0) {
				reasons |= 1u << GBI_R_APPLICATION_PENDING;
				held = 1;
			}
			if (in->held) {
				reasons |= 1u << GBI_R_BLOCKING_FINDING;
				held = 1;
			}
			if (reasons & (1u << GBI_R_NORM_NOT_KNOWN))
				held = 1;
			gbi_strlcpy(out->status, held ? "held" : "payable", sizeof out->status);
		}
	}
	out->reasons = reasons;
	sb_cat(&js, ",\"norms_valid_from\":\"");
	sb_date(&js, cp->d[0].vf_norm);
	sb_cat(&js, "\",\"holiday_percent\":");
	sb_int(&js, cp->vt_pct);
	sb_cat(&js, "}");
	if (js.oom) {
		free(js.s);
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	}
	out->components = js.s;
	if (sy.fn) {
		char rs[512];
		gbi_reasons_format(reasons, rs, sizeof rs);
		say(&sy, "Result for %s:", per);
		say(&sy, "  norm               %10s", eur(out->norm));
		say(&sy, "  housing reduction -%10s", eur(out->housing_reduction));
		say(&sy, "  sanction          -%10s", eur(out->sanction));
		say(&sy, "  income            -%10s", eur(out->income));
		say(&sy, "  bijstand           %10s  (never below 0%s)", eur(out->bijstand),
		    assets_over ? "; 0 because the assets are above the limit" :
		    reasons & (1u << GBI_R_INCOME_ABOVE_NORM) ? "; 0 because counted income reaches the norm" : "");
		say(&sy, "  holiday reserve   -%10s  round_half_up(%d %% x %s) (art. 19 lid 3)", eur(out->holiday_reserve),
		    cp->vt_pct, eur(out->bijstand));
		say(&sy, "  payable            %10s", eur(out->payable));
		say(&sy, "  status %s; reasons %s", out->status, rs[0] ? rs : "(none)");
		for (int r = 0; r < GBI_R_COUNT; r++)
			if (reasons & (1u << r))
				say(&sy, "    %s: %s", reason_codes[r][0], reason_codes[r][1]);
	}
	return GBI_OK;
}

/* ---- part 2: a run over the store --------------------------------------- */

/* Within a case the rows come in index order (the order of import, the same
 * for the same store); gather() sorts what needs an order and drops
 * duplicates, so no stream pays for a sort per case.
 *
 * The cases in scope come from `cases`; every other stream is driven by its
 * own table's (case_id, muni) index (members_case, assets_case,
 * sanctions_case), so that all of them come out ordered by (case_id, muni)
 * without a probe into cases per row, and are merged with the cases like
 * sorted files: rows of cases out of scope are skipped by the merge. */
#define SCOPE \
	"c.live=1 AND c.status IN ('active','suspended','application') AND c.start_date<=:pe " \
	"AND (c.end_date IS NULL OR c.end_date>=:ps) AND " FILTER("c")
/* @t@ stands for the --municipality/--case filter on alias t (with_filter);
 * with no filter it becomes "1" (the IN tests cost a quarter of a plain scan). */
#define FILTER(t) "@" t "@ "
#define MEMBER_IN_PERIOD \
	"m.live=1 AND (m.from_date IS NULL OR m.from_date<=:pe) AND (m.to_date IS NULL OR m.to_date>=:ps) "
/* persons are joined, not looked up by a subquery (cheaper); a person with
 * live rows in two batches gives a member twice, which gather() drops */
/* the applicant's address a (of member m) and a housemate's h at the same dwelling, both in the period */
#define ADDRESS_A "a.live=1 AND a.from_date<=:pe AND (a.to_date IS NULL OR a.to_date>=:ps) "
#define HOUSEMATE_H \
	"h.postcode=a.postcode AND h.house_number=a.house_number " \
	" AND h.house_suffix IS a.house_suffix AND h.live=1 AND h.bsn<>m.bsn " \
	" AND h.from_date<=:pe AND (h.to_date IS NULL OR h.to_date>=:ps) " \
	" AND h.from_date<=ifnull(a.to_date,'9999-12-31') AND ifnull(h.to_date,'9999-12-31')>=a.from_date "
#define EXCL_JOIN \
	"h.live=1 AND h.from_date<=:pe AND (h.to_date IS NULL OR h.to_date>=:ps) " \
	"AND a.postcode=h.postcode AND a.house_number=h.house_number AND a.house_suffix IS h.house_suffix AND " ADDRESS_A \
	"AND m.bsn=a.bsn AND m.live=1 AND m.role='applicant' AND " MEMBER_IN_PERIOD "AND " HOUSEMATE_H "AND " FILTER("m")
enum { Q_CASES, Q_MEMBERS, Q_HOUSE, Q_EXCL, Q_INCOMES, Q_ASSETS, Q_SANCTIONS, Q_DETENTIONS, Q_HELD, Q_N };
static const char *const queries[Q_N] = {
	[Q_CASES] = "SELECT c.case_id, c.muni, c.status, c.start_date, c.end_date, c.housing, c.work_exemption_from, "
		"c.single_parent_exemption_from, c.cost_sharers, c.iban, c.account_name "
		"FROM cases c WHERE " SCOPE "ORDER BY c.case_id, c.muni",
	[Q_MEMBERS] = "SELECT m.case_id, m.muni, m.bsn, m.role, m.from_date, m.to_date, p.birth_date "
		"FROM members m LEFT JOIN persons p ON p.bsn=m.bsn AND p.live=1 WHERE " MEMBER_IN_PERIOD "AND " FILTER("m")
		"ORDER BY m.case_id, m.muni",
	/* the applicant's addresses in the period and who else was registered there */
	[Q_HOUSE] = "SELECT m.case_id, m.muni, a.from_date, a.to_date, a.postcode, a.house_number, ifnull(a.house_suffix,''), "
		"h.bsn, h.from_date, h.to_date "
		"FROM members m "
		"JOIN addresses a ON a.bsn=m.bsn AND " ADDRESS_A
		/* the housemate's date of birth: see housemate_birth() */
		"LEFT JOIN addresses h ON " HOUSEMATE_H
		/* the role first: it is in the index, so the other members' rows are never read */
		"WHERE m.role='applicant' AND " MEMBER_IN_PERIOD "AND " FILTER("m")
		"ORDER BY m.case_id, m.muni",
	/* The contracts and WSF studies (art. 19a lid 1) of those housemates, the
	 * same pairs of addresses as Q_HOUSE: few rows, so from them to the
	 * cases, then sorted (as joins of Q_HOUSE they cost every housemate two
	 * lookups, a third of the stream) */
	[Q_EXCL] = "SELECT m.case_id, m.muni, h.bsn, 0, x.kind, x.from_date, x.to_date, x.rowid "
		"FROM contracts x CROSS JOIN addresses h CROSS JOIN addresses a CROSS JOIN members m "
		"WHERE x.live=1 AND x.from_date<=:pe AND (x.to_date IS NULL OR x.to_date>=:ps) AND h.bsn=x.bsn AND " EXCL_JOIN
		"UNION ALL "
		"SELECT m.case_id, m.muni, h.bsn, 1, 'study_wsf', y.from_date, y.to_date, y.rowid "
		"FROM studies y CROSS JOIN addresses h CROSS JOIN addresses a CROSS JOIN members m "
		"WHERE y.live=1 AND y.wsf='yes' AND y.from_date<=:pe AND (y.to_date IS NULL OR y.to_date>=:ps) AND h.bsn=y.bsn "
		"AND " EXCL_JOIN
		"ORDER BY 1, 2, 3, 4, 8",
	/* the month's incomes; a gift row brings the gifts of the earlier months of
	 * the year (they matter only when there is a gift this month) */
	[Q_INCOMES] = "SELECT m.case_id, m.muni, i.bsn, i.period, i.kind, i.amount, i.rowid "
		"FROM members m JOIN incomes i ON i.bsn=m.bsn AND i.live=1 AND i.period=:pm "
		"WHERE m.role IN ('applicant','partner') AND " MEMBER_IN_PERIOD "AND " FILTER("m")
		/* what the case registered (declared, other) counts; a polis record
		 * counts only where the case has none of that kind that month, so
		 * that the same wage delivered twice is not counted twice */
		"AND (i.source IS NOT 'polis' OR NOT EXISTS (SELECT 1 FROM incomes d WHERE d.bsn=i.bsn AND d.live=1 "
		"  AND d.period=i.period AND d.kind=i.kind AND d.source IS NOT 'polis')) "
		"ORDER BY m.case_id, m.muni",
	[Q_ASSETS] = "SELECT x.case_id, x.muni, x.kind, x.value, x.reference_date FROM assets x "
		"WHERE x.live=1 AND x.reference_date<=:pe AND " FILTER("x")
		"ORDER BY x.case_id, x.muni",
	[Q_SANCTIONS] = "SELECT s.case_id, s.muni, s.percent, s.from_date, s.to_date FROM sanctions s "
		"WHERE s.live=1 AND s.from_date<=:pe AND s.to_date>=:ps AND " FILTER("s")
		"ORDER BY s.case_id, s.muni",
	/* few detentions: from them to the members, then sorted */
	[Q_DETENTIONS] = "SELECT m.case_id, m.muni, d.bsn, d.from_date, d.to_date "
		"FROM detentions d CROSS JOIN members m ON m.bsn=d.bsn AND " MEMBER_IN_PERIOD "AND m.role IN ('applicant','partner') "
		"WHERE d.live=1 AND d.from_date<=:pe AND (d.to_date IS NULL OR d.to_date>=:ps) AND " FILTER("m")
		"ORDER BY m.case_id, m.muni, d.bsn, d.from_date",
	/* Block findings of the latest verify run that checked every rule and
	 * every case of the finding's municipality: a run narrowed by --rule
	 * or --case, or one of other municipalities, never releases a hold. */
	/* (the findings of the period's full runs only, through finding_case:
	 * not every finding of every month) */
	[Q_HELD] = "SELECT f.case_id, f.municipality FROM verify_run v CROSS JOIN finding f "
		"WHERE v.period=:pm AND v.rules='' AND v.cases='' AND f.verify_run_id=v.id "
		"AND f.severity='block' AND f.verify_run_id=(SELECT max(w.id) FROM verify_run w "
		"  WHERE w.period=:pm AND w.rules='' AND w.cases='' "
		"  AND (w.municipalities='' OR instr(','||w.municipalities||',', ','||f.municipality||',')>0)) "
		"GROUP BY f.case_id, f.municipality ORDER BY f.case_id, f.municipality",
};

/* The SQL of template tmpl with every "@t@" replaced by the filter on alias
 * t: "1", and the municipality test when filtered & 1, the case test when
 * filtered & 2, the case range [:lo, :hi) of one thread when filtered & 4.  Heap string, NULL on no memory. */
static char *with_filter(const char *tmpl, int filtered)
{
	size_t cap = strlen(tmpl) * 2 + 1024, n = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	const char *p = tmpl;
	while (*p) {
		const char *at = strchr(p, '@');
		const char *end = at ? strchr(at + 1, '@') : NULL;
		size_t lit = at && end ? (size_t)(at - p) : strlen(p);
		memcpy(out + n, p, lit);
		n += lit;
		p += lit;
		if (!at || !end)
			break;
		char alias[8] = "";
		size_t al = (size_t)(end - at - 1);
		if (al < sizeof alias)
			memcpy(alias, at + 1, al), alias[al] = '\0';
		/* no OR in them: a --case filter then seeks the (case_id, muni) indexes */
		int w = snprintf(out + n, cap - n, "1");
		if (filtered & 1)
			w += snprintf(out + n + w, cap - n - (size_t)w, " AND %s.muni IN (SELECT muni FROM temp.calc_fm)", alias);
		if (filtered & 2)
			w += snprintf(out + n + w, cap - n - (size_t)w, " AND %s.case_id IN (SELECT case_id FROM temp.calc_fc)", alias);
		if (filtered & 4)
			w += snprintf(out + n + w, cap - n - (size_t)w, " AND %s.case_id>=:lo AND %s.case_id<:hi", alias, alias);
		n += (size_t)w;
		p = end + 1;
	}
	out[n] = '\0';
	return out;
}

struct stream {
	sqlite3_stmt *st;
	int row;
};

static gbi_status stream_step(struct gbi_store *s, struct stream *x, struct gbi_err *err)
{
	int rc = sqlite3_step(x->st);
	x->row = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gbi_store_error(s, rc, "reading the store", err);
	return GBI_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

static int key_cmp(sqlite3_stmt *st, const char *case_id, const char *muni)
{
	int c = strcmp(col(st, 0), case_id);
	return c ? c : strcmp(col(st, 1), muni);
}

/* Skips rows before the key; 1 while the current row is the key's. */
static gbi_status stream_on(struct gbi_store *s, struct stream *x, const char *case_id, const char *muni,
			    int *on, struct gbi_err *err)
{
	gbi_status r;
	int c = 1;
	while (x->row && (c = key_cmp(x->st, case_id, muni)) < 0)
		if ((r = stream_step(s, x, err)))
			return r;
	*on = x->row && c == 0;
	return GBI_OK;
}

#define GROW(arr, n, cap) \
	do { \
		if ((n) == (cap)) { \
			int nc_ = (cap) ? (cap) * 2 : 16; \
			void *t_ = realloc((arr), (size_t)nc_ * sizeof *(arr)); \
			if (!t_) \
				return gbi_err_set(err, GBI_ESYS, "out of memory"); \
			(arr) = t_; \
			(cap) = nc_; \
		} \
	} while (0)

struct bufs {
	int cm, ch, cx, ci, ca, cs, cd;
};

/* A stored date (canonical "YYYY-MM-DD", checked at import); 0 for NULL. */
static int32_t dcol(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	if (!v)
		return 0;
	int ok = sqlite3_column_bytes(st, i) == 10 && v[4] == '-' && v[7] == '-';
	for (int k = 0; ok && k < 10; k++)
		ok = k == 4 || k == 7 || (v[k] >= '0' && v[k] <= '9');
	if (!ok)
		return gbi_ymd_parse((const char *)v);
	return ((v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0')) * 10000
	       + ((v[5] - '0') * 10 + (v[6] - '0')) * 100 + (v[8] - '0') * 10 + (v[9] - '0');
}

/* One municipality's policy, resolved on the period's first day. */
struct mpol {
	char muni[5];
	struct gbi_calc_policy pol;
};

static gbi_status load_policy(struct gbi_store *s, const char *muni, int32_t ymd, struct gbi_calc_policy *pol,
			      const struct gbi_calc_opts *o, int quiet, struct gbi_err *err)
{
	char v[256];
	int def;
	gbi_status r;
	int64_t nrows;
	if ((r = gbi_policy_rows(s, muni, &nrows, err)))
		return r;
	if (nrows == 0 && o->warn && !quiet) {
		char msg[200];
		snprintf(msg, sizeof msg, "municipality %s has no policy rows: computed with the defaults of gbi-policy(1)", muni);
		o->warn(o->ctx, msg);
	}
	if ((r = gbi_policy_value(s, muni, "housing_reduction_percent", ymd, v, sizeof v, &def, err)))
		return r;
	gbi_policy_parse_percent(v, &pol->housing_bp);
	if ((r = gbi_policy_value(s, muni, "gift_allowance_per_year", ymd, v, sizeof v, &def, err)))
		return r;
	const char *why = gbi_parse_money(v, strlen(v), '.', 0, &pol->gift_allowance);
	if (why)
		gbi_parse_money(v, strlen(v), ',', 0, &pol->gift_allowance);
	if ((r = gbi_policy_value(s, muni, "sanction_base", ymd, v, sizeof v, &def, err)))
		return r;
	pol->sanction_after_housing = strcmp(v, "norm_after_housing") == 0;
	if ((r = gbi_policy_value(s, muni, "proration", ymd, v, sizeof v, &def, err)))
		return r;
	return GBI_OK;
}

struct run {
	struct gbi_store *s;
	const struct gbi_calc_opts *o;
	struct stream q[Q_N];
	struct gbi_calc_input in;
	struct bufs cap;
	struct mpol *pols;
	int npols, cpols, last_pol;
	sqlite3_stmt *ins;
	sqlite3_stmt *ins_many;  /* ROWS_PER_INSERT rows (a national run) */
	int64_t *inc_rowid;      /* rowids of in.incomes, to drop duplicates */
	int cap_rowid;
	const char *lo, *hi;     /* the case range of this thread (filter & 4) */
	struct chunk *chunk;     /* results go here instead of the store (NULL: stored) */
	int quiet;               /* no policy warnings (a reader: the main thread gives them) */
	struct gbi_calc_exclusion *pend; /* a housemate's exclusions that come after the others */
	int npend, cap_pend;
	sqlite3_stmt *gifts;     /* a person's gifts earlier in the year (rare: prepared on first use) */
	sqlite3_stmt *birth;     /* a housemate's date of birth (prepared on first use) */
};

static gbi_status policy_for(struct run *r, const char *muni, int32_t ymd, const struct gbi_calc_policy **out,
			     struct gbi_err *err)
{
	if (r->last_pol < r->npols && strcmp(r->pols[r->last_pol].muni, muni) == 0) {
		*out = &r->pols[r->last_pol].pol;
		return GBI_OK;
	}
	for (int i = 0; i < r->npols; i++)
		if (strcmp(r->pols[i].muni, muni) == 0) {
			r->last_pol = i;
			*out = &r->pols[i].pol;
			return GBI_OK;
		}
	GROW(r->pols, r->npols, r->cpols);
	struct mpol *m = &r->pols[r->npols];
	memset(m, 0, sizeof *m);
	gbi_strlcpy(m->muni, muni, sizeof m->muni);
	gbi_status st = load_policy(r->s, muni, ymd, &m->pol, r->o, r->quiet, err);
	if (st)
		return st;
	r->npols++;
	*out = &m->pol;
	return GBI_OK;
}

static int member_cmp(const struct gbi_calc_member *a, const struct gbi_calc_member *b)
{
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	int c = strcmp(a->bsn, b->bsn);
	if (c)
		return c;
	return a->from < b->from ? -1 : a->from > b->from;
}

/* Reads the current case's rows from every stream into r->in. */
/* Appends an income to the case being gathered; rowid keeps a row that two
 * member rows of one person bring from being counted twice. */
static gbi_status add_income(struct run *r, const char *bsn, int32_t ym, int kind, int64_t amount, int64_t rowid,
			     struct gbi_err *err)
{
	struct gbi_calc_input *in = &r->in;
	GROW(in->incomes, in->nincomes, r->cap.ci);
	if (r->cap.ci > r->cap_rowid) {
		int64_t *t = realloc(r->inc_rowid, (size_t)r->cap.ci * sizeof *t);
		if (!t)
			return gbi_err_set(err, GBI_ESYS, "out of memory");
		r->inc_rowid = t;
		r->cap_rowid = r->cap.ci;
	}
	r->inc_rowid[in->nincomes] = rowid;
	struct gbi_calc_income *i = &in->incomes[in->nincomes++];
	gbi_strlcpy(i->bsn, bsn, sizeof i->bsn);
	i->period = ym;
	i->kind = kind;
	i->amount = amount;
	return GBI_OK;
}

/* The date of birth of housemate bsn (0 when unknown): most housemates are
 * members of the case, whose dates of birth Q_MEMBERS brought; the others
 * are looked up.  Either way the person's first live row, as a join gives. */
static gbi_status housemate_birth(struct run *r, const char *bsn, int32_t *birth, struct gbi_err *err)
{
	const struct gbi_calc_input *in = &r->in;
	for (int k = 0; k < in->nmembers; k++)
		if (strcmp(in->members[k].bsn, bsn) == 0) {
			*birth = in->members[k].birth;
			return GBI_OK;
		}
	gbi_status st;
	if (!r->birth && (st = gbi_store_prepare(r->s, "SELECT birth_date FROM persons WHERE bsn=? AND live=1 "
						 "ORDER BY rowid LIMIT 1", &r->birth, err)))
		return st;
	sqlite3_bind_text(r->birth, 1, bsn, -1, SQLITE_STATIC);
	int rc = sqlite3_step(r->birth);
	*birth = rc == SQLITE_ROW ? dcol(r->birth, 0) : 0;
	sqlite3_reset(r->birth);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gbi_store_error(r->s, rc, "reading persons", err);
	return GBI_OK;
}

/* Appends exclusion e to the case being gathered unless it has it. */
static gbi_status add_exclusion(struct run *r, const struct gbi_calc_exclusion *e, struct gbi_err *err)
{
	struct gbi_calc_input *in = &r->in;
	for (int j = 0; j < in->nexclusions; j++)
		if (strcmp(in->exclusions[j].bsn, e->bsn) == 0 && strcmp(in->exclusions[j].kind, e->kind) == 0
		    && in->exclusions[j].from == e->from && in->exclusions[j].to == e->to)
			return GBI_OK;
	GROW(in->exclusions, in->nexclusions, r->cap.cx);
	in->exclusions[in->nexclusions++] = *e;
	return GBI_OK;
}

static gbi_status gather(struct run *r, struct gbi_err *err)
{
	struct gbi_calc_input *in = &r->in;
	struct gbi_store *s = r->s;
	sqlite3_stmt *c = r->q[Q_CASES].st;
	const char *cid = in->case_id, *mu = in->muni;
	gbi_status st;
	int on;
	(void)c;
	in->nmembers = in->nhousemates = in->nexclusions = in->nincomes = in->nassets = 0;
	in->nsanctions = in->ndetentions = 0;
	in->applicant_addresses = 0;
	in->address[0] = '\0';
	in->held = 0;

	struct stream *x = &r->q[Q_MEMBERS];
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		GROW(in->members, in->nmembers, r->cap.cm);
		struct gbi_calc_member *m = &in->members[in->nmembers++];
		gbi_strlcpy(m->bsn, col(x->st, 2), sizeof m->bsn);
		const char *role = col(x->st, 3);
		m->role = strcmp(role, "applicant") == 0 ? GBI_ROLE_APPLICANT : strcmp(role, "partner") == 0 ? GBI_ROLE_PARTNER : GBI_ROLE_CHILD;
		m->from = dcol(x->st, 4);
		m->to = dcol(x->st, 5);
		m->birth = dcol(x->st, 6);
		if ((st = stream_step(s, x, err)))
			return st;
	}

	/* applicant, partner, children; then by bsn and date */
	for (int k = 1; k < in->nmembers; k++)
		for (int j = k; j > 0 && member_cmp(&in->members[j - 1], &in->members[j]) > 0; j--) {
			struct gbi_calc_member t = in->members[j];
			in->members[j] = in->members[j - 1];
			in->members[j - 1] = t;
		}
	int w = 0;
	for (int k = 0; k < in->nmembers; k++)
		if (w == 0 || member_cmp(&in->members[w - 1], &in->members[k]) != 0 || in->members[w - 1].to != in->members[k].to)
			in->members[w++] = in->members[k];
	in->nmembers = w;

	x = &r->q[Q_HOUSE];
	int32_t last_af = -1;
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		int32_t af = dcol(x->st, 2), at = dcol(x->st, 3);
		if (af != last_af) {
			in->applicant_addresses++;
			if (r->o->explain)
				snprintf(in->address, sizeof in->address, "%.6s %lld%s%.8s", col(x->st, 4),
					 (long long)sqlite3_column_int64(x->st, 5), *col(x->st, 6) ? " " : "", col(x->st, 6));
		}
		last_af = af;
		if (sqlite3_column_type(x->st, 7) != SQLITE_NULL) {
			GROW(in->housemates, in->nhousemates, r->cap.ch);
			struct gbi_calc_housemate *h = &in->housemates[in->nhousemates++];
			gbi_strlcpy(h->bsn, col(x->st, 7), sizeof h->bsn);
			int32_t hf = dcol(x->st, 8), ht = dcol(x->st, 9);
			h->from = hf > af ? hf : af;
			h->to = !ht ? at : !at ? ht : ht < at ? ht : at;
			int repeat = 0;
			for (int j = 0; j < in->nhousemates - 1 && !repeat; j++)
				if (strcmp(in->housemates[j].bsn, h->bsn) == 0 && in->housemates[j].from == h->from
				    && in->housemates[j].to == h->to) {
					h = &in->housemates[j];
					in->nhousemates--;
					repeat = 1;
				}
			if (!repeat && (st = housemate_birth(r, h->bsn, &h->birth, err)))
				return st;
			if (r->o->explain)
				snprintf(h->dwelling, sizeof h->dwelling, "%.6s %lld%s%.8s", col(x->st, 4),
					 (long long)sqlite3_column_int64(x->st, 5), *col(x->st, 6) ? " " : "", col(x->st, 6));
		}
		if ((st = stream_step(s, x, err)))
			return st;
	}

	/* Exclusions, by housemate in the order in which joining them to each
	 * housemate row gave them: the first contract, the studies, the other
	 * contracts (only their order within one housemate matters). */
	x = &r->q[Q_EXCL];
	char xbsn[10] = "";
	int ncontracts = 0;
	r->npend = 0;
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		struct gbi_calc_exclusion e;
		if (on) {
			gbi_strlcpy(e.bsn, col(x->st, 2), sizeof e.bsn);
			gbi_strlcpy(e.kind, col(x->st, 4), sizeof e.kind);
			e.from = dcol(x->st, 5);
			e.to = dcol(x->st, 6);
		}
		if (!on || strcmp(e.bsn, xbsn) != 0) {
			for (int k = 0; k < r->npend; k++)
				if ((st = add_exclusion(r, &r->pend[k], err)))
					return st;
			r->npend = 0;
			ncontracts = 0;
			if (!on)
				break;
			gbi_strlcpy(xbsn, e.bsn, sizeof xbsn);
		}
		if (sqlite3_column_int(x->st, 3) == 0 && ncontracts++ > 0) {
			GROW(r->pend, r->npend, r->cap_pend);
			r->pend[r->npend++] = e;
		} else if ((st = add_exclusion(r, &e, err)))
			return st;
		if ((st = stream_step(s, x, err)))
			return st;
	}

	x = &r->q[Q_INCOMES];
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		int64_t rowid = sqlite3_column_int64(x->st, 6);
		int kind = gbi_income_kind_parse(col(x->st, 4));
		/* a person with two member rows in the case brings their incomes twice */
		int dup = 0;
		for (int k = 0; k < in->nincomes && !dup; k++)
			dup = r->inc_rowid[k] == rowid;
		if (!dup && kind >= 0) {
			const char *pr = col(x->st, 3);
			int32_t ym = (int32_t)(atoi(pr) * 100 + (strlen(pr) >= 7 ? atoi(pr + 5) : 0));
			if ((st = add_income(r, col(x->st, 2), ym, kind, sqlite3_column_int64(x->st, 5), rowid, err)))
				return st;
		}
		if ((st = stream_step(s, x, err)))
			return st;
	}

	/* Gifts count against one allowance per calendar year for applicant and
	 * partner together (art. 31 lid 2 m): when the case has a gift this
	 * month, every applicant and partner brings the gifts of the year so far,
	 * also one who has no income row this month. */
	int gift_now = 0;
	for (int k = 0; k < in->nincomes; k++)
		gift_now |= in->incomes[k].kind == GBI_INC_GIFT && in->incomes[k].period == r->o->period;
	for (int m = 0; gift_now && m < in->nmembers; m++) {
		const char *bsn = in->members[m].bsn;
		int seen = in->members[m].role == GBI_ROLE_CHILD;
		for (int k = 0; k < m; k++)
			seen |= strcmp(in->members[k].bsn, bsn) == 0;
		for (int k = 0; k < in->nincomes && !seen; k++)
			seen = in->incomes[k].period < r->o->period && strcmp(in->incomes[k].bsn, bsn) == 0;
		if (seen)
			continue;
		if (!r->gifts && (st = gbi_store_prepare(s,
			"SELECT sum(amount) FROM incomes WHERE bsn=? AND live=1 AND kind='gift' AND period>=? AND period<?",
			&r->gifts, err)))
			return st;
		char y1[8], pm[8];
		gbi_period_format(r->o->period / 100 * 100 + 1, y1);
		gbi_period_format(r->o->period, pm);
		sqlite3_bind_text(r->gifts, 1, bsn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(r->gifts, 2, y1, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(r->gifts, 3, pm, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(r->gifts);
		int64_t before = rc == SQLITE_ROW ? sqlite3_column_int64(r->gifts, 0) : 0;
		sqlite3_reset(r->gifts);
		if (rc != SQLITE_ROW)
			return gbi_store_error(s, rc, "reading gifts", err);
		/* the earlier gifts, once, as one income of January */
		if (before && (st = add_income(r, bsn, r->o->period / 100 * 100 + 1, GBI_INC_GIFT, before,
					       -1 - in->nincomes /* never a real rowid */, err)))
			return st;
	}

	x = &r->q[Q_ASSETS];
	int32_t latest = 0;
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		int32_t ref = dcol(x->st, 4);
		if (ref >= latest) {
			if (ref > latest)
				in->nassets = 0;  /* only the latest reference date counts */
			latest = ref;
			GROW(in->assets, in->nassets, r->cap.ca);
			struct gbi_calc_asset *a = &in->assets[in->nassets++];
			gbi_strlcpy(a->kind, col(x->st, 2), sizeof a->kind);
			a->value = sqlite3_column_int64(x->st, 3);
			a->ref = ref;
		}
		if ((st = stream_step(s, x, err)))
			return st;
	}

	/* by kind and value, so the explanation does not depend on the import order */
	for (int k = 1; k < in->nassets; k++)
		for (int j = k; j > 0; j--) {
			struct gbi_calc_asset *a = &in->assets[j - 1], *b = &in->assets[j];
			int kc = strcmp(a->kind, b->kind);
			if (kc < 0 || (kc == 0 && a->value <= b->value))
				break;
			struct gbi_calc_asset t = *a;
			*a = *b;
			*b = t;
		}

	x = &r->q[Q_SANCTIONS];
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		GROW(in->sanctions, in->nsanctions, r->cap.cs);
		struct gbi_calc_sanction *sa = &in->sanctions[in->nsanctions++];
		sa->percent = sqlite3_column_int(x->st, 2);
		sa->from = dcol(x->st, 3);
		sa->to = dcol(x->st, 4);
		if ((st = stream_step(s, x, err)))
			return st;
	}

	x = &r->q[Q_DETENTIONS];
	for (;;) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		if (!on)
			break;
		GROW(in->detentions, in->ndetentions, r->cap.cd);
		struct gbi_calc_detention *d = &in->detentions[in->ndetentions++];
		gbi_strlcpy(d->bsn, col(x->st, 2), sizeof d->bsn);
		d->from = dcol(x->st, 3);
		d->to = dcol(x->st, 4);
		if ((st = stream_step(s, x, err)))
			return st;
	}

	x = &r->q[Q_HELD];
	if (x->st) {
		if ((st = stream_on(s, x, cid, mu, &on, err)))
			return st;
		in->held = on;
	}
	return GBI_OK;
}

static void bind_all(sqlite3_stmt *st, int32_t ym, int nm, int nc, int64_t verify)
{
	char ps[11], pe[11], pm[8], y1[8];
	gbi_date_format(ym * 100 + 1, ps);
	gbi_date_format(ym * 100 + gbi_days_in_month(ym / 100, ym % 100), pe);
	gbi_period_format(ym, pm);
	gbi_period_format(ym / 100 * 100 + 1, y1);
	int i;
	if ((i = sqlite3_bind_parameter_index(st, ":ps")))
		sqlite3_bind_text(st, i, ps, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(st, ":pe")))
		sqlite3_bind_text(st, i, pe, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(st, ":pm")))
		sqlite3_bind_text(st, i, pm, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(st, ":y1")))
		sqlite3_bind_text(st, i, y1, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(st, ":nm")))
		sqlite3_bind_int(st, i, nm);
	if ((i = sqlite3_bind_parameter_index(st, ":nc")))
		sqlite3_bind_int(st, i, nc);
	if ((i = sqlite3_bind_parameter_index(st, ":v")))
		sqlite3_bind_int64(st, i, verify);
}

static void bind_range(sqlite3_stmt *st, const char *lo, const char *hi)
{
	int i;
	if ((i = sqlite3_bind_parameter_index(st, ":lo")))
		sqlite3_bind_text(st, i, lo, -1, SQLITE_TRANSIENT);
	if ((i = sqlite3_bind_parameter_index(st, ":hi")))
		sqlite3_bind_text(st, i, hi, -1, SQLITE_TRANSIENT);
}

static gbi_status set_filters(struct gbi_store *s, const struct gbi_calc_opts *o, struct gbi_err *err)
{
	gbi_status r;
	if ((r = gbi_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS calc_fm(muni TEXT PRIMARY KEY);"
				   "CREATE TEMP TABLE IF NOT EXISTS calc_fc(case_id TEXT PRIMARY KEY);"
				   "DELETE FROM temp.calc_fm; DELETE FROM temp.calc_fc;", err)))
		return r;
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(s, "INSERT OR IGNORE INTO temp.calc_fm VALUES(?)", &st, err)))
		return r;
	for (int i = 0; i < o->nmunis; i++) {
		sqlite3_bind_text(st, 1, o->munis[i], -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if ((r = gbi_store_prepare(s, "INSERT OR IGNORE INTO temp.calc_fc VALUES(?)", &st, err)))
		return r;
	for (int i = 0; i < o->ncases; i++) {
		sqlite3_bind_text(st, 1, o->cases[i], -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (o->explain) {
		sqlite3_bind_text(st, 1, o->explain, -1, SQLITE_STATIC);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return GBI_OK;
}

static gbi_status write_run(struct run *r, const struct gbi_params *p, int64_t verify, int64_t *id, struct gbi_err *err)
{
	struct gbi_store *s = r->s;
	const struct gbi_calc_opts *o = r->o;
	char batches[2048] = "", munis[GBI_CALC_MAX_FILTER * 6 + 1], cases[GBI_CALC_MAX_FILTER * 34 + 1], params[1024];
	char created[21], per[8];
	gbi_status st;
	sqlite3_stmt *q;
	if ((st = gbi_store_prepare(s, "SELECT tbl, max(batch_id) FROM snapshot GROUP BY tbl ORDER BY tbl", &q, err)))
		return st;
	size_t n = 0;
	while (sqlite3_step(q) == SQLITE_ROW && n < sizeof batches)
		n += (size_t)snprintf(batches + n, sizeof batches - n, "%s%s=%lld", n ? "," : "", col(q, 0),
				      (long long)sqlite3_column_int64(q, 1));
	sqlite3_finalize(q);
	int64_t last;
	if ((st = gbi_store_int(s, "SELECT ifnull(max(id),0) FROM batch", &last, err)))
		return st;
	gbi_join(munis, sizeof munis, o->munis, o->nmunis);
	gbi_join(cases, sizeof cases, o->cases, o->ncases);
	int32_t ym = o->period;
	gbi_params_describe(p, ym * 100 + 1, ym * 100 + gbi_days_in_month(ym / 100, ym % 100), params, sizeof params);
	gbi_timestamp(created);
	gbi_period_format(ym, per);
	if ((st = gbi_store_prepare(s, "INSERT INTO calc_run(run_id, period, created, municipalities, cases, batches, "
				    "last_batch, params, verify_run_id) VALUES(?,?,?,?,?,?,?,?,?)", &q, err)))
		return st;
	sqlite3_bind_int64(q, 1, o->run_id);
	sqlite3_bind_text(q, 2, per, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, created, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, munis, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, cases, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, batches, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, last);
	sqlite3_bind_text(q, 8, params, -1, SQLITE_STATIC);
	if (verify)
		sqlite3_bind_int64(q, 9, verify);
	else
		sqlite3_bind_null(q, 9);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return gbi_store_error(s, rc, "writing calc_run", err);
	*id = sqlite3_last_insert_rowid(s->db);
	return GBI_OK;
}

/* One computed result as the store and the output take it; in a chunk of a
 * national run it is followed by the iban, account name and components bytes. */
struct outrow {
	char case_id[33], muni[5], household[16], status[16];
	uint32_t reasons;         /* bit r for enum gbi_reason r */
	int cost_sharers, days;
	int64_t v[7];             /* norm, housing, sanction, income, bijstand, holiday reserve, payable */
	int32_t n_iban, n_acct;   /* -1: NULL */
	uint32_t n_comp;
	uint32_t n_reasons, n_out;/* in a chunk: the reasons' text, and o->format's bytes */
	int unprintable;          /* o->format could not */
};

/* One stored result with the strings that go with it. */
struct outref {
	struct outrow h;
	const char *iban, *acct, *comp, *reasons;
	const char *out;          /* o->format's bytes, h.n_out of them (NULL: call o->row) */
	char rbuf[512];           /* the reasons, when not in a chunk */
};

static void count_row(const struct outrow *h, struct gbi_calc_summary *sum)
{
	sum->cases++;
	if (strcmp(h->status, "payable") == 0) {
		sum->payable++;
		sum->total_payable += h->v[6];
	} else if (strcmp(h->status, "nil") == 0)
		sum->nil++;
	else if (strcmp(h->status, "held") == 0)
		sum->held++;
	else
		sum->not_entitled++;
}

/* Binds x as the row of INSERT q whose first parameter is at (1-based) */
static void bind_row(sqlite3_stmt *q, int at, int64_t calc_run_id, const char *per, const struct outref *x)
{
	const struct outrow *h = &x->h;
	sqlite3_bind_int64(q, at, calc_run_id);
	sqlite3_bind_text(q, at + 1, h->muni, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, at + 2, h->case_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, at + 3, per, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, at + 4, h->household, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, at + 5, h->cost_sharers);
	sqlite3_bind_int(q, at + 6, h->days);
	for (int i = 0; i < 7; i++)
		sqlite3_bind_int64(q, at + 7 + i, h->v[i]);
	sqlite3_bind_text(q, at + 14, h->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, at + 15, x->reasons, -1, SQLITE_STATIC);
	if (x->iban)
		sqlite3_bind_text(q, at + 16, x->iban, h->n_iban, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, at + 16);
	if (x->acct)
		sqlite3_bind_text(q, at + 17, x->acct, h->n_acct, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, at + 17);
	sqlite3_bind_text(q, at + 18, x->comp, (int)h->n_comp, SQLITE_STATIC);
}

/* Hands a stored row to o->print or o->row. */
static gbi_status emit_row(const struct gbi_calc_opts *o, const char *per, const struct outref *x, struct gbi_err *err)
{
	const struct outrow *h = &x->h;
	if (x->out) {
		if (h->unprintable || o->print(o->ctx, x->out, h->n_out))
			return gbi_err_set(err, GBI_ESYS, "stopped: the output could not be written");
		return GBI_OK;
	}
	if (!o->row)
		return GBI_OK;
	struct gbi_calc_row w = {
		h->case_id, h->muni, per, h->household, h->cost_sharers, h->days,
		h->v[0], h->v[1], h->v[2], h->v[3], h->v[4], h->v[5], h->v[6], h->status, x->reasons,
		x->iban, x->acct, x->comp,
	};
	if (o->row(o->ctx, &w))
		return gbi_err_set(err, GBI_ESYS, "stopped: the output could not be written");
	return GBI_OK;
}

/* Counts one result and, when writing, stores it and hands it to o->row. */
static gbi_status store_row(struct run *r, const char *per, int writing, const struct outrow *h, const char *iban,
			    const char *acct, const char *comp, struct gbi_calc_summary *sum, struct gbi_err *err)
{
	count_row(h, sum);
	if (!writing)
		return GBI_OK;
	struct outref x = {*h, iban, acct, comp, NULL, NULL, ""};
	gbi_reasons_format(h->reasons, x.rbuf, sizeof x.rbuf);
	x.reasons = x.rbuf;
	/* every parameter is bound for every row: no clear_bindings */
	bind_row(r->ins, 1, sum->calc_run_id, per, &x);
	int rc = sqlite3_step(r->ins);
	sqlite3_reset(r->ins);
	if (rc != SQLITE_DONE)
		return gbi_store_error(r->s, rc, "writing calc_result", err);
	return emit_row(r->o, per, &x, err);
}

/* Every municipality's policy, before any result is stored or printed: a
 * bad policy value refuses the run before any output, and the warnings come
 * in code order. */
static gbi_status load_policies(struct run *r, const struct gbi_calc_period *cp, struct gbi_err *err)
{
	const struct gbi_calc_opts *o = r->o;
	sqlite3_stmt *q;
	int filtered = (o->nmunis ? 1 : 0) | (o->ncases || o->explain ? 2 : 0);
	/* Unfiltered, the municipalities of the live cases come from the
	 * cases_key index alone, and each is then checked for a case in scope
	 * in the table, which usually finds one in its first rows: a third of
	 * the cost of reading every case's status and dates. */
	char *sql = with_filter(filtered ? "SELECT DISTINCT c.muni FROM cases c WHERE " SCOPE "ORDER BY 1"
				: "WITH m(muni) AS (SELECT DISTINCT muni FROM cases WHERE live=1) "
				  "SELECT m.muni FROM m WHERE EXISTS (SELECT 1 FROM cases c NOT INDEXED "
				  "WHERE c.muni=m.muni AND " SCOPE ") ORDER BY 1", filtered);
	if (!sql)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	gbi_status st = gbi_store_prepare(r->s, sql, &q, err);
	free(sql);
	if (st)
		return st;
	bind_all(q, o->period, o->nmunis, o->ncases || o->explain, 0);
	const struct gbi_calc_policy *pol;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && !st)
		st = policy_for(r, col(q, 0), cp->first, &pol, err);
	if (!st && rc != SQLITE_DONE && rc != SQLITE_ROW)
		st = gbi_store_error(r->s, rc, "reading cases", err);
	sqlite3_finalize(q);
	return st;
}

/* ---- a national run: two readers and a writer ------------------------------ */

/* A run of every case reads and computes on NREADERS threads, each on its
 * own connection, one chunk of about CHUNK_CASES cases at a time (a range of
 * case ids; the chunks are handed out in case id order) into memory.  The
 * main thread stores the chunks in their order as each becomes ready, while
 * the readers go on: the same rows in the same order as one thread, with
 * at most NSLOTS chunks in memory. */
#define NREADERS 2
#define NSLOTS 4
#define CHUNK_CASES 2048
#define ROWS_PER_INSERT 16

struct chunk {
	int k;                    /* the chunk's number; -1: the slot is free */
	int ready;                /* computed, to be stored */
	char lo[40], hi[40];      /* its case ids [lo, hi) */
	char *buf;                /* struct outrow + iban + account name + components, ... */
	size_t n, cap;
};

struct national {
	pthread_mutex_t mu;
	pthread_cond_t cv;        /* any change of the fields below */
	struct chunk slot[NSLOTS];/* chunk k in slot k % NSLOTS */
	int next;                 /* the number of the next chunk to hand out */
	int nchunks;              /* -1 until the last chunk has been handed out */
	char lo[40];              /* the first case id of chunk next */
	int ready;                /* readers in their read transaction */
	int stop;                 /* an error: everyone stops */
	int wal;                  /* the store is in WAL mode: readers take snapshots */
	struct gbi_store bounds;  /* finds the chunks' bounds; used under mu */
	sqlite3_stmt *bound;
	gbi_status st;            /* a reader's error, the first */
	struct gbi_err err;
};

struct reader {
	struct run r;
	struct gbi_store store;
	struct national *nat;
	const struct gbi_calc_period *cp;
	const char *per;
	int64_t verify;
	pthread_t tid;
};

/* The size of a result in a chunk: each string with its NUL, so that the
 * writer passes them as they lie, then what o->format made of it. */
static size_t chunk_rec(const struct outrow *h)
{
	size_t ni = h->n_iban > 0 ? (size_t)h->n_iban : 0, na = h->n_acct > 0 ? (size_t)h->n_acct : 0;
	return sizeof *h + ni + 1 + na + 1 + h->n_comp + 1 + h->n_reasons + 1 + h->n_out;
}

static gbi_status chunk_room(struct chunk *c, size_t need, struct gbi_err *err)
{
	if (c->n + need <= c->cap)
		return GBI_OK;
	size_t ncap = c->cap ? c->cap * 2 : (size_t)1 << 20;
	while (ncap < c->n + need)
		ncap *= 2;
	char *t = realloc(c->buf, ncap);
	if (!t)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	c->buf = t;
	c->cap = ncap;
	return GBI_OK;
}

/* Puts a result in the reader's chunk, with its output made by o->format. */
static gbi_status chunk_put(struct run *r, struct outrow *h, const char *per, const char *iban, const char *acct,
			    const char *comp, struct gbi_err *err)
{
	const struct gbi_calc_opts *o = r->o;
	struct chunk *c = r->chunk;
	char reasons[512];
	gbi_reasons_format(h->reasons, reasons, sizeof reasons);
	h->n_reasons = (uint32_t)strlen(reasons);
	h->n_out = 0;
	h->unprintable = 0;
	size_t base = chunk_rec(h);
	gbi_status st = chunk_room(c, base + 1024, err);
	if (st)
		return st;
	if (o->format && o->print) {
		struct gbi_calc_row w = {
			h->case_id, h->muni, per, h->household, h->cost_sharers, h->days,
			h->v[0], h->v[1], h->v[2], h->v[3], h->v[4], h->v[5], h->v[6], h->status, reasons,
			iban, acct, comp,
		};
		size_t room = c->cap - c->n - base;
		size_t n = o->format(o->ctx, &w, c->buf + c->n + base, room);
		if (n == GBI_CALC_UNPRINTABLE || n > UINT32_MAX) {
			h->unprintable = 1;
			n = 0;
		} else if (n > room) {
			if ((st = chunk_room(c, base + n, err)))
				return st;
			o->format(o->ctx, &w, c->buf + c->n + base, n);
		}
		h->n_out = (uint32_t)n;
	}
	char *p = c->buf + c->n;
	memcpy(p, h, sizeof *h);
	p += sizeof *h;
	const char *str[4] = {iban, acct, comp, reasons};
	const size_t len[4] = {h->n_iban > 0 ? (size_t)h->n_iban : 0, h->n_acct > 0 ? (size_t)h->n_acct : 0, h->n_comp,
			       h->n_reasons};
	for (int i = 0; i < 4; i++) {
		memcpy(p, str[i] ? str[i] : "", len[i]);
		p[len[i]] = '\0';
		p += len[i] + 1;
	}
	c->n += chunk_rec(h);
	return GBI_OK;
}

/* Stores the results of chunk c in their order, ROWS_PER_INSERT rows per
 * INSERT (r->ins_many; the rest one by one), each handed to o->row once
 * stored. */
static gbi_status chunk_store(struct run *r, const struct chunk *c, const char *per, struct gbi_calc_summary *sum,
			      struct gbi_err *err)
{
	struct outref x[ROWS_PER_INSERT];
	size_t at = 0;
	gbi_status st = GBI_OK;
	while (!st && at < c->n) {
		int n = 0;
		for (; n < ROWS_PER_INSERT && at < c->n; n++) {
			struct outref *y = &x[n];
			memcpy(&y->h, c->buf + at, sizeof y->h);
			const char *iban = c->buf + at + sizeof y->h;
			const char *acct = iban + (y->h.n_iban > 0 ? y->h.n_iban : 0) + 1;
			y->comp = acct + (y->h.n_acct > 0 ? y->h.n_acct : 0) + 1;
			y->iban = y->h.n_iban < 0 ? NULL : iban;
			y->acct = y->h.n_acct < 0 ? NULL : acct;
			y->reasons = y->comp + y->h.n_comp + 1;
			y->out = r->o->format && r->o->print ? y->reasons + y->h.n_reasons + 1 : NULL;
			at += chunk_rec(&y->h);
			count_row(&y->h, sum);
		}
		if (n == ROWS_PER_INSERT) {
			for (int i = 0; i < n; i++)
				bind_row(r->ins_many, 1 + 19 * i, sum->calc_run_id, per, &x[i]);
			int rc = sqlite3_step(r->ins_many);
			sqlite3_reset(r->ins_many);
			if (rc != SQLITE_DONE)
				st = gbi_store_error(r->s, rc, "writing calc_result", err);
		} else {
			for (int i = 0; i < n && !st; i++) {
				bind_row(r->ins, 1, sum->calc_run_id, per, &x[i]);
				int rc = sqlite3_step(r->ins);
				sqlite3_reset(r->ins);
				if (rc != SQLITE_DONE)
					st = gbi_store_error(r->s, rc, "writing calc_result", err);
			}
		}
		for (int i = 0; i < n && !st; i++)
			st = emit_row(r->o, per, &x[i], err);
	}
	return st;
}

/* The streams that a national run's reader restarts for each chunk, on the
 * chunk's range of case ids; the others (few rows, sorted) it reads once. */
static const unsigned char chunked[Q_N] = {
	[Q_CASES] = 1, [Q_MEMBERS] = 1, [Q_HOUSE] = 1, [Q_INCOMES] = 1, [Q_ASSETS] = 1, [Q_SANCTIONS] = 1,
};

/* Prepares and starts r's streams on r->s (filtered as with_filter; with
 * filtered & 4 only the chunked streams take the range [r->lo, r->hi)). */
static gbi_status open_streams(struct run *r, int filtered, int64_t verify, struct gbi_err *err)
{
	const struct gbi_calc_opts *o = r->o;
	for (int i = 0; i < Q_N; i++) {
		if (i == Q_HELD && !verify)
			continue;
		int f = chunked[i] ? filtered : filtered & ~4;
		char *sql = with_filter(queries[i], f);
		if (!sql)
			return gbi_err_set(err, GBI_ESYS, "out of memory");
		gbi_status st = gbi_store_prepare(r->s, sql, &r->q[i].st, err);
		free(sql);
		if (st)
			return st;
		bind_all(r->q[i].st, o->period, o->nmunis, o->ncases || o->explain, verify);
		if (f & 4)
			bind_range(r->q[i].st, r->lo, r->hi);
		if ((st = stream_step(r->s, &r->q[i], err)))
			return st;
	}
	return GBI_OK;
}

/* Restarts the chunked streams on the range [r->lo, r->hi). */
static gbi_status restart_streams(struct run *r, struct gbi_err *err)
{
	for (int i = 0; i < Q_N; i++) {
		if (!chunked[i])
			continue;
		sqlite3_reset(r->q[i].st);
		bind_range(r->q[i].st, r->lo, r->hi);
		gbi_status st = stream_step(r->s, &r->q[i], err);
		if (st)
			return st;
	}
	return GBI_OK;
}

static void close_streams(struct run *r)
{
	sqlite3_finalize(r->gifts);
	r->gifts = NULL;
	sqlite3_finalize(r->birth);
	r->birth = NULL;
	for (int i = 0; i < Q_N; i++) {
		sqlite3_finalize(r->q[i].st);
		r->q[i].st = NULL;
	}
}

static void free_inputs(struct run *r)
{
	free(r->in.members);
	free(r->in.housemates);
	free(r->in.exclusions);
	free(r->pend);
	free(r->in.incomes);
	free(r->inc_rowid);
	free(r->in.assets);
	free(r->in.sanctions);
	free(r->in.detentions);
}

/* Computes every case of r's streams: stored (r->chunk NULL) or put in r->chunk. */
static gbi_status compute_cases(struct run *r, const struct gbi_calc_period *cp, const char *per, int writing,
				struct gbi_calc_summary *sum, int *found, struct gbi_err *err)
{
	const struct gbi_calc_opts *o = r->o;
	struct stream *cs = &r->q[Q_CASES];
	gbi_status st;
	while (cs->row) {
		sqlite3_stmt *c = cs->st;
		struct gbi_calc_input *in = &r->in;
		gbi_strlcpy(in->case_id, col(c, 0), sizeof in->case_id);
		gbi_strlcpy(in->muni, col(c, 1), sizeof in->muni);
		if (o->explain && o->nmunis == 0 && *found && strcmp(in->case_id, o->explain) == 0)
			return gbi_err_set(err, GBI_EINPUT,
					   "case %s exists in more than one municipality; say which with --municipality",
					   o->explain);
		gbi_strlcpy(in->status, col(c, 2), sizeof in->status);
		in->start = dcol(c, 3);
		in->end = dcol(c, 4);
		gbi_strlcpy(in->housing, col(c, 5), sizeof in->housing);
		in->work_exemption_from = dcol(c, 6);
		in->single_parent_exemption_from = dcol(c, 7);
		in->cost_sharers_recorded = sqlite3_column_int(c, 8);
		if ((st = gather(r, err)))
			return st;
		const struct gbi_calc_policy *pol = NULL;
		if ((st = policy_for(r, in->muni, cp->first, &pol, err)))
			return st;
		struct gbi_calc_result res;
		if ((st = gbi_calc_case(cp, pol, in, &res, o->explain ? o->say : NULL, o->ctx, err)))
			return st;
		*found = 1;
		struct outrow h;
		memcpy(h.case_id, in->case_id, sizeof h.case_id);
		memcpy(h.muni, in->muni, sizeof h.muni);
		gbi_strlcpy(h.household, res.household, sizeof h.household);
		gbi_strlcpy(h.status, res.status, sizeof h.status);
		h.reasons = res.reasons;
		h.cost_sharers = res.cost_sharers;
		h.days = res.days;
		const int64_t v[7] = {res.norm, res.housing_reduction, res.sanction, res.income, res.bijstand,
				      res.holiday_reserve, res.payable};
		memcpy(h.v, v, sizeof h.v);
		const char *iban = sqlite3_column_type(c, 9) == SQLITE_NULL ? NULL : col(c, 9);
		const char *acct = sqlite3_column_type(c, 10) == SQLITE_NULL ? NULL : col(c, 10);
		h.n_iban = iban ? (int32_t)strlen(iban) : -1;
		h.n_acct = acct ? (int32_t)strlen(acct) : -1;
		h.n_comp = (uint32_t)strlen(res.components);
		if (r->chunk)
			st = chunk_put(r, &h, per, iban, acct, res.components, err);
		else
			st = store_row(r, per, writing, &h, iban, acct, res.components, sum, err);
		free(res.components);
		if (st)
			return st;
		if ((st = stream_step(r->s, cs, err)))
			return st;
	}
	return GBI_OK;
}

/* A read-only connection to the file of the store at path that takes no
 * locks (immutable=1), for a national run's readers.  Safe here because the
 * main connection holds the store's write lock from before they open until
 * after they are done, so no other process changes the file, and the main
 * connection itself changes only pages of calc_run and calc_result, free
 * pages and the header of page 1, which a reader reads only when it opens and
 * begins its one read transaction, before the first result is stored (the
 * main thread waits for that).  Taking no lock lets the main connection
 * write its cache out to the file while they read; with a shared lock held
 * it could not, and would hold every result in memory.
 *   A store in WAL mode (gbi never sets it, sqlite3 can) keeps committed
 * pages in its -wal file, which an immutable reader would not see; there
 * (wal) the readers are ordinary read-only connections, whose snapshots
 * never see the main connection's pages before it commits. */
static gbi_status open_reader(const char *path, struct gbi_store *rs, int wal, struct gbi_err *err)
{
	char uri[sizeof rs->path * 3 + 32];
	size_t n = (size_t)snprintf(uri, sizeof uri, "%s", path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < sizeof uri; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			uri[n++] = (char)*p;
		else
			n += (size_t)snprintf(uri + n, 4, "%%%02X", *p);
	}
	if (!wal)
		snprintf(uri + n, sizeof uri - n, "?immutable=1");
	else
		uri[n] = '\0';
	gbi_strlcpy(rs->path, path, sizeof rs->path);
	int rc = sqlite3_open_v2(uri, &rs->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK)
		return gbi_store_error(rs, rc, "open", err);
	sqlite3_extended_result_codes(rs->db, 1);
	sqlite3_busy_timeout(rs->db, 30000);
	/* one read transaction for all the reader's statements */
	return gbi_store_exec(rs, "PRAGMA cache_size=-16384; BEGIN", err);
}

static void close_reader(struct gbi_store *rs)
{
	if (rs->db) {
		sqlite3_exec(rs->db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close_v2(rs->db);
		rs->db = NULL;
	}
}

/* The next chunk: the bounds, and the slot (the caller holds nat->mu and has
 * waited for the slot to be free).  *out NULL when every chunk has been
 * handed out. */
static gbi_status next_chunk(struct national *nat, struct chunk **out, struct gbi_err *err)
{
	*out = NULL;
	if (nat->nchunks >= 0 && nat->next >= nat->nchunks)
		return GBI_OK;
	/* the case id CHUNK_CASES rows on; the next case id when they all have this one */
	char hi[40] = "";
	for (int pass = 0; pass < 2 && !hi[0]; pass++) {
		sqlite3_stmt *q = nat->bound;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, nat->lo, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, pass ? 0 : CHUNK_CASES);
		sqlite3_bind_int(q, 3, pass);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			gbi_strlcpy(hi, col(q, 0), sizeof hi);
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return gbi_store_error(&nat->bounds, rc, "reading cases", err);
		if (rc == SQLITE_DONE)
			break;
		if (strcmp(hi, nat->lo) <= 0)
			hi[0] = '\0';
	}
	struct chunk *c = &nat->slot[nat->next % NSLOTS];
	c->k = nat->next++;
	c->ready = 0;
	c->n = 0;
	gbi_strlcpy(c->lo, nat->lo, sizeof c->lo);
	/* above every case id (A-Z a-z 0-9 . _ -) */
	gbi_strlcpy(c->hi, hi[0] ? hi : "\x7f", sizeof c->hi);
	gbi_strlcpy(nat->lo, hi, sizeof nat->lo);
	if (!hi[0])
		nat->nchunks = nat->next;
	*out = c;
	return GBI_OK;
}

static void national_stop(struct national *nat, gbi_status st, const struct gbi_err *err)
{
	pthread_mutex_lock(&nat->mu);
	if (st && !nat->st) {
		nat->st = st;
		nat->err = *err;
	}
	nat->stop = 1;
	pthread_cond_broadcast(&nat->cv);
	pthread_mutex_unlock(&nat->mu);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct national *nat = rd->nat;
	struct run *r = &rd->r;
	struct gbi_err err;
	gbi_err_clear(&err);
	int found = 0;
	r->lo = r->hi = "";
	gbi_status st = open_reader(rd->store.path, &rd->store, nat->wal, &err);
	if (!st)
		st = open_streams(r, 4, rd->verify, &err);
	pthread_mutex_lock(&nat->mu);
	nat->ready++;
	pthread_cond_broadcast(&nat->cv);
	pthread_mutex_unlock(&nat->mu);
	while (!st) {
		struct chunk *c = NULL;
		pthread_mutex_lock(&nat->mu);
		while (!nat->stop && !(nat->nchunks >= 0 && nat->next >= nat->nchunks) && nat->slot[nat->next % NSLOTS].k != -1)
			pthread_cond_wait(&nat->cv, &nat->mu);
		if (!nat->stop)
			st = next_chunk(nat, &c, &err);
		pthread_mutex_unlock(&nat->mu);
		if (st || !c)
			break;
		r->lo = c->lo;
		r->hi = c->hi;
		r->chunk = c;
		if (!(st = restart_streams(r, &err)))
			st = compute_cases(r, rd->cp, rd->per, 1, NULL, &found, &err);
		r->chunk = NULL;
		pthread_mutex_lock(&nat->mu);
		c->ready = 1;
		pthread_cond_broadcast(&nat->cv);
		pthread_mutex_unlock(&nat->mu);
	}
	if (st)
		national_stop(nat, st, &err);
	close_streams(r);
	close_reader(&rd->store);
	return NULL;
}

/* Computes and stores every case (see NREADERS): the main thread stores. */
static gbi_status run_national(struct run *r, const struct gbi_calc_period *cp, const char *per, int64_t verify,
			       struct gbi_calc_summary *sum, struct gbi_err *err)
{
	struct national *nat = calloc(1, sizeof *nat);
	struct reader *rd = calloc(NREADERS, sizeof *rd);
	int started = 0, k;
	gbi_status st = GBI_OK;
	if (!nat || !rd) {
		free(nat);
		free(rd);
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	}
	pthread_mutex_init(&nat->mu, NULL);
	pthread_cond_init(&nat->cv, NULL);
	nat->nchunks = -1;
	for (k = 0; k < NSLOTS; k++)
		nat->slot[k].k = -1;
	{
		char sql[40 + ROWS_PER_INSERT * 42];
		size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT OR FAIL INTO calc_result VALUES");
		for (k = 0; k < ROWS_PER_INSERT; k++)
			n += (size_t)snprintf(sql + n, sizeof sql - n, "%s(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", k ? "," : "");
		if ((st = gbi_store_prepare(r->s, sql, &r->ins_many, err)))
			goto done;
	}
	{
		sqlite3_stmt *jm;
		if ((st = gbi_store_prepare(r->s, "PRAGMA main.journal_mode", &jm, err)))
			goto done;
		nat->wal = sqlite3_step(jm) == SQLITE_ROW && sqlite3_column_text(jm, 0) &&
			   strcmp((const char *)sqlite3_column_text(jm, 0), "wal") == 0;
		sqlite3_finalize(jm);
	}
	if ((st = open_reader(r->s->path, &nat->bounds, nat->wal, err))
	    || (st = gbi_store_prepare(&nat->bounds,
				       "SELECT case_id FROM cases WHERE live=1 AND case_id>=?1 AND (?3=0 OR case_id>?1) "
				       "ORDER BY case_id LIMIT 1 OFFSET ?2", &nat->bound, err)))
		goto done;
	/* the readers load the policies they meet themselves, quietly */
	for (k = 0; k < NREADERS; k++) {
		struct reader *w = &rd[k];
		w->r.quiet = 1;
		w->r.s = &w->store;
		w->r.o = r->o;
		gbi_strlcpy(w->store.path, r->s->path, sizeof w->store.path);
		w->nat = nat;
		w->cp = cp;
		w->per = per;
		w->verify = verify;
		if (pthread_create(&w->tid, NULL, reader_main, w) != 0) {
			st = gbi_err_set(err, GBI_ESYS, "starting a thread failed");
			goto done;
		}
		started++;
	}
	/* while they begin, every policy with its warnings, before any output */
	if ((st = load_policies(r, cp, err)))
		goto done;
	/* nothing is stored before every reader has begun its read transaction */
	pthread_mutex_lock(&nat->mu);
	while (!nat->stop && nat->ready < NREADERS)
		pthread_cond_wait(&nat->cv, &nat->mu);
	pthread_mutex_unlock(&nat->mu);
	for (k = 0; !st; k++) {
		struct chunk *c = &nat->slot[k % NSLOTS];
		pthread_mutex_lock(&nat->mu);
		while (!nat->stop && !(c->k == k && c->ready) && !(nat->nchunks >= 0 && k >= nat->nchunks))
			pthread_cond_wait(&nat->cv, &nat->mu);
		int end = nat->stop || !(c->k == k && c->ready);
		pthread_mutex_unlock(&nat->mu);
		if (end)
			break;
		st = chunk_store(r, c, per, sum, err);
		pthread_mutex_lock(&nat->mu);
		c->k = -1;
		c->ready = 0;
		pthread_cond_broadcast(&nat->cv);
		pthread_mutex_unlock(&nat->mu);
	}
done:
	if (st || started < NREADERS)
		national_stop(nat, GBI_OK, err);
	for (k = 0; k < started; k++)
		pthread_join(rd[k].tid, NULL);
	if (!st && nat->st) {
		st = nat->st;
		*err = nat->err;
	}
	for (k = 0; k < NREADERS; k++) {
		free_inputs(&rd[k].r);
		free(rd[k].r.pols);
	}
	for (k = 0; k < NSLOTS; k++)
		free(nat->slot[k].buf);
	sqlite3_finalize(nat->bound);
	close_reader(&nat->bounds);
	sqlite3_finalize(r->ins_many);
	r->ins_many = NULL;
	pthread_cond_destroy(&nat->cv);
	pthread_mutex_destroy(&nat->mu);
	free(nat);
	free(rd);
	return st;
}

gbi_status gbi_calc_run(struct gbi_store *s, const struct gbi_params *p, const struct gbi_calc_opts *o,
			struct gbi_calc_summary *sum, struct gbi_err *err)
{
	struct run r;
	memset(&r, 0, sizeof r);
	memset(sum, 0, sizeof *sum);
	r.s = s;
	r.o = o;
	struct gbi_calc_period *cp = NULL;
	gbi_status st = gbi_calc_period_new(p, o->period, &cp, err);
	if (st)
		return st;
	int writing = !o->explain;
	char per[8];
	gbi_period_format(o->period, per);
	if (writing && (st = gbi_store_begin(s, err)))
		goto done;
	if ((st = set_filters(s, o, err)))
		goto done;
	int64_t verify = 0;
	{
		sqlite3_stmt *q;
		if ((st = gbi_store_prepare(s, "SELECT max(id) FROM verify_run WHERE period=? AND rules='' AND cases=''",
					     &q, err)))
			goto done;
		sqlite3_bind_text(q, 1, per, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			verify = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sum->verify_run_id = verify;
	if (writing) {
		if ((st = write_run(&r, p, verify, &sum->calc_run_id, err)))
			goto done;
		if ((st = gbi_store_prepare(s, "INSERT INTO calc_result VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &r.ins, err)))
			goto done;
	}
	int found = 0;
	if (writing && !o->nmunis && !o->ncases) {
		if ((st = run_national(&r, cp, per, verify, sum, err)))
			goto done;
	} else {
		if ((st = load_policies(&r, cp, err)))
			goto done;
		if ((st = open_streams(&r, (o->nmunis ? 1 : 0) | (o->ncases || o->explain ? 2 : 0), verify, err)))
			goto done;
		if ((st = compute_cases(&r, cp, per, writing, sum, &found, err)))
			goto done;
	}
	if (o->explain && !found) {
		st = gbi_err_set(err, GBI_EINPUT, "case %s has no right in %s: not found, or its status, start or end date puts it "
				 "outside the period (gbi calculate computes cases active, suspended or application in the period)",
				 o->explain, per);
		goto done;
	}
	close_streams(&r);
	sqlite3_finalize(r.ins);
	r.ins = NULL;
	if (writing)
		st = gbi_store_commit(s, err);
done:
	close_streams(&r);
	sqlite3_finalize(r.ins);
	if (st && writing)
		gbi_store_rollback(s);
	if (st)
		sum->calc_run_id = 0;
	free_inputs(&r);
	free(r.pols);
	gbi_calc_period_free(cp);
	return st;
}

gbi_status gbi_calc_results(struct gbi_store *s, int64_t calc_run_id,
			    int (*fn)(void *ctx, const struct gbi_calc_row *row), void *ctx,
			    struct gbi_err *err)
{
	sqlite3_stmt *q;
	gbi_status st = gbi_store_prepare(s,
		"SELECT case_id, municipality, period, household, cost_sharers, days, norm, housing_reduction, sanction, "
		"income, bijstand, holiday_reserve, payable, status, reasons, iban, account_name, components "
		"FROM calc_result WHERE calc_run_id=? ORDER BY municipality, case_id", &q, err);
	if (st)
		return st;
	sqlite3_bind_int64(q, 1, calc_run_id);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct gbi_calc_row w = {
			col(q, 0), col(q, 1), col(q, 2), col(q, 3), sqlite3_column_int(q, 4), sqlite3_column_int(q, 5),
			sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7), sqlite3_column_int64(q, 8),
			sqlite3_column_int64(q, 9), sqlite3_column_int64(q, 10), sqlite3_column_int64(q, 11),
			sqlite3_column_int64(q, 12), col(q, 13), col(q, 14),
			sqlite3_column_type(q, 15) == SQLITE_NULL ? NULL : col(q, 15),
			sqlite3_column_type(q, 16) == SQLITE_NULL ? NULL : col(q, 16), col(q, 17),
		};
		if (fn(ctx, &w)) {
			sqlite3_finalize(q);
			return gbi_err_set(err, GBI_ESYS, "stopped");
		}
	}
	if (rc != SQLITE_DONE)
		st = gbi_store_error(s, rc, "reading calc_result", err);
	sqlite3_finalize(q);
	return st;
}
