/*
 * gbi.h: what the commands share: the command table entry, the common
 * options, and the few helpers that print.  Each cmd/NAME.c exports only
 * cmd_NAME() and its usage text.
 */
#ifndef GBI_CMD_H
#define GBI_CMD_H

#include <stdint.h>
#include "err.h"
#include "store.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;     /* the man page SYNOPSIS, printed by --help */
	const char *summary;   /* one line for gbi --help */
};

extern const char *gbi_cmd_name;   /* "gbi import", for messages */

/* Prints "gbi CMD: message" on stderr. */
void gbi_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gbi_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error of err and returns its code (an exit status). */
int gbi_fail(const struct gbi_err *err);
/* A usage error: message, the usage text on stderr, exit status 2. */
int gbi_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes s to stdout as a JSON string (quotes, escapes). */
void gbi_json_str(const char *s);

/* The store path: -d/--store, else $GBI_STORE, else ./gbi.db. */
const char *gbi_store_path(const char *opt);
/* Parses --busy-timeout SECONDS into milliseconds; -1 when invalid. */
int gbi_busy_ms(const char *arg);
/* Opens the store and records the run; prints and returns the exit status
 * on failure (0 on success). */
int gbi_open_run(const char *store_opt, int busy_ms, const char *command, int argc, char **argv,
		 struct gbi_store **s, int64_t *run_id);
/* Records the end of the run and closes the store; returns status. */
int gbi_close_run(struct gbi_store *s, int64_t run_id, int status, const char *counts);

/* Options several commands share.  Each returns 0, or prints the usage
 * error and returns exit status 2 for the command to return. */
enum gbi_outfmt { GBI_OUT_CSV, GBI_OUT_JSONL, GBI_OUT_TEXT };
/* --format csv|jsonl|text */
int gbi_opt_outfmt(const char *usage, const char *arg, enum gbi_outfmt *out);
/* --municipality CODE, appended to list (at most max) */
int gbi_opt_muni(const char *usage, const char *arg, const char **list, int *n, int max);

int cmd_import(int argc, char **argv);
int cmd_calculate(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_verify(int argc, char **argv);
extern const char usage_verify[];
int cmd_export(int argc, char **argv);
extern const char usage_export[];
int cmd_diff(int argc, char **argv);
extern const char usage_diff[];
int cmd_reconcile(int argc, char **argv);
extern const char usage_reconcile[];

extern const char usage_calculate[], usage_policy[];
extern const char usage_import[], usage_log[], usage_prune[];

#endif
