/*
 * params.h: the statutory parameters of the Participatiewet, as data with
 * valid_from dates.
 *
 * The table is libgbi/data/parameters.tsv, built into the binary, so gbi
 * works with no files around it.  Newer published figures extend it, in
 * this order (a later source wins for the same key and valid_from):
 *
 *   1. built in                libgbi/data/parameters.tsv
 *   2. the store               the live rows of the `parameters` table
 *                              (gbi import of parameters.csv: key, valid_from, value)
 *   3. a file                  --parameters FILE, same layout as the built-in table
 *
 * The file layout (gbi-calculate(1), "PARAMETERS"): one row per line,
 * whitespace-separated `KEY VALID_FROM VALUE [SOURCE NOTE...]`, '#' starts a
 * comment.  VALID_FROM is YYYY-MM-DD.  VALUE is euros with a '.' (or ',')
 * decimal mark and no thousands separator for money keys ("1401.50"), a whole
 * number for number keys, YYYY-MM-DD for date keys.  Unknown keys are refused.
 *
 * Every amount is known only up to `known_until` (the VALUE of the key
 * known_until in force, a date): past it gbi_params_get() fails with
 * GBI_EINPUT and a message saying which key is missing and how to add it,
 * never silently reusing old norms.  The AOW-age table (aow_age_months,
 * whose VALID_FROM is a date of birth) is not bound by known_until.
 *
 * Keys (M = money in cents, N = number, D = date as y*10000+m*100+d):
 *   norm_single, norm_couple                      M  art. 21 (incl. vt), single / single parent, couple
 *   norm_single_aow, norm_couple_aow              M  art. 22 (AOW age; the SVB's, for reference)
 *   youth_single, youth_couple, youth_couple_mixed M art. 20 lid 1 a, b, c
 *   youth_single_parent, youth_couple_children,
 *   youth_couple_mixed_children                   M  art. 20 lid 2 a, b, c
 *   youth_topup                                   M  art. 20 lid 3 (from 2026)
 *   cost_sharer_fixed_percent (40),
 *   cost_sharer_person_percent (30)               N  art. 22a: ((40 + A x 30) / A)% of B = norm_couple
 *   cost_sharer_min_age                           N  art. 19a: 27 from 2023-01-01
 *   asset_limit_single, asset_limit_family,
 *   asset_limit_home_equity                       M  art. 34 lid 3 (per year)
 *   work_exemption_percent (25), work_exemption_months (6),
 *   work_exemption_max                            N,N,M  art. 31 lid 2 n (per month)
 *   single_parent_exemption_permille (125), single_parent_exemption_months (30),
 *   single_parent_exemption_child_age (12),
 *   single_parent_exemption_max                   N,N,N,M  art. 31 lid 2 r
 *   exemption_min_age (27)                        N  art. 31 lid 5
 *   gift_allowance_year                           M  art. 31 lid 2 m (law from 2026-01-01)
 *   holiday_allowance_percent (5)                 N  art. 19 lid 3
 *   aow_age_months                                N  AOW age in months, by date of birth
 *   known_until                                   D  last date the amounts are known
 */
#ifndef GBI_PARAMS_H
#define GBI_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "store.h"

struct gbi_params;

/* Loads the built-in table, then the live `parameters` rows of store s (s
 * may be NULL: built-in only; a store without that table is fine), then file
 * (may be NULL).  *out is NULL on failure; errors name the file and line or
 * the store table, batch and line of the bad row. */
gbi_status gbi_params_load(struct gbi_store *s, const char *file, struct gbi_params **out,
			   struct gbi_err *err);
void gbi_params_free(struct gbi_params *p);

/* The value (cents for money keys, a plain number or a y*10000+m*100+d date
 * otherwise) of KEY in force on date ymd (y*10000+m*100+d): the row with the
 * latest valid_from on or before ymd.  GBI_EINPUT with a message saying what
 * is missing and how to add it when KEY is unknown, has no row on or before
 * ymd, or ymd lies after known_until (except aow_age_months). */
gbi_status gbi_params_get(const struct gbi_params *p, const char *key, int32_t ymd,
			  int64_t *out, struct gbi_err *err);

/* Like gbi_params_get without a message: 1 and *out when KEY has a value on
 * ymd, 0 when not (keys that exist only from some date, e.g.
 * gift_allowance_year from 2026-01-01). */
int gbi_params_find(const struct gbi_params *p, const char *key, int32_t ymd, int64_t *out);

/* The valid_from (ymd) of the row gbi_params_get would use, 0 when none;
 * *source (if not NULL) gets where it came from ("built-in", "store",
 * a file name).  For explanations. */
int32_t gbi_params_valid_from(const struct gbi_params *p, const char *key, int32_t ymd,
			      const char **source);

/* The day the AOW age is reached by someone born on birth_ymd (the
 * aow_age_months row for that date of birth added to it; a day that does not
 * exist in the target month, e.g. 29 February, moves to the 1st of the next
 * month).  0 when the table has no row for that date of birth. */
int32_t gbi_aow_date(const struct gbi_params *p, int32_t birth_ymd);

/* The last date the amounts are known (the latest known_until), 0 when none. */
int32_t gbi_params_known_until(const struct gbi_params *p);

/* Writes into out a short account of the parameters in force from ymd_from
 * to ymd_to: "known_until=2026-06-30;valid_from=2026-01-01;sources=built-in"
 * (the distinct valid_from dates of the rows used, newest first), for
 * calc_run.params. */
void gbi_params_describe(const struct gbi_params *p, int32_t ymd_from, int32_t ymd_to,
			 char *out, size_t outsize);

/* Writes the whole table (every row of every source, in key and date order)
 * as KEY<TAB>VALID_FROM<TAB>VALUE<TAB>SOURCE lines through emit, for
 * listings; money as euros with '.'. */
void gbi_params_dump(const struct gbi_params *p, void (*emit)(void *ctx, const char *line), void *ctx);

/* Calendar helpers on ymd dates, used by calculate and verify. */
/* ymd plus n years and m months (n, m may be negative); a day that does
 * not exist in the target month moves to the 1st of the next month
 * (so a birthday of 29 February falls on 1 March in other years). */
int32_t gbi_ymd_add(int32_t ymd, int years, int months);
/* Age in whole years on ymd of someone born on birth (birthdays as in
 * gbi_ymd_add). */
int gbi_age_on(int32_t birth, int32_t ymd);
/* ymd plus n days (n may be negative). */
int32_t gbi_ymd_add_days(int32_t ymd, int n);
/* Parses "YYYY-MM-DD" (exactly 10 characters, a real date); 0 when invalid. */
int32_t gbi_ymd_parse(const char *s);

#endif
