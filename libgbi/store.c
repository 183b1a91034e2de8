/*
 * store.c: opening, migrating and locking the SQLite store (store.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "format.h"
#include "banned.h"

/* Forward migrations: migrations[i] takes a store from version i+1 to i+2.
 * Version 1 is the files of libgbi/schema as built in.  Never change a released step; add one. */
static const char *const migrations[] = {
	/* 1 -> 2: verify's IBAN_SHARED finds the IBANs on two cases in an index */
	"CREATE INDEX IF NOT EXISTS cases_iban ON cases(iban) WHERE live=1 AND iban IS NOT NULL AND iban<>'';",
};

/* Secondary indexes of the data tables (all partial on live rows). */
static const struct { const char *table, *name, *sql; } indexes[] = {
	{"cases", "cases_key", "CREATE INDEX cases_key ON cases(case_id, muni) WHERE live=1"},
	/* only a query naming all three terms can use it (gbi verify's IBAN_SHARED) */
	{"cases", "cases_iban", "CREATE INDEX cases_iban ON cases(iban) WHERE live=1 AND iban IS NOT NULL AND iban<>''"},
	/* `live` ends the keys that gbi import scans in order (duplicate keys,
	 * references to persons, roles): SQLite counts an index as covering
	 * only when it holds every column the query names, the partial index's
	 * own condition included */
	{"persons", "persons_bsn", "CREATE INDEX persons_bsn ON persons(bsn, live) WHERE live=1"},
	{"members", "members_case", "CREATE INDEX members_case ON members(case_id, muni, role, live) WHERE live=1"},
	{"members", "members_bsn", "CREATE INDEX members_bsn ON members(bsn, live) WHERE live=1"},
	{"addresses", "addresses_bsn", "CREATE INDEX addresses_bsn ON addresses(bsn, live) WHERE live=1"},
	{"addresses", "addresses_dwelling", "CREATE INDEX addresses_dwelling ON addresses(postcode, house_number, house_suffix) WHERE live=1"},
	{"incomes", "incomes_bsn", "CREATE INDEX incomes_bsn ON incomes(bsn, period, live) WHERE live=1"},
	{"assets", "assets_case", "CREATE INDEX assets_case ON assets(case_id, muni) WHERE live=1"},
	{"sanctions", "sanctions_case", "CREATE INDEX sanctions_case ON sanctions(case_id, muni) WHERE live=1"},
	{"detentions", "detentions_bsn", "CREATE INDEX detentions_bsn ON detentions(bsn) WHERE live=1"},
	{"studies", "studies_bsn", "CREATE INDEX studies_bsn ON studies(bsn) WHERE live=1"},
	{"stays_abroad", "stays_abroad_bsn", "CREATE INDEX stays_abroad_bsn ON stays_abroad(bsn) WHERE live=1"},
	{"vehicles", "vehicles_bsn", "CREATE INDEX vehicles_bsn ON vehicles(bsn) WHERE live=1"},
	{"properties", "properties_bsn", "CREATE INDEX properties_bsn ON properties(bsn) WHERE live=1"},
	{"benefits", "benefits_bsn", "CREATE INDEX benefits_bsn ON benefits(bsn) WHERE live=1"},
	{"contracts", "contracts_bsn", "CREATE INDEX contracts_bsn ON contracts(bsn) WHERE live=1"},
	{"payments", "payments_case", "CREATE INDEX payments_case ON payments(case_id, muni, period) WHERE live=1"},
	{"policy", "policy_key", "CREATE INDEX policy_key ON policy(municipality, key, valid_from, live) WHERE live=1"},
};

gbi_status gbi_store_error(struct gbi_store *s, int rc, const char *what, struct gbi_err *err)
{
	int prim = rc & 0xff;
	const char *m = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	const char *path = s ? s->path : "";
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return gbi_err_set(err, GBI_EBUSY, "store '%s' is busy: another gbi is writing to it; retry later", path);
	if (prim == SQLITE_FULL)
		return gbi_err_set(err, GBI_ESYS, "store '%s': disk full (%s); nothing was changed", path, what);
	if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
		return gbi_err_set(err, GBI_EINPUT, "store '%s': not a gbi store or damaged: %s", path, m);
	return gbi_err_set(err, GBI_ESYS, "store '%s': %s: %s", path, what, m);
}

gbi_status gbi_store_exec(struct gbi_store *s, const char *sql, struct gbi_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return gbi_store_error(s, rc, "exec", err);
	return GBI_OK;
}

gbi_status gbi_store_prepare(struct gbi_store *s, const char *sql, sqlite3_stmt **st, struct gbi_err *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return gbi_store_error(s, rc, "prepare", err);
	}
	return GBI_OK;
}

gbi_status gbi_store_int(struct gbi_store *s, const char *sql, int64_t *out, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, sql, &st, err);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "query", err);
	sqlite3_finalize(st);
	return r;
}

static gbi_status migrate(struct gbi_store *s, struct gbi_err *err)
{
	int64_t v;
	gbi_status st = gbi_store_int(s, "PRAGMA user_version", &v, err);
	if (st)
		return st;
	int64_t have_tables;
	if ((st = gbi_store_int(s, "SELECT count(*) FROM sqlite_master", &have_tables, err)))
		return st;
	if (v > GBI_SCHEMA_VERSION)
		return gbi_err_set(err, GBI_EINPUT,
				   "store '%s' has schema version %lld, written by a newer gbi (this one knows up to %d); use that gbi or a newer one",
				   s->path, (long long)v, GBI_SCHEMA_VERSION);
	if (v == GBI_SCHEMA_VERSION)
		return GBI_OK;
	if (v == 0 && have_tables)
		return gbi_err_set(err, GBI_EINPUT, "'%s' is an SQLite database but not a gbi store", s->path);
	if ((st = gbi_store_begin(s, err)))
		return st;
	/* re-read under the lock: another gbi may have migrated meanwhile */
	if ((st = gbi_store_int(s, "PRAGMA user_version", &v, err)))
		goto fail;
	if (v == 0) {
		if ((st = gbi_store_exec(s, gbi_schema_sql, err)))
			goto fail;
		for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
			if ((st = gbi_store_exec(s, indexes[i].sql, err)))
				goto fail;
		v = 1;
	}
	for (; v < GBI_SCHEMA_VERSION; v++) {
		const char *m = migrations[v - 1];
		if (m && (st = gbi_store_exec(s, m, err)))
			goto fail;
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", GBI_SCHEMA_VERSION);
	if ((st = gbi_store_exec(s, sql, err)))
		goto fail;
	return gbi_store_commit(s, err);
fail:
	gbi_store_rollback(s);
	return st;
}

gbi_status gbi_store_open(struct gbi_store **out, const char *path, int busy_ms, struct gbi_err *err)
{
	struct gbi_store *s = calloc(1, sizeof *s);
	gbi_status st;
	*out = NULL;
	if (!s)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	gbi_strlcpy(s->path, path, sizeof s->path);
	/* SQLite's allocation statistics take a global mutex on every malloc;
	 * gbi never reads them.  Only possible before SQLite's first use. */
	static int configured;
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}
	/* create the file ourselves so that it is 0600 from the first byte */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		st = gbi_err_set(err, GBI_ESYS, "store '%s': %s", path, strerror(errno));
		free(s);
		return st;
	}
	close(fd);
	/* one connection per thread: SQLite's own mutexes are not needed */
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		st = gbi_store_error(s, rc, "open", err);
		gbi_store_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, busy_ms);
	sqlite3_extended_result_codes(s->db, 1);
	if ((st = gbi_store_exec(s, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16384; PRAGMA temp_store=FILE;", err))
	    || (st = migrate(s, err))) {
		gbi_store_close(s);
		return st;
	}
	*out = s;
	return GBI_OK;
}

void gbi_store_close(struct gbi_store *s)
{
	if (!s)
		return;
	if (s->in_txn)
		gbi_store_rollback(s);
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s);
}

gbi_status gbi_store_begin(struct gbi_store *s, struct gbi_err *err)
{
	gbi_status st = gbi_store_exec(s, "BEGIN IMMEDIATE", err);
	if (st == GBI_OK)
		s->in_txn = 1;
	return st;
}

gbi_status gbi_store_commit(struct gbi_store *s, struct gbi_err *err)
{
	gbi_status st = gbi_store_exec(s, "COMMIT", err);
	if (st == GBI_OK)
		s->in_txn = 0;
	else
		gbi_store_rollback(s);
	return st;
}

void gbi_store_rollback(struct gbi_store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_txn = 0;
}

gbi_status gbi_store_drop_indexes(struct gbi_store *s, const char *table, struct gbi_err *err)
{
	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
		if (strcmp(indexes[i].table, table) != 0)
			continue;
		char sql[128];
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", indexes[i].name);
		gbi_status st = gbi_store_exec(s, sql, err);
		if (st)
			return st;
	}
	return GBI_OK;
}

gbi_status gbi_store_create_indexes(struct gbi_store *s, const char *table, struct gbi_err *err)
{
	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
		if (strcmp(indexes[i].table, table) != 0)
			continue;
		char sql[512];
		snprintf(sql, sizeof sql, "%s", indexes[i].sql);
		/* IF NOT EXISTS, so that a table loaded twice is harmless */
		char buf[600];
		snprintf(buf, sizeof buf, "CREATE INDEX IF NOT EXISTS %s", sql + strlen("CREATE INDEX "));
		gbi_status st = gbi_store_exec(s, buf, err);
		if (st)
			return st;
	}
	return GBI_OK;
}
