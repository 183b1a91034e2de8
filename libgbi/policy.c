/*
 * policy.c: local policy per municipality (policy.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "field.h"
#include "params.h"
#include "banned.h"

/* The documented keys, in name order.  Add a key with one line. */
static const struct gbi_policy_key keys[] = {
	{"application_search_weeks", "int:0..4", "4", "art. 41 lid 4: search period in weeks before an application under 27 (verify)"},
	{"debtor_bic", "bic", NULL, "BIC of the municipality's account (export, SEPA)"},
	{"debtor_iban", "iban", NULL, "IBAN the municipality pays from (export, SEPA)"},
	{"debtor_name", "text", NULL, "name of the paying municipality (export, SEPA)"},
	{"gift_allowance_per_year", "money", "0", "art. 31 lid 2 m: euros of gifts exempt per calendar year; from 2026 the law's 1200 is the floor"},
	{"holiday_allowance_month", "int:1..12", "6", "art. 19 lid 3: month the reserved holiday allowance is paid (law: June)"},
	{"housing_reduction_percent", "percent", "0", "art. 27: percent of the art. 21 couple norm taken off when housing is none"},
	{"payment_day", "int:1..28", "25", "day of the month payments are due (export)"},
	{"proration", "enum:calendar_days", "calendar_days", "art. 45 lid 3: partial months as amount x days / days in month"},
	{"sanction_base", "enum:norm|norm_after_housing", "norm", "art. 18: what a sanction's percent is taken of"},
	{"software_package", "enum:gws|sam|soc|aio|ebb|cso|and", "and", "the package code the CBS BUS reports (export): and (ander pakket) for gbi itself"},
	{"vehicle_value_review", "money", "10000", "euros: a vehicle worth more is flagged for review (verify)"},
	{"verify_rules_off", "text", "none", "review and info rule codes switched off, comma-separated, or none; block rules cannot be (verify)"},
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

const struct gbi_policy_key *gbi_policy_key_at(int i)
{
	return i >= 0 && i < NKEYS ? &keys[i] : NULL;
}

const struct gbi_policy_key *gbi_policy_key_find(const char *name)
{
	for (int i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, name) == 0)
			return &keys[i];
	return NULL;
}

const char *gbi_policy_parse_percent(const char *v, int64_t *bp)
{
	int64_t c;
	const char *why = gbi_parse_money(v, strlen(v), '.', 0, &c);
	if (why && strchr(v, ','))
		why = gbi_parse_money(v, strlen(v), ',', 0, &c);
	if (why)
		return "not a percent (at most two decimals)";
	if (c < 0 || c > 10000)
		return "not a percent from 0 to 100";
	*bp = c;
	return NULL;
}

/* NULL when value v fits rule check, else a reason. */
static const char *check_value(const char *check, const char *v)
{
	size_t n = strlen(v);
	int64_t x;
	if (strcmp(check, "percent") == 0)
		return gbi_policy_parse_percent(v, &x);
	if (strcmp(check, "money") == 0) {
		const char *why = gbi_parse_money(v, n, '.', 0, &x);
		if (why && strchr(v, ','))
			why = gbi_parse_money(v, n, ',', 0, &x);
		if (!why && x < 0)
			why = "a negative amount";
		return why;
	}
	if (strncmp(check, "int:", 4) == 0) {
		long long lo = 0, hi = 0;
		if (sscanf(check + 4, "%lld..%lld", &lo, &hi) != 2)
			return "bad rule";
		return gbi_parse_int(v, n, lo, hi, &x);
	}
	if (strncmp(check, "enum:", 5) == 0) {
		const char *p = check + 5;
		while (*p) {
			const char *e = strchr(p, '|');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len == n && memcmp(p, v, n) == 0)
				return NULL;
			p += len + (e ? 1 : 0);
		}
		return "not one of the allowed values";
	}
	if (strcmp(check, "iban") == 0)
		return gbi_parse_iban(v, n);
	if (strcmp(check, "bic") == 0) {
		if (n != 8 && n != 11)
			return "a BIC has 8 or 11 characters";
		for (size_t i = 0; i < n; i++) {
			char ch = v[i];
			int letter = ch >= 'A' && ch <= 'Z', digit = ch >= '0' && ch <= '9';
			if (i < 6 ? !letter : !(letter || digit))
				return "not a BIC (6 letters, then letters or digits)";
		}
		return NULL;
	}
	return gbi_parse_text(v, n, 200);
}

gbi_status gbi_policy_value_from(struct gbi_store *s, const char *muni, const char *key,
				 int32_t ymd, char *out, size_t outsize, int *from_default,
				 int32_t *valid_from, struct gbi_err *err)
{
	const struct gbi_policy_key *k = gbi_policy_key_find(key);
	char date[11];
	gbi_date_format(ymd, date);
	if (from_default)
		*from_default = 0;
	if (valid_from)
		*valid_from = 0;
	if (!k)
		return gbi_err_set(err, GBI_EINPUT, "policy key '%s' is not documented (gbi-policy(1) lists the keys)", key);
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s,
		"SELECT value, valid_from, batch_id, line FROM policy WHERE live=1 AND municipality=? AND key=? "
		"AND valid_from<=? ORDER BY valid_from DESC, batch_id DESC, line DESC LIMIT 1", &st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, muni, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, date, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		const char *why = check_value(k->check, v ? v : "");
		if (why) {
			char q[80];
			gbi_quote(q, sizeof q, v ? v : "", v ? strlen(v) : 0, 60);
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s: policy key '%s' value '%s' (batch %lld line %lld): %s",
					muni, key, q, (long long)sqlite3_column_int64(st, 2),
					(long long)sqlite3_column_int64(st, 3), why);
		} else {
			gbi_strlcpy(out, v, outsize);
			if (valid_from)
				*valid_from = gbi_ymd_parse((const char *)sqlite3_column_text(st, 1));
		}
	} else if (rc == SQLITE_DONE) {
		if (k->def) {
			gbi_strlcpy(out, k->def, outsize);
			if (from_default)
				*from_default = 1;
		} else {
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s: policy key '%s' has no value on %s; add a policy row",
					muni, key, date);
		}
	} else {
		r = gbi_store_error(s, rc, "reading policy", err);
	}
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_policy_value(struct gbi_store *s, const char *muni, const char *key,
			    int32_t ymd, char *out, size_t outsize, int *from_default,
			    struct gbi_err *err)
{
	return gbi_policy_value_from(s, muni, key, ymd, out, outsize, from_default, NULL, err);
}

gbi_status gbi_policy_rows(struct gbi_store *s, const char *muni, int64_t *n, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT count(*) FROM policy WHERE live=1 AND municipality=?", &st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, muni, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW)
		r = gbi_store_error(s, rc, "reading policy", err);
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_policy_munis(struct gbi_store *s, void (*fn)(void *ctx, const char *muni), void *ctx,
			    struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT municipality FROM policy WHERE live=1 UNION "
					 "SELECT municipality FROM cases WHERE live=1 ORDER BY 1", &st, err);
	if (r)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reading policy", err);
	sqlite3_finalize(st);
	return r;
}
