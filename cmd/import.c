/*
 * import.c: gbi import, the nightly load (gbi-import(1)).
 * Parses options, calls gbi_import(), reports rejects and counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gbi.h"
#include "csvout.h"
#include "field.h"
#include "import.h"
#include "banned.h"

const char usage_import[] =
	"usage: gbi import [-d STORE] [--format NAME] [--formats-dir DIR] [--table TABLE]\n"
	"                  [-m CODE]... [--rejects FILE] [--max-rejects N] [--max-bytes N]\n"
	"                  [--busy-timeout SECONDS] [-q] INPUT...\n";

static const char options_help[] =
	"\n"
	"  -d, --store FILE        the store (default $GBI_STORE, else ./gbi.db)\n"
	"      --format NAME       extract format: gbi-v1 (default), nl-legacy, or DIR/NAME.fmt\n"
	"      --formats-dir DIR   where to look for NAME.fmt first (default $GBI_FORMATS)\n"
	"      --table TABLE       the table of a single file or of - (standard input)\n"
	"  -m, --municipality CODE the municipality the batch covers (repeatable)\n"
	"      --rejects FILE      write every rejected row to FILE (CSV)\n"
	"      --max-rejects N     rejected rows allowed before the batch is refused (0)\n"
	"      --max-bytes N       ceiling on decompressed bytes per input (4 GiB)\n"
	"      --busy-timeout S    wait this long for another gbi's lock (30)\n"
	"  -q, --quiet             no progress on a terminal\n"
	"INPUT is a directory of TABLE.csv files, a table file (.csv, .csv.gz, .csv.zst),\n"
	"an archive (.zip, .tar, .tar.gz, .tgz, .tar.zst) or - for standard input.\n";

#define SHOW_REJECTS 10

struct report {
	FILE *rejects;
	long shown;
	int progress;
	struct timespec t0;
	int progress_line;
};

static void on_reject(void *ctx, const struct gbi_reject *r)
{
	struct report *rep = ctx;
	if (rep->progress_line) {
		fputs("\r\033[K", stderr);
		rep->progress_line = 0;
	}
	if (rep->shown < SHOW_REJECTS) {
		if (r->column[0])
			gbi_error("%s:%ld: %s '%s': %s", r->file, r->line, r->column, r->value, r->reason);
		else
			gbi_error("%s:%ld: %s", r->file, r->line, r->reason);
	}
	rep->shown++;
	if (rep->rejects) {
		char line[32];
		snprintf(line, sizeof line, "%ld", r->line);
		const char *f[5] = {r->file, line, r->column, r->value, r->reason};
		gbi_csv_row(rep->rejects, 5, f);
	}
}

static void on_progress(void *ctx, const char *name, uint64_t done, uint64_t total, long rows)
{
	struct report *rep = ctx;
	if (!rep->progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs = (double)(now.tv_sec - rep->t0.tv_sec) + (double)(now.tv_nsec - rep->t0.tv_nsec) / 1e9;
	double rate = secs > 0 ? (double)rows / secs : 0;
	if (total)
		fprintf(stderr, "\r\033[K%s: %ld rows, %.0f rows/s, %d%%", name, rows, rate,
			(int)(done * 100 / (total ? total : 1)));
	else
		fprintf(stderr, "\r\033[K%s: %ld rows, %.0f rows/s", name, rows, rate);
	rep->progress_line = 1;
}

static void on_note(void *ctx, const char *msg)
{
	(void)ctx;
	gbi_warning("%s", msg);
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"store", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'F'},
		{"formats-dir", required_argument, NULL, 'D'},
		{"table", required_argument, NULL, 't'},
		{"municipality", required_argument, NULL, 'm'},
		{"rejects", required_argument, NULL, 'r'},
		{"max-rejects", required_argument, NULL, 'R'},
		{"max-bytes", required_argument, NULL, 'B'},
		{"busy-timeout", required_argument, NULL, 'T'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct gbi_import_opts o = {0};
	struct report rep = {0};
	const char *store = NULL, *rejects = NULL;
	int busy = 30000, quiet = 0, c;
	char *end;

	o.formats_dir = getenv("GBI_FORMATS");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:m:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': store = optarg; break;
		case 'F': o.format = optarg; break;
		case 'D': o.formats_dir = optarg; break;
		case 't': o.table = optarg; break;
		case 'm':
			if (o.nmunis >= GBI_MAX_MUNIS)
				return gbi_usage_error(usage_import, "at most %d --municipality codes", GBI_MAX_MUNIS);
			o.munis[o.nmunis++] = optarg;
			break;
		case 'r': rejects = optarg; break;
		case 'R':
			errno = 0;
			o.max_rejects = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.max_rejects < 0)
				return gbi_usage_error(usage_import, "--max-rejects '%s': not a whole number >= 0", optarg);
			break;
		case 'B': {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || v == 0 || optarg[0] == '-')
				return gbi_usage_error(usage_import, "--max-bytes '%s': not a whole number > 0", optarg);
			o.max_bytes = v;
			break;
		}
		case 'T':
			if ((busy = gbi_busy_ms(optarg)) < 0)
				return gbi_usage_error(usage_import, "--busy-timeout '%s': not a number of seconds", optarg);
			break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(usage_import, stdout);
			fputs(options_help, stdout);
			return 0;
		case ':':
			return gbi_usage_error(usage_import, "option '%s' needs a value", argv[optind - 1]);
		default:
			return gbi_usage_error(usage_import, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return gbi_usage_error(usage_import, "no INPUT given");
	if (o.format && strchr(o.format, '/')) {
		/* --format DIR/NAME.fmt: a definition file named by path */
		static char dir[1024], name[256];
		const char *slash = strrchr(o.format, '/');
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - o.format), o.format);
		snprintf(name, sizeof name, "%s", slash + 1);
		size_t n = strlen(name);
		if (n > 4 && strcmp(name + n - 4, ".fmt") == 0)
			name[n - 4] = '\0';
		o.formats_dir = dir;
		o.format = name;
	}
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && !o.table)
			return gbi_usage_error(usage_import, "reading standard input needs --table TABLE");
	for (int i = optind; i < argc && !o.table; i++) {
		/* a file that names no table needs --table: say so before the store is touched */
		struct stat sb;
		const char *p = argv[i];
		size_t n = strlen(p);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && !ends_with(p, n, ".csv") && !ends_with(p, n, ".csv.gz")
		    && !ends_with(p, n, ".csv.zst") && !ends_with(p, n, ".zip") && !ends_with(p, n, ".tar")
		    && !ends_with(p, n, ".tar.gz") && !ends_with(p, n, ".tgz") && !ends_with(p, n, ".tar.zst")
		    && !ends_with(p, n, ".tzst"))
			return gbi_usage_error(usage_import, "%s: cannot tell which table this is: name it TABLE.csv or give --table", p);
	}
	if (o.table) {
		struct stat sb;
		if (argc - optind > 1 || (stat(argv[optind], &sb) == 0 && S_ISDIR(sb.st_mode)))
			return gbi_usage_error(usage_import, "--table names the table of one file or of standard input");
	}
	/* usage errors before the store is touched */
	for (int i = 0; i < o.nmunis; i++)
		if (gbi_parse_municipality(o.munis[i], strlen(o.munis[i])))
			return gbi_usage_error(usage_import, "--municipality '%s': not a 4-digit CBS code", o.munis[i]);
	{
		struct gbi_format *f = malloc(sizeof *f);
		struct gbi_err ferr;
		gbi_err_clear(&ferr);
		if (!f) {
			gbi_error("out of memory");
			return GBI_ESYS;
		}
		gbi_status fst = gbi_format_load(o.format ? o.format : "gbi-v1", o.formats_dir, f, &ferr);
		free(f);
		if (fst)
			return gbi_fail(&ferr);
	}

	struct gbi_store *s;
	int64_t run;
	int st = gbi_open_run(store, busy, "import", argc, argv, &s, &run);
	if (st)
		return st;
	/* The rejects file is written beside its name and renamed into place
	 * when the import has run (also when it refused the batch: that is when
	 * the list matters most), so that a busy store or a failure leaves the
	 * previous file as it was. */
	char rejects_tmp[1100] = "";
	if (rejects) {
		snprintf(rejects_tmp, sizeof rejects_tmp, "%s.XXXXXX", rejects);
		int fd = mkstemp(rejects_tmp);   /* mode 0600 */
		if (fd < 0 || !(rep.rejects = fdopen(fd, "w"))) {
			gbi_error("%s: %s", rejects, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(rejects_tmp);
			}
			return gbi_close_run(s, run, GBI_ESYS, "");
		}
		fputs("file,line,column,value,reason\n", rep.rejects);
	}
	rep.progress = !quiet && isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &rep.t0);
	o.run_id = run;
	o.on_reject = on_reject;
	o.on_progress = on_progress;
	o.on_note = on_note;
	o.ctx = &rep;

	struct gbi_import_result *res = malloc(sizeof *res);
	struct gbi_err err;
	gbi_err_clear(&err);
	if (!res) {
		gbi_error("out of memory");
		return gbi_close_run(s, run, GBI_ESYS, "");
	}
	st = gbi_import(s, (const char *const *)argv + optind, argc - optind, &o, res, &err);
	if (rep.progress_line)
		fputs("\r\033[K", stderr);
	if (rep.shown > SHOW_REJECTS)
		gbi_error("... and %ld more rejected rows%s%s", rep.shown - SHOW_REJECTS,
			  rejects ? " in " : " (--rejects FILE lists them all)", rejects ? rejects : "");
	for (int i = 0; i < res->ntables && !res->same_as; i++)
		fprintf(stderr, "%s: %s: %ld rows read, %ld imported, %ld rejected\n", gbi_cmd_name, res->t[i].name,
			res->t[i].read, res->t[i].imported, res->t[i].rejected);
	if ((st == GBI_OK || st == GBI_ATTENTION) && res->same_as)
		fprintf(stderr, "%s: identical to batch %lld, which is current: nothing changed%s\n", gbi_cmd_name,
			(long long)res->same_as, res->rejected ? " (its rejected rows are still rejected)" : "");
	else if (st == GBI_OK || st == GBI_ATTENTION)
		fprintf(stderr, "%s: batch %lld: municipalities %s: %ld rows read, %ld imported, %ld rejected\n",
			gbi_cmd_name, (long long)res->batch_id, res->munis, res->read, res->imported, res->rejected);
	else
		gbi_fail(&err);
	if (rep.rejects) {
		int ran = st == GBI_OK || st == GBI_ATTENTION || st == GBI_EINPUT;
		if (fflush(rep.rejects) != 0 || fsync(fileno(rep.rejects)) != 0 || fclose(rep.rejects) != 0) {
			gbi_error("%s: %s", rejects, strerror(errno));
			ran = 0;
			if (st == GBI_OK || st == GBI_ATTENTION)
				st = GBI_ESYS;
		}
		if (!ran || rename(rejects_tmp, rejects) != 0) {
			if (ran) {
				gbi_error("%s: %s", rejects, strerror(errno));
				if (st == GBI_OK || st == GBI_ATTENTION)
					st = GBI_ESYS;
			}
			unlink(rejects_tmp);
		}
	}
	char counts[200];
	snprintf(counts, sizeof counts, "batch=%lld read=%ld imported=%ld rejected=%ld%s",
		 (long long)res->batch_id, res->read, res->imported, res->rejected, res->same_as ? " unchanged" : "");
	free(res);
	return gbi_close_run(s, run, st, counts);
}
