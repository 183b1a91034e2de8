/*
 * export.c: output, the run an export reads, and the table formats
 * results, findings, stats and bus (export.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "csvout.h"
#include "field.h"
#include "policy.h"
#include "banned.h"

/* ---- output --------------------------------------------------------- */

static void out_init(struct gbi_out *o, int fd)
{
	o->fd = fd;
	o->own = 0;
	o->path[0] = o->tmp[0] = '\0';
	sha256_init(&o->sha);
	o->bytes = 0;
	o->err_no = 0;
	o->n = 0;
}

void gbi_out_fd(struct gbi_out *o, int fd)
{
	out_init(o, fd);
}

gbi_status gbi_out_open(struct gbi_out *o, const char *path, struct gbi_err *err)
{
	out_init(o, 1);
	if (!path || strcmp(path, "-") == 0)
		return GBI_OK;
	if (gbi_strlcpy(o->path, path, sizeof o->path) >= sizeof o->path)
		return gbi_err_set(err, GBI_EUSAGE, "'%s': name too long", path);
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return gbi_err_set(err, GBI_EUSAGE, "'%s' is a directory", path);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* a device or pipe (/dev/null, a FIFO): written in place, never replaced */
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return gbi_err_set(err, GBI_ESYS, "cannot open '%s': %s", path, strerror(errno));
		o->fd = fd;
		o->own = 2;
		return GBI_OK;
	}
	snprintf(o->tmp, sizeof o->tmp, "%s.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		o->tmp[0] = '\0';
		return gbi_err_set(err, GBI_ESYS, "cannot create a file beside '%s': %s", path, strerror(errno));
	}
	o->fd = fd;
	o->own = 1;
	return GBI_OK;
}

static void out_flush(struct gbi_out *o)
{
	size_t done = 0;
	while (done < o->n && !o->err_no) {
		ssize_t w = write(o->fd, o->buf + done, o->n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err_no = errno;
		} else {
			done += (size_t)w;
		}
	}
	o->n = 0;
}

void gbi_out_write(struct gbi_out *o, const void *p, size_t n)
{
	sha256_update(&o->sha, n, p);
	o->bytes += n;
	if (o->n + n > sizeof o->buf) {
		out_flush(o);
		if (n > sizeof o->buf) {
			const unsigned char *q = p;
			while (n > 0 && !o->err_no) {
				size_t k = n < sizeof o->buf ? n : sizeof o->buf;
				memcpy(o->buf, q, k);
				o->n = k;
				out_flush(o);
				q += k;
				n -= k;
			}
			return;
		}
	}
	memcpy(o->buf + o->n, p, n);
	o->n += n;
}

void gbi_out_puts(struct gbi_out *o, const char *s)
{
	gbi_out_write(o, s, strlen(s));
}

void gbi_out_csv(struct gbi_out *o, const char *s, int first)
{
	if (!first)
		gbi_out_write(o, ",", 1);
	if (!s)
		return;
	if (!gbi_csv_needs_quotes(s)) {
		gbi_out_puts(o, s);
		return;
	}
	gbi_out_write(o, "\"", 1);
	for (const char *q; (q = strchr(s, '"')); s = q + 1)
		gbi_out_write(o, s, (size_t)(q - s + 1)), gbi_out_write(o, "\"", 1);
	gbi_out_puts(o, s);
	gbi_out_write(o, "\"", 1);
}

gbi_status gbi_out_commit(struct gbi_out *o, char hex[65], struct gbi_err *err)
{
	out_flush(o);
	if (hex) {
		uint8_t d[SHA256_DIGEST_SIZE];
		struct sha256_ctx c = o->sha;
		sha256_digest(&c, sizeof d, d);
		for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
	}
	if (o->err_no) {
		int e = o->err_no;
		gbi_out_abort(o);
		return gbi_err_set(err, GBI_ESYS, "writing '%s': %s", o->path[0] ? o->path : "standard output",
				   strerror(e));
	}
	if (!o->own)
		return GBI_OK;
	if (o->own == 2) {
		o->own = 0;
		if (close(o->fd) != 0)
			return gbi_err_set(err, GBI_ESYS, "writing '%s': %s", o->path, strerror(errno));
		return GBI_OK;
	}
	if (fsync(o->fd) != 0 || close(o->fd) != 0) {
		int e = errno;
		o->fd = -1;
		gbi_out_abort(o);
		return gbi_err_set(err, GBI_ESYS, "writing '%s': %s", o->path, strerror(e));
	}
	o->fd = -1;
	if (rename(o->tmp, o->path) != 0) {
		int e = errno;
		gbi_out_abort(o);
		return gbi_err_set(err, GBI_ESYS, "cannot rename '%s' to '%s': %s", o->tmp, o->path, strerror(e));
	}
	o->own = 0;
	o->tmp[0] = '\0';
	return GBI_OK;
}

void gbi_out_abort(struct gbi_out *o)
{
	if (!o->own)
		return;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp[0] && o->own == 1)
		unlink(o->tmp);
	o->tmp[0] = '\0';
	o->own = 0;
}

/* ---- the run ------------------------------------------------------------ */

static void col(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	gbi_strlcpy(out, t ? t : "", size);
}

gbi_status gbi_export_run_find(struct gbi_store *s, const char *period, int64_t want, struct gbi_export_run *r,
			       struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status rc = gbi_store_prepare(s,
		"SELECT id, last_batch, verify_run_id, period, created, municipalities, batches, params,"
		" (SELECT max(v.id) FROM verify_run v WHERE v.period = calc_run.period),"
		" (SELECT coalesce(max(id), 0) FROM batch)"
		" FROM calc_run WHERE (?1 > 0 AND id = ?1) OR (?1 = 0 AND period = ?2) ORDER BY id DESC LIMIT 1",
		&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, want);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (step != SQLITE_DONE)
			return gbi_store_error(s, step, "reading calc_run", err);
		if (want)
			return gbi_err_set(err, GBI_EINPUT, "there is no calculation run %lld", (long long)want);
		return gbi_err_set(err, GBI_EINPUT, "no calculation run for period %s: run 'gbi calculate --period %s' first",
				   period, period);
	}
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->last_batch = sqlite3_column_int64(st, 1);
	r->verify_run = sqlite3_column_type(st, 2) != SQLITE_NULL ? sqlite3_column_int64(st, 2)
								 : sqlite3_column_int64(st, 8);
	col(st, 3, r->period, sizeof r->period);
	col(st, 4, r->created, sizeof r->created);
	col(st, 5, r->municipalities, sizeof r->municipalities);
	col(st, 6, r->batches, sizeof r->batches);
	col(st, 7, r->params, sizeof r->params);
	int64_t max_batch = sqlite3_column_int64(st, 9);
	sqlite3_finalize(st);
	if (strcmp(r->period, period) != 0)
		return gbi_err_set(err, GBI_EINPUT, "calculation run %lld is for period %s, not %s", (long long)r->id,
				   r->period, period);
	if (!want && r->last_batch < max_batch)
		return gbi_err_set(err, GBI_EINPUT,
				   "calculation run %lld for %s is stale: batch %lld was imported after it; run 'gbi calculate --period %s' again (or name the run with --run %lld)",
				   (long long)r->id, period, (long long)max_batch, period, (long long)r->id);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (sscanf(r->created, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		r->epoch = (int64_t)timegm(&tm);
	}
	return GBI_OK;
}

gbi_status gbi_export_run_covers(struct gbi_store *s, const struct gbi_export_run *r, const char *mfilter,
				 struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status rc = gbi_store_prepare(s, "SELECT municipalities, cases FROM calc_run WHERE id=?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return gbi_err_set(err, GBI_EINPUT, "there is no calculation run %lld", (long long)r->id);
	}
	char munis[512], cases[64];
	col(st, 0, munis, sizeof munis);
	col(st, 1, cases, sizeof cases);
	sqlite3_finalize(st);
	if (cases[0])
		return gbi_err_set(err, GBI_EINPUT,
				   "calculation run %lld for %s was computed for some cases only (--case); run 'gbi calculate --period %s' for all, or name the run with --run %lld",
				   (long long)r->id, r->period, r->period, (long long)r->id);
	if (!munis[0])
		return GBI_OK;
	char have[520];
	snprintf(have, sizeof have, ",%s,", munis);
	if (!mfilter[0])
		return gbi_err_set(err, GBI_EINPUT,
				   "the latest calculation run %lld for %s covers only municipalities %s: export those with -m, or run 'gbi calculate --period %s' for all",
				   (long long)r->id, r->period, munis, r->period);
	for (const char *p = mfilter + 1; *p; p += 5) {
		char code[7] = {',', p[0], p[1], p[2], p[3], ',', '\0'};
		if (!strstr(have, code))
			return gbi_err_set(err, GBI_EINPUT,
					   "the latest calculation run %lld for %s covers only municipalities %s, not %.4s: run 'gbi calculate --period %s' for it",
					   (long long)r->id, r->period, munis, p, r->period);
	}
	return GBI_OK;
}

gbi_status gbi_export_munis(const char *const *codes, int n, char *out, size_t size, struct gbi_err *err)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (gbi_parse_municipality(codes[i], strlen(codes[i])))
			return gbi_err_set(err, GBI_EUSAGE, "--municipality '%s': not a 4-digit CBS code", codes[i]);
		if (o + 6 >= size)
			return gbi_err_set(err, GBI_EUSAGE, "too many --municipality codes");
		o += (size_t)snprintf(out + o, size - o, "%s%s,", o ? "" : ",", codes[i]);
	}
	return GBI_OK;
}

gbi_status gbi_export_policy(struct gbi_store *s, const char *muni, const char *key, int32_t ymd, char *out,
			     size_t size, struct gbi_err *err)
{
	int from_default = 0;
	return gbi_policy_value(s, muni, key, ymd, out, size, &from_default, err);
}

int64_t gbi_round_euro_half_away(int64_t cents)
{
	return cents < 0 ? -((-cents + 50) / 100) : (cents + 50) / 100;
}

/* ---- helpers for the table formats ---------------------------------------- */

static void put_money(struct gbi_out *o, int64_t cents)
{
	char a[32];
	gbi_money_format(cents, a, sizeof a);
	gbi_out_csv(o, a, 0);
}

static void put_int(struct gbi_out *o, int64_t v, int first)
{
	char a[24];
	snprintf(a, sizeof a, "%lld", (long long)v);
	gbi_out_csv(o, a, first);
}

static void json_str(struct gbi_out *o, const char *s)
{
	if (!s) {
		gbi_out_puts(o, "null");
		return;
	}
	gbi_out_write(o, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char e[8];
		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			gbi_out_write(o, e, 2);
		} else if (*p < 0x20) {
			snprintf(e, sizeof e, "\\u%04x", *p);
			gbi_out_write(o, e, 6);
		} else {
			gbi_out_write(o, p, 1);
		}
	}
	gbi_out_write(o, "\"", 1);
}

static void json_key(struct gbi_out *o, const char *k, int first)
{
	gbi_out_puts(o, first ? "{\"" : ",\"");
	gbi_out_puts(o, k);
	gbi_out_puts(o, "\":");
}

static gbi_status done_rows(struct gbi_store *s, sqlite3_stmt *st, int rc, const char *what, struct gbi_err *err)
{
	gbi_status r = rc == SQLITE_DONE ? GBI_OK : gbi_store_error(s, rc, what, err);
	sqlite3_finalize(st);
	return r;
}

/* Prepares sql and binds ?1 = id (a run) and ?2 = the municipality filter. */
static gbi_status run_query(struct gbi_store *s, const char *sql, int64_t id, const struct gbi_export_opts *o,
			    sqlite3_stmt **st, struct gbi_err *err)
{
	gbi_status rc = gbi_store_prepare(s, sql, st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(*st, 1, id);
	sqlite3_bind_text(*st, 2, o->munis ? o->munis : "", -1, SQLITE_STATIC);
	return GBI_OK;
}

/* A CSV header line. */
static void header(struct gbi_out *out, const char *const *cols, int n)
{
	for (int i = 0; i < n; i++)
		gbi_out_csv(out, cols[i], i == 0);
	gbi_out_write(out, "\n", 1);
}

/* ---- results ------------------------------------------------------------ */

static const char *const result_cols[] = {
	"municipality", "case_id", "period", "household", "cost_sharers", "days", "norm", "housing_reduction",
	"sanction", "income", "bijstand", "holiday_reserve", "payable", "status", "reasons", "iban", "account_name",
	"components",
};
#define RESULT_MONEY_FIRST 6
#define RESULT_MONEY_LAST 12

gbi_status gbi_export_results(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			      struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status rc = run_query(s,
		"SELECT municipality, case_id, period, household, cost_sharers, days, norm, housing_reduction, sanction,"
		" income, bijstand, holiday_reserve, payable, status, reasons, iban, account_name, components"
		" FROM calc_result WHERE calc_run_id = ?1 AND (?2 = '' OR instr(?2, ',' || municipality || ',') > 0)"
		" ORDER BY municipality, case_id", r->id, o, &st, err);
	if (rc)
		return rc;
	int ncols = o->jsonl ? 18 : 17;
	if (!o->jsonl)
		header(out, result_cols, ncols);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			int num = (i >= 4 && i <= RESULT_MONEY_LAST);
			if (o->jsonl) {
				json_key(out, result_cols[i], i == 0);
				if (num)
					gbi_out_puts(out, v ? v : "0");
				else if (i == 17)
					gbi_out_puts(out, v && *v ? v : "null");
				else
					json_str(out, v);
			} else if (i >= RESULT_MONEY_FIRST && i <= RESULT_MONEY_LAST) {
				put_money(out, sqlite3_column_int64(st, i));
			} else {
				gbi_out_csv(out, v, i == 0);
			}
		}
		gbi_out_puts(out, o->jsonl ? "}\n" : "\n");
		t->rows++;
		if (strcmp((const char *)sqlite3_column_text(st, 13), "payable") == 0)
			t->total += sqlite3_column_int64(st, 12);
	}
	return done_rows(s, st, step, "reading calc_result", err);
}

/* ---- findings ------------------------------------------------------------ */

static const char *const finding_cols[] = {
	"verify_run", "rule", "severity", "municipality", "case_id", "bsn", "period", "message", "legal_basis",
	"src_table", "src_batch", "src_line",
};

gbi_status gbi_export_findings(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			       struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status rc = run_query(s,
		"SELECT verify_run_id, rule, severity, municipality, case_id, bsn, period, message, legal_basis,"
		" src_table, src_batch, src_line FROM finding"
		" WHERE verify_run_id = ?1 AND (?2 = '' OR instr(?2, ',' || municipality || ',') > 0)"
		" ORDER BY municipality, case_id, rule, bsn, src_table, src_batch, src_line, rowid", r->verify_run, o,
		&st, err);
	if (rc)
		return rc;
	if (!o->jsonl)
		header(out, finding_cols, 12);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 12; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			int num = i == 0 || i == 10 || i == 11;
			if (o->jsonl) {
				json_key(out, finding_cols[i], i == 0);
				if (num)
					gbi_out_puts(out, v ? v : "null");
				else
					json_str(out, v);
			} else {
				gbi_out_csv(out, v, i == 0);
			}
		}
		gbi_out_puts(out, o->jsonl ? "}\n" : "\n");
		t->rows++;
	}
	return done_rows(s, st, step, "reading finding", err);
}

/* ---- stats ----------------------------------------------------------------- */

gbi_status gbi_export_stats(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			    struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status rc = run_query(s,
		"SELECT municipality, household, cost_sharers, count(*), sum(norm),"
		" sum(CASE WHEN status = 'payable' THEN payable ELSE 0 END),"
		" sum(status = 'held'), sum(status = 'nil'), sum(status = 'not_entitled')"
		" FROM calc_result WHERE calc_run_id = ?1 AND (?2 = '' OR instr(?2, ',' || municipality || ',') > 0)"
		" GROUP BY municipality, household, cost_sharers ORDER BY municipality, household, cost_sharers",
		r->id, o, &st, err);
	if (rc)
		return rc;
	gbi_out_puts(out, "municipality,period,household,cost_sharers,cases,norm_sum,payable_sum,held,nil,not_entitled\n");
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		gbi_out_csv(out, (const char *)sqlite3_column_text(st, 0), 1);
		gbi_out_csv(out, r->period, 0);
		gbi_out_csv(out, (const char *)sqlite3_column_text(st, 1), 0);
		put_int(out, sqlite3_column_int64(st, 2), 0);
		put_int(out, sqlite3_column_int64(st, 3), 0);
		put_money(out, sqlite3_column_int64(st, 4));
		put_money(out, sqlite3_column_int64(st, 5));
		put_int(out, sqlite3_column_int64(st, 6), 0);
		put_int(out, sqlite3_column_int64(st, 7), 0);
		put_int(out, sqlite3_column_int64(st, 8), 0);
		gbi_out_write(out, "\n", 1);
		t->rows++;
		t->total += sqlite3_column_int64(st, 5);
	}
	return done_rows(s, st, step, "reading calc_result", err);
}

/* ---- bus ------------------------------------------------------------------- */

/* The kenmerken of ../shared/reference/bus-fields.csv (Regeling statistiek
 * Participatiewet, IOAW en IOAZ, Bijlage 1), in their order. */
static const char *const bus_cols[] = {
	"STATISTIEKJAAR", "STATISTIEKMAAND", "BERICHTGEVERCODE", "GEMEENTECODE", "NAAM SOFTWAREPAKKET",
	"RELEASE-/VERSIENUMMER SOFTWAREPAKKET", "REGISTRATIENUMMER UITKERING", "STATISTIEKCODE",
	"NADERE CLASSIFICATIE BBZ", "LEEFVORM", "AANTAL KOSTENDELERS", "BEDRAG BIJSTANDSNORM/GRONDSLAG (incl. vt)",
	"BEDRAG VERMINDERING UITKERING N.A.V. AFSTEMMING (incl. vt)", "BEDRAG INKOMSTEN UITKERING (incl. vt)",
	"BETAALBAAR GESTELD BEDRAG UITKERING (excl. vt)", "Datum invoering administratie",
	"CLUSTER BIJZONDERE BIJSTAND", "BURGERSERVICENUMMER", "GEBOORTEDATUM", "GESLACHT", "HUISVESTING",
	"AANVANGSDATUM UITKERING PERSOON", "EINDDATUM UITKERING PERSOON", "ONTHEFFING ARBEIDSVERPLICHTING",
	"EINDDATUM ONTHEFFING", "REDEN BEEINDIGING ONTHEFFING OF OPSCHORTING", "UITVOERING TEGENPRESTATIE",
	"REDEN VERMINDERING N.A.V. AFSTEMMING", "AANVANGSDATUM VERMINDERING", "EINDDATUM VERMINDERING",
	"SOORT INKOMSTEN", "BEDRAG INKOMSTEN PERSOON incl. vt", "VRIJLATING INKOMSTEN (per inkomstensoort)",
	"REDEN BEEINDIGING UITKERING PERSOON",
};
#define BUS_NCOLS ((int)(sizeof bus_cols / sizeof bus_cols[0]))

static const char bus_sql[] =
	"SELECT r.municipality, r.case_id, r.household, r.cost_sharers, r.norm, r.sanction, r.income, r.payable,"
	" r.status, c.start_date, c.end_date, c.housing, c.work_exemption_from, c.single_parent_exemption_from,"
	" coalesce(c.application_date, c.start_date), m.bsn, m.role, m.from_date, m.to_date,"
	" p.birth_date, p.sex,"
	" (SELECT sum(i.amount) FROM incomes i WHERE i.live = 1 AND i.bsn = m.bsn AND i.period = r.period),"
	" (SELECT i.kind FROM incomes i WHERE i.live = 1 AND i.bsn = m.bsn AND i.period = r.period"
	"   GROUP BY i.kind ORDER BY sum(i.amount) DESC, i.kind LIMIT 1),"
	" (SELECT coalesce(x.reason, '') || '|' || x.from_date || '|' || x.to_date FROM sanctions x"
	"   WHERE x.live = 1 AND x.case_id = r.case_id AND x.muni = r.municipality AND x.from_date <= ?4"
	"   AND x.to_date >= ?3 ORDER BY x.percent DESC, x.from_date LIMIT 1)"
	" FROM calc_result r"
	" LEFT JOIN cases c ON c.live = 1 AND c.case_id = r.case_id AND c.muni = r.municipality"
	" JOIN members m ON m.live = 1 AND m.case_id = r.case_id AND m.muni = r.municipality"
	"   AND m.role IN ('applicant', 'partner') AND (m.from_date IS NULL OR m.from_date <= ?4)"
	"   AND (m.to_date IS NULL OR m.to_date >= ?3)"
	" LEFT JOIN persons p ON p.rowid = (SELECT max(y.rowid) FROM persons y WHERE y.live = 1 AND y.bsn = m.bsn)"
	" WHERE r.calc_run_id = ?1 AND r.status IN ('payable', 'nil', 'held')"
	" AND (?2 = '' OR instr(?2, ',' || r.municipality || ',') > 0)"
	" ORDER BY r.municipality, r.case_id, m.role, m.bsn";

/* 'YYYY-MM-DD' as jjjjmmdd ("" for NULL). */
static void put_date(struct gbi_out *o, const char *d)
{
	char b[9];
	if (!d || strlen(d) != 10) {
		gbi_out_csv(o, "", 0);
		return;
	}
	snprintf(b, sizeof b, "%.4s%.2s%.2s", d, d + 5, d + 8);
	gbi_out_csv(o, b, 0);
}

/* Whole euros; with_sign: an explicit '+' for "teken + numeriek". */
static void put_euros(struct gbi_out *o, int64_t cents, int with_sign)
{
	char a[32];
	int64_t e = gbi_round_euro_half_away(cents);
	snprintf(a, sizeof a, with_sign ? "%+lld" : "%lld", (long long)e);
	gbi_out_csv(o, a, 0);
}

static const char *bus_code(const char *v, const char *const map[][2])
{
	for (int i = 0; v && map[i][0]; i++)
		if (strcmp(v, map[i][0]) == 0)
			return map[i][1];
	return "";
}

static const char *const leefvorm[][2] = {{"single", "1"}, {"single_parent", "2"}, {"couple", "3"}, {NULL, NULL}};
static const char *const huisvesting[][2] = {
	{"rent", "1"}, {"own", "2"}, {"none", "3"}, {"institution", "4"}, {"homeless", "5"}, {NULL, NULL}};
static const char *const geslacht[][2] = {{"M", "1"}, {"F", "2"}, {NULL, NULL}};
static const char *const inkomsten[][2] = {{"wage", "11"}, {"alimony", "24"}, {NULL, NULL}};

gbi_status gbi_export_bus(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_export_opts *o,
			  struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	int y = atoi(r->period), m = atoi(r->period + 5);
	char pstart[11], pend[11], yy[5], mm[3];
	gbi_date_format(y * 10000 + m * 100 + 1, pstart);
	gbi_date_format(y * 10000 + m * 100 + gbi_days_in_month(y, m), pend);
	snprintf(yy, sizeof yy, "%04d", y);
	snprintf(mm, sizeof mm, "%02d", m);
	sqlite3_stmt *st;
	gbi_status rc = run_query(s, bus_sql, r->id, o, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 3, pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pend, -1, SQLITE_STATIC);
	header(out, bus_cols, BUS_NCOLS);
	char muni[5] = "", pkg[64] = "", last_case[80] = "", key[80];
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
#define TXT(i) ((const char *)sqlite3_column_text(st, (i)))
		const char *mu = TXT(0), *cs = TXT(1), *status = TXT(8), *role = TXT(16);
		if (strcmp(mu, muni) != 0) {
			gbi_strlcpy(muni, mu, sizeof muni);
			if ((rc = gbi_export_policy(s, muni, "software_package", y * 10000 + m * 100 + 1, pkg, sizeof pkg, err)))
				break;
		}
		if (strlen(cs) > 15) {
			rc = gbi_err_set(err, GBI_EINPUT,
					 "municipality %s case %s: the BUS registration number holds at most 15 characters", mu, cs);
			break;
		}
		int applicant = strcmp(role, "applicant") == 0;
		int64_t payable = strcmp(status, "payable") == 0 ? sqlite3_column_int64(st, 7) : 0;
		/* the benefit */
		gbi_out_csv(out, yy, 1);
		gbi_out_csv(out, mm, 0);
		gbi_out_csv(out, mu, 0);
		gbi_out_csv(out, mu, 0);
		gbi_out_csv(out, pkg, 0);
		gbi_out_csv(out, "gbi " GBI_VERSION, 0);
		gbi_out_csv(out, cs, 0);
		gbi_out_csv(out, "01", 0);
		gbi_out_csv(out, "", 0);
		gbi_out_csv(out, bus_code(TXT(2), leefvorm), 0);
		put_int(out, sqlite3_column_int64(st, 3), 0);
		put_euros(out, sqlite3_column_int64(st, 4), 0);
		put_euros(out, sqlite3_column_int64(st, 5), 1);
		put_euros(out, sqlite3_column_int64(st, 6), 1);
		put_euros(out, payable, 0);
		put_date(out, TXT(14));
		gbi_out_csv(out, "", 0);
		/* the person */
		gbi_out_csv(out, TXT(15), 0);
		put_date(out, TXT(19));
		gbi_out_csv(out, bus_code(TXT(20), geslacht), 0);
		gbi_out_csv(out, bus_code(TXT(11), huisvesting), 0);
		const char *from = TXT(9), *mfrom = TXT(17), *to = TXT(10), *mto = TXT(18);
		put_date(out, from && mfrom && strcmp(mfrom, from) > 0 ? mfrom : from ? from : mfrom);
		put_date(out, to && mto ? (strcmp(mto, to) < 0 ? mto : to) : to ? to : mto);
		const char *sp = TXT(13), *we = TXT(12), *ex = "2";
		if (applicant && sp && strcmp(sp, pend) <= 0)
			ex = "4";
		else if (applicant && we && strcmp(we, pend) <= 0)
			ex = "5";
		gbi_out_csv(out, ex, 0);
		gbi_out_csv(out, "", 0);
		gbi_out_csv(out, "", 0);
		gbi_out_csv(out, "", 0);
		const char *sanc = TXT(23);
		char sr[8] = "", sf[11] = "", stt[11] = "";
		if (applicant && sanc && sqlite3_column_int64(st, 5) > 0) {
			const char *b1 = strchr(sanc, '|'), *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
			if (b1 && b2) {
				snprintf(sr, sizeof sr, "%.*s", (int)(b1 - sanc), sanc);
				snprintf(sf, sizeof sf, "%.*s", (int)(b2 - b1 - 1), b1 + 1);
				snprintf(stt, sizeof stt, "%s", b2 + 1);
			}
		}
		gbi_out_csv(out, sr, 0);
		put_date(out, sf[0] ? sf : NULL);
		put_date(out, stt[0] ? stt : NULL);
		const char *kind = TXT(22);
		if (kind) {
			const char *code = bus_code(kind, inkomsten);
			gbi_out_csv(out, *code ? code : "98", 0);
			put_euros(out, sqlite3_column_int64(st, 21), 1);
		} else {
			gbi_out_csv(out, "", 0);
			gbi_out_csv(out, "", 0);
		}
		gbi_out_csv(out, "", 0);
		gbi_out_csv(out, "", 0);
		gbi_out_write(out, "\n", 1);
		t->rows++;
		snprintf(key, sizeof key, "%s/%s", mu, cs);
		if (strcmp(key, last_case) != 0)
			t->total += payable;
		gbi_strlcpy(last_case, key, sizeof last_case);
#undef TXT
	}
	if (rc) {
		sqlite3_finalize(st);
		return rc;
	}
	return done_rows(s, st, step, "reading the BUS records", err);
}
