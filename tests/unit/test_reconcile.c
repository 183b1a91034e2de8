/*
 * test_reconcile.c: gbi_reconcile against legacy on a store built in SQL:
 * every kind, the tolerance boundary, an explanation net of the holiday
 * reserve, and gbi_reconcile_write_csv for gbi export.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reconcile.h"
#include "banned.h"

static char dir[64];
static struct gbi_store *st;

static void sql(const char *q)
{
	struct gbi_err e;
	gbi_err_clear(&e);
	cr_assert_eq(gbi_store_exec(st, q, &e), GBI_OK, "%s", e.msg);
}

static void setup(void)
{
	struct gbi_err e;
	char path[96];
	snprintf(dir, sizeof dir, "/tmp/gbi-rec-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.db", dir);
	cr_assert_eq(gbi_store_open(&st, path, 1000, &e), GBI_OK, "%s", e.msg);
	sql("INSERT INTO run(id, command, argv, started, user) VALUES(1, 'test', '', 'x', 't');"
	    "INSERT INTO batch(id, run_id, created, format, municipalities, tables, digest, rows_read, rows_imported, rows_rejected)"
	    "  VALUES(1, 1, 'x', 'gbi-v1', '0392', 'payments', 'd', 0, 0, 0);"
	    "INSERT INTO calc_run VALUES(1, 1, '2026-05', 'x', '', '', '', 1, '', NULL);"
	    /* K1 equal; K2 income 250.00 counted (bijstand 1151.50, reserve 57.58); K3 only gbi; K4 not entitled */
	    "INSERT INTO calc_result VALUES"
	    " (1,'0392','K1','2026-05','single',1,31,140150,0,0,0,140150,7008,133142,'payable','',NULL,NULL,'{}'),"
	    " (1,'0392','K2','2026-05','single',1,31,140150,0,0,25000,115150,5758,109392,'payable','',NULL,NULL,'{}'),"
	    " (1,'0392','K3','2026-05','single',1,31,140150,0,0,0,140150,7008,133142,'payable','',NULL,NULL,'{}'),"
	    " (1,'0392','K4','2026-05','single',1,0,0,0,0,0,0,0,0,'not_entitled','AOW_AGE',NULL,NULL,'{}');"
	    "INSERT INTO payments VALUES(1,2,'0392',1,'K1','2026-05',133142),(1,3,'0392',1,'K2','2026-05',133142),"
	    " (1,4,'0392',1,'K4','2026-05',133141);");
}

static void teardown(void)
{
	char path[96];
	gbi_store_close(st);
	snprintf(path, sizeof path, "%s/s.db", dir);
	unlink(path);
	rmdir(dir);
}

static struct gbi_reconcile_summary run(int64_t tolerance)
{
	struct gbi_reconcile_opts o;
	struct gbi_reconcile_summary sum;
	struct gbi_err e;
	memset(&o, 0, sizeof o);
	o.from = o.to = 202605;
	o.tolerance = tolerance;
	o.run_id = 1;
	gbi_err_clear(&e);
	cr_assert_eq(gbi_reconcile(st, &o, NULL, NULL, &sum, &e), GBI_OK, "%s", e.msg);
	return sum;
}

Test(reconcile_legacy, kinds_counts_and_csv, .init = setup, .fini = teardown)
{
	struct gbi_reconcile_summary sum = run(0);
	cr_assert_eq(sum.compared, 4);
	cr_assert_eq(sum.equal, 1);
	cr_assert_eq(sum.different, 3);
	cr_assert_eq(sum.over, 3);
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct gbi_err e;
	gbi_err_clear(&e);
	cr_assert_eq(gbi_reconcile_write_csv(st, sum.id, fp, &e), GBI_OK, "%s", e.msg);
	fclose(fp);
	cr_assert_str_eq(buf,
		"municipality,case_id,period,gbi,legacy,difference,kind,explanation\n"
		"0392,K2,2026-05,1093.92,1331.42,-237.50,amount,\"difference equals the income gbi counted, 250.00 (less its "
		"holiday reserve); gbi: single, norm 1401.50, income 250.00, sanction 0.00\"\n"
		"0392,K3,2026-05,1331.42,,1331.42,only_gbi,\"legacy paid nothing for this case and period; gbi: single, norm "
		"1401.50, income 0.00, sanction 0.00\"\n"
		"0392,K4,2026-05,0.00,1331.41,-1331.41,only_legacy,\"gbi finds the case not_entitled (AOW_AGE); gbi: single, "
		"norm 0.00, income 0.00, sanction 0.00\"\n");
	free(buf);
}

Test(reconcile_legacy, tolerance_is_inclusive, .init = setup, .fini = teardown)
{
	cr_assert_eq(run(133141).over, 1);  /* only K3's 1331.42 is over 1331.41 */
	cr_assert_eq(run(133142).over, 0);  /* exactly at the tolerance is not over */
}

Test(reconcile_legacy, no_such_run, .init = setup, .fini = teardown)
{
	struct gbi_err e;
	gbi_err_clear(&e);
	cr_assert_eq(gbi_reconcile_write_csv(st, 99, stdout, &e), GBI_EINPUT);
	cr_assert_str_eq(e.msg, "reconcile run 99 does not exist");
}
