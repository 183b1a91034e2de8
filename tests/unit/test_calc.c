/*
 * test_calc.c: the computation of one case (libgbi/calc.h, gbi_calc_case)
 * from hand-made inputs: norms by household and age, cost-sharers one way,
 * proration by calendar days, rounding at the half cent, assets at the
 * limit, exemption caps, gifts over the year, sanctions, status.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "params.h"
#include "banned.h"

static struct gbi_params *P;

static void setup(void)
{
	struct gbi_err err;
	gbi_err_clear(&err);
	cr_assert_eq(gbi_params_load(NULL, NULL, &P, &err), GBI_OK, "%s", err.msg);
}

static void teardown(void)
{
	gbi_params_free(P);
}

/* A case under construction. */
struct tc {
	struct gbi_calc_input in;
	struct gbi_calc_member m[8];
	struct gbi_calc_housemate h[8];
	struct gbi_calc_exclusion x[4];
	struct gbi_calc_income i[16];
	struct gbi_calc_asset a[8];
	struct gbi_calc_sanction s[4];
	struct gbi_calc_detention d[2];
	struct gbi_calc_policy pol;
};

static void tc_init(struct tc *t, int32_t start)
{
	memset(t, 0, sizeof *t);
	gbi_strlcpy(t->in.case_id, "T1", sizeof t->in.case_id);
	gbi_strlcpy(t->in.muni, "0392", sizeof t->in.muni);
	gbi_strlcpy(t->in.status, "active", sizeof t->in.status);
	gbi_strlcpy(t->in.housing, "rent", sizeof t->in.housing);
	t->in.start = start;
	t->in.members = t->m;
	t->in.housemates = t->h;
	t->in.exclusions = t->x;
	t->in.incomes = t->i;
	t->in.assets = t->a;
	t->in.sanctions = t->s;
	t->in.detentions = t->d;
	t->in.applicant_addresses = 1;
}

static void member(struct tc *t, const char *bsn, int role, int32_t birth)
{
	struct gbi_calc_member *m = &t->m[t->in.nmembers++];
	gbi_strlcpy(m->bsn, bsn, sizeof m->bsn);
	m->role = role;
	m->birth = birth;
}

static void housemate(struct tc *t, const char *bsn, int32_t birth)
{
	struct gbi_calc_housemate *h = &t->h[t->in.nhousemates++];
	gbi_strlcpy(h->bsn, bsn, sizeof h->bsn);
	h->birth = birth;
	h->from = 20000101;
}

static void income(struct tc *t, const char *bsn, int32_t ym, int kind, int64_t cents)
{
	struct gbi_calc_income *i = &t->i[t->in.nincomes++];
	gbi_strlcpy(i->bsn, bsn, sizeof i->bsn);
	i->period = ym;
	i->kind = kind;
	i->amount = cents;
}

static void asset(struct tc *t, const char *kind, int64_t cents)
{
	struct gbi_calc_asset *a = &t->a[t->in.nassets++];
	gbi_strlcpy(a->kind, kind, sizeof a->kind);
	a->value = cents;
	a->ref = 20260501;
}

static struct gbi_calc_result run(struct tc *t, int32_t ym)
{
	struct gbi_calc_period *cp;
	struct gbi_err err;
	struct gbi_calc_result r;
	gbi_err_clear(&err);
	cr_assert_eq(gbi_calc_period_new(P, ym, &cp, &err), GBI_OK, "%s", err.msg);
	cr_assert_eq(gbi_calc_case(cp, &t->pol, &t->in, &r, NULL, NULL, &err), GBI_OK, "%s", err.msg);
	gbi_calc_period_free(cp);
	free(r.components);
	r.components = NULL;
	return r;
}

static int has(const struct gbi_calc_result *r, int reason)
{
	return (r->reasons >> reason) & 1;
}

Test(calc_round, half_cent)
{
	cr_expect_eq(gbi_round_half_up(5, 10), 1);
	cr_expect_eq(gbi_round_half_up(4, 10), 0);
	cr_expect_eq(gbi_round_half_up(15, 10), 2);
	cr_expect_eq(gbi_round_half_up(14999, 10000), 1);
	cr_expect_eq(gbi_round_half_up(15000, 10000), 2);
	cr_expect_eq(gbi_round_half_up(-5, 10), -1);
	/* 1401.50 x 19 / 31 = 858.983..., 1401.50 x 11 / 31 = 497.306... */
	cr_expect_eq(gbi_round_half_up(140150 * 19, 31), 85898);
	cr_expect_eq(gbi_round_half_up(140150 * 11, 31), 49731);
	/* an odd denominator never has an exact half: 31 x 0.5 rounds by the remainder */
	cr_expect_eq(gbi_round_half_up(16, 31), 1);
	cr_expect_eq(gbi_round_half_up(15, 31), 0);
}

Test(calc_case, single_full_month, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20250101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19900101);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.household, "single");
	cr_expect_eq(r.days, 31);
	cr_expect_eq(r.norm, 140150);
	cr_expect_eq(r.bijstand, 140150);
	cr_expect_eq(r.holiday_reserve, 7008, "5 %% of 1401.50 = 70.075, half-up");
	cr_expect_eq(r.payable, 133142);
	cr_expect_str_eq(r.status, "payable");
	cr_expect_eq(r.reasons, 0u);
	cr_expect_eq(r.cost_sharers, 1);
}

Test(calc_case, couple_and_single_parent, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19800101);
	member(&t, "999900011", GBI_ROLE_PARTNER, 19820101);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.household, "couple");
	cr_expect_eq(r.norm, 200213);
	cr_expect_eq(r.holiday_reserve, 10011);

	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19900101);
	member(&t, "999900012", GBI_ROLE_CHILD, 20200101);
	r = run(&t, 202605);
	cr_expect_str_eq(r.household, "single_parent");
	cr_expect_eq(r.norm, 140150);
	/* 2024-01 figures */
	r = run(&t, 202401);
	cr_expect_eq(r.norm, 128383);
}

Test(calc_case, youth_norms, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 20070101); /* 19 */
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_eq(r.norm, 34599);
	cr_expect(has(&r, GBI_R_YOUTH_NORM));
	/* couple both 18-20 */
	member(&t, "999900011", GBI_ROLE_PARTNER, 20060601);
	r = run(&t, 202605);
	cr_expect_eq(r.norm, 69198);
	/* with a child */
	member(&t, "999900012", GBI_ROLE_CHILD, 20250101);
	r = run(&t, 202605);
	cr_expect_eq(r.norm, 109241);
	/* mixed: one 18-20, one 21+, with and without children */
	t.m[1].birth = 19990101;
	r = run(&t, 202605);
	cr_expect_eq(r.norm, 174749);
	t.in.nmembers = 2;
	r = run(&t, 202605);
	cr_expect_eq(r.norm, 134706);
	t.m[0].birth = 20050101; /* 19 in July 2024 */
	r = run(&t, 202407);
	cr_expect_eq(r.norm, 125764);
}

Test(calc_case, under_18_and_aow_not_entitled, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20250101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 20090101); /* 17 */
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.status, "not_entitled");
	cr_expect(has(&r, GBI_R_UNDER_18));
	cr_expect_eq(r.days, 0);
	cr_expect_eq(r.payable, 0);

	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19590303); /* AOW 2026-03-03 */
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "not_entitled");
	cr_expect(has(&r, GBI_R_AOW_AGE));

	/* a couple of which one spouse reaches AOW age mid-month: the days before count */
	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19700101);
	member(&t, "999900011", GBI_ROLE_PARTNER, 19590516); /* AOW 2026-05-16 */
	r = run(&t, 202605);
	cr_expect_eq(r.days, 15);
	cr_expect_eq(r.norm, gbi_round_half_up(200213 * 15, 31));
	cr_expect(has(&r, GBI_R_AOW_AGE) && has(&r, GBI_R_PARTIAL_MONTH));
	cr_expect_str_eq(r.status, "payable");
}

/* a birthday into 21 mid-month: two segments, one rounding */
Test(calc_case, birthday_mid_month, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20240601);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 20050516);
	struct gbi_calc_result r = run(&t, 202605);
	/* (345.99 x 15 + 1401.50 x 16) / 31 = 27613.85 / 31 = 890.7693... */
	cr_expect_eq(r.norm, 89077);
	cr_expect_eq(r.days, 31);
	cr_expect(!has(&r, GBI_R_PARTIAL_MONTH));
	cr_expect(has(&r, GBI_R_YOUTH_NORM));
	/* a birthday into 27 makes a housemate a cost-sharer from that day */
	tc_init(&t, 20200101);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19800101);
	housemate(&t, "999900020", 19990520); /* 27 on 2026-05-20 */
	r = run(&t, 202605);
	/* 19 days single norm, 12 days A=2 */
	cr_expect_eq(r.norm, gbi_round_half_up(140150 * 19 + 100107 * 12, 31));
	cr_expect_eq(r.cost_sharers, 2);
}

/* a partial first month: start on the 13th */
Test(calc_case, partial_first_month, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20260513);
	member(&t, "999900010", GBI_ROLE_APPLICANT, 19910101);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_eq(r.days, 19);
	cr_expect_eq(r.norm, 85898);
	cr_expect_eq(r.holiday_reserve, 4295, "5 %% of 858.98 = 42.949");
	cr_expect_eq(r.payable, 81603);
	cr_expect(has(&r, GBI_R_PARTIAL_MONTH));
	/* and an end date */
	t.in.start = 20200101;
	t.in.end = 20260610;
	r = run(&t, 202606);
	cr_expect_eq(r.days, 10);
	cr_expect_eq(r.norm, gbi_round_half_up(140150 * 10, 30));
}

/* the domain sheet's one-way examples (section 3) */
Test(calc_case, cost_sharers_one_way_parents_and_son, .init = setup, .fini = teardown)
{
	struct tc t;
	/* parents 49 and 49, son 24 at home: the parents keep the couple norm */
	tc_init(&t, 20240101);
	member(&t, "999900030", GBI_ROLE_APPLICANT, 19770315);
	member(&t, "999900031", GBI_ROLE_PARTNER, 19761120);
	housemate(&t, "999900031", 19761120);
	housemate(&t, "999900032", 20020210);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.household, "couple");
	cr_expect_eq(r.norm, 200213);
	cr_expect_eq(r.cost_sharers, 1);
	cr_expect(!has(&r, GBI_R_COST_SHARERS));
	/* the son, 21+, counts both parents: A = 3 */
	tc_init(&t, 20240101);
	member(&t, "999900032", GBI_ROLE_APPLICANT, 20020210);
	housemate(&t, "999900030", 19770315);
	housemate(&t, "999900031", 19761120);
	r = run(&t, 202605);
	cr_expect_eq(r.cost_sharers, 3);
	cr_expect_eq(r.norm, 86759);
	cr_expect(has(&r, GBI_R_COST_SHARERS));
}

Test(calc_case, cost_sharers_one_way_50_26_24, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20240101);
	member(&t, "999900040", GBI_ROLE_APPLICANT, 19760101); /* 50 */
	housemate(&t, "999900041", 19991001);                  /* 26 */
	housemate(&t, "999900042", 20011001);                  /* 24 */
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_eq(r.norm, 140150, "the 50-year-old gets the single norm");
	cr_expect_eq(r.cost_sharers, 1);
	for (int k = 0; k < 2; k++) {
		tc_init(&t, 20240101);
		member(&t, k ? "999900042" : "999900041", GBI_ROLE_APPLICANT, k ? 20011001 : 19991001);
		housemate(&t, "999900040", 19760101);
		housemate(&t, k ? "999900041" : "999900042", k ? 19991001 : 20011001);
		r = run(&t, 202605);
		cr_expect_eq(r.cost_sharers, 2, "the %s-year-old counts only the 50-year-old", k ? "24" : "26");
		cr_expect_eq(r.norm, 100107);
	}
}

Test(calc_case, cost_sharers_couple_and_exclusions, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900050", GBI_ROLE_APPLICANT, 19800101);
	member(&t, "999900051", GBI_ROLE_PARTNER, 19830101);
	housemate(&t, "999900052", 19750101);
	struct gbi_calc_result r = run(&t, 202401);
	cr_expect_eq(r.cost_sharers, 3);
	cr_expect_eq(r.norm, 2 * 79475, "each spouse the A=3 norm of 2024-01");
	r = run(&t, 202407);
	cr_expect_eq(r.norm, 2 * 80999);
	/* a commercial tenant does not count */
	struct gbi_calc_exclusion *x = &t.x[t.in.nexclusions++];
	gbi_strlcpy(x->bsn, "999900052", sizeof x->bsn);
	gbi_strlcpy(x->kind, "commercial_rent", sizeof x->kind);
	x->from = 20200101;
	r = run(&t, 202605);
	cr_expect_eq(r.cost_sharers, 1);
	cr_expect_eq(r.norm, 200213);
	/* a housemate moving in on the 16th */
	t.in.nexclusions = 0;
	t.h[0].from = 20260516;
	r = run(&t, 202605);
	cr_expect_eq(r.norm, gbi_round_half_up(200213 * 15 + 2 * 86759 * 16, 31));
}

Test(calc_case, cost_sharer_table_a2_to_a6, .init = setup, .fini = teardown)
{
	static const int64_t jan[7] = {0, 0, 91702, 79475, 73362, 69694, 67248};
	static const int64_t jul[7] = {0, 0, 93461, 80999, 74768, 71030, 68538};
	static const char *const bsns[5] = {"999900061", "999900062", "999900063", "999900064", "999900065"};
	for (int a = 2; a <= 6; a++) {
		struct tc t;
		tc_init(&t, 20200101);
		member(&t, "999900060", GBI_ROLE_APPLICANT, 19800101);
		for (int k = 0; k < a - 1; k++)
			housemate(&t, bsns[k], 19700101);
		struct gbi_calc_result r = run(&t, 202401);
		cr_expect_eq(r.cost_sharers, a);
		cr_expect_eq(r.norm, jan[a], "2024-01 A=%d", a);
		r = run(&t, 202407);
		cr_expect_eq(r.norm, jul[a], "2024-07 A=%d", a);
	}
}

Test(calc_case, assets_at_and_above_limit, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900070", GBI_ROLE_APPLICANT, 19840101);
	asset(&t, "bank", 765000);
	asset(&t, "cash", 35000);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.status, "payable", "exactly at the limit 8000.00 is allowed");
	t.a[1].value = 35001;
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "nil", "one cent above the limit");
	cr_expect(has(&r, GBI_R_ASSETS_ABOVE_LIMIT));
	cr_expect_eq(r.bijstand, 0);
	cr_expect_eq(r.payable, 0);
	/* a debt brings it back */
	asset(&t, "debt", 1);
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "payable");
	/* the family limit for a couple: 16000.00 and 16000.01 */
	tc_init(&t, 20200101);
	member(&t, "999900070", GBI_ROLE_APPLICANT, 19780101);
	member(&t, "999900071", GBI_ROLE_PARTNER, 19790101);
	asset(&t, "bank", 1600000);
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "payable");
	t.a[0].value = 1600001;
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "nil");
	/* 2024 limit for the family: 15150.00 */
	t.a[0].value = 1515001;
	r = run(&t, 202403);
	cr_expect_str_eq(r.status, "nil");
	/* own home: the mortgage is set against it, the equity has its own limit */
	tc_init(&t, 20200101);
	member(&t, "999900072", GBI_ROLE_APPLICANT, 19700101);
	asset(&t, "property", 24500000);
	asset(&t, "debt", 19000000);
	asset(&t, "bank", 125035);
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "payable");
	cr_expect(!has(&r, GBI_R_HOME_EQUITY_ABOVE_LIMIT));
	t.a[1].value = 17000000;
	r = run(&t, 202605);
	cr_expect(has(&r, GBI_R_HOME_EQUITY_ABOVE_LIMIT), "75000 equity above 67500: a loan");
}

Test(calc_case, work_exemption_and_cap, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900080", GBI_ROLE_APPLICANT, 19900101);
	t.in.work_exemption_from = 20260301;
	income(&t, "999900080", 202605, GBI_INC_WAGE, 90575);
	struct gbi_calc_result r = run(&t, 202605);
	/* 25 % of 905.75 = 226.4375 -> 226.44 */
	cr_expect_eq(r.income, 90575 - 22644);
	cr_expect(has(&r, GBI_R_WORK_EXEMPTION));
	/* the cap: 25 % of 1200 = 300 > 285 */
	t.i[0].amount = 120000;
	r = run(&t, 202605);
	cr_expect_eq(r.income, 120000 - 28500);
	/* 2024-01 cap 264 */
	t.in.work_exemption_from = 20231201;
	t.i[0].period = 202401;
	r = run(&t, 202401);
	cr_expect_eq(r.income, 120000 - 26400);
	/* month 7 after the grant: no exemption */
	t.in.work_exemption_from = 20251101;
	t.i[0].period = 202605;
	r = run(&t, 202605);
	cr_expect_eq(r.income, 120000);
	cr_expect(!has(&r, GBI_R_WORK_EXEMPTION));
	/* under 27: no exemption (art. 31 lid 5) */
	t.in.work_exemption_from = 20260301;
	t.m[0].birth = 20000101;
	r = run(&t, 202605);
	cr_expect_eq(r.income, 120000);
}

Test(calc_case, single_parent_exemption_cap, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900090", GBI_ROLE_APPLICANT, 19940101);
	member(&t, "999900091", GBI_ROLE_CHILD, 20170921);
	t.in.single_parent_exemption_from = 20250701;
	income(&t, "999900090", 202605, GBI_INC_WAGE, 61240);
	income(&t, "999900090", 202605, GBI_INC_CHILD_BENEFIT, 30000);
	income(&t, "999900090", 202605, GBI_INC_ALLOWANCE, 35200);
	struct gbi_calc_result r = run(&t, 202605);
	/* 12.5 % of 612.40 = 76.55; child benefit and allowances exempt */
	cr_expect_eq(r.income, 61240 - 7655);
	cr_expect(has(&r, GBI_R_SINGLE_PARENT_EXEMPTION));
	t.i[0].amount = 160000; /* 12.5 % = 200.00 > cap 177.66 */
	r = run(&t, 202605);
	cr_expect_eq(r.income, 160000 - 17766);
	/* child of 12: no exemption */
	t.m[1].birth = 20140101;
	r = run(&t, 202605);
	cr_expect_eq(r.income, 160000);
}

Test(calc_case, gifts_cross_yearly_allowance, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900100", GBI_ROLE_APPLICANT, 19890101);
	income(&t, "999900100", 202601, GBI_INC_GIFT, 30000);
	income(&t, "999900100", 202603, GBI_INC_GIFT, 40000);
	income(&t, "999900100", 202605, GBI_INC_GIFT, 60000);
	income(&t, "999900100", 202606, GBI_INC_GIFT, 10000);
	struct gbi_calc_result r = run(&t, 202603);
	cr_expect_eq(r.income, 0, "700 so far: within 1200");
	r = run(&t, 202605);
	cr_expect_eq(r.income, 10000, "1300 by May: 100 above the allowance");
	cr_expect(has(&r, GBI_R_GIFT_ABOVE_ALLOWANCE));
	r = run(&t, 202606);
	cr_expect_eq(r.income, 10000, "June's 100 all counts");
	/* before 2026 the allowance is local policy only */
	tc_init(&t, 20200101);
	member(&t, "999900100", GBI_ROLE_APPLICANT, 19890101);
	income(&t, "999900100", 202505, GBI_INC_GIFT, 50000);
	r = run(&t, 202505);
	cr_expect_eq(r.income, 50000, "no policy allowance: all counts");
	t.pol.gift_allowance = 120000;
	r = run(&t, 202505);
	cr_expect_eq(r.income, 0);
	/* from 2026 the law's 1200 is the floor even when policy says less */
	t.pol.gift_allowance = 50000;
	t.i[0].period = 202605;
	r = run(&t, 202605);
	cr_expect_eq(r.income, 0);
}

Test(calc_case, income_above_norm_is_nil, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900110", GBI_ROLE_APPLICANT, 19850101);
	income(&t, "999900110", 202605, GBI_INC_BENEFIT, 140150);
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.status, "nil");
	cr_expect(has(&r, GBI_R_INCOME_ABOVE_NORM));
	cr_expect_eq(r.bijstand, 0);
	t.i[0].amount = 140149;
	r = run(&t, 202605);
	cr_expect_eq(r.bijstand, 1);
	cr_expect_eq(r.holiday_reserve, 0, "5 %% of 0.01 rounds to 0");
	cr_expect_eq(r.payable, 1);
	cr_expect_str_eq(r.status, "payable");
}

Test(calc_case, sanctions_and_housing, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900120", GBI_ROLE_APPLICANT, 19920101);
	t.s[0] = (struct gbi_calc_sanction){30, 20260501, 20260531};
	t.in.nsanctions = 1;
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_eq(r.sanction, 42045, "30 %% of 1401.50");
	cr_expect_eq(r.payable, 140150 - 42045 - gbi_round_half_up((140150 - 42045) * 5, 100));
	/* half the month: 30 % x 1401.50 x 15 / 31 = 203.443... */
	t.s[0].from = 20260517;
	r = run(&t, 202605);
	cr_expect_eq(r.sanction, gbi_round_half_up(INT64_C(140150) * 30 * 15, 100 * 31));
	/* two sanctions add up, never past 100 % */
	t.s[0] = (struct gbi_calc_sanction){60, 20260501, 20260531};
	t.s[1] = (struct gbi_calc_sanction){60, 20260501, 20260531};
	t.in.nsanctions = 2;
	r = run(&t, 202605);
	cr_expect_eq(r.sanction, 140150);
	cr_expect_eq(r.bijstand, 0);
	cr_expect_str_eq(r.status, "nil");
	/* housing reduction: 10 % of the couple norm = 200.21 (2026) */
	t.in.nsanctions = 0;
	gbi_strlcpy(t.in.housing, "none", sizeof t.in.housing);
	t.pol.housing_bp = 1000;
	r = run(&t, 202605);
	cr_expect_eq(r.housing_reduction, 20021);
	cr_expect(has(&r, GBI_R_HOUSING_REDUCTION));
	t.pol.housing_bp = 2000;
	r = run(&t, 202605);
	cr_expect_eq(r.housing_reduction, 40043, "20 %% of 2002.13 = 400.426");
	/* sanction on the norm after the housing reduction (policy) */
	t.s[0] = (struct gbi_calc_sanction){10, 20260501, 20260531};
	t.in.nsanctions = 1;
	t.pol.sanction_after_housing = 1;
	r = run(&t, 202605);
	cr_expect_eq(r.sanction, gbi_round_half_up((INT64_C(140150) * 10000 - INT64_C(200213) * 2000) * 10, 1000000));
}

Test(calc_case, detention_and_held, .init = setup, .fini = teardown)
{
	struct tc t;
	tc_init(&t, 20200101);
	member(&t, "999900130", GBI_ROLE_APPLICANT, 19910101);
	t.d[0] = (struct gbi_calc_detention){"999900130", 20260512, 20260620};
	t.in.ndetentions = 1;
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_eq(r.days, 11);
	cr_expect_eq(r.norm, 49731);
	cr_expect(has(&r, GBI_R_DETENTION));
	t.in.ndetentions = 0;
	t.in.held = 1;
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "held");
	cr_expect(has(&r, GBI_R_BLOCKING_FINDING));
	cr_expect_eq(r.payable, 133142, "held keeps the amounts");
	/* held does not replace nil */
	income(&t, "999900130", 202605, GBI_INC_BENEFIT, 200000);
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "nil");
	t.in.held = 0;
	t.in.nincomes = 0;
	gbi_strlcpy(t.in.status, "suspended", sizeof t.in.status);
	r = run(&t, 202605);
	cr_expect_str_eq(r.status, "held");
	cr_expect(has(&r, GBI_R_CASE_SUSPENDED));
}

Test(calc_case, reasons_format_and_explain, .init = setup, .fini = teardown)
{
	char b[256];
	gbi_reasons_format((1u << GBI_R_PARTIAL_MONTH) | (1u << GBI_R_UNDER_18) | (1u << GBI_R_ASSETS_ABOVE_LIMIT), b, sizeof b);
	cr_expect_str_eq(b, "UNDER_18;PARTIAL_MONTH;ASSETS_ABOVE_LIMIT");
	gbi_reasons_format(0, b, sizeof b);
	cr_expect_str_eq(b, "");
	cr_expect_str_eq(gbi_reason_code(GBI_R_COST_SHARERS), "COST_SHARERS");
}

Test(calc_case, edges_no_reason_lost, .init = setup, .fini = teardown)
{
	struct tc t;
	/* the applicant's member dates outside the month: not_entitled with a reason */
	tc_init(&t, 20200101);
	member(&t, "999900140", GBI_ROLE_APPLICANT, 19900101);
	t.m[0].to = 20260430;
	struct gbi_calc_result r = run(&t, 202605);
	cr_expect_str_eq(r.status, "not_entitled");
	cr_expect(has(&r, GBI_R_NO_APPLICANT));
	/* a youth norm below the housing reduction: nil, never a negative sanction */
	tc_init(&t, 20200101);
	member(&t, "999900141", GBI_ROLE_APPLICANT, 20070101);
	gbi_strlcpy(t.in.housing, "none", sizeof t.in.housing);
	t.pol.housing_bp = 2000;
	t.pol.sanction_after_housing = 1;
	t.s[0] = (struct gbi_calc_sanction){30, 20260501, 20260531};
	t.in.nsanctions = 1;
	r = run(&t, 202605);
	cr_expect_eq(r.sanction, 0);
	cr_expect_eq(r.bijstand, 0);
	cr_expect_str_eq(r.status, "nil");
	cr_expect(!has(&r, GBI_R_INCOME_ABOVE_NORM), "no income: not the income's fault");
}
