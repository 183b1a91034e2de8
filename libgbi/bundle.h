/*
 * bundle.h: the sealed export of a period (gbi-export(1): bundle,
 * verify-bundle).
 *
 * A bundle is one .tar.zst (libarchive, ustar, zstd) holding MANIFEST first
 * and then pain.001.xml, payments.csv, results.csv, results.jsonl,
 * findings.csv, bus.csv and stats.csv of one calculation run.  MANIFEST
 * names the run, its verify run, batches and parameters, and per file its
 * name, size, SHA-256, row count and control total.  Every entry has the
 * calculation run's creation time as mtime (SOURCE_DATE_EPOCH when set),
 * owner 0:0, no owner names and mode 0600, in a fixed order, so that two
 * exports of the same run are byte-identical.  The parts are written to
 * unnamed temporary files first: memory stays bounded.
 */
#ifndef GBI_BUNDLE_H
#define GBI_BUNDLE_H

#include <stdint.h>
#include "err.h"
#include "export.h"
#include "sepa.h"
#include "store.h"

/* Writes the bundle of run r to out; t gets the number of files and the
 * payable total. */
gbi_status gbi_bundle_write(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
			    struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);

/* A line of the verification report. */
typedef void (*gbi_bundle_note_fn)(void *ctx, const char *name, uint64_t size, const char *sha256);

/* Checks the bundle at path: MANIFEST first, every entry a plain file named
 * in it with the size and SHA-256 it states, every file it names present
 * once.  Calls note (may be NULL) for each verified file.  GBI_EINPUT names
 * the first difference. */
gbi_status gbi_bundle_verify(const char *path, gbi_bundle_note_fn note, void *ctx, int64_t *files,
			     struct gbi_err *err);

/* Ceilings when reading a bundle. */
#define GBI_BUNDLE_MAX_MANIFEST (1 << 20)
#define GBI_BUNDLE_MAX_BYTES (UINT64_C(64) << 30)
#define GBI_BUNDLE_MAX_FILES 32

#endif
