/*
 * params.c: the statutory parameters as data with valid_from dates (params.h).
 *
 * All rows of all sources are kept in one array sorted by (key, valid_from);
 * a later source replaces a row of an earlier one with the same key and
 * valid_from.  Lookups scan the few rows of one key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "field.h"
#include "format.h"
#include "banned.h"

enum ptype { P_MONEY, P_NUMBER, P_DATE };

static const struct pkey {
	const char *name;
	enum ptype type;
	int bound;      /* 1: not known after known_until */
} keys[] = {
	{"aow_age_months", P_NUMBER, 0},
	{"asset_limit_family", P_MONEY, 1},
	{"asset_limit_home_equity", P_MONEY, 1},
	{"asset_limit_single", P_MONEY, 1},
	{"cost_sharer_fixed_percent", P_NUMBER, 1},
	{"cost_sharer_min_age", P_NUMBER, 1},
	{"cost_sharer_person_percent", P_NUMBER, 1},
	{"exemption_min_age", P_NUMBER, 1},
	{"gift_allowance_year", P_MONEY, 1},
	{"holiday_allowance_percent", P_NUMBER, 1},
	{"known_until", P_DATE, 0},
	{"norm_couple", P_MONEY, 1},
	{"norm_couple_aow", P_MONEY, 1},
	{"norm_single", P_MONEY, 1},
	{"norm_single_aow", P_MONEY, 1},
	{"single_parent_exemption_child_age", P_NUMBER, 1},
	{"single_parent_exemption_max", P_MONEY, 1},
	{"single_parent_exemption_months", P_NUMBER, 1},
	{"single_parent_exemption_permille", P_NUMBER, 1},
	{"work_exemption_max", P_MONEY, 1},
	{"work_exemption_months", P_NUMBER, 1},
	{"work_exemption_percent", P_NUMBER, 1},
	{"youth_couple", P_MONEY, 1},
	{"youth_couple_children", P_MONEY, 1},
	{"youth_couple_mixed", P_MONEY, 1},
	{"youth_couple_mixed_children", P_MONEY, 1},
	{"youth_single", P_MONEY, 1},
	{"youth_single_parent", P_MONEY, 1},
	{"youth_topup", P_MONEY, 1},
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))
#define MAX_SOURCES 8

struct prow {
	int key;          /* index into keys[] */
	int32_t from;     /* valid_from ymd */
	int64_t value;
	int source;       /* index into sources */
	int seq;          /* load order, for "later source wins" */
};

struct gbi_params {
	struct prow *rows;
	int nrows, cap;
	char sources[MAX_SOURCES][256];
	int nsources;
	int32_t known_until;
};

static int key_index(const char *name)
{
	int lo = 0, hi = NKEYS - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(name, keys[mid].name);
		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* ---- calendar ------------------------------------------------------------ */

int32_t gbi_ymd_add(int32_t ymd, int years, int months)
{
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	int total = y * 12 + (m - 1) + years * 12 + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > gbi_days_in_month(y, m)) {
		d = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return y * 10000 + m * 100 + d;
}

int gbi_age_on(int32_t birth, int32_t ymd)
{
	int age = ymd / 10000 - birth / 10000;
	if (age < 0)
		return -1;
	/* the birthday this year may not have come yet */
	if (gbi_ymd_add(birth, age, 0) > ymd)
		age--;
	return age;
}

/* days since 0000-03-01 (civil calendar), for day arithmetic */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

static int32_t civil_from_days(int64_t z)
{
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	return (int32_t)(y * 10000 + m * 100 + d);
}

int32_t gbi_ymd_add_days(int32_t ymd, int n)
{
	return civil_from_days(days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) + n);
}

int32_t gbi_ymd_parse(const char *s)
{
	int32_t v;
	if (!s || strlen(s) != 10 || gbi_parse_date(s, 10, "YYYY-MM-DD", &v))
		return 0;
	return v;
}

/* ---- loading ------------------------------------------------------------- */

void gbi_params_free(struct gbi_params *p)
{
	if (!p)
		return;
	free(p->rows);
	free(p);
}

static int add_source(struct gbi_params *p, const char *name)
{
	for (int i = 0; i < p->nsources; i++)
		if (strcmp(p->sources[i], name) == 0)
			return i;
	if (p->nsources == MAX_SOURCES)
		return MAX_SOURCES - 1;
	gbi_strlcpy(p->sources[p->nsources], name, sizeof p->sources[0]);
	return p->nsources++;
}

/* Parses VALUE of key k; NULL when fine, else a reason. */
static const char *parse_value(int k, const char *v, int64_t *out)
{
	size_t n = strlen(v);
	switch (keys[k].type) {
	case P_MONEY: {
		const char *why = gbi_parse_money(v, n, '.', 0, out);
		if (why && strchr(v, ',') && !strchr(v, '.'))
			why = gbi_parse_money(v, n, ',', 0, out);
		if (!why && *out < 0)
			why = "a negative amount";
		return why;
	}
	case P_NUMBER:
		return gbi_parse_int(v, n, 0, 100000, out);
	case P_DATE: {
		int32_t d = gbi_ymd_parse(v);
		if (!d)
			return "not a date YYYY-MM-DD";
		*out = d;
		return NULL;
	}
	}
	return "unknown type";
}

static gbi_status add_row(struct gbi_params *p, const char *where, const char *key, const char *from,
			  const char *value, int source, struct gbi_err *err)
{
	int k = key_index(key);
	if (k < 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: key '%s': not a statutory parameter gbi knows (gbi-calculate(1) lists them)",
				   where, key);
	int32_t d = gbi_ymd_parse(from);
	if (!d)
		return gbi_err_set(err, GBI_EINPUT, "%s: valid_from '%s': not a date YYYY-MM-DD", where, from);
	int64_t v;
	const char *why = parse_value(k, value, &v);
	if (why)
		return gbi_err_set(err, GBI_EINPUT, "%s: %s value '%s': %s", where, key, value, why);
	if (p->nrows == p->cap) {
		int ncap = p->cap ? p->cap * 2 : 128;
		struct prow *r = realloc(p->rows, (size_t)ncap * sizeof *r);
		if (!r)
			return gbi_err_set(err, GBI_ESYS, "out of memory");
		p->rows = r;
		p->cap = ncap;
	}
	p->rows[p->nrows] = (struct prow){k, d, v, source, p->nrows};
	p->nrows++;
	return GBI_OK;
}

/* Parses the text layout (parameters.tsv and --parameters FILE). */
static gbi_status parse_text(struct gbi_params *p, const char *text, const char *origin, struct gbi_err *err)
{
	int src = add_source(p, origin);
	long line = 0;
	const char *s = text;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		line++;
		char buf[1024];
		if (len >= sizeof buf)
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: line too long", origin, line);
		memcpy(buf, s, len);
		buf[len] = '\0';
		s += len + (e ? 1 : 0);
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *f[3];
		int nf = 0;
		char *q = buf;
		while (nf < 3) {
			while (*q == ' ' || *q == '\t' || *q == '\r')
				q++;
			if (!*q)
				break;
			f[nf++] = q;
			while (*q && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
			if (*q)
				*q++ = '\0';
		}
		if (nf == 0)
			continue;
		char where[300];
		snprintf(where, sizeof where, "%s:%ld", origin, line);
		if (nf < 3)
			return gbi_err_set(err, GBI_EINPUT, "%s: expected KEY VALID_FROM VALUE", where);
		gbi_status st = add_row(p, where, f[0], f[1], f[2], src, err);
		if (st)
			return st;
	}
	return GBI_OK;
}

static gbi_status load_store(struct gbi_params *p, struct gbi_store *s, struct gbi_err *err)
{
	int64_t have;
	gbi_status st = gbi_store_int(s, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='parameters'",
				      &have, err);
	if (st || !have)
		return st;
	sqlite3_stmt *q;
	if ((st = gbi_store_prepare(s, "SELECT key, valid_from, value, batch_id, line FROM parameters "
				    "WHERE live=1 ORDER BY batch_id, line", &q, err)))
		return st;
	int src = -1;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (src < 0)
			src = add_source(p, "store");
		char where[128];
		snprintf(where, sizeof where, "store table parameters, batch %lld line %lld",
			 (long long)sqlite3_column_int64(q, 3), (long long)sqlite3_column_int64(q, 4));
		const char *k = (const char *)sqlite3_column_text(q, 0);
		const char *f = (const char *)sqlite3_column_text(q, 1);
		const char *v = (const char *)sqlite3_column_text(q, 2);
		if ((st = add_row(p, where, k ? k : "", f ? f : "", v ? v : "", src, err)))
			break;
	}
	if (!st && rc != SQLITE_DONE)
		st = gbi_store_error(s, rc, "reading parameters", err);
	sqlite3_finalize(q);
	return st;
}

static gbi_status load_file(struct gbi_params *p, const char *file, struct gbi_err *err)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return gbi_err_set(err, errno == ENOENT ? GBI_EINPUT : GBI_ESYS, "parameters '%s': %s", file, strerror(errno));
	size_t cap = 0, n = 0;
	char *text = NULL;
	gbi_status st = GBI_OK;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			if (cap > (size_t)16 << 20) {
				st = gbi_err_set(err, GBI_EINPUT, "parameters '%s': larger than 16 MiB", file);
				break;
			}
			size_t ncap = cap ? cap * 2 : 8192;
			char *t = realloc(text, ncap);
			if (!t) {
				st = gbi_err_set(err, GBI_ESYS, "out of memory");
				break;
			}
			text = t;
			cap = ncap;
		}
		size_t r = fread(text + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (!st && ferror(f))
		st = gbi_err_set(err, GBI_ESYS, "parameters '%s': read error", file);
	fclose(f);
	if (!st) {
		text[n] = '\0';
		if (strlen(text) != n)
			st = gbi_err_set(err, GBI_EINPUT, "parameters '%s': contains a NUL byte", file);
		else
			st = parse_text(p, text, file, err);
	}
	free(text);
	return st;
}

static int row_cmp(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

gbi_status gbi_params_load(struct gbi_store *s, const char *file, struct gbi_params **out,
			   struct gbi_err *err)
{
	*out = NULL;
	struct gbi_params *p = calloc(1, sizeof *p);
	if (!p)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	const char *builtin = NULL;
	for (int i = 0; gbi_embedded_data[i][0]; i++)
		if (strcmp(gbi_embedded_data[i][0], "parameters.tsv") == 0)
			builtin = gbi_embedded_data[i][1];
	gbi_status st = GBI_OK;
	if (!builtin)
		st = gbi_err_set(err, GBI_ESYS, "the built-in parameters.tsv is missing from this gbi");
	if (!st)
		st = parse_text(p, builtin, "built-in", err);
	if (!st && s)
		st = load_store(p, s, err);
	if (!st && file)
		st = load_file(p, file, err);
	if (st) {
		gbi_params_free(p);
		return st;
	}
	qsort(p->rows, (size_t)p->nrows, sizeof *p->rows, row_cmp);
	/* the last of equal (key, valid_from) wins: drop the earlier ones */
	int w = 0;
	for (int i = 0; i < p->nrows; i++) {
		if (w > 0 && p->rows[w - 1].key == p->rows[i].key && p->rows[w - 1].from == p->rows[i].from)
			w--;
		p->rows[w++] = p->rows[i];
	}
	p->nrows = w;
	int ku = key_index("known_until");
	for (int i = 0; i < p->nrows; i++)
		if (p->rows[i].key == ku)
			p->known_until = (int32_t)p->rows[i].value; /* rows sorted: the latest wins */
	*out = p;
	return GBI_OK;
}

/* ---- lookups ------------------------------------------------------------- */

static const struct prow *lookup(const struct gbi_params *p, int k, int32_t ymd)
{
	const struct prow *best = NULL;
	for (int i = 0; i < p->nrows; i++) {
		if (p->rows[i].key < k)
			continue;
		if (p->rows[i].key > k)
			break;
		if (p->rows[i].from <= ymd)
			best = &p->rows[i];
	}
	return best;
}

int gbi_params_find(const struct gbi_params *p, const char *key, int32_t ymd, int64_t *out)
{
	int k = key_index(key);
	if (k < 0)
		return 0;
	if (keys[k].bound && (!p->known_until || ymd > p->known_until))
		return 0;
	const struct prow *r = lookup(p, k, ymd);
	if (!r)
		return 0;
	*out = r->value;
	return 1;
}

gbi_status gbi_params_get(const struct gbi_params *p, const char *key, int32_t ymd,
			  int64_t *out, struct gbi_err *err)
{
	int k = key_index(key);
	char date[11], ku[11];
	gbi_date_format(ymd, date);
	if (k < 0)
		return gbi_err_set(err, GBI_EINPUT, "statutory parameter '%s' does not exist", key);
	if (keys[k].bound && (!p->known_until || ymd > p->known_until)) {
		gbi_date_format(p->known_until, ku);
		return gbi_err_set(err, GBI_EINPUT,
				   "statutory parameter '%s' is not known for %s: gbi knows the amounts up to %s; "
				   "add the published figures (%s and the others changed on that date, and known_until) "
				   "with gbi import of a parameters table or --parameters FILE (KEY VALID_FROM VALUE)",
				   key, date, p->known_until ? ku : "(none)", key);
	}
	const struct prow *r = lookup(p, k, ymd);
	if (!r)
		return gbi_err_set(err, GBI_EINPUT,
				   "statutory parameter '%s' has no value on %s; add a row with an earlier valid_from "
				   "(gbi import of a parameters table or --parameters FILE)", key, date);
	*out = r->value;
	return GBI_OK;
}

int32_t gbi_params_valid_from(const struct gbi_params *p, const char *key, int32_t ymd, const char **source)
{
	int k = key_index(key);
	const struct prow *r = k < 0 ? NULL : lookup(p, k, ymd);
	if (source)
		*source = r ? p->sources[r->source] : "";
	return r ? r->from : 0;
}

int32_t gbi_aow_date(const struct gbi_params *p, int32_t birth_ymd)
{
	const struct prow *r = lookup(p, key_index("aow_age_months"), birth_ymd);
	if (!r)
		return 0;
	return gbi_ymd_add(birth_ymd, 0, (int)r->value);
}

int32_t gbi_params_known_until(const struct gbi_params *p)
{
	return p->known_until;
}

void gbi_params_describe(const struct gbi_params *p, int32_t ymd_from, int32_t ymd_to,
			 char *out, size_t outsize)
{
	int32_t dates[64];
	int nd = 0;
	int used[MAX_SOURCES] = {0};
	for (int i = 0; i < p->nrows; i++) {
		const struct prow *r = &p->rows[i];
		if (!keys[r->key].bound)
			continue;
		/* the row is in force on some day from..to: it starts by ymd_to and no
		 * later row of the key starts on or before ymd_from */
		if (r->from > ymd_to)
			continue;
		if (i + 1 < p->nrows && p->rows[i + 1].key == r->key && p->rows[i + 1].from <= ymd_from)
			continue;
		used[r->source] = 1;
		int seen = 0;
		for (int j = 0; j < nd; j++)
			seen |= dates[j] == r->from;
		if (!seen && nd < 64)
			dates[nd++] = r->from;
	}
	/* newest first */
	for (int i = 1; i < nd; i++)
		for (int j = i; j > 0 && dates[j] > dates[j - 1]; j--) {
			int32_t t = dates[j];
			dates[j] = dates[j - 1];
			dates[j - 1] = t;
		}
	char d[11];
	gbi_date_format(p->known_until, d);
	size_t o = (size_t)snprintf(out, outsize, "known_until=%s;valid_from=", d);
	for (int i = 0; i < nd && o < outsize; i++) {
		gbi_date_format(dates[i], d);
		o += (size_t)snprintf(out + o, outsize - o, "%s%s", i ? "," : "", d);
	}
	if (o < outsize)
		o += (size_t)snprintf(out + o, outsize - o, ";sources=");
	int first = 1;
	for (int i = 0; i < p->nsources && o < outsize; i++)
		if (used[i]) {
			o += (size_t)snprintf(out + o, outsize - o, "%s%s", first ? "" : ",", p->sources[i]);
			first = 0;
		}
}

void gbi_params_dump(const struct gbi_params *p, void (*emit)(void *ctx, const char *line), void *ctx)
{
	for (int i = 0; i < p->nrows; i++) {
		const struct prow *r = &p->rows[i];
		char d[11], v[32], line[400];
		gbi_date_format(r->from, d);
		if (keys[r->key].type == P_MONEY)
			gbi_money_format(r->value, v, sizeof v);
		else if (keys[r->key].type == P_DATE)
			gbi_date_format((int32_t)r->value, v);
		else
			snprintf(v, sizeof v, "%lld", (long long)r->value);
		snprintf(line, sizeof line, "%s\t%s\t%s\t%s", keys[r->key].name, d, v, p->sources[r->source]);
		emit(ctx, line);
	}
}
