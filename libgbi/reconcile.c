/*
 * reconcile.c: gbi's payments against legacy or a recomputation (reconcile.h).
 *
 * 1. temp.rrun: per period the calc runs that hold gbi's amounts (muni '*'
 *    for a run over all municipalities, else the municipality a filtered
 *    later run covers).
 * 2. temp.rc: the (municipality, case, period) rows with both amounts:
 *    against legacy the differing ones, from an index-driven pass over
 *    gbi's rows and one over the legacy rows gbi lacks (no sort); against
 *    calculations all, from one UNION ALL .. GROUP BY.
 * 3. reconcile_result: the rows that differ; then their explanations, made
 *    in C for those rows only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile.h"
#include "audit.h"
#include "calc.h"
#include "csvout.h"
#include "field.h"
#include "params.h"
#include "banned.h"

#define MAX_PERIODS 240

/* The columns of temp.recalc beyond its key: a recomputed calc_result. */
#define RECALC_COLS \
	"payable INTEGER, household TEXT, cost_sharers INTEGER, days INTEGER, norm INTEGER, " \
	"housing_reduction INTEGER, sanction INTEGER, income INTEGER, holiday_reserve INTEGER, status TEXT, reasons TEXT, " \
	"bijstand INTEGER"
#define COMP_COLS(a) \
	a".household, "a".cost_sharers, "a".days, "a".norm, "a".housing_reduction, "a".sanction, " \
	a".income, "a".holiday_reserve, "a".status, "a".reasons, "a".bijstand"

static gbi_status take_recalc(struct gbi_store *s, struct gbi_err *err);


static gbi_status step_done(struct gbi_store *s, sqlite3_stmt *st, const char *what, struct gbi_err *err)
{
	int rc = sqlite3_step(st);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	gbi_status r = rc == SQLITE_DONE ? GBI_OK : gbi_store_error(s, rc, what, err);
	sqlite3_reset(st);
	return r;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static int32_t next_period(int32_t ym)
{
	return ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1;
}

/* Step 1 for one period: which calc runs hold gbi's amounts. */
static gbi_status period_runs(struct gbi_store *s, const struct gbi_reconcile_opts *o, const char *period,
			      int64_t last_batch, void (*note)(void *, const char *), void *ctx, struct gbi_err *err)
{
	sqlite3_stmt *st, *ins;
	gbi_status r = gbi_store_prepare(s, "SELECT id, municipalities, last_batch FROM calc_run WHERE period=? "
					    "AND cases='' AND id NOT IN (SELECT id FROM temp.rnew) ORDER BY id DESC", &st, err);
	if (r)
		return r;
	if ((r = gbi_store_prepare(s, "INSERT OR IGNORE INTO temp.rrun VALUES(?,?,?)", &ins, err))) {
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 1, period, -1, SQLITE_STATIC);
	int rc, found = 0;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *m = text(st, 1);
		if (sqlite3_column_int64(st, 2) < last_batch && note && !found && o->against == GBI_AGAINST_LEGACY) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s: calculation run %lld is older than the latest import (batch %lld)", period,
				 (long long)id, (long long)last_batch);
			note(ctx, msg);
		}
		found = 1;
		if (!*m) {
			sqlite3_bind_text(ins, 2, "*", -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 3, id);
			r = step_done(s, ins, "reconcile", err);
			break;
		}
		for (const char *p = m; *p;) {
			size_t n = strcspn(p, ",");
			sqlite3_bind_text(ins, 2, p, (int)n, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 3, id);
			if ((r = step_done(s, ins, "reconcile", err)))
				break;
			p += n + (p[n] == ',');
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	if (r)
		return r;
	if (!found)
		return gbi_err_set(err, GBI_EINPUT, "period %s has no gbi calculation to compare: run gbi calculate --period %s first",
				   period, period);
	/* every requested municipality must be covered */
	for (int i = 0; i < o->nmunis; i++) {
		int64_t n;
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM temp.rrun WHERE period='%.7s' AND muni IN ('*','%.4s')", period,
			 o->munis[i]);
		if ((r = gbi_store_int(s, sql, &n, err)))
			return r;
		if (!n)
			return gbi_err_set(err, GBI_EINPUT,
					   "period %s: municipality %s has no gbi calculation: run gbi calculate --period %s -m %s first",
					   period, o->munis[i], period, o->munis[i]);
	}
	return GBI_OK;
}

/* The calc_result rows of gbi's runs (step 1), as a SELECT of
 * m, case_id, period, payable, calc_run_id; ?1 the municipality filter flag. */
#define GBI_ROWS \
	"SELECT c.municipality AS m, c.case_id AS case_id, c.period AS period, " \
	"CASE WHEN c.status='payable' THEN c.payable ELSE 0 END AS gp, c.calc_run_id AS crid " \
	"FROM temp.rrun r JOIN calc_result c ON c.calc_run_id=r.run " \
	"WHERE ((r.muni='*' AND NOT EXISTS (SELECT 1 FROM temp.rrun r2 WHERE r2.period=r.period AND r2.muni=c.municipality)) " \
	"   OR (r.muni<>'*' AND c.municipality=r.muni)) " \
	"  AND (?1=0 OR c.municipality IN (SELECT muni FROM temp.rmuni))"

/* Against legacy, in two passes with no sort: gbi's rows, each with the
 * legacy sum looked up through the payments_case index (only differing rows
 * go to temp.rc, the others are counted), then the legacy rows gbi has no
 * row for.  *compared and *equal get the counts. */
static gbi_status fill_legacy(struct gbi_store *s, const struct gbi_reconcile_opts *o, const char *pf, const char *pt,
			      int64_t *compared, int64_t *equal, struct gbi_err *err)
{
	sqlite3_stmt *st, *ins;
	*compared = *equal = 0;
	gbi_status r = gbi_store_prepare(s,
		"SELECT m, case_id, period, gp, crid, (SELECT sum(p.amount) FROM payments p WHERE p.live=1 "
		"  AND p.case_id=g.case_id AND p.muni=g.m AND p.period=g.period) FROM (" GBI_ROWS ") g", &st, err);
	if (r)
		return r;
	if ((r = gbi_store_prepare(s, "INSERT INTO temp.rc VALUES(?,?,?,?,?,?)", &ins, err))) {
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_bind_int(st, 1, o->nmunis > 0);
	int rc;
	int64_t matched = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		++*compared;
		matched += sqlite3_column_type(st, 5) != SQLITE_NULL;
		if (sqlite3_column_int64(st, 3) == sqlite3_column_int64(st, 5)) {
			++*equal;
			continue;
		}
		for (int i = 0; i < 3; i++)
			sqlite3_bind_value(ins, i + 1, sqlite3_column_value(st, i));
		sqlite3_bind_value(ins, 4, sqlite3_column_value(st, 3));
		sqlite3_bind_value(ins, 5, sqlite3_column_value(st, 5));
		sqlite3_bind_value(ins, 6, sqlite3_column_value(st, 4));
		if ((r = step_done(s, ins, "reconcile", err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	if (r)
		return r;
	/* legacy rows of covered municipalities that gbi has no row for: none
	 * when gbi's rows matched as many as there are (the usual case) */
	int64_t all_star, nlegacy;
	if ((r = gbi_store_int(s, "SELECT count(*)=(SELECT count(DISTINCT period) FROM temp.rrun) FROM temp.rrun WHERE muni='*'",
			       &all_star, err)))
		return r;
	if ((r = gbi_store_prepare(s,
		"SELECT count(*) FROM (SELECT 1 FROM payments p WHERE p.live=1 AND p.period BETWEEN ?2 AND ?3 "
		"  AND (?1=0 OR p.muni IN (SELECT muni FROM temp.rmuni)) AND (?4=1 OR EXISTS (SELECT 1 FROM temp.rrun r "
		"  WHERE r.period=p.period AND (r.muni='*' OR r.muni=p.muni))) GROUP BY p.case_id, p.muni, p.period)", &st, err)))
		return r;
	sqlite3_bind_int(st, 1, o->nmunis > 0);
	sqlite3_bind_text(st, 2, pf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, all_star);
	rc = sqlite3_step(st);
	nlegacy = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW)
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	if (r || nlegacy == matched)
		return r;
	if ((r = gbi_store_prepare(s,
		"INSERT INTO temp.rc SELECT p.muni, p.case_id, p.period, NULL, sum(p.amount), NULL FROM payments p "
		"WHERE p.live=1 AND p.period BETWEEN ?2 AND ?3 AND (?1=0 OR p.muni IN (SELECT muni FROM temp.rmuni)) "
		"  AND coalesce((SELECT run FROM temp.rrun r WHERE r.period=p.period AND r.muni=p.muni), "
		"               (SELECT run FROM temp.rrun r WHERE r.period=p.period AND r.muni='*')) IS NOT NULL "
		"  AND NOT EXISTS (SELECT 1 FROM calc_result c WHERE c.municipality=p.muni AND c.case_id=p.case_id "
		"    AND c.calc_run_id=coalesce((SELECT run FROM temp.rrun r WHERE r.period=p.period AND r.muni=p.muni), "
		"                               (SELECT run FROM temp.rrun r WHERE r.period=p.period AND r.muni='*'))) "
		"GROUP BY p.muni, p.case_id, p.period", &st, err)))
		return r;
	sqlite3_bind_int(st, 1, o->nmunis > 0);
	sqlite3_bind_text(st, 2, pf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pt, -1, SQLITE_STATIC);
	r = step_done(s, st, "reconcile", err);
	sqlite3_finalize(st);
	if (r)
		return r;
	int64_t n;
	if ((r = gbi_store_int(s, "SELECT count(*) FROM temp.rc WHERE gp IS NULL", &n, err)))
		return r;
	*compared += n;
	if ((r = gbi_store_int(s, "SELECT count(*) FROM temp.rc WHERE gp IS NULL AND la=0", &n, err)))
		return r;
	*equal += n;
	return GBI_OK;
}

/* Against calculations: today's recomputation (temp.recalc, filled by
 * recalc()) against the stored runs. */
static gbi_status fill_calculations(struct gbi_store *s, const struct gbi_reconcile_opts *o, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s,
		"INSERT INTO temp.rc SELECT m, case_id, period, sum(la), sum(gp), max(crid) FROM ("
		"SELECT m, case_id, period, gp, NULL AS la, crid FROM (" GBI_ROWS ") "
		"UNION ALL "
		"SELECT municipality, case_id, period, NULL, CASE WHEN status='payable' THEN payable ELSE 0 END, NULL FROM temp.recalc "
		"WHERE ?1=0 OR municipality IN (SELECT muni FROM temp.rmuni)"
		") GROUP BY m, case_id, period", &st, err);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, o->nmunis > 0);
	r = step_done(s, st, "reconcile", err);
	sqlite3_finalize(st);
	return r;
}

/* ---- explanations ------------------------------------------------------ */

struct comp {
	int have;                  /* a gbi calculation exists */
	const char *household, *status, *reasons;
	int64_t cost_sharers, days, norm, housing_reduction, sanction, income, holiday_reserve, bijstand;
};

static void load_comp(sqlite3_stmt *st, int i, struct comp *c)
{
	c->have = sqlite3_column_type(st, i) != SQLITE_NULL;
	c->household = text(st, i);
	c->cost_sharers = sqlite3_column_int64(st, i + 1);
	c->days = sqlite3_column_int64(st, i + 2);
	c->norm = sqlite3_column_int64(st, i + 3);
	c->housing_reduction = sqlite3_column_int64(st, i + 4);
	c->sanction = sqlite3_column_int64(st, i + 5);
	c->income = sqlite3_column_int64(st, i + 6);
	c->holiday_reserve = sqlite3_column_int64(st, i + 7);
	c->status = text(st, i + 8);
	c->reasons = text(st, i + 9);
	c->bijstand = sqlite3_column_int64(st, i + 10);
}


struct buf {
	char *p;
	size_t n, len;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	if (b->len >= b->n)
		return;
	if (b->len) {
		int w = snprintf(b->p + b->len, b->n - b->len, "; ");
		b->len += (size_t)w;
		if (b->len >= b->n)
			return;
	}
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->len += (size_t)w;
}

static const char *eur(char *out, size_t n, int64_t cents)
{
	gbi_money_format(cents, out, n);
	return out;
}

static int64_t iabs(int64_t v)
{
	return v < 0 ? -v : v;
}

static int32_t day_before(int32_t ymd)
{
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	if (d > 1)
		return ymd - 1;
	if (--m == 0) {
		m = 12;
		y--;
	}
	return y * 10000 + m * 100 + gbi_days_in_month(y, m);
}

/* Whether a payable difference ad is explained by a component x of the
 * bijstand: x itself, or x less the change of the holiday reserve it
 * brings (the reserve is round_half_up(pct % of bijstand)): 1 for x, 2
 * for x net of the reserve, 0 when not. */
static int explains(const struct comp *c, int64_t pct, int64_t x, int64_t ad)
{
	if (!x)
		return 0;
	x = iabs(x);
	if (ad == x)
		return 1;
	int64_t up = gbi_round_half_up((c->bijstand + x) * pct, 100) - c->holiday_reserve;
	int64_t down = c->bijstand >= x ? c->holiday_reserve - gbi_round_half_up((c->bijstand - x) * pct, 100) : -1;
	return ad == x - up || (down >= 0 && ad == x - down) ? 2 : 0;
}

static const char *net(int how)
{
	return how == 2 ? " (less its holiday reserve)" : "";
}

/* What gbi can tell about a difference d = gbi - legacy. */
static void explain_legacy(struct buf *b, const struct comp *c, const char *period, int64_t d, int legacy_paid,
			   const char *case_status, const struct gbi_params *p)
{
	char e1[32], e2[32];
	int y = atoi(period), m = atoi(period + 5);
	int32_t first = y * 10000 + m * 100 + 1;
	int mdays = gbi_days_in_month(y, m);
	int64_t ad = iabs(d);
	if (!c->have) {
		add(b, "gbi has no calculation for this case and period%s%s", *case_status ? ": case status " : " (no such case in the store)",
		    case_status);
		return;
	}
	if (strcmp(c->status, "held") == 0)
		add(b, "gbi holds the payment%s%s%s", *c->reasons ? " (" : "", c->reasons, *c->reasons ? ")" : "");
	else if (strcmp(c->status, "payable") != 0)
		add(b, "gbi finds the case %s%s%s%s", c->status, *c->reasons ? " (" : "", c->reasons, *c->reasons ? ")" : "");
	if (!legacy_paid)
		add(b, "legacy paid nothing for this case and period");
	int64_t pct = 5;
	if (p)
		gbi_params_find(p, "holiday_allowance_percent", first, &pct);
	if (c->holiday_reserve && ad == c->holiday_reserve)
		add(b, "difference equals the holiday allowance reserve %s", eur(e1, sizeof e1, c->holiday_reserve));
	int how;
	if ((how = explains(c, pct, c->income, ad)))
		add(b, "difference equals the income gbi counted, %s%s", eur(e1, sizeof e1, c->income), net(how));
	if ((how = explains(c, pct, c->sanction, ad)))
		add(b, "difference equals the sanction gbi applied, %s%s", eur(e1, sizeof e1, c->sanction), net(how));
	if ((how = explains(c, pct, c->housing_reduction, ad)))
		add(b, "difference equals the housing reduction gbi applied, %s%s", eur(e1, sizeof e1, c->housing_reduction),
		    net(how));
	if (c->days && c->days < mdays)
		add(b, "gbi pays %lld of %d days (start or end date in the month)", (long long)c->days, mdays);
	int couple = strcmp(c->household, "couple") == 0;
	if (p && c->days == mdays) {
		int64_t single, pair;
		if (gbi_params_find(p, "norm_single", first, &single) && gbi_params_find(p, "norm_couple", first, &pair)) {
			int64_t other = couple ? single : pair;
			if (c->cost_sharers > 1 && (explains(c, pct, single - c->norm, ad) || explains(c, pct, pair - c->norm, ad)))
				add(b, "difference equals the cost-sharer reduction: gbi counts %lld cost-sharers",
				    (long long)c->cost_sharers);
			else if (c->cost_sharers <= 1 && explains(c, pct, other - c->norm, ad))
				add(b, "difference equals the norm of a %s instead of a %s household", couple ? "single" : "couple",
				    c->household);
			const char *key = couple ? "norm_couple" : "norm_single";
			int32_t vf = gbi_params_valid_from(p, key, first, NULL);
			int64_t prev;
			if (c->cost_sharers <= 1 && vf && gbi_params_find(p, key, day_before(vf), &prev) &&
			    explains(c, pct, c->norm - prev, ad)) {
				char date[11];
				gbi_date_format(vf, date);
				add(b, "difference equals the norm change of %s (norm date): %s before, %s from then", date,
				    eur(e1, sizeof e1, prev), eur(e2, sizeof e2, c->norm));
			}
		}
	}
	if (c->cost_sharers > 1 && !strstr(b->p, "cost-sharer"))
		add(b, "gbi counts %lld cost-sharers", (long long)c->cost_sharers);
	char n1[32], n2[32], n3[32];
	add(b, "gbi: %s, norm %s, income %s, sanction %s", c->household, eur(n1, sizeof n1, c->norm),
	    eur(n2, sizeof n2, c->income), eur(n3, sizeof n3, c->sanction));
}

/* Against calculations: which facts differ between stored (a) and now (b). */
static void explain_changes(struct buf *b, const struct comp *a, const struct comp *n)
{
	char e1[32], e2[32];
	if (!a->have) {
		add(b, "no stored calculation for this case and period");
		return;
	}
	if (!n->have) {
		add(b, "the recomputation has no result for this case");
		return;
	}
	if (strcmp(a->status, n->status) != 0)
		add(b, "status %s -> %s", a->status, n->status);
	if (strcmp(a->household, n->household) != 0)
		add(b, "household %s -> %s", a->household, n->household);
	if (a->cost_sharers != n->cost_sharers)
		add(b, "cost-sharers %lld -> %lld", (long long)a->cost_sharers, (long long)n->cost_sharers);
	if (a->days != n->days)
		add(b, "days %lld -> %lld", (long long)a->days, (long long)n->days);
	const struct {
		const char *name;
		int64_t x, y;
	} m[] = {
		{"norm", a->norm, n->norm},
		{"housing reduction", a->housing_reduction, n->housing_reduction},
		{"sanction", a->sanction, n->sanction},
		{"income", a->income, n->income},
		{"holiday reserve", a->holiday_reserve, n->holiday_reserve},
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (m[i].x != m[i].y)
			add(b, "%s %s -> %s", m[i].name, eur(e1, sizeof e1, m[i].x), eur(e2, sizeof e2, m[i].y));
	if (strcmp(a->reasons, n->reasons) != 0)
		add(b, "reasons '%s' -> '%s'", a->reasons, n->reasons);
	if (!b->len)
		add(b, "same facts, different amount");
}

static gbi_status explain_all(struct gbi_store *s, int64_t id, enum gbi_against against, struct gbi_err *err)
{
	struct gbi_params *p = NULL;
	struct gbi_err perr;
	if (against == GBI_AGAINST_LEGACY && gbi_params_load(s, NULL, &p, &perr) != GBI_OK)
		p = NULL; /* explanations without the norm tables */
	sqlite3_stmt *st, *up;
	gbi_status r = gbi_store_prepare(s,
		"SELECT x.rowid, x.period, x.difference, coalesce(x.other,0)<>0, "
		"  (SELECT k.status FROM cases k WHERE k.live=1 AND k.case_id=x.case_id AND k.muni=x.municipality), "
		"  " COMP_COLS("c") ", " COMP_COLS("n") " "
		"FROM reconcile_result x "
		"LEFT JOIN calc_result c ON c.calc_run_id=x.calc_run_id AND c.municipality=x.municipality AND c.case_id=x.case_id "
		"LEFT JOIN temp.recalc n ON n.municipality=x.municipality AND n.case_id=x.case_id AND n.period=x.period "
		"WHERE x.reconcile_run_id=?", &st, err);
	if (r) {
		gbi_params_free(p);
		return r;
	}
	if ((r = gbi_store_prepare(s, "UPDATE reconcile_result SET explanation=? WHERE rowid=?", &up, err))) {
		sqlite3_finalize(st);
		gbi_params_free(p);
		return r;
	}
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text_[1024] = "";
		struct buf b = {text_, sizeof text_, 0};
		struct comp a, n;
		load_comp(st, 5, &a);
		load_comp(st, 16, &n);
		if (against == GBI_AGAINST_LEGACY)
			explain_legacy(&b, &a, text(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3), text(st, 4), p);
		else
			explain_changes(&b, &a, &n);
		sqlite3_bind_text(up, 1, text_, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
		if ((r = step_done(s, up, "reconcile", err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	gbi_params_free(p);
	return r;
}

/* ---- the run -------------------------------------------------------------- */

static gbi_status run_all(struct gbi_store *s, const struct gbi_reconcile_opts *o, void (*note)(void *, const char *),
			  void *ctx, struct gbi_reconcile_summary *sum, struct gbi_err *err)
{
	gbi_status r;
	char pf[8], pt[8], munis[GBI_RECONCILE_MAX_MUNIS * 5 + 1] = "";
	gbi_period_format(o->from, pf);
	gbi_period_format(o->to, pt);
	if ((r = gbi_store_exec(s,
		"CREATE TEMP TABLE IF NOT EXISTS rmuni(muni TEXT PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS rnew(id INTEGER PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS rrun(period TEXT, muni TEXT, run INTEGER, PRIMARY KEY(period, muni));"
		"CREATE TEMP TABLE IF NOT EXISTS rc(m TEXT, case_id TEXT, period TEXT, gp INTEGER, la INTEGER, crid INTEGER);"
		"CREATE TEMP TABLE IF NOT EXISTS recalc(municipality TEXT, case_id TEXT, period TEXT, " RECALC_COLS ","
		"  PRIMARY KEY(municipality, case_id, period));"
		"DELETE FROM temp.rmuni; DELETE FROM temp.rrun; DELETE FROM temp.rc; DELETE FROM temp.recalc;", err)))
		return r;
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(s, "INSERT OR IGNORE INTO temp.rmuni VALUES(?)", &st, err)))
		return r;
	for (int i = 0; i < o->nmunis && !r; i++) {
		size_t l = strlen(munis);
		snprintf(munis + l, sizeof munis - l, "%s%s", i ? "," : "", o->munis[i]);
		sqlite3_bind_text(st, 1, o->munis[i], -1, SQLITE_STATIC);
		r = step_done(s, st, "reconcile", err);
	}
	sqlite3_finalize(st);
	if (r)
		return r;
	int64_t last_batch;
	if ((r = gbi_store_int(s, "SELECT coalesce(max(id),0) FROM batch", &last_batch, err)))
		return r;
	for (int32_t ym = o->from; ym <= o->to; ym = next_period(ym)) {
		char period[8];
		gbi_period_format(ym, period);
		if ((r = period_runs(s, o, period, last_batch, note, ctx, err)))
			return r;
	}
	if (o->against == GBI_AGAINST_CALCULATIONS && (r = take_recalc(s, err)))
		return r;
	if (o->against == GBI_AGAINST_LEGACY) {
		if ((r = fill_legacy(s, o, pf, pt, &sum->compared, &sum->equal, err)))
			return r;
	} else if ((r = fill_calculations(s, o, err)) ||
		   (r = gbi_store_int(s, "SELECT count(*) FROM temp.rc", &sum->compared, err)) ||
		   (r = gbi_store_int(s, "SELECT count(*) FROM temp.rc WHERE coalesce(gp,0)=coalesce(la,0)", &sum->equal, err))) {
		return r;
	}
	sum->different = sum->compared - sum->equal;
	char now[21];
	gbi_timestamp(now);
	if ((r = gbi_store_prepare(s, "INSERT INTO reconcile_run(run_id, against, period_from, period_to, created, "
				      "municipalities, tolerance, last_batch, compared, equal, different, over_tolerance) "
				      "VALUES(?,?,?,?,?,?,?,?,?,?,?,0)", &st, err)))
		return r;
	sqlite3_bind_int64(st, 1, o->run_id);
	sqlite3_bind_text(st, 2, o->against == GBI_AGAINST_LEGACY ? "legacy" : "calculations", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, munis, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, o->tolerance);
	sqlite3_bind_int64(st, 8, last_batch);
	sqlite3_bind_int64(st, 9, sum->compared);
	sqlite3_bind_int64(st, 10, sum->equal);
	sqlite3_bind_int64(st, 11, sum->different);
	r = step_done(s, st, "reconcile", err);
	sqlite3_finalize(st);
	if (r)
		return r;
	sum->id = sqlite3_last_insert_rowid(s->db);
	/* gp: gbi (legacy) or recomputed (calculations); la: legacy or stored */
	if ((r = gbi_store_prepare(s,
		"INSERT INTO reconcile_result SELECT ?1, m, case_id, period, gp, la, coalesce(gp,0)-coalesce(la,0), "
		"CASE WHEN ?2 THEN CASE WHEN coalesce(gp,0)>coalesce(la,0) THEN 'underpayment' ELSE 'overpayment' END "
		"     WHEN coalesce(la,0)=0 THEN 'only_gbi' WHEN coalesce(gp,0)=0 THEN 'only_legacy' ELSE 'amount' END, "
		"crid, '' FROM temp.rc WHERE coalesce(gp,0)<>coalesce(la,0)", &st, err)))
		return r;
	sqlite3_bind_int64(st, 1, sum->id);
	sqlite3_bind_int(st, 2, o->against == GBI_AGAINST_CALCULATIONS);
	r = step_done(s, st, "reconcile", err);
	sqlite3_finalize(st);
	if (r || (r = explain_all(s, sum->id, o->against, err)))
		return r;
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM reconcile_result WHERE reconcile_run_id=%lld AND abs(difference)>%lld",
		 (long long)sum->id, (long long)o->tolerance);
	if ((r = gbi_store_int(s, sql, &sum->over, err)))
		return r;
	snprintf(sql, sizeof sql, "UPDATE reconcile_run SET over_tolerance=%lld WHERE id=%lld", (long long)sum->over,
		 (long long)sum->id);
	return gbi_store_exec(s, sql, err);
}

/* ---- recomputation -------------------------------------------------------- */

/* Recomputes every period with today's store through gbi calculate's
 * library.  gbi_calc_run stores a calc run in its own transaction; its ids
 * go to temp.rnew, and take_recalc() moves the rows into temp.recalc and
 * removes the runs, so that a reconcile never changes what gbi export
 * takes as the latest calculation. */
static gbi_status recompute(struct gbi_store *s, const struct gbi_reconcile_opts *o, struct gbi_err *err)
{
	struct gbi_params *p;
	gbi_status r = gbi_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS rnew(id INTEGER PRIMARY KEY); DELETE FROM temp.rnew;",
				      err);
	if (r || (r = gbi_params_load(s, o->parameters, &p, err)))
		return r;
	for (int32_t ym = o->from; ym <= o->to && !r; ym = next_period(ym)) {
		struct gbi_calc_opts co;
		struct gbi_calc_summary cs;
		memset(&co, 0, sizeof co);
		co.period = ym;
		for (int i = 0; i < o->nmunis && i < GBI_CALC_MAX_FILTER; i++)
			co.munis[co.nmunis++] = o->munis[i];
		co.run_id = o->run_id;
		if ((r = gbi_calc_run(s, p, &co, &cs, err)))
			break;
		if (cs.calc_run_id) {
			char sql[96];
			snprintf(sql, sizeof sql, "INSERT INTO temp.rnew VALUES(%lld)", (long long)cs.calc_run_id);
			r = gbi_store_exec(s, sql, err);
		}
	}
	gbi_params_free(p);
	return r;
}

static gbi_status take_recalc(struct gbi_store *s, struct gbi_err *err)
{
	return gbi_store_exec(s,
		"INSERT INTO temp.recalc SELECT municipality, case_id, period, payable, household, cost_sharers, days, norm, "
		"  housing_reduction, sanction, income, holiday_reserve, status, reasons, bijstand FROM calc_result "
		"  WHERE calc_run_id IN (SELECT id FROM temp.rnew);"
		"DELETE FROM calc_result WHERE calc_run_id IN (SELECT id FROM temp.rnew);"
		"DELETE FROM calc_run WHERE id IN (SELECT id FROM temp.rnew);", err);
}

/* Removes recomputed runs left by a failed reconcile. */
static void drop_recalc(struct gbi_store *s)
{
	if (gbi_store_begin(s, NULL) == GBI_OK &&
	    gbi_store_exec(s, "DELETE FROM calc_result WHERE calc_run_id IN (SELECT id FROM temp.rnew);"
			      "DELETE FROM calc_run WHERE id IN (SELECT id FROM temp.rnew); DELETE FROM temp.rnew;", NULL) == GBI_OK)
		gbi_store_commit(s, NULL);
	else
		gbi_store_rollback(s);
}

gbi_status gbi_reconcile(struct gbi_store *s, const struct gbi_reconcile_opts *o,
			 void (*note)(void *ctx, const char *msg), void *ctx,
			 struct gbi_reconcile_summary *sum, struct gbi_err *err)
{
	memset(sum, 0, sizeof *sum);
	if (o->from > o->to)
		return gbi_err_set(err, GBI_EUSAGE, "--from must not be after --to");
	int n = 0;
	for (int32_t ym = o->from; ym <= o->to && n <= MAX_PERIODS; ym = next_period(ym))
		n++;
	if (n > MAX_PERIODS)
		return gbi_err_set(err, GBI_EUSAGE, "at most %d periods at once", MAX_PERIODS);
	for (int i = 0; i < o->nmunis; i++)
		if (gbi_parse_municipality(o->munis[i], strlen(o->munis[i])))
			return gbi_err_set(err, GBI_EUSAGE, "--municipality '%s': not a 4-digit CBS code", o->munis[i]);
	gbi_status r = gbi_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS rnew(id INTEGER PRIMARY KEY); DELETE FROM temp.rnew;", err);
	if (r)
		return r;
	if (o->against == GBI_AGAINST_CALCULATIONS && (r = recompute(s, o, err))) {
		drop_recalc(s);
		return r;
	}
	if ((r = gbi_store_begin(s, err)))
		goto fail;
	if ((r = run_all(s, o, note, ctx, sum, err))) {
		gbi_store_rollback(s);
		goto fail;
	}
	if ((r = gbi_store_commit(s, err)))
		goto fail;
	return GBI_OK;
fail:
	drop_recalc(s);
	return r;
}

/* ---- reading a stored run ---------------------------------------------------- */

gbi_status gbi_reconcile_against(struct gbi_store *s, int64_t id, char *out, size_t outsize, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT against FROM reconcile_run WHERE id=?", &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		gbi_strlcpy(out, text(st, 0), outsize);
	else if (rc == SQLITE_DONE)
		r = gbi_err_set(err, GBI_EINPUT, "reconcile run %lld does not exist", (long long)id);
	else
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_reconcile_each(struct gbi_store *s, int64_t id,
			      gbi_status (*fn)(void *ctx, const struct gbi_reconcile_row *r, struct gbi_err *err),
			      void *ctx, struct gbi_err *err)
{
	char against[16];
	gbi_status r = gbi_reconcile_against(s, id, against, sizeof against, err);
	if (r)
		return r;
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(s, "SELECT x.municipality, x.case_id, x.period, x.gbi, x.other, x.difference, x.kind, "
				      "x.explanation, abs(x.difference)>r.tolerance FROM reconcile_result x "
				      "JOIN reconcile_run r ON r.id=x.reconcile_run_id WHERE x.reconcile_run_id=? "
				      "ORDER BY x.municipality, x.case_id, x.period", &st, err)))
		return r;
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct gbi_reconcile_row row = {
			text(st, 0), text(st, 1), text(st, 2),
			sqlite3_column_type(st, 3) != SQLITE_NULL, sqlite3_column_type(st, 4) != SQLITE_NULL,
			sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
			text(st, 6), text(st, 7), sqlite3_column_int(st, 8),
		};
		if ((r = fn(ctx, &row, err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_reconcile_totals(struct gbi_store *s, int64_t id,
				gbi_status (*fn)(void *ctx, const char *what, const char *name, int64_t n,
						 int64_t sum, struct gbi_err *err),
				void *ctx, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s,
		"SELECT 'kind', kind, count(*), sum(difference), 1 FROM reconcile_result WHERE reconcile_run_id=?1 GROUP BY kind "
		"UNION ALL SELECT 'municipality', municipality, count(*), sum(difference), 2 FROM reconcile_result "
		"WHERE reconcile_run_id=?1 GROUP BY municipality ORDER BY 5, 2", &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = fn(ctx, text(st, 0), text(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), err)))
			break;
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reconcile", err);
	sqlite3_finalize(st);
	return r;
}

const char *gbi_reconcile_csv_header(enum gbi_against a)
{
	return a == GBI_AGAINST_LEGACY ? "municipality,case_id,period,gbi,legacy,difference,kind,explanation"
				       : "municipality,case_id,period,recomputed,stored,difference,kind,explanation";
}

struct csvctx {
	FILE *fp;
};

int gbi_reconcile_csv_row(FILE *fp, const struct gbi_reconcile_row *r)
{
	char g[32] = "", o[32] = "", d[32];
	if (r->has_gbi)
		gbi_money_format(r->gbi, g, sizeof g);
	if (r->has_other)
		gbi_money_format(r->other, o, sizeof o);
	gbi_money_format(r->difference, d, sizeof d);
	const char *f[8] = {r->muni, r->case_id, r->period, g, o, d, r->kind, r->explanation};
	return gbi_csv_row(fp, 8, f);
}

static gbi_status csv_row(void *ctx, const struct gbi_reconcile_row *r, struct gbi_err *err)
{
	struct csvctx *c = ctx;
	if (gbi_reconcile_csv_row(c->fp, r))
		return gbi_err_set(err, GBI_ESYS, "write error");
	return GBI_OK;
}

gbi_status gbi_reconcile_write_csv(struct gbi_store *s, int64_t id, FILE *fp, struct gbi_err *err)
{
	char against[16];
	gbi_status r = gbi_reconcile_against(s, id, against, sizeof against, err);
	if (r)
		return r;
	struct csvctx c = {fp};
	if (fprintf(fp, "%s\n", gbi_reconcile_csv_header(strcmp(against, "legacy") == 0 ? GBI_AGAINST_LEGACY
											: GBI_AGAINST_CALCULATIONS)) < 0)
		return gbi_err_set(err, GBI_ESYS, "write error");
	return gbi_reconcile_each(s, id, csv_row, &c, err);
}
