/*
 * err.h: how the library reports failure.
 *
 * The library never prints and never exits.  A function that can fail
 * returns a gbi_status and, on failure, fills the caller's struct gbi_err
 * with a message that names the file, line and field where that is known:
 *
 *     persons.csv:12: bsn '123456789': fails the 11-test
 *
 * The status values are the exit statuses of every gbi command (gbi(1)), so
 * a command maps a library failure to its exit status without a table.
 */
#ifndef GBI_ERR_H
#define GBI_ERR_H

#include <stddef.h>

typedef enum gbi_status {
	GBI_OK = 0,        /* done */
	GBI_ATTENTION = 1, /* done, but something needs attention */
	GBI_EUSAGE = 2,    /* usage error: bad option or argument */
	GBI_EINPUT = 3,    /* input refused, nothing changed */
	GBI_EBUSY = 4,     /* store busy (locked by another gbi), retry later */
	GBI_ESYS = 5       /* system or I/O error, nothing half-written */
} gbi_status;

#define GBI_ERR_MSG 1024

struct gbi_err {
	gbi_status code;        /* GBI_OK when nothing went wrong */
	char msg[GBI_ERR_MSG];  /* message, no trailing newline, no program name */
};

/* Sets err (if not NULL) to code and the formatted message; returns code,
 * so that `return gbi_err_set(err, GBI_EINPUT, "...")` reads naturally. */
gbi_status gbi_err_set(struct gbi_err *err, gbi_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears err to GBI_OK and an empty message. */
void gbi_err_clear(struct gbi_err *err);

/* Copies at most size-1 bytes of src to dst and terminates it; returns
 * strlen(src), so truncation is `ret >= size`. */
size_t gbi_strlcpy(char *dst, const char *src, size_t size);

/* Joins v[0..n-1] with commas into out (size bytes, always terminated;
 * cut short when it does not fit). */
void gbi_join(char *out, size_t size, const char *const *v, int n);

/* Writes at most max bytes of s into out (size outsize) with non-printable
 * bytes shown as \xNN, for quoting input values in messages. */
void gbi_quote(char *out, size_t outsize, const char *s, size_t len, size_t max);
/* The same, but every byte >= 0x80 is shown as \xNN too (for values that
 * are not valid UTF-8). */
void gbi_quote_bytes(char *out, size_t outsize, const char *s, size_t len, size_t max);

#endif
