/*
 * diff.c: gbi diff, what changed between two batches (gbi-diff(1)).
 * Options, gbi_diff(), and the three output formats.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbi.h"
#include "csvout.h"
#include "diff.h"
#include "field.h"
#include "banned.h"

const char usage_diff[] =
	"usage: gbi diff [-d STORE] [-m CODE] [--format csv|jsonl|text] [--busy-timeout SECONDS]\n"
	"                [BATCH_A [BATCH_B]]\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE         the store (default $GBI_STORE, else ./gbi.db)\n"
	"  -m, --municipality CODE  only this municipality\n"
	"      --format FMT         csv, jsonl or text (default text)\n"
	"      --busy-timeout S     wait this long for another gbi's lock (30)\n"
	"Without batches each table compares its last two batches; BATCH_A alone is\n"
	"compared with the latest batch.\n";


struct out {
	enum gbi_outfmt fmt;
	int rows;       /* details started */
};

static gbi_status on_count(void *ctx, const char *table, const char *change, int64_t n, struct gbi_err *err)
{
	struct out *o = ctx;
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)n);
	switch (o->fmt) {
	case GBI_OUT_CSV: {
		const char *f[9] = {"count", table, change, num, "", "", "", "", ""};
		gbi_csv_row(stdout, 9, f);
		break;
	}
	case GBI_OUT_JSONL:
		fputs("{\"record\":\"count\",\"table\":", stdout);
		gbi_json_str(table);
		fputs(",\"change\":", stdout);
		gbi_json_str(change);
		printf(",\"count\":%s}\n", num);
		break;
	case GBI_OUT_TEXT:
		printf("%-13s %-13s %8s\n", table, change, num);
		break;
	}
	return ferror(stdout) ? gbi_err_set(err, GBI_ESYS, "write error on standard output") : GBI_OK;
}

static gbi_status on_row(void *ctx, const struct gbi_diff_row *r, struct gbi_err *err)
{
	struct out *o = ctx;
	switch (o->fmt) {
	case GBI_OUT_CSV: {
		const char *f[9] = {"change", r->table, r->change, "", r->muni, r->case_id, r->key, r->before, r->after};
		gbi_csv_row(stdout, 9, f);
		break;
	}
	case GBI_OUT_JSONL: {
		const char *names[] = {"table", "change", "municipality", "case_id", "key", "before", "after"};
		const char *vals[] = {r->table, r->change, r->muni, r->case_id, r->key, r->before, r->after};
		fputs("{\"record\":\"change\"", stdout);
		for (int i = 0; i < 7; i++) {
			printf(",\"%s\":", names[i]);
			gbi_json_str(vals[i]);
		}
		fputs("}\n", stdout);
		break;
	}
	case GBI_OUT_TEXT:
		if (!o->rows)
			putchar('\n');
		printf("%s %s %s", r->table, r->change, r->muni[0] ? r->muni : "-");
		if (r->case_id[0])
			printf(" %s", r->case_id);
		const char *k = r->key;
		size_t n = strlen(r->case_id);
		if (n && strncmp(k, r->case_id, n) == 0 && (k[n] == ' ' || !k[n]))
			k += n + (k[n] == ' ');
		if (*k)
			printf(" %s", k);
		printf(": %s -> %s\n", r->before[0] ? r->before : "(none)", r->after[0] ? r->after : "(none)");
		break;
	}
	o->rows = 1;
	return ferror(stdout) ? gbi_err_set(err, GBI_ESYS, "write error on standard output") : GBI_OK;
}

static int parse_batch(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	int urc;
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"municipality", required_argument, NULL, 'm'},
		{"format", required_argument, NULL, 'f'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gbi_diff_opts o = {0};
	struct out out = {GBI_OUT_TEXT, 0};
	const char *store = NULL;
	int busy = 30000, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'm':
			if (gbi_parse_municipality(optarg, strlen(optarg)))
				return gbi_usage_error(usage_diff, "--municipality '%s': not a 4-digit CBS code", optarg);
			o.muni = optarg;
			break;
		case 'f':
			if ((urc = gbi_opt_outfmt(usage_diff, optarg, &out.fmt)))
				return urc;
			break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_diff, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_diff, stdout);
			fputs(options_help, stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_diff, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_diff, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 2)
		return gbi_usage_error(usage_diff, "unexpected argument '%s'", argv[optind + 2]);
	if (optind < argc && parse_batch(argv[optind], &o.batch_a))
		return gbi_usage_error(usage_diff, "BATCH_A '%s': not a batch number", argv[optind]);
	if (optind + 1 < argc && parse_batch(argv[optind + 1], &o.batch_b))
		return gbi_usage_error(usage_diff, "BATCH_B '%s': not a batch number", argv[optind + 1]);

	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "diff", argc, argv, &s, &run);
	if (st)
		return st;
	if (out.fmt == GBI_OUT_CSV)
		fputs("record,table,change,count,municipality,case_id,key,before,after\n", stdout);
	else if (out.fmt == GBI_OUT_TEXT) {
		printf("%-13s %-13s %8s\n", "table", "change", "count");
	}
	struct gbi_diff_cb cb = {on_count, on_row, &out};
	struct gbi_diff_info info;
	struct gbi_err err;
	gbi_err_clear(&err);
	char counts[120] = "";
	if (gbi_diff(s, &o, &cb, &info, &err)) {
		st = gbi_fail(&err);
	} else {
		fprintf(stderr, "%s: %lld changes in %lld table/municipality pairs", gbi_cmd_name,
			(long long)info.changes, (long long)info.pairs);
		if (info.batch_min)
			fprintf(stderr, ", batches %lld..%lld", (long long)info.batch_min, (long long)info.batch_max);
		fputc('\n', stderr);
		snprintf(counts, sizeof counts, "changes=%lld pairs=%lld", (long long)info.changes, (long long)info.pairs);
	}
	return gbi_close_run(s, run, st, counts);
}
