/*
 * field.h: the value types of gbi's extracts, parsed and checked.
 *
 * Every parser takes the raw bytes of one field (not NUL-terminated, with
 * their length) and returns NULL when the value is valid, or a short static
 * reason ("fails the 11-test", "more than two decimals") that the caller
 * puts into a message naming file, line and column.  None of them allocates.
 * Money never passes through floating point: it is parsed to integer cents.
 */
#ifndef GBI_FIELD_H
#define GBI_FIELD_H

#include <stddef.h>
#include <stdint.h>

/* Largest absolute amount accepted: 999,999,999,999.99 euro. */
#define GBI_MONEY_MAX INT64_C(99999999999999)

/* BSN: exactly 9 digits passing the 11-test (9*d1+...+2*d8-1*d9 divisible
 * by 11 and not 0). */
const char *gbi_parse_bsn(const char *s, size_t n);

/* IBAN: 15-34 characters, country letters, check digits, ISO 13616 mod-97
 * remainder 1; the length of a SEPA country's IBAN is checked; a Dutch IBAN
 * must be NL + 2 digits + 4 letters + 10 digits.
 * Upper case only, no spaces. */
const char *gbi_parse_iban(const char *s, size_t n);

/* NULL when the IBAN (already valid) is of a country of the SEPA schemes,
 * the only accounts a SEPA credit transfer can pay. */
const char *gbi_iban_sepa(const char *s, size_t n);

/* A date in `layout`, a pattern of YYYY, MM, DD and literal characters
 * ("YYYY-MM-DD", "DD-MM-YYYY", "YYYYMMDD").  The date must exist on the
 * calendar (no 2026-02-30) and lie in 1850..2200.  *ymd gets
 * year*10000 + month*100 + day. */
const char *gbi_parse_date(const char *s, size_t n, const char *layout, int32_t *ymd);

/* A period (calendar month) in `layout`, a pattern of YYYY, MM and
 * literals ("YYYY-MM", "MM-YYYY").  *ym gets year*100 + month. */
const char *gbi_parse_period(const char *s, size_t n, const char *layout, int32_t *ym);

/* Money: optional '-', digits, optionally grouped in threes by `thousands`
 * (0 for none), optionally `decimal` and one or two decimals.  *cents gets
 * the exact amount in cents; |amount| at most GBI_MONEY_MAX. */
const char *gbi_parse_money(const char *s, size_t n, char decimal, char thousands, int64_t *cents);

/* A whole number of at most 9 digits in lo..hi. */
const char *gbi_parse_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out);

/* Municipality: a 4-digit CBS code. */
const char *gbi_parse_municipality(const char *s, size_t n);

/* Case id: 1-32 of A-Z a-z 0-9 . _ - */
const char *gbi_parse_case_id(const char *s, size_t n);

/* Postcode: 4 digits (first not 0) and 2 upper-case letters, no space. */
const char *gbi_parse_postcode(const char *s, size_t n);

/* Valid UTF-8 (no overlongs, no surrogates); *chars (if not NULL) gets the
 * number of code points. */
const char *gbi_check_utf8(const char *s, size_t n, size_t *chars);

/* Valid UTF-8, no control characters but tab; at most maxchars code points. */
const char *gbi_parse_text(const char *s, size_t n, size_t maxchars);

/* Helpers on the canonical forms. */
int gbi_days_in_month(int year, int month);
/* Writes ymd as "YYYY-MM-DD" (11 bytes with the NUL). */
void gbi_date_format(int32_t ymd, char out[11]);
/* Writes ym as "YYYY-MM" (8 bytes with the NUL). */
void gbi_period_format(int32_t ym, char out[8]);
/* Writes cents as "-123.45" with a '.' decimal mark; returns the length. */
size_t gbi_money_format(int64_t cents, char *out, size_t size);

#endif
