/*
 * test_verify.c: the rule catalogue of gbi verify (libgbi/verify.h) as data,
 * and the SQL functions its statements use.  The rules themselves are
 * tested end to end, with a trigger and a near miss each, in
 * tests/e2e/t-verify.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "field.h"
#include "import.h"
#include "verify.h"
#include "banned.h"

Test(verify_catalogue, codes_unique_and_complete)
{
	size_t n;
	const struct gbi_rule *r = gbi_verify_rules(&n);
	cr_assert_geq(n, 27);
	for (size_t i = 0; i < n; i++) {
		cr_assert(strlen(r[i].code) > 0);
		for (const char *p = r[i].code; *p; p++)
			cr_assert((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_', "code %s", r[i].code);
		cr_assert(strcmp(r[i].severity, "block") == 0 || strcmp(r[i].severity, "review") == 0 ||
			  strcmp(r[i].severity, "info") == 0, "%s: severity %s", r[i].code, r[i].severity);
		cr_assert(strlen(r[i].legal_basis) > 3, "%s: no legal basis", r[i].code);
		cr_assert(strlen(r[i].checks) > 10, "%s: no description", r[i].code);
		cr_assert(strstr(r[i].tables, "cases") != NULL, "%s: reads no cases", r[i].code);
		/* each rule inserts its own code into the findings */
		char want[64];
		snprintf(want, sizeof want, "INSERT INTO vf SELECT '%s'", r[i].code);
		cr_assert(strstr(r[i].sql, want) != NULL, "%s: statement does not insert its code", r[i].code);
		for (size_t j = i + 1; j < n; j++)
			cr_assert_str_neq(r[i].code, r[j].code);
		cr_assert_eq(gbi_verify_rule(r[i].code), &r[i]);
	}
	cr_assert_null(gbi_verify_rule("NO_SUCH_RULE"));
}

Test(verify_catalogue, severities_of_the_issue)
{
	static const char *const want[][2] = {
		{"BSN_INVALID", "block"}, {"NO_APPLICANT", "block"}, {"TWO_APPLICANTS", "block"},
		{"TWO_PARTNERS", "block"}, {"MEMBER_IN_TWO_CASES", "block"}, {"SAME_ADDRESS_SINGLES", "review"},
		{"CHILD_18_PLUS", "review"}, {"NOT_RESIDENT", "block"}, {"NO_ADDRESS", "block"},
		{"ABROAD_OVER_4_WEEKS", "block"}, {"DETENTION", "block"}, {"UNDER_18", "block"},
		{"YOUTH_18_20", "info"}, {"AOW_AGE", "block"}, {"STUDENT_UNDER_27", "block"},
		{"STUDENT_27_PLUS", "review"}, {"BENEFIT_NOT_AS_INCOME", "review"}, {"SEARCH_PERIOD_UNDER_27", "review"},
		{"DECISION_TERM_EXCEEDED", "review"}, {"ASSETS_ABOVE_LIMIT", "block"}, {"VEHICLE_REVIEW", "review"},
		{"PROPERTY_OWNED", "review"}, {"INCOME_AT_OR_ABOVE_NORM", "info"}, {"POLIS_INCOME_NOT_IN_CASE", "review"},
		{"IBAN_MISSING_OR_INVALID", "block"}, {"IBAN_SHARED", "review"}, {"COST_SHARERS_DIFFER", "review"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct gbi_rule *r = gbi_verify_rule(want[i][0]);
		cr_assert_not_null(r, "%s missing", want[i][0]);
		cr_assert_str_eq(r->severity, want[i][1], "%s", want[i][0]);
	}
	cr_assert(strstr(gbi_verify_rule("DETENTION")->legal_basis, "art. 13 lid 1 a") != NULL);
	cr_assert(strstr(gbi_verify_rule("AOW_AGE")->legal_basis, "art. 47a") != NULL);
	cr_assert(gbi_verify_rule("AOW_AGE")->needs & GBI_NEED_AOW);
	cr_assert(gbi_verify_rule("ASSETS_ABOVE_LIMIT")->needs & GBI_NEED_ASSETS);
	cr_assert(gbi_verify_rule("INCOME_AT_OR_ABOVE_NORM")->needs & GBI_NEED_NORMS);
}

static struct gbi_store *S;
static char path[64];

static void open_store(void)
{
	struct gbi_err err;
	gbi_err_clear(&err);
	snprintf(path, sizeof path, "/tmp/gbi-test-verify-%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(gbi_store_open(&S, path, 1000, &err), GBI_OK, "%s", err.msg);
	cr_assert_eq(gbi_verify_functions(S, &err), GBI_OK, "%s", err.msg);
}

static void close_store(void)
{
	gbi_store_close(S);
	unlink(path);
}

static const char *one(const char *sql)
{
	static char buf[128];
	sqlite3_stmt *st;
	struct gbi_err err;
	cr_assert_eq(gbi_store_prepare(S, sql, &st, &err), GBI_OK, "%s", err.msg);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	const char *v = (const char *)sqlite3_column_text(st, 0);
	gbi_strlcpy(buf, v ? v : "NULL", sizeof buf);
	sqlite3_finalize(st);
	return buf;
}

Test(verify_sql, bsn_eleven_test, .init = open_store, .fini = close_store)
{
	cr_assert_str_eq(one("SELECT gbi_bsn_ok('999970008')"), "1");
	cr_assert_str_eq(one("SELECT gbi_bsn_ok('999970009')"), "0");
	cr_assert_str_eq(one("SELECT gbi_bsn_ok('123456789')"), "0");
	cr_assert_str_eq(one("SELECT gbi_bsn_ok('000000000')"), "0");
	cr_assert_str_eq(one("SELECT gbi_bsn_ok('99997000')"), "0");
	cr_assert_str_eq(one("SELECT gbi_bsn_ok(NULL)"), "0");
}

Test(verify_sql, iban_mod97, .init = open_store, .fini = close_store)
{
	cr_assert_str_eq(one("SELECT gbi_iban_ok('NL67INGB0006543210')"), "1");
	cr_assert_str_eq(one("SELECT gbi_iban_ok('NL67INGB0006543211')"), "0");
	cr_assert_str_eq(one("SELECT gbi_iban_ok('')"), "0");
}

Test(verify_sql, money_is_exact_cents, .init = open_store, .fini = close_store)
{
	cr_assert_str_eq(one("SELECT gbi_money(1600001)"), "16000.01");
	cr_assert_str_eq(one("SELECT gbi_money(-50)"), "-0.50");
	cr_assert_str_eq(one("SELECT gbi_money(0)"), "0.00");
	cr_assert_str_eq(one("SELECT gbi_money(NULL)"), "NULL");
}

Test(verify_run, empty_store_writes_one_run, .init = open_store, .fini = close_store)
{
	struct gbi_verify_opts o = {0};
	struct gbi_verify_result res;
	struct gbi_err err;
	gbi_err_clear(&err);
	o.run_id = 1;
	o.period = 202605;
	cr_assert_eq(gbi_verify_run(S, &o, &res, &err), GBI_OK, "%s", err.msg);
	cr_assert_eq(res.cases, 0);
	cr_assert_eq(res.findings, 0);
	cr_assert_eq(res.skipped, 0);
	cr_assert_gt(res.verify_run_id, 0);
	o.period = 202613;
	cr_assert_eq(gbi_verify_run(S, &o, &res, &err), GBI_EUSAGE);
	/* a second run on the same connection: the temporary tables were dropped */
	o.period = 202606;
	cr_assert_eq(gbi_verify_run(S, &o, &res, &err), GBI_OK, "%s", err.msg);
	cr_assert_eq(res.verify_run_id, 2);
}

/* All findings of a verify run, as one text (every column but the run id). */
static void findings_text(int64_t run, char *out, size_t size)
{
	sqlite3_stmt *st;
	struct gbi_err err;
	cr_assert_eq(gbi_store_prepare(S, "SELECT group_concat(printf('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', rule, severity, municipality, case_id, bsn, "
					  "period, message, legal_basis, src_table, src_batch, src_line), char(10)) FROM "
					  "(SELECT * FROM finding WHERE verify_run_id=? ORDER BY rowid)", &st, &err), GBI_OK, "%s", err.msg);
	sqlite3_bind_int64(st, 1, run);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	const char *v = (const char *)sqlite3_column_text(st, 0);
	cr_assert_not_null(v);
	cr_assert_lt(strlen(v), size);
	gbi_strlcpy(out, v, size);
	sqlite3_finalize(st);
}

/* Imports samples/gbi-v1 into the test store. */
static void import_samples(void)
{
	struct gbi_import_opts io = {.run_id = 1};
	struct gbi_import_result ir;
	struct gbi_err err;
	const char *paths[] = {"samples/gbi-v1"};
	gbi_err_clear(&err);
	gbi_status st = gbi_import(S, paths, 1, &io, &ir, &err);
	cr_assert(st == GBI_OK || st == GBI_ATTENTION, "%s", err.msg);
}

/* A run splits the cases over two connections and threads, the rules across
 * cases on the first: the findings must be those of one connection. */
Test(verify_run, two_lanes_find_what_one_finds, .init = open_store, .fini = close_store)
{
	struct gbi_err err;
	import_samples();
	static char one_lane[1 << 17], two_lanes[1 << 17];
	for (int32_t period = 202605; period <= 202606; period++) {
		struct gbi_verify_opts o = {.run_id = 1, .period = period, .one_lane = 1};
		struct gbi_verify_result r1, r2;
		cr_assert_eq(gbi_verify_run(S, &o, &r1, &err), GBI_OK, "%s", err.msg);
		o.one_lane = 0;
		cr_assert_eq(gbi_verify_run(S, &o, &r2, &err), GBI_OK, "%s", err.msg);
		cr_assert_gt(r1.findings, 20);
		cr_assert_eq(r1.findings, r2.findings);
		cr_assert_eq(r1.cases, r2.cases);
		findings_text(r1.verify_run_id, one_lane, sizeof one_lane);
		findings_text(r2.verify_run_id, two_lanes, sizeof two_lanes);
		cr_assert_str_eq(one_lane, two_lanes);
		/* every rule across cases fires on the samples */
		cr_assert(strstr(two_lanes, "MEMBER_IN_TWO_CASES|") && strstr(two_lanes, "SAME_ADDRESS_SINGLES|") &&
			  strstr(two_lanes, "IBAN_SHARED|"));
	}
}

/* on_finding: each finding as it is stored, in the stored order. */
struct seen {
	char text[1 << 17];
	size_t len;
	int n, stop_at; /* stop_at > 0: fail at that finding */
};

static gbi_status collect(void *ctx, const struct gbi_finding *f, struct gbi_err *err)
{
	struct seen *s = ctx;
	if (++s->n == s->stop_at)
		return gbi_err_set(err, GBI_ESYS, "stdout: disk full");
	/* as findings_text writes the stored row: "" for bsn and source when none */
	char batch[24] = "", line[24] = "";
	if (*f->src_table) {
		snprintf(batch, sizeof batch, "%lld", (long long)f->src_batch);
		snprintf(line, sizeof line, "%lld", (long long)f->src_line);
	} else
		cr_assert(f->src_batch == 0 && f->src_line == 0, "no source row, but batch %lld line %lld",
			  (long long)f->src_batch, (long long)f->src_line);
	int k = snprintf(s->text + s->len, sizeof s->text - s->len, "%s%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s",
			 s->len ? "\n" : "", f->rule, f->severity, f->municipality, f->case_id, f->bsn, f->period,
			 f->message, f->legal_basis, f->src_table, batch, line);
	cr_assert(k > 0 && (size_t)k < sizeof s->text - s->len);
	s->len += (size_t)k;
	return GBI_OK;
}

Test(verify_run, on_finding_sees_the_stored_findings_in_order, .init = open_store, .fini = close_store)
{
	struct gbi_err err;
	import_samples();
	static struct seen seen;
	static char stored[1 << 17];
	for (int one = 0; one <= 1; one++) {
		memset(&seen, 0, sizeof seen);
		struct gbi_verify_opts o = {.run_id = 1, .period = 202605, .one_lane = one, .on_finding = collect, .ctx = &seen};
		struct gbi_verify_result r;
		cr_assert_eq(gbi_verify_run(S, &o, &r, &err), GBI_OK, "%s", err.msg);
		cr_assert_gt(r.findings, 20);
		cr_assert_eq(seen.n, r.findings);
		cr_assert_eq(r.block + r.review + r.info, r.findings);
		/* stored in the order the callback saw them */
		findings_text(r.verify_run_id, stored, sizeof stored);
		cr_assert_str_eq(seen.text, stored);
	}
	/* an error from the callback ends the run: nothing of it is stored */
	int64_t runs, findings, runs2, findings2;
	cr_assert_eq(gbi_store_int(S, "SELECT count(*) FROM verify_run", &runs, &err), GBI_OK);
	cr_assert_eq(gbi_store_int(S, "SELECT count(*) FROM finding", &findings, &err), GBI_OK);
	memset(&seen, 0, sizeof seen);
	seen.stop_at = 5;
	struct gbi_verify_opts o = {.run_id = 1, .period = 202605, .on_finding = collect, .ctx = &seen};
	struct gbi_verify_result r;
	cr_assert_eq(gbi_verify_run(S, &o, &r, &err), GBI_ESYS);
	cr_assert_str_eq(err.msg, "stdout: disk full");
	cr_assert_eq(gbi_store_int(S, "SELECT count(*) FROM verify_run", &runs2, &err), GBI_OK);
	cr_assert_eq(gbi_store_int(S, "SELECT count(*) FROM finding", &findings2, &err), GBI_OK);
	cr_assert_eq(runs2, runs);
	cr_assert_eq(findings2, findings);
}
