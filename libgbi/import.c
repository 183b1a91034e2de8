/*
 * import.c: one batch from a set of inputs (import.h).
 *
 * Reading: every table file streams through csvread on a reading thread,
 * which checks each value by its column type; the calling thread, the only
 * one that touches the store, inserts the rows that pass with a prepared
 * INSERT of several rows at a time, inside the command's one transaction
 * (see "the reading thread" below).  The secondary indexes of the tables
 * being loaded are dropped first and built again after the load.  Checks
 * between rows and tables (unique keys, the case a row belongs to, persons
 * named by other tables, one applicant and at most one partner) run
 * afterwards as set-based SQL over the batch, and the rows they
 * reject are deleted again before the commit.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "audit.h"
#include "csvread.h"
#include "field.h"
#include "input.h"
#include "banned.h"

/*
 * The rows of a table pass from a reading thread to the thread that owns the
 * store in chunks: the reader reads, parses and checks every value, and puts
 * each row as it will be stored (or as it is rejected) in a chunk; the writer
 * binds the chunk's rows to a prepared INSERT of MULTI rows at a time and
 * records the rejects.  NCHUNKS chunks go round, so memory stays bounded
 * whatever the input; only the writer touches the store.
 */
#define CH_ROWS 2048
#define CH_ARENA (2 * GBI_CSV_MAX_ROW)   /* room for the largest row, twice */
#define NCHUNKS 3
#define MULTI 64                          /* rows per INSERT statement */

enum { V_NULL = -1, V_INT = -2 };
struct val {
	int64_t i;        /* V_INT: the value */
	int32_t len;      /* text: its length; V_NULL, V_INT */
	uint32_t off;     /* text: offset in the arena */
};
struct rec {
	long line;
	const char *col;  /* NULL: a row to insert; else a reject: the column header */
	uint32_t v, why;  /* reject: offsets of the quoted value and the reason */
	int bsn_new;      /* the row has a bsn, not the previous row's */
};
struct chunk {
	int nrec;
	uint64_t pos;     /* input bytes read when the chunk was handed over */
	size_t used;      /* arena bytes in use */
	struct rec rec[CH_ROWS];
	struct val val[CH_ROWS][GBI_MAX_COLS];
	char arena[CH_ARENA];
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *ch[NCHUNKS];
	int full[NCHUNKS];
	int head, tail;   /* the reader's chunk, the writer's next chunk */
	int done;         /* the reader has finished (st, err) */
	int stop;         /* the writer failed: the reader stops */
	gbi_status st;
	struct gbi_err err;
};

struct imp {
	struct gbi_store *s;
	const struct gbi_import_opts *o;
	struct gbi_format *fmt;
	struct gbi_import_result *res;
	int64_t batch;
	/* the table being read */
	const struct gbi_table *t;
	struct gbi_import_table *ts;
	const char *name;
	sqlite3_stmt *ins;            /* INSERT of one row */
	sqlite3_stmt *multi;          /* INSERT of MULTI rows */
	sqlite3_stmt *rej;            /* INSERT INTO reject */
	uint64_t next_progress;
	struct gbi_stream *stream;
	int cases_read;               /* the batch's cases table has been read */
	int case_rows_early;          /* owner-case rows were read before it */
	int nnotes;                   /* notes for after the commit */
	char notes[8][512];
	int keys_ordered[GBI_MAX_TABLES]; /* per res->t: unique keys strictly increasing */
	int refs_done[GBI_MAX_TABLES];    /* per res->t: persons looked up during the load */
	long refs_missing[GBI_MAX_TABLES]; /* and the numbers not found */
	/* the reference check during the load (follow_refs) */
	sqlite3_stmt *pcur, *pseek;   /* persons' bsns in order; one looked up */
	sqlite3_stmt *pmiss;          /* INSERT INTO temp.missing */
	int prc;                      /* pcur's last step */
	char plast[16];               /* the greatest bsn looked for so far */
	long pseeks;                  /* bsns looked up out of order */
	int had_live[GBI_MAX_TABLES];     /* per res->t: the table had current rows */
	int idx_kept;                 /* the table's indexes stay during the load */
	int miss0;                    /* the store's cache misses when it began */
	int nidx;                     /* the kept indexes: */
	int idxcol[8];                /* their first columns, -1 when not known */
	long idx_rows, idx_down;      /* rows compared, rows below the previous one */
	/* the reading thread's own state */
	struct pipe *pp;
	struct chunk *cur;            /* the chunk being filled */
	int header_done;
	int nheader;
	int colfield[GBI_MAX_COLS];   /* column -> field index, -1 when absent */
	int ordered;                  /* unique keys so far strictly increasing */
	int have_prev;
	struct val prev[4];           /* the previous row's unique key */
	char prevbsn[16];             /* the previous row's bsn, "" for none */
	int nenum[GBI_MAX_COLS];      /* enum columns: their values, or -1: */
	struct { uint8_t off, len; } enumv[GBI_MAX_COLS][128]; /* in col->enumv */
	char *prevbuf;                /* its text, GBI_CSV_MAX_ROW bytes */
};

/* A value as messages show it: quoted, cut at 120 characters. */
static void quote_value(char v[200], const char *value, size_t vlen)
{
	if (gbi_check_utf8(value, vlen, NULL))
		gbi_quote_bytes(v, 200, value, vlen, 120);
	else
		gbi_quote(v, 200, value, vlen, 120);
}

/* Records one rejected row, its value already quoted: store, callback, count. */
static gbi_status record_reject(struct imp *c, const char *file, const char *table, long line, const char *col,
				const char *v, const char *reason, struct gbi_err *err)
{
	sqlite3_bind_int64(c->rej, 1, c->batch);
	sqlite3_bind_text(c->rej, 2, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->rej, 3, line);
	sqlite3_bind_text(c->rej, 4, col, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->rej, 5, v, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->rej, 6, reason, -1, SQLITE_STATIC);
	int rc = sqlite3_step(c->rej);
	sqlite3_reset(c->rej);
	if (rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "recording a rejected row", err);
	if (c->o->on_reject) {
		struct gbi_reject r = {file, table, line, col, v, reason};
		c->o->on_reject(c->o->ctx, &r);
	}
	c->res->rejected++;
	return GBI_OK;
}

/* Records one rejected row: store, callback, counts. */
static gbi_status reject(struct imp *c, const char *file, const char *table, long line, const char *col,
			 const char *value, size_t vlen, const char *reason, struct gbi_err *err)
{
	char v[200];
	quote_value(v, value, vlen);
	return record_reject(c, file, table, line, col, v, reason, err);
}

static gbi_status header(struct imp *c, const struct gbi_csv_row *row, struct gbi_err *err)
{
	const struct gbi_table *t = c->t;
	int seen[GBI_MAX_COLS] = {0};
	if (row->nfields > GBI_CSV_MAX_FIELDS)
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: more than %d columns in the header", c->name, row->line,
				   GBI_CSV_MAX_FIELDS);
	if (row->bad)
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: header: %s", c->name, row->line, row->bad);
	for (int i = 0; i < GBI_MAX_COLS; i++)
		c->colfield[i] = -1;
	for (int f = 0; f < row->kept; f++) {
		const char *h = row->f[f];
		int found = -1;
		if (row->len[f] == 0)
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: header: column %d has no name", c->name, row->line, f + 1);
		for (int k = 0; k < t->ncols; k++)
			if (strcasecmp(t->cols[k].header, h) == 0)
				found = k;
		char q[120];
		gbi_quote(q, sizeof q, h, row->len[f], 60);
		if (found < 0) {
			if (c->fmt->extra_ignore)
				continue;
			char known[1024] = "";
			for (int k = 0; k < t->ncols; k++) {
				size_t u = strlen(known);
				snprintf(known + u, sizeof known - u, "%s%s", k ? ", " : "", t->cols[k].header);
			}
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: header: column '%s' is not in table '%s' of format %s (columns: %s)",
					   c->name, row->line, q, t->name, c->fmt->name, known);
		}
		if (seen[found])
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: header: column '%s' appears twice", c->name, row->line, q);
		seen[found] = 1;
		c->colfield[found] = f;
	}
	for (int k = 0; k < t->ncols; k++)
		if (t->cols[k].required && !seen[k])
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: header: required column '%s' is missing", c->name,
					   row->line, t->cols[k].header);
	c->nheader = row->nfields;
	c->header_done = 1;
	return GBI_OK;
}

static int in_list(const char *v, size_t n, const char *list)
{
	const char *p = list;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, v, n) == 0)
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

/* ---- the reading thread ---------------------------------------------------------- */

/* The values of each enum column, split once per table for in_enum. */
static void split_enums(struct imp *c)
{
	for (int k = 0; k < c->t->ncols; k++) {
		const char *list = c->t->cols[k].enumv;
		size_t len = strlen(list);
		int n = 0;
		c->nenum[k] = -1;
		if (c->t->cols[k].type != GBI_T_ENUM || len >= 256)
			continue;
		for (size_t i = 0, start = 0; i <= len && n < 128; i++)
			if (list[i] == '|' || list[i] == '\0') {
				c->enumv[k][n].off = (uint8_t)start;
				c->enumv[k][n++].len = (uint8_t)(i - start);
				start = i + 1;
			}
		c->nenum[k] = n;
	}
}

static int in_enum(const struct imp *c, int k, const char *v, size_t n)
{
	const char *list = c->t->cols[k].enumv;
	if (c->nenum[k] < 0 || c->nenum[k] == 128)
		return in_list(v, n, list);
	for (int i = 0; i < c->nenum[k]; i++)
		if (c->enumv[k][i].len == n && list[c->enumv[k][i].off] == v[0]
		    && memcmp(list + c->enumv[k][i].off, v, n) == 0)
			return 1;
	return 0;
}

/* Hands the filled chunk to the writer and waits for a free one.  Non-OK
 * when the writer has stopped. */
static gbi_status hand_over(struct imp *c, struct gbi_err *err)
{
	struct pipe *p = c->pp;
	c->cur->pos = gbi_stream_pos(c->stream);
	pthread_mutex_lock(&p->mu);
	p->full[p->head] = 1;
	p->head = (p->head + 1) % NCHUNKS;
	pthread_cond_broadcast(&p->cv);
	while (p->full[p->head] && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	int stop = p->stop;
	pthread_mutex_unlock(&p->mu);
	c->cur = p->ch[p->head];
	c->cur->nrec = 0;
	c->cur->used = 0;
	if (stop)
		return gbi_err_set(err, GBI_ESYS, "stopped");
	return GBI_OK;
}

static uint32_t put_bytes(struct chunk *ch, const char *s, size_t n)
{
	uint32_t off = (uint32_t)ch->used;
	memcpy(ch->arena + off, s, n);
	ch->arena[off + n] = '\0';
	ch->used += n + 1;
	return off;
}

/* Adds a rejected row to the chunk. */
static void put_reject(struct imp *c, long line, const char *col, const char *value, size_t vlen, const char *why)
{
	struct chunk *ch = c->cur;
	struct rec *rc = &ch->rec[ch->nrec++];
	char v[200];
	quote_value(v, value, vlen);
	rc->line = line;
	rc->col = col;
	rc->v = put_bytes(ch, v, strlen(v));
	rc->why = put_bytes(ch, why, strlen(why));
}

/* Two values in SQLite's order (BINARY): NULL, numbers, text. */
static int cmp_val(const struct val *a, const char *abuf, const struct val *b, const char *bbuf)
{
	if (a->len == V_NULL || b->len == V_NULL)
		return (a->len != V_NULL) - (b->len != V_NULL);
	if (a->len == V_INT || b->len == V_INT) {
		if (a->len != b->len)
			return a->len == V_INT ? -1 : 1;
		return a->i < b->i ? -1 : a->i > b->i;
	}
	size_t n = (size_t)(a->len < b->len ? a->len : b->len);
	int d = memcmp(abuf + a->off, bbuf + b->off, n);
	if (d)
		return d;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Whether a column's values are read as text (money and integers are read
 * as numbers). */
static int text_valued(const struct gbi_column *col)
{
	return col->type != GBI_T_INT && col->type != GBI_T_MONEY;
}

/* Whether the order follow_key sees is the order the store will have: text
 * into a TEXT column stays as it is read, a number is compared as one; text
 * into an INTEGER or NUMERIC column of a format of one's own may become a
 * number ('01' and '1' both 1), so the store's check must run. */
static gbi_status key_order_trusted(struct imp *c, int *out, struct gbi_err *err)
{
	const struct gbi_table *t = c->t;
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(c->s, "SELECT upper(type) FROM pragma_table_info(?1) WHERE name=?2", &st, err);
	if (r)
		return r;
	*out = 1;
	for (int i = 0; i < t->nunique && *out; i++) {
		const struct gbi_column *col = &t->cols[t->unique[i]];
		if (!text_valued(col))
			continue;
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, col->name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		const char *ty = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		*out = ty && strcmp(ty, "TEXT") == 0;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return GBI_OK;
}

/* Follows whether the unique key of the rows so far strictly increases:
 * then no two rows have the same key and check_unique has nothing to find.
 * Rows with an empty key column never count as duplicates. */
static void follow_key(struct imp *c, const struct val *v)
{
	const struct gbi_table *t = c->t;
	const char *buf = c->cur->arena;
	for (int i = 0; i < t->nunique; i++)
		if (v[t->unique[i]].len == V_NULL)
			return;
	if (c->have_prev) {
		int d = 0;
		for (int i = 0; i < t->nunique && !d; i++)
			d = cmp_val(&c->prev[i], c->prevbuf, &v[t->unique[i]], buf);
		if (d >= 0) {
			c->ordered = 0;
			return;
		}
	}
	size_t o = 0;
	for (int i = 0; i < t->nunique; i++) {
		c->prev[i] = v[t->unique[i]];
		if (c->prev[i].len >= 0) {
			memcpy(c->prevbuf + o, buf + c->prev[i].off, (size_t)c->prev[i].len);
			c->prev[i].off = (uint32_t)o;
			o += (size_t)c->prev[i].len;
		}
	}
	c->have_prev = 1;
}

static gbi_status read_row(void *vc, const struct gbi_csv_row *row, struct gbi_err *err)
{
	struct imp *c = vc;
	const struct gbi_table *t = c->t;
	char msg[256];
	int32_t dates[GBI_MAX_COLS];
	gbi_status r;

	if (!c->header_done)
		return header(c, row, err);
	/* room for the row as stored, or for a reject */
	size_t need = 1024 + (size_t)t->ncols * 600;
	for (int f = 0; f < row->kept; f++)
		need += row->len[f] + 1;
	struct chunk *ch = c->cur;
	if ((ch->nrec == CH_ROWS || ch->used + need > CH_ARENA) && (r = hand_over(c, err)))
		return r;
	ch = c->cur;
	if (row->nfields != c->nheader) {
		snprintf(msg, sizeof msg, "%d fields, the header has %d", row->nfields, c->nheader);
		put_reject(c, row->line, "", "", 0, msg);
		return GBI_OK;
	}
	if (row->bad) {
		int f = row->bad_field;
		const char *h = "";
		for (int k = 0; k < t->ncols; k++)
			if (c->colfield[k] == f)
				h = t->cols[k].header;
		put_reject(c, row->line, h, f < row->kept ? row->f[f] : "", f < row->kept ? row->len[f] : 0, row->bad);
		return GBI_OK;
	}
	size_t used0 = ch->used;
	struct val *out = ch->val[ch->nrec];
	for (int k = 0; k < t->ncols; k++) {
		const struct gbi_column *col = &t->cols[k];
		int f = c->colfield[k];
		const char *v = f >= 0 ? row->f[f] : "";
		size_t n = f >= 0 ? row->len[f] : 0;
		const char *raw = v;
		size_t rawn = n;
		const char *why = NULL;
		struct val *o = &out[k];
		dates[k] = 0;
		if (n && col->map[0]) {
			v = gbi_column_map(col, v, n, &n);
			if (!v) {
				snprintf(msg, sizeof msg, "not one of the values of format %s (%s)", c->fmt->name, col->map);
				why = msg;
				goto bad;
			}
		}
		if (n == 0 && col->defval[0]) {
			v = col->defval;
			n = strlen(v);
		}
		if (n == 0) {
			if (col->required) {
				why = "required value missing";
				goto bad;
			}
			o->len = V_NULL;
			continue;
		}
		switch (col->type) {
		case GBI_T_TEXT:
			why = gbi_parse_text(v, n, (size_t)col->maxlen);
			if (why && strcmp(why, "too long") == 0) {
				snprintf(msg, sizeof msg, "longer than %d characters", col->maxlen);
				why = msg;
			}
			break;
		case GBI_T_CASE_ID:
			why = gbi_parse_case_id(v, n);
			break;
		case GBI_T_BSN:
			why = gbi_parse_bsn(v, n);
			break;
		case GBI_T_MUNICIPALITY:
			why = gbi_parse_municipality(v, n);
			if (!why && k == t->owner_col && c->o->nmunis) {
				int ok = 0;
				for (int i = 0; i < c->o->nmunis; i++)
					if (strlen(c->o->munis[i]) == n && memcmp(c->o->munis[i], v, n) == 0)
						ok = 1;
				if (!ok)
					why = "not among the --municipality codes of this import";
			}
			break;
		case GBI_T_DATE: {
			char canon[11];
			why = gbi_parse_date(v, n, c->fmt->date, &dates[k]);
			if (why && strcmp(why, "not a date") == 0) {
				snprintf(msg, sizeof msg, "not a date in the layout %s", c->fmt->date);
				why = msg;
			}
			if (!why) {
				gbi_date_format(dates[k], canon);
				o->len = 10;
				o->off = put_bytes(ch, canon, 10);
			}
			break;
		}
		case GBI_T_PERIOD: {
			int32_t ym;
			char canon[11];
			why = gbi_parse_period(v, n, c->fmt->period, &ym);
			if (why && strcmp(why, "not a period") == 0) {
				snprintf(msg, sizeof msg, "not a period in the layout %s", c->fmt->period);
				why = msg;
			}
			if (!why) {
				gbi_period_format(ym, canon);
				o->len = 7;
				o->off = put_bytes(ch, canon, 7);
			}
			break;
		}
		case GBI_T_MONEY:
			why = gbi_parse_money(v, n, c->fmt->decimal, c->fmt->thousands, &o->i);
			o->len = V_INT;
			break;
		case GBI_T_INT:
			why = gbi_parse_int(v, n, col->lo, col->hi, &o->i);
			if (why && strcmp(why, "out of range") == 0) {
				snprintf(msg, sizeof msg, "out of range %lld..%lld", (long long)col->lo, (long long)col->hi);
				why = msg;
			}
			o->len = V_INT;
			break;
		case GBI_T_POSTCODE:
			why = gbi_parse_postcode(v, n);
			break;
		case GBI_T_IBAN:
			why = gbi_parse_iban(v, n);
			break;
		case GBI_T_ENUM:
			if (!in_enum(c, k, v, n)) {
				snprintf(msg, sizeof msg, "not one of %s", col->enumv);
				why = msg;
			}
			break;
		}
		if (why)
			goto bad;
		if (col->type != GBI_T_DATE && col->type != GBI_T_PERIOD && col->type != GBI_T_MONEY
		    && col->type != GBI_T_INT) {
			o->len = (int32_t)n;
			o->off = put_bytes(ch, v, n);
		}
		if (col->after >= 0 && dates[col->after] && dates[k] && dates[k] < dates[col->after]) {
			snprintf(msg, sizeof msg, "before %s", t->cols[col->after].header);
			why = msg;
			goto bad;
		}
		continue;
	bad:
		ch->used = used0;
		put_reject(c, row->line, col->header, raw, rawn, why);
		return GBI_OK;
	}
	if (t->nunique && c->ordered)
		follow_key(c, out);
	struct rec *rc = &ch->rec[ch->nrec++];
	rc->line = row->line;
	rc->col = NULL;
	rc->bsn_new = 0;
	if (t->bsn_col >= 0 && out[t->bsn_col].len >= 0) {
		const struct val *b = &out[t->bsn_col];
		size_t bn = (size_t)b->len;
		const char *x = ch->arena + b->off;
		if (bn >= sizeof c->prevbsn || strcmp(x, c->prevbsn) != 0) {
			rc->bsn_new = 1;
			gbi_strlcpy(c->prevbsn, bn < sizeof c->prevbsn ? x : "", sizeof c->prevbsn);
		}
	}
	return GBI_OK;
}

static void *reader(void *vc)
{
	struct imp *c = vc;
	struct pipe *p = c->pp;
	struct gbi_err *err = &p->err;
	struct gbi_csvread *rd = NULL;
	gbi_status r;
	char *buf = malloc(1 << 16);
	if (!buf) {
		r = gbi_err_set(err, GBI_ESYS, "out of memory");
		goto out;
	}
	if ((r = gbi_csvread_new(&rd, c->name, c->fmt->sep, c->fmt->encoding, read_row, c, err)))
		goto out;
	for (;;) {
		long n = gbi_stream_read(c->stream, buf, 1 << 16, err);
		if (n < 0) {
			r = err->code;
			goto out;
		}
		if (n == 0)
			break;
		if ((r = gbi_csvread_feed(rd, buf, (size_t)n, err)))
			goto out;
	}
	r = gbi_csvread_finish(rd, err);
out:
	free(buf);
	gbi_csvread_free(rd);
	/* the rows before an error still go to the writer, as they were read */
	c->cur->pos = gbi_stream_pos(c->stream);
	pthread_mutex_lock(&p->mu);
	if (c->cur->nrec > 0) {
		p->full[p->head] = 1;
		p->head = (p->head + 1) % NCHUNKS;
	}
	p->st = r;
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the writing thread ---------------------------------------------------------- */

/* Binds row i of the chunk as the row at parameter offset base. */
static void bind_row(const struct imp *c, sqlite3_stmt *st, int base, const struct chunk *ch, int i)
{
	const struct val *v = ch->val[i];
	sqlite3_bind_int64(st, base + 1, ch->rec[i].line);
	for (int k = 0; k < c->t->ncols; k++) {
		int p = base + 2 + k;
		if (v[k].len >= 0)
			sqlite3_bind_text(st, p, ch->arena + v[k].off, v[k].len, SQLITE_STATIC);
		else if (v[k].len == V_INT)
			sqlite3_bind_int64(st, p, v[k].i);
		else
			sqlite3_bind_null(st, p);
	}
}

static gbi_status step_insert(struct imp *c, sqlite3_stmt *st, int rows, struct gbi_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "inserting", err);
	c->ts->imported += rows;
	c->res->imported += rows;
	return GBI_OK;
}

/* The reference check during the load: each bsn that differs from the
 * previous row's is looked for in persons.  Rows mostly come in the order of
 * their bsn, so persons' bsns are read in order alongside (a merge), each
 * once; a bsn below the greatest so far is looked up by itself.  A missing
 * one goes to temp.missing.  When too many need looking up (rows in no
 * order), this stops, and check_persons does it all after the load. */
static gbi_status follow_refs(struct imp *c, const struct chunk *ch, int i, struct gbi_err *err)
{
	if (!ch->rec[i].bsn_new)
		return GBI_OK;
	const struct val *b = &ch->val[i][c->t->bsn_col];
	const char *x = ch->arena + b->off;
	int missing, d = (size_t)b->len < sizeof c->plast ? strcmp(x, c->plast) : -1;
	if (d == 0)
		return GBI_OK;  /* looked for already */
	if (d > 0) {
		int cmp = 1;
		while (c->prc == SQLITE_ROW && (cmp = strcmp(x, (const char *)sqlite3_column_text(c->pcur, 0))) > 0)
			c->prc = sqlite3_step(c->pcur);
		if (c->prc != SQLITE_ROW && c->prc != SQLITE_DONE)
			return gbi_store_error(c->s, c->prc, "checking persons", err);
		missing = c->prc == SQLITE_DONE || cmp < 0;
		memcpy(c->plast, x, (size_t)b->len + 1);
	} else {
		if ((size_t)b->len >= sizeof c->plast || ++c->pseeks > 1024 + c->ts->read / 8) {
			sqlite3_finalize(c->pcur);
			c->pcur = NULL;
			return GBI_OK;
		}
		sqlite3_bind_text(c->pseek, 1, x, b->len, SQLITE_STATIC);
		int rc = sqlite3_step(c->pseek);
		sqlite3_reset(c->pseek);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return gbi_store_error(c->s, rc, "checking persons", err);
		missing = rc == SQLITE_DONE;
	}
	if (missing) {
		sqlite3_bind_text(c->pmiss, 1, x, b->len, SQLITE_STATIC);
		int rc = sqlite3_step(c->pmiss);
		sqlite3_reset(c->pmiss);
		if (rc != SQLITE_DONE)
			return gbi_store_error(c->s, rc, "checking persons", err);
		c->refs_missing[c->res->ntables - 1]++;
	}
	return GBI_OK;
}

static gbi_status write_chunk(struct imp *c, const struct chunk *ch, struct gbi_err *err)
{
	int pending[MULTI], np = 0;
	int per = c->t->ncols + 1;
	gbi_status r;
	for (int i = 0; i < ch->nrec; i++) {
		const struct rec *rc = &ch->rec[i];
		c->ts->read++;
		c->res->read++;
		if (rc->col) {
			c->ts->rejected++;
			if ((r = record_reject(c, c->name, c->t->name, rc->line, rc->col, ch->arena + rc->v,
					       ch->arena + rc->why, err)))
				return r;
			continue;
		}
		if (c->pcur && (r = follow_refs(c, ch, i, err)))
			return r;
		bind_row(c, c->multi, np * per, ch, i);
		pending[np++] = i;
		if (np == MULTI) {
			if ((r = step_insert(c, c->multi, MULTI, err)))
				return r;
			np = 0;
		}
	}
	/* the rows bound point into this chunk: insert them before it goes back */
	for (int j = 0; j < np; j++) {
		bind_row(c, c->ins, 0, ch, pending[j]);
		if ((r = step_insert(c, c->ins, 1, err)))
			return r;
	}
	if (c->o->on_progress && ch->pos >= c->next_progress) {
		c->next_progress = ch->pos + (1u << 20);
		c->o->on_progress(c->o->ctx, c->name, ch->pos, gbi_stream_total(c->stream), c->ts->read);
	}
	return GBI_OK;
}

static int in_batch(struct imp *c, const char *table);

static int cache_misses(struct imp *c)
{
	int cur = 0, hi = 0;
	sqlite3_db_status(c->s->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0);
	return cur;
}

/* A table's indexes: built again after the load, which costs a pass over
 * the whole table and a sort on the store's thread; or, when the table has
 * no current rows (its partial indexes are empty, and there are no rows to
 * replace), kept and filled as the rows come, which costs less while the
 * rows come about in the order of the indexes (each row's entries go where
 * the last ones went) and is done while the other thread reads.  When they
 * do not (indexes_in_order), the indexes are dropped after all. */
static gbi_status keep_or_drop_indexes(struct imp *c, const struct gbi_table *t, struct gbi_err *err)
{
	char sql[256];
	int64_t live = 1;
	snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM %s WHERE live=1)", t->name);
	gbi_status r = gbi_store_int(c->s, sql, &live, err);
	if (r)
		return r;
	c->had_live[c->res->ntables - 1] = (int)live;
	c->idx_kept = !live;
	c->miss0 = cache_misses(c);
	c->nidx = 0;
	c->idx_rows = c->idx_down = 0;
	if (live)
		return gbi_store_drop_indexes(c->s, t->name, err);
	/* the first column of each index, when the rows carry it (muni, of an
	 * owner-case table, comes from the case) */
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "SELECT ii.name FROM pragma_index_list('%s') il, "
		 "pragma_index_info(il.name) ii WHERE ii.seqno=0", t->name);
	if ((r = gbi_store_prepare(c->s, sql, &st, err)))
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->nidx < 8) {
		const char *col = (const char *)sqlite3_column_text(st, 0);
		c->idxcol[c->nidx++] = col ? gbi_table_column(t, col) : -1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "reading the indexes", err);
	return GBI_OK;
}

/* Whether the rows so far come about in the order of each kept index (in
 * the order of its first column, at most 1 row in 32 below the row before
 * it, from the first chunk on: then each row's entries go where the last
 * ones went), and the cache holds what the indexes need; if not, the indexes
 * go, and are built again after the load. */
static gbi_status indexes_in_order(struct imp *c, const struct chunk *ch, struct gbi_err *err)
{
	if (!c->idx_kept)
		return GBI_OK;
	for (int x = 0; x < c->nidx; x++) {
		int k = c->idxcol[x], prev = -1;
		if (k < 0)
			continue;
		for (int i = 0; i < ch->nrec; i++) {
			if (ch->rec[i].col)
				continue;
			if (prev >= 0) {
				c->idx_down += cmp_val(&ch->val[prev][k], ch->arena, &ch->val[i][k], ch->arena) > 0;
				c->idx_rows++;
			}
			prev = i;
		}
	}
	if (c->idx_down <= 16 + c->idx_rows / 32 && cache_misses(c) - c->miss0 <= 1024 + c->ts->read / 128)
		return GBI_OK;
	/* no statement may be reading when an index goes */
	sqlite3_finalize(c->pcur);
	c->pcur = NULL;
	c->idx_kept = 0;
	return gbi_store_drop_indexes(c->s, c->t->name, err);
}

/* Reads the table on a second thread and writes its chunks here. */
static gbi_status load_table(struct imp *c, struct gbi_err *err)
{
	struct pipe p;
	gbi_status r = GBI_OK;
	memset(&p, 0, sizeof p);
	for (int i = 0; i < NCHUNKS; i++)
		if (!(p.ch[i] = malloc(sizeof *p.ch[i])))
			r = gbi_err_set(err, GBI_ESYS, "out of memory");
	c->prevbuf = malloc(GBI_CSV_MAX_ROW);
	if (!c->prevbuf)
		r = gbi_err_set(err, GBI_ESYS, "out of memory");
	if (r)
		goto out;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	c->pp = &p;
	c->cur = p.ch[0];
	c->cur->nrec = 0;
	c->cur->used = 0;
	c->header_done = 0;
	c->ordered = 1;
	c->have_prev = 0;
	c->prevbsn[0] = '\0';
	split_enums(c);
	c->plast[0] = '\0';
	c->pseeks = 0;
	if (c->t->nunique && (r = key_order_trusted(c, &c->ordered, err)))
		goto out_sync;
	/* persons as they will be at check_persons: only when the batch has none
	   and the bsns are read as text, as persons holds them */
	if (c->t->bsn_col >= 0 && text_valued(&c->t->cols[c->t->bsn_col]) && !in_batch(c, "persons")) {
		if ((r = gbi_store_prepare(c->s, "SELECT bsn FROM persons WHERE live=1 ORDER BY bsn", &c->pcur, err))
		    || (r = gbi_store_prepare(c->s, "SELECT 1 FROM persons WHERE bsn=? AND live=1", &c->pseek, err))
		    || (r = gbi_store_prepare(c->s, "INSERT OR IGNORE INTO temp.missing VALUES(?)", &c->pmiss, err)))
			goto out_sync;
		c->prc = sqlite3_step(c->pcur);
	}
	pthread_t th;
	if (pthread_create(&th, NULL, reader, c) != 0) {
		r = gbi_err_set(err, GBI_ESYS, "cannot start the reading thread");
		goto out_sync;
	}
	for (;;) {
		pthread_mutex_lock(&p.mu);
		while (!p.full[p.tail] && !p.done)
			pthread_cond_wait(&p.cv, &p.mu);
		int have = p.full[p.tail];
		pthread_mutex_unlock(&p.mu);
		if (!have)
			break;
		r = indexes_in_order(c, p.ch[p.tail], err);
		if (!r)
			r = write_chunk(c, p.ch[p.tail], err);
		pthread_mutex_lock(&p.mu);
		p.full[p.tail] = 0;
		p.tail = (p.tail + 1) % NCHUNKS;
		if (r)
			p.stop = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		if (r)
			break;
	}
	pthread_join(th, NULL);
	if (!r && p.st) {
		r = p.st;
		*err = p.err;
	}
	c->keys_ordered[c->res->ntables - 1] = c->ordered;
	c->refs_done[c->res->ntables - 1] = c->pcur != NULL;
out_sync:
	sqlite3_finalize(c->pcur);
	sqlite3_finalize(c->pseek);
	sqlite3_finalize(c->pmiss);
	c->pcur = c->pseek = c->pmiss = NULL;
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
out:
	for (int i = 0; i < NCHUNKS; i++)
		free(p.ch[i]);
	free(c->prevbuf);
	c->prevbuf = NULL;
	c->pp = NULL;
	c->cur = NULL;
	return r;
}

static gbi_status execf(struct imp *c, struct gbi_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* INSERT INTO the table of `rows` rows; the parameters of row r start at
 * b = r * (ncols + 1): ?b+1 the line, ?b+2... the columns.  The batch id and
 * live are constants.  A row of an owner-case table takes the municipality
 * of its case from temp.cand as it is inserted (NULL when the case is unknown
 * or ambiguous), which is much cheaper than updating every row afterwards;
 * a row of an owner-column table takes the value of that column.  OR FAIL:
 * a row that fails refuses the whole batch anyway, and SQLite then keeps no
 * statement journal for a statement of many rows. */
static gbi_status prepare_insert(struct imp *c, const struct gbi_table *t, int rows, sqlite3_stmt **st,
				 struct gbi_err *err)
{
	size_t size = 256 + (size_t)t->ncols * (GBI_NAME + 2) + (size_t)rows * (256 + (size_t)t->ncols * 8), o;
	char *sql = malloc(size);
	if (!sql)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	o = (size_t)snprintf(sql, size, "INSERT OR FAIL INTO %s(batch_id,line,muni,live", t->name);
	for (int k = 0; k < t->ncols; k++)
		o += (size_t)snprintf(sql + o, size - o, ",%s", t->cols[k].name);
	o += (size_t)snprintf(sql + o, size - o, ") VALUES");
	for (int r = 0; r < rows; r++) {
		int b = r * (t->ncols + 1);
		char muni[128];
		if (t->owner == GBI_OWN_CASE)
			snprintf(muni, sizeof muni, "(SELECT muni FROM temp.cand WHERE case_id=?%d AND n=1)", b + 2 + t->case_col);
		else if (t->owner == GBI_OWN_COLUMN)
			snprintf(muni, sizeof muni, "?%d", b + 2 + t->owner_col);
		else
			snprintf(muni, sizeof muni, "NULL");
		o += (size_t)snprintf(sql + o, size - o, "%s(%lld,?%d,%s,1", r ? "," : "", (long long)c->batch, b + 1, muni);
		for (int k = 0; k < t->ncols; k++)
			o += (size_t)snprintf(sql + o, size - o, ",?%d", b + 2 + k);
		o += (size_t)snprintf(sql + o, size - o, ")");
	}
	gbi_status r = o < size ? gbi_store_prepare(c->s, sql, st, err)
				: gbi_err_set(err, GBI_ESYS, "internal: SQL too long");
	free(sql);
	return r;
}

/* The cases owner-case rows may name, one row per case id with the number
 * of municipalities it is in: the batch's cases, and the current cases of
 * the municipalities whose cases the batch does not deliver. */
static gbi_status build_cand(struct imp *c, struct gbi_err *err)
{
	long long b = (long long)c->batch;
	return execf(c, err,
		"DELETE FROM temp.cand;"
		"INSERT INTO temp.cand SELECT case_id, min(muni), count(*) FROM ("
		"  SELECT case_id, muni FROM cases WHERE batch_id=%lld"
		"  UNION SELECT case_id, muni FROM cases WHERE live=1 AND batch_id<>%lld"
		"    AND muni NOT IN (SELECT DISTINCT muni FROM cases WHERE batch_id=%lld)) %s "
		"GROUP BY case_id", b, b, b,
		c->o->nmunis ? "WHERE muni IN (SELECT muni FROM temp.optm)" : "");
}

static int rank_table(void *vc, const char *base)
{
	struct imp *c = vc;
	const struct gbi_table *t = gbi_format_table_by_file(c->fmt, base);
	if (!t)
		return 3;
	if (t->owner == GBI_OWN_COLUMN)
		return 0;  /* cases, policy: others name them */
	return strcmp(t->name, "persons") == 0 ? 1 : 2;
}

static gbi_status on_table(void *vc, const char *name, const char *base, struct gbi_stream *st,
			   struct gbi_err *err)
{
	struct imp *c = vc;
	const struct gbi_table *t = NULL;
	gbi_status r;
	if (c->o->table) {
		if (c->res->ntables > 0)
			return gbi_err_set(err, GBI_EUSAGE, "--table names the table of one file or of standard input; %s holds more", name);
		t = gbi_format_table(c->fmt, c->o->table);
		if (!t)
			return gbi_err_set(err, GBI_EUSAGE, "--table %s: no such table in format %s", c->o->table, c->fmt->name);
	} else {
		if (!*base)
			return gbi_err_set(err, GBI_EUSAGE, "%s: cannot tell which table this is: name it TABLE.csv or give --table", name);
		t = gbi_format_table_by_file(c->fmt, base);
		if (!t) {
			char known[1024] = "";
			for (int i = 0; i < c->fmt->ntables; i++) {
				size_t u = strlen(known);
				snprintf(known + u, sizeof known - u, "%s%s", i ? ", " : "", c->fmt->tables[i].file);
			}
			return gbi_err_set(err, GBI_EINPUT, "%s: '%s' is not a table of format %s (tables: %s)", name, base,
					   c->fmt->name, known);
		}
	}
	for (int i = 0; i < c->res->ntables; i++)
		if (strcmp(c->res->t[i].table, t->name) == 0)
			return gbi_err_set(err, GBI_EINPUT, "%s: table '%s' given twice (also in %s)", name, t->name,
					   c->res->t[i].name);
	struct gbi_import_table *ts = &c->res->t[c->res->ntables++];
	memset(ts, 0, sizeof *ts);
	gbi_strlcpy(ts->table, t->name, sizeof ts->table);
	gbi_strlcpy(ts->name, name, sizeof ts->name);
	c->t = t;
	c->ts = ts;
	c->name = ts->name;
	c->header_done = 0;
	c->stream = st;
	c->next_progress = 0;
	if (t->owner == GBI_OWN_CASE && !c->cases_read) {
		c->case_rows_early = 1;
		if ((r = build_cand(c, err)))
			return r;
	}
	if ((r = keep_or_drop_indexes(c, t, err))
	    || (r = prepare_insert(c, t, 1, &c->ins, err)) || (r = prepare_insert(c, t, MULTI, &c->multi, err))
	    || (r = load_table(c, err)))
		goto out;
	gbi_stream_digest(st, ts->sha256, &ts->size);
	if (c->o->on_progress)
		c->o->on_progress(c->o->ctx, name, ts->size, ts->size, ts->read);
	sqlite3_stmt *bi;
	if ((r = gbi_store_prepare(c->s, "INSERT INTO batch_input VALUES(?,?,?,?,?,0,0,0)", &bi, err)))
		goto out;
	sqlite3_bind_int64(bi, 1, c->batch);
	sqlite3_bind_text(bi, 2, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(bi, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(bi, 4, (sqlite3_int64)ts->size);
	sqlite3_bind_text(bi, 5, ts->sha256, -1, SQLITE_STATIC);
	int rc = sqlite3_step(bi);
	sqlite3_finalize(bi);
	if (rc != SQLITE_DONE)
		r = gbi_store_error(c->s, rc, "recording the input", err);
out:
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->multi);
	c->ins = NULL;
	c->multi = NULL;
	c->stream = NULL;
	if (r == GBI_OK && strcmp(t->name, "cases") == 0) {
		c->cases_read = 1;
		r = build_cand(c, err);
	}
	return r;
}

/* ---- set-based checks ---------------------------------------------------------- */

static gbi_status execf(struct imp *c, struct gbi_err *err, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof sql)
		return gbi_err_set(err, GBI_ESYS, "internal: SQL too long");
	return gbi_store_exec(c->s, sql, err);
}

static struct gbi_import_table *stats_of(struct imp *c, const char *table)
{
	for (int i = 0; i < c->res->ntables; i++)
		if (strcmp(c->res->t[i].table, table) == 0)
			return &c->res->t[i];
	return NULL;
}

/* Deletes the rows collected in temp.rej from the batch and reports them. */
static gbi_status flush_rejects(struct imp *c, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(c->s,
		"SELECT tbl, line, col, value, reason FROM temp.rej WHERE rowid IN "
		"(SELECT min(rowid) FROM temp.rej GROUP BY tbl, line) ORDER BY tbl, line", &st, err);
	if (r)
		return r;
	int rc, n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(st, 0);
		n++;
		struct gbi_import_table *ts = stats_of(c, tbl);
		const char *v = (const char *)sqlite3_column_text(st, 3);
		if (!ts)
			continue;
		ts->rejected++;
		ts->imported--;
		c->res->imported--;
		/* temp.rej names the canonical column; messages use the header */
		const struct gbi_table *t = gbi_format_table(c->fmt, tbl);
		const char *col = (const char *)sqlite3_column_text(st, 2);
		int ci = t ? gbi_table_column(t, col) : -1;
		if ((r = reject(c, ts->name, tbl, sqlite3_column_int64(st, 1), ci >= 0 ? t->cols[ci].header : col,
				v ? v : "", v ? strlen(v) : 0, (const char *)sqlite3_column_text(st, 4), err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(c->s, rc, "checking", err);
	sqlite3_finalize(st);
	if (r || n == 0)
		return r;
	for (int i = 0; i < c->res->ntables; i++) {
		const char *t = c->res->t[i].table;
		if ((r = execf(c, err, "DELETE FROM %s WHERE batch_id=%lld AND line IN (SELECT line FROM temp.rej WHERE tbl='%s')",
			       t, (long long)c->batch, t)))
			return r;
	}
	return gbi_store_exec(c->s, "DELETE FROM temp.rej", err);
}

static int in_batch(struct imp *c, const char *table)
{
	return stats_of(c, table) != NULL;
}

static gbi_status step_done(struct imp *c, sqlite3_stmt *st, const char *what, struct gbi_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? GBI_OK : gbi_store_error(c->s, rc, what, err);
}

/* Rows of the batch whose unique key an earlier line of the batch has.
 * Runs after the batch is current and indexed: the duplicated keys among
 * the live rows come from an index scan, and only those keys are looked at
 * row by row.  A key that is also in another municipality's current rows is
 * not a duplicate within the batch. */
static gbi_status check_unique(struct imp *c, const struct gbi_table *t, struct gbi_err *err)
{
	char keys[256] = "", xkeys[256] = "", names[256] = "", join[512] = "";
	for (int i = 0; i < t->nunique; i++) {
		const char *n = t->cols[t->unique[i]].name;
		size_t u = strlen(keys), m = strlen(names), j = strlen(join), xu = strlen(xkeys);
		snprintf(keys + u, sizeof keys - u, "%s%s", i ? "," : "", n);
		snprintf(xkeys + xu, sizeof xkeys - xu, "%sx.%s", i ? "," : "", n);
		snprintf(names + m, sizeof names - m, "%s%s", i ? ", " : "", t->cols[t->unique[i]].header);
		snprintf(join + j, sizeof join - j, "%sx.%s=d.%s", i ? " AND " : "", n, n);
	}
	const struct gbi_column *last = &t->cols[t->unique[t->nunique - 1]];
	long long b = (long long)c->batch;
	char sql[2048];
	sqlite3_stmt *st;
	gbi_status r;
	/* names come from the format file: bound, never pasted into SQL */
	snprintf(sql, sizeof sql,
		"WITH d AS (SELECT %s FROM %s WHERE live=1 GROUP BY %s HAVING count(*) > 1), "
		"r AS (SELECT x.line, x.%s AS v, min(x.line) OVER (PARTITION BY %s) AS first "
		"      FROM %s x JOIN d ON %s WHERE x.live=1 AND x.batch_id=%lld) "
		"INSERT INTO temp.rej SELECT '%s', line, '%s', v, 'duplicate: the same ' || ?1 || ' as line ' || first "
		"FROM r WHERE line > first",
		keys, t->name, keys, last->name, xkeys, t->name, join, b, t->name, last->name);
	if ((r = gbi_store_prepare(c->s, sql, &st, err)))
		return r;
	sqlite3_bind_text(st, 1, names, -1, SQLITE_STATIC);
	r = step_done(c, st, "checking keys", err);
	sqlite3_finalize(st);
	return r;
}

/* Rejects owner-case rows whose case is unknown or ambiguous.  Rows read
 * before the batch's cases (an archive's order) are given their municipality
 * again first. */
static gbi_status resolve_cases(struct imp *c, const struct gbi_table *t, struct gbi_err *err)
{
	gbi_status r;
	long long b = (long long)c->batch;
	if (c->case_rows_early && c->cases_read
	    && (r = execf(c, err,
		"UPDATE %s SET muni=(SELECT muni FROM temp.cand k WHERE k.case_id=%s.case_id AND n=1) "
		"WHERE batch_id=%lld", t->name, t->name, b)))
		return r;
	return execf(c, err,
		"INSERT INTO temp.rej SELECT '%s', line, 'case_id', case_id, "
		"CASE WHEN (SELECT n FROM temp.cand k WHERE k.case_id=x.case_id) > 1 "
		"THEN 'case id exists in several municipalities: import them separately or give --municipality' "
		"ELSE 'no such case' END "
		"FROM %s x WHERE batch_id=%lld AND muni IS NULL", t->name, t->name, b);
}

/* Rows of the batch naming a person that persons does not have.  The bsn
 * indexes of the table and of persons are walked side by side in order (a
 * merge), reading each index once instead of looking up every row; only the
 * missing numbers, gathered in temp.missing, are then looked up in the
 * batch.  done: the merge was made during the load (follow_refs) and found
 * `missing` numbers. */
static gbi_status check_persons(struct imp *c, const struct gbi_table *t, int done, long missing,
				struct gbi_err *err)
{
	sqlite3_stmt *a = NULL, *p = NULL, *ins = NULL;
	char sql[256];
	gbi_status r = GBI_OK;
	int ra, rp;
	if (done)
		goto reject;
	snprintf(sql, sizeof sql, "SELECT DISTINCT bsn FROM %s WHERE live=1 ORDER BY bsn", t->name);
	if ((r = gbi_store_prepare(c->s, sql, &a, err))
	    || (r = gbi_store_prepare(c->s, "SELECT bsn FROM persons WHERE live=1 ORDER BY bsn", &p, err))
	    || (r = gbi_store_prepare(c->s, "INSERT OR IGNORE INTO temp.missing VALUES(?)", &ins, err)))
		goto out;
	ra = sqlite3_step(a);
	rp = sqlite3_step(p);
	while (ra == SQLITE_ROW) {
		const char *x = (const char *)sqlite3_column_text(a, 0);
		int cmp = rp == SQLITE_ROW ? strcmp(x, (const char *)sqlite3_column_text(p, 0)) : -1;
		if (cmp > 0) {
			rp = sqlite3_step(p);
			continue;
		}
		if (cmp < 0) {
			sqlite3_bind_text(ins, 1, x, -1, SQLITE_TRANSIENT);
			if ((r = step_done(c, ins, "checking persons", err)))
				goto out;
			missing++;
		}
		ra = sqlite3_step(a);
	}
	if (ra != SQLITE_DONE || (rp != SQLITE_ROW && rp != SQLITE_DONE)) {
		r = gbi_store_error(c->s, ra != SQLITE_DONE ? ra : rp, "checking persons", err);
		goto out;
	}
reject:
	if (missing)
		r = execf(c, err,
		"INSERT INTO temp.rej SELECT '%s', line, 'bsn', bsn, 'no such person in persons' FROM %s x "
		"WHERE batch_id=%lld AND bsn IN (SELECT bsn FROM temp.missing)",
		t->name, t->name, (long long)c->batch);
out:
	sqlite3_finalize(a);
	sqlite3_finalize(p);
	sqlite3_finalize(ins);
	return r;
}

/* A second applicant or partner in a case at the same time.  Only the cases
 * with two rows of the role (from a scan of the covering index) are
 * compared row by row. */
static gbi_status check_roles(struct imp *c, struct gbi_err *err)
{
	return execf(c, err,
		"WITH d AS (SELECT case_id, muni, role FROM members WHERE live=1 AND role IN ('applicant','partner') "
		"           GROUP BY case_id, muni, role HAVING count(*) > 1) "
		"INSERT INTO temp.rej SELECT 'members', m2.line, 'role', m2.role, "
		"'a second ' || m2.role || ' in case ' || m2.case_id || ' at the same time (line ' || m1.line || ')' "
		"FROM d JOIN members m1 ON m1.case_id=d.case_id AND m1.muni=d.muni AND m1.role=d.role AND m1.live=1 "
		"JOIN members m2 ON m2.case_id=d.case_id AND m2.muni=d.muni AND m2.role=d.role AND m2.live=1 "
		"  AND m2.batch_id=m1.batch_id AND m2.line>m1.line "
		"WHERE m1.batch_id=%lld "
		"  AND coalesce(m1.from_date,'0000') <= coalesce(m2.to_date,'9999') "
		"  AND coalesce(m2.from_date,'0000') <= coalesce(m1.to_date,'9999')",
		(long long)c->batch);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The digest of a batch: format, municipalities and each table's SHA-256. */
static void batch_digest(struct imp *c, char hex[65])
{
	char text[GBI_MAX_TABLES * 120 + GBI_MAX_MUNIS * 6 + 64];
	const char *lines[GBI_MAX_TABLES];
	char buf[GBI_MAX_TABLES][120];
	size_t o = (size_t)snprintf(text, sizeof text, "%s\n", c->fmt->name);
	for (int i = 0; i < c->res->ntables; i++) {
		snprintf(buf[i], sizeof buf[i], "%s %s\n", c->res->t[i].table, c->res->t[i].sha256);
		lines[i] = buf[i];
	}
	qsort(lines, (size_t)c->res->ntables, sizeof lines[0], cmp_str);
	for (int i = 0; i < c->res->ntables; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "%s", lines[i]);
	const char *m[GBI_MAX_MUNIS];
	for (int i = 0; i < c->o->nmunis; i++)
		m[i] = c->o->munis[i];
	qsort(m, (size_t)c->o->nmunis, sizeof m[0], cmp_str);
	for (int i = 0; i < c->o->nmunis; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "municipality %s\n", m[i]);
	gbi_sha256_hex(text, o < sizeof text ? o : sizeof text - 1, hex);
}

static gbi_status identical_batch(struct imp *c, const char *digest, int64_t *same, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(c->s,
		"SELECT b.id FROM batch b WHERE b.digest=? AND b.id<>? "
		"AND EXISTS (SELECT 1 FROM batch_scope x WHERE x.batch_id=b.id) "
		"AND NOT EXISTS (SELECT 1 FROM batch_scope x WHERE x.batch_id=b.id AND NOT EXISTS "
		"  (SELECT 1 FROM snapshot s WHERE s.tbl=x.tbl AND s.muni=x.muni AND s.batch_id=b.id)) "
		"ORDER BY b.id DESC LIMIT 1", &st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, c->batch);
	int rc = sqlite3_step(st);
	*same = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "checking for an identical batch", err);
	return GBI_OK;
}

/* The municipalities each table of the batch covers, in temp.scope(tbl,
 * muni), and all of them in res->munis:
 *  - a table with a municipality column: the --municipality codes and the
 *    municipalities of its own rows;
 *  - the other tables: the municipalities whose cases the batch delivers
 *    (with -m: those codes too); a batch without cases and without -m:
 *    the municipalities of the cases its rows name.
 * A case-owned row whose case lies outside that set is rejected, so that
 * one stray row never makes a batch replace a whole municipality. */
static gbi_status batch_scope(struct imp *c, struct gbi_err *err)
{
	gbi_status r;
	long long b = (long long)c->batch;
	if ((r = gbi_store_exec(c->s, "DELETE FROM temp.scope; DELETE FROM temp.cscope;"
				      "INSERT INTO temp.cscope SELECT muni FROM temp.optm;", err)))
		return r;
	for (int i = 0; i < c->res->ntables; i++) {
		const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
		if (t->owner != GBI_OWN_COLUMN)
			continue;
		if ((r = execf(c, err, "INSERT OR IGNORE INTO temp.scope SELECT '%s', muni FROM temp.optm;"
				       "INSERT OR IGNORE INTO temp.scope SELECT DISTINCT '%s', muni FROM %s WHERE batch_id=%lld",
				       t->name, t->name, t->name, b)))
			return r;
	}
	if (in_batch(c, "cases")) {
		if ((r = gbi_store_exec(c->s, "INSERT OR IGNORE INTO temp.cscope SELECT muni FROM temp.scope WHERE tbl='cases'", err)))
			return r;
	} else if (!c->o->nmunis) {
		for (int i = 0; i < c->res->ntables; i++) {
			const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
			if (t->owner == GBI_OWN_CASE
			    && (r = execf(c, err, "INSERT OR IGNORE INTO temp.cscope SELECT DISTINCT muni FROM %s "
						  "WHERE batch_id=%lld AND muni IS NOT NULL", t->name, b)))
				return r;
		}
	}
	int64_t ncs;
	if ((r = gbi_store_int(c->s, "SELECT count(*) FROM temp.cscope", &ncs, err)))
		return r;
	if (ncs == 0 && (r = gbi_store_exec(c->s, "INSERT OR IGNORE INTO temp.cscope SELECT DISTINCT muni FROM temp.scope", err)))
		return r;
	for (int i = 0; i < c->res->ntables; i++) {
		const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
		if (t->owner == GBI_OWN_COLUMN)
			continue;
		if ((r = execf(c, err, "INSERT OR IGNORE INTO temp.scope SELECT '%s', muni FROM temp.cscope", t->name)))
			return r;
		if (t->owner == GBI_OWN_CASE
		    && (r = execf(c, err,
			"INSERT INTO temp.rej SELECT '%s', line, 'case_id', case_id, 'case of municipality ' || muni || "
			"', for which this batch delivers no cases (give --municipality to cover it)' "
			"FROM %s WHERE batch_id=%lld AND muni IS NOT NULL AND muni NOT IN (SELECT muni FROM temp.cscope)",
			t->name, t->name, b)))
			return r;
	}
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(c->s, "SELECT DISTINCT muni FROM temp.scope ORDER BY muni", &st, err)))
		return r;
	size_t o = 0;
	int n = 0, rc;
	c->res->munis[0] = '\0';
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ >= GBI_MAX_MUNIS) {
			sqlite3_finalize(st);
			return gbi_err_set(err, GBI_EINPUT, "a batch may cover at most %d municipalities", GBI_MAX_MUNIS);
		}
		o += (size_t)snprintf(c->res->munis + o, sizeof c->res->munis - o, "%s%s", o ? "," : "",
				      (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "collecting the municipalities", err);
	return flush_rejects(c, err);
}

/* Keeps a note for after the commit (a refused batch says nothing of what
 * would have stayed current). */
static void add_note(struct imp *c, const char *msg)
{
	if (c->nnotes < (int)(sizeof c->notes / sizeof c->notes[0]))
		gbi_strlcpy(c->notes[c->nnotes++], msg, sizeof c->notes[0]);
}

/* Makes the batch's rows the current ones for the municipalities the table
 * covers.  had_live: the table had current rows before the batch (if not,
 * there are none to replace, and the table is not scanned for them). */
static gbi_status supersede(struct imp *c, const struct gbi_table *t, int had_live, struct gbi_err *err)
{
	gbi_status r;
	long long b = (long long)c->batch;
	const char *n = t->name;
	if ((r = execf(c, err, "DELETE FROM temp.oldb; INSERT INTO temp.oldb SELECT DISTINCT batch_id FROM snapshot "
			       "WHERE tbl='%s' AND muni IN (SELECT muni FROM temp.scope WHERE tbl='%s')", n, n)))
		return r;
	if ((r = execf(c, err, "INSERT OR REPLACE INTO snapshot SELECT tbl, muni, %lld FROM temp.scope WHERE tbl='%s';"
			       "INSERT INTO batch_scope SELECT %lld, tbl, muni FROM temp.scope WHERE tbl='%s'", b, n, b, n)))
		return r;
	if (t->owner != GBI_OWN_BATCH)
		return !had_live ? GBI_OK : execf(c, err, "UPDATE %s SET live=0 WHERE live=1 AND batch_id<>%lld "
				     "AND muni IN (SELECT muni FROM temp.scope WHERE tbl='%s')", n, b, n);
	int64_t nold;
	if ((r = gbi_store_int(c->s, "SELECT count(*) FROM temp.oldb", &nold, err)))
		return r;
	if (nold == 0)
		return GBI_OK;
	if (had_live && (r = execf(c, err, "UPDATE %s SET live=0 WHERE live=1 AND batch_id IN (SELECT id FROM temp.oldb) "
					   "AND batch_id NOT IN (SELECT batch_id FROM snapshot WHERE tbl='%s')", n, n)))
		return r;
	sqlite3_stmt *st;
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT batch_id, group_concat(muni, ',') FROM snapshot WHERE tbl='%s' "
		 "AND batch_id IN (SELECT id FROM temp.oldb) GROUP BY batch_id", n);
	if ((r = gbi_store_prepare(c->s, sql, &st, err)))
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s: the rows of batch %lld stay current for %s, which this batch does not cover",
			 n, (long long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
		add_note(c, msg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? GBI_OK : gbi_store_error(c->s, rc, "replacing rows", err);
}

static gbi_status post_checks(struct imp *c, struct gbi_err *err)
{
	gbi_status r;
	/* 1. the case each owner-case row belongs to */
	int need_cases = 0;
	for (int i = 0; i < c->res->ntables; i++)
		if (gbi_format_table(c->fmt, c->res->t[i].table)->owner == GBI_OWN_CASE)
			need_cases = 1;
	if (need_cases) {
		for (int i = 0; i < c->res->ntables; i++) {
			const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
			if (t->owner == GBI_OWN_CASE && (r = resolve_cases(c, t, err)))
				return r;
		}
		if ((r = flush_rejects(c, err)))
			return r;
	}
	/* 2. the municipalities covered; make the batch current for them */
	if ((r = batch_scope(c, err)))
		return r;
	int64_t nscope;
	if ((r = gbi_store_int(c->s, "SELECT count(*) FROM temp.cscope", &nscope, err)))
		return r;
	if (!c->res->munis[0] || !nscope)
		return gbi_err_set(err, GBI_EINPUT,
				   "cannot tell which municipality this batch covers: it has no cases or policy rows; give --municipality CODE");
	for (int i = 0; i < c->res->ntables; i++)
		if ((r = supersede(c, gbi_format_table(c->fmt, c->res->t[i].table), c->had_live[i], err)))
			return r;
	for (int i = 0; i < c->res->ntables; i++)
		if ((r = gbi_store_create_indexes(c->s, c->res->t[i].table, err)))
			return r;
	/* 3. unique keys within the batch */
	for (int i = 0; i < c->res->ntables; i++) {
		const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
		if (t->nunique && !c->keys_ordered[i] && (r = check_unique(c, t, err)))
			return r;
	}
	if ((r = flush_rejects(c, err)))
		return r;
	/* 4. references to persons; one applicant and at most one partner.
	 * temp.missing holds numbers missing from persons as the batch leaves
	 * it, gathered during the load (follow_refs) when the batch has no
	 * persons, else from nothing. */
	int persons = in_batch(c, "persons");
	if (persons && (r = gbi_store_exec(c->s, "DELETE FROM temp.missing", err)))
		return r;
	for (int i = 0; i < c->res->ntables; i++) {
		const struct gbi_table *t = gbi_format_table(c->fmt, c->res->t[i].table);
		int done = !persons && c->refs_done[i];
		if (t->bsn_col >= 0 && strcmp(t->name, "persons") != 0
		    && (r = check_persons(c, t, done, done ? c->refs_missing[i] : 0, err)))
			return r;
	}
	if ((r = gbi_store_exec(c->s, "DELETE FROM temp.missing", err)))
		return r;
	if (in_batch(c, "members") && (r = check_roles(c, err)))
		return r;
	return flush_rejects(c, err);
}

static gbi_status finish_batch(struct imp *c, const char *digest, struct gbi_err *err)
{
	char tables[GBI_MAX_TABLES * GBI_NAME] = "";
	size_t o = 0;
	for (int i = 0; i < c->res->ntables; i++)
		o += (size_t)snprintf(tables + o, sizeof tables - o, "%s%s", i ? "," : "", c->res->t[i].table);
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(c->s,
		"UPDATE batch SET municipalities=?, tables=?, digest=?, rows_read=?, rows_imported=?, rows_rejected=? WHERE id=?",
		&st, err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, c->res->munis, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tables, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->res->read);
	sqlite3_bind_int64(st, 5, c->res->imported);
	sqlite3_bind_int64(st, 6, c->res->rejected);
	sqlite3_bind_int64(st, 7, c->batch);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return gbi_store_error(c->s, rc, "recording the batch", err);
	if ((r = gbi_store_prepare(c->s, "UPDATE batch_input SET rows_read=?, rows_imported=?, rows_rejected=? WHERE batch_id=? AND tbl=?",
				   &st, err)))
		return r;
	for (int i = 0; i < c->res->ntables; i++) {
		sqlite3_bind_int64(st, 1, c->res->t[i].read);
		sqlite3_bind_int64(st, 2, c->res->t[i].imported);
		sqlite3_bind_int64(st, 3, c->res->t[i].rejected);
		sqlite3_bind_int64(st, 4, c->batch);
		sqlite3_bind_text(st, 5, c->res->t[i].table, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return gbi_store_error(c->s, rc, "recording the inputs", err);
		}
	}
	sqlite3_finalize(st);
	return GBI_OK;
}

gbi_status gbi_import(struct gbi_store *s, const char *const *paths, int npaths,
		      const struct gbi_import_opts *o, struct gbi_import_result *res, struct gbi_err *err)
{
	struct imp c = {.s = s, .o = o, .res = res};
	gbi_status r;
	memset(res, 0, sizeof *res);
	for (int i = 0; i < o->nmunis; i++)
		if (gbi_parse_municipality(o->munis[i], strlen(o->munis[i])))
			return gbi_err_set(err, GBI_EUSAGE, "--municipality '%s': not a 4-digit CBS code", o->munis[i]);
	c.fmt = malloc(sizeof *c.fmt);
	if (!c.fmt)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	if ((r = gbi_format_load(o->format ? o->format : "gbi-v1", o->formats_dir, c.fmt, err)))
		goto out_free;
	if ((r = gbi_store_begin(s, err)))
		goto out_free;
	if ((r = gbi_store_exec(s,
		"CREATE TEMP TABLE IF NOT EXISTS rej(tbl TEXT, line INTEGER, col TEXT, value TEXT, reason TEXT);"
		"CREATE TEMP TABLE IF NOT EXISTS cand(case_id TEXT PRIMARY KEY, muni TEXT, n INTEGER) WITHOUT ROWID;"
		"CREATE TEMP TABLE IF NOT EXISTS scope(tbl TEXT, muni TEXT, PRIMARY KEY(tbl, muni));"
		"CREATE TEMP TABLE IF NOT EXISTS cscope(muni TEXT PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS optm(muni TEXT PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS oldb(id INTEGER PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS missing(bsn TEXT PRIMARY KEY);"
		"DELETE FROM temp.rej; DELETE FROM temp.scope; DELETE FROM temp.optm; DELETE FROM temp.missing;", err)))
		goto fail;
	{
		sqlite3_stmt *st;
		if ((r = gbi_store_prepare(s, "INSERT OR IGNORE INTO temp.optm VALUES(?)", &st, err)))
			goto fail;
		for (int i = 0; i < o->nmunis && !r; i++) {
			sqlite3_bind_text(st, 1, o->munis[i], -1, SQLITE_STATIC);
			r = step_done(&c, st, "recording --municipality", err);
		}
		sqlite3_finalize(st);
		if (r)
			goto fail;
		char now[21];
		gbi_timestamp(now);
		if ((r = gbi_store_prepare(s, "INSERT INTO batch(run_id, created, format, municipalities, tables, digest, "
					      "rows_read, rows_imported, rows_rejected) VALUES(?,?,?,'','','',0,0,0)", &st, err)))
			goto fail;
		sqlite3_bind_int64(st, 1, o->run_id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c.fmt->name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			r = gbi_store_error(s, rc, "creating the batch", err);
			goto fail;
		}
		c.batch = sqlite3_last_insert_rowid(s->db);
	}
	if ((r = gbi_store_prepare(s, "INSERT INTO reject VALUES(?,?,?,?,?,?)", &c.rej, err)))
		goto fail;
	for (int i = 0; i < npaths; i++)
		if ((r = gbi_input_each_ranked(paths[i], o->max_bytes ? o->max_bytes : GBI_DEFAULT_MAX_BYTES, rank_table,
						 on_table, &c, err)))
			goto fail;
	if (res->ntables == 0) {
		r = gbi_err_set(err, GBI_EINPUT, "no table files found (TABLE.csv, .csv.gz, .csv.zst) in the input");
		goto fail;
	}
	char digest[65];
	batch_digest(&c, digest);
	if ((r = identical_batch(&c, digest, &res->same_as, err)))
		goto fail;
	if (res->same_as) {
		/* nothing changes: the counts describe what was read, nothing more */
		gbi_store_rollback(s);
		res->batch_id = 0;
		res->imported = 0;
		for (int i = 0; i < res->ntables; i++)
			res->t[i].imported = 0;
		/* the input still has the rows it had: say so as the first time */
		r = res->rejected > o->max_rejects ? GBI_EINPUT : res->rejected ? GBI_ATTENTION : GBI_OK;
		if (r == GBI_EINPUT)
			gbi_err_set(err, r, "%ld rows rejected, more than --max-rejects %ld (the input is identical to batch %lld, which is current: nothing changed)",
				    res->rejected, o->max_rejects, (long long)res->same_as);
		goto out;
	}
	if (o->on_progress)
		o->on_progress(o->ctx, "checking keys and references", 0, 0, res->read);
	if ((r = post_checks(&c, err)) || (r = finish_batch(&c, digest, err)))
		goto fail;
	if (res->rejected > o->max_rejects) {
		r = gbi_err_set(err, GBI_EINPUT, "%ld rows rejected, more than --max-rejects %ld: nothing imported",
				res->rejected, o->max_rejects);
		goto fail;
	}
	if ((r = gbi_store_commit(s, err)))
		goto out;
	for (int i = 0; i < c.nnotes && o->on_note; i++)
		o->on_note(o->ctx, c.notes[i]);
	res->batch_id = c.batch;
	r = res->rejected ? GBI_ATTENTION : GBI_OK;
	goto out;
fail:
	gbi_store_rollback(s);
	res->batch_id = 0;
out:
	sqlite3_finalize(c.rej);
out_free:
	free(c.fmt);
	return r;
}
