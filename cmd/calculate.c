/*
 * calculate.c: gbi calculate, the month's bijstand of every household
 * (gbi-calculate(1)).  Options, then gbi_calc_run(), then the stored rows
 * printed as csv, jsonl or a text table; or one case explained.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gbi.h"
#include "calc.h"
#include "field.h"
#include "params.h"
#include "banned.h"

const char usage_calculate[] =
	"usage: gbi calculate [-d STORE] --period YYYY-MM [-m CODE]... [--case ID]...\n"
	"                     [--format csv|jsonl|text] [--explain CASE_ID] [--parameters FILE]\n"
	"                     [--busy-timeout SECONDS]\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE        the store (default $GBI_STORE, else ./gbi.db)\n"
	"  -p, --period YYYY-MM    the month to compute (required)\n"
	"  -m, --municipality CODE only this municipality (repeatable)\n"
	"      --case ID           only this case (repeatable)\n"
	"      --format F          csv (default), jsonl or text\n"
	"      --explain CASE_ID   print every step for one case; stores nothing\n"
	"      --parameters FILE   statutory parameters newer than the built-in table\n"
	"      --busy-timeout S    wait this long for another gbi's lock (30)\n";

struct out {
	enum gbi_outfmt fmt;
	long n;
	int warned;
};

static const char *m(int64_t c, char *b)
{
	*gbi_money_put(b, c) = '\0';
	return b;
}

/* csv: built by hand, it is the bulk of a national run's output; the
 * line's length, or 0 when it does not fit in line */
static size_t format_csv(const struct gbi_calc_row *r, char *line, size_t size)
{
	char *p = line;
	const char *txt[4] = {r->case_id, r->municipality, r->period, r->household};
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(txt[i]);
		if (n + 1 > (size_t)(line + size - p))
			return 0;
		memcpy(p, txt[i], n);
		p += n;
		*p++ = ',';
	}
	if ((size_t)(line + size - p) < 2 * 21 + 7 * 23)
		return 0;
	const int n2[2] = {r->cost_sharers, r->days};
	for (int i = 0; i < 2; i++) {
		p = gbi_int_put(p, n2[i]);
		*p++ = ',';
	}
	const int64_t v[7] = {r->norm, r->housing_reduction, r->sanction, r->income, r->bijstand, r->holiday_reserve, r->payable};
	for (int i = 0; i < 7; i++) {
		p = gbi_money_put(p, v[i]);
		*p++ = ',';
	}
	size_t n = strlen(r->status), k = strlen(r->reasons);
	if (n + k + 2 > (size_t)(line + size - p))
		return 0;
	memcpy(p, r->status, n);
	p += n;
	*p++ = ',';
	memcpy(p, r->reasons, k);
	p += k;
	*p++ = '\n';
	return (size_t)(p - line);
}

/* What print_row prints for r, at most size bytes into buf: its length
 * (more than size: nothing written, call again with that room), or
 * GBI_CALC_UNPRINTABLE.  Called on several threads at once: it only reads
 * the output's format. */
static size_t format_row(void *ctx, const struct gbi_calc_row *r, char *buf, size_t size)
{
	const struct out *o = ctx;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	int n = 0;
	switch (o->fmt) {
	case GBI_OUT_CSV: {
		char line[512];
		size_t len = format_csv(r, line, sizeof line);
		if (!len)
			return GBI_CALC_UNPRINTABLE;
		if (len <= size)
			memcpy(buf, line, len);
		return len;
	}
	case GBI_OUT_JSONL:
		n = snprintf(buf, size, "{\"case_id\":\"%s\",\"municipality\":\"%s\",\"period\":\"%s\",\"household\":\"%s\","
			     "\"cost_sharers\":%d,\"days\":%d,\"norm\":%s,\"housing_reduction\":%s,\"sanction\":%s,"
			     "\"income\":%s,\"bijstand\":%s,\"holiday_reserve\":%s,\"payable\":%s,\"status\":\"%s\","
			     "\"reasons\":\"%s\",\"components\":%s}\n",
			     r->case_id, r->municipality, r->period, r->household, r->cost_sharers, r->days, m(r->norm, a),
			     m(r->housing_reduction, b), m(r->sanction, c), m(r->income, d), m(r->bijstand, e),
			     m(r->holiday_reserve, f), m(r->payable, g), r->status, r->reasons, r->components);
		break;
	case GBI_OUT_TEXT:
		n = snprintf(buf, size, "%-10s %-4s %-13s %2d %4d %9s %8s %8s %9s %9s %8s %9s %-12s %s\n", r->case_id,
			     r->municipality, r->household, r->cost_sharers, r->days, m(r->norm, a), m(r->housing_reduction, b),
			     m(r->sanction, c), m(r->income, d), m(r->bijstand, e), m(r->holiday_reserve, f), m(r->payable, g),
			     r->status, r->reasons);
		break;
	}
	return n < 0 ? GBI_CALC_UNPRINTABLE : (size_t)n;
}

/* Prints a row as format_row wrote it, in order (the text table's header
 * before the first). */
static int print_bytes(void *ctx, const char *bytes, size_t n)
{
	struct out *o = ctx;
	if (o->fmt == GBI_OUT_TEXT && o->n == 0)
		printf("%-10s %-4s %-13s %2s %4s %9s %8s %8s %9s %9s %8s %9s %-12s %s\n", "case", "muni", "household",
		       "A", "days", "norm", "housing", "sanction", "income", "bijstand", "vt", "payable", "status", "reasons");
	o->n++;
	if (fwrite(bytes, 1, n, stdout) != n)
		return 1;
	return ferror(stdout) ? 1 : 0;
}

static int print_row(void *ctx, const struct gbi_calc_row *r)
{
	char buf[4096], *big = NULL, *p = buf;
	size_t n = format_row(ctx, r, buf, sizeof buf);
	if (n == GBI_CALC_UNPRINTABLE)
		return 1;
	if (n > sizeof buf) {
		if (!(big = malloc(n + 1)))
			return 1;
		format_row(ctx, r, big, n + 1);
		p = big;
	}
	int rc = print_bytes(ctx, p, n);
	free(big);
	return rc;
}

static void on_say(void *ctx, const char *line)
{
	(void)ctx;
	puts(line);
}

static void on_warn(void *ctx, const char *msg)
{
	struct out *o = ctx;
	o->warned = 1;
	gbi_warning("%s", msg);
}

int cmd_calculate(int argc, char **argv)
{
	int urc;
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"period", required_argument, NULL, 'p'},
		{"municipality", required_argument, NULL, 'm'},
		{"case", required_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'},
		{"explain", required_argument, NULL, 'x'},
		{"parameters", required_argument, NULL, 'P'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gbi_calc_opts o;
	memset(&o, 0, sizeof o);
	const char *store = NULL, *period = NULL, *paramfile = NULL;
	struct out out = {GBI_OUT_CSV, 0, 0};
	int busy = 30000, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'p': period = optarg; break;
		case 'm':
			if ((urc = gbi_opt_muni(usage_calculate, optarg, o.munis, &o.nmunis, GBI_CALC_MAX_FILTER)))
				return urc;
			break;
		case 'c':
			if (gbi_parse_case_id(optarg, strlen(optarg)))
				return gbi_usage_error(usage_calculate, "--case '%s': not a case id", optarg);
			if (o.ncases == GBI_CALC_MAX_FILTER)
				return gbi_usage_error(usage_calculate, "at most %d --case options", GBI_CALC_MAX_FILTER);
			o.cases[o.ncases++] = optarg;
			break;
		case 'f':
			if ((urc = gbi_opt_outfmt(usage_calculate, optarg, &out.fmt)))
				return urc;
			break;
		case 'x':
			if (gbi_parse_case_id(optarg, strlen(optarg)))
				return gbi_usage_error(usage_calculate, "--explain '%s': not a case id", optarg);
			o.explain = optarg;
			break;
		case 'P': paramfile = optarg; break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_calculate, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_calculate, stdout);
			fputs(options_help, stdout);
			return 0;
		default:
			return gbi_usage_error(usage_calculate, "unknown option");
		}
	}
	if (optind < argc)
		return gbi_usage_error(usage_calculate, "unexpected argument '%s'", argv[optind]);
	if (!period)
		return gbi_usage_error(usage_calculate, "--period YYYY-MM is required");
	int32_t ym;
	if (gbi_parse_period(period, strlen(period), "YYYY-MM", &ym))
		return gbi_usage_error(usage_calculate, "--period '%s': not a month YYYY-MM", period);
	o.period = ym;

	struct gbi_store *s;
	int64_t run_id;
	int rc = gbi_open_run(store, busy, "calculate", argc, argv, &s, &run_id);
	if (rc)
		return rc;
	o.run_id = run_id;
	o.say = on_say;
	o.warn = on_warn;
	o.row = print_row;
	o.format = format_row;
	o.print = print_bytes;
	o.ctx = &out;
	struct gbi_err err;
	gbi_err_clear(&err);
	struct gbi_params *p = NULL;
	struct gbi_calc_summary sum;
	char counts[256] = "";
	int status = 0;
	/* rows are printed as they are stored, in (case_id, municipality) order */
	/* a national run prints 38 MB: in 64 KiB writes, not 4 KiB ones */
	static char obuf[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (!o.explain && out.fmt == GBI_OUT_CSV)
		fputs("case_id,municipality,period,household,cost_sharers,days,norm,housing_reduction,sanction,"
		      "income,bijstand,holiday_reserve,payable,status,reasons\n", stdout);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (gbi_params_load(s, paramfile, &p, &err) || gbi_calc_run(s, p, &o, &sum, &err)) {
		status = gbi_fail(&err);
	} else if (!o.explain) {
		char tot[32];
		gbi_money_format(sum.total_payable, tot, sizeof tot);
		snprintf(counts, sizeof counts, "calc_run=%lld cases=%ld payable=%ld nil=%ld held=%ld not_entitled=%ld total=%s",
			 (long long)sum.calc_run_id, sum.cases, sum.payable, sum.nil, sum.held, sum.not_entitled, tot);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		fprintf(stderr, "%s: %s: %s (%.2f s, %.0f cases/s)\n", gbi_cmd_name, period, counts, secs,
			secs > 0 ? (double)sum.cases / secs : 0.0);
		if (out.warned || sum.held)
			status = GBI_ATTENTION;
	}
	gbi_params_free(p);
	return gbi_close_run(s, run_id, status, counts);
}
