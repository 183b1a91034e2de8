/*
 * input.h: where tables come from.
 *
 * An input is a directory of table files, one table file, '-' (standard
 * input), a compressed table (.gz, .zst) or an archive (.zip, .tar, .tar.gz,
 * .tgz, .tar.zst).  Archives and compressed files are read as streams with
 * libarchive and never extracted to disk.  Each table found becomes a
 * stream: its bytes (decompressed) are handed out in chunks, counted, and
 * hashed with SHA-256 as they pass.
 *
 * Refused (GBI_EINPUT, naming input and entry): archive entries with an
 * absolute path or a '..' component, links, devices and other non-regular
 * entries, and more than max_bytes decompressed bytes in one input.
 */
#ifndef GBI_INPUT_H
#define GBI_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define GBI_DEFAULT_MAX_BYTES (UINT64_C(4) << 30)  /* 4 GiB per input */

struct gbi_stream;

/* Reads up to n bytes; returns the count (0 at the end) or -1 with err set. */
long gbi_stream_read(struct gbi_stream *s, void *buf, size_t n, struct gbi_err *err);
/* After the end: the SHA-256 (64 hex digits) and size of the bytes read. */
void gbi_stream_digest(struct gbi_stream *s, char hex[65], uint64_t *size);
/* Bytes read so far, and the total when known (0 when not), for progress. */
uint64_t gbi_stream_pos(const struct gbi_stream *s);
uint64_t gbi_stream_total(const struct gbi_stream *s);

/* Called for each table file found: name is how messages name it
 * ("extract.tar.zst:persons.csv", "<stdin>"), base the file name without
 * directory and without .csv/.gz/.zst.  The callback reads the stream to its
 * end (or returns an error). */
typedef gbi_status (*gbi_input_fn)(void *ctx, const char *name, const char *base,
				   struct gbi_stream *s, struct gbi_err *err);

/* Walks one input (path, or "-" for standard input), calling fn for each
 * table file in a stable order (directories: sorted by name; archives: in
 * archive order).  Files in a directory or archive whose names do not end
 * in .csv, .csv.gz or .csv.zst are skipped. */
gbi_status gbi_input_each(const char *path, uint64_t max_bytes, gbi_input_fn fn, void *ctx,
			  struct gbi_err *err);

/* The same, with the files of a directory in the order of rank(ctx, base)
 * (0..GBI_INPUT_RANK_MAX, lowest first), then by name, so that tables
 * others depend on can be read first.  Archives keep their own order. */
#define GBI_INPUT_RANK_MAX 3
typedef int (*gbi_input_rank_fn)(void *ctx, const char *base);
gbi_status gbi_input_each_ranked(const char *path, uint64_t max_bytes, gbi_input_rank_fn rank,
				 gbi_input_fn fn, void *ctx, struct gbi_err *err);

/* SHA-256 of a buffer as 64 hex digits (for digests of digests). */
void gbi_sha256_hex(const void *buf, size_t n, char hex[65]);

#endif
