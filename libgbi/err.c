/*
 * err.c: error reporting helpers (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "banned.h"

gbi_status gbi_err_set(struct gbi_err *err, gbi_status code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

void gbi_err_clear(struct gbi_err *err)
{
	if (err) {
		err->code = GBI_OK;
		err->msg[0] = '\0';
	}
}

size_t gbi_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void gbi_join(char *out, size_t size, const char *const *v, int n)
{
	size_t o = 0;
	if (!size)
		return;
	out[0] = '\0';
	for (int i = 0; i < n && o < size; i++) {
		int w = snprintf(out + o, size - o, "%s%s", i ? "," : "", v[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void quote(char *out, size_t outsize, const char *s, size_t len, size_t max, int high)
{
	size_t o = 0;
	if (!outsize)
		return;
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && (!high || c < 0x80)) {
			if (o + 1 >= outsize)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outsize)
				break;
			snprintf(out + o, outsize - o, "\\x%02x", c);
			o += 4;
		}
	}
	if (len > max && o + 3 < outsize) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void gbi_quote(char *out, size_t outsize, const char *s, size_t len, size_t max)
{
	quote(out, outsize, s, len, max, 0);
}

void gbi_quote_bytes(char *out, size_t outsize, const char *s, size_t len, size_t max)
{
	quote(out, outsize, s, len, max, 1);
}
