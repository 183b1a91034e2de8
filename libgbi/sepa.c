/*
 * sepa.c: pain.001 (.09 and .03) and the payments CSV (sepa.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlwriter.h>
#include <nettle/sha2.h>

#include "audit.h"
#include "field.h"
#include "input.h"
#include "sepa.h"
#include "sepa_latin.h"
#include "banned.h"

/* ---- the character set -------------------------------------------------- */

static int sepa_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
	       c == '-' || c == '?' || c == ':' || c == '(' || c == ')' || c == '.' || c == ',' || c == '\'' ||
	       c == '+' || c == ' ';
}

int gbi_sepa_charset_ok(const char *s)
{
	for (; *s; s++)
		if (!sepa_char((unsigned char)*s))
			return 0;
	return 1;
}

/* U+00C0..U+017F: Latin-1 Supplement letters and Latin Extended-A. */
static const char *const latin[192] = {
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",   /* C0 */
	"D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss",  /* D0 */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   /* E0 */
	"d", "n", "o", "o", "o", "o", "o", ":", "o", "u", "u", "u", "u", "y", "th", "y",   /* F0 */
	"A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",    /* 100 */
	"D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",    /* 110 */
	"G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",    /* 120 */
	"I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",  /* 130 */
	"l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",    /* 140 */
	"O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",  /* 150 */
	"S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",    /* 160 */
	"U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",    /* 170 */
};

/* The replacement of one code point ("" drops it). */
static const char *translit_cp(uint32_t cp, char one[2])
{
	if (cp < 0x80) {
		unsigned char c = (unsigned char)cp;
		one[1] = '\0';
		if (sepa_char(c))
			one[0] = (char)c;
		else if (c == '&')
			one[0] = '+';
		else if (c == '"' || c == '`')
			one[0] = '\'';
		else if (c == '_')
			one[0] = '-';
		else if (c == '\t' || c == '\n' || c == '\r')
			one[0] = ' ';
		else
			one[0] = '.';
		return one;
	}
	if (cp >= 0xC0 && cp <= 0x17F)
		return latin[cp - 0xC0];
	if (cp >= 0x180 && cp <= 0x24F && latin_ext_b[cp - 0x180][0])
		return latin_ext_b[cp - 0x180];
	if (cp >= 0x1E00 && cp <= 0x1EFF && latin_ext_add[cp - 0x1E00][0])
		return latin_ext_add[cp - 0x1E00];
	if (cp >= 0x300 && cp <= 0x36F) /* combining marks (decomposed text) */
		return "";
	switch (cp) {
	case 0xA0: case 0x2002: case 0x2003: case 0x2009: case 0x202F:
		return " ";
	case 0xB4: case 0x2018: case 0x2019: case 0x201A: case 0x201C: case 0x201D: case 0x201E:
		return "'";
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
		return "-";
	case 0x20AC:
		return "EUR";
	case 0x1E9E:
		return "SS";
	case 0x218: return "S";
	case 0x219: return "s";
	case 0x21A: return "T";
	case 0x21B: return "t";
	}
	return ".";
}

/* Decodes one UTF-8 sequence at s; *len gets its length (1 for a bad byte,
 * which decodes to U+FFFD). */
static uint32_t utf8_next(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	uint32_t cp;
	size_t n;
	if (c < 0x80) {
		*len = 1;
		return c;
	} else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
		cp = c & 0x1F;
		n = 2;
	} else if ((c & 0xF0) == 0xE0) {
		cp = c & 0x0F;
		n = 3;
	} else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
		cp = c & 0x07;
		n = 4;
	} else {
		*len = 1;
		return 0xFFFD;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*len = 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
		*len = 1;
		return 0xFFFD;
	}
	*len = n;
	return cp;
}

size_t gbi_sepa_translit(const char *in, char *out, size_t maxchars)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	int space = 1; /* at the start: drop leading spaces */
	char one[2];
	while (*p) {
		if (*p < 0x80 && sepa_char(*p)) { /* the common case */
			if (*p == ' ') {
				p++;
				if (space)
					continue;
				space = 1;
				if (o < maxchars)
					out[o++] = ' ';
				continue;
			}
			if (o >= maxchars)
				break;
			space = 0;
			out[o++] = (char)*p++;
			continue;
		}
		size_t len;
		uint32_t cp = utf8_next(p, &len);
		p += len;
		for (const char *r = translit_cp(cp, one); *r; r++) {
			if (*r == ' ') {
				if (space)
					continue;
				space = 1;
			} else {
				space = 0;
			}
			if (o < maxchars)
				out[o++] = *r;
		}
		if (o >= maxchars)
			break;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

const char *gbi_sepa_check_bic(const char *s)
{
	size_t n = strlen(s);
	if (n != 8 && n != 11)
		return "not a BIC (8 or 11 characters)";
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
		if (i < 6 ? !up : !(up || dig))
			return "not a BIC (4 letters bank, 2 letters country, then letters or digits)";
	}
	return NULL;
}

void gbi_sepa_e2e_id(const char *muni, const char *period, const char *case_id, char out[GBI_SEPA_ID_MAX + 1])
{
	/* no printf here: this runs twice per transaction */
	char ym[6];
	memcpy(ym, period, 4);
	memcpy(ym + 4, period + 5, 2);
	size_t n = strlen(case_id);
	int plain = n >= 1 && n <= 23;
	for (size_t i = 0; plain && i < n; i++) {
		char c = case_id[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			c == '-';
	}
	if (plain) {
		memcpy(out, muni, 4);
		out[4] = '-';
		memcpy(out + 5, ym, 6);
		out[11] = '-';
		memcpy(out + 12, case_id, n + 1);
		return;
	}
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char key[128];
	int kn = snprintf(key, sizeof key, "%.4s/%.7s/%s", muni, period, case_id);
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, (size_t)(kn < (int)sizeof key ? kn : (int)sizeof key - 1), (const uint8_t *)key);
	sha256_digest(&c, sizeof d, d);
	memcpy(out, muni, 4);
	memcpy(out + 4, ym, 6);
	out[10] = 'H';
	int o = 11;
	/* 24 characters of 5 bits from the first 15 bytes */
	for (int i = 0; i < 24; i++) {
		int bit = i * 5, byte = bit / 8, sh = bit % 8;
		unsigned v = ((unsigned)d[byte] << 8 | d[byte + 1]) >> (11 - sh);
		out[o++] = b32[v & 31];
	}
	out[o] = '\0';
}

/* ---- the rows ----------------------------------------------------------- */

struct pay {
	const char *muni, *case_id, *iban;
	char name[71];
	int64_t amount;
	char e2e[GBI_SEPA_ID_MAX + 1];
};

/* The debtor and date of one block. */
struct block {
	char muni[5];
	int64_t n, sum;          /* from the first pass */
	int64_t n2, sum2;        /* from the writing pass */
	char date[11];
	char name[71], iban[35], bic[12];
};

/* The writer runs in a thread of its own: the main thread reads and checks
 * the rows (SQLite) and hands them over in chunks through a bounded queue of
 * NCHUNK * CHUNK rows, the writer formats the XML, hashes and writes.  Memory
 * stays fixed; on two cores the two halves overlap. */
#define CHUNK 512
#define NCHUNK 8
struct qrow {
	char muni[5], case_id[33], iban[35], name[71], e2e[GBI_SEPA_ID_MAX + 1];
	int64_t amount;
};
struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct qrow (*rows)[CHUNK]; /* NCHUNK chunks */
	int fill[NCHUNK];           /* rows in each published chunk */
	unsigned head, tail;        /* chunks published, chunks consumed */
	int cur;                    /* rows in the chunk being filled */
	int done;                   /* the reader published its last chunk */
	int abort;                  /* the reader failed: the writer stops */
	int stop;                   /* the writer failed: the reader stops */
};

/* A set of EndToEndIds with fixed memory: a Bloom filter marks ids that may
 * repeat, and only those are counted exactly in an extra pass. */
#define MAX_SUSPECTS 4096
struct idset {
	uint64_t *bits;
	uint64_t nbits;          /* a power of two */
	char (*sus)[GBI_SEPA_ID_MAX + 1];
	int64_t *count;
	size_t nsus;
};

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/* Adds id; returns 1 when it may have been there already. */
static int idset_add(struct idset *m, const char *id)
{
	uint64_t h1 = fnv1a(id, UINT64_C(0xcbf29ce484222325)), h2 = fnv1a(id, UINT64_C(0x84222325cbf29ce4)) | 1;
	/* all six bits in one 512-bit block: one cache line per id */
	uint64_t *blk = m->bits + ((h1 & ((m->nbits >> 9) - 1)) << 3);
	int all = 1;
	for (int i = 0; i < 6; i++) {
		unsigned b = (unsigned)((h2 >> (9 * i)) & 511);
		uint64_t w = UINT64_C(1) << (b & 63);
		if (!(blk[b >> 6] & w)) {
			all = 0;
			blk[b >> 6] |= w;
		}
	}
	return all;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct ctx {
	struct gbi_store *s;
	const struct gbi_export_run *r;
	const struct gbi_sepa_opts *o;
	struct block *blk;
	size_t nblk, capblk;
	int64_t batch_max;
	struct idset ids;
	int64_t count, sum;
	/* writing */
	xmlTextWriterPtr w;
	struct gbi_out *out;
	size_t cur;              /* current block while writing */
	int open;                /* a PmtInf element is open */
	char msg_id[GBI_SEPA_ID_MAX + 1];
	char pfx[GBI_SEPA_ID_MAX + 1];  /* "GBI-YYYYMM-R<run>", the start of the ids */
	int need_debtor;         /* pain.001: look up the debtor of each block */
	char rmt[18];            /* "Bijstand YYYY-MM " */
	int64_t count2, sum2;    /* payments CSV: the writing pass */
	struct queue q;          /* pain.001: reader -> writer */
	gbi_status wst;          /* the writer thread's status and error */
	struct gbi_err werr;
};

typedef gbi_status (*pay_fn)(struct ctx *c, const struct pay *p, struct gbi_err *err);

static const char pay_sql[] =
	"SELECT municipality, case_id, payable, iban, account_name FROM calc_result"
	" WHERE calc_run_id = ?1 AND status = 'payable' AND payable > 0"
	" AND (?2 = '' OR instr(?2, ',' || municipality || ',') > 0)"
	" ORDER BY municipality, case_id";

/* Runs fn over every transaction, checking each row. */
static gbi_status each_pay(struct ctx *c, pay_fn fn, int check, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(c->s, pay_sql, &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, c->r->id);
	sqlite3_bind_text(st, 2, c->o->munis ? c->o->munis : "", -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pay p;
		p.muni = (const char *)sqlite3_column_text(st, 0);
		p.case_id = (const char *)sqlite3_column_text(st, 1);
		p.amount = sqlite3_column_int64(st, 2);
		p.iban = (const char *)sqlite3_column_text(st, 3);
		const char *name = (const char *)sqlite3_column_text(st, 4);
		const char *why;
		if (!p.muni || !p.case_id) {
			r = gbi_err_set(err, GBI_EINPUT, "calc run %lld: a result without municipality or case id",
					(long long)c->r->id);
			break;
		}
		if (p.amount > INT64_C(99999999999)) {
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: amount %lld cents above the SEPA maximum 999999999.99",
					p.muni, p.case_id, (long long)p.amount);
			break;
		}
		if (!p.iban || !*p.iban) {
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: payable but no IBAN", p.muni, p.case_id);
			break;
		}
		if (check && ((why = gbi_parse_iban(p.iban, strlen(p.iban))) || (why = gbi_iban_sepa(p.iban, strlen(p.iban))))) {
			char q[80];
			gbi_quote(q, sizeof q, p.iban, strlen(p.iban), 40);
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: iban '%s': %s", p.muni, p.case_id, q, why);
			break;
		}
		if (!name || gbi_sepa_translit(name, p.name, 70) == 0) {
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: payable but no account name", p.muni,
					p.case_id);
			break;
		}
		if (!strpbrk(p.name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) {
			r = gbi_err_set(err, GBI_EINPUT,
					"municipality %s case %s: the account name has no letters in the SEPA character set (a script other than Latin?): give the case a Latin account name",
					p.muni, p.case_id);
			break;
		}
		gbi_sepa_e2e_id(p.muni, c->r->period, p.case_id, p.e2e);
		if (check && (!gbi_sepa_charset_ok(p.name) || !gbi_sepa_charset_ok(p.e2e))) {
			r = gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: characters outside the SEPA set", p.muni,
					p.case_id);
			break;
		}
		if (check && idset_add(&c->ids, p.e2e)) {
			if (c->ids.nsus >= MAX_SUSPECTS) {
				r = gbi_err_set(err, GBI_EINPUT, "EndToEndId '%s' may repeat (too many to check)", p.e2e);
				break;
			}
			memcpy(c->ids.sus[c->ids.nsus++], p.e2e, GBI_SEPA_ID_MAX + 1);
		}
		if ((r = fn(c, &p, err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(c->s, rc, "reading calc_result", err);
	sqlite3_finalize(st);
	return r;
}

static gbi_status debtor(struct ctx *c, struct block *b, struct gbi_err *err)
{
	int y = atoi(c->r->period), m = atoi(c->r->period + 5);
	int32_t ymd = y * 10000 + m * 100 + 1;
	char v[256];
	gbi_status r;
	if ((r = gbi_export_policy(c->s, b->muni, "debtor_name", ymd, v, sizeof v, err)))
		return r;
	if (gbi_sepa_translit(v, b->name, 70) == 0)
		return gbi_err_set(err, GBI_EINPUT, "municipality %s: policy key 'debtor_name' is empty", b->muni);
	if ((r = gbi_export_policy(c->s, b->muni, "debtor_iban", ymd, v, sizeof v, err)))
		return r;
	const char *why = gbi_parse_iban(v, strlen(v));
	if (!why)
		why = gbi_iban_sepa(v, strlen(v));
	if (why || strlen(v) >= sizeof b->iban)
		return gbi_err_set(err, GBI_EINPUT, "municipality %s: policy key 'debtor_iban' '%s': %s", b->muni, v,
				   why ? why : "too long");
	gbi_strlcpy(b->iban, v, sizeof b->iban);
	if ((r = gbi_export_policy(c->s, b->muni, "debtor_bic", ymd, v, sizeof v, err)))
		return r;
	if ((why = gbi_sepa_check_bic(v)))
		return gbi_err_set(err, GBI_EINPUT, "municipality %s: policy key 'debtor_bic' '%s': %s", b->muni, v, why);
	gbi_strlcpy(b->bic, v, sizeof b->bic);
	if (c->o->date) {
		gbi_strlcpy(b->date, c->o->date, sizeof b->date);
	} else {
		if ((r = gbi_export_policy(c->s, b->muni, "payment_day", ymd, v, sizeof v, err)))
			return r;
		int64_t day;
		if (gbi_parse_int(v, strlen(v), 1, 31, &day))
			return gbi_err_set(err, GBI_EINPUT,
					   "municipality %s: policy key 'payment_day' '%s': not a day of the month 1..31", b->muni, v);
		int dim = gbi_days_in_month(y, m);
		gbi_date_format(y * 10000 + m * 100 + (day > dim ? dim : (int)day), b->date);
	}
	return GBI_OK;
}

/* A new block of municipality muni with n transactions summing to sum. */
static gbi_status add_block(struct ctx *c, const char *muni, int64_t n, int64_t sum, struct gbi_err *err)
{
	if (c->nblk == c->capblk) {
		size_t cap = c->capblk ? c->capblk * 2 : 16;
		struct block *nb = realloc(c->blk, cap * sizeof *nb);
		if (!nb)
			return gbi_err_set(err, GBI_ESYS, "out of memory");
		c->blk = nb;
		c->capblk = cap;
	}
	struct block *prev = c->nblk ? &c->blk[c->nblk - 1] : NULL;
	struct block *b = &c->blk[c->nblk++];
	memset(b, 0, sizeof *b);
	gbi_strlcpy(b->muni, muni, sizeof b->muni);
	b->n = n;
	b->sum = sum;
	if (prev && strcmp(prev->muni, muni) == 0) {
		memcpy(b->date, prev->date, sizeof b->date);
		memcpy(b->name, prev->name, sizeof b->name);
		memcpy(b->iban, prev->iban, sizeof b->iban);
		memcpy(b->bic, prev->bic, sizeof b->bic);
		return GBI_OK;
	}
	return c->need_debtor ? debtor(c, b, err) : GBI_OK;
}

/* The blocks and their counts and sums, from SQL aggregates: the file's
 * headers need them before the transactions are streamed. */
static gbi_status plan(struct ctx *c, struct gbi_err *err)
{
	sqlite3_stmt *st, *part = NULL;
	gbi_status r = gbi_store_prepare(c->s,
		"SELECT municipality, count(*), sum(payable) FROM calc_result"
		" WHERE calc_run_id = ?1 AND status = 'payable' AND payable > 0"
		" AND (?2 = '' OR instr(?2, ',' || municipality || ',') > 0)"
		" GROUP BY municipality ORDER BY municipality", &st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, c->r->id);
	sqlite3_bind_text(st, 2, c->o->munis ? c->o->munis : "", -1, SQLITE_STATIC);
	int rc;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char muni[8];
		gbi_strlcpy(muni, (const char *)sqlite3_column_text(st, 0), sizeof muni);
		int64_t n = sqlite3_column_int64(st, 1), sum = sqlite3_column_int64(st, 2);
		c->count += n;
		c->sum += sum;
		if (n <= c->batch_max) {
			r = add_block(c, muni, n, sum, err);
			continue;
		}
		/* split: the sum of each run of batch_max transactions */
		if (!part && (r = gbi_store_prepare(c->s,
			"SELECT count(*), coalesce(sum(payable), 0) FROM (SELECT payable FROM calc_result"
			" WHERE calc_run_id = ?1 AND status = 'payable' AND payable > 0 AND municipality = ?2"
			" ORDER BY municipality, case_id LIMIT ?3 OFFSET ?4)", &part, err)))
			break;
		for (int64_t off = 0; !r && off < n; off += c->batch_max) {
			sqlite3_reset(part);
			sqlite3_bind_int64(part, 1, c->r->id);
			sqlite3_bind_text(part, 2, muni, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(part, 3, c->batch_max);
			sqlite3_bind_int64(part, 4, off);
			if ((rc = sqlite3_step(part)) != SQLITE_ROW) {
				r = gbi_store_error(c->s, rc, "summing a payment block", err);
				break;
			}
			r = add_block(c, muni, sqlite3_column_int64(part, 0), sqlite3_column_int64(part, 1), err);
		}
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(c->s, rc, "summing the payments", err);
	sqlite3_finalize(st);
	if (part)
		sqlite3_finalize(part);
	return r;
}

/* The exact count of the suspected ids. */
static gbi_status recheck(struct ctx *c, const struct pay *p, struct gbi_err *err)
{
	char(*hit)[GBI_SEPA_ID_MAX + 1] = bsearch(p->e2e, c->ids.sus, c->ids.nsus, sizeof c->ids.sus[0], cmp_id);
	if (hit && ++c->ids.count[hit - c->ids.sus] > 1)
		return gbi_err_set(err, GBI_EINPUT, "EndToEndId '%s' is not unique (municipality %s case %s)", p->e2e,
				   p->muni, p->case_id);
	return GBI_OK;
}

/* Before the stream: the plan and the id filter. */
static gbi_status prepare(struct ctx *c, struct gbi_err *err)
{
	c->batch_max = c->o->batch_max > 0 && c->o->batch_max < GBI_SEPA_BATCH_MAX ? c->o->batch_max : GBI_SEPA_BATCH_MAX;
	gbi_status r = plan(c, err);
	if (r)
		return r;
	c->ids.nbits = 1 << 16;
	while (c->ids.nbits < (uint64_t)c->count * 64)
		c->ids.nbits <<= 1;
	c->ids.bits = calloc(c->ids.nbits / 64, sizeof(uint64_t));
	c->ids.sus = malloc(MAX_SUSPECTS * sizeof c->ids.sus[0]);
	if (!c->ids.bits || !c->ids.sus)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	return GBI_OK;
}

/* After the stream: the ids the filter flagged, counted exactly. */
static gbi_status check_ids(struct ctx *c, struct gbi_err *err)
{
	free(c->ids.bits);
	c->ids.bits = NULL;
	if (!c->ids.nsus)
		return GBI_OK;
	qsort(c->ids.sus, c->ids.nsus, sizeof c->ids.sus[0], cmp_id);
	c->ids.count = calloc(c->ids.nsus, sizeof *c->ids.count);
	if (!c->ids.count)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	return each_pay(c, recheck, 0, err);
}

static void ctx_free(struct ctx *c)
{
	free(c->blk);
	free(c->ids.bits);
	free(c->ids.sus);
	free(c->ids.count);
}

/* ---- pain.001 ----------------------------------------------------------- */

#define X(call)                                                                          \
	do {                                                                             \
		if ((call) < 0)                                                          \
			return gbi_err_set(err, GBI_ESYS, "writing the pain.001 failed"); \
	} while (0)

static int io_write(void *ctx, const char *buf, int len)
{
	gbi_out_write(ctx, buf, (size_t)len);
	return len;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static gbi_status el(xmlTextWriterPtr w, const char *name, const char *text, struct gbi_err *err)
{
	X(xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text));
	return GBI_OK;
}

static gbi_status start(xmlTextWriterPtr w, const char *name, struct gbi_err *err)
{
	X(xmlTextWriterStartElement(w, BAD_CAST name));
	return GBI_OK;
}

static gbi_status end(xmlTextWriterPtr w, struct gbi_err *err)
{
	X(xmlTextWriterEndElement(w));
	return GBI_OK;
}

#define T(call)                     \
	do {                        \
		gbi_status t_ = (call); \
		if (t_)             \
			return t_;  \
	} while (0)

/* cents >= 0 as "123.45" (gbi_money_format without printf, for speed) */
static void money(int64_t cents, char out[32])
{
	char t[32];
	int n = 0;
	uint64_t v = (uint64_t)cents;
	t[n++] = (char)('0' + v % 10);
	v /= 10;
	t[n++] = (char)('0' + v % 10);
	v /= 10;
	t[n++] = '.';
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	out[n] = '\0';
}

static gbi_status amount(xmlTextWriterPtr w, const char *name, int64_t cents, int ccy, struct gbi_err *err)
{
	char a[32];
	money(cents, a);
	if (!ccy)
		return el(w, name, a, err);
	T(start(w, name, err));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "Ccy", BAD_CAST "EUR"));
	X(xmlTextWriterWriteString(w, BAD_CAST a));
	return end(w, err);
}

/* Without --indent: a line break before each block and transaction, so that
 * the file reads (and greps) one transaction per line.  Whitespace between
 * elements is insignificant to the schema. */
static gbi_status nl(struct ctx *c, struct gbi_err *err)
{
	if (!c->o->indent)
		X(xmlTextWriterWriteRaw(c->w, BAD_CAST "\n"));
	return GBI_OK;
}

static gbi_status close_block(struct ctx *c, struct gbi_err *err)
{
	struct block *b = &c->blk[c->cur];
	if (b->n2 != b->n || b->sum2 != b->sum)
		return gbi_err_set(err, GBI_ESYS,
				   "municipality %s: the transactions changed while writing (%lld/%lld, %lld/%lld cents)",
				   b->muni, (long long)b->n2, (long long)b->n, (long long)b->sum2, (long long)b->sum);
	c->open = 0;
	c->cur++;
	T(nl(c, err));
	return end(c->w, err);
}

static gbi_status open_block(struct ctx *c, struct gbi_err *err)
{
	xmlTextWriterPtr w = c->w;
	struct block *b = &c->blk[c->cur];
	int k = 1;
	for (size_t i = c->cur; i > 0 && strcmp(c->blk[i - 1].muni, b->muni) == 0; i--)
		k++;
	char id[64];
	snprintf(id, sizeof id, "%s-%s-%d", c->pfx, b->muni, k);
	T(nl(c, err));
	T(start(w, "PmtInf", err));
	T(el(w, "PmtInfId", id, err));
	T(el(w, "PmtMtd", "TRF", err));
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)b->n);
	T(el(w, "NbOfTxs", n, err));
	T(amount(w, "CtrlSum", b->sum, 0, err));
	T(start(w, "PmtTpInf", err));
	T(start(w, "SvcLvl", err));
	T(el(w, "Cd", "SEPA", err));
	T(end(w, err));
	T(start(w, "CtgyPurp", err));
	T(el(w, "Cd", "SSBE", err));
	T(end(w, err));
	T(end(w, err));
	if (c->o->version == 3) {
		T(el(w, "ReqdExctnDt", b->date, err));
	} else {
		T(start(w, "ReqdExctnDt", err));
		T(el(w, "Dt", b->date, err));
		T(end(w, err));
	}
	T(start(w, "Dbtr", err));
	T(el(w, "Nm", b->name, err));
	T(end(w, err));
	T(start(w, "DbtrAcct", err));
	T(start(w, "Id", err));
	T(el(w, "IBAN", b->iban, err));
	T(end(w, err));
	T(end(w, err));
	T(start(w, "DbtrAgt", err));
	T(start(w, "FinInstnId", err));
	T(el(w, c->o->version == 3 ? "BIC" : "BICFI", b->bic, err));
	T(end(w, err));
	T(end(w, err));
	T(el(w, "ChrgBr", "SLEV", err));
	c->open = 1;
	return GBI_OK;
}

static gbi_status write_tx(struct ctx *c, const struct pay *p, struct gbi_err *err)
{
	xmlTextWriterPtr w = c->w;
	if (c->open && (strcmp(c->blk[c->cur].muni, p->muni) != 0 || c->blk[c->cur].n2 >= c->blk[c->cur].n))
		T(close_block(c, err));
	if (!c->open) {
		if (c->cur >= c->nblk || strcmp(c->blk[c->cur].muni, p->muni) != 0)
			return gbi_err_set(err, GBI_ESYS, "municipality %s: the transactions changed while writing", p->muni);
		T(open_block(c, err));
	}
	struct block *b = &c->blk[c->cur];
	b->n2++;
	b->sum2 += p->amount;
	char rmt[160];
	char cid[64];
	size_t n = gbi_sepa_translit(p->case_id, cid, 60);
	memcpy(rmt, c->rmt, 17);                       /* "Bijstand YYYY-MM " */
	memcpy(rmt + 17, cid, n + 1);
	T(nl(c, err));
	T(start(w, "CdtTrfTxInf", err));
	T(start(w, "PmtId", err));
	T(el(w, "EndToEndId", p->e2e, err));
	T(end(w, err));
	T(start(w, "Amt", err));
	T(amount(w, "InstdAmt", p->amount, 1, err));
	T(end(w, err));
	T(start(w, "Cdtr", err));
	T(el(w, "Nm", p->name, err));
	T(end(w, err));
	T(start(w, "CdtrAcct", err));
	T(start(w, "Id", err));
	T(el(w, "IBAN", p->iban, err));
	T(end(w, err));
	T(end(w, err));
	T(start(w, "RmtInf", err));
	T(el(w, "Ustrd", rmt, err));
	T(end(w, err));
	return end(w, err);
}

static void make_msg_id(struct ctx *c)
{
	snprintf(c->rmt, sizeof c->rmt, "Bijstand %.7s ", c->r->period);
	char key[1024];
	char hex[65];
	int n = snprintf(key, sizeof key, "%s|%d|%s|%lld", c->o->munis ? c->o->munis : "", c->o->version,
			 c->o->date ? c->o->date : "", (long long)c->batch_max);
	gbi_sha256_hex(key, (size_t)(n < (int)sizeof key ? n : (int)sizeof key - 1), hex);
	snprintf(c->pfx, sizeof c->pfx, "GBI-%.4s%.2s-R%lld", c->r->period, c->r->period + 5,
		 (long long)(c->r->id % 10000000000));
	char id[96];
	snprintf(id, sizeof id, "%s-%.8s", c->pfx, hex);
	gbi_strlcpy(c->msg_id, id, sizeof c->msg_id);
}

/* The writer's side of the queue: every row, in order, to write_tx. */
static gbi_status consume(struct ctx *c, struct gbi_err *err)
{
	struct queue *q = &c->q;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->tail == q->head && !q->done && !q->abort)
			pthread_cond_wait(&q->cv, &q->mu);
		int abort = q->abort, empty = q->tail == q->head;
		pthread_mutex_unlock(&q->mu);
		if (abort)
			return gbi_err_set(err, GBI_EINPUT, "stopped");
		if (empty)
			return GBI_OK;
		unsigned k = q->tail % NCHUNK;
		for (int i = 0; i < q->fill[k]; i++) {
			struct qrow *r = &q->rows[k][i];
			struct pay p;
			p.muni = r->muni;
			p.case_id = r->case_id;
			p.iban = r->iban;
			memcpy(p.name, r->name, sizeof p.name);
			memcpy(p.e2e, r->e2e, sizeof p.e2e);
			p.amount = r->amount;
			T(write_tx(c, &p, err));
		}
		pthread_mutex_lock(&q->mu);
		q->tail++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
}

/* Publishes the chunk being filled and waits for a free one. */
static gbi_status publish(struct ctx *c, int last, struct gbi_err *err)
{
	struct queue *q = &c->q;
	pthread_mutex_lock(&q->mu);
	if (q->cur) {
		q->fill[q->head % NCHUNK] = q->cur;
		q->head++;
		q->cur = 0;
	}
	q->done = last;
	pthread_cond_broadcast(&q->cv);
	while (!last && q->head - q->tail >= NCHUNK && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	int stop = q->stop;
	pthread_mutex_unlock(&q->mu);
	return stop ? gbi_err_set(err, GBI_ESYS, "the writer stopped") : GBI_OK;
}

/* The reader's side: a checked row into the queue. */
static gbi_status enqueue(struct ctx *c, const struct pay *p, struct gbi_err *err)
{
	struct queue *q = &c->q;
	struct qrow *r = &q->rows[q->head % NCHUNK][q->cur];
	if (strlen(p->muni) >= sizeof r->muni || strlen(p->case_id) >= sizeof r->case_id ||
	    strlen(p->iban) >= sizeof r->iban)
		return gbi_err_set(err, GBI_EINPUT, "municipality %s case %s: municipality, case id or IBAN too long",
				   p->muni, p->case_id);
	memcpy(r->muni, p->muni, strlen(p->muni) + 1);
	memcpy(r->case_id, p->case_id, strlen(p->case_id) + 1);
	memcpy(r->iban, p->iban, strlen(p->iban) + 1);
	memcpy(r->name, p->name, sizeof r->name);
	memcpy(r->e2e, p->e2e, sizeof r->e2e);
	r->amount = p->amount;
	if (++q->cur == CHUNK)
		return publish(c, 0, err);
	return GBI_OK;
}

static gbi_status write_doc(struct ctx *c, struct gbi_err *err);

static void *writer_main(void *arg)
{
	struct ctx *c = arg;
	gbi_err_clear(&c->werr);
	c->wst = write_doc(c, &c->werr);
	if (c->wst) {
		pthread_mutex_lock(&c->q.mu);
		c->q.stop = 1;
		pthread_cond_broadcast(&c->q.cv);
		pthread_mutex_unlock(&c->q.mu);
	}
	return NULL;
}

/* Reads in this thread, writes in another. */
static gbi_status write_threaded(struct ctx *c, struct gbi_err *err)
{
	struct queue *q = &c->q;
	q->rows = malloc(NCHUNK * sizeof *q->rows);
	if (!q->rows)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	pthread_t t;
	gbi_status st = GBI_OK;
	if (pthread_create(&t, NULL, writer_main, c) != 0) {
		st = gbi_err_set(err, GBI_ESYS, "cannot start the writer thread");
	} else {
		st = each_pay(c, enqueue, 1, err);
		if (!st)
			st = publish(c, 1, err);
		if (st) {
			pthread_mutex_lock(&q->mu);
			q->abort = !q->stop;
			pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
		}
		pthread_join(t, NULL);
		if (c->wst && !q->abort) { /* the writer's own failure */
			*err = c->werr;
			st = c->wst;
		}
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->rows);
	q->rows = NULL;
	return st;
}

static gbi_status write_doc(struct ctx *c, struct gbi_err *err)
{
	xmlTextWriterPtr w = c->w;
	const char *ns = c->o->version == 3 ? "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
					    : "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
	X(xmlTextWriterSetIndent(w, c->o->indent));
	X(xmlTextWriterSetIndentString(w, BAD_CAST " "));
	X(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	T(start(w, "Document", err));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST ns));
	T(start(w, "CstmrCdtTrfInitn", err));
	T(nl(c, err));
	T(start(w, "GrpHdr", err));
	T(el(w, "MsgId", c->msg_id, err));
	char created[32];
	gbi_strlcpy(created, c->r->created, sizeof created);
	if (strlen(created) < 19 || created[10] != 'T') {
		gbi_timestamp(created);
	}
	/* YYYY-MM-DDTHH:MM:SSZ: the run's time is UTC, and a time without a
	 * zone would be read as the bank's local time */
	created[19] = 'Z';
	created[20] = '\0';
	T(el(w, "CreDtTm", created, err));
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)c->count);
	T(el(w, "NbOfTxs", n, err));
	T(amount(w, "CtrlSum", c->sum, 0, err));
	T(start(w, "InitgPty", err));
	T(el(w, "Nm", c->nblk ? c->blk[0].name : "gbi", err));
	T(end(w, err));
	T(end(w, err));
	T(consume(c, err));
	if (c->open)
		T(close_block(c, err));
	if (c->cur != c->nblk)
		return gbi_err_set(err, GBI_ESYS, "the transactions changed while writing");
	T(nl(c, err));
	T(end(w, err));
	T(end(w, err));
	X(xmlTextWriterEndDocument(w));
	X(xmlTextWriterFlush(w));
	return GBI_OK;
}

static void ctx_init(struct ctx *c, struct gbi_store *s, const struct gbi_export_run *r,
		     const struct gbi_sepa_opts *o, struct gbi_out *out)
{
	memset(c, 0, sizeof *c);
	c->s = s;
	c->r = r;
	c->o = o;
	c->out = out;
}

gbi_status gbi_sepa_write(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
			  struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	struct ctx c;
	ctx_init(&c, s, r, o, out);
	c.need_debtor = 1;
	gbi_status st = prepare(&c, err);
	if (!st && c.count == 0)
		st = gbi_err_set(err, GBI_EINPUT, "calc run %lld for %s: no payable cases%s: no payment file",
				 (long long)r->id, r->period, o->munis && *o->munis ? " in these municipalities" : "");
	if (!st) {
		make_msg_id(&c);
		xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(io_write, io_close, out, NULL);
		c.w = buf ? xmlNewTextWriter(buf) : NULL;
		if (!c.w) {
			if (buf)
				xmlOutputBufferClose(buf);
			st = gbi_err_set(err, GBI_ESYS, "out of memory (xml writer)");
		} else {
			st = write_threaded(&c, err);
			xmlFreeTextWriter(c.w);
		}
	}
	if (!st)
		st = check_ids(&c, err);
	if (!st) {
		t->rows = c.count;
		t->total = c.sum;
		t->blocks = (int64_t)c.nblk;
		t->max_block = 0;
		for (size_t i = 0; i < c.nblk; i++)
			if (c.blk[i].n > t->max_block)
				t->max_block = c.blk[i].n;
	}
	ctx_free(&c);
	return st;
}

/* ---- payments CSV ------------------------------------------------------- */

static gbi_status write_csv(struct ctx *c, const struct pay *p, struct gbi_err *err)
{
	(void)err;
	char a[32];
	money(p->amount, a);
	gbi_out_csv(c->out, p->muni, 1);
	gbi_out_csv(c->out, p->case_id, 0);
	gbi_out_csv(c->out, c->r->period, 0);
	gbi_out_csv(c->out, p->iban, 0);
	gbi_out_csv(c->out, p->name, 0);
	gbi_out_csv(c->out, a, 0);
	gbi_out_csv(c->out, p->e2e, 0);
	gbi_out_write(c->out, "\n", 1);
	c->count2++;
	c->sum2 += p->amount;
	return GBI_OK;
}

gbi_status gbi_sepa_payments_csv(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
				 struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	struct ctx c;
	ctx_init(&c, s, r, o, out);
	/* the same checks as the payment file, without the debtor */
	gbi_status st = prepare(&c, err);
	if (!st) {
		gbi_out_puts(out, "municipality,case_id,period,iban,name,amount,end_to_end_id\n");
		st = each_pay(&c, write_csv, 1, err);
		if (!st && (c.count2 != c.count || c.sum2 != c.sum))
			st = gbi_err_set(err, GBI_ESYS, "the transactions changed while writing");
	}
	if (!st)
		st = check_ids(&c, err);
	if (!st) {
		t->rows = c.count;
		t->total = c.sum;
	}
	ctx_free(&c);
	return st;
}
