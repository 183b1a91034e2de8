/*
 * input.c: directories, files, standard input, compressed files and
 * archives as streams of table bytes (input.h).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "banned.h"

struct gbi_stream {
	struct archive *a;
	const char *name;
	struct sha256_ctx sha;
	uint64_t pos, total, max;
	uint64_t *input_bytes;   /* running total for the whole input */
	int eof;
};

long gbi_stream_read(struct gbi_stream *s, void *buf, size_t n, struct gbi_err *err)
{
	if (s->eof)
		return 0;
	la_ssize_t r = archive_read_data(s->a, buf, n);
	if (r < 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: %s", s->name, archive_error_string(s->a)), -1;
	if (r == 0) {
		s->eof = 1;
		return 0;
	}
	s->pos += (uint64_t)r;
	*s->input_bytes += (uint64_t)r;
	if (*s->input_bytes > s->max)
		return gbi_err_set(err, GBI_EINPUT, "%s: more than %llu bytes decompressed (--max-bytes)", s->name,
				   (unsigned long long)s->max), -1;
	sha256_update(&s->sha, (size_t)r, buf);
	return (long)r;
}

static void hex_of(const uint8_t *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

void gbi_stream_digest(struct gbi_stream *s, char hex[65], uint64_t *size)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(&s->sha, sizeof d, d);
	hex_of(d, sizeof d, hex);
	*size = s->pos;
}

uint64_t gbi_stream_pos(const struct gbi_stream *s) { return s->pos; }
uint64_t gbi_stream_total(const struct gbi_stream *s) { return s->total; }

void gbi_sha256_hex(const void *buf, size_t n, char hex[65])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, n, buf);
	sha256_digest(&c, sizeof d, d);
	hex_of(d, sizeof d, hex);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Table file name -> base (no directory, no .csv[.gz|.zst]); 0 if not a table. */
static int table_base(const char *path, char *base, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char tmp[256];
	if (gbi_strlcpy(tmp, name, sizeof tmp) >= sizeof tmp)
		return 0;
	size_t n = strlen(tmp);
	if (ends_with(tmp, ".gz"))
		tmp[n -= 3] = '\0';
	else if (ends_with(tmp, ".zst"))
		tmp[n -= 4] = '\0';
	if (!ends_with(tmp, ".csv"))
		return 0;
	tmp[n - 4] = '\0';
	if (!tmp[0])
		return 0;
	gbi_strlcpy(base, tmp, size);
	return 1;
}

static int is_archive_name(const char *p)
{
	return ends_with(p, ".zip") || ends_with(p, ".tar") || ends_with(p, ".tar.gz") || ends_with(p, ".tgz")
	       || ends_with(p, ".tar.zst") || ends_with(p, ".tzst");
}

static struct archive *new_reader(int raw)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	if (raw) {
		archive_read_support_format_raw(a);
	} else {
		archive_read_support_format_zip(a);
		archive_read_support_format_tar(a);
	}
	return a;
}

static gbi_status open_archive(struct archive *a, const char *path, struct gbi_err *err)
{
	int r = strcmp(path, "-") == 0 ? archive_read_open_fd(a, 0, 65536)
				       : archive_read_open_filename(a, path, 65536);
	if (r != ARCHIVE_OK) {
		const char *m = archive_error_string(a);
		const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
		/* libarchive's raw reader takes any bytes: only empty input fails */
		if (m && strstr(m, "Unrecognized archive format"))
			return gbi_err_set(err, GBI_EINPUT, "%s: empty file (no header row)", name);
		return gbi_err_set(err, GBI_EINPUT, "%s: %s", name, m ? m : strerror(archive_errno(a)));
	}
	return GBI_OK;
}

/* One plain or compressed table file (or stdin), read raw. */
static gbi_status each_raw(const char *path, const char *name, const char *base, uint64_t max,
			   gbi_input_fn fn, void *ctx, struct gbi_err *err)
{
	struct archive *a = new_reader(1);
	struct archive_entry *e;
	uint64_t bytes = 0;
	gbi_status st;
	if (!a)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	if ((st = open_archive(a, path, err)))
		goto out;
	int r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK && archive_error_string(a)
	    && strstr(archive_error_string(a), "Unrecognized archive format")) {
		/* the raw reader takes any bytes: only an empty input fails here */
		st = gbi_err_set(err, GBI_EINPUT, "%s: empty file (no header row)", name);
		goto out;
	}
	if (r == ARCHIVE_EOF) {
		/* libarchive's raw reader reports an empty input as no entry */
		st = gbi_err_set(err, GBI_EINPUT, "%s: empty file (no header row)", name);
		goto out;
	}
	if (r != ARCHIVE_OK) {
		st = gbi_err_set(err, GBI_EINPUT, "%s: %s", name, archive_error_string(a));
		goto out;
	}
	struct gbi_stream s = {.a = a, .name = name, .max = max, .input_bytes = &bytes};
	sha256_init(&s.sha);
	if (strcmp(path, "-") != 0 && archive_filter_count(a) <= 1) {
		struct stat sb;
		if (stat(path, &sb) == 0)
			s.total = (uint64_t)sb.st_size;
	}
	st = fn(ctx, name, base, &s, err);
out:
	archive_read_free(a);
	return st;
}

static int unsafe_path(const char *p)
{
	if (p[0] == '/' || p[0] == '\\')
		return 1;
	if (p[0] && p[1] == ':')
		return 1; /* a drive letter */
	for (const char *s = p; *s;) {
		const char *e = s;
		while (*e && *e != '/' && *e != '\\')
			e++;
		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			return 1;
		s = *e ? e + 1 : e;
	}
	return 0;
}

static gbi_status each_archive(const char *path, uint64_t max, gbi_input_fn fn, void *ctx,
			       struct gbi_err *err)
{
	struct archive *a = new_reader(0);
	struct archive_entry *e;
	uint64_t bytes = 0;
	gbi_status st;
	if (!a)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	if ((st = open_archive(a, path, err)))
		goto out;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s", path, archive_error_string(a));
			goto out;
		}
		const char *ep = archive_entry_pathname(e);
		if (!ep)
			ep = "";
		char name[1024];
		snprintf(name, sizeof name, "%s:%s", path, ep);
		if (unsafe_path(ep)) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: refused: absolute path or '..' in an archive entry", name);
			goto out;
		}
		mode_t type = archive_entry_filetype(e);
		if (type == AE_IFDIR)
			continue;
		if (type != AE_IFREG || archive_entry_hardlink(e) || archive_entry_symlink(e)) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: refused: archive entry is a link or device, not a file", name);
			goto out;
		}
		char base[256];
		if (!table_base(ep, base, sizeof base))
			continue;
		if (ends_with(ep, ".gz") || ends_with(ep, ".zst")) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: refused: compressed file inside an archive; compress the archive instead", name);
			goto out;
		}
		struct gbi_stream s = {.a = a, .name = name, .max = max, .input_bytes = &bytes};
		sha256_init(&s.sha);
		s.total = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
		if ((st = fn(ctx, name, base, &s, err)))
			goto out;
	}
	st = GBI_OK;
out:
	archive_read_free(a);
	return st;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static gbi_status each_dir(const char *path, uint64_t max, gbi_input_rank_fn rank, gbi_input_fn fn,
			   void *ctx, struct gbi_err *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	gbi_status st = GBI_OK;
	if (!d)
		return gbi_err_set(err, GBI_EINPUT, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		char base[256];
		if (de->d_name[0] == '.' || !table_base(de->d_name, base, sizeof base))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (cap > 4096) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: more than 4096 table files", path);
				break;
			}
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn) {
				st = gbi_err_set(err, GBI_ESYS, "out of memory");
				break;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			st = gbi_err_set(err, GBI_ESYS, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (st == GBI_OK) {
		qsort(names, n, sizeof *names, cmp_names);
		/* by rank, then by name */
		for (int pass = 0; pass <= GBI_INPUT_RANK_MAX && st == GBI_OK; pass++)
			for (size_t i = 0; i < n && st == GBI_OK; i++) {
				char full[2048], base[256];
				table_base(names[i], base, sizeof base);
				int r = rank ? rank(ctx, base) : 0;
				if ((r < 0 ? 0 : r > GBI_INPUT_RANK_MAX ? GBI_INPUT_RANK_MAX : r) != pass)
					continue;
				snprintf(full, sizeof full, "%s%s%s", path, ends_with(path, "/") ? "" : "/", names[i]);
				struct stat sb;
				if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode))
					continue;
				st = each_raw(full, full, base, max, fn, ctx, err);
			}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return st;
}

gbi_status gbi_input_each(const char *path, uint64_t max_bytes, gbi_input_fn fn, void *ctx,
			  struct gbi_err *err)
{
	return gbi_input_each_ranked(path, max_bytes, NULL, fn, ctx, err);
}

gbi_status gbi_input_each_ranked(const char *path, uint64_t max_bytes, gbi_input_rank_fn rank,
				 gbi_input_fn fn, void *ctx, struct gbi_err *err)
{
	if (strcmp(path, "-") == 0)
		return each_raw("-", "<stdin>", "", max_bytes, fn, ctx, err);
	struct stat sb;
	if (stat(path, &sb) != 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return each_dir(path, max_bytes, rank, fn, ctx, err);
	if (is_archive_name(path))
		return each_archive(path, max_bytes, fn, ctx, err);
	char base[256];
	if (!table_base(path, base, sizeof base))
		base[0] = '\0'; /* the caller needs --table */
	return each_raw(path, path, base, max_bytes, fn, ctx, err);
}
