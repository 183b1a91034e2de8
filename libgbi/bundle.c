/*
 * bundle.c: the sealed .tar.zst of an export and its verification
 * (bundle.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <nettle/sha2.h>

#include "bundle.h"
#include "field.h"
#include "banned.h"

enum part_kind { P_PAIN, P_PAYMENTS, P_RESULTS, P_RESULTS_JSONL, P_FINDINGS, P_BUS, P_STATS };

static const struct {
	const char *name;
	enum part_kind kind;
} parts[] = {
	{"pain.001.xml", P_PAIN},       {"payments.csv", P_PAYMENTS}, {"results.csv", P_RESULTS},
	{"results.jsonl", P_RESULTS_JSONL}, {"findings.csv", P_FINDINGS}, {"bus.csv", P_BUS},
	{"stats.csv", P_STATS},
};
#define NPARTS (sizeof parts / sizeof parts[0])

struct part {
	FILE *fp;
	struct gbi_export_totals t;
};

static gbi_status make_part(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
			    size_t i, struct part *p, struct gbi_err *err)
{
	p->fp = tmpfile();
	if (!p->fp)
		return gbi_err_set(err, GBI_ESYS, "cannot create a temporary file: %s", strerror(errno));
	struct gbi_out *out = malloc(sizeof *out);
	if (!out)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	gbi_out_fd(out, fileno(p->fp));
	struct gbi_export_opts eo = {o->munis, 0};
	gbi_status st;
	switch (parts[i].kind) {
	case P_PAIN: st = gbi_sepa_write(s, r, o, out, &p->t, err); break;
	case P_PAYMENTS: st = gbi_sepa_payments_csv(s, r, o, out, &p->t, err); break;
	case P_RESULTS: st = gbi_export_results(s, r, &eo, out, &p->t, err); break;
	case P_RESULTS_JSONL:
		eo.jsonl = 1;
		st = gbi_export_results(s, r, &eo, out, &p->t, err);
		break;
	case P_FINDINGS: st = gbi_export_findings(s, r, &eo, out, &p->t, err); break;
	case P_BUS: st = gbi_export_bus(s, r, &eo, out, &p->t, err); break;
	default: st = gbi_export_stats(s, r, &eo, out, &p->t, err); break;
	}
	if (!st)
		st = gbi_out_commit(out, p->t.sha256, err);
	p->t.bytes = out->bytes;
	free(out);
	if (!st && fseek(p->fp, 0, SEEK_SET) != 0)
		st = gbi_err_set(err, GBI_ESYS, "rewinding a temporary file: %s", strerror(errno));
	if (st && parts[i].kind != P_PAIN)
		return st;
	if (st) {
		char m[GBI_ERR_MSG];
		gbi_strlcpy(m, err->msg, sizeof m);
		return gbi_err_set(err, st, "pain.001: %s", m);
	}
	return GBI_OK;
}

static la_ssize_t ar_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	gbi_out_write(ctx, buf, n);
	return (la_ssize_t)n;
}

static gbi_status ar_fail(struct archive *a, const char *what, struct gbi_err *err)
{
	return gbi_err_set(err, GBI_ESYS, "bundle: %s: %s", what, archive_error_string(a) ? archive_error_string(a) : "failed");
}

/* One entry from memory (fp NULL) or from a temporary file. */
static gbi_status add_entry(struct archive *a, const char *name, int64_t mtime, const char *mem, FILE *fp,
			    uint64_t size, struct gbi_err *err)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	gbi_status st = GBI_OK;
	if (archive_write_header(a, e) != ARCHIVE_OK)
		st = ar_fail(a, name, err);
	archive_entry_free(e);
	if (st)
		return st;
	if (!fp) {
		if (archive_write_data(a, mem, size) != (la_ssize_t)size)
			return ar_fail(a, name, err);
		return GBI_OK;
	}
	char buf[1 << 16];
	size_t n;
	uint64_t done = 0;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		if (archive_write_data(a, buf, n) != (la_ssize_t)n)
			return ar_fail(a, name, err);
		done += n;
	}
	if (ferror(fp) || done != size)
		return gbi_err_set(err, GBI_ESYS, "bundle: %s: reading the temporary file failed", name);
	return GBI_OK;
}

/* Appends to the manifest text; NUL-terminated, newlines in v become spaces. */
static void mf_add(char *mf, size_t size, size_t *o, const char *k, const char *v)
{
	if (*o >= size)
		return;
	int w = snprintf(mf + *o, size - *o, "%s %s\n", k, v);
	if (w < 0)
		return;
	size_t end = *o + (size_t)w < size ? *o + (size_t)w : size - 1;
	for (size_t i = *o + strlen(k) + 1; i + 1 < end; i++)
		if (mf[i] == '\n' || mf[i] == '\r')
			mf[i] = ' ';
	*o = end;
}

gbi_status gbi_bundle_write(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
			    struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err)
{
	struct part p[NPARTS];
	memset(p, 0, sizeof p);
	gbi_status st = GBI_OK;
	for (size_t i = 0; i < NPARTS && !st; i++)
		st = make_part(s, r, o, i, &p[i], err);
	size_t mfsize = 16384 + sizeof r->batches + sizeof r->params;
	char *mf = st ? NULL : malloc(mfsize);
	if (!st && !mf)
		st = gbi_err_set(err, GBI_ESYS, "out of memory");
	struct archive *a = NULL;
	if (!st) {
		size_t mo = 0;
		char v[64];
		mf[0] = '\0';
		mf_add(mf, mfsize, &mo, "gbi-bundle", "1");
		mf_add(mf, mfsize, &mo, "generator", "gbi " GBI_VERSION);
		mf_add(mf, mfsize, &mo, "period", r->period);
		snprintf(v, sizeof v, "%lld", (long long)r->id);
		mf_add(mf, mfsize, &mo, "calc_run", v);
		mf_add(mf, mfsize, &mo, "calc_created", r->created);
		if (r->verify_run)
			snprintf(v, sizeof v, "%lld", (long long)r->verify_run);
		else
			gbi_strlcpy(v, "none", sizeof v);
		mf_add(mf, mfsize, &mo, "verify_run", v);
		snprintf(v, sizeof v, "%lld", (long long)r->last_batch);
		mf_add(mf, mfsize, &mo, "last_batch", v);
		mf_add(mf, mfsize, &mo, "batches", r->batches);
		mf_add(mf, mfsize, &mo, "params", r->params);
		mf_add(mf, mfsize, &mo, "calc_municipalities", r->municipalities[0] ? r->municipalities : "all");
		mf_add(mf, mfsize, &mo, "municipalities", o->munis && *o->munis ? o->munis : "all");
		mf_add(mf, mfsize, &mo, "pain001_version", o->version == 3 ? "pain.001.001.03" : "pain.001.001.09");
		mf_add(mf, mfsize, &mo, "execution_date", o->date ? o->date : "policy payment_day");
		mf_add(mf, mfsize, &mo, "columns", "file name size sha256 rows total");
		for (size_t i = 0; i < NPARTS; i++) {
			char line[256], tot[32];
			gbi_money_format(p[i].t.total, tot, sizeof tot);
			snprintf(line, sizeof line, "%s %llu %s %lld %s", parts[i].name, (unsigned long long)p[i].t.bytes,
				 p[i].t.sha256, (long long)p[i].t.rows, tot);
			mf_add(mf, mfsize, &mo, "file", line);
		}
		if (mo >= mfsize - 1)
			st = gbi_err_set(err, GBI_ESYS, "bundle: MANIFEST too long");
		int64_t mtime = r->epoch;
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		if (sde && *sde) {
			char *end;
			long long x = strtoll(sde, &end, 10);
			if (!*end && x >= 0)
				mtime = x;
		}
		a = st ? NULL : archive_write_new();
		if (!st && !a)
			st = gbi_err_set(err, GBI_ESYS, "out of memory");
		if (!st && (archive_write_set_format_ustar(a) != ARCHIVE_OK ||
			    archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
			    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
			    archive_write_open2(a, out, NULL, ar_write, NULL, NULL) != ARCHIVE_OK))
			st = ar_fail(a, "cannot start the archive", err);
		if (!st)
			st = add_entry(a, "MANIFEST", mtime, mf, NULL, strlen(mf), err);
		for (size_t i = 0; i < NPARTS && !st; i++)
			st = add_entry(a, parts[i].name, mtime, NULL, p[i].fp, p[i].t.bytes, err);
		if (!st && archive_write_close(a) != ARCHIVE_OK)
			st = ar_fail(a, "closing", err);
	}
	if (a)
		archive_write_free(a);
	free(mf);
	if (!st) {
		t->rows = (int64_t)NPARTS + 1;
		t->total = p[0].t.total;
		t->blocks = p[0].t.blocks;
	}
	for (size_t i = 0; i < NPARTS; i++)
		if (p[i].fp)
			fclose(p[i].fp);
	return st;
}

/* ---- verify ------------------------------------------------------------- */

struct mfile {
	char name[64];
	uint64_t size;
	char sha[65];
	long long rows;           /* what the MANIFEST says */
	int seen;
};

/* Counts the rows of a part as its writer counted them: CSV lines outside
 * quotes less the header, JSON Lines lines, pain.001 transactions. */
struct rowcount {
	int kind;                 /* 0 csv, 1 jsonl, 2 pain.001 */
	int quoted, match;
	long long n;
};

static void rows_feed(struct rowcount *rc, const char *p, size_t len)
{
	static const char tx[] = "<CdtTrfTxInf>";
	for (size_t i = 0; i < len; i++) {
		char b = p[i];
		if (rc->kind == 2) {
			if (b == tx[rc->match])
				rc->match++;
			else
				rc->match = b == tx[0];
			if (rc->match == (int)sizeof tx - 1) {
				rc->n++;
				rc->match = 0;
			}
		} else if (b == '"' && rc->kind == 0)
			rc->quoted = !rc->quoted;
		else if (b == '\n' && !rc->quoted)
			rc->n++;
	}
}

static gbi_status parse_manifest(const char *path, char *mf, struct mfile *f, int *nf, struct gbi_err *err)
{
	*nf = 0;
	int lineno = 0;
	for (char *line = mf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1 && strcmp(line, "gbi-bundle 1") != 0)
			return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST:1: not a gbi bundle manifest", path);
		if (strncmp(line, "file ", 5) != 0)
			continue;
		if (*nf >= GBI_BUNDLE_MAX_FILES)
			return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST:%d: too many files", path, lineno);
		struct mfile *m = &f[*nf];
		unsigned long long size;
		long long rows;
		char tot[32];
		if (sscanf(line + 5, "%63s %llu %64s %lld %31s", m->name, &size, m->sha, &rows, tot) != 5 ||
		    strlen(m->sha) != 64)
			return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST:%d: malformed file line", path, lineno);
		m->size = size;
		m->rows = rows;
		m->seen = 0;
		int known = 0;
		for (size_t i = 0; i < NPARTS; i++)
			known |= strcmp(parts[i].name, m->name) == 0;
		if (!known)
			return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST:%d: '%s' is not a part of a gbi bundle", path, lineno,
					   m->name);
		for (int i = 0; i < *nf; i++)
			if (strcmp(f[i].name, m->name) == 0)
				return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST:%d: '%s' listed twice", path, lineno, m->name);
		(*nf)++;
	}
	if (lineno == 0)
		return gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST is empty", path);
	return GBI_OK;
}

gbi_status gbi_bundle_verify(const char *path, gbi_bundle_note_fn note, void *ctx, int64_t *files,
			     struct gbi_err *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		return gbi_err_set(err, GBI_ESYS, "out of memory");
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	gbi_status st = GBI_OK;
	char *mf = NULL;
	struct mfile f[GBI_BUNDLE_MAX_FILES];
	int nf = 0, n = 0;
	uint64_t total = 0;
	static char buf[1 << 16];
	*files = 0;
	if (archive_read_open_filename(a, path, sizeof buf) != ARCHIVE_OK) {
		st = gbi_err_set(err, GBI_EINPUT, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	int rc;
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name || !*name || strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: entry '%s': not a plain file name", path, name ? name : "");
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: not a regular file", path, name);
			goto out;
		}
		if (n++ == 0) {
			if (strcmp(name, "MANIFEST") != 0) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: the first entry is '%s', not MANIFEST", path, name);
				goto out;
			}
			la_int64_t sz = archive_entry_size(e);
			if (sz <= 0 || sz > GBI_BUNDLE_MAX_MANIFEST) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST: size %lld out of range", path, (long long)sz);
				goto out;
			}
			mf = malloc((size_t)sz + 1);
			if (!mf) {
				st = gbi_err_set(err, GBI_ESYS, "out of memory");
				goto out;
			}
			la_ssize_t got = archive_read_data(a, mf, (size_t)sz);
			if (got != sz) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST: %s", path,
						 got < 0 ? archive_error_string(a) : "short");
				goto out;
			}
			mf[sz] = '\0';
			if (strlen(mf) != (size_t)sz) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST holds a NUL byte", path);
				goto out;
			}
			if ((st = parse_manifest(path, mf, f, &nf, err)))
				goto out;
			continue;
		}
		struct mfile *m = NULL;
		for (int i = 0; i < nf; i++)
			if (strcmp(f[i].name, name) == 0)
				m = &f[i];
		if (!m) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: not listed in MANIFEST", path, name);
			goto out;
		}
		if (m->seen++) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: present twice", path, name);
			goto out;
		}
		struct sha256_ctx c;
		sha256_init(&c);
		uint64_t size = 0;
		la_ssize_t got;
		size_t nl = strlen(name);
		struct rowcount rcnt = {nl > 6 && strcmp(name + nl - 6, ".jsonl") == 0 ? 1
					: nl > 4 && strcmp(name + nl - 4, ".xml") == 0 ? 2 : 0, 0, 0, 0};
		while ((got = archive_read_data(a, buf, sizeof buf)) > 0) {
			sha256_update(&c, (size_t)got, (const uint8_t *)buf);
			rows_feed(&rcnt, buf, (size_t)got);
			size += (uint64_t)got;
			total += (uint64_t)got;
			if (total > GBI_BUNDLE_MAX_BYTES) {
				st = gbi_err_set(err, GBI_EINPUT, "%s: more than %llu bytes unpacked: refused", path,
						 (unsigned long long)GBI_BUNDLE_MAX_BYTES);
				goto out;
			}
		}
		if (got < 0) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: %s", path, name, archive_error_string(a));
			goto out;
		}
		uint8_t d[SHA256_DIGEST_SIZE];
		char hex[65];
		sha256_digest(&c, sizeof d, d);
		for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		if (size != m->size) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: %llu bytes, MANIFEST says %llu", path, name,
					 (unsigned long long)size, (unsigned long long)m->size);
			goto out;
		}
		if (strcmp(hex, m->sha) != 0) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: SHA-256 %s differs from the MANIFEST's %s", path, name, hex,
					 m->sha);
			goto out;
		}
		long long rows = rcnt.kind == 0 ? rcnt.n - 1 : rcnt.n;
		if (rows != m->rows) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: %lld rows, MANIFEST says %lld", path, name, rows, m->rows);
			goto out;
		}
		if (note)
			note(ctx, name, size, hex);
		(*files)++;
	}
	if (rc != ARCHIVE_EOF) {
		st = gbi_err_set(err, GBI_EINPUT, "%s: %s", path, archive_error_string(a) ? archive_error_string(a) : "unreadable");
		goto out;
	}
	if (n == 0) {
		st = gbi_err_set(err, GBI_EINPUT, "%s: empty archive, no MANIFEST", path);
		goto out;
	}
	for (int i = 0; i < nf; i++)
		if (!f[i].seen) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: %s: listed in MANIFEST but missing", path, f[i].name);
			goto out;
		}
	/* every part of a bundle is there: a part left out with its MANIFEST
	 * line would otherwise go unnoticed */
	for (size_t i = 0; i < NPARTS; i++) {
		int listed = 0;
		for (int k = 0; k < nf; k++)
			listed |= strcmp(f[k].name, parts[i].name) == 0;
		if (!listed) {
			st = gbi_err_set(err, GBI_EINPUT, "%s: MANIFEST does not list %s", path, parts[i].name);
			goto out;
		}
	}
out:
	archive_read_free(a);
	free(mf);
	return st;
}
