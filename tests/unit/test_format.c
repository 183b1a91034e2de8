/*
 * test_format.c: format definitions as data (libgbi/format.h), and the
 * agreement between the canonical format and the store schema.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "store.h"
#include "banned.h"

static struct gbi_format *load(const char *name)
{
	static struct gbi_format f;
	struct gbi_err e;
	gbi_err_clear(&e);
	cr_assert_eq(gbi_format_load(name, NULL, &f, &e), GBI_OK, "%s", e.msg);
	return &f;
}

static const struct gbi_column *col(const struct gbi_format *f, const char *t, const char *c)
{
	const struct gbi_table *tb = gbi_format_table(f, t);
	cr_assert_not_null(tb, "table %s", t);
	int i = gbi_table_column(tb, c);
	cr_assert_geq(i, 0, "column %s.%s", t, c);
	return &tb->cols[i];
}

Test(format, builtin_names)
{
	int seen_v1 = 0, seen_nl = 0, i;
	for (i = 0; gbi_format_builtin(i); i++) {
		seen_v1 |= strcmp(gbi_format_builtin(i), "gbi-v1") == 0;
		seen_nl |= strcmp(gbi_format_builtin(i), "nl-legacy") == 0;
	}
	cr_assert(seen_v1 && seen_nl);
	cr_assert_geq(i, 2);
	cr_assert_null(gbi_format_builtin(i));
}

Test(format, gbi_v1)
{
	struct gbi_format *f = load("gbi-v1");
	cr_assert_str_eq(f->name, "gbi-v1");
	cr_assert_str_eq(f->base, "");
	cr_assert_str_eq(f->origin, "built-in gbi-v1.fmt");
	cr_assert_eq(f->sep, ',');
	cr_assert_str_eq(f->encoding, "UTF-8");
	cr_assert_eq(f->decimal, '.');
	cr_assert_eq(f->thousands, 0);
	cr_assert_str_eq(f->date, "YYYY-MM-DD");
	cr_assert_str_eq(f->period, "YYYY-MM");
	cr_assert_eq(f->extra_ignore, 0);
	cr_assert_eq(f->ntables, 17);

	const struct gbi_table *cases = gbi_format_table(f, "cases");
	cr_assert_not_null(cases);
	cr_assert_str_eq(cases->file, "cases");
	cr_assert_eq(cases->owner, GBI_OWN_COLUMN);
	cr_assert_eq(cases->owner_col, gbi_table_column(cases, "municipality"));
	cr_assert_eq(cases->case_col, 0);
	cr_assert_eq(cases->bsn_col, -1);
	cr_assert_eq(cases->nunique, 2);
	cr_assert_eq(cases->unique[0], 1);
	cr_assert_eq(cases->unique[1], 0);

	const struct gbi_column *c = col(f, "cases", "case_id");
	cr_assert_eq(c->type, GBI_T_CASE_ID);
	cr_assert_eq(c->required, 1);
	c = col(f, "cases", "housing");
	cr_assert_eq(c->type, GBI_T_ENUM);
	cr_assert_str_eq(c->enumv, "rent|own|none|institution|homeless");
	cr_assert_str_eq(c->defval, "rent");
	cr_assert_eq(c->required, 0);
	c = col(f, "cases", "end_date");
	cr_assert_eq(c->after, gbi_table_column(cases, "start_date"));
	c = col(f, "cases", "account_name");
	cr_assert_eq(c->type, GBI_T_TEXT);
	cr_assert_eq(c->maxlen, 70);
	c = col(f, "sanctions", "percent");
	cr_assert_eq(c->type, GBI_T_INT);
	cr_assert_eq(c->lo, 0);
	cr_assert_eq(c->hi, 100);
	cr_assert_eq(col(f, "incomes", "amount")->type, GBI_T_MONEY);
	cr_assert_eq(col(f, "incomes", "period")->type, GBI_T_PERIOD);
	cr_assert_eq(col(f, "addresses", "postcode")->type, GBI_T_POSTCODE);
	cr_assert_eq(col(f, "cases", "iban")->type, GBI_T_IBAN);
	cr_assert_eq(col(f, "persons", "bsn")->type, GBI_T_BSN);

	cr_assert_eq(gbi_format_table(f, "members")->owner, GBI_OWN_CASE);
	cr_assert_eq(gbi_format_table(f, "persons")->owner, GBI_OWN_BATCH);
	cr_assert_eq(gbi_format_table(f, "persons")->bsn_col, 0);
	cr_assert_null(gbi_format_table(f, "nope"));
	cr_assert_eq(gbi_table_column(cases, "nope"), -1);
	cr_assert_eq(gbi_format_table_by_file(f, "persons"), gbi_format_table(f, "persons"));
}

Test(format, nl_legacy_inherits)
{
	struct gbi_format v1;
	struct gbi_format *nl = load("nl-legacy");
	memcpy(&v1, load("gbi-v1"), sizeof v1);
	nl = load("nl-legacy");
	cr_assert_str_eq(nl->name, "nl-legacy");
	cr_assert_str_eq(nl->base, "gbi-v1");
	cr_assert_eq(nl->sep, ';');
	cr_assert_str_eq(nl->encoding, "WINDOWS-1252");
	cr_assert_eq(nl->decimal, ',');
	cr_assert_eq(nl->thousands, '.');
	cr_assert_str_eq(nl->date, "DD-MM-YYYY");
	cr_assert_str_eq(nl->period, "MM-YYYY");
	cr_assert_eq(nl->ntables, v1.ntables);
	/* same tables and columns, types and required flags as the base */
	for (int t = 0; t < v1.ntables; t++) {
		const struct gbi_table *a = &v1.tables[t], *b = &nl->tables[t];
		cr_assert_str_eq(b->name, a->name);
		cr_assert_eq(b->ncols, a->ncols, "%s", a->name);
		cr_assert_eq(b->owner, a->owner);
		cr_assert_eq(b->owner_col, a->owner_col);
		cr_assert_eq(b->nunique, a->nunique);
		for (int c = 0; c < a->ncols; c++) {
			cr_assert_str_eq(b->cols[c].name, a->cols[c].name);
			cr_assert_eq(b->cols[c].type, a->cols[c].type, "%s.%s", a->name, a->cols[c].name);
			cr_assert_eq(b->cols[c].required, a->cols[c].required, "%s.%s", a->name, a->cols[c].name);
			cr_assert_eq(b->cols[c].after, a->cols[c].after);
			cr_assert_str_eq(b->cols[c].defval, a->cols[c].defval);
		}
	}
	/* its own file and header names */
	const struct gbi_table *cases = gbi_format_table(nl, "cases");
	cr_assert_str_eq(cases->file, "dossiers");
	cr_assert_eq(gbi_format_table_by_file(nl, "dossiers"), cases);
	cr_assert_null(gbi_format_table_by_file(nl, "cases"));
	cr_assert_str_eq(col(nl, "cases", "case_id")->header, "dossiernummer");
	cr_assert_str_eq(col(nl, "persons", "birth_date")->header, "geboortedatum");
	cr_assert_str_eq(gbi_format_table(nl, "incomes")->file, "inkomsten");
	cr_assert_str_eq(col(&v1, "cases", "case_id")->header, "case_id");
}

Test(format, column_map)
{
	struct gbi_format *f = load("nl-legacy");
	size_t n = 0;
	const struct gbi_column *c = col(f, "cases", "status");
	const char *v = gbi_column_map(c, "lopend", 6, &n);
	cr_assert_not_null(v);
	cr_assert_eq(n, 6);
	cr_assert(memcmp(v, "active", 6) == 0);
	v = gbi_column_map(c, "beeindigd", 9, &n);
	cr_assert_eq(n, 5);
	cr_assert(memcmp(v, "ended", 5) == 0);
	v = gbi_column_map(c, "aanvraag", 8, &n);
	cr_assert_eq(n, 11);
	cr_assert(memcmp(v, "application", 11) == 0);
	/* not in the map; prefixes and longer values do not match */
	cr_assert_null(gbi_column_map(c, "active", 6, &n));
	cr_assert_null(gbi_column_map(c, "lopen", 5, &n));
	cr_assert_null(gbi_column_map(c, "lopendx", 7, &n));
	cr_assert_null(gbi_column_map(c, "", 0, &n));
	/* the last entry of a map */
	c = col(f, "persons", "sex");
	v = gbi_column_map(c, "V", 1, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0], 'F');
	v = gbi_column_map(c, "X", 1, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0], 'X');
	/* a column without map passes the value through */
	c = col(f, "persons", "bsn");
	const char *in = "999990007";
	cr_assert_eq(gbi_column_map(c, in, 9, &n), in);
	cr_assert_eq(n, 9);
}

/* ---- parse errors ------------------------------------------------------- */

static const char V1HEAD[] = "name x\ntable t\n  column a text:10 required\n";

static void parse_fails(const char *text, const char *want)
{
	struct gbi_format *f = malloc(sizeof *f);
	struct gbi_err e;
	cr_assert_not_null(f);
	gbi_err_clear(&e);
	cr_assert_eq(gbi_format_parse(text, "my.fmt", NULL, f, &e), GBI_EINPUT, "accepted: %s", text);
	cr_assert_str_eq(e.msg, want);
	free(f);
}

Test(format, parse_minimal)
{
	struct gbi_format f;
	struct gbi_err e;
	cr_assert_eq(gbi_format_parse(V1HEAD, "my.fmt", NULL, &f, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(f.name, "x");
	cr_assert_str_eq(f.origin, "my.fmt");
	cr_assert_eq(f.ntables, 1);
	cr_assert_eq(f.tables[0].ncols, 1);
	cr_assert_eq(f.tables[0].cols[0].maxlen, 10);
	cr_assert_eq(f.tables[0].owner, GBI_OWN_BATCH);
}

Test(format, parse_errors)
{
	parse_fails("name x\nfrobnicate 1\n", "my.fmt:2: unknown setting 'frobnicate'");
	parse_fails("name x\n\n# c\ntable t\n  column a float required\n",
		    "my.fmt:5: column 'a': unknown type 'float'");
	parse_fails("name x\ntable t\n  column a int:5..1\n", "my.fmt:3: column 'a': bad range in 'int:5..1' (int:LO..HI)");
	parse_fails("name x\ntable t\n  column a int:1-5\n", "my.fmt:3: column 'a': bad range in 'int:1-5' (int:LO..HI)");
	parse_fails("name x\ntable t\n  column a int:1..\n", "my.fmt:3: column 'a': bad range in 'int:1..' (int:LO..HI)");
	parse_fails("name x\ntable t\n  column a int:1..5x\n", "my.fmt:3: column 'a': bad range in 'int:1..5x' (int:LO..HI)");
	parse_fails("name x\ntable t\n  column a text:0\n", "my.fmt:3: column 'a': bad text length in 'text:0'");
	parse_fails("name x\ntable t\n  column a date\n  column a date\n", "my.fmt:4: column 'a' declared twice");
	parse_fails("name x\ntable t\n  column a date\n  unique a,b\n",
		    "my.fmt:4: unique: 'b' is not a column declared above");
	parse_fails("name x\ntable t\n  column a date\n  column b date after=c\n",
		    "my.fmt:4: column 'b': after=c: no such earlier column");
	parse_fails("name x\ntable t\n  column a date bogus\n", "my.fmt:3: column 'a': unknown attribute 'bogus'");
	parse_fails("name x\ntable t\n  owner m\n  column m date\n", "my.fmt:4: owner column 'm' is not of type municipality");
	parse_fails("name x\ntable t\n  owner case\n  column a date\n", "my.fmt:4: table 't': owner case needs a case_id column");
	parse_fails("name x\ntable t\ntable u\n  column a date\n", "my.fmt:3: table 't' has no columns");
	parse_fails("name x\ntable t\n  column a date\ntable t\n", "my.fmt:4: table 't' declared twice");
	parse_fails("name x\nseparator ;;\n", "my.fmt:2: separator: one character or 'tab'");
	parse_fails("name x\ndecimal ;\n", "my.fmt:2: decimal: '.' or ','");
	parse_fails("name x\ndate DD-MM\n", "my.fmt:2: date: a layout of YYYY, MM, DD and separators");
	parse_fails("name x\nperiod YYYY-MM-DD\n", "my.fmt:2: period: a layout of YYYY, MM and separators");
	parse_fails("table t\n  column a date\n", "my.fmt: no 'name' line");
	parse_fails("name x\n", "my.fmt: no tables");
	parse_fails("name x\ndecimal ,\nthousands ,\ntable t\n  column a date\n",
		    "my.fmt: decimal mark equals the separator or thousands mark");
}

Test(format, parse_errors_derived)
{
	parse_fails("name d\nbase gbi-v1\ntable nosuch\n", "my.fmt:3: table 'nosuch' is not in base format 'gbi-v1'");
	parse_fails("name d\nbase gbi-v1\ntable cases\n  column nosuch header=x\n",
		    "my.fmt:4: column 'nosuch' is not in base format 'gbi-v1'");
	/* a derived format says how values are written, not what they are */
	parse_fails("name d\nbase gbi-v1\ntable cases\n  column iban required\n",
		    "my.fmt:4: column 'iban': unknown attribute 'required'");
	parse_fails("name d\nbase gbi-v1\ntable cases\n  owner batch\n", "my.fmt:4: unknown table line 'owner'");
	parse_fails("name d\nbase nl-legacy\n", "my.fmt:2: base 'nl-legacy' is itself derived; name the canonical format");
	parse_fails("name d\ntable t\n  column a date\nbase gbi-v1\n", "my.fmt:4: unknown table line 'base'");
}

Test(format, derived_settings_kept)
{
	struct gbi_format *f = malloc(sizeof *f);
	struct gbi_err e;
	cr_assert_not_null(f);
	cr_assert_eq(gbi_format_parse("name d\ndescription my own\nbase gbi-v1\nseparator tab\n"
				      "table persons\n  file people\n  column bsn header=BSN\n",
				      "my.fmt", NULL, f, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(f->name, "d");
	cr_assert_str_eq(f->description, "my own");
	cr_assert_eq(f->sep, '\t');
	cr_assert_eq(f->ntables, 17);
	cr_assert_str_eq(gbi_format_table(f, "persons")->file, "people");
	cr_assert_str_eq(col(f, "persons", "bsn")->header, "BSN");
	cr_assert_eq(col(f, "persons", "bsn")->required, 1);
	cr_assert_str_eq(col(f, "persons", "birth_date")->header, "birth_date");
	free(f);
}

Test(format, int_range_needs_both_ends)
{
	/* strtoll of "" reads 0 without complaint: "int:..5" was taken as 0..5 */
	parse_fails("name x\ntable t\n  column a int:..5\n", "my.fmt:3: column 'a': bad range in 'int:..5' (int:LO..HI)");
	parse_fails("name x\ntable t\n  column a int:\n", "my.fmt:3: column 'a': bad range in 'int:' (int:LO..HI)");
	struct gbi_format f;
	struct gbi_err e;
	cr_assert_eq(gbi_format_parse("name x\ntable t\n  column a int:-5..-1\n", "my.fmt", NULL, &f, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(f.tables[0].cols[0].lo, -5);
	cr_assert_eq(f.tables[0].cols[0].hi, -1);
}

Test(format, settings_before_base_refused)
{
	/* base copies the whole canonical format: a setting above it was lost */
	parse_fails("name d\nseparator |\nbase gbi-v1\n", "my.fmt:3: base must come before the settings and tables");
	parse_fails("name d\ndate DD-MM-YYYY\nbase gbi-v1\n", "my.fmt:3: base must come before the settings and tables");
}

Test(format, duplicate_headers_and_files_refused)
{
	/* two columns read from one header, or two tables from one file, are ambiguous */
	parse_fails("name d\nbase gbi-v1\ntable cases\n  column start_date header=datum\n  column end_date header=datum\n",
		    "my.fmt:5: table 'cases': header 'datum' used for 'start_date' and 'end_date'");
	parse_fails("name d\nbase gbi-v1\ntable cases\n  column end_date header=start_date\n",
		    "my.fmt:4: table 'cases': header 'start_date' used for 'start_date' and 'end_date'");
	parse_fails("name d\nbase gbi-v1\ntable cases\n  file personen\ntable persons\n  file personen\n",
		    "my.fmt:6: tables 'cases' and 'persons' both read file 'personen'");
	parse_fails("name x\ntable t\n  column a date\ntable u\n  file t\n  column b date\n",
		    "my.fmt:5: tables 't' and 'u' both read file 't'");
	/* headers match without regard to case */
	parse_fails("name d\nbase gbi-v1\ntable persons\n  column sex header=BSN\n",
		    "my.fmt:4: table 'persons': header 'BSN' used for 'bsn' and 'sex'");
	/* swapping two headers or two file names is fine */
	struct gbi_format *f = malloc(sizeof *f);
	struct gbi_err e;
	cr_assert_not_null(f);
	cr_assert_eq(gbi_format_parse("name d\nbase gbi-v1\ntable cases\n  file persons\n"
				      "  column start_date header=end_date\n  column end_date header=start_date\n"
				      "table persons\n  file cases\n", "my.fmt", NULL, f, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(col(f, "cases", "start_date")->header, "end_date");
	cr_assert_str_eq(gbi_format_table_by_file(f, "cases")->name, "persons");
	free(f);
}

/* ---- loading from a directory ------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp, "%s", path);
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
}

Test(format, load_from_directory)
{
	char dir[] = "/tmp/gbi-fmt-XXXXXX", path[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/civ.fmt", dir);
	write_file(path, "name civ\nbase gbi-v1\nseparator |\ntable persons\n  file pers\n  column bsn header=sofinr\n");
	struct gbi_format *f = malloc(sizeof *f);
	struct gbi_err e;
	cr_assert_not_null(f);
	cr_assert_eq(gbi_format_load("civ", dir, f, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(f->origin, path);
	cr_assert_eq(f->sep, '|');
	cr_assert_str_eq(col(f, "persons", "bsn")->header, "sofinr");
	/* built-in formats are still found with a directory */
	cr_assert_eq(gbi_format_load("nl-legacy", dir, f, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(f->sep, ';');
	/* a mistake in the file names the file and line */
	write_file(path, "name civ\nbase gbi-v1\n\nfrob x\n");
	cr_assert_eq(gbi_format_load("civ", dir, f, &e), GBI_EINPUT);
	char want[512];
	snprintf(want, sizeof want, "%s:4: unknown setting 'frob'", path);
	cr_assert_str_eq(e.msg, want);
	/* unknown names */
	cr_assert_eq(gbi_format_load("nosuch", dir, f, &e), GBI_EUSAGE);
	cr_assert(strstr(e.msg, "format 'nosuch': no such format"), "%s", e.msg);
	cr_assert(strstr(e.msg, dir), "%s", e.msg);
	cr_assert_eq(gbi_format_load("nosuch", NULL, f, &e), GBI_EUSAGE);
	cr_assert_str_eq(e.msg, "format 'nosuch': no such format (built in: gbi-v1, nl-legacy)");
	cr_assert_eq(gbi_format_load("../etc/passwd", dir, f, &e), GBI_EUSAGE);
	cr_assert_str_eq(e.msg, "format '../etc/passwd': not a format name");
	cr_assert_eq(gbi_format_load("", NULL, f, &e), GBI_EUSAGE);
	free(f);
	unlink(path);
	rmdir(dir);
}

/* ---- formats and the store schema cannot drift ------------------------- */

Test(format, gbi_v1_columns_in_store_schema)
{
	char dir[] = "/tmp/gbi-fmt-XXXXXX", path[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/gbi.db", dir);
	struct gbi_store *s;
	struct gbi_err e;
	cr_assert_eq(gbi_store_open(&s, path, 1000, &e), GBI_OK, "%s", e.msg);
	struct gbi_format *f = load("gbi-v1");
	int checked = 0;
	for (int t = 0; t < f->ntables; t++) {
		const struct gbi_table *tb = &f->tables[t];
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", tb->name);
		sqlite3_stmt *st;
		cr_assert_eq(gbi_store_prepare(s, sql, &st, &e), GBI_OK, "%s", e.msg);
		int have[GBI_MAX_COLS] = {0}, nstore = 0, bookkeeping = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			nstore++;
			int i = gbi_table_column(tb, name);
			if (i >= 0)
				have[i] = 1;
			else if (strcmp(name, "batch_id") == 0 || strcmp(name, "line") == 0
				 || strcmp(name, "muni") == 0 || strcmp(name, "live") == 0)
				bookkeeping++;
		}
		sqlite3_finalize(st);
		cr_assert_gt(nstore, 0, "store has no table '%s'", tb->name);
		cr_assert_eq(bookkeeping, 4, "table '%s' lacks batch_id, line, muni or live", tb->name);
		for (int c = 0; c < tb->ncols; c++) {
			cr_assert(have[c], "column %s.%s of gbi-v1 is not in the store schema", tb->name,
				  tb->cols[c].name);
			checked++;
		}
	}
	cr_assert_gt(checked, 80);
	gbi_store_close(s);
	unlink(path);
	rmdir(dir);
}
