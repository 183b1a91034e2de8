/*
 * test_store.c: opening, versioning and locking the store (libgbi/store.h).
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "banned.h"

static char dir[64], db[128];

static void setup(void)
{
	gbi_strlcpy(dir, "/tmp/gbi-store-XXXXXX", sizeof dir);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/gbi.db", dir);
}

static void teardown(void)
{
	char p[160];
	static const char *suf[] = {"", "-journal", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++) {
		snprintf(p, sizeof p, "%s%s", db, suf[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Runs sql on path with plain SQLite. */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, creates_0600_with_version)
{
	struct gbi_store *s;
	struct gbi_err e;
	umask(022);
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_OK, "%s", e.msg);
	cr_assert_not_null(s);
	struct stat sb;
	cr_assert_eq(stat(db, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	int64_t v = -1;
	cr_assert_eq(gbi_store_int(s, "PRAGMA user_version", &v, &e), GBI_OK);
	cr_assert_eq(v, GBI_SCHEMA_VERSION);
	cr_assert_eq(v, 2);
	/* the schema is there: data tables with their bookkeeping columns */
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM pragma_table_info('persons') WHERE name IN ('batch_id','line','muni','live')", &v, &e), GBI_OK);
	cr_assert_eq(v, 4);
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='persons_bsn'", &v, &e), GBI_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM run", &v, &e), GBI_OK);
	cr_assert_eq(v, 0);
	gbi_store_close(s);
}

Test(store, reopen_and_second_connection)
{
	struct gbi_store *a, *b;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&a, db, 1000, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_exec(a, "INSERT INTO run(command, argv, started, user) VALUES ('t', 't', 'now', 'me')", &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_open(&b, db, 1000, &e), GBI_OK, "%s", e.msg);
	int64_t v = 0;
	cr_assert_eq(gbi_store_int(b, "SELECT count(*) FROM run", &v, &e), GBI_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(gbi_store_int(b, "PRAGMA user_version", &v, &e), GBI_OK);
	cr_assert_eq(v, 2);
	gbi_store_close(b);
	gbi_store_close(a);
	/* opening again migrates nothing and keeps the data */
	cr_assert_eq(gbi_store_open(&a, db, 1000, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_int(a, "SELECT count(*) FROM run", &v, &e), GBI_OK);
	cr_assert_eq(v, 1);
	gbi_store_close(a);
}

/* A store of version 1 (before the index cases_iban) gets the index and
 * version 2 when opened, and keeps its data. */
Test(store, migrates_version_1)
{
	struct gbi_store *s;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_exec(s, "INSERT INTO run(command, argv, started, user) VALUES ('t', 't', 'now', 'me')", &e), GBI_OK);
	gbi_store_close(s);
	raw_exec(db, "DROP INDEX cases_iban; PRAGMA user_version=1");
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_OK, "%s", e.msg);
	int64_t v = 0;
	cr_assert_eq(gbi_store_int(s, "PRAGMA user_version", &v, &e), GBI_OK);
	cr_assert_eq(v, 2);
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='cases_iban' "
				   "AND sql LIKE '%WHERE live=1 AND iban IS NOT NULL AND iban<>%'", &v, &e), GBI_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM run", &v, &e), GBI_OK);
	cr_assert_eq(v, 1);
	gbi_store_close(s);
}

Test(store, newer_version_refused)
{
	struct gbi_store *s;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_OK, "%s", e.msg);
	gbi_store_close(s);
	raw_exec(db, "PRAGMA user_version=7");
	s = (struct gbi_store *)1;
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_EINPUT);
	cr_assert_null(s);
	char want[512];
	snprintf(want, sizeof want,
		 "store '%s' has schema version 7, written by a newer gbi (this one knows up to 2); use that gbi or a newer one", db);
	cr_assert_str_eq(e.msg, want);
	/* and it was left alone */
	sqlite3 *h;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 7);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

Test(store, foreign_sqlite_refused)
{
	struct gbi_store *s;
	struct gbi_err e;
	raw_exec(db, "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('x')");
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_EINPUT);
	cr_assert_null(s);
	char want[512];
	snprintf(want, sizeof want, "'%s' is an SQLite database but not a gbi store", db);
	cr_assert_str_eq(e.msg, want);
	/* untouched: no gbi tables were added */
	raw_exec(db, "SELECT * FROM contacts");
	sqlite3 *h;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

Test(store, not_sqlite_refused)
{
	struct gbi_store *s;
	struct gbi_err e;
	FILE *fp = fopen(db, "w");
	cr_assert_not_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("bsn,birth_date\n999990007,1980-01-01\n", fp);
	fclose(fp);
	cr_assert_eq(gbi_store_open(&s, db, 1000, &e), GBI_EINPUT);
	cr_assert_null(s);
	char want[256];
	snprintf(want, sizeof want, "store '%s': not a gbi store or damaged", db);
	cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
}

Test(store, unwritable_directory)
{
	struct gbi_store *s;
	struct gbi_err e;
	char p[200];
	snprintf(p, sizeof p, "%s/no/such/dir/gbi.db", dir);
	cr_assert_eq(gbi_store_open(&s, p, 1000, &e), GBI_ESYS);
	cr_assert_null(s);
	char want[256];
	snprintf(want, sizeof want, "store '%s': No such file or directory", p);
	cr_assert_str_eq(e.msg, want);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(store, busy_writer)
{
	struct gbi_store *a, *b;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&a, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_open(&b, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_begin(a, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(a->in_txn, 1);
	double t0 = now();
	cr_assert_eq(gbi_store_begin(b, &e), GBI_EBUSY);
	double waited = now() - t0;
	cr_assert_eq(b->in_txn, 0);
	char want[256];
	snprintf(want, sizeof want, "store '%s' is busy: another gbi is writing to it; retry later", db);
	cr_assert_str_eq(e.msg, want);
	cr_assert_geq(waited, 0.09, "waited %.3f s", waited);
	cr_assert_lt(waited, 5.0, "waited %.3f s", waited);
	/* once the first commits, the second gets the lock */
	cr_assert_eq(gbi_store_commit(a, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(a->in_txn, 0);
	cr_assert_eq(gbi_store_begin(b, &e), GBI_OK, "%s", e.msg);
	gbi_store_rollback(b);
	cr_assert_eq(b->in_txn, 0);
	gbi_store_close(b);
	gbi_store_close(a);
}

Test(store, busy_plain_sqlite_writer)
{
	/* the lock of any SQLite writer counts, not only another gbi's */
	struct gbi_store *s;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&s, db, 100, &e), GBI_OK, "%s", e.msg);
	sqlite3 *h;
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(gbi_store_begin(s, &e), GBI_EBUSY);
	cr_assert(strstr(e.msg, db), "%s", e.msg);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	gbi_store_close(s);
}

Test(store, rollback_on_close)
{
	struct gbi_store *s;
	struct gbi_err e;
	int64_t v = -1;
	cr_assert_eq(gbi_store_open(&s, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_begin(s, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_exec(s, "INSERT INTO run(command, argv, started, user) VALUES ('t', 't', 'now', 'me')", &e), GBI_OK);
	gbi_store_close(s);
	cr_assert_eq(gbi_store_open(&s, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_int(s, "SELECT count(*) FROM run", &v, &e), GBI_OK);
	cr_assert_eq(v, 0, "an open transaction is rolled back on close");
	gbi_store_close(s);
}

Test(store, indexes_drop_and_create)
{
	struct gbi_store *s;
	struct gbi_err e;
	int64_t v = -1;
	const char *q = "SELECT count(*) FROM sqlite_master WHERE type='index' AND tbl_name='addresses'";
	cr_assert_eq(gbi_store_open(&s, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_int(s, q, &v, &e), GBI_OK);
	cr_assert_eq(v, 2);
	cr_assert_eq(gbi_store_drop_indexes(s, "addresses", &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_int(s, q, &v, &e), GBI_OK);
	cr_assert_eq(v, 0);
	cr_assert_eq(gbi_store_create_indexes(s, "addresses", &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_create_indexes(s, "addresses", &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_int(s, q, &v, &e), GBI_OK);
	cr_assert_eq(v, 2);
	gbi_store_close(s);
}

Test(store, sql_errors_name_the_store)
{
	struct gbi_store *s;
	struct gbi_err e;
	sqlite3_stmt *st = (sqlite3_stmt *)1;
	cr_assert_eq(gbi_store_open(&s, db, 100, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(gbi_store_prepare(s, "SELECT nosuch FROM run", &st, &e), GBI_ESYS);
	cr_assert_null(st);
	char want[256];
	snprintf(want, sizeof want, "store '%s': prepare: no such column: nosuch", db);
	cr_assert_str_eq(e.msg, want);
	gbi_store_close(s);
}
