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
 *
 * Most rows are one plain line: no quote, no carriage return but one before
 * the line feed.  Those are split here, a field at a time with memchr, with
 * the result libcsv gives (fields trimmed of spaces and tabs, a line of
 * blanks no row); libcsv, a byte at a time, takes every other line, and the
 * rest of a line that runs past the end of a chunk.
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
	char sep;
	int plain_ok;           /* the separator allows the plain-line path */
	int at_start;           /* libcsv holds nothing: the next byte starts a line */
	int lf_row;             /* libcsv reported a row end at a line feed */
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

/* Adds one field (its bytes as read) to the row; nl: count the line feeds
 * in it (a quoted field may hold some). */
static void add_field(struct gbi_csvread *r, const char *s, size_t n, int nl)
{
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
	if (nl)
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
	unsigned char high = 0;
	for (size_t i = 0; i < n; i++)
		high |= (unsigned char)s[i];
	int ascii = high < 0x80;
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

static void on_field(void *data, size_t n, void *vr)
{
	add_field(vr, data, n, 1);
}

/* Ends the row at terminator c. */
static void end_row(struct gbi_csvread *r, int c)
{
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

static void on_row(int c, void *vr)
{
	struct gbi_csvread *r = vr;
	if (c == '\n')
		r->lf_row = 1;
	end_row(r, c);
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
	r->at_start = 1;
	r->sep = sep;
	r->plain_ok = sep != ' ' && sep != '\t' && sep != '"' && sep != '\r' && sep != '\n';
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

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One plain line s[0..n) (no line feed, no carriage return, no quote) as
 * libcsv reads it: fields trimmed of blanks; a line of blanks is no row. */
static void plain_line(struct gbi_csvread *r, const char *s, size_t n)
{
	const char *e = s + n, *p = s;
	while (p < e && blank(*p))
		p++;
	if (p < e) {
		char sep = r->sep;
		for (p = s;;) {
			const char *f = memchr(p, sep, (size_t)(e - p));
			const char *a = p, *b = f ? f : e;
			while (a < b && blank(*a))
				a++;
			while (b > a && blank(b[-1]))
				b--;
			add_field(r, a, (size_t)(b - a), 0);
			if (!f)
				break;
			p = f + 1;
		}
	}
	end_row(r, '\n');
}

/* Splits plain lines here and gives libcsv the rest (see the top). */
static gbi_status parse_lines(struct gbi_csvread *r, const char *s, size_t n, struct gbi_err *err)
{
	const char *end = s + n;
	gbi_status st;
	if (!r->plain_ok)
		return parse(r, s, n, err);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (r->at_start && nl) {
			size_t len = (size_t)(nl - s);
			if (len && s[len - 1] == '\r')
				len--;
			if (!memchr(s, '"', len) && !memchr(s, '\r', len)) {
				r->err = err;
				plain_line(r, s, len);
				if (r->cb_status)
					return r->cb_status;
				s = nl + 1;
				continue;
			}
		}
		/* libcsv: up to the next line feed, after which it holds nothing
		 * more when it ended a row there (not inside a quoted field) */
		size_t k = nl ? (size_t)(nl + 1 - s) : (size_t)(end - s);
		r->lf_row = 0;
		if ((st = parse(r, s, k, err)))
			return st;
		r->at_start = nl && r->lf_row;
		s += k;
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
			if ((st = parse_lines(r, (const char *)r->bom, 3, err)))
				return st;
		}
	}
	const char *nul = memchr(s, 0, n);
	if (nul) {
		gbi_status st = parse_lines(r, s, (size_t)(nul - s), err);
		if (st)
			return st;
		return gbi_err_set(err, GBI_EINPUT, "%s:%ld: NUL byte (binary data, not a text table)", r->name,
				   r->in_row ? r->row.line : r->line);
	}
	return parse_lines(r, s, n, err);
}

gbi_status gbi_csvread_finish(struct gbi_csvread *r, struct gbi_err *err)
{
	if (!r->started && r->nbom) {
		r->started = 1;
		if (memchr(r->bom, 0, r->nbom))
			return gbi_err_set(err, GBI_EINPUT, "%s:1: NUL byte (binary data, not a text table)", r->name);
		gbi_status st = parse_lines(r, (const char *)r->bom, r->nbom, err);
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
