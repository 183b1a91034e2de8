/*
 * test_field.c: the value types of libgbi/field.h at their edges.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "field.h"
#include "banned.h"

#define S(lit) lit, sizeof(lit) - 1

/* ---- BSN -------------------------------------------------------------- */

Test(field_bsn, valid_test_range)
{
	/* 9999 test range numbers that pass the 11-test */
	static const char *ok[] = {"999990007", "999990019", "999990020", "999990032",
				   "999990044", "123456782", "111222333"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		cr_assert_null(gbi_parse_bsn(ok[i], 9), "%s", ok[i]);
}

Test(field_bsn, fails_11_test)
{
	cr_assert_str_eq(gbi_parse_bsn(S("999990008")), "fails the 11-test");
	cr_assert_str_eq(gbi_parse_bsn(S("123456789")), "fails the 11-test");
	/* sum 0: all zeros passes mod 11 but is not a BSN */
	cr_assert_str_eq(gbi_parse_bsn(S("000000000")), "fails the 11-test");
}

Test(field_bsn, shape)
{
	cr_assert_str_eq(gbi_parse_bsn(S("99999000")), "not 9 digits");
	cr_assert_str_eq(gbi_parse_bsn(S("9999900070")), "not 9 digits");
	cr_assert_str_eq(gbi_parse_bsn(S("")), "not 9 digits");
	cr_assert_str_eq(gbi_parse_bsn(S("99999000A")), "not 9 digits");
	cr_assert_str_eq(gbi_parse_bsn(S("9999 0007")), "not 9 digits");
	cr_assert_str_eq(gbi_parse_bsn(S("-99990007")), "not 9 digits");
}

/* ---- IBAN ------------------------------------------------------------- */

Test(field_iban, valid)
{
	cr_assert_null(gbi_parse_iban(S("NL91ABNA0417164300")));
	cr_assert_null(gbi_parse_iban(S("NL02ABNA0123456789")));
	cr_assert_null(gbi_parse_iban(S("DE89370400440532013000")));
	cr_assert_null(gbi_parse_iban(S("GB82WEST12345698765432")));
	cr_assert_null(gbi_parse_iban(S("BE68539007547034")));   /* 16, short */
}

Test(field_iban, one_digit_changed)
{
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA0417164301")), "fails the IBAN check (mod-97)");
	cr_assert_str_eq(gbi_parse_iban(S("NL92ABNA0417164300")), "fails the IBAN check (mod-97)");
	cr_assert_str_eq(gbi_parse_iban(S("DE89370400440532013001")), "fails the IBAN check (mod-97)");
	/* two digits swapped */
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA0417163400")), "fails the IBAN check (mod-97)");
}

Test(field_iban, case_and_spaces)
{
	cr_assert_str_eq(gbi_parse_iban(S("nl91abna0417164300")), "not an IBAN (country and check digits)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91abna0417164300")), "not an IBAN (characters)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91 ABNA 0417 1643 00")), "not an IBAN (characters)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA041716430 ")), "not an IBAN (characters)");
}

Test(field_iban, dutch_rules)
{
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA04171643000")), "not a Dutch IBAN (length 18)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA041716430")), "not a Dutch IBAN (length 18)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91AB1A0417164300")), "not a Dutch IBAN (bank code)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA04171643A0")), "not a Dutch IBAN (account digits)");
}

Test(field_iban, length)
{
	cr_assert_str_eq(gbi_parse_iban(S("")), "not an IBAN (length)");
	cr_assert_str_eq(gbi_parse_iban(S("NL91ABNA041716")), "not an IBAN (length)");
	/* 33 characters: the longest IBAN there is, but a German one has 22 */
	cr_assert_str_eq(gbi_parse_iban(S("DE8937040044053201300012345678901")), "not an IBAN (wrong length for its country)");
	cr_assert_null(gbi_parse_iban(S("DE89370400440532013000")));
	cr_assert_null(gbi_iban_sepa(S("DE89370400440532013000")));
	cr_assert_str_eq(gbi_iban_sepa(S("BR1800360305000010009795493C1")), "not an account in a SEPA country");
	cr_assert_str_eq(gbi_parse_iban(S("DE890370400440532013000123456789012")), "not an IBAN (length)");
	cr_assert_str_eq(gbi_parse_iban(S("9L91ABNA0417164300")), "not an IBAN (country and check digits)");
}

Test(field_iban, check_digits_out_of_range)
{
	/* NL91ABNA0417164300 + 97 in the check digits keeps the remainder, but
	 * ISO 13616 check digits lie in 02..98: 00, 01 and 99 are never valid */
	cr_assert_str_eq(gbi_parse_iban(S("NL99ABNA0123456789")), "not an IBAN (check digits 00, 01 or 99)");
	cr_assert_null(gbi_parse_iban(S("NL98ABNA0000000057")));
	cr_assert_str_eq(gbi_parse_iban(S("NL01ABNA0000000057")), "not an IBAN (check digits 00, 01 or 99)");
	cr_assert_null(gbi_parse_iban(S("NL97ABNA0000000075")));
	cr_assert_str_eq(gbi_parse_iban(S("NL00ABNA0000000075")), "not an IBAN (check digits 00, 01 or 99)");
}

/* ---- dates and periods -------------------------------------------------- */

static const char *date(const char *s, const char *layout, int32_t *ymd)
{
	*ymd = -1;
	return gbi_parse_date(s, strlen(s), layout, ymd);
}

Test(field_date, leap_days)
{
	int32_t v;
	cr_assert_null(date("2024-02-29", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 20240229);
	cr_assert_null(date("2000-02-29", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 20000229);
	cr_assert_str_eq(date("2023-02-29", "YYYY-MM-DD", &v), "no such day");
	cr_assert_eq(v, -1);
	cr_assert_str_eq(date("2100-02-29", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("1900-02-29", "YYYY-MM-DD", &v), "no such day");
	cr_assert_null(date("2023-02-28", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 20230228);
}

Test(field_date, no_such_day)
{
	int32_t v;
	cr_assert_str_eq(date("2026-02-30", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("2026-13-01", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("2026-00-10", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("2026-01-00", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("2026-04-31", "YYYY-MM-DD", &v), "no such day");
	cr_assert_str_eq(date("2026-01-32", "YYYY-MM-DD", &v), "no such day");
	cr_assert_null(date("2026-12-31", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 20261231);
}

Test(field_date, layouts)
{
	int32_t v;
	cr_assert_null(date("29-02-2024", "DD-MM-YYYY", &v));
	cr_assert_eq(v, 20240229);
	cr_assert_null(date("20240229", "YYYYMMDD", &v));
	cr_assert_eq(v, 20240229);
	cr_assert_null(date("01/07/2026", "DD/MM/YYYY", &v));
	cr_assert_eq(v, 20260701);
	cr_assert_str_eq(date("30-02-2024", "DD-MM-YYYY", &v), "no such day");
	/* the wrong layout */
	cr_assert_str_eq(date("2024-02-29", "DD-MM-YYYY", &v), "not a date");
	cr_assert_str_eq(date("2024-02-29", "YYYYMMDD", &v), "not a date");
}

Test(field_date, separators_and_shape)
{
	int32_t v;
	cr_assert_str_eq(date("2024/02/29", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("2024.02.29", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("2024-2-29", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("2024-02-29 ", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date(" 2024-02-29", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("2024-02-2x", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("2024-02-29T00", "YYYY-MM-DD", &v), "not a date");
	cr_assert_str_eq(date("+024-02-29", "YYYY-MM-DD", &v), "not a date");
	cr_assert_eq(v, -1);
}

Test(field_date, year_range)
{
	int32_t v;
	cr_assert_null(date("1850-01-01", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 18500101);
	cr_assert_null(date("2200-12-31", "YYYY-MM-DD", &v));
	cr_assert_eq(v, 22001231);
	cr_assert_str_eq(date("1849-12-31", "YYYY-MM-DD", &v), "year out of range 1850-2200");
	cr_assert_str_eq(date("2201-01-01", "YYYY-MM-DD", &v), "year out of range 1850-2200");
	cr_assert_str_eq(date("0000-01-01", "YYYY-MM-DD", &v), "year out of range 1850-2200");
	cr_assert_str_eq(date("9999-12-31", "YYYY-MM-DD", &v), "year out of range 1850-2200");
}

Test(field_period, layouts_and_edges)
{
	int32_t v = -1;
	cr_assert_null(gbi_parse_period(S("2026-01"), "YYYY-MM", &v));
	cr_assert_eq(v, 202601);
	cr_assert_null(gbi_parse_period(S("12-2025"), "MM-YYYY", &v));
	cr_assert_eq(v, 202512);
	cr_assert_null(gbi_parse_period(S("202602"), "YYYYMM", &v));
	cr_assert_eq(v, 202602);
	v = -1;
	cr_assert_str_eq(gbi_parse_period(S("2026-13"), "YYYY-MM", &v), "no such month");
	cr_assert_str_eq(gbi_parse_period(S("2026-00"), "YYYY-MM", &v), "no such month");
	cr_assert_str_eq(gbi_parse_period(S("2026-1"), "YYYY-MM", &v), "not a period");
	cr_assert_str_eq(gbi_parse_period(S("2026/01"), "YYYY-MM", &v), "not a period");
	cr_assert_str_eq(gbi_parse_period(S("2026-01-01"), "YYYY-MM", &v), "not a period");
	cr_assert_str_eq(gbi_parse_period(S("01-2026"), "YYYY-MM", &v), "not a period");
	cr_assert_str_eq(gbi_parse_period(S("1849-12"), "YYYY-MM", &v), "year out of range 1850-2200");
	cr_assert_str_eq(gbi_parse_period(S("2201-01"), "YYYY-MM", &v), "year out of range 1850-2200");
	/* a date layout is not a period layout */
	cr_assert_str_eq(gbi_parse_period(S("2026-01-01"), "YYYY-MM-DD", &v), "not a period");
	cr_assert_eq(v, -1);
}

Test(field_date, days_in_month)
{
	cr_assert_eq(gbi_days_in_month(2024, 2), 29);
	cr_assert_eq(gbi_days_in_month(2023, 2), 28);
	cr_assert_eq(gbi_days_in_month(2100, 2), 28);
	cr_assert_eq(gbi_days_in_month(2000, 2), 29);
	cr_assert_eq(gbi_days_in_month(2026, 1), 31);
	cr_assert_eq(gbi_days_in_month(2026, 4), 30);
	cr_assert_eq(gbi_days_in_month(2026, 12), 31);
	cr_assert_eq(gbi_days_in_month(2026, 0), 0);
	cr_assert_eq(gbi_days_in_month(2026, 13), 0);
}

Test(field_date, format)
{
	char d[11], p[8];
	gbi_date_format(20240229, d);
	cr_assert_str_eq(d, "2024-02-29");
	gbi_date_format(18500101, d);
	cr_assert_str_eq(d, "1850-01-01");
	gbi_period_format(202601, p);
	cr_assert_str_eq(p, "2026-01");
	gbi_period_format(220012, p);
	cr_assert_str_eq(p, "2200-12");
	/* a round trip through the Dutch layout */
	int32_t v;
	cr_assert_null(date("05-03-1987", "DD-MM-YYYY", &v));
	gbi_date_format(v, d);
	cr_assert_str_eq(d, "1987-03-05");
}

/* ---- money -------------------------------------------------------------- */

static const char *money(const char *s, char dec, char th, int64_t *c)
{
	*c = INT64_C(-777);
	return gbi_parse_money(s, strlen(s), dec, th, c);
}

Test(field_money, plain)
{
	int64_t c;
	cr_assert_null(money("0", '.', 0, &c));
	cr_assert_eq(c, 0);
	cr_assert_null(money("0.00", '.', 0, &c));
	cr_assert_eq(c, 0);
	cr_assert_null(money("1234.5", '.', 0, &c));
	cr_assert_eq(c, 123450);
	cr_assert_null(money("1234.56", '.', 0, &c));
	cr_assert_eq(c, 123456);
	cr_assert_null(money("0.01", '.', 0, &c));
	cr_assert_eq(c, 1);
	cr_assert_null(money("-0.01", '.', 0, &c));
	cr_assert_eq(c, -1);
	cr_assert_null(money("-1234.56", '.', 0, &c));
	cr_assert_eq(c, -123456);
	cr_assert_null(money("007", '.', 0, &c));
	cr_assert_eq(c, 700);
	cr_assert_null(money("0.10", '.', 0, &c));
	cr_assert_eq(c, 10);
}

Test(field_money, decimals)
{
	int64_t c;
	cr_assert_str_eq(money("0.005", '.', 0, &c), "more than two decimals");
	cr_assert_eq(c, -777);
	cr_assert_str_eq(money("1.000", '.', 0, &c), "more than two decimals");
	cr_assert_str_eq(money("1.", '.', 0, &c), "no digits after the decimal mark");
	cr_assert_str_eq(money(".5", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("1.5e3", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("1.-5", '.', 0, &c), "not an amount");
}

Test(field_money, signs_and_empty)
{
	int64_t c;
	cr_assert_str_eq(money("", '.', 0, &c), "empty amount");
	cr_assert_str_eq(money("-", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("+1", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("--1", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money(" 1", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("1 ", '.', 0, &c), "not an amount");
	cr_assert_str_eq(money("EUR 1", '.', 0, &c), "not an amount");
	cr_assert_eq(c, -777);
}

Test(field_money, dutch_format)
{
	int64_t c;
	cr_assert_null(money("1.234,56", ',', '.', &c));
	cr_assert_eq(c, 123456);
	cr_assert_null(money("1234,56", ',', '.', &c));
	cr_assert_eq(c, 123456);
	cr_assert_null(money("12.345.678,9", ',', '.', &c));
	cr_assert_eq(c, 1234567890);
	cr_assert_null(money("-1.000", ',', '.', &c));
	cr_assert_eq(c, -100000);
	cr_assert_null(money("0,05", ',', '.', &c));
	cr_assert_eq(c, 5);
	cr_assert_str_eq(money("1.23.4,56", ',', '.', &c), "misplaced thousands separator");
	cr_assert_str_eq(money("1.2345,00", ',', '.', &c), "misplaced thousands separator");
	cr_assert_str_eq(money("1234.567,00", ',', '.', &c), "misplaced thousands separator");
	cr_assert_str_eq(money("1.234.", ',', '.', &c), "misplaced thousands separator");
	cr_assert_str_eq(money("1..234", ',', '.', &c), "misplaced thousands separator");
	cr_assert_str_eq(money("0,005", ',', '.', &c), "more than two decimals");
	cr_assert_str_eq(money("1,2,3", ',', '.', &c), "not an amount");
	cr_assert_eq(c, -777);
}

Test(field_money, wrong_decimal_mark)
{
	int64_t c;
	/* a comma in the '.'-decimal format without thousands separator */
	cr_assert_str_eq(money("1,234.56", '.', 0, &c), "wrong decimal mark");
	cr_assert_str_eq(money("12,50", '.', 0, &c), "wrong decimal mark");
	/* a dot in the ','-decimal format without thousands separator */
	cr_assert_str_eq(money("12.50", ',', 0, &c), "wrong decimal mark");
	cr_assert_eq(c, -777);
	/* with ',' as thousands in the '.' format it is fine */
	cr_assert_null(money("1,234.56", '.', ',', &c));
	cr_assert_eq(c, 123456);
}

Test(field_money, overflow)
{
	int64_t c;
	cr_assert_null(money("999999999999.99", '.', 0, &c));
	cr_assert_eq(c, GBI_MONEY_MAX);
	cr_assert_null(money("-999999999999.99", '.', 0, &c));
	cr_assert_eq(c, -GBI_MONEY_MAX);
	cr_assert_null(money("999.999.999.999,99", ',', '.', &c));
	cr_assert_eq(c, GBI_MONEY_MAX);
	/* just above the ceiling */
	cr_assert_str_eq(money("1000000000000", '.', 0, &c), "amount too large");
	cr_assert_str_eq(money("1000000000000.00", '.', 0, &c), "amount too large");
	cr_assert_str_eq(money("-1000000000000", '.', 0, &c), "amount too large");
	cr_assert_str_eq(money("1.000.000.000.000", ',', '.', &c), "amount too large");
	/* 19 and more digits: no int64 overflow on the way */
	cr_assert_str_eq(money("9223372036854775807", '.', 0, &c), "amount too large");
	cr_assert_str_eq(money("99999999999999999999999999", '.', 0, &c), "amount too large");
	cr_assert_eq(c, -777);
	/* leading zeros do not count against the ceiling */
	cr_assert_null(money("0000000000000001.00", '.', 0, &c));
	cr_assert_eq(c, 100);
	cr_assert_null(money("000999999999999.99", '.', 0, &c));
	cr_assert_eq(c, GBI_MONEY_MAX);
	cr_assert_null(money("-00000000000000000000", '.', 0, &c));
	cr_assert_eq(c, 0);
	cr_assert_str_eq(money("0001000000000000", '.', 0, &c), "amount too large");
}

Test(field_money, format)
{
	char b[32];
	cr_assert_eq(gbi_money_format(0, b, sizeof b), 4);
	cr_assert_str_eq(b, "0.00");
	cr_assert_eq(gbi_money_format(5, b, sizeof b), 4);
	cr_assert_str_eq(b, "0.05");
	cr_assert_eq(gbi_money_format(-5, b, sizeof b), 5);
	cr_assert_str_eq(b, "-0.05");
	gbi_money_format(-1, b, sizeof b);
	cr_assert_str_eq(b, "-0.01");
	gbi_money_format(123456, b, sizeof b);
	cr_assert_str_eq(b, "1234.56");
	gbi_money_format(-123450, b, sizeof b);
	cr_assert_str_eq(b, "-1234.50");
	gbi_money_format(GBI_MONEY_MAX, b, sizeof b);
	cr_assert_str_eq(b, "999999999999.99");
	gbi_money_format(INT64_MIN, b, sizeof b);
	cr_assert_str_eq(b, "-92233720368547758.08");
	/* round trip */
	int64_t c;
	cr_assert_null(money("-1234.07", '.', 0, &c));
	gbi_money_format(c, b, sizeof b);
	cr_assert_str_eq(b, "-1234.07");
	/* a small buffer truncates but reports the full length */
	char small[4];
	cr_assert_eq(gbi_money_format(123456, small, sizeof small), 7);
	cr_assert_str_eq(small, "123");
}

/* ---- whole numbers ------------------------------------------------------ */

Test(field_int, ranges)
{
	int64_t v = -7;
	cr_assert_null(gbi_parse_int(S("0"), 0, 100, &v));
	cr_assert_eq(v, 0);
	cr_assert_null(gbi_parse_int(S("100"), 0, 100, &v));
	cr_assert_eq(v, 100);
	cr_assert_null(gbi_parse_int(S("-5"), -10, 10, &v));
	cr_assert_eq(v, -5);
	cr_assert_null(gbi_parse_int(S("999999999"), 0, INT64_C(999999999), &v));
	cr_assert_eq(v, 999999999);
	v = -7;
	cr_assert_str_eq(gbi_parse_int(S("101"), 0, 100, &v), "out of range");
	cr_assert_str_eq(gbi_parse_int(S("-1"), 0, 100, &v), "out of range");
	cr_assert_str_eq(gbi_parse_int(S("0"), 1, 20, &v), "out of range");
	cr_assert_str_eq(gbi_parse_int(S("1000000000"), 0, INT64_MAX, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S(""), 0, 100, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S("-"), 0, 100, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S("+1"), 0, 100, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S("1.0"), 0, 100, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S("1 "), 0, 100, &v), "not a whole number");
	cr_assert_str_eq(gbi_parse_int(S("0x10"), 0, 100, &v), "not a whole number");
	cr_assert_eq(v, -7);
}

/* ---- codes -------------------------------------------------------------- */

Test(field_codes, municipality)
{
	cr_assert_null(gbi_parse_municipality(S("0392")));
	cr_assert_null(gbi_parse_municipality(S("0363")));
	cr_assert_str_eq(gbi_parse_municipality(S("392")), "not a 4-digit CBS code");
	cr_assert_str_eq(gbi_parse_municipality(S("03920")), "not a 4-digit CBS code");
	cr_assert_str_eq(gbi_parse_municipality(S("GM0392")), "not a 4-digit CBS code");
	cr_assert_str_eq(gbi_parse_municipality(S("03a2")), "not a 4-digit CBS code");
	cr_assert_str_eq(gbi_parse_municipality(S("")), "not a 4-digit CBS code");
}

Test(field_codes, case_id)
{
	char id[40];
	memset(id, 'a', sizeof id);
	cr_assert_null(gbi_parse_case_id(S("1")));
	cr_assert_null(gbi_parse_case_id(id, 32));
	cr_assert_str_eq(gbi_parse_case_id(id, 33), "not 1-32 characters");
	cr_assert_str_eq(gbi_parse_case_id(S("")), "not 1-32 characters");
	cr_assert_null(gbi_parse_case_id(S("HLM-2024.001_a")));
	cr_assert_null(gbi_parse_case_id(S("...")));
	cr_assert_null(gbi_parse_case_id(S("Zz09")));
	cr_assert_str_eq(gbi_parse_case_id(S("HLM 1")), "characters other than A-Z a-z 0-9 . _ -");
	cr_assert_str_eq(gbi_parse_case_id(S("HLM/1")), "characters other than A-Z a-z 0-9 . _ -");
	cr_assert_str_eq(gbi_parse_case_id(S("a,b")), "characters other than A-Z a-z 0-9 . _ -");
	cr_assert_str_eq(gbi_parse_case_id(S("dossi\xc3\xa9r")), "characters other than A-Z a-z 0-9 . _ -");
	cr_assert_str_eq(gbi_parse_case_id(S("x'")), "characters other than A-Z a-z 0-9 . _ -");
}

Test(field_codes, postcode)
{
	cr_assert_null(gbi_parse_postcode(S("2011AB")));
	cr_assert_null(gbi_parse_postcode(S("9999ZZ")));
	cr_assert_null(gbi_parse_postcode(S("1000AA")));
	cr_assert_str_eq(gbi_parse_postcode(S("0123AB")), "not a postcode like 1234AB");
	cr_assert_str_eq(gbi_parse_postcode(S("2011 AB")), "not a postcode like 1234AB");
	cr_assert_str_eq(gbi_parse_postcode(S("2011ab")), "not a postcode like 1234AB");
	cr_assert_str_eq(gbi_parse_postcode(S("2011A")), "not a postcode like 1234AB");
	cr_assert_str_eq(gbi_parse_postcode(S("201AAB")), "not a postcode like 1234AB");
	cr_assert_str_eq(gbi_parse_postcode(S("")), "not a postcode like 1234AB");
}

/* ---- text and UTF-8 ----------------------------------------------------- */

Test(field_text, utf8_valid)
{
	size_t n = 99;
	cr_assert_null(gbi_check_utf8(S(""), &n));
	cr_assert_eq(n, 0);
	cr_assert_null(gbi_check_utf8(S("Jan"), &n));
	cr_assert_eq(n, 3);
	cr_assert_null(gbi_check_utf8(S("Ren\xc3\xa9" "e"), &n));       /* é */
	cr_assert_eq(n, 5);
	cr_assert_null(gbi_check_utf8(S("\xe2\x82\xac"), &n));       /* € */
	cr_assert_eq(n, 1);
	cr_assert_null(gbi_check_utf8(S("\xf0\x9f\x98\x80"), &n));   /* U+1F600 */
	cr_assert_eq(n, 1);
	cr_assert_null(gbi_check_utf8(S("\xf4\x8f\xbf\xbf"), &n));   /* U+10FFFF */
	cr_assert_null(gbi_check_utf8(S("\xed\x9f\xbf"), &n));       /* U+D7FF */
	cr_assert_null(gbi_check_utf8(S("\xee\x80\x80"), &n));       /* U+E000 */
	cr_assert_null(gbi_check_utf8(S("\xc2\x80"), NULL));         /* U+0080 */
	cr_assert_null(gbi_check_utf8(S("\xe0\xa0\x80"), NULL));     /* U+0800 */
	cr_assert_null(gbi_check_utf8(S("\xf0\x90\x80\x80"), NULL)); /* U+10000 */
}

Test(field_text, utf8_invalid)
{
	static const char *bad[] = {
		"\xe9",                 /* a Windows-1252 e-acute */
		"\x80",                 /* lone continuation */
		"\xc3",                 /* truncated */
		"\xe2\x82",             /* truncated */
		"\xc3\x28",             /* bad continuation */
		"\xc0\xaf",             /* overlong '/' */
		"\xc1\xbf",             /* overlong */
		"\xe0\x80\xaf",         /* overlong 3 bytes */
		"\xe0\x9f\xbf",         /* overlong U+07FF */
		"\xf0\x80\x80\xaf",     /* overlong 4 bytes */
		"\xf0\x8f\xbf\xbf",     /* overlong U+FFFF */
		"\xed\xa0\x80",         /* surrogate U+D800 */
		"\xed\xbf\xbf",         /* surrogate U+DFFF */
		"\xf4\x90\x80\x80",     /* U+110000 */
		"\xf5\x80\x80\x80",
		"\xfe", "\xff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_str_eq(gbi_check_utf8(bad[i], strlen(bad[i]), NULL), "invalid UTF-8", "case %zu", i);
	cr_assert_str_eq(gbi_parse_text(S("ok \xed\xa0\x80"), 0), "invalid UTF-8");
}

Test(field_text, control_characters)
{
	cr_assert_null(gbi_parse_text(S("a\tb"), 10));
	cr_assert_str_eq(gbi_parse_text(S("a\nb"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("a\rb"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("a\x01"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("a\x1f"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("a\x7f"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text("a\0b", 3, 10), "control character");
	/* C1 controls (U+0080..U+009F) are control characters too */
	cr_assert_str_eq(gbi_parse_text(S("a\xc2\x85"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("\xc2\x80"), 10), "control character");
	cr_assert_str_eq(gbi_parse_text(S("\xc2\x9f"), 10), "control character");
	cr_assert_null(gbi_parse_text(S("\xc2\xa0"), 10));   /* no-break space */
	cr_assert_null(gbi_parse_text(S("\xc3\x85"), 10));   /* A-ring */
}

Test(field_text, length_in_code_points)
{
	/* "Müller" is 6 code points and 7 bytes */
	cr_assert_null(gbi_parse_text(S("M\xc3\xbcller"), 6));
	cr_assert_str_eq(gbi_parse_text(S("M\xc3\xbcller"), 5), "too long");
	/* four euro signs: 12 bytes, 4 code points */
	cr_assert_null(gbi_parse_text(S("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"), 4));
	cr_assert_str_eq(gbi_parse_text(S("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"), 3), "too long");
	cr_assert_null(gbi_parse_text(S("abcdefghij"), 10));
	cr_assert_str_eq(gbi_parse_text(S("abcdefghijk"), 10), "too long");
	cr_assert_null(gbi_parse_text(S(""), 10));
	/* 0: no limit */
	cr_assert_null(gbi_parse_text(S("abcdefghijk"), 0));
}
