/*
 * audit.h: what gbi did to a store: runs, batches, log and prune.
 *
 * Every command run is recorded (command line, start, end, user, counts,
 * exit status) in table `run`, in its own small write outside the command's
 * transaction, so that a run that failed and rolled back is recorded too.
 */
#ifndef GBI_AUDIT_H
#define GBI_AUDIT_H

#include <stdint.h>
#include "err.h"
#include "store.h"

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ"; SOURCE_DATE_EPOCH, when set,
 * fixes it (reproducible output and tests). */
void gbi_timestamp(char out[21]);

/* Records the start of a run; *run_id gets its id. */
gbi_status gbi_run_begin(struct gbi_store *s, const char *command, int argc, char *const *argv,
			 int64_t *run_id, struct gbi_err *err);
/* Records the end: exit status and a short counts text ("read=10 imported=9"). */
gbi_status gbi_run_end(struct gbi_store *s, int64_t run_id, int exit_status, const char *counts,
		       struct gbi_err *err);

/* One line of `gbi log`. */
struct gbi_log_entry {
	const char *kind;     /* "run" or "batch" */
	int64_t id;
	const char *when;     /* start time (run) or creation time (batch) */
	const char *text;     /* the rest, ready to show */
};
typedef gbi_status (*gbi_log_fn)(void *ctx, const struct gbi_log_entry *e, struct gbi_err *err);

/* Runs newest first, each followed by the batch it created; at most limit
 * runs (0: all). */
gbi_status gbi_log_each(struct gbi_store *s, int64_t limit, gbi_log_fn fn, void *ctx, struct gbi_err *err);

/* Removes the rows of all but the newest `keep` batches, except rows still
 * current (live); a batch whose rows are all gone goes from the batch list
 * too.  Counts what it removed.  One transaction. */
gbi_status gbi_prune(struct gbi_store *s, int64_t keep, int64_t *batches, int64_t *rows, struct gbi_err *err);

#endif
