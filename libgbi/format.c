/*
 * format.c: reading format definitions (format.h, gbi-formats(5)).
 *
 * The syntax is line-based: `KEY VALUE` at the top, `table NAME` to start a
 * table, and inside a table `owner`, `unique`, `file` and `column` lines.
 * '#' starts a comment.  Every mistake is reported with origin and line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "banned.h"

extern const char *const gbi_embedded_formats[][2];

#define MAX_FMT_TEXT (256 * 1024)

const char *gbi_format_builtin(int i)
{
	for (int k = 0; gbi_embedded_formats[k][0]; k++)
		if (k == i)
			return gbi_embedded_formats[k][0];
	return NULL;
}

static const char *builtin_text(const char *name)
{
	for (int k = 0; gbi_embedded_formats[k][0]; k++)
		if (strcmp(gbi_embedded_formats[k][0], name) == 0)
			return gbi_embedded_formats[k][1];
	return NULL;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= GBI_NAME)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
		      || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* Reads file dir/name.fmt into a malloc'd string; NULL with errno set. */
static char *read_def(const char *dir, const char *name, char *path, size_t psize)
{
	snprintf(path, psize, "%s/%s.fmt", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = malloc(MAX_FMT_TEXT + 1);
	if (!buf) {
		fclose(fp);
		return NULL;
	}
	size_t n = fread(buf, 1, MAX_FMT_TEXT + 1, fp);
	int bad = ferror(fp) || n > MAX_FMT_TEXT;
	fclose(fp);
	if (bad) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

gbi_status gbi_format_load(const char *name, const char *dir, struct gbi_format *f,
			   struct gbi_err *err)
{
	char path[1024];
	if (!valid_name(name))
		return gbi_err_set(err, GBI_EUSAGE, "format '%s': not a format name", name);
	if (dir) {
		char *text = read_def(dir, name, path, sizeof path);
		if (text) {
			gbi_status st = gbi_format_parse(text, path, dir, f, err);
			free(text);
			return st;
		}
		if (errno != ENOENT)
			return gbi_err_set(err, GBI_ESYS, "%s: %s", path, strerror(errno));
	}
	const char *t = builtin_text(name);
	if (!t)
		return gbi_err_set(err, GBI_EUSAGE, "format '%s': no such format (built in: gbi-v1, nl-legacy%s%s)",
				   name, dir ? "; none in " : "", dir ? dir : "");
	snprintf(path, sizeof path, "built-in %s.fmt", name);
	return gbi_format_parse(t, path, dir, f, err);
}

const struct gbi_table *gbi_format_table(const struct gbi_format *f, const char *name)
{
	for (int i = 0; i < f->ntables; i++)
		if (strcmp(f->tables[i].name, name) == 0)
			return &f->tables[i];
	return NULL;
}

const struct gbi_table *gbi_format_table_by_file(const struct gbi_format *f, const char *file)
{
	for (int i = 0; i < f->ntables; i++)
		if (strcmp(f->tables[i].file, file) == 0)
			return &f->tables[i];
	return NULL;
}

int gbi_table_column(const struct gbi_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

const char *gbi_column_map(const struct gbi_column *c, const char *v, size_t n, size_t *outn)
{
	if (!c->map[0]) {
		*outn = n;
		return v;
	}
	const char *p = c->map;
	while (*p) {
		const char *colon = strchr(p, ':');
		const char *comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		if (colon && colon < comma && (size_t)(colon - p) == n && memcmp(p, v, n) == 0) {
			*outn = (size_t)(comma - colon - 1);
			return colon + 1;
		}
		p = *comma ? comma + 1 : comma;
	}
	return NULL;
}

/* ---- parsing -------------------------------------------------------------- */

struct parser {
	const char *origin;
	int line;
	struct gbi_err *err;
	int hdr_line[GBI_MAX_COLS];      /* where each column of the table got its header */
	int file_line[GBI_MAX_TABLES];   /* where each table got its file name */
};

/* fmt is always a literal with at most two %s, filled from a and b. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static gbi_status perr(struct parser *p, const char *fmt, const char *a, const char *b)
{
	char m[512];
	snprintf(m, sizeof m, fmt, a, b);
#pragma GCC diagnostic pop
	return gbi_err_set(p->err, GBI_EINPUT, "%s:%d: %s", p->origin, p->line, m);
}

/* Splits line into at most max words (in place); returns the count. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *s = line;
	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static gbi_status parse_type(struct parser *p, struct gbi_column *c, const char *t)
{
	static const struct { const char *n; enum gbi_type t; } simple[] = {
		{"case_id", GBI_T_CASE_ID}, {"bsn", GBI_T_BSN}, {"municipality", GBI_T_MUNICIPALITY},
		{"date", GBI_T_DATE}, {"period", GBI_T_PERIOD}, {"money", GBI_T_MONEY},
		{"postcode", GBI_T_POSTCODE}, {"iban", GBI_T_IBAN},
	};
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (strcmp(t, simple[i].n) == 0) {
			c->type = simple[i].t;
			return GBI_OK;
		}
	if (strncmp(t, "text:", 5) == 0) {
		char *end;
		long v = strtol(t + 5, &end, 10);
		if (*end || v < 1 || v > 4096)
			return perr(p, "column '%s': bad text length in '%s'", c->name, t);
		c->type = GBI_T_TEXT;
		c->maxlen = (int)v;
		return GBI_OK;
	}
	if (strncmp(t, "int:", 4) == 0) {
		char *end;
		long long lo = strtoll(t + 4, &end, 10);
		if (end == t + 4 || end[0] != '.' || end[1] != '.')
			return perr(p, "column '%s': bad range in '%s' (int:LO..HI)", c->name, t);
		char *end2;
		long long hi = strtoll(end + 2, &end2, 10);
		if (*end2 || end2 == end + 2 || lo > hi)
			return perr(p, "column '%s': bad range in '%s' (int:LO..HI)", c->name, t);
		c->type = GBI_T_INT;
		c->lo = lo;
		c->hi = hi;
		return GBI_OK;
	}
	if (strncmp(t, "enum:", 5) == 0) {
		if (!t[5] || gbi_strlcpy(c->enumv, t + 5, sizeof c->enumv) >= sizeof c->enumv)
			return perr(p, "column '%s': bad enum '%s'", c->name, t);
		c->type = GBI_T_ENUM;
		return GBI_OK;
	}
	return perr(p, "column '%s': unknown type '%s'", c->name, t);
}

static int col_index(const struct gbi_table *t, const char *name)
{
	return gbi_table_column(t, name);
}

static gbi_status parse_column(struct parser *p, struct gbi_format *f, struct gbi_table *t,
			       char **w, int nw)
{
	int derived = f->base[0] != '\0';
	int ci = col_index(t, w[1]);
	struct gbi_column *c;
	int first_attr;
	if (derived) {
		if (ci < 0)
			return perr(p, "column '%s' is not in base format '%s'", w[1], f->base);
		c = &t->cols[ci];
		first_attr = 2;
	} else {
		if (ci >= 0)
			return perr(p, "column '%s' declared twice", w[1], "");
		if (t->ncols >= GBI_MAX_COLS)
			return perr(p, "too many columns", "", "");
		if (nw < 3)
			return perr(p, "column '%s': no type", w[1], "");
		if (!valid_name(w[1]))
			return perr(p, "'%s' is not a column name", w[1], "");
		c = &t->cols[t->ncols];
		memset(c, 0, sizeof *c);
		gbi_strlcpy(c->name, w[1], sizeof c->name);
		gbi_strlcpy(c->header, w[1], sizeof c->header);
		c->after = -1;
		gbi_status st = parse_type(p, c, w[2]);
		if (st)
			return st;
		t->ncols++;
		first_attr = 3;
	}
	for (int i = first_attr; i < nw; i++) {
		const char *a = w[i];
		if (strcmp(a, "required") == 0 && !derived)
			c->required = 1;
		else if (strncmp(a, "default=", 8) == 0) {
			if (gbi_strlcpy(c->defval, a + 8, sizeof c->defval) >= sizeof c->defval)
				return perr(p, "column '%s': default too long", c->name, "");
		} else if (strncmp(a, "header=", 7) == 0) {
			if (!a[7] || gbi_strlcpy(c->header, a + 7, sizeof c->header) >= sizeof c->header)
				return perr(p, "column '%s': bad header name", c->name, "");
			p->hdr_line[c - t->cols] = p->line;
		} else if (strncmp(a, "map=", 4) == 0) {
			if (gbi_strlcpy(c->map, a + 4, sizeof c->map) >= sizeof c->map)
				return perr(p, "column '%s': map too long", c->name, "");
		} else if (strncmp(a, "after=", 6) == 0 && !derived) {
			int k = col_index(t, a + 6);
			if (k < 0)
				return perr(p, "column '%s': after=%s: no such earlier column", c->name, a + 6);
			c->after = k;
		} else
			return perr(p, "column '%s': unknown attribute '%s'", c->name, a);
	}
	return GBI_OK;
}

static gbi_status finish_table(struct parser *p, struct gbi_table *t, const char *owner)
{
	if (!t)
		return GBI_OK;
	if (owner[0] && t->owner_col < 0) {
		/* an owner line after its column, or naming no column */
		t->owner_col = col_index(t, owner);
		if (t->owner_col < 0)
			return perr(p, "table '%s': owner '%s' is not a column of the table", t->name, owner);
		if (t->cols[t->owner_col].type != GBI_T_MUNICIPALITY)
			return perr(p, "owner column '%s' is not of type municipality", owner, "");
	}
	t->case_col = col_index(t, "case_id");
	t->bsn_col = col_index(t, "bsn");
	if (t->ncols == 0)
		return perr(p, "table '%s' has no columns", t->name, "");
	if (t->owner == GBI_OWN_CASE && t->case_col < 0)
		return perr(p, "table '%s': owner case needs a case_id column", t->name, "");
	/* headers are matched without regard to case; two columns from one
	 * header would be ambiguous (checked here, so that headers may swap) */
	for (int i = 0; i < t->ncols; i++)
		for (int j = i + 1; j < t->ncols; j++)
			if (strcasecmp(t->cols[i].header, t->cols[j].header) == 0) {
				char m[3 * GBI_NAME + 64];
				snprintf(m, sizeof m, "header '%s' used for '%s' and '%s'", t->cols[j].header,
					 t->cols[i].name, t->cols[j].name);
				p->line = p->hdr_line[i] > p->hdr_line[j] ? p->hdr_line[i] : p->hdr_line[j];
				return perr(p, "table '%s': %s", t->name, m);
			}
	memset(p->hdr_line, 0, sizeof p->hdr_line);
	return GBI_OK;
}

/* Two tables read from one file name would be ambiguous. */
static gbi_status check_files(struct parser *p, const struct gbi_format *f)
{
	for (int i = 0; i < f->ntables; i++)
		for (int j = i + 1; j < f->ntables; j++)
			if (strcmp(f->tables[i].file, f->tables[j].file) == 0) {
				char m[3 * GBI_NAME + 64];
				snprintf(m, sizeof m, "'%s' both read file '%s'", f->tables[j].name, f->tables[j].file);
				p->line = p->file_line[i] > p->file_line[j] ? p->file_line[i] : p->file_line[j];
				return perr(p, "tables '%s' and %s", f->tables[i].name, m);
			}
	return GBI_OK;
}

gbi_status gbi_format_parse(const char *text, const char *origin, const char *base_dir,
			    struct gbi_format *f, struct gbi_err *err)
{
	struct parser p = {.origin = origin, .line = 0, .err = err};
	struct gbi_table *t = NULL;
	char line[2048];
	char pending_owner[GBI_NAME] = "";
	int seen_name = 0, seen_setting = 0;
	const char *s = text;

	memset(f, 0, sizeof *f);
	f->sep = ',';
	f->decimal = '.';
	gbi_strlcpy(f->encoding, "UTF-8", sizeof f->encoding);
	gbi_strlcpy(f->date, "YYYY-MM-DD", sizeof f->date);
	gbi_strlcpy(f->period, "YYYY-MM", sizeof f->period);

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		p.line++;
		if (len >= sizeof line)
			return perr(&p, "line too long", "", "");
		memcpy(line, s, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		s += len + (nl ? 1 : 0);

		char *w[16];
		int nw = split(line, w, 16);
		if (nw == 0)
			continue;
		const char *k = w[0];
		const char *v = nw > 1 ? w[1] : "";

		if (strcmp(k, "table") == 0) {
			gbi_status st = finish_table(&p, t, pending_owner);
			if (st)
				return st;
			if (nw != 2 || !valid_name(v))
				return perr(&p, "table: needs one name", "", "");
			t = (struct gbi_table *)gbi_format_table(f, v);
			if (f->base[0]) {
				if (!t)
					return perr(&p, "table '%s' is not in base format '%s'", v, f->base);
			} else {
				if (t)
					return perr(&p, "table '%s' declared twice", v, "");
				if (f->ntables >= GBI_MAX_TABLES)
					return perr(&p, "too many tables", "", "");
				t = &f->tables[f->ntables++];
				memset(t, 0, sizeof *t);
				gbi_strlcpy(t->name, v, sizeof t->name);
				gbi_strlcpy(t->file, v, sizeof t->file);
				t->owner = GBI_OWN_BATCH;
				t->owner_col = -1;
			}
			pending_owner[0] = '\0';
			continue;
		}
		if (t) {
			if (strcmp(k, "column") == 0) {
				if (nw < 2)
					return perr(&p, "column: needs a name", "", "");
				gbi_status st = parse_column(&p, f, t, w, nw);
				if (st)
					return st;
				if (pending_owner[0] && strcmp(w[1], pending_owner) == 0) {
					t->owner_col = t->ncols - 1;
					if (t->cols[t->owner_col].type != GBI_T_MUNICIPALITY)
						return perr(&p, "owner column '%s' is not of type municipality", w[1], "");
				}
			} else if (strcmp(k, "file") == 0) {
				if (nw != 2 || !valid_name(v))
					return perr(&p, "file: needs one name", "", "");
				gbi_strlcpy(t->file, v, sizeof t->file);
				p.file_line[t - f->tables] = p.line;
			} else if (strcmp(k, "owner") == 0 && !f->base[0]) {
				if (nw != 2)
					return perr(&p, "owner: needs one word", "", "");
				if (strcmp(v, "case") == 0)
					t->owner = GBI_OWN_CASE;
				else if (strcmp(v, "batch") == 0)
					t->owner = GBI_OWN_BATCH;
				else {
					t->owner = GBI_OWN_COLUMN;
					gbi_strlcpy(pending_owner, v, sizeof pending_owner);
				}
			} else if (strcmp(k, "unique") == 0 && !f->base[0]) {
				char buf[256];
				gbi_strlcpy(buf, v, sizeof buf);
				t->nunique = 0;
				for (char *q = buf; q && *q;) {
					char *c = strchr(q, ',');
					if (c)
						*c = '\0';
					int ci = col_index(t, q);
					if (ci < 0 || t->nunique >= 4)
						return perr(&p, "unique: '%s' is not a column declared above", q, "");
					t->unique[t->nunique++] = ci;
					q = c ? c + 1 : NULL;
				}
			} else
				return perr(&p, "unknown table line '%s'", k, "");
			continue;
		}
		/* top-level settings */
		if (nw != 2 && strcmp(k, "description") != 0)
			return perr(&p, "'%s' needs one value", k, "");
		if (strcmp(k, "name") != 0 && strcmp(k, "description") != 0 && strcmp(k, "base") != 0)
			seen_setting = 1;
		if (strcmp(k, "name") == 0) {
			if (!valid_name(v))
				return perr(&p, "'%s' is not a format name", v, "");
			gbi_strlcpy(f->name, v, sizeof f->name);
			seen_name = 1;
		} else if (strcmp(k, "description") == 0) {
			f->description[0] = '\0';
			for (int i = 1; i < nw; i++) {
				size_t used = strlen(f->description);
				snprintf(f->description + used, sizeof f->description - used, "%s%s",
					 i > 1 ? " " : "", w[i]);
			}
		} else if (strcmp(k, "base") == 0) {
			/* the base is copied whole: settings above it would be lost */
			if (f->ntables || seen_setting)
				return perr(&p, "base must come before the settings and tables", "", "");
			struct gbi_format *b = malloc(sizeof *b);
			if (!b)
				return gbi_err_set(err, GBI_ESYS, "out of memory");
			gbi_status st = gbi_format_load(v, base_dir, b, err);
			if (st == GBI_OK && b->base[0])
				st = perr(&p, "base '%s' is itself derived; name the canonical format", v, "");
			if (st) {
				free(b);
				return st;
			}
			char keepname[GBI_NAME], keepdesc[160];
			gbi_strlcpy(keepname, f->name, sizeof keepname);
			gbi_strlcpy(keepdesc, f->description, sizeof keepdesc);
			*f = *b;
			free(b);
			gbi_strlcpy(f->name, keepname, sizeof f->name);
			gbi_strlcpy(f->description, keepdesc, sizeof f->description);
			gbi_strlcpy(f->base, v, sizeof f->base);
		} else if (strcmp(k, "separator") == 0) {
			if (strcmp(v, "tab") == 0)
				f->sep = '\t';
			else if (strlen(v) == 1 && v[0] != '"')
				f->sep = v[0];
			else
				return perr(&p, "separator: one character or 'tab'", "", "");
		} else if (strcmp(k, "encoding") == 0) {
			if (gbi_strlcpy(f->encoding, v, sizeof f->encoding) >= sizeof f->encoding)
				return perr(&p, "encoding name too long", "", "");
		} else if (strcmp(k, "decimal") == 0) {
			if (strlen(v) != 1 || (v[0] != '.' && v[0] != ','))
				return perr(&p, "decimal: '.' or ','", "", "");
			f->decimal = v[0];
		} else if (strcmp(k, "thousands") == 0) {
			if (strcmp(v, "none") == 0)
				f->thousands = 0;
			else if (strlen(v) == 1 && (v[0] == '.' || v[0] == ',' || v[0] == '\''))
				f->thousands = v[0];
			else
				return perr(&p, "thousands: '.', ',', ''' or none", "", "");
		} else if (strcmp(k, "date") == 0 || strcmp(k, "period") == 0) {
			int is_date = k[0] == 'd';
			if (!strstr(v, "YYYY") || !strstr(v, "MM") || (is_date != (strstr(v, "DD") != NULL))
			    || strlen(v) >= 16)
				return perr(&p, "%s: a layout of YYYY, MM%s and separators", k, is_date ? ", DD" : "");
			gbi_strlcpy(is_date ? f->date : f->period, v, 16);
		} else if (strcmp(k, "extra") == 0) {
			if (strcmp(v, "refuse") == 0)
				f->extra_ignore = 0;
			else if (strcmp(v, "ignore") == 0)
				f->extra_ignore = 1;
			else
				return perr(&p, "extra: 'refuse' or 'ignore'", "", "");
		} else
			return perr(&p, "unknown setting '%s'", k, "");
	}
	gbi_status st = finish_table(&p, t, pending_owner);
	if (st || (st = check_files(&p, f)))
		return st;
	if (!seen_name)
		return gbi_err_set(err, GBI_EINPUT, "%s: no 'name' line", origin);
	if (f->ntables == 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: no tables", origin);
	if (f->decimal == f->thousands || f->decimal == f->sep)
		return gbi_err_set(err, GBI_EINPUT, "%s: decimal mark equals the separator or thousands mark", origin);
	gbi_strlcpy(f->origin, origin, sizeof f->origin);
	return GBI_OK;
}
