/*
 * policy.c: gbi policy, the local policy in force per municipality
 * (gbi-policy(1)), with defaults marked.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbi.h"
#include "audit.h"
#include "field.h"
#include "params.h"
#include "policy.h"
#include "banned.h"

const char usage_policy[] =
	"usage: gbi policy [-d STORE] [-m CODE]... [--date YYYY-MM-DD] [--keys]\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE        the store (default $GBI_STORE, else ./gbi.db)\n"
	"  -m, --municipality CODE only this municipality (repeatable; default: all in the store)\n"
	"      --date YYYY-MM-DD   the policy in force on this day (default today)\n"
	"      --keys              list the documented keys with their defaults\n"
	"Each line: municipality, key, value, and where the value comes from (the row's\n"
	"valid_from, or 'default').\n";

#define MAXM 400

struct munis {
	char code[MAXM][5];
	int n;
};

static void add_muni(void *ctx, const char *m)
{
	struct munis *ms = ctx;
	if (ms->n < MAXM)
		gbi_strlcpy(ms->code[ms->n++], m, 5);
}

int cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"municipality", required_argument, NULL, 'm'},
		{"date", required_argument, NULL, 'D'},
		{"keys", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct munis ms;
	const char *store = NULL, *date = NULL;
	int c, keys = 0, busy = 30000;
	ms.n = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'm':
			if (gbi_parse_municipality(optarg, strlen(optarg)))
				return gbi_usage_error(usage_policy, "--municipality '%s': not a 4-digit CBS code", optarg);
			add_muni(&ms, optarg);
			break;
		case 'D': date = optarg; break;
		case 'k': keys = 1; break;
		case 'h':
			fputs(usage_policy, stdout);
			fputs(options_help, stdout);
			return 0;
		default:
			return gbi_usage_error(usage_policy, "unknown option");
		}
	}
	if (optind < argc)
		return gbi_usage_error(usage_policy, "unexpected argument '%s'", argv[optind]);
	if (keys) {
		for (int i = 0; gbi_policy_key_at(i); i++) {
			const struct gbi_policy_key *k = gbi_policy_key_at(i);
			printf("%-26s %-32s %-14s %s\n", k->key, k->check, k->def ? k->def : "(none)", k->doc);
		}
		return 0;
	}
	int32_t ymd;
	char today[21];
	if (!date) {
		gbi_timestamp(today);
		today[10] = '\0';
		date = today;
	}
	if (!(ymd = gbi_ymd_parse(date)))
		return gbi_usage_error(usage_policy, "--date '%s': not a date YYYY-MM-DD", date);
	struct gbi_store *s;
	int64_t run_id;
	int rc = gbi_open_run(store, busy, "policy", argc, argv, &s, &run_id);
	if (rc)
		return rc;
	struct gbi_err err;
	gbi_err_clear(&err);
	int status = 0;
	if (ms.n == 0 && gbi_policy_munis(s, add_muni, &ms, &err))
		status = gbi_fail(&err);
	for (int i = 0; i < ms.n && !status; i++) {
		int64_t nrows;
		if (gbi_policy_rows(s, ms.code[i], &nrows, &err)) {
			status = gbi_fail(&err);
			break;
		}
		if (nrows == 0) {
			gbi_warning("municipality %s has no policy rows: the defaults below apply", ms.code[i]);
			status = GBI_ATTENTION;
		}
		for (int k = 0; gbi_policy_key_at(k); k++) {
			const struct gbi_policy_key *key = gbi_policy_key_at(k);
			char v[256], from[16] = "default";
			int def;
			int32_t vf;
			gbi_status st = gbi_policy_value_from(s, ms.code[i], key->key, ymd, v, sizeof v, &def, &vf, &err);
			if (st == GBI_EINPUT && !key->def && strstr(err.msg, "has no value")) {
				gbi_strlcpy(v, "-", sizeof v);
				gbi_strlcpy(from, "(no value)", sizeof from);
			} else if (st) {
				gbi_error("%s", err.msg);
				status = st;
				continue;
			} else if (!def) {
				gbi_date_format(vf, from);
			}
			printf("%s  %-26s %-26s %s\n", ms.code[i], key->key, v, from);
		}
	}
	if (ms.n == 0 && !status)
		gbi_warning("the store has no municipalities; gbi policy --keys lists the keys and defaults");
	return gbi_close_run(s, run_id, status, "");
}
