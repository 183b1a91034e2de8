/*
 * prune.c: gbi prune, dropping replaced rows of old batches (gbi-prune(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbi.h"
#include "audit.h"
#include "banned.h"

const char usage_prune[] =
	"usage: gbi prune [-d STORE] --keep N [--busy-timeout SECONDS]\n";

int cmd_prune(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"keep", required_argument, NULL, 'k'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *store = NULL;
	int busy = 30000, c;
	long long keep = -1;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'k':
			errno = 0;
			keep = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || keep < 0)
				return gbi_usage_error(usage_prune, "--keep '%s': not a whole number >= 0", optarg);
			break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_prune, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_prune, stdout);
			fputs("\n  -d, --store FILE   the store\n      --keep N       keep the newest N batches whole\n", stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_prune, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_prune, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (keep < 0)
		return gbi_usage_error(usage_prune, "--keep N is required");
	if (optind < argc)
		return gbi_usage_error(usage_prune, "unexpected argument '%s'", argv[optind]);
	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "prune", argc, argv, &s, &run);
	if (st)
		return st;
	struct gbi_err err;
	gbi_err_clear(&err);
	int64_t batches, rows;
	char counts[100] = "";
	if (gbi_prune(s, keep, &batches, &rows, &err))
		st = gbi_fail(&err);
	else {
		fprintf(stderr, "%s: removed %lld replaced rows and %lld batches\n", gbi_cmd_name, (long long)rows,
			(long long)batches);
		snprintf(counts, sizeof counts, "rows=%lld batches=%lld", (long long)rows, (long long)batches);
	}
	return gbi_close_run(s, run, st, counts);
}
