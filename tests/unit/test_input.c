/*
 * test_input.c: directories, compressed files and archives as streams of
 * table bytes (libgbi/input.h).  Test inputs are written with libarchive's
 * write API, never by running a program.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "banned.h"

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char dir[64];

static void setup(void)
{
	gbi_strlcpy(dir, "/tmp/gbi-input-XXXXXX", sizeof dir);
	cr_assert_not_null(mkdtemp(dir));
}

/* Removes the files this suite writes (one directory level below dir). */
static void teardown(void)
{
	static const char *names[] = {"a.csv", "b.csv", "persons.csv", "incomes.csv", "notes.txt", ".hidden.csv",
				      "z.csv.gz", "y.csv.zst", "t.tar", "t.tar.gz", "t.tar.zst", "t.zip",
				      "x.csv", "big.csv", "empty.csv", "sub/c.csv"};
	char p[256];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/sub", dir);
	rmdir(p);
	rmdir(dir);
}

TestSuite(input, .init = setup, .fini = teardown);

/* ---- writing test inputs ------------------------------------------------ */

static void path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void write_plain(const char *name, const char *text)
{
	char p[256];
	path_of(p, sizeof p, name);
	FILE *fp = fopen(p, "w");
	cr_assert_not_null(fp, "%s", p);
	fputs(text, fp);
	cr_assert_eq(fclose(fp), 0);
}

struct entry {
	const char *path;
	const char *text;      /* regular file contents */
	const char *symlink;   /* or a symbolic link to this */
	const char *hardlink;  /* or a hard link to this */
	int is_dir;
};

/* Writes an archive (format: "raw", "ustar", "zip") with filter ("none",
 * "gzip", "zstd") holding the entries. */
static void write_archive(const char *name, const char *format, const char *filter,
			  const struct entry *e, int n)
{
	char p[256];
	path_of(p, sizeof p, name);
	struct archive *a = archive_write_new();
	cr_assert_not_null(a);
	if (strcmp(filter, "gzip") == 0)
		cr_assert_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else if (strcmp(filter, "zstd") == 0)
		cr_assert_eq(archive_write_add_filter_zstd(a), ARCHIVE_OK, "%s", archive_error_string(a));
	if (strcmp(format, "raw") == 0)
		cr_assert_eq(archive_write_set_format_raw(a), ARCHIVE_OK);
	else if (strcmp(format, "zip") == 0)
		cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	else
		cr_assert_eq(archive_write_set_format_ustar(a), ARCHIVE_OK);
	cr_assert_eq(archive_write_open_filename(a, p), ARCHIVE_OK, "%s", archive_error_string(a));
	for (int i = 0; i < n; i++) {
		struct archive_entry *en = archive_entry_new();
		archive_entry_set_pathname(en, e[i].path);
		archive_entry_set_perm(en, 0644);
		size_t len = e[i].text ? strlen(e[i].text) : 0;
		if (e[i].symlink) {
			archive_entry_set_filetype(en, AE_IFLNK);
			archive_entry_set_symlink(en, e[i].symlink);
		} else if (e[i].hardlink) {
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_hardlink(en, e[i].hardlink);
		} else if (e[i].is_dir) {
			archive_entry_set_filetype(en, AE_IFDIR);
			archive_entry_set_perm(en, 0755);
		} else {
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_size(en, (la_int64_t)len);
		}
		cr_assert_eq(archive_write_header(a, en), ARCHIVE_OK, "%s", archive_error_string(a));
		if (len)
			cr_assert_eq(archive_write_data(a, e[i].text, len), (la_ssize_t)len);
		archive_entry_free(en);
	}
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
	archive_write_free(a);
}

/* ---- reading: what the callback saw ------------------------------------- */

struct got {
	int n;
	char name[8][256], base[8][64], text[8][256], sha[8][65];
	uint64_t size[8];
	size_t chunk;   /* read size, 0 for 7 */
};

static gbi_status take(void *ctx, const char *name, const char *base, struct gbi_stream *s,
		       struct gbi_err *err)
{
	struct got *g = ctx;
	cr_assert_lt(g->n, 8);
	int i = g->n++;
	gbi_strlcpy(g->name[i], name, sizeof g->name[i]);
	gbi_strlcpy(g->base[i], base, sizeof g->base[i]);
	size_t o = 0;
	char buf[4096];
	long r;
	while ((r = gbi_stream_read(s, buf, g->chunk ? g->chunk : 7, err)) > 0) {
		size_t k = (size_t)r;
		if (o + k >= sizeof g->text[i])
			k = sizeof g->text[i] - 1 - o;
		memcpy(g->text[i] + o, buf, k);
		o += k;
	}
	if (r < 0)
		return err->code;
	g->text[i][o] = '\0';
	gbi_stream_digest(s, g->sha[i], &g->size[i]);
	return GBI_OK;
}

static gbi_status each(const char *name, uint64_t max, struct got *g, struct gbi_err *e)
{
	char p[256];
	if (strcmp(name, "-") == 0)
		gbi_strlcpy(p, "-", sizeof p);
	else if (!*name)
		gbi_strlcpy(p, dir, sizeof p);
	else
		path_of(p, sizeof p, name);
	memset(g, 0, sizeof *g);
	gbi_err_clear(e);
	return gbi_input_each(p, max, take, g, e);
}

/* ---- tests -------------------------------------------------------------- */

Test(input, sha256_known_values)
{
	char hex[65];
	gbi_sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, SHA_ABC);
	gbi_sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, SHA_EMPTY);
}

Test(input, directory_sorted_and_filtered)
{
	struct got g;
	struct gbi_err e;
	char p[256];
	write_plain("persons.csv", "abc");
	write_plain("incomes.csv", "bsn,period\n");
	write_plain("notes.txt", "not a table");
	write_plain(".hidden.csv", "hidden");
	path_of(p, sizeof p, "sub");
	cr_assert_eq(mkdir(p, 0700), 0);
	write_plain("sub/c.csv", "in a subdirectory");
	write_archive("z.csv.gz", "raw", "gzip", &(struct entry){.path = "data", .text = "gz\n"}, 1);
	cr_assert_eq(each("", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 3);
	cr_assert_str_eq(g.base[0], "incomes");
	cr_assert_str_eq(g.base[1], "persons");
	cr_assert_str_eq(g.base[2], "z");
	cr_assert_str_eq(g.text[0], "bsn,period\n");
	cr_assert_str_eq(g.text[1], "abc");
	cr_assert_str_eq(g.text[2], "gz\n");
	char want[512];
	snprintf(want, sizeof want, "%s/persons.csv", dir);
	cr_assert_str_eq(g.name[1], want);
	cr_assert_str_eq(g.sha[1], SHA_ABC);
	cr_assert_eq(g.size[1], 3);
	/* a directory named with a trailing slash gives the same names */
	char slash[128];
	snprintf(slash, sizeof slash, "%s/", dir);
	memset(&g, 0, sizeof g);
	cr_assert_eq(gbi_input_each(slash, GBI_DEFAULT_MAX_BYTES, take, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 3);
	cr_assert_str_eq(g.name[1], want);
}

Test(input, one_file_and_sha)
{
	struct got g;
	struct gbi_err e;
	write_plain("persons.csv", "abc");
	cr_assert_eq(each("persons.csv", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.base[0], "persons");
	char want[512];
	path_of(want, sizeof want, "persons.csv");
	cr_assert_str_eq(g.name[0], want);
	cr_assert_str_eq(g.text[0], "abc");
	cr_assert_str_eq(g.sha[0], SHA_ABC);
	cr_assert_eq(g.size[0], 3);
	/* a file that is not named like a table gets an empty base (--table) */
	write_plain("notes.txt", "abc");
	cr_assert_eq(each("notes.txt", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_str_eq(g.base[0], "");
	cr_assert_str_eq(g.sha[0], SHA_ABC);
}

Test(input, gzip_and_zstd)
{
	struct got g;
	struct gbi_err e;
	write_archive("z.csv.gz", "raw", "gzip", &(struct entry){.path = "data", .text = "abc"}, 1);
	write_archive("y.csv.zst", "raw", "zstd", &(struct entry){.path = "data", .text = "abc"}, 1);
	cr_assert_eq(each("z.csv.gz", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.base[0], "z");
	cr_assert_str_eq(g.text[0], "abc");
	cr_assert_str_eq(g.sha[0], SHA_ABC, "the digest is of the decompressed bytes");
	cr_assert_eq(g.size[0], 3);
	cr_assert_eq(each("y.csv.zst", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.base[0], "y");
	cr_assert_str_eq(g.text[0], "abc");
	cr_assert_str_eq(g.sha[0], SHA_ABC);
}

Test(input, empty_file)
{
	struct got g;
	struct gbi_err e;
	char want[512], p[256];
	write_plain("empty.csv", "");
	path_of(p, sizeof p, "empty.csv");
	cr_assert_eq(each("empty.csv", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_EINPUT);
	snprintf(want, sizeof want, "%s: empty file (no header row)", p);
	cr_assert_str_eq(e.msg, want);
}

Test(input, missing_file)
{
	struct got g;
	struct gbi_err e;
	char want[512], p[256];
	path_of(p, sizeof p, "nosuch.csv");
	cr_assert_eq(each("nosuch.csv", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_EINPUT);
	snprintf(want, sizeof want, "%s: No such file or directory", p);
	cr_assert_str_eq(e.msg, want);
	cr_assert_eq(g.n, 0);
}

static const struct entry good[] = {
	{.path = "extract/", .is_dir = 1},
	{.path = "extract/persons.csv", .text = "abc"},
	{.path = "extract/README", .text = "not a table"},
	{.path = "extract/incomes.csv", .text = "bsn\n"},
};

Test(input, tar_gz_zip_in_archive_order)
{
	static const char *names[] = {"t.tar", "t.tar.gz", "t.tar.zst", "t.zip"};
	static const char *formats[] = {"ustar", "ustar", "ustar", "zip"};
	static const char *filters[] = {"none", "gzip", "zstd", "none"};
	for (int k = 0; k < 4; k++) {
		struct got g;
		struct gbi_err e;
		char want[512];
		write_archive(names[k], formats[k], filters[k], good, 4);
		cr_assert_eq(each(names[k], GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s: %s", names[k], e.msg);
		cr_assert_eq(g.n, 2, "%s", names[k]);
		cr_assert_str_eq(g.base[0], "persons");
		cr_assert_str_eq(g.base[1], "incomes");
		snprintf(want, sizeof want, "%s/%s:extract/persons.csv", dir, names[k]);
		cr_assert_str_eq(g.name[0], want);
		cr_assert_str_eq(g.text[0], "abc");
		cr_assert_str_eq(g.sha[0], SHA_ABC);
		cr_assert_eq(g.size[0], 3);
		cr_assert_str_eq(g.text[1], "bsn\n");
	}
}

static void refused(const char *archive, const struct entry *en, int n, const char *want_tail)
{
	struct got g;
	struct gbi_err e;
	write_archive(archive, "ustar", "gzip", en, n);
	cr_assert_eq(each(archive, GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_EINPUT, "%s accepted", en[n - 1].path);
	char want[512];
	snprintf(want, sizeof want, "%s/%s:%s", dir, archive, want_tail);
	cr_assert_str_eq(e.msg, want);
}

Test(input, archive_dotdot_refused)
{
	struct entry en[] = {{.path = "persons.csv", .text = "abc"}, {.path = "../x.csv", .text = "evil"}};
	refused("t.tar.gz", en, 2, "../x.csv: refused: absolute path or '..' in an archive entry");
	struct entry mid[] = {{.path = "a/../../x.csv", .text = "evil"}};
	refused("t.tar.gz", mid, 1, "a/../../x.csv: refused: absolute path or '..' in an archive entry");
	/* not a table name does not make it safe */
	struct entry other[] = {{.path = "../etc/passwd", .text = "evil"}};
	refused("t.tar.gz", other, 1, "../etc/passwd: refused: absolute path or '..' in an archive entry");
}

Test(input, archive_absolute_refused)
{
	struct entry en[] = {{.path = "/tmp/x.csv", .text = "evil"}};
	refused("t.tar.gz", en, 1, "/tmp/x.csv: refused: absolute path or '..' in an archive entry");
}

Test(input, archive_links_refused)
{
	struct entry sym[] = {{.path = "persons.csv", .symlink = "/etc/passwd"}};
	refused("t.tar.gz", sym, 1, "persons.csv: refused: archive entry is a link or device, not a file");
	struct entry hard[] = {{.path = "a.csv", .text = "abc"}, {.path = "b.csv", .hardlink = "a.csv"}};
	refused("t.tar.gz", hard, 2, "b.csv: refused: archive entry is a link or device, not a file");
}

Test(input, archive_names_with_dots_accepted)
{
	struct got g;
	struct gbi_err e;
	struct entry en[] = {{.path = "./persons.csv", .text = "abc"}, {.path = "..a/b..c.csv", .text = "x"}};
	write_archive("t.tar", "ustar", "none", en, 2);
	cr_assert_eq(each("t.tar", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.n, 2);
	cr_assert_str_eq(g.base[0], "persons");
	cr_assert_str_eq(g.base[1], "b..c");
}

Test(input, max_bytes)
{
	struct got g;
	struct gbi_err e;
	char want[512], p[256];
	char big[201];
	memset(big, 'x', 200);
	big[200] = '\0';
	write_plain("big.csv", big);
	path_of(p, sizeof p, "big.csv");
	cr_assert_eq(each("big.csv", 200, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(g.size[0], 200);
	cr_assert_eq(each("big.csv", 199, &g, &e), GBI_EINPUT);
	snprintf(want, sizeof want, "%s: more than 199 bytes decompressed (--max-bytes)", p);
	cr_assert_str_eq(e.msg, want);
	/* compressed: the ceiling is on the decompressed bytes */
	write_archive("z.csv.gz", "raw", "gzip", &(struct entry){.path = "d", .text = big}, 1);
	path_of(p, sizeof p, "z.csv.gz");
	struct stat sb;
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_lt(sb.st_size, 100);
	cr_assert_eq(each("z.csv.gz", 100, &g, &e), GBI_EINPUT);
	snprintf(want, sizeof want, "%s: more than 100 bytes decompressed (--max-bytes)", p);
	cr_assert_str_eq(e.msg, want);
	/* in an archive the ceiling is for the whole input, not per entry */
	struct entry en[] = {{.path = "a.csv", .text = big}, {.path = "b.csv", .text = big}};
	write_archive("t.tar.gz", "ustar", "gzip", en, 2);
	cr_assert_eq(each("t.tar.gz", 400, &g, &e), GBI_OK, "%s", e.msg);
	cr_assert_eq(each("t.tar.gz", 300, &g, &e), GBI_EINPUT);
	snprintf(want, sizeof want, "%s/t.tar.gz:b.csv: more than 300 bytes decompressed (--max-bytes)", dir);
	cr_assert_str_eq(e.msg, want);
	cr_assert_eq(g.n, 2);
}

Test(input, truncated_gzip)
{
	struct got g;
	struct gbi_err e;
	char p[256], big[4001];
	for (int i = 0; i < 4000; i++)
		big[i] = (char)('a' + (i * 7919) % 26);
	big[4000] = '\0';
	write_archive("z.csv.gz", "raw", "gzip", &(struct entry){.path = "d", .text = big}, 1);
	path_of(p, sizeof p, "z.csv.gz");
	struct stat sb;
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_eq(truncate(p, sb.st_size / 2), 0);
	cr_assert_eq(each("z.csv.gz", GBI_DEFAULT_MAX_BYTES, &g, &e), GBI_EINPUT);
	cr_assert(strncmp(e.msg, p, strlen(p)) == 0, "%s", e.msg);
	cr_assert(strlen(e.msg) > strlen(p) + 3, "%s", e.msg);
}
