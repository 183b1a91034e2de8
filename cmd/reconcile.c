/*
 * reconcile.c: gbi reconcile, gbi's payments against legacy or a
 * recomputation (gbi-reconcile(1)).  Options, gbi_reconcile(), output.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbi.h"
#include "csvout.h"
#include "field.h"
#include "reconcile.h"
#include "banned.h"

const char usage_reconcile[] =
	"usage: gbi reconcile [-d STORE] (--period YYYY-MM | --from YYYY-MM --to YYYY-MM)\n"
	"                     [-m CODE]... [--tolerance EUR] [--format csv|jsonl|text]\n"
	"                     [--against legacy|calculations] [--parameters FILE]\n"
	"                     [--busy-timeout SECONDS]\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE         the store (default $GBI_STORE, else ./gbi.db)\n"
	"  -p, --period YYYY-MM     one month\n"
	"      --from, --to YYYY-MM a range of months\n"
	"  -m, --municipality CODE  only these municipalities (repeatable)\n"
	"      --tolerance EUR      differences up to this amount are no cause for exit 1 (0.00)\n"
	"      --format FMT         csv, jsonl or text (default text)\n"
	"      --against WHAT       legacy: the legacy payments table (default);\n"
	"                           calculations: recompute with today's store, compare with the stored runs\n"
	"      --parameters FILE    statutory parameters for the recomputation\n"
	"      --busy-timeout S     wait this long for another gbi's lock (30)\n";


struct out {
	enum gbi_outfmt fmt;
	enum gbi_against against;
	FILE *sum;   /* where the summary goes besides stderr (stdout for text), or NULL */
};

static gbi_status on_row(void *ctx, const struct gbi_reconcile_row *r, struct gbi_err *err)
{
	struct out *o = ctx;
	char g[32] = "", x[32] = "", d[32];
	if (r->has_gbi)
		gbi_money_format(r->gbi, g, sizeof g);
	if (r->has_other)
		gbi_money_format(r->other, x, sizeof x);
	gbi_money_format(r->difference, d, sizeof d);
	int legacy = o->against == GBI_AGAINST_LEGACY;
	switch (o->fmt) {
	case GBI_OUT_CSV:
		gbi_reconcile_csv_row(stdout, r);
		break;
	case GBI_OUT_JSONL:
		fputs("{\"municipality\":", stdout);
		gbi_json_str(r->muni);
		fputs(",\"case_id\":", stdout);
		gbi_json_str(r->case_id);
		fputs(",\"period\":", stdout);
		gbi_json_str(r->period);
		printf(",\"%s\":%s,\"%s\":%s,\"difference\":%s,\"kind\":", legacy ? "gbi" : "recomputed", r->has_gbi ? g : "null",
		       legacy ? "legacy" : "stored", r->has_other ? x : "null", d);
		gbi_json_str(r->kind);
		fputs(",\"explanation\":", stdout);
		gbi_json_str(r->explanation);
		printf(",\"over_tolerance\":%s}\n", r->over ? "true" : "false");
		break;
	case GBI_OUT_TEXT:
		printf("%s %-12s %s %10s %10s %10s %-12s %s\n", r->muni, r->case_id, r->period, r->has_gbi ? g : "-",
		       r->has_other ? x : "-", d, r->kind, r->explanation);
		break;
	}
	return ferror(stdout) ? gbi_err_set(err, GBI_ESYS, "write error on standard output") : GBI_OK;
}

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", gbi_cmd_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (o->sum) {
		va_start(ap, fmt);
		vfprintf(o->sum, fmt, ap);
		va_end(ap);
	}
}

static gbi_status on_total(void *ctx, const char *what, const char *name, int64_t n, int64_t sum, struct gbi_err *err)
{
	char e[32];
	gbi_money_format(sum, e, sizeof e);
	say(ctx, "%s %s: %lld different, sum %s\n", what, name, (long long)n, e);
	(void)err;
	return GBI_OK;
}

static void on_note(void *ctx, const char *msg)
{
	(void)ctx;
	gbi_warning("%s", msg);
}

static int parse_period(const char *s, int32_t *ym)
{
	return gbi_parse_period(s, strlen(s), "YYYY-MM", ym) ? -1 : 0;
}

int cmd_reconcile(int argc, char **argv)
{
	int urc;
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"period", required_argument, NULL, 'p'},
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'U'},
		{"municipality", required_argument, NULL, 'm'},
		{"tolerance", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"against", required_argument, NULL, 'a'},
		{"parameters", required_argument, NULL, 'P'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gbi_reconcile_opts o = {0};
	struct out out = {GBI_OUT_TEXT, GBI_AGAINST_LEGACY, NULL};
	const char *store = NULL;
	int busy = 30000, c;
	int32_t period = 0, from = 0, to = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:p:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'p':
			if (parse_period(optarg, &period))
				return gbi_usage_error(usage_reconcile, "--period '%s': not a YYYY-MM month", optarg);
			break;
		case 'F':
			if (parse_period(optarg, &from))
				return gbi_usage_error(usage_reconcile, "--from '%s': not a YYYY-MM month", optarg);
			break;
		case 'U':
			if (parse_period(optarg, &to))
				return gbi_usage_error(usage_reconcile, "--to '%s': not a YYYY-MM month", optarg);
			break;
		case 'm':
			if ((urc = gbi_opt_muni(usage_reconcile, optarg, o.munis, &o.nmunis, GBI_RECONCILE_MAX_MUNIS)))
				return urc;
			break;
		case 't':
			if (gbi_parse_money(optarg, strlen(optarg), '.', 0, &o.tolerance) || o.tolerance < 0)
				return gbi_usage_error(usage_reconcile, "--tolerance '%s': not an amount in euros >= 0 (e.g. 0.50)", optarg);
			break;
		case 'f':
			if ((urc = gbi_opt_outfmt(usage_reconcile, optarg, &out.fmt)))
				return urc;
			break;
		case 'a':
			if (strcmp(optarg, "legacy") == 0)
				o.against = GBI_AGAINST_LEGACY;
			else if (strcmp(optarg, "calculations") == 0)
				o.against = GBI_AGAINST_CALCULATIONS;
			else
				return gbi_usage_error(usage_reconcile, "--against '%s': legacy or calculations", optarg);
			break;
		case 'P': o.parameters = optarg; break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_reconcile, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_reconcile, stdout);
			fputs(options_help, stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_reconcile, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_reconcile, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return gbi_usage_error(usage_reconcile, "unexpected argument '%s'", argv[optind]);
	if (period && (from || to))
		return gbi_usage_error(usage_reconcile, "give --period or --from and --to, not both");
	if (period)
		from = to = period;
	if (!from || !to)
		return gbi_usage_error(usage_reconcile, "--period YYYY-MM or --from and --to are required");
	if (from > to)
		return gbi_usage_error(usage_reconcile, "--from must not be after --to");
	o.from = from;
	o.to = to;
	out.against = o.against;

	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "reconcile", argc, argv, &s, &run);
	if (st)
		return st;
	o.run_id = run;
	struct gbi_reconcile_summary sum;
	struct gbi_err err;
	gbi_err_clear(&err);
	char counts[160] = "";
	if ((st = gbi_reconcile(s, &o, on_note, NULL, &sum, &err)) != GBI_OK) {
		gbi_fail(&err);
		return gbi_close_run(s, run, st, counts);
	}
	if (out.fmt == GBI_OUT_CSV)
		printf("%s\n", gbi_reconcile_csv_header(o.against));
	else if (out.fmt == GBI_OUT_TEXT)
		printf("%-4s %-12s %-7s %10s %10s %10s %-12s %s\n", "muni", "case_id", "period",
		       o.against == GBI_AGAINST_LEGACY ? "gbi" : "recomputed", o.against == GBI_AGAINST_LEGACY ? "legacy" : "stored",
		       "difference", "kind", "explanation");
	if ((st = gbi_reconcile_each(s, sum.id, on_row, &out, &err)) != GBI_OK) {
		gbi_fail(&err);
		return gbi_close_run(s, run, st, counts);
	}
	if (out.fmt == GBI_OUT_TEXT) {
		out.sum = stdout;
		putchar('\n');
	}
	char tol[32];
	gbi_money_format(o.tolerance, tol, sizeof tol);
	say(&out, "reconcile run %lld against %s: %lld case-months compared, %lld equal, %lld different, %lld over the tolerance %s\n",
	    (long long)sum.id, o.against == GBI_AGAINST_LEGACY ? "legacy" : "calculations", (long long)sum.compared,
	    (long long)sum.equal, (long long)sum.different, (long long)sum.over, tol);
	if ((st = gbi_reconcile_totals(s, sum.id, on_total, &out, &err)) != GBI_OK) {
		gbi_fail(&err);
		return gbi_close_run(s, run, st, counts);
	}
	snprintf(counts, sizeof counts, "reconcile_run=%lld compared=%lld equal=%lld different=%lld over=%lld",
		 (long long)sum.id, (long long)sum.compared, (long long)sum.equal, (long long)sum.different,
		 (long long)sum.over);
	return gbi_close_run(s, run, sum.over ? GBI_ATTENTION : GBI_OK, counts);
}
