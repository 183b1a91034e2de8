/*
 * test_params.c: the statutory parameters (libgbi/params.h) against every
 * published figure of ../shared/domain/participatiewet.md, the AOW-age
 * table, known_until, and extension by a --parameters file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "params.h"
#include "calc.h"
#include "banned.h"

static struct gbi_params *P;

static void load(void)
{
	struct gbi_err err;
	gbi_err_clear(&err);
	cr_assert_eq(gbi_params_load(NULL, NULL, &P, &err), GBI_OK, "%s", err.msg);
}

static void unload(void)
{
	gbi_params_free(P);
	P = NULL;
}

static int64_t get(const char *key, int32_t ymd)
{
	struct gbi_err err;
	int64_t v = -1;
	gbi_err_clear(&err);
	cr_assert_eq(gbi_params_get(P, key, ymd, &v, &err), GBI_OK, "%s on %d: %s", key, ymd, err.msg);
	return v;
}

static const int32_t dates[5] = {20240101, 20240701, 20250101, 20250701, 20260101};

/* section 2: art. 21 and art. 22 norms, incl. vt */
Test(params_table, norms_art21_art22_every_date, .init = load, .fini = unload)
{
	static const int64_t single[5] = {128383, 130845, 134545, 136906, 140150};
	static const int64_t couple[5] = {183404, 186921, 192207, 195580, 200213};
	static const int64_t single_aow[5] = {142576, 145685, 150107, 153021, 156469};
	static const int64_t couple_aow[5] = {193232, 197664, 205348, 209498, 214416};
	for (int i = 0; i < 5; i++) {
		/* on the date and on the last day before the next date */
		int32_t last = i < 4 ? gbi_ymd_add_days(dates[i + 1], -1) : 20260630;
		cr_expect_eq(get("norm_single", dates[i]), single[i], "norm_single %d", dates[i]);
		cr_expect_eq(get("norm_single", last), single[i], "norm_single %d", last);
		cr_expect_eq(get("norm_couple", dates[i]), couple[i], "norm_couple %d", dates[i]);
		cr_expect_eq(get("norm_couple", last), couple[i]);
		cr_expect_eq(get("norm_single_aow", dates[i]), single_aow[i]);
		cr_expect_eq(get("norm_couple_aow", dates[i]), couple_aow[i]);
	}
}

/* the single norm is the law's figure, not 70 % of the couple norm */
Test(params_table, single_norm_not_derived, .init = load, .fini = unload)
{
	cr_expect_eq(get("norm_single", 20260101), 140150);
	cr_expect_neq(get("norm_couple", 20260101) * 70 / 100, 140150);
}

/* section 2: youth norms, art. 20 */
Test(params_table, youth_norms_every_date, .init = load, .fini = unload)
{
	static const struct { const char *key; int64_t v[5]; } t[] = {
		{"youth_single", {31694, 32303, 33217, 33798, 34599}},
		{"youth_couple", {63388, 64606, 66434, 67596, 69198}},
		{"youth_couple_mixed", {123396, 125764, 129321, 131588, 134706}},
		{"youth_single_parent", {31694, 32303, 33217, 33798, 34599}},
		{"youth_couple_children", {100069, 101990, 104875, 106712, 109241}},
		{"youth_couple_mixed_children", {160077, 163148, 167762, 170704, 174749}},
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
		for (int i = 0; i < 5; i++)
			cr_expect_eq(get(t[k].key, dates[i]), t[k].v[i], "%s on %d", t[k].key, dates[i]);
	cr_expect_eq(get("youth_topup", 20260101), 74645);
}

/* section 3: the published cost-sharer tables, to the cent */
Test(params_table, cost_sharer_tables_2024, .init = load, .fini = unload)
{
	static const int64_t jan[7] = {0, 0, 91702, 79475, 73362, 69694, 67248};
	static const int64_t jul[7] = {0, 0, 93461, 80999, 74768, 71030, 68538};
	for (int a = 2; a <= 6; a++) {
		cr_expect_eq(gbi_cost_sharer_norm(get("norm_couple", 20240101), a, (int)get("cost_sharer_fixed_percent", 20240101),
						  (int)get("cost_sharer_person_percent", 20240101)), jan[a], "2024-01 A=%d", a);
		cr_expect_eq(gbi_cost_sharer_norm(get("norm_couple", 20240701), a, 40, 30), jul[a], "2024-07 A=%d", a);
	}
}

Test(params_table, cost_sharer_a2_2025_2026, .init = load, .fini = unload)
{
	cr_expect_eq(gbi_cost_sharer_norm(get("norm_couple", 20250101), 2, 40, 30), 96104);
	cr_expect_eq(gbi_cost_sharer_norm(get("norm_couple", 20250701), 2, 40, 30), 97790);
	cr_expect_eq(gbi_cost_sharer_norm(get("norm_couple", 20260101), 2, 40, 30), 100107);
	/* A=3 in 2026 from the formula: 2002.13 x 13/30 = 867.5896... */
	cr_expect_eq(gbi_cost_sharer_norm(200213, 3, 40, 30), 86759);
	cr_expect_eq(get("cost_sharer_min_age", 20260101), 27);
}

/* section 1: vt = round_half_up(5 % x amount), excl = amount - vt */
Test(params_table, vt_splits, .init = load, .fini = unload)
{
	int64_t pct = get("holiday_allowance_percent", 20260101);
	cr_expect_eq(pct, 5);
	/* 1401.50: 70.075 -> 70.08 (half-up), excl 1331.42 */
	cr_expect_eq(gbi_round_half_up(140150 * pct, 100), 7008);
	cr_expect_eq(140150 - gbi_round_half_up(140150 * pct, 100), 133142);
	/* 2002.13: 100.1065 -> 100.11, excl 1902.02 */
	cr_expect_eq(gbi_round_half_up(200213 * pct, 100), 10011);
	/* 1283.83: 64.1915 -> 64.19 */
	cr_expect_eq(gbi_round_half_up(128383 * pct, 100), 6419);
}

/* section 4: asset limits per year */
Test(params_table, asset_limits, .init = load, .fini = unload)
{
	cr_expect_eq(get("asset_limit_single", 20240601), 757500);
	cr_expect_eq(get("asset_limit_single", 20251231), 777000);
	cr_expect_eq(get("asset_limit_single", 20260501), 800000);
	cr_expect_eq(get("asset_limit_family", 20240101), 1515000);
	cr_expect_eq(get("asset_limit_family", 20250101), 1554000);
	cr_expect_eq(get("asset_limit_family", 20260101), 1600000);
	cr_expect_eq(get("asset_limit_home_equity", 20240101), 6390000);
	cr_expect_eq(get("asset_limit_home_equity", 20250101), 6550000);
	cr_expect_eq(get("asset_limit_home_equity", 20260101), 6750000);
}

/* section 5: exemption maxima, gift allowance */
Test(params_table, exemption_maxima, .init = load, .fini = unload)
{
	static const int64_t n[5] = {26400, 26900, 27300, 27800, 28500};
	static const int64_t r[5] = {16473, 16779, 17061, 17387, 17766};
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(get("work_exemption_max", dates[i]), n[i], "n on %d", dates[i]);
		cr_expect_eq(get("single_parent_exemption_max", dates[i]), r[i], "r on %d", dates[i]);
	}
	cr_expect_eq(get("work_exemption_percent", 20260101), 25);
	cr_expect_eq(get("work_exemption_months", 20260101), 6);
	cr_expect_eq(get("single_parent_exemption_permille", 20260101), 125);
	cr_expect_eq(get("single_parent_exemption_months", 20260101), 30);
	cr_expect_eq(get("exemption_min_age", 20260101), 27);
	int64_t v;
	cr_expect_eq(gbi_params_find(P, "gift_allowance_year", 20260101, &v), 1);
	cr_expect_eq(v, 120000);
	cr_expect_eq(gbi_params_find(P, "gift_allowance_year", 20251231, &v), 0, "before 2026 the gift allowance is local policy");
}

/* amounts after 2026-06-30 are not known: refused, never the old norms */
Test(params_table, known_until_refuses_later_dates, .init = load, .fini = unload)
{
	struct gbi_err err;
	int64_t v;
	gbi_err_clear(&err);
	cr_expect_eq(gbi_params_known_until(P), 20260630);
	cr_expect_eq(gbi_params_get(P, "norm_single", 20260630, &v, &err), GBI_OK);
	cr_expect_eq(gbi_params_get(P, "norm_single", 20260701, &v, &err), GBI_EINPUT);
	cr_expect(strstr(err.msg, "norm_single") && strstr(err.msg, "2026-07-01") && strstr(err.msg, "2026-06-30")
		  && strstr(err.msg, "--parameters"), "message says what and how: %s", err.msg);
	cr_expect_eq(gbi_params_get(P, "norm_single", 20231231, &v, &err), GBI_EINPUT, "no row before 2024");
	cr_expect_eq(gbi_params_get(P, "no_such_key", 20260101, &v, &err), GBI_EINPUT);
	/* the period object refuses the month as a whole */
	struct gbi_calc_period *cp;
	cr_expect_eq(gbi_calc_period_new(P, 202607, &cp, &err), GBI_EINPUT);
	cr_expect_eq(gbi_calc_period_new(P, 202606, &cp, &err), GBI_OK, "%s", err.msg);
	gbi_calc_period_free(cp);
}

/* section 6: AOW age */
Test(params_table, aow_dates, .init = load, .fini = unload)
{
	cr_expect_eq(gbi_aow_date(P, 19590303), 20260303, "67 years");
	cr_expect_eq(gbi_aow_date(P, 19601231), 20271231, "67 years, the last one");
	cr_expect_eq(gbi_aow_date(P, 19610101), 20280401, "67 years and 3 months");
	/* nobody reaches AOW age in January to March 2028 */
	cr_expect_eq(gbi_aow_date(P, 19601231) < 20280101, 1);
	cr_expect_eq(gbi_aow_date(P, 19610101) >= 20280401, 1);
	/* a date that does not exist moves to the 1st of the next month */
	cr_expect_eq(gbi_aow_date(P, 19611130), 20290301, "30 Nov + 67y3m = 30 Feb -> 1 Mar");
	cr_expect_eq(gbi_age_on(20040229, 20250228), 20);
	cr_expect_eq(gbi_age_on(20040229, 20250301), 21);
	cr_expect_eq(gbi_age_on(20050516, 20260515), 20);
	cr_expect_eq(gbi_age_on(20050516, 20260516), 21);
}

Test(params_table, calendar_helpers)
{
	cr_expect_eq(gbi_ymd_add_days(20260531, 1), 20260601);
	cr_expect_eq(gbi_ymd_add_days(20240301, -1), 20240229);
	cr_expect_eq(gbi_ymd_add(20260131, 0, 1), 20260301);
	cr_expect_eq(gbi_ymd_parse("2026-02-30"), 0);
	cr_expect_eq(gbi_ymd_parse("2026-02-28"), 20260228);
}

/* a newer parameters file extends the table and moves known_until */
Test(params_table, parameters_file_extends)
{
	char path[] = "/tmp/gbi-test-params-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	const char text[] = "# new figures\n"
			    "known_until  2026-07-01  2026-12-31\n"
			    "norm_single  2026-07-01  1420.00   made-up test figure\n"
			    "norm_couple\t2026-07-01\t2028,57\n";
	cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	struct gbi_err err;
	struct gbi_params *p;
	gbi_err_clear(&err);
	cr_assert_eq(gbi_params_load(NULL, path, &p, &err), GBI_OK, "%s", err.msg);
	int64_t v;
	cr_expect_eq(gbi_params_get(p, "norm_single", 20260701, &v, &err), GBI_OK, "%s", err.msg);
	cr_expect_eq(v, 142000);
	cr_expect_eq(gbi_params_get(p, "norm_couple", 20260701, &v, &err), GBI_OK);
	cr_expect_eq(v, 202857);
	cr_expect_eq(gbi_params_get(p, "norm_single", 20260630, &v, &err), GBI_OK);
	cr_expect_eq(v, 140150, "the old row stays for earlier dates");
	cr_expect_eq(gbi_params_known_until(p), 20261231);
	char d[512];
	gbi_params_describe(p, 20260701, 20260731, d, sizeof d);
	cr_expect(strstr(d, "2026-07-01") && strstr(d, path), "%s", d);
	gbi_params_free(p);

	FILE *f = fopen(path, "w");
	fputs("norm_single 2026-07-01 1420.00\nnorm_sungle 2026-07-01 1.00\n", f);
	fclose(f);
	cr_expect_eq(gbi_params_load(NULL, path, &p, &err), GBI_EINPUT);
	cr_expect(strstr(err.msg, ":2:") && strstr(err.msg, "norm_sungle"), "names file, line and key: %s", err.msg);
	f = fopen(path, "w");
	fputs("norm_single 2026-07-01 14.001\n", f);
	fclose(f);
	cr_expect_eq(gbi_params_load(NULL, path, &p, &err), GBI_EINPUT);
	cr_expect(strstr(err.msg, ":1:"), "%s", err.msg);
	unlink(path);
}
