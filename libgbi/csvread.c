/*
 * csvread.c: streaming CSV rows with line numbers and limits (csvread.h).
 *
 * libcsv does the quoting; this file adds what libcsv leaves out: line
 * numbers (libcsv reports no positions, so lines are counted from the row
 * terminators it reports with CSV_REPALL_NL plus the newlines inside quoted
 * fields), a ceiling on its buffer (through its realloc hook), strict
 * checking at the end (libcsv's csv_fini reports an open quote only with
 * CSV_STRICT_FINI, and still emits the buffered fields), NUL bytes, the
 * byte-order mark, and the conversion of each field to UTF-8.
 */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "field.h"
#include "banned.h"

struct gbi_csvread {
	struct csv_parser p;
	char name[256];
	gbi_csv_row_fn fn;
	void *ctx;
	iconv_t cd;             /* (iconv_t)-1 for UTF-8 */
	int started;            /* first bytes seen (BOM decided) */
	unsigned char bom[3];
	size_t nbom;
	long line;              /* current physical line */
	long nl_in_row;         /* newlines inside quoted fields of the row */
	long rows;
	int in_row;             /* fields seen since the last row end */
	int oversize;           /* the row exceeded GBI_CSV_MAX_ROW */
	gbi_status cb_status;   /* what the row callback returned */
	struct gbi_err *err;
	struct gbi_csv_row row;
	size_t used;            /* bytes of buf in use */
	size_t offs[GBI_CSV_MAX_FIELDS];
	char buf[GBI_CSV_MAX_ROW + GBI_CSV_MAX_FIELDS];
};

/* libcsv's buffer holds one field; refuse to grow it past the field limit. */
static void *capped_realloc(void *p, size_t n)
{
	if (n > GBI_CSV_MAX_FIELD + 256)
		return NULL;
	return realloc(p, n);
}

static void on_field(void *data, size_t n, void *vr)
{
	struct gbi_csvread *r = vr;
	const char *s = data;
	if (r->cb_status)
		return;
	if (!r->in_row) {
		r->row.nfields = 0;
		r->row.bad = NULL;
		r->used = 0;
		r->oversize = 0;
		r->row.line = r->line;
	}
	r->in_row = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			r->nl_in_row++;
	/* libcsv's capped buffer stops a field only somewhat past the limit;
	 * this makes the limit exact */
	if (n > GBI_CSV_MAX_FIELD) {
		r->cb_status = gbi_err_set(r->err, GBI_EINPUT, "%s:%ld: field longer than %d bytes",
					   r->name, r->row.line, GBI_CSV_MAX_FIELD);
		return;
	}
	int k = r->row.nfields++;
	if (k >= GBI_CSV_MAX_FIELDS || r->oversize)
		return;
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80) {
			ascii = 0;
			break;
		}
	size_t room = sizeof r->buf - r->used;
	char *dst = r->buf + r->used;
	size_t outlen;
	if (ascii || r->cd == (iconv_t)-1) {
		if (n + 1 > room) {
			r->oversize = 1;
			return;
		}
		memcpy(dst, s, n);
		outlen = n;
		if (!ascii && !r->row.bad) {
			if (gbi_check_utf8(s, n, NULL)) {
				r->row.bad = "invalid UTF-8";
				r->row.bad_field = k;
			}
		}
	} else {
		char *in = (char *)s, *out = dst;
		size_t inleft = n, outleft = room > 0 ? room - 1 : 0;
		iconv(r->cd, NULL, NULL, NULL, NULL);
		if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
			if (errno == E2BIG) {
				r->oversize = 1;
				return;
			}
			if (!r->row.bad) {
				r->row.bad = "a byte that is not in the declared encoding";
				r->row.bad_field = k;
			}
			/* the row is rejected: keep the raw bytes, so that the
			 * message shows the value as it was */
			if (n + 1 > room) {
				r->oversize = 1;
				return;
			}
			memcpy(dst, s, n);
			out = dst + n;
		}
		outlen = (size_t)(out - dst);
	}
	dst[outlen] = '\0';
	r->offs[k] = r->used;
	r->row.len[k] = outlen;
	r->used += outlen + 1;
}

static void on_row(int c, void *vr)
{
	struct gbi_csvread *r = vr;
	if (r->cb_status)
		return;
	if (r->in_row) {
		r->row.kept = r->row.nfields < GBI_CSV_MAX_FIELDS ? r->row.nfields : GBI_CSV_MAX_FIELDS;
		for (int i = 0; i < r->row.kept; i++)
			r->row.f[i] = r->buf + r->offs[i];
		r->rows++;
		if (r->oversize)
			r->cb_status = gbi_err_set(r->err, GBI_EINPUT, "%s:%ld: row longer than %d bytes",
						   r->name, r->row.line, GBI_CSV_MAX_ROW);
		else
			r->cb_status = r->fn(r->ctx, &r->row, r->err);
		r->in_row = 0;
		r->line += r->nl_in_row;
		r->nl_in_row = 0;
	}
	if (c == '\n')
		r->line++;
}

gbi_status gbi_csvread_new(struct gbi_csvread **out, const char *name, char sep,
			   const char *encoding, gbi_csv_row_fn fn, void *ctx, struct gbi_err *err)
{
	struct gbi_csvread *r = calloc(1, sizeof *r);
	*out = NULL;
	if (!r)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		free(r);
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	}
	csv_set_delim(&r->p, (unsigned char)sep);
	csv_set_realloc_func(&r->p, capped_realloc);
	csv_set_space_func(&r->p, NULL);
	gbi_strlcpy(r->name, name, sizeof r->name);
	r->fn = fn;
	r->ctx = ctx;
	r->line = 1;
	r->cd = (iconv_t)-1;
	if (strcmp(encoding, "UTF-8") != 0 && strcmp(encoding, "utf-8") != 0) {
		r->cd = iconv_open("UTF-8", encoding);
		if (r->cd == (iconv_t)-1) {
			csv_free(&r->p);
			free(r);
			return gbi_err_set(err, GBI_EINPUT, "%s: encoding '%s' is not known to iconv", name, encoding);
		}
	}
	*out = r;
	return GBI_OK;
}

static gbi_status parse(struct gbi_csvread *r, const char *s, size_t n, struct gbi_err *err)
{
	r->err = err;
	size_t done = csv_parse(&r->p, s, n, on_field, on_row, r);
	if (r->cb_status)
		return r->cb_status;
	if (done != n) {
		int e = csv_error(&r->p);
		long line = r->in_row ? r->row.line : r->line;
		if (e == CSV_EPARSE)
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: malformed quoting (a quote inside an unquoted field, or text after a closing quote)",
					   r->name, line);
		if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
			return gbi_err_set(err, GBI_EINPUT, "%s:%ld: field longer than %d bytes", r->name, line, GBI_CSV_MAX_FIELD);
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: %s", r->name, line, csv_strerror(e));
	}
	return GBI_OK;
}

gbi_status gbi_csvread_feed(struct gbi_csvread *r, const void *buf, size_t n, struct gbi_err *err)
{
	const char *s = buf;
	if (!r->started) {
		/* gather up to 3 bytes to decide on a byte-order mark */
		while (n && r->nbom < 3) {
			r->bom[r->nbom++] = (unsigned char)*s++;
			n--;
		}
		if (r->nbom < 3)
			return GBI_OK;
		r->started = 1;
		if (r->bom[0] == 0xef && r->bom[1] == 0xbb && r->bom[2] == 0xbf) {
			if (r->cd != (iconv_t)-1) {
				iconv_close(r->cd);
				r->cd = (iconv_t)-1;
			}
		} else {
			gbi_status st;
			const char *nul = memchr(r->bom, 0, 3);
			if (nul)
				return gbi_err_set(err, GBI_EINPUT, "%s:1: NUL byte (binary data, not a text table)", r->name);
			if ((st = parse(r, (const char *)r->bom, 3, err)))
				return st;
		}
	}
	const char *nul = memchr(s, 0, n);
	if (nul) {
		gbi_status st = parse(r, s, (size_t)(nul - s), err);
		if (st)
			return st;
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: NUL byte (binary data, not a text table)", r->name,
				   r->in_row ? r->row.line : r->line);
	}
	return parse(r, s, n, err);
}

gbi_status gbi_csvread_finish(struct gbi_csvread *r, struct gbi_err *err)
{
	if (!r->started && r->nbom) {
		r->started = 1;
		if (memchr(r->bom, 0, r->nbom))
			return gbi_err_set(err, GBI_EINPUT, "%s:1: NUL byte (binary data, not a text table)", r->name);
		gbi_status st = parse(r, (const char *)r->bom, r->nbom, err);
		if (st)
			return st;
	}
	r->err = err;
	long line = r->in_row ? r->row.line : r->line;
	int rc = csv_fini(&r->p, on_field, on_row, r);
	if (r->cb_status)
		return r->cb_status;
	if (rc != 0)
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: unterminated quote (the quoted field runs to the end of the file)",
				   r->name, line);
	if (r->rows == 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: empty file (no header row)", r->name);
	return GBI_OK;
}

long gbi_csvread_rows(const struct gbi_csvread *r)
{
	return r->rows;
}

void gbi_csvread_free(struct gbi_csvread *r)
{
	if (!r)
		return;
	csv_free(&r->p);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r);
}
