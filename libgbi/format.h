/*
 * format.h: extract formats as data.
 *
 * A format (formats/NAME.fmt, gbi-formats(5)) says how a source writes the
 * canonical tables: file names, header names, separator, encoding, decimal
 * mark, date and period layouts, and value translations.  The canonical
 * format gbi-v1 also declares each column's type, whether it is required,
 * its default, and each table's owner and unique keys; a format with `base`
 * inherits all of that and overrides only how values are written.
 *
 * Definitions are looked up first in a directory (--formats-dir or
 * $GBI_FORMATS), then among those built into the binary.
 */
#ifndef GBI_FORMAT_H
#define GBI_FORMAT_H

#include <stdint.h>
#include "err.h"

#define GBI_MAX_TABLES 24
#define GBI_MAX_COLS   16
#define GBI_NAME       48

enum gbi_type {
	GBI_T_TEXT, GBI_T_CASE_ID, GBI_T_BSN, GBI_T_MUNICIPALITY, GBI_T_DATE,
	GBI_T_PERIOD, GBI_T_MONEY, GBI_T_INT, GBI_T_POSTCODE, GBI_T_IBAN, GBI_T_ENUM
};

/* Which municipality a row belongs to (see gbi-formats(5), "owner"). */
enum gbi_owner {
	GBI_OWN_COLUMN, /* the table's municipality column (owner_col) */
	GBI_OWN_CASE,   /* the municipality of the case named in case_id */
	GBI_OWN_BATCH   /* the municipalities the batch covers */
};

struct gbi_column {
	char name[GBI_NAME];    /* canonical column name, also the store column */
	char header[GBI_NAME];  /* header in files of this format */
	enum gbi_type type;
	int required;           /* a value must be present */
	int64_t lo, hi;         /* GBI_T_INT range */
	int maxlen;             /* GBI_T_TEXT: most characters */
	char enumv[256];        /* GBI_T_ENUM: "a|b|c" */
	char defval[64];        /* default for an empty value, "" for none */
	int after;              /* index of the column this one may not precede, -1 */
	char map[512];          /* "src:dst,src:dst": translation before parsing */
};

struct gbi_table {
	char name[GBI_NAME];    /* canonical table name, also the store table */
	char file[GBI_NAME];    /* file base name in this format (name.csv) */
	enum gbi_owner owner;
	int owner_col;          /* GBI_OWN_COLUMN: index of the municipality column */
	int case_col;           /* index of case_id, or -1 */
	int bsn_col;            /* index of bsn, or -1 */
	int nunique;            /* columns of the unique key, 0 for none */
	int unique[4];          /* their indexes */
	int ncols;
	struct gbi_column cols[GBI_MAX_COLS];
};

struct gbi_format {
	char name[GBI_NAME];
	char base[GBI_NAME];      /* "" for the canonical format */
	char description[160];
	char origin[256];         /* where the definition came from */
	char sep;                 /* field separator */
	char encoding[32];        /* iconv name; "UTF-8" needs no conversion */
	char decimal;             /* decimal mark for money */
	char thousands;           /* thousands separator, 0 for none */
	char date[16];            /* date layout, e.g. "DD-MM-YYYY" */
	char period[16];          /* period layout, e.g. "MM-YYYY" */
	int extra_ignore;         /* 1: unknown columns are ignored, 0: refused */
	int ntables;
	struct gbi_table tables[GBI_MAX_TABLES];
};

/* Loads format `name` (from dir when not NULL and it has NAME.fmt, else
 * built in) into *f, resolving its base.  Errors name the file and line. */
gbi_status gbi_format_load(const char *name, const char *dir, struct gbi_format *f,
			   struct gbi_err *err);

/* Parses a definition from text; origin names it in messages.  base_dir is
 * where a `base` is looked up (may be NULL). */
gbi_status gbi_format_parse(const char *text, const char *origin, const char *base_dir,
			    struct gbi_format *f, struct gbi_err *err);

/* The table called `name` (canonical), or NULL. */
const struct gbi_table *gbi_format_table(const struct gbi_format *f, const char *name);

/* The table whose file base name is `file` (without .csv), or NULL. */
const struct gbi_table *gbi_format_table_by_file(const struct gbi_format *f, const char *file);

/* Column index by canonical name, -1 when absent. */
int gbi_table_column(const struct gbi_table *t, const char *name);

/* Translates value v (length n) through column c's map; returns the
 * translated value (static storage of the format) or NULL when the column has
 * a map and v is not in it; returns v itself when the column has no map.
 * *outn gets the length. */
const char *gbi_column_map(const struct gbi_column *c, const char *v, size_t n, size_t *outn);

/* The names of the built-in formats, NULL-terminated, for listings. */
const char *gbi_format_builtin(int i);

/* The text of the built-in store schema (the files of libgbi/schema, concatenated). */
extern const char gbi_schema_sql[];

/* The files of libgbi/data built into the binary: {name, text} pairs ending
 * in {NULL, NULL}. */
extern const char *const gbi_embedded_data[][2];

#endif
