/*
 * test_sepa.c: the SEPA helpers of libgbi/sepa.h (character set,
 * transliteration, EndToEndId, BIC), the whole-euro rounding and the
 * output of libgbi/export.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "sepa.h"
#include "banned.h"

static const char *tr(const char *in, size_t max)
{
	static char out[256];
	gbi_sepa_translit(in, out, max);
	return out;
}

Test(sepa_translit, diacritics_lose_their_marks)
{
	cr_assert_str_eq(tr("M. Çelik", 70), "M. Celik");
	cr_assert_str_eq(tr("C. Lefèvre", 70), "C. Lefevre");
	cr_assert_str_eq(tr("Ångström Øre Ærø", 70), "Angstrom Ore AEro");
	cr_assert_str_eq(tr("Dvořák Łódź Şahin İlhan", 70), "Dvorak Lodz Sahin Ilhan");
	cr_assert_str_eq(tr("Straße", 70), "Strasse");
	cr_assert_str_eq(tr("Œuvre ĳs", 70), "OEuvre ijs");
	/* Latin Extended-B and Additional: Vietnamese, digraphs */
	cr_assert_str_eq(tr("Nguyễn Văn Thành", 70), "Nguyen Van Thanh");
	cr_assert_str_eq(tr("Đặng Thị Ánh", 70), "Dang Thi Anh");
	cr_assert_str_eq(tr("Ǆoković", 70), "DZokovic");
}

Test(sepa_translit, characters_outside_the_set)
{
	cr_assert_str_eq(tr("Jansen & Zn_ \"BV\"", 70), "Jansen + Zn- 'BV'");
	cr_assert_str_eq(tr("’t Hof “x”", 70), "'t Hof 'x'");
	cr_assert_str_eq(tr("a@b#c;d", 70), "a.b.c.d");
	cr_assert_str_eq(tr("Euro €5", 70), "Euro EUR5");
	cr_assert_str_eq(tr("日本", 70), "..");
	/* decomposed e + combining acute */
	cr_assert_str_eq(tr("Le\xcc\x81on", 70), "Leon");
	/* invalid UTF-8 byte */
	cr_assert_str_eq(tr("a\xff" "b", 70), "a.b");
}

Test(sepa_translit, spaces_collapse_and_trim)
{
	cr_assert_str_eq(tr("  P.   Bakker \t ", 70), "P. Bakker");
	cr_assert_str_eq(tr("", 70), "");
	cr_assert_str_eq(tr("   ", 70), "");
}

Test(sepa_translit, cut_to_maxchars)
{
	char long_name[200];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	cr_assert_eq(strlen(tr(long_name, 70)), 70);
	/* a two-letter replacement at the edge does not overflow */
	cr_assert_str_eq(tr("abcß", 4), "abcs");
	/* no trailing space after the cut */
	cr_assert_str_eq(tr("abc def", 4), "abc");
	/* a space at the edge then a letter: still within the limit */
	char out[6];
	memset(out, 'X', sizeof out);
	gbi_sepa_translit("abcd efgh", out, 5);
	cr_assert_str_eq(out, "abcd");
}

Test(sepa_charset, the_latin_set)
{
	cr_assert(gbi_sepa_charset_ok("azAZ09/-?:().,'+ "));
	cr_assert_not(gbi_sepa_charset_ok("a&b"));
	cr_assert_not(gbi_sepa_charset_ok("a_b"));
	cr_assert_not(gbi_sepa_charset_ok("\xc3\xa9"));
	for (int c = 1; c < 256; c++) {
		char s[2] = {(char)c, 0}, out[8];
		gbi_sepa_translit(s, out, 4);
		cr_assert(gbi_sepa_charset_ok(out), "byte %d -> '%s'", c, out);
	}
}

Test(sepa_e2e, plain_and_hashed)
{
	char id[GBI_SEPA_ID_MAX + 1], id2[GBI_SEPA_ID_MAX + 1];
	gbi_sepa_e2e_id("0392", "2026-05", "H001", id);
	cr_assert_str_eq(id, "0392-202605-H001");
	gbi_sepa_e2e_id("0392", "2026-05", "ABCDEFGHIJKLMNOPQRSTUVW", id); /* 23: still plain */
	cr_assert_str_eq(id, "0392-202605-ABCDEFGHIJKLMNOPQRSTUVW");
	cr_assert_eq(strlen(id), 35);
	gbi_sepa_e2e_id("0392", "2026-05", "ABCDEFGHIJKLMNOPQRSTUVWX", id); /* 24: hashed */
	cr_assert_eq(strlen(id), 35);
	cr_assert_eq(strncmp(id, "0392202605H", 11), 0, "%s", id);
	cr_assert(gbi_sepa_charset_ok(id));
	cr_assert_null(strchr(id, '/'));
	gbi_sepa_e2e_id("0392", "2026-05", "case_1", id);  /* '_' is outside the set */
	gbi_sepa_e2e_id("0392", "2026-05", "case-1", id2);
	cr_assert_str_eq(id2, "0392-202605-case-1");
	cr_assert_str_neq(id, id2);
	cr_assert(gbi_sepa_charset_ok(id));
	/* another period or municipality gives another id */
	gbi_sepa_e2e_id("0392", "2026-06", "case_1", id2);
	cr_assert_str_neq(id, id2);
	gbi_sepa_e2e_id("0363", "2026-05", "case_1", id2);
	cr_assert_str_neq(id, id2);
}

Test(sepa_bic, shapes)
{
	cr_assert_null(gbi_sepa_check_bic("BNGHNL2G"));
	cr_assert_null(gbi_sepa_check_bic("INGBNL2AXXX"));
	cr_assert_not_null(gbi_sepa_check_bic("BNGHNL2"));
	cr_assert_not_null(gbi_sepa_check_bic("bnghnl2g"));
	cr_assert_not_null(gbi_sepa_check_bic("BNG1NL2G"));
	cr_assert_not_null(gbi_sepa_check_bic("BNGHNL2GX"));
}

Test(export_round, whole_euros_half_away_from_zero)
{
	cr_assert_eq(gbi_round_euro_half_away(150), 2);
	cr_assert_eq(gbi_round_euro_half_away(149), 1);
	cr_assert_eq(gbi_round_euro_half_away(50), 1);
	cr_assert_eq(gbi_round_euro_half_away(49), 0);
	cr_assert_eq(gbi_round_euro_half_away(0), 0);
	cr_assert_eq(gbi_round_euro_half_away(-50), -1);
	cr_assert_eq(gbi_round_euro_half_away(-149), -1);
	cr_assert_eq(gbi_round_euro_half_away(-150), -2);
	cr_assert_eq(gbi_round_euro_half_away(123456), 1235);
}

Test(export_out, csv_quoting_and_sha256)
{
	char path[] = "/tmp/gbi-test-out-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	struct gbi_out *o = malloc(sizeof *o);
	struct gbi_err err;
	gbi_out_fd(o, fd);
	gbi_out_csv(o, "a", 1);
	gbi_out_csv(o, "b,c", 0);
	gbi_out_csv(o, "say \"hi\"", 0);
	gbi_out_csv(o, NULL, 0);
	gbi_out_puts(o, "\n");
	char hex[65];
	cr_assert_eq(gbi_out_commit(o, hex, &err), GBI_OK);
	cr_assert_eq(o->bytes, 22);
	/* sha256 of 'a,"b,c","say ""hi""",\n' */
	cr_assert_str_eq(hex, "d5589291666e2e19bc86b847c48dbc698720d681d86a146168dcb74fdb880a54");
	char buf[64] = {0};
	cr_assert_eq(pread(fd, buf, sizeof buf - 1, 0), 22);
	cr_assert_str_eq(buf, "a,\"b,c\",\"say \"\"hi\"\"\",\n");
	close(fd);
	unlink(path);
	free(o);
}

Test(export_out, temporary_file_renamed_or_removed)
{
	char dir[] = "/tmp/gbi-test-dir-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/out.xml", dir);
	struct gbi_out *o = malloc(sizeof *o);
	struct gbi_err err;
	cr_assert_eq(gbi_out_open(o, path, &err), GBI_OK);
	gbi_out_puts(o, "x");
	cr_assert_neq(access(path, F_OK), 0, "not in place before commit");
	gbi_out_abort(o);
	cr_assert_neq(access(path, F_OK), 0, "nothing left after abort");
	cr_assert_eq(gbi_out_open(o, path, &err), GBI_OK);
	gbi_out_puts(o, "x");
	cr_assert_eq(gbi_out_commit(o, NULL, &err), GBI_OK);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(sb.st_size, 1);
	unlink(path);
	rmdir(dir);
	free(o);
}
