/*
 * verify.c: gbi verify, the lawfulness checks (gbi-verify(1)).
 * Parses options, calls gbi_verify_run(), which passes each finding to
 * print_finding as it stores it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gbi.h"
#include "csvout.h"
#include "field.h"
#include "verify.h"
#include "banned.h"

const char usage_verify[] =
	"usage: gbi verify [-d STORE] [--period YYYY-MM] [-m CODE]... [--case ID]... [--rule CODE]...\n"
	"                  [--format csv|jsonl|text] [--parameters FILE] [--busy-timeout SECONDS]\n"
	"       gbi verify --list-rules [--format csv|text]\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE        the store (default $GBI_STORE, else ./gbi.db)\n"
	"      --period YYYY-MM    the month to check (default: the current month)\n"
	"  -m, --municipality CODE only the cases of this municipality (repeatable)\n"
	"      --case ID           only this case (repeatable)\n"
	"      --rule CODE         only this rule (repeatable; --list-rules lists them)\n"
	"      --format FMT        csv (default), jsonl, or text grouped by case\n"
	"      --parameters FILE   statutory parameters added to the built-in table\n"
	"      --busy-timeout S    wait this long for another gbi's lock (30)\n"
	"      --list-rules        print the rule catalogue and exit\n"
	"Exit status 1 when a block finding exists (gbi calculate holds those cases).\n";

#define MAXLIST 64


struct out {
	enum gbi_outfmt fmt;
	int head;        /* the CSV header is out */
	char last[64];   /* municipality and case of the previous finding (text) */
};

static void print_head(struct out *o)
{
	if (o->fmt == GBI_OUT_CSV && !o->head)
		fputs("rule,severity,municipality,case_id,bsn,period,message,legal_basis\n", stdout);
	o->head = 1;
}

static gbi_status print_finding(void *ctx, const struct gbi_finding *f, struct gbi_err *err)
{
	struct out *o = ctx;
	(void)err;
	print_head(o);
	if (o->fmt == GBI_OUT_CSV) {
		const char *v[8] = {f->rule, f->severity, f->municipality, f->case_id, f->bsn, f->period, f->message,
				    f->legal_basis};
		gbi_csv_row(stdout, 8, v);
	} else if (o->fmt == GBI_OUT_JSONL) {
		const char *k[8] = {"rule", "severity", "municipality", "case_id", "bsn", "period", "message", "legal_basis"};
		const char *v[8] = {f->rule, f->severity, f->municipality, f->case_id, f->bsn, f->period, f->message,
				    f->legal_basis};
		putchar('{');
		for (int i = 0; i < 8; i++) {
			if (i)
				putchar(',');
			gbi_json_str(k[i]);
			putchar(':');
			if (i == 4 && !*v[i])
				fputs("null", stdout);
			else
				gbi_json_str(v[i]);
		}
		fputs(",\"source\":", stdout);
		if (*f->src_table) {
			fputs("{\"table\":", stdout);
			gbi_json_str(f->src_table);
			printf(",\"batch\":%lld,\"line\":%lld}", (long long)f->src_batch, (long long)f->src_line);
		} else
			fputs("null", stdout);
		fputs("}\n", stdout);
	} else {
		char key[64];
		snprintf(key, sizeof key, "%s %s", f->municipality, f->case_id);
		if (strcmp(key, o->last) != 0) {
			printf("%s%s (%s)\n", o->last[0] ? "\n" : "", key, f->period);
			gbi_strlcpy(o->last, key, sizeof o->last);
		}
		printf("  %-6s  %-24s %s%s%s\n", f->severity, f->rule, f->bsn, *f->bsn ? ": " : "", f->message);
		printf("  %-6s  %-24s %s", "", "", f->legal_basis);
		if (*f->src_table)
			printf("; %s batch %lld line %lld", f->src_table, (long long)f->src_batch, (long long)f->src_line);
		putchar('\n');
	}
	return GBI_OK;
}

static int list_rules(enum gbi_outfmt fmt)
{
	size_t n;
	const struct gbi_rule *r = gbi_verify_rules(&n);
	if (fmt == GBI_OUT_CSV)
		fputs("code,severity,legal_basis,checks,tables\n", stdout);
	for (size_t i = 0; i < n; i++) {
		if (fmt == GBI_OUT_CSV) {
			const char *v[5] = {r[i].code, r[i].severity, r[i].legal_basis, r[i].checks, r[i].tables};
			gbi_csv_row(stdout, 5, v);
		} else
			printf("%-24s %-6s  %s\n  %s\n  reads: %s\n", r[i].code, r[i].severity, r[i].legal_basis, r[i].checks,
			       r[i].tables);
	}
	return 0;
}

static void on_note(void *ctx, const char *msg)
{
	(void)ctx;
	gbi_warning("%s", msg);
}

/* GBI_VERIFY_TIMING=1: the time of each step on stderr (for make bench) */
static void on_step(void *ctx, const char *what, int64_t ns)
{
	(void)ctx;
	fprintf(stderr, "%s: %-24s %8.3f s\n", gbi_cmd_name, what, (double)ns / 1e9);
}

static int32_t current_month(void)
{
	time_t t = time(NULL);
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e)
		t = (time_t)strtoll(e, NULL, 10);
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 0;
	return (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
}

int cmd_verify(int argc, char **argv)
{
	int urc;
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"period", required_argument, NULL, 'p'},
		{"municipality", required_argument, NULL, 'm'},
		{"case", required_argument, NULL, 'c'},
		{"rule", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},
		{"parameters", required_argument, NULL, 'P'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"list-rules", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *store = NULL, *munis[MAXLIST], *cases[MAXLIST], *rules[MAXLIST];
	struct gbi_verify_opts o = {0};
	struct out out = {0};
	int busy = 30000, list = 0, c;

	o.period = current_month();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'p':
			if (gbi_parse_period(optarg, strlen(optarg), "YYYY-MM", &o.period))
				return gbi_usage_error(usage_verify, "--period '%s': not a month YYYY-MM", optarg);
			break;
		case 'm':
			if ((urc = gbi_opt_muni(usage_verify, optarg, munis, &o.nmunis, MAXLIST)))
				return urc;
			break;
		case 'c':
			if (gbi_parse_case_id(optarg, strlen(optarg)))
				return gbi_usage_error(usage_verify, "--case '%s': not a case id", optarg);
			if (o.ncases >= MAXLIST)
				return gbi_usage_error(usage_verify, "at most %d --case ids", MAXLIST);
			cases[o.ncases++] = optarg;
			break;
		case 'r':
			if (!gbi_verify_rule(optarg))
				return gbi_usage_error(usage_verify, "--rule '%s': no such rule (gbi verify --list-rules)", optarg);
			if (o.nrules >= MAXLIST)
				return gbi_usage_error(usage_verify, "at most %d --rule codes", MAXLIST);
			rules[o.nrules++] = optarg;
			break;
		case 'f':
			if ((urc = gbi_opt_outfmt(usage_verify, optarg, &out.fmt)))
				return urc;
			break;
		case 'P': o.params_file = optarg; break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_verify, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'L': list = 1; break;
		case 'h':
			fputs(usage_verify, stdout);
			fputs(options_help, stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_verify, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_verify, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return gbi_usage_error(usage_verify, "unexpected argument '%s'", argv[optind]);
	if (list) {
		if (out.fmt == GBI_OUT_JSONL)
			return gbi_usage_error(usage_verify, "--list-rules: --format csv or text");
		return list_rules(out.fmt);
	}
	o.munis = munis;
	o.cases = cases;
	o.rules = rules;
	o.on_note = on_note;
	o.on_finding = print_finding;
	o.ctx = &out;
	const char *tm = getenv("GBI_VERIFY_TIMING");
	if (tm && *tm && strcmp(tm, "0") != 0)
		o.on_step = on_step;

	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "verify", argc, argv, &s, &run);
	if (st)
		return st;
	o.run_id = run;
	struct gbi_verify_result res;
	struct gbi_err err;
	gbi_err_clear(&err);
	st = gbi_verify_run(s, &o, &res, &err);
	if (st) {
		gbi_fail(&err);
		return gbi_close_run(s, run, st, "");
	}
	print_head(&out);
	char period[8];
	gbi_period_format(o.period, period);
	fprintf(stderr, "%s: %s: %ld cases checked, %ld findings (%ld block, %ld review, %ld info)%s; verify run %lld\n",
		gbi_cmd_name, period, res.cases, res.findings, res.block, res.review, res.info,
		res.skipped ? ", some rules not checked" : "", (long long)res.verify_run_id);
	char counts[200];
	snprintf(counts, sizeof counts, "verify_run=%lld cases=%ld findings=%ld block=%ld review=%ld info=%ld skipped=%d",
		 (long long)res.verify_run_id, res.cases, res.findings, res.block, res.review, res.info, res.skipped);
	return gbi_close_run(s, run, res.block || res.skipped ? GBI_ATTENTION : GBI_OK, counts);
}
