/*
 * store.h: the gbi working store, one SQLite file.
 *
 * Opening a store creates it (mode 0600) when it does not exist, brings its
 * schema up to date with forward migrations (PRAGMA user_version), and
 * refuses a store written by a newer gbi.  Writers take the write lock at
 * the start of their transaction (BEGIN IMMEDIATE) and wait up to the busy
 * timeout for another writer; past it they fail with GBI_EBUSY.
 */
#ifndef GBI_STORE_H
#define GBI_STORE_H

#include <sqlite3.h>
#include <stdint.h>
#include "err.h"

/* The schema version this gbi writes. */
#define GBI_SCHEMA_VERSION 2

struct gbi_store {
	sqlite3 *db;
	char path[1024];
	int in_txn;
};

/* Opens (and if needed creates and migrates) the store at path, waiting up
 * to busy_ms for a lock.  *out is NULL on failure. */
gbi_status gbi_store_open(struct gbi_store **out, const char *path, int busy_ms, struct gbi_err *err);
/* Rolls back an open transaction and closes. */
void gbi_store_close(struct gbi_store *s);

/* Starts the command's one write transaction (BEGIN IMMEDIATE). */
gbi_status gbi_store_begin(struct gbi_store *s, struct gbi_err *err);
gbi_status gbi_store_commit(struct gbi_store *s, struct gbi_err *err);
void gbi_store_rollback(struct gbi_store *s);

/* Runs SQL without results. */
gbi_status gbi_store_exec(struct gbi_store *s, const char *sql, struct gbi_err *err);
/* Prepares a statement; errors name the store. */
gbi_status gbi_store_prepare(struct gbi_store *s, const char *sql, sqlite3_stmt **st, struct gbi_err *err);
/* Maps the last SQLite error (rc) to a gbi status and message. */
gbi_status gbi_store_error(struct gbi_store *s, int rc, const char *what, struct gbi_err *err);
/* A single integer from a query without parameters (0 when no row). */
gbi_status gbi_store_int(struct gbi_store *s, const char *sql, int64_t *out, struct gbi_err *err);

/* The secondary indexes of a data table: dropped before a bulk load and
 * created after it (a load into indexed tables is several times slower). */
gbi_status gbi_store_drop_indexes(struct gbi_store *s, const char *table, struct gbi_err *err);
gbi_status gbi_store_create_indexes(struct gbi_store *s, const char *table, struct gbi_err *err);

#endif
