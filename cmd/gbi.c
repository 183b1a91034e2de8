/*
 * gbi.c: the front end.  Dispatches `gbi COMMAND` from the command table,
 * handles --help, --version and `gbi help COMMAND`, and checks that stdout
 * was written completely before reporting success (a full disk must never
 * read as success).
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gbi.h"
#include "audit.h"
#include "field.h"
#include "banned.h"

static const char usage_gbi[] =
	"usage: gbi [--version] [--help] COMMAND [ARGS]\n"
	"       gbi help COMMAND\n";

/* In the order of the nightly job, then the tools around it. */
static const struct cmd commands[] = {
	{"import", cmd_import, usage_import, "load nightly extracts into the store as one batch"},
	{"verify", cmd_verify, usage_verify, "check the cases of a period against the sources, each finding with its legal basis"},
	{"calculate", cmd_calculate, usage_calculate, "compute the month's bijstand of every household, to the cent"},
	{"export", cmd_export, usage_export, "write the payment file, reports, CBS statistics or a sealed bundle"},
	{"reconcile", cmd_reconcile, usage_reconcile, "compare gbi's payments with legacy's or with a recomputation"},
	{"diff", cmd_diff, usage_diff, "what changed between two batches, per table and key"},
	{"policy", cmd_policy, usage_policy, "show the local policy in force per municipality, defaults marked"},
	{"log", cmd_log, usage_log, "show the runs and batches recorded in the store, newest first"},
	{"prune", cmd_prune, usage_prune, "remove old batches' replaced rows from the store"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const char *gbi_cmd_name = "gbi";

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", gbi_cmd_name, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gbi_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void gbi_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int gbi_fail(const struct gbi_err *err)
{
	gbi_error("%s", err->msg);
	return err->code ? (int)err->code : GBI_ESYS;
}

int gbi_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputs(usage, stderr);
	return GBI_EUSAGE;
}

void gbi_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int gbi_opt_outfmt(const char *usage, const char *arg, enum gbi_outfmt *out)
{
	static const char *const names[] = {"csv", "jsonl", "text"};
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum gbi_outfmt)i;
			return 0;
		}
	return gbi_usage_error(usage, "--format '%s': one of csv, jsonl, text", arg);
}

int gbi_opt_muni(const char *usage, const char *arg, const char **list, int *n, int max)
{
	if (gbi_parse_municipality(arg, strlen(arg)))
		return gbi_usage_error(usage, "--municipality '%s': not a 4-digit CBS code", arg);
	if (*n >= max)
		return gbi_usage_error(usage, "at most %d --municipality codes", max);
	list[(*n)++] = arg;
	return 0;
}

const char *gbi_store_path(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *e = getenv("GBI_STORE");
	if (e && *e)
		return e;
	return "gbi.db";
}

int gbi_busy_ms(const char *arg)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 0 || v > 86400)
		return -1;
	return (int)(v * 1000);
}

int gbi_open_run(const char *store_opt, int busy_ms, const char *command, int argc, char **argv,
		 struct gbi_store **s, int64_t *run_id)
{
	struct gbi_err err;
	const char *path = gbi_store_path(store_opt);
	gbi_err_clear(&err);
	/* only import makes a new store: a mistyped path elsewhere is an error */
	if (strcmp(command, "import") != 0 && access(path, F_OK) != 0) {
		gbi_error("no store at '%s' (gbi import creates one; -d FILE or $GBI_STORE names it)", path);
		return GBI_EINPUT;
	}
	if (gbi_store_open(s, path, busy_ms, &err))
		return gbi_fail(&err);
	if (gbi_run_begin(*s, command, argc, argv, run_id, &err)) {
		gbi_store_close(*s);
		*s = NULL;
		return gbi_fail(&err);
	}
	return 0;
}

/* Flushes stdout and reports a write error on it once: with its reason when
 * the flush fails now; without one (errno is stale) when an earlier write
 * failed, unless the command already ended in a system error, which was that
 * write.  The stream's error flag is cleared, so no later check repeats it. */
static int stdout_check(int status)
{
	errno = 0;
	int flush_failed = fflush(stdout) != 0;
	if (!flush_failed && !ferror(stdout))
		return status;
	if (flush_failed)
		gbi_error("write error on standard output: %s", strerror(errno));
	else if (status != GBI_ESYS)
		gbi_error("write error on standard output");
	clearerr(stdout);
	return GBI_ESYS;
}

int gbi_close_run(struct gbi_store *s, int64_t run_id, int status, const char *counts)
{
	struct gbi_err err;
	gbi_err_clear(&err);
	status = stdout_check(status);
	if (gbi_run_end(s, run_id, status, counts, &err)) {
		gbi_fail(&err);
		if (!status)
			status = err.code;
	}
	gbi_store_close(s);
	return status;
}

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int help(void)
{
	fputs(usage_gbi, stdout);
	fputs("\nCommands:\n", stdout);
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("   %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nThe store is -d FILE, else $GBI_STORE, else ./gbi.db.\n"
	      "Exit status: 0 done; 1 done, needs attention; 2 usage error; 3 input refused,\n"
	      "nothing changed; 4 store busy, retry later; 5 system or I/O error.\n"
	      "See gbi(1) and gbi help COMMAND.\n", stdout);
	return 0;
}

static int finish(int status)
{
	return stdout_check(status);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return gbi_usage_error(usage_gbi, "no command given (gbi --help lists them)");
	const char *c = argv[1];
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0)
		return finish(help());
	if (strcmp(c, "--version") == 0) {
		printf("gbi %s\n", GBI_VERSION);
		return finish(0);
	}
	if (strcmp(c, "help") == 0) {
		if (argc < 3)
			return finish(help());
		const struct cmd *h = find(argv[2]);
		if (!h)
			return gbi_usage_error(usage_gbi, "help: '%s' is not a gbi command", argv[2]);
		printf("gbi %s: %s\n\n", h->name, h->summary);
		fputs(h->usage, stdout);
		printf("\nThe manual: man gbi-%s\n", h->name);
		return finish(0);
	}
	/* Every command records its run in the store, and verify and calculate
	   print while their transaction is open: a reader that stops early
	   (gbi calculate | head) must not kill the command in the middle.  The
	   write then fails with EPIPE, which the command reports like any
	   write error (exit 5), ending its run as documented. */
	signal(SIGPIPE, SIG_IGN);
	const struct cmd *cmd = find(c);
	if (!cmd)
		return gbi_usage_error(usage_gbi, "'%s' is not a gbi command (gbi --help lists them)", c);
	static char name[64];
	snprintf(name, sizeof name, "gbi %s", cmd->name);
	gbi_cmd_name = name;
	return finish(cmd->fn(argc - 1, argv + 1));
}
