/*
 * diff.c: what changed between two batches, set-based in SQL (diff.h).
 *
 * 1. temp.dpair holds, for every (table, municipality), the batch of the
 *    earlier state (a) and of the later state (b).
 * 2. Per table one INSERT .. SELECT groups the rows of both states by key
 *    and keeps the keys whose value differs; rows of tables owned by
 *    municipality or case belong to a state through their municipality's
 *    pair, rows of batch-owned tables (persons, incomes, ...) through the
 *    set of batches of each state (temp.dside).
 * 3. Addresses get their labels (moved_in, ...) from the current dwellings
 *    of clients; rows keyed by BSN get the municipality and case of the
 *    person's case.
 */
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "banned.h"

/* How one table is compared.  Expressions are over the row alias x. */
struct dspec {
	const char *tbl;
	int by_batch;       /* owner batch: rows carry no municipality */
	const char *cid;    /* the case id, or NULL */
	const char *bsn;    /* the BSN, or NULL */
	const char *key;    /* the key, as text */
	const char *val;    /* the value compared, as text (or cents when sum) */
	int sum;            /* values are summed per key and shown as euros */
	const char *x;      /* an extra value kept per state for the labels, or NULL */
	const char *change; /* the label over va, vb, xa, xb, or NULL for new/removed/changed */
};

#define M(e) "(CASE WHEN " e "<0 THEN '-' ELSE '' END||(abs(" e ")/100)||'.'||substr('0'||(abs(" e ")%100),-2))"
#define OPEN(e) "coalesce(" e ",'open')"

static const struct dspec specs[] = {
	{"cases", 0, "x.case_id", NULL, "x.case_id",
	 "'status='||x.status||' start='||x.start_date||coalesce(' end='||x.end_date,'')||' housing='||x.housing"
	 "||coalesce(' cost_sharers='||x.cost_sharers,'')||coalesce(' iban='||x.iban,'')",
	 0, "x.status",
	 "CASE WHEN va IS NULL THEN 'appeared' WHEN vb IS NULL THEN 'removed' "
	 "WHEN xb='ended' AND xa IS NOT 'ended' THEN 'ended' WHEN xa IS NOT xb THEN 'status' ELSE 'changed' END"},
	{"persons", 1, NULL, "x.bsn", "x.bsn",
	 "'birth='||x.birth_date||coalesce(' name='||x.family_name,'')||coalesce(' given='||x.given_names,'')"
	 "||coalesce(' sex='||x.sex,'')", 0, NULL, NULL},
	{"members", 0, "x.case_id", "x.bsn", "x.case_id||' '||x.bsn",
	 "x.role||coalesce(' from='||x.from_date,'')||coalesce(' to='||x.to_date,'')", 0, NULL,
	 "CASE WHEN va IS NULL THEN 'joined' WHEN vb IS NULL THEN 'left' ELSE 'changed' END"},
	{"addresses", 1, NULL, "x.bsn", "x.bsn",
	 "CASE WHEN x.to_date IS NULL THEN x.postcode||' '||x.house_number||coalesce(x.house_suffix,'') END", 0,
	 "CASE WHEN x.to_date IS NULL THEN x.postcode END", NULL},
	{"incomes", 1, NULL, "x.bsn", "x.bsn||' '||x.period||' '||x.kind", "x.amount", 1, NULL, NULL},
	{"assets", 0, "x.case_id", NULL, "x.case_id||' '||x.kind||' '||x.reference_date", "x.value", 1, NULL, NULL},
	{"sanctions", 0, "x.case_id", NULL, "x.case_id||' '||x.from_date",
	 "x.percent||'% to '||x.to_date||coalesce(' '||x.reason,'')", 0, NULL, NULL},
	{"detentions", 1, NULL, "x.bsn", "x.bsn||' '||x.from_date", "'to='||" OPEN("x.to_date"), 0, NULL, NULL},
	{"studies", 1, NULL, "x.bsn", "x.bsn||' '||x.from_date", "'to='||" OPEN("x.to_date") "||' wsf='||x.wsf", 0,
	 NULL, NULL},
	{"stays_abroad", 1, NULL, "x.bsn", "x.bsn||' '||x.from_date", "'to='||x.to_date", 0, NULL, NULL},
	{"vehicles", 1, NULL, "x.bsn", "x.bsn||' '||x.plate",
	 "'value='||" M("x.value") "||coalesce(' from='||x.from_date,'')||coalesce(' to='||x.to_date,'')", 0, NULL,
	 NULL},
	{"properties", 1, NULL, "x.bsn", "x.bsn||' '||coalesce(x.from_date,'-')",
	 "'value='||" M("x.value") "||coalesce(' mortgage='||" M("x.mortgage") ",'')", 0, NULL, NULL},
	{"benefits", 1, NULL, "x.bsn", "x.bsn||' '||x.agency||' '||x.kind||' '||x.from_date",
	 "'to='||" OPEN("x.to_date") "||coalesce(' amount='||" M("x.amount") ",'')", 0, NULL, NULL},
	{"contracts", 1, NULL, "x.bsn", "x.bsn||' '||x.kind||' '||x.from_date", "'to='||" OPEN("x.to_date"), 0, NULL,
	 NULL},
	{"payments", 0, "x.case_id", NULL, "x.case_id||' '||x.period", "x.amount", 1, NULL, NULL},
	{"policy", 0, NULL, NULL, "x.key||' '||x.valid_from", "x.value", 0, NULL, NULL},
};
#define NSPECS (sizeof specs / sizeof specs[0])

#define SQLMAX 4096

static gbi_status exec_bound(struct gbi_store *s, const char *sql, const char *muni, int64_t a, int64_t b,
			     struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, sql, &st, err);
	if (r)
		return r;
	int n = sqlite3_bind_parameter_count(st);
	if (n >= 1)
		sqlite3_bind_text(st, 1, muni, -1, SQLITE_STATIC);
	if (n >= 2)
		sqlite3_bind_int64(st, 2, a);
	if (n >= 3)
		sqlite3_bind_int64(st, 3, b);
	int rc = sqlite3_step(st);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "diff", err);
	sqlite3_finalize(st);
	return r;
}

/* The aggregate of the value on one side ("ina" or "inb"), as text. */
static void side_value(char *out, size_t n, const struct dspec *d, const char *side)
{
	if (d->sum) {
		char e[128];
		snprintf(e, sizeof e, "sum(CASE WHEN %s THEN v END)", side);
		snprintf(out, n, "(CASE WHEN %s<0 THEN '-' ELSE '' END||(abs(%s)/100)||'.'||substr('0'||(abs(%s)%%100),-2))",
			 e, e, e);
	} else {
		snprintf(out, n, "max(CASE WHEN %s THEN v END)", side);
	}
}

static gbi_status diff_table(struct gbi_store *s, int ord, const struct dspec *d, struct gbi_err *err)
{
	char sql[SQLMAX], va[512], vb[512], from[1024];
	gbi_status r;
	if (d->by_batch) {
		/* skip when both states hold the same batches */
		int64_t n;
		snprintf(sql, sizeof sql,
			 "SELECT (SELECT count(*) FROM (SELECT id FROM temp.dside WHERE tbl='%s' AND side='a' EXCEPT "
			 "SELECT id FROM temp.dside WHERE tbl='%s' AND side='b'))+(SELECT count(*) FROM (SELECT id FROM "
			 "temp.dside WHERE tbl='%s' AND side='b' EXCEPT SELECT id FROM temp.dside WHERE tbl='%s' AND side='a'))",
			 d->tbl, d->tbl, d->tbl, d->tbl);
		if ((r = gbi_store_int(s, sql, &n, err)))
			return r;
		if (n == 0)
			return GBI_OK;
		snprintf(from, sizeof from,
			 "x.batch_id IN (SELECT id FROM temp.dside WHERE tbl='%s' AND side='a') AS ina, "
			 "x.batch_id IN (SELECT id FROM temp.dside WHERE tbl='%s' AND side='b') AS inb "
			 "FROM %s x WHERE x.batch_id IN (SELECT id FROM temp.dside WHERE tbl='%s')",
			 d->tbl, d->tbl, d->tbl, d->tbl);
	} else {
		/* the data table outside, the pair looked up by its key */
		snprintf(from, sizeof from,
			 "x.batch_id=p.a AS ina, x.batch_id=p.b AS inb FROM %s x CROSS JOIN temp.dpair p "
			 "ON p.tbl='%s' AND p.muni=x.muni WHERE p.a<>p.b AND x.batch_id IN (p.a, p.b)",
			 d->tbl, d->tbl);
	}
	side_value(va, sizeof va, d, "ina");
	side_value(vb, sizeof vb, d, "inb");
	snprintf(sql, sizeof sql,
		 "INSERT INTO temp.diff(ord, tbl, muni, case_id, bsn, k, va, vb, xa, xb) "
		 "SELECT %d, '%s', muni, max(cid), max(bsn), k, %s, %s, max(CASE WHEN ina THEN xv END), "
		 "max(CASE WHEN inb THEN xv END) FROM (SELECT %s AS muni, %s AS cid, %s AS bsn, %s AS k, %s AS v, "
		 "%s AS xv, %s) GROUP BY muni, k HAVING (%s) IS NOT (%s)",
		 ord, d->tbl, va, vb, d->by_batch ? "NULL" : "x.muni", d->cid ? d->cid : "NULL", d->bsn ? d->bsn : "NULL",
		 d->key, d->val, d->x ? d->x : "NULL", from, va, vb);
	if ((r = gbi_store_exec(s, sql, err)))
		return r;
	snprintf(sql, sizeof sql, "UPDATE temp.diff SET change=%s WHERE tbl='%s'",
		 d->change ? d->change
			   : "CASE WHEN va IS NULL THEN 'new' WHEN vb IS NULL THEN 'removed' ELSE 'changed' END",
		 d->tbl);
	return gbi_store_exec(s, sql, err);
}

/* The batches of both states, per (table, municipality). */
static gbi_status pairs(struct gbi_store *s, const struct gbi_diff_opts *o, struct gbi_err *err)
{
	gbi_status r;
	const char *muni = o->muni;
	if (!o->batch_a && !o->batch_b) {
		/* each table's last two batches; a table delivered once compares with itself */
		if ((r = exec_bound(s, "INSERT INTO temp.dpair SELECT tbl, muni, NULL, max(batch_id) FROM batch_scope "
				       "WHERE ?1 IS NULL OR muni=?1 GROUP BY tbl, muni", muni, 0, 0, err)))
			return r;
		/* a table first delivered after an earlier batch of the municipality: all its rows are new */
		if ((r = gbi_store_exec(s, "UPDATE temp.dpair SET a=coalesce((SELECT max(s.batch_id) FROM batch_scope s "
					   "WHERE s.tbl=dpair.tbl AND s.muni=dpair.muni AND s.batch_id<dpair.b), "
					   "CASE WHEN EXISTS (SELECT 1 FROM batch_scope s WHERE s.muni=dpair.muni AND s.batch_id<dpair.b) "
					   "THEN -1 ELSE b END)", err)))
			return r;
	} else {
		int64_t b = o->batch_b;
		if (!b && (r = gbi_store_int(s, "SELECT coalesce(max(id),0) FROM batch", &b, err)))
			return r;
		if ((r = exec_bound(s, "INSERT INTO temp.dpair SELECT tbl, muni, "
				       "coalesce((SELECT max(s.batch_id) FROM batch_scope s WHERE s.tbl=t.tbl AND s.muni=t.muni AND s.batch_id<=?2),-1), "
				       "coalesce((SELECT max(s.batch_id) FROM batch_scope s WHERE s.tbl=t.tbl AND s.muni=t.muni AND s.batch_id<=?3),-1) "
				       "FROM (SELECT DISTINCT tbl, muni FROM batch_scope WHERE ?1 IS NULL OR muni=?1) t",
				       muni, o->batch_a, b, err)))
			return r;
	}
	return gbi_store_exec(s, "INSERT OR IGNORE INTO temp.dside SELECT tbl, 'a', a FROM temp.dpair WHERE a>0;"
				 "INSERT OR IGNORE INTO temp.dside SELECT tbl, 'b', b FROM temp.dpair WHERE b>0;", err);
}

static gbi_status check_batch(struct gbi_store *s, int64_t id, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT 1 FROM batch WHERE id=?", &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return GBI_OK;
	if (rc != SQLITE_DONE)
		return gbi_store_error(s, rc, "diff", err);
	return gbi_err_set(err, GBI_EINPUT, "batch %lld does not exist (gbi log lists the batches)", (long long)id);
}

/* The earlier state's rows must still be there: gbi prune removes replaced rows. */
static gbi_status check_pruned(struct gbi_store *s, const struct dspec *d, struct gbi_err *err)
{
	char sql[SQLMAX];
	int64_t id;
	snprintf(sql, sizeof sql,
		 "SELECT coalesce(min(d.id),0) FROM temp.dside d WHERE d.tbl='%s' AND d.side='a' "
		 "AND d.id NOT IN (SELECT id FROM temp.dside WHERE tbl='%s' AND side='b') "
		 "AND EXISTS (SELECT 1 FROM batch_input i WHERE i.batch_id=d.id AND i.tbl='%s' AND i.rows_imported>0) "
		 "AND NOT EXISTS (SELECT 1 FROM %s x WHERE x.batch_id=d.id)",
		 d->tbl, d->tbl, d->tbl, d->tbl);
	gbi_status r = gbi_store_int(s, sql, &id, err);
	if (r)
		return r;
	if (id)
		return gbi_err_set(err, GBI_EINPUT,
				   "%s: the rows of batch %lld were removed by gbi prune; compare later batches", d->tbl,
				   (long long)id);
	return GBI_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static gbi_status report(struct gbi_store *s, const struct gbi_diff_cb *cb, struct gbi_diff_info *info,
			 struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT tbl, change, count(*) FROM temp.diff GROUP BY ord, tbl, change "
					    "ORDER BY ord, change", &st, err);
	if (r)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 2);
		info->changes += n;
		if (cb->count && (r = cb->count(cb->ctx, col(st, 0), col(st, 1), n, err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "diff", err);
	sqlite3_finalize(st);
	if (r || !cb->row)
		return r;
	if ((r = gbi_store_prepare(s, "SELECT tbl, change, muni, case_id, k, va, vb FROM temp.diff "
				      "ORDER BY ord, muni, k, change", &st, err)))
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct gbi_diff_row row = {col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5),
					   col(st, 6)};
		if ((r = cb->row(cb->ctx, &row, err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "diff", err);
	sqlite3_finalize(st);
	return r;
}

gbi_status gbi_diff(struct gbi_store *s, const struct gbi_diff_opts *o, const struct gbi_diff_cb *cb,
		    struct gbi_diff_info *info, struct gbi_err *err)
{
	gbi_status r;
	memset(info, 0, sizeof *info);
	if ((o->batch_a && (r = check_batch(s, o->batch_a, err))) || (o->batch_b && (r = check_batch(s, o->batch_b, err))))
		return r;
	if ((r = gbi_store_exec(s,
		"CREATE TEMP TABLE IF NOT EXISTS dpair(tbl TEXT, muni TEXT, a INTEGER, b INTEGER, PRIMARY KEY(tbl, muni));"
		"CREATE TEMP TABLE IF NOT EXISTS dside(tbl TEXT, side TEXT, id INTEGER, PRIMARY KEY(tbl, side, id));"
		"CREATE TEMP TABLE IF NOT EXISTS diff(ord INTEGER, tbl TEXT, change TEXT, muni TEXT, case_id TEXT, "
		"  bsn TEXT, k TEXT, va TEXT, vb TEXT, xa TEXT, xb TEXT, cin TEXT, cout TEXT);"
		"DELETE FROM temp.dpair; DELETE FROM temp.dside; DELETE FROM temp.diff;", err)))
		return r;
	/* a read transaction, so that every table is seen at the same moment */
	if ((r = gbi_store_exec(s, "BEGIN", err)))
		return r;
	if ((r = pairs(s, o, err)))
		goto out;
	for (size_t i = 0; i < NSPECS; i++) {
		if ((r = check_pruned(s, &specs[i], err)) || (r = diff_table(s, (int)i, &specs[i], err)))
			goto out;
	}
	/* addresses: whose dwelling did the person move into or out of */
	if ((r = gbi_store_exec(s,
		"UPDATE temp.diff SET "
		" cin=(SELECT m.muni||' '||m.case_id FROM addresses a2 JOIN members m ON m.bsn=a2.bsn AND m.live=1 "
		"   WHERE a2.live=1 AND a2.postcode=diff.xb AND a2.to_date IS NULL AND a2.bsn<>diff.bsn "
		"   AND a2.postcode||' '||a2.house_number||coalesce(a2.house_suffix,'')=diff.vb ORDER BY 1 LIMIT 1), "
		" cout=(SELECT m.muni||' '||m.case_id FROM addresses a2 JOIN members m ON m.bsn=a2.bsn AND m.live=1 "
		"   WHERE a2.live=1 AND a2.postcode=diff.xa AND a2.to_date IS NULL AND a2.bsn<>diff.bsn "
		"   AND a2.postcode||' '||a2.house_number||coalesce(a2.house_suffix,'')=diff.va ORDER BY 1 LIMIT 1) "
		"WHERE tbl='addresses';"
		/* the case of a person: the person's own live case */
		"UPDATE temp.diff SET (muni, case_id)=(SELECT m.muni, m.case_id FROM members m WHERE m.live=1 "
		"  AND m.bsn=diff.bsn ORDER BY m.muni, m.case_id LIMIT 1) WHERE bsn IS NOT NULL AND case_id IS NULL;"
		"UPDATE temp.diff SET change=CASE WHEN va IS NULL THEN 'new' WHEN vb IS NULL THEN 'removed' "
		"  WHEN case_id IS NOT NULL THEN 'client_moved' "
		"  WHEN cin IS NOT NULL THEN 'moved_in' WHEN cout IS NOT NULL THEN 'moved_out' ELSE 'moved' END "
		"WHERE tbl='addresses';"
		"UPDATE temp.diff SET muni=substr(coalesce(cin,cout),1,4), case_id=substr(coalesce(cin,cout),6) "
		"WHERE tbl='addresses' AND change IN ('moved_in','moved_out');", err)))
		goto out;
	if (o->muni && (r = exec_bound(s, "DELETE FROM temp.diff WHERE muni IS NOT ?1", o->muni, 0, 0, err)))
		goto out;
	if ((r = gbi_store_int(s, "SELECT count(*) FROM temp.dpair WHERE a<>b", &info->pairs, err)) ||
	    (r = gbi_store_int(s, "SELECT coalesce(min(id),0) FROM temp.dside", &info->batch_min, err)) ||
	    (r = gbi_store_int(s, "SELECT coalesce(max(id),0) FROM temp.dside", &info->batch_max, err)))
		goto out;
	r = report(s, cb, info, err);
out:
	gbi_store_exec(s, "COMMIT", NULL);
	return r;
}
