/*
 * export.c: gbi export, what leaves gbi (gbi-export(1)).  Parses options,
 * picks the calculation run, calls the library writer of the format and
 * reports the totals and the SHA-256 of the exact bytes on stderr.
 */
#define _GNU_SOURCE /* fopencookie: the reconcile writer takes a FILE */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbi.h"
#include "bundle.h"
#include "export.h"
#include "field.h"
#include "reconcile.h"
#include "sepa.h"
#include "banned.h"

const char usage_export[] =
	"usage: gbi export FORMAT --period YYYY-MM [-d STORE] [-m CODE]... [-o FILE] [--run ID]\n"
	"                  [--version 09|03] [--date YYYY-MM-DD] [--batch-size N] [--indent] [--jsonl]\n"
	"                  [--busy-timeout SECONDS]\n"
	"       gbi export reconcile --run ID [-d STORE] [-o FILE]\n"
	"       gbi export verify-bundle FILE\n";

static const char options_help[] =
	"\n"
	"FORMAT is pain001, payments, results, findings, bus, stats or bundle;\n"
	"reconcile writes a stored gbi reconcile run (--run ID) for the auditors.\n"
	"  -p, --period YYYY-MM     the period; its latest calculation run is exported\n"
	"  -d, --store FILE         the store (default $GBI_STORE, else ./gbi.db)\n"
	"  -m, --municipality CODE  only this municipality (repeatable)\n"
	"  -o, --output FILE        write FILE (mode 0600, renamed into place when complete);\n"
	"                           default standard output\n"
	"      --run ID             export this calculation run, even when stale\n"
	"      --version 09|03      pain.001.001.09 (default) or pain.001.001.03\n"
	"      --date YYYY-MM-DD    requested execution date (default: policy payment_day)\n"
	"      --batch-size N       transactions per payment block, at most 100000 (default)\n"
	"      --indent             pain001: one element per line, indented (larger file)\n"
	"      --jsonl              results and findings as JSON Lines instead of CSV\n"
	"      --busy-timeout S     wait this long for another gbi's lock (30)\n";

static const char *const formats[] = {"pain001", "payments", "results", "findings", "bus", "stats", "bundle"};

static void note(void *ctx, const char *name, uint64_t size, const char *sha)
{
	(void)ctx;
	printf("ok %s %llu %s\n", name, (unsigned long long)size, sha);
}

static ssize_t out_cookie_write(void *cookie, const char *buf, size_t n)
{
	gbi_out_write(cookie, buf, n);
	return (ssize_t)n;
}

/* gbi export reconcile --run ID: the stored reconcile run as CSV. */
static int export_reconcile(const char *store, int busy, int64_t id, const char *output, int argc, char **argv)
{
	struct gbi_store *s;
	int64_t run;
	struct gbi_err err;
	char counts[160] = "", sha[65];
	gbi_err_clear(&err);
	int st = gbi_open_run(store, busy, "export", argc, argv, &s, &run);
	if (st)
		return st;
	struct gbi_out *out = malloc(sizeof *out);
	if (!out) {
		gbi_error("out of memory");
		return gbi_close_run(s, run, GBI_ESYS, "");
	}
	cookie_io_functions_t io = {.write = out_cookie_write};
	FILE *fp = NULL;
	if ((st = gbi_out_open(out, output, &err)))
		goto done;
	if (!(fp = fopencookie(out, "w", io))) {
		gbi_out_abort(out);
		st = gbi_err_set(&err, GBI_ESYS, "out of memory");
		goto done;
	}
	st = gbi_reconcile_write_csv(s, id, fp, &err);
	if (fclose(fp) != 0 && !st)
		st = gbi_err_set(&err, GBI_ESYS, "write error: %s", strerror(errno));
	if (st) {
		gbi_out_abort(out);
		goto done;
	}
	if ((st = gbi_out_commit(out, sha, &err)))
		goto done;
	fprintf(stderr, "%s: %s: reconcile run %lld\n", gbi_cmd_name,
		output && strcmp(output, "-") != 0 ? output : "standard output", (long long)id);
	fprintf(stderr, "%s: sha256 %s  %llu bytes\n", gbi_cmd_name, sha, (unsigned long long)out->bytes);
	snprintf(counts, sizeof counts, "format=reconcile reconcile_run=%lld sha256=%s", (long long)id, sha);
done:
	if (st)
		gbi_fail(&err);
	free(out);
	return gbi_close_run(s, run, st, counts);
}

static int verify_bundle(const char *path)
{
	struct gbi_err err;
	int64_t files = 0;
	gbi_err_clear(&err);
	if (gbi_bundle_verify(path, note, NULL, &files, &err))
		return gbi_fail(&err);
	fprintf(stderr, "%s: %s: MANIFEST and %lld files agree\n", gbi_cmd_name, path, (long long)files);
	return 0;
}

static int64_t whole(const char *s, int64_t lo, int64_t hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return -1;
	return v;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"period", required_argument, NULL, 'p'},
		{"store", required_argument, NULL, 'd'},
		{"municipality", required_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		{"run", required_argument, NULL, 'R'},
		{"version", required_argument, NULL, 'V'},
		{"date", required_argument, NULL, 'D'},
		{"batch-size", required_argument, NULL, 'B'},
		{"jsonl", no_argument, NULL, 'j'},
		{"indent", no_argument, NULL, 'I'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *period = NULL, *store = NULL, *output = NULL, *munis[GBI_EXPORT_MAX_MUNIS];
	int nmunis = 0, busy = 30000, c;
	int64_t run_id = 0;
	struct gbi_sepa_opts so = {9, NULL, NULL, 0, 0};
	struct gbi_export_opts eo = {NULL, 0};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:m:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': period = optarg; break;
		case 'd': store = optarg; break;
		case 'm':
			if (nmunis >= GBI_EXPORT_MAX_MUNIS)
				return gbi_usage_error(usage_export, "at most %d --municipality codes", GBI_EXPORT_MAX_MUNIS);
			munis[nmunis++] = optarg;
			break;
		case 'o': output = optarg; break;
		case 'R':
			if ((run_id = whole(optarg, 1, INT64_MAX)) < 0)
				return gbi_usage_error(usage_export, "--run '%s': not a run id", optarg);
			break;
		case 'V':
			if (strcmp(optarg, "09") == 0 || strcmp(optarg, "9") == 0)
				so.version = 9;
			else if (strcmp(optarg, "03") == 0 || strcmp(optarg, "3") == 0)
				so.version = 3;
			else
				return gbi_usage_error(usage_export, "--version '%s': 09 or 03", optarg);
			break;
		case 'D': {
			int32_t ymd;
			if (strlen(optarg) != 10 || gbi_parse_date(optarg, 10, "YYYY-MM-DD", &ymd))
				return gbi_usage_error(usage_export, "--date '%s': not a date YYYY-MM-DD", optarg);
			so.date = optarg;
			break;
		}
		case 'B':
			if ((so.batch_max = whole(optarg, 1, GBI_SEPA_BATCH_MAX)) < 0)
				return gbi_usage_error(usage_export, "--batch-size '%s': a number 1..%d", optarg,
						       GBI_SEPA_BATCH_MAX);
			break;
		case 'j': eo.jsonl = 1; break;
		case 'I': so.indent = 1; break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_export, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_export, stdout);
			fputs(options_help, stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_export, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_export, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return gbi_usage_error(usage_export, "no FORMAT given");
	const char *fmt = argv[optind];
	if (strcmp(fmt, "verify-bundle") == 0) {
		if (argc - optind != 2)
			return gbi_usage_error(usage_export, "verify-bundle takes one FILE");
		return verify_bundle(argv[optind + 1]);
	}
	if (strcmp(fmt, "reconcile") == 0) {
		if (argc - optind != 1)
			return gbi_usage_error(usage_export, "unexpected argument '%s'", argv[optind + 1]);
		if (!run_id)
			return gbi_usage_error(usage_export, "reconcile needs --run ID (gbi log shows the reconcile runs)");
		return export_reconcile(store, busy, run_id, output, argc, argv);
	}
	size_t f;
	for (f = 0; f < sizeof formats / sizeof formats[0]; f++)
		if (strcmp(fmt, formats[f]) == 0)
			break;
	if (f == sizeof formats / sizeof formats[0])
		return gbi_usage_error(usage_export, "unknown FORMAT '%s'", fmt);
	if (argc - optind != 1)
		return gbi_usage_error(usage_export, "unexpected argument '%s'", argv[optind + 1]);
	int32_t ym;
	if (!period)
		return gbi_usage_error(usage_export, "--period YYYY-MM is required");
	if (strlen(period) != 7 || gbi_parse_period(period, 7, "YYYY-MM", &ym))
		return gbi_usage_error(usage_export, "--period '%s': not a period YYYY-MM", period);
	if (f == 6 && (!output || strcmp(output, "-") == 0) && isatty(1))
		return gbi_usage_error(usage_export, "a bundle is binary: not written to a terminal (use -o FILE)");
	if (eo.jsonl && strcmp(fmt, "results") != 0 && strcmp(fmt, "findings") != 0)
		return gbi_usage_error(usage_export, "--jsonl is for results and findings");
	struct gbi_err err;
	gbi_err_clear(&err);
	static char mfilter[GBI_EXPORT_MAX_MUNIS * 5 + 2];
	if (gbi_export_munis(munis, nmunis, mfilter, sizeof mfilter, &err))
		return gbi_usage_error(usage_export, "%s", err.msg);
	so.munis = eo.munis = mfilter;

	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "export", argc, argv, &s, &run);
	if (st)
		return st;
	struct gbi_export_run *r = malloc(sizeof *r);
	struct gbi_out *out = malloc(sizeof *out);
	struct gbi_export_totals t;
	memset(&t, 0, sizeof t);
	char counts[256] = "";
	if (!r || !out) {
		free(r);
		free(out);
		gbi_error("out of memory");
		return gbi_close_run(s, run, GBI_ESYS, "");
	}
	if ((st = gbi_store_exec(s, "BEGIN", &err)))
		goto done;
	if ((st = gbi_export_run_find(s, period, run_id, r, &err))
	    || (!run_id && (st = gbi_export_run_covers(s, r, mfilter, &err)))) {
		gbi_store_exec(s, "ROLLBACK", NULL);
		goto done;
	}
	if ((st = gbi_out_open(out, output, &err))) {
		gbi_store_exec(s, "ROLLBACK", NULL);
		goto done;
	}
	switch (f) {
	case 0: st = gbi_sepa_write(s, r, &so, out, &t, &err); break;
	case 1: st = gbi_sepa_payments_csv(s, r, &so, out, &t, &err); break;
	case 2: st = gbi_export_results(s, r, &eo, out, &t, &err); break;
	case 3: st = gbi_export_findings(s, r, &eo, out, &t, &err); break;
	case 4: st = gbi_export_bus(s, r, &eo, out, &t, &err); break;
	case 5: st = gbi_export_stats(s, r, &eo, out, &t, &err); break;
	default: st = gbi_bundle_write(s, r, &so, out, &t, &err); break;
	}
	gbi_store_exec(s, "COMMIT", NULL);
	if (st) {
		gbi_out_abort(out);
		goto done;
	}
	if ((st = gbi_out_commit(out, t.sha256, &err)))
		goto done;
	char tot[32];
	gbi_money_format(t.total, tot, sizeof tot);
	const char *where = output && strcmp(output, "-") != 0 ? output : "standard output";
	if (f == 0)
		fprintf(stderr, "%s: %s: calc run %lld, %s: %lld transactions in %lld payment blocks, total EUR %s\n",
			gbi_cmd_name, where, (long long)r->id, r->period, (long long)t.rows, (long long)t.blocks, tot);
	else if (f == 6)
		fprintf(stderr, "%s: %s: calc run %lld, %s: %lld files, payments total EUR %s\n", gbi_cmd_name, where,
			(long long)r->id, r->period, (long long)t.rows, tot);
	else
		fprintf(stderr, "%s: %s: calc run %lld, %s: %lld rows, total EUR %s\n", gbi_cmd_name, where,
			(long long)r->id, r->period, (long long)t.rows, tot);
	fprintf(stderr, "%s: sha256 %s  %llu bytes\n", gbi_cmd_name, t.sha256, (unsigned long long)out->bytes);
	if (f == 0 && t.max_block >= 20000)
		fprintf(stderr, "%s: note: a payment block holds %lld transactions; BNG wants blocks of 20,000 or more confirmed a working day ahead\n",
			gbi_cmd_name, (long long)t.max_block);
	snprintf(counts, sizeof counts, "format=%s calc_run=%lld rows=%lld total=%s sha256=%s", fmt, (long long)r->id,
		 (long long)t.rows, tot, t.sha256);
done:
	if (st)
		gbi_fail(&err);
	free(r);
	free(out);
	return gbi_close_run(s, run, st, counts);
}
