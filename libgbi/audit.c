/*
 * audit.c: run records, the log and pruning of old batches (audit.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "banned.h"

/* The data tables, for prune (same list as libgbi/schema/10-import.sql). */
static const char *const data_tables[] = {
	"cases", "persons", "members", "addresses", "incomes", "assets", "sanctions", "detentions",
	"studies", "stays_abroad", "vehicles", "properties", "benefits", "contracts", "payments", "policy",
	"parameters",
};

void gbi_timestamp(char out[21])
{
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *user_name(void)
{
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "?";
}

gbi_status gbi_run_begin(struct gbi_store *s, const char *command, int argc, char *const *argv,
			 int64_t *run_id, struct gbi_err *err)
{
	char line[4096];
	size_t o = 0;
	line[0] = '\0';
	for (int i = 0; i < argc && o < sizeof line - 1; i++) {
		int w = snprintf(line + o, sizeof line - o, "%s%s", i ? " " : "", argv[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (o >= sizeof line)
		o = sizeof line - 1;
	char now[21];
	gbi_timestamp(now);
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "INSERT INTO run(command, argv, started, user) VALUES(?,?,?,?)", &st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, line, (int)o, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, user_name(), -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gbi_store_error(s, rc, "recording the run", err);
	*run_id = sqlite3_last_insert_rowid(s->db);
	return GBI_OK;
}

gbi_status gbi_run_end(struct gbi_store *s, int64_t run_id, int exit_status, const char *counts,
		       struct gbi_err *err)
{
	char now[21];
	gbi_timestamp(now);
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "UPDATE run SET ended=?, exit_status=?, counts=? WHERE id=?", &st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, exit_status);
	sqlite3_bind_text(st, 3, counts ? counts : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gbi_store_error(s, rc, "recording the run", err);
	return GBI_OK;
}

gbi_status gbi_log_each(struct gbi_store *s, int64_t limit, gbi_log_fn fn, void *ctx, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s,
		"SELECT r.id, r.started, coalesce(r.ended,''), r.user, r.command, coalesce(r.exit_status,-1), "
		"       coalesce(r.counts,''), r.argv, b.id, b.format, b.municipalities, b.tables, "
		"       b.rows_read, b.rows_imported, b.rows_rejected "
		"FROM run r LEFT JOIN batch b ON b.run_id = r.id "
		"ORDER BY r.id DESC LIMIT ?", &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text[4600], status[16];
		int es = sqlite3_column_int(st, 5);
		if (es < 0)
			snprintf(status, sizeof status, "running");
		else
			snprintf(status, sizeof status, "exit %d", es);
		snprintf(text, sizeof text, "%-9s %-8s %s  user %s  ended %s  %s",
			 (const char *)sqlite3_column_text(st, 4), status,
			 (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 3),
			 (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 7));
		struct gbi_log_entry e = {"run", sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), text};
		if ((r = fn(ctx, &e, err)))
			break;
		if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
			snprintf(text, sizeof text, "format %s  municipalities %s  tables %s  rows read %lld, imported %lld, rejected %lld",
				 (const char *)sqlite3_column_text(st, 9), (const char *)sqlite3_column_text(st, 10),
				 (const char *)sqlite3_column_text(st, 11), (long long)sqlite3_column_int64(st, 12),
				 (long long)sqlite3_column_int64(st, 13), (long long)sqlite3_column_int64(st, 14));
			struct gbi_log_entry b = {"batch", sqlite3_column_int64(st, 8), (const char *)sqlite3_column_text(st, 1), text};
			if ((r = fn(ctx, &b, err)))
				break;
		}
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reading the log", err);
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_prune(struct gbi_store *s, int64_t keep, int64_t *batches, int64_t *rows, struct gbi_err *err)
{
	gbi_status r;
	char sql[512];
	*batches = *rows = 0;
	if ((r = gbi_store_begin(s, err)))
		return r;
	if ((r = gbi_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS prune_b(id INTEGER PRIMARY KEY); DELETE FROM prune_b;", err)))
		goto fail;
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(s, "INSERT INTO prune_b SELECT id FROM batch ORDER BY id DESC LIMIT -1 OFFSET ?", &st, err)))
		goto fail;
	sqlite3_bind_int64(st, 1, keep);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		r = gbi_store_error(s, rc, "prune", err);
		goto fail;
	}
	for (size_t i = 0; i < sizeof data_tables / sizeof data_tables[0]; i++) {
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE live=0 AND batch_id IN (SELECT id FROM prune_b)", data_tables[i]);
		if ((r = gbi_store_exec(s, sql, err)))
			goto fail;
		*rows += sqlite3_changes(s->db);
	}
	/* a batch with live rows left stays listed */
	for (size_t i = 0; i < sizeof data_tables / sizeof data_tables[0]; i++) {
		snprintf(sql, sizeof sql, "DELETE FROM prune_b WHERE id IN (SELECT DISTINCT batch_id FROM %s WHERE live=1)", data_tables[i]);
		if ((r = gbi_store_exec(s, sql, err)))
			goto fail;
	}
	if ((r = gbi_store_exec(s, "DELETE FROM prune_b WHERE id IN (SELECT batch_id FROM snapshot)", err)))
		goto fail;
	if ((r = gbi_store_exec(s,
		"DELETE FROM reject WHERE batch_id IN (SELECT id FROM prune_b);"
		"DELETE FROM batch_input WHERE batch_id IN (SELECT id FROM prune_b);"
		"DELETE FROM batch_scope WHERE batch_id IN (SELECT id FROM prune_b);"
		"DELETE FROM batch WHERE id IN (SELECT id FROM prune_b);", err)))
		goto fail;
	*batches = sqlite3_changes(s->db);
	return gbi_store_commit(s, err);
fail:
	gbi_store_rollback(s);
	return r;
}
