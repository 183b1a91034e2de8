/*
 * log.c: gbi log, the runs and batches of a store, newest first (gbi-log(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbi.h"
#include "audit.h"
#include "banned.h"

const char usage_log[] =
	"usage: gbi log [-d STORE] [-n N] [--busy-timeout SECONDS]\n";

static gbi_status show(void *ctx, const struct gbi_log_entry *e, struct gbi_err *err)
{
	(void)ctx;
	(void)err;
	if (strcmp(e->kind, "run") == 0)
		printf("run %lld  %s  %s\n", (long long)e->id, e->when, e->text);
	else
		printf("    batch %lld  %s\n", (long long)e->id, e->text);
	return GBI_OK;
}

int cmd_log(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *store = NULL;
	int busy = 30000, c;
	long long n = 0;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'n':
			errno = 0;
			n = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1)
				return gbi_usage_error(usage_log, "-n '%s': not a whole number > 0", optarg);
			break;
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_log, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'h':
			fputs(usage_log, stdout);
			fputs("\n  -d, --store FILE   the store\n  -n N               the newest N runs only\n", stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_log, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_log, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return gbi_usage_error(usage_log, "unexpected argument '%s'", argv[optind]);
	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "log", argc, argv, &s, &run);
	if (st)
		return st;
	struct gbi_err err;
	gbi_err_clear(&err);
	if (gbi_log_each(s, n, show, NULL, &err))
		st = gbi_fail(&err);
	return gbi_close_run(s, run, st, "");
}
