/*
 * field.c: parsing and checking the value types of the extracts (field.h).
 * Pure functions over byte ranges; no allocation, no floating point.
 */
#include <stdio.h>
#include <string.h>

#include "field.h"
#include "banned.h"

static int isdig(char c) { return c >= '0' && c <= '9'; }
static int isupper_ascii(char c) { return c >= 'A' && c <= 'Z'; }

const char *gbi_parse_bsn(const char *s, size_t n)
{
	int sum = 0;
	if (n != 9)
		return "not 9 digits";
	for (size_t i = 0; i < 9; i++) {
		if (!isdig(s[i]))
			return "not 9 digits";
		int d = s[i] - '0';
		sum += i < 8 ? (int)(9 - i) * d : -d;
	}
	if (sum == 0 || sum % 11 != 0)
		return "fails the 11-test";
	return NULL;
}

/* The countries of the SEPA schemes with the IBAN length of each (SWIFT
 * IBAN registry). */
static const struct { char cc[3]; unsigned char len; } sepa_ibans[] = {
	{"AD", 24}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
	{"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22}, {"GI", 23}, {"GR", 27},
	{"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20},
	{"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24},
	{"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"VA", 22},
};

static int sepa_index(const char *s)
{
	for (size_t i = 0; i < sizeof sepa_ibans / sizeof sepa_ibans[0]; i++)
		if (s[0] == sepa_ibans[i].cc[0] && s[1] == sepa_ibans[i].cc[1])
			return (int)i;
	return -1;
}

const char *gbi_iban_sepa(const char *s, size_t n)
{
	if (n < 2 || sepa_index(s) < 0)
		return "not an account in a SEPA country";
	return NULL;
}

const char *gbi_parse_iban(const char *s, size_t n)
{
	if (n < 15 || n > 34)
		return "not an IBAN (length)";
	if (!isupper_ascii(s[0]) || !isupper_ascii(s[1]) || !isdig(s[2]) || !isdig(s[3]))
		return "not an IBAN (country and check digits)";
	/* ISO 13616 check digits are 98 minus a remainder, so 02..98; 00, 01
	 * and 99 (97, 98 and 02 plus 97) pass mod-97 but are never issued. */
	int check = (s[2] - '0') * 10 + (s[3] - '0');
	if (check < 2 || check > 98)
		return "not an IBAN (check digits 00, 01 or 99)";
	for (size_t i = 4; i < n; i++)
		if (!isdig(s[i]) && !isupper_ascii(s[i]))
			return "not an IBAN (characters)";
	int si = sepa_index(s);
	if (si >= 0 && n != sepa_ibans[si].len && !(s[0] == 'N' && s[1] == 'L'))
		return "not an IBAN (wrong length for its country)";
	if (s[0] == 'N' && s[1] == 'L') {
		if (n != 18)
			return "not a Dutch IBAN (length 18)";
		for (size_t i = 4; i < 8; i++)
			if (!isupper_ascii(s[i]))
				return "not a Dutch IBAN (bank code)";
		for (size_t i = 8; i < 18; i++)
			if (!isdig(s[i]))
				return "not a Dutch IBAN (account digits)";
	}
	/* mod-97 over the rearranged string, digit by digit */
	unsigned rem = 0;
	for (size_t k = 0; k < n; k++) {
		char c = s[(k + 4) % n];
		if (isdig(c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	if (rem != 1)
		return "fails the IBAN check (mod-97)";
	return NULL;
}

int gbi_days_in_month(int year, int month)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return dm[month - 1];
}

/* Reads digits of the pattern letter `want` (Y, M or D) from s into *v. */
static const char *parse_layout(const char *s, size_t n, const char *layout,
				int *y, int *m, int *d)
{
	size_t ln = strlen(layout);
	*y = *m = *d = -1;
	if (n != ln)
		return "not in the layout";
	for (size_t i = 0; i < ln;) {
		char c = layout[i];
		if (c == 'Y' || c == 'M' || c == 'D') {
			size_t j = i;
			int v = 0;
			while (j < ln && layout[j] == c) {
				if (!isdig(s[j]))
					return "not in the layout";
				v = v * 10 + (s[j] - '0');
				j++;
			}
			if (c == 'Y') *y = v;
			else if (c == 'M') *m = v;
			else *d = v;
			i = j;
		} else {
			if (s[i] != c)
				return "not in the layout";
			i++;
		}
	}
	return NULL;
}

const char *gbi_parse_date(const char *s, size_t n, const char *layout, int32_t *ymd)
{
	int y, m, d;
	if (parse_layout(s, n, layout, &y, &m, &d))
		return "not a date";
	if (y < 1850 || y > 2200)
		return "year out of range 1850-2200";
	if (m < 1 || m > 12 || d < 1 || d > gbi_days_in_month(y, m))
		return "no such day";
	*ymd = y * 10000 + m * 100 + d;
	return NULL;
}

const char *gbi_parse_period(const char *s, size_t n, const char *layout, int32_t *ym)
{
	int y, m, d;
	if (parse_layout(s, n, layout, &y, &m, &d) || d != -1)
		return "not a period";
	if (y < 1850 || y > 2200)
		return "year out of range 1850-2200";
	if (m < 1 || m > 12)
		return "no such month";
	*ym = y * 100 + m;
	return NULL;
}

const char *gbi_parse_money(const char *s, size_t n, char decimal, char thousands, int64_t *cents)
{
	size_t i = 0;
	int neg = 0, intdigits = 0, sigdigits = 0, group = -1, decs = 0;
	int64_t v = 0;
	if (n == 0)
		return "empty amount";
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i >= n || !isdig(s[i]))
		return "not an amount";
	for (; i < n && s[i] != decimal; i++) {
		char c = s[i];
		if (thousands && c == thousands) {
			if ((group == -1 && (intdigits < 1 || intdigits > 3)) || (group != -1 && group != 3))
				return "misplaced thousands separator";
			group = 0;
			continue;
		}
		if (!isdig(c)) {
			if (c == '.' || c == ',')
				return "wrong decimal mark";
			return "not an amount";
		}
		/* the ceiling counts significant digits: zero-padded amounts
		 * (fixed-width exports) are fine, and v never overflows */
		if ((v > 0 || c != '0') && ++sigdigits > 12)
			return "amount too large";
		intdigits++;
		if (group != -1)
			group++;
		v = v * 10 + (c - '0');
	}
	if (group != -1 && group != 3)
		return "misplaced thousands separator";
	v *= 100;
	if (i < n) { /* decimal mark */
		i++;
		if (i == n)
			return "no digits after the decimal mark";
		for (; i < n; i++) {
			if (!isdig(s[i]))
				return "not an amount";
			if (++decs > 2)
				return "more than two decimals";
			v += (s[i] - '0') * (decs == 1 ? 10 : 1);
		}
	}
	if (v > GBI_MONEY_MAX)
		return "amount too large";
	*cents = neg ? -v : v;
	return NULL;
}

const char *gbi_parse_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	int neg = 0;
	if (n && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n - i > 9)
		return "not a whole number";
	for (; i < n; i++) {
		if (!isdig(s[i]))
			return "not a whole number";
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return "out of range";
	*out = v;
	return NULL;
}

const char *gbi_parse_municipality(const char *s, size_t n)
{
	if (n != 4 || !isdig(s[0]) || !isdig(s[1]) || !isdig(s[2]) || !isdig(s[3]))
		return "not a 4-digit CBS code";
	return NULL;
}

const char *gbi_parse_case_id(const char *s, size_t n)
{
	if (n < 1 || n > 32)
		return "not 1-32 characters";
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!isdig(c) && !isupper_ascii(c) && !(c >= 'a' && c <= 'z') && c != '.' && c != '_' && c != '-')
			return "characters other than A-Z a-z 0-9 . _ -";
	}
	return NULL;
}

const char *gbi_parse_postcode(const char *s, size_t n)
{
	if (n != 6 || s[0] < '1' || s[0] > '9' || !isdig(s[1]) || !isdig(s[2]) || !isdig(s[3])
	    || !isupper_ascii(s[4]) || !isupper_ascii(s[5]))
		return "not a postcode like 1234AB";
	return NULL;
}

const char *gbi_check_utf8(const char *s, size_t n, size_t *chars)
{
	size_t count = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len;
		unsigned cp;
		if (c < 0x80) {
			i++;
			count++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
		else return "invalid UTF-8";
		if (i + len > n)
			return "invalid UTF-8";
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return "invalid UTF-8";
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
		    || (cp >= 0xd800 && cp <= 0xdfff))
			return "invalid UTF-8";
		i += len;
		count++;
	}
	if (chars)
		*chars = count;
	return NULL;
}

const char *gbi_parse_text(const char *s, size_t n, size_t maxchars)
{
	size_t chars;
	const char *why = gbi_check_utf8(s, n, &chars);
	if (why)
		return why;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return "control character";
		/* C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8 */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f)
			return "control character";
	}
	if (maxchars && chars > maxchars)
		return "too long";
	return NULL;
}

static void digits(char *out, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void gbi_date_format(int32_t ymd, char out[11])
{
	digits(out, (int)(ymd / 10000), 4);
	out[4] = '-';
	digits(out + 5, (int)(ymd / 100 % 100), 2);
	out[7] = '-';
	digits(out + 8, (int)(ymd % 100), 2);
	out[10] = '\0';
}

void gbi_period_format(int32_t ym, char out[8])
{
	digits(out, (int)(ym / 100), 4);
	out[4] = '-';
	digits(out + 5, (int)(ym % 100), 2);
	out[7] = '\0';
}

size_t gbi_money_format(int64_t cents, char *out, size_t size)
{
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	int w = snprintf(out, size, "%s%llu.%02llu", cents < 0 ? "-" : "",
			 (unsigned long long)(a / 100), (unsigned long long)(a % 100));
	return w < 0 ? 0 : (size_t)w;
}
