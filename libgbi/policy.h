/*
 * policy.h: local policy per municipality, as data.
 *
 * What the Participatiewet leaves to the municipality is in the live rows of
 * the `policy` table (municipality, key, value, valid_from): the row of a key
 * with the latest valid_from on or before a date is in force.  Every key is
 * in the table below with its meaning, how its value is checked and its
 * default; a key without a row takes its default (the law's choice where the
 * law has one), and a key with no row and no default is an error naming the
 * municipality, key and date.
 *
 * Keys (see gbi-policy(1)):
 *   housing_reduction_percent  0      art. 27: percent (up to 2 decimals) of the art. 21 couple
 *                                     norm taken off when cases.housing is `none`
 *   proration                  calendar_days  art. 45 lid 3: partial months as amount x days /
 *                                     days in month (the only method gbi knows)
 *   gift_allowance_per_year    0      art. 31 lid 2 m: euros of gifts exempt per calendar year
 *                                     (before 2026; from 2026 the law's 1200 is the floor)
 *   sanction_base              norm   art. 18: a sanction's percent is of `norm` (the day's
 *                                     norm) or `norm_after_housing` (norm minus housing reduction)
 *   holiday_allowance_month    6      art. 19 lid 3: month the reserved vt is paid (law: June)
 *   payment_day                25     day of the month payments are due (export)
 *   debtor_name, debtor_iban,
 *   debtor_bic                 none   the municipality's account for SEPA (export)
 *   software_package           none   gws|sam|soc, for the CBS BUS (export)
 *   vehicle_value_review       10000  euros: a vehicle worth more is reviewed (verify)
 *   application_search_weeks   4      art. 41 lid 4: search period under 27, weeks (verify)
 *
 * Other modules may add their own keys to the table in policy.c with a
 * one-line insertion.
 */
#ifndef GBI_POLICY_H
#define GBI_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "store.h"

/* One documented key. */
struct gbi_policy_key {
	const char *key;
	const char *check;       /* "percent", "money", "int:LO..HI", "enum:a|b", "text", "iban", "bic" */
	const char *def;         /* default value, NULL for none */
	const char *doc;         /* one line: what it means and which article */
};

/* The documented keys, in name order: i = 0, 1, ... until NULL. */
const struct gbi_policy_key *gbi_policy_key_at(int i);
/* The key called name, or NULL. */
const struct gbi_policy_key *gbi_policy_key_find(const char *name);

/* The value of KEY for municipality MUNI in force on ymd (y*10000+m*100+d):
 * the live policy row with the latest valid_from on or before ymd, else the
 * key's default (*from_default = 1; from_default may be NULL).  The value is
 * checked against the key's rule.  GBI_EINPUT when the key is not documented,
 * the stored value is invalid (the message names batch and line), or there
 * is no value and no default ("municipality 0392: policy key 'debtor_iban'
 * has no value on 2026-05-01; add a policy row").  *valid_from (if not NULL)
 * gets the row's valid_from ymd, 0 for a default. */
gbi_status gbi_policy_value(struct gbi_store *s, const char *muni, const char *key,
			    int32_t ymd, char *out, size_t outsize, int *from_default,
			    struct gbi_err *err);
gbi_status gbi_policy_value_from(struct gbi_store *s, const char *muni, const char *key,
				 int32_t ymd, char *out, size_t outsize, int *from_default,
				 int32_t *valid_from, struct gbi_err *err);

/* The number of live policy rows of MUNI (0: it runs on defaults only, a
 * warning for the caller to show). */
gbi_status gbi_policy_rows(struct gbi_store *s, const char *muni, int64_t *n, struct gbi_err *err);

/* Calls fn for every municipality with live policy rows or live cases, in
 * code order. */
gbi_status gbi_policy_munis(struct gbi_store *s, void (*fn)(void *ctx, const char *muni), void *ctx,
			    struct gbi_err *err);

/* Parses a percent with at most two decimals ("10", "12.5") into hundredths
 * of a percent (1000, 1250); NULL when fine, else a reason. */
const char *gbi_policy_parse_percent(const char *v, int64_t *bp);

#endif
