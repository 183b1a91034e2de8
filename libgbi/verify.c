/*
 * verify.c: the rule catalogue of gbi verify and the run that applies it
 * (verify.h).
 *
 * A run works on two connections at once, one per core (see lanes below):
 * each builds a few temporary tables over the live rows once, then runs
 * each rule's SQL, which inserts into temp.vf.  At the end the two lanes'
 * temp.vf, each read sorted by municipality, case and rule and without the
 * review and info rules the municipality's policy switched off, are merged
 * into `finding` and passed to the caller one by one (store_findings).
 *
 *   temp.vc     the lane's cases of the period in scope (--municipality,
 *               --case): every application and every case running on a day
 *               of it
 *   temp.vm     the members of those cases on a day of the period, with
 *               the person's date of birth and persons row
 *   temp.vpol   per municipality: policy thresholds on the period's first day
 *   temp.vinc   (rules on income) the period's incomes of those members
 *   temp.vitem  (rules on means) the items of a case's assets: declared
 *               (latest statement per kind), RDW vehicles, Kadaster property
 *   temp.vf     the findings, keyed by municipality, case, rule, BSN and
 *               message: a duplicate is ignored, so the first row found
 *               proves a finding, and the key gives the order of the output
 *
 * The rules across cases (a member in two cases, singles at one address, a
 * shared IBAN) take their own cases from the working tables and the other
 * cases from the store, with the indexes designed for them (members_bsn,
 * addresses_dwelling, cases_iban).
 *
 * Speed (gbi-gen -n 420000: 11-16 s of CPU in all; most of it per-row work
 * inside SQLite): the working tables are keyed by (case_id, muni), the
 * order cases and members are stored in, so they are built from nearly
 * sorted rows and the rules walk them in order; a rule that needs a few
 * cases (two applicants, cost-sharers, applications) finds those first.
 * Check a changed statement with EXPLAIN QUERY PLAN for SCANs of temp.vm
 * and temp B-trees, and compare the output of the national run before and
 * after: the order of scans decides which row proves a duplicate finding.
 *
 * Named parameters of the statements: :period 'YYYY-MM', :ps and :pe its
 * first and last day, :lo and :hi the lane's case ids (>= :lo, < :hi), :ys
 * the first day of its year, :aow_cut the latest date of birth that has
 * reached AOW age by :pe, :lim_single, :lim_family, :lim_home (asset limits,
 * cents), :norm_single, :norm_couple (cents).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify.h"
#include "audit.h"
#include "field.h"
#include "params.h"
#include "policy.h"
#include "banned.h"

#define NEED_ITEMS 0x100u /* internal: the rule reads temp.vitem_case */
#define NEED_VINC 0x1000u /* internal: the rule reads temp.vinc */
/* The row proving a sum over a case's items: the largest item of the sorts
 * KINDS (value, then table, batch and line decide ties), looked up only for
 * the cases with a finding; ALIAS.src_table etc. are NULL when there is none. */
#define TOP(alias, g, kinds) "LEFT JOIN vitem " alias " ON " alias ".rowid=(SELECT rowid FROM vitem i WHERE i.muni=" g ".muni "\
	"AND i.case_id=" g ".case_id AND " kinds " ORDER BY value DESC, src_table DESC, src_batch DESC, src_line DESC LIMIT 1) "

#define AP "m.role IN ('applicant','partner')"
/* The same for a rule that reads every member of vm: the + keeps SQLite from
 * reading them through the partial index vm_bsn (a seek per member). */
#define AP_SCAN "+m.role IN ('applicant','partner')"
/* An address registration of alias t on a day of the period. */
#define ADDR_IN_PERIOD(t) t ".from_date <= :pe AND (" t ".to_date IS NULL OR " t ".to_date >= :ps)"
/* Case alias t is one of the period's: an application, or running on a day of it. */
#define CASE_IN_PERIOD(t) "(" t ".status='application' OR (" t ".start_date <= :pe AND (" t ".end_date IS NULL OR " t ".end_date >= :ps) "\
	"AND (" t ".status<>'ended' OR " t ".end_date IS NOT NULL)))"
/* Case alias t is in the run's scope: the --municipality and --case filters. */
#define SCOPE(t) "(NOT EXISTS (SELECT 1 FROM vsm) OR " t ".muni IN (SELECT muni FROM vsm)) "\
	"AND (NOT EXISTS (SELECT 1 FROM vscase) OR " t ".case_id IN (SELECT case_id FROM vscase))"
/* Case alias t (read from the store) is a row temp.vc would hold: a
 * municipality, and of two live rows of one case (which import does not
 * let happen) the first. */
#define CASE_ROW(t) t ".muni IS NOT NULL AND " t ".rowid=(SELECT x.rowid FROM cases x WHERE x.live=1 AND x.case_id=" t ".case_id "\
	"AND x.muni=" t ".muni ORDER BY x.rowid LIMIT 1)"
/* Case alias t is one of this lane's. */
#define LANE(t) t ".case_id >= :lo AND " t ".case_id < :hi"
#define IN_PERIOD(t) "(" t ".from_date IS NULL OR " t ".from_date <= :pe) AND (" t ".to_date IS NULL OR " t ".to_date >= :ps)"
/* The fact in table alias t overlaps the days member m is in the case: an
 * ex-partner's detention after leaving does not hold the case. */
#define MEMBER_DAYS(t) "(" t ".from_date IS NULL OR " t ".from_date <= ifnull(m.td,'9999-12-31')) AND (" t ".to_date IS NULL OR " t ".to_date >= ifnull(m.fd,'0000-01-01'))"

static const struct gbi_rule rules[] = {
	/* identity and household */
	{"BSN_INVALID", "block", "Wabb art. 1, 10; PW art. 17 lid 1",
	 "a member's BSN fails the 11-test",
	 "cases,members", 0,
	 "INSERT INTO vf SELECT 'BSN_INVALID', muni, case_id, bsn, printf('%s: BSN fails the 11-test', role), "
	 "'members', batch_id, line FROM vm WHERE NOT gbi_bsn_ok(bsn)"},
	{"BSN_UNKNOWN", "block", "Wabb art. 10; PW art. 17 lid 1",
	 "a member's BSN has no person in the BRP extract (identity and age cannot be established)",
	 "cases,members,persons", 0,
	 "INSERT INTO vf SELECT 'BSN_UNKNOWN', muni, case_id, bsn, printf('%s: BSN not in the BRP extract (persons)', role), "
	 "'members', batch_id, line FROM vm WHERE pb IS NULL"},
	{"NO_APPLICANT", "block", "PW art. 4 lid 1 a, art. 43 lid 1",
	 "the case has no applicant on any day of the period",
	 "cases,members", 0,
	 "INSERT INTO vf SELECT 'NO_APPLICANT', c.muni, c.case_id, NULL, 'no applicant in the period', 'cases', c.batch_id, c.line "
	 "FROM vc c WHERE NOT EXISTS (SELECT 1 FROM vm WHERE vm.muni=c.muni AND vm.case_id=c.case_id AND vm.role='applicant')"},
	{"TWO_APPLICANTS", "block", "PW art. 4 lid 1 a, art. 3",
	 "the case has two applicants at the same time in the period",
	 "cases,members", 0,
	 "INSERT INTO vf SELECT 'TWO_APPLICANTS', a.muni, a.case_id, b.bsn, printf('%s and %s are both applicants from %s', a.bsn, b.bsn, max(ifnull(a.fd,''), ifnull(b.fd,''))), "
	 "'members', b.batch_id, b.line FROM (SELECT case_id, muni FROM vm WHERE role='applicant' GROUP BY case_id, muni HAVING count(*) > 1) d "
	 "CROSS JOIN vm a ON a.case_id=d.case_id AND a.muni=d.muni AND a.role='applicant' CROSS JOIN vm b ON b.muni=a.muni AND b.case_id=a.case_id AND b.role=a.role AND b.bsn > a.bsn "
	 "AND ifnull(b.fd,'0000') <= ifnull(a.td,'9999') AND ifnull(a.fd,'0000') <= ifnull(b.td,'9999') WHERE a.role='applicant'"},
	{"TWO_PARTNERS", "block", "PW art. 3 lid 1-3",
	 "the case has two partners at the same time in the period (a household has one couple)",
	 "cases,members", 0,
	 "INSERT INTO vf SELECT 'TWO_PARTNERS', a.muni, a.case_id, b.bsn, printf('%s and %s are both partners from %s', a.bsn, b.bsn, max(ifnull(a.fd,''), ifnull(b.fd,''))), "
	 "'members', b.batch_id, b.line FROM (SELECT case_id, muni FROM vm WHERE role='partner' GROUP BY case_id, muni HAVING count(*) > 1) d "
	 "CROSS JOIN vm a ON a.case_id=d.case_id AND a.muni=d.muni AND a.role='partner' CROSS JOIN vm b ON b.muni=a.muni AND b.case_id=a.case_id AND b.role=a.role AND b.bsn > a.bsn "
	 "AND ifnull(b.fd,'0000') <= ifnull(a.td,'9999') AND ifnull(a.fd,'0000') <= ifnull(b.td,'9999') WHERE a.role='partner'"},
	{"MEMBER_IN_TWO_CASES", "block", "PW art. 40 lid 1, art. 4 lid 1 a",
	 "a member is in another case of this or another municipality in the same period (double payment)",
	 "cases,members", 0,
	 /* vmx: the members of the period (as in vm, but of every case) whose
	    BSN has more than one live members row, in vm's order; in_scope
	    marks this lane's */
	 "DROP TABLE IF EXISTS temp.vmx;"
	 "CREATE TEMP TABLE vmx AS SELECT m.muni, m.case_id, m.bsn, m.role, m.batch_id, m.line, " SCOPE("c") " AND " LANE("c") " AS in_scope, "
	 "m.from_date AS fd, m.to_date AS td FROM (SELECT bsn FROM members WHERE live=1 GROUP BY bsn HAVING count(*) > 1) d "
	 "CROSS JOIN members m ON m.live=1 AND m.bsn=d.bsn CROSS JOIN cases c ON c.live=1 AND c.case_id=m.case_id AND c.muni=m.muni "
	 "WHERE " CASE_IN_PERIOD("c") " AND " CASE_ROW("c") " AND (c.status='application' OR (" IN_PERIOD("m") ")) "
	 "ORDER BY m.case_id, m.muni, m.role, m.rowid;"
	 "CREATE INDEX temp.vmx_bsn ON vmx(bsn, case_id, muni);"
	 "INSERT INTO vf SELECT 'MEMBER_IN_TWO_CASES', a.muni, a.case_id, a.bsn, "
	 "printf('%s here and %s in case %s of municipality %s', a.role, b.role, b.case_id, b.muni), 'members', a.batch_id, a.line "
	 "FROM (SELECT bsn FROM vmx WHERE bsn IN (SELECT bsn FROM vmx GROUP BY bsn HAVING count(*) > 1) "
	 "GROUP BY bsn HAVING min(muni)<>max(muni) OR min(case_id)<>max(case_id)) d "
	 "JOIN vmx a ON a.bsn=d.bsn JOIN vmx b ON b.bsn=d.bsn AND (b.muni<>a.muni OR b.case_id<>a.case_id) "
	 "AND ifnull(b.fd,'0000') <= ifnull(a.td,'9999') AND ifnull(a.fd,'0000') <= ifnull(b.td,'9999') WHERE a.in_scope"},
	{"SAME_ADDRESS_SINGLES", "review", "PW art. 3 lid 3, 4",
	 "the applicants of two cases without a partner are registered at one address in the period (possibly one household)",
	 "cases,members,addresses", 0,
	 /* a: this lane's applicants without a partner, at their addresses in
	    the period; h, m2, c2: the other registrations there of the
	    applicant of a case of the period without a partner */
	 "INSERT INTO vf SELECT 'SAME_ADDRESS_SINGLES', muni, case_id, bsn, printf('registered at %s %d%s with the applicant, without a partner, "
	 "of %s', postcode, house_number, ifnull(' '||house_suffix,''), group_concat(other, ', ')), 'addresses', "
	 "batch_id, line FROM (SELECT m.muni, m.case_id, m.bsn, a.postcode, a.house_number, a.house_suffix, a.batch_id, a.line, "
	 "'case '||m2.case_id||' ('||m2.muni||')' AS other "
	 "FROM vm m CROSS JOIN addresses a ON a.live=1 AND a.bsn=m.bsn "
	 "CROSS JOIN addresses h ON h.live=1 AND h.postcode=a.postcode AND h.house_number=a.house_number AND h.house_suffix IS a.house_suffix "
	 "CROSS JOIN members m2 ON m2.live=1 AND m2.bsn=h.bsn AND m2.role='applicant' "
	 /* (without INDEXED BY, SQLite builds an automatic index of every case) */
	 "CROSS JOIN cases c2 INDEXED BY cases_key ON c2.live=1 AND c2.case_id=m2.case_id AND c2.muni=m2.muni "
	 "WHERE m.role='applicant' AND " ADDR_IN_PERIOD("a") " "
	 "AND NOT EXISTS (SELECT 1 FROM vm p WHERE p.case_id=m.case_id AND p.muni=m.muni AND p.role='partner') "
	 "AND " ADDR_IN_PERIOD("h") " AND h.from_date <= ifnull(a.to_date,'9999-12-31') AND a.from_date <= ifnull(h.to_date,'9999-12-31') "
	 "AND (m2.muni<>m.muni OR m2.case_id<>m.case_id) AND " CASE_IN_PERIOD("c2") " AND " CASE_ROW("c2") " "
	 "AND (c2.status='application' OR (" IN_PERIOD("m2") ")) AND NOT EXISTS (SELECT 1 FROM members p WHERE p.live=1 "
	 "AND p.case_id=c2.case_id AND p.muni=c2.muni AND p.role='partner' AND (c2.status='application' OR (" IN_PERIOD("p") "))) "
	 "ORDER BY m.muni, m.case_id, m.bsn, a.batch_id, a.line, m2.muni, m2.case_id) "
	 "GROUP BY muni, case_id, bsn, batch_id, line"},
	{"CHILD_18_PLUS", "review", "PW art. 4 lid 1 (a dependent child is under 18)",
	 "a child member is 18 or older on or before the last day of the period",
	 "cases,members,persons", 0,
	 "INSERT INTO vf SELECT 'CHILD_18_PLUS', muni, case_id, bsn, printf('child born %s is 18 on %s: no longer a dependent child', "
	 "birth, date(birth,'+18 years')), 'persons', pb, pl FROM vm WHERE role='child' AND birth <= date(:pe,'-18 years')"},
	/* residence and presence */
	{"NOT_RESIDENT", "block", "PW art. 11 lid 1, art. 40 lid 1",
	 "the applicant is not registered in the paying municipality on any day of the period",
	 "cases,members,addresses", 0,
	 "INSERT INTO vf SELECT 'NOT_RESIDENT', m.muni, m.case_id, m.bsn, "
	 "printf('registered in municipality %s (%s %d%s from %s), not in %s, in the period', a.municipality, a.postcode, a.house_number, "
	 "ifnull(' '||a.house_suffix,''), a.from_date, m.muni), 'addresses', a.batch_id, a.line "
	 "FROM vm m CROSS JOIN addresses a ON a.live=1 AND a.bsn=m.bsn "
	 "WHERE m.role='applicant' AND " ADDR_IN_PERIOD("a") " "
	 "AND NOT EXISTS (SELECT 1 FROM addresses b WHERE b.live=1 AND b.bsn=m.bsn AND b.municipality=m.muni AND " ADDR_IN_PERIOD("b") ") "
	 "AND a.from_date=(SELECT max(c.from_date) FROM addresses c WHERE c.live=1 AND c.bsn=m.bsn AND " ADDR_IN_PERIOD("c") ")"},
	{"NO_ADDRESS", "block", "PW art. 11 lid 1, art. 40 lid 1",
	 "the applicant has no address registration in the BRP on any day of the period",
	 "cases,members,addresses", 0,
	 "INSERT INTO vf SELECT 'NO_ADDRESS', m.muni, m.case_id, m.bsn, 'no address registration in the BRP in the period', "
	 "'members', m.batch_id, m.line FROM vm m WHERE m.role='applicant' "
	 "AND NOT EXISTS (SELECT 1 FROM addresses a WHERE a.live=1 AND a.bsn=m.bsn AND " ADDR_IN_PERIOD("a") ")"},
	{"ABROAD_OVER_4_WEEKS", "block", "PW art. 13 lid 1 e",
	 "applicant or partner abroad more than 4 weeks in one stretch or in the calendar year (13 weeks at AOW age), days beyond in the period",
	 "cases,members,persons,stays_abroad", GBI_NEED_AOW,
	 "INSERT INTO vf SELECT 'ABROAD_OVER_4_WEEKS', muni, case_id, bsn, "
	 "printf('%s abroad %s to %s (%d days); %d days abroad in %s up to %s; the limit is %d days%s', role, f, t, len, "
	 "ifnull(yr,0), substr(:ps,1,4), :pe, lim, CASE WHEN lim > 28 THEN ' (AOW age)' ELSE '' END), 'stays_abroad', b, l "
	 "FROM (SELECT m.muni, m.case_id, m.bsn, m.role, s.from_date AS f, s.to_date AS t, s.batch_id AS b, s.line AS l, "
	 "CAST(julianday(s.to_date)-julianday(s.from_date) AS INTEGER)+1 AS len, "
	 "CASE WHEN m.birth <= :aow_cut THEN 91 ELSE 28 END AS lim, "
	 /* the days of the year so far covered by any stay: overlapping stays
	  * (two sources of one trip) count their days once */
	 "(SELECT sum(CAST(julianday(e)-julianday(bg) AS INTEGER)+1) FROM "
	 "(SELECT CASE WHEN pe IS NOT NULL AND date(pe,'+1 day') > f THEN date(pe,'+1 day') ELSE f END AS bg, t AS e FROM "
	 "(SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe FROM "
	 "(SELECT max(y.from_date,:ys) AS f, min(y.to_date,:pe) AS t FROM stays_abroad y "
	 "WHERE y.live=1 AND y.bsn=s.bsn AND y.to_date >= :ys AND y.from_date <= :pe))) WHERE e >= bg) AS yr "
	 "FROM stays_abroad s CROSS JOIN vm m ON m.bsn=s.bsn WHERE s.live=1 AND s.from_date <= :pe AND s.to_date >= :ps AND " AP " "
	 "AND " MEMBER_DAYS("s") ") "
	 "WHERE (len > lim AND date(f,'+'||lim||' days') <= :pe) OR yr > lim"},
	{"DETENTION", "block", "PW art. 13 lid 1 a",
	 "applicant or partner detained on a day of the period (no right from the first day)",
	 "cases,members,detentions", 0,
	 "INSERT INTO vf SELECT 'DETENTION', m.muni, m.case_id, m.bsn, printf('%s detained from %s%s', m.role, d.from_date, "
	 "ifnull(' to '||d.to_date,'')), 'detentions', d.batch_id, d.line FROM detentions d CROSS JOIN vm m ON m.bsn=d.bsn "
	 "WHERE d.live=1 AND " IN_PERIOD("d") " AND " AP " AND " MEMBER_DAYS("d") },
	/* age and prior provisions */
	{"UNDER_18", "block", "PW art. 13 lid 1 f",
	 "applicant or partner under 18 on the first day of the period",
	 "cases,members,persons", 0,
	 "INSERT INTO vf SELECT 'UNDER_18', muni, case_id, bsn, printf('%s is under 18 (born %s, 18 on %s)', role, birth, "
	 "date(birth,'+18 years')), 'persons', pb, pl FROM vm m WHERE " AP_SCAN " AND birth > date(:ps,'-18 years')"},
	{"YOUTH_18_20", "info", "PW art. 20",
	 "applicant or partner aged 18-20 on the first day of the period: youth norm, parental support to check",
	 "cases,members,persons", 0,
	 "INSERT INTO vf SELECT 'YOUTH_18_20', muni, case_id, bsn, printf('%s is 18-20 (born %s, 21 on %s): youth norm; check parental support', "
	 "role, birth, date(birth,'+21 years')), 'persons', pb, pl FROM vm m WHERE " AP_SCAN " "
	 "AND birth <= date(:ps,'-18 years') AND birth > date(:ps,'-21 years')"},
	{"AOW_AGE", "block", "PW art. 47a lid 1",
	 "applicant or partner reaches AOW age by the last day of the period: the SVB pays (AIO), not the municipality",
	 "cases,members,persons", GBI_NEED_AOW,
	 "INSERT INTO vf SELECT 'AOW_AGE', muni, case_id, bsn, printf('%s reaches AOW age on %s (born %s): the SVB pays the AIO', "
	 "role, gbi_aow_date(birth), birth), 'persons', pb, pl FROM vm m WHERE " AP_SCAN " AND birth <= :aow_cut"},
	{"STUDENT_UNDER_27", "block", "PW art. 13 lid 2 c",
	 "applicant or partner under 27 on the first day of the period studies with student finance (WSF) in the period",
	 "cases,members,persons,studies", 0,
	 "INSERT INTO vf SELECT 'STUDENT_UNDER_27', m.muni, m.case_id, m.bsn, printf('%s, under 27 (born %s), studies with WSF from %s%s', "
	 "m.role, m.birth, s.from_date, ifnull(' to '||s.to_date,'')), 'studies', s.batch_id, s.line FROM studies s CROSS JOIN vm m ON m.bsn=s.bsn "
	 "WHERE s.live=1 AND s.wsf='yes' AND " IN_PERIOD("s") " AND " AP " AND " MEMBER_DAYS("s")
	 " AND m.birth > date(:ps,'-27 years')"},
	{"STUDENT_27_PLUS", "review", "PW art. 15 lid 1",
	 "applicant or partner aged 27 or older studies with student finance (WSF) in the period: study finance comes first",
	 "cases,members,persons,studies", 0,
	 "INSERT INTO vf SELECT 'STUDENT_27_PLUS', m.muni, m.case_id, m.bsn, printf('%s, 27 or older, studies with WSF from %s%s', "
	 "m.role, s.from_date, ifnull(' to '||s.to_date,'')), 'studies', s.batch_id, s.line FROM studies s CROSS JOIN vm m ON m.bsn=s.bsn "
	 "WHERE s.live=1 AND s.wsf='yes' AND " IN_PERIOD("s") " AND " AP " AND m.birth <= date(:ps,'-27 years')"},
	{"BENEFIT_NOT_AS_INCOME", "review", "PW art. 15 lid 1, art. 31 lid 1",
	 "a UWV or SVB benefit of applicant or partner runs in the period but no benefit income of the period is recorded",
	 "cases,members,benefits,incomes", 0,
	 "INSERT INTO vf SELECT 'BENEFIT_NOT_AS_INCOME', m.muni, m.case_id, m.bsn, printf('%s %s benefit from %s%s, no benefit income in %s', "
	 "b.agency, b.kind, b.from_date, ifnull(' to '||b.to_date,''), :period), 'benefits', b.batch_id, b.line "
	 "FROM benefits b CROSS JOIN vm m ON m.bsn=b.bsn WHERE b.live=1 AND b.agency IN ('UWV','SVB') AND " IN_PERIOD("b") " "
	 "AND lower(b.kind) NOT IN ('kinderbijslag','akw','child_benefit') AND " AP " "
	 "AND NOT EXISTS (SELECT 1 FROM incomes i WHERE i.live=1 AND i.bsn=b.bsn AND i.period=:period AND i.kind='benefit')"},
	{"SEARCH_PERIOD_UNDER_27", "review", "PW art. 41 lid 4, art. 44 lid 2",
	 "an application of an applicant under 27 asks for bijstand from a date within the search period after reporting "
	 "(application_search_weeks, 4 by law)",
	 "cases,members,persons,policy", 0,
	 "INSERT INTO vf SELECT 'SEARCH_PERIOD_UNDER_27', c.muni, c.case_id, m.bsn, printf('applicant under 27 reported on %s and asks for bijstand "
	 "from %s, within the search period of %d weeks (until %s)', c.application_date, c.start_date, p.search_weeks, "
	 "date(c.application_date,'+'||(7*p.search_weeks)||' days')), 'cases', c.batch_id, c.line "
	 "FROM vc c CROSS JOIN vm m ON m.muni=c.muni AND m.case_id=c.case_id AND m.role='applicant' CROSS JOIN vpol p ON p.muni=c.muni "
	 "WHERE c.status='application' AND c.application_date IS NOT NULL AND p.search_weeks IS NOT NULL "
	 "AND m.birth > date(c.application_date,'-27 years') AND c.start_date < date(c.application_date,'+'||(7*p.search_weeks)||' days')"},
	{"DECISION_TERM_EXCEEDED", "review", "Awb art. 4:13; PW art. 44",
	 "an application is undecided more than 8 weeks after it was made, by the last day of the period",
	 "cases", 0,
	 "INSERT INTO vf SELECT 'DECISION_TERM_EXCEEDED', muni, case_id, NULL, printf('application of %s is undecided; the decision was due by %s', "
	 "application_date, date(application_date,'+56 days')), 'cases', batch_id, line FROM vc "
	 "WHERE status='application' AND application_date < date(:pe,'-56 days')"},
	/* means */
	{"ASSETS_ABOVE_LIMIT", "block", "PW art. 34",
	 "assets (bank, cash, other, vehicles and property, the larger of declared and RDW/Kadaster, minus debts; own-home "
	 "equity up to its limit exempt) above the limit for the household and year",
	 "cases,members,assets,vehicles,properties", GBI_NEED_ASSETS | NEED_ITEMS,
	 "INSERT INTO vf SELECT 'ASSETS_ABOVE_LIMIT', x.muni, x.case_id, NULL, printf('assets %s above the limit %s for %s%s', "
	 "gbi_money(gross-exempt), gbi_money(lim), CASE WHEN lim=:lim_single THEN 'a single person' ELSE 'a couple or single parent' END, "
	 "CASE WHEN exempt > 0 THEN printf(' (own-home equity %s exempt)', gbi_money(exempt)) ELSE '' END), t.src_table, t.src_batch, t.src_line "
	 "FROM (SELECT *, liquid+veh+prop-debt AS gross, CASE WHEN housing='own' THEN min(max(prop-debt,0), :lim_home) ELSE 0 END AS exempt, "
	 "CASE WHEN EXISTS (SELECT 1 FROM vm WHERE vm.muni=g.muni AND vm.case_id=g.case_id AND (vm.role='partner' "
	 "OR (vm.role='child' AND vm.birth > date(:pe,'-18 years')))) "
	 "THEN :lim_family ELSE :lim_single END AS lim FROM vitem_case g) x " TOP("t", "x", "i.kind NOT IN ('debt','mortgage')")
	 /* the first term spares the members lookup of lim to the cases under both limits */
	 "WHERE gross-exempt > min(:lim_single, :lim_family) AND gross-exempt > lim"},
	{"VEHICLE_REVIEW", "review", "PW art. 34 lid 1; policy vehicle_value_review",
	 "applicant and partner have more than one vehicle (RDW) in the period, or one worth more than the policy threshold",
	 "cases,members,vehicles,policy", NEED_ITEMS,
	 "INSERT INTO vf SELECT 'VEHICLE_REVIEW', t.muni, t.case_id, NULL, printf('%d vehicle(s) registered (RDW), the most valuable worth %s; "
	 "review threshold %s', t.nveh, gbi_money(t.topveh), ifnull(gbi_money(p.vehicle_review),'none')), v.src_table, v.src_batch, v.src_line "
	 "FROM vitem_case t JOIN vpol p ON p.muni=t.muni " TOP("v", "t", "i.kind='rdw'") "WHERE t.nveh > 1 OR t.topveh > p.vehicle_review"},
	{"PROPERTY_OWNED", "review", "PW art. 34 lid 3 c, art. 50",
	 "applicant or partner owns real estate (Kadaster, or declared): bijstand as a loan where own-home equity exceeds its limit",
	 "cases,members,assets,properties", GBI_NEED_ASSETS | NEED_ITEMS,
	 "INSERT INTO vf SELECT 'PROPERTY_OWNED', g.muni, g.case_id, NULL, printf('owns real estate worth %s, debts %s, equity %s; "
	 "own-home equity limit %s%s', gbi_money(prop), gbi_money(debt), gbi_money(prop-debt), gbi_money(:lim_home), "
	 "CASE WHEN housing<>'own' THEN ' (not the home: counts as assets)' WHEN prop-debt > :lim_home THEN ': bijstand as a loan (art. 50)' "
	 "ELSE '' END), t.src_table, t.src_batch, t.src_line FROM vitem_case g " TOP("t", "g", "i.kind IN ('kadaster','property')")
	 "WHERE prop > 0"},
	{"INCOME_AT_OR_ABOVE_NORM", "info", "PW art. 19 lid 1, art. 31, 32",
	 "counted income of applicant and partner in the period (not child benefit or allowances) at or above the art. 21 norm: "
	 "nothing to pay (a simple comparison; gbi calculate decides)",
	 "cases,members,incomes", GBI_NEED_NORMS | NEED_VINC,
	 "INSERT INTO vf SELECT 'INCOME_AT_OR_ABOVE_NORM', muni, case_id, NULL, printf('income %s in %s is at or above the %s norm %s', "
	 "gbi_money(total), :period, CASE WHEN couple THEN 'couple' ELSE 'single' END, gbi_money(norm)), 'incomes', b, l "
	 "FROM (SELECT muni, case_id, sum(amt) AS total, b, l, max(top), couple, CASE WHEN couple THEN :norm_couple ELSE :norm_single END AS norm "
	 "FROM (SELECT i.muni, i.case_id, i.batch_id AS b, i.line AS l, max(i.amount) AS top, "
	 "max(sum(CASE WHEN i.source='polis' THEN i.amount ELSE 0 END), sum(CASE WHEN i.source IS NOT 'polis' THEN i.amount ELSE 0 END)) AS amt, "
	 "EXISTS (SELECT 1 FROM vm p WHERE p.muni=i.muni AND p.case_id=i.case_id AND p.role='partner') AS couple "
	 "FROM vinc i WHERE i.kind NOT IN ('child_benefit','allowance') "
	 "GROUP BY i.muni, i.case_id, i.bsn, i.kind) GROUP BY muni, case_id) WHERE total >= norm"},
	{"POLIS_INCOME_NOT_IN_CASE", "review", "PW art. 17 lid 1, art. 31 lid 1",
	 "income of applicant or partner in the UWV polis records for the period that the case does not show (no declared row of that kind)",
	 "cases,members,incomes", NEED_VINC,
	 "INSERT INTO vf SELECT 'POLIS_INCOME_NOT_IN_CASE', i.muni, i.case_id, i.bsn, printf('%s income %s in %s from the UWV polis records; "
	 "the case shows no %s income for it', i.kind, gbi_money(i.amount), i.period, i.kind), 'incomes', i.batch_id, i.line "
	 "FROM vinc i WHERE i.source='polis' "
	 "AND NOT EXISTS (SELECT 1 FROM incomes j WHERE j.live=1 AND j.bsn=i.bsn AND j.period=i.period AND j.kind=i.kind AND j.source IS NOT 'polis')"},
	/* payment data and the legacy case */
	{"IBAN_MISSING_OR_INVALID", "block", "Regulation (EU) 260/2012 art. 5 (SEPA: payment to an IBAN)",
	 "the case has no IBAN or one that fails the ISO 13616 mod-97 check",
	 "cases", 0,
	 "INSERT INTO vf SELECT 'IBAN_MISSING_OR_INVALID', muni, case_id, NULL, CASE WHEN iban IS NULL OR iban='' THEN 'no IBAN on the case' "
	 "ELSE printf('IBAN ''%s'' is not valid', iban) END, 'cases', batch_id, line FROM vc "
	 "WHERE (iban IS NULL OR iban='' OR NOT gbi_iban_ok(iban))"},
	{"IBAN_SHARED", "review", "PW art. 3, art. 17 lid 1",
	 "the case's IBAN is also on another case (another household) of any municipality in the period",
	 "cases", 0,
	 /* d: the IBANs on more than one live case, from the index cases_iban
	    (the terms on iban let SQLite use that partial index) */
	 "INSERT INTO vf SELECT 'IBAN_SHARED', a.muni, a.case_id, NULL, printf('IBAN %s is also on case %s of municipality %s', a.iban, b.case_id, b.muni), "
	 "'cases', a.batch_id, a.line FROM (SELECT iban FROM cases WHERE live=1 AND iban IS NOT NULL AND iban<>'' GROUP BY iban HAVING count(*) > 1) d "
	 "CROSS JOIN cases a ON a.live=1 AND a.iban=d.iban AND a.iban IS NOT NULL AND a.iban<>'' "
	 "CROSS JOIN cases b ON b.live=1 AND b.iban=d.iban AND b.iban IS NOT NULL AND b.iban<>'' AND (b.muni<>a.muni OR b.case_id<>a.case_id) "
	 "WHERE " CASE_IN_PERIOD("a") " AND " SCOPE("a") " AND " LANE("a") " AND " CASE_ROW("a") " AND " CASE_IN_PERIOD("b") " "
	 "AND " CASE_ROW("b")},
	/* from the cases with a number of cost-sharers, not from every address; OFFSET 0 keeps
	   SQLite from flattening the subquery, which would count the housemates once per use of n */
	{"COST_SHARERS_DIFFER", "review", "PW art. 19a, 22a",
	 "the number of cost-sharers the case gives differs from the number derived from the BRP on the first day of the period "
	 "(housemates 27+, not with a commercial contract or WSF study; applicant 21+)",
	 "cases,members,persons,addresses,contracts,studies", 0,
	 "INSERT INTO vf SELECT 'COST_SHARERS_DIFFER', muni, case_id, bsn, printf('the case has %d cost-sharers, the BRP gives %d on %s "
	 "(%d housemate(s) aged 27 or older at %s %d%s)', cs, CASE WHEN n=0 THEN 1 ELSE 1+sp+n END, :ps, n, postcode, house_number, "
	 "ifnull(' '||house_suffix,'')), 'cases', cb, cl FROM (SELECT c.muni, c.case_id, m.bsn, c.cost_sharers AS cs, c.batch_id AS cb, "
	 "c.line AS cl, a.postcode, a.house_number, a.house_suffix, "
	 "(SELECT count(DISTINCT h.bsn) FROM addresses h JOIN persons p ON p.live=1 AND p.bsn=h.bsn WHERE h.live=1 AND h.postcode=a.postcode "
	 "AND h.house_number=a.house_number AND h.house_suffix IS a.house_suffix AND h.from_date <= :ps AND (h.to_date IS NULL OR h.to_date >= :ps) "
	 "AND p.birth_date <= date(:ps,'-27 years') "
	 "AND NOT EXISTS (SELECT 1 FROM vm x WHERE x.muni=c.muni AND x.case_id=c.case_id AND x.bsn=h.bsn AND x.role IN ('applicant','partner')) "
	 "AND NOT EXISTS (SELECT 1 FROM contracts k WHERE k.live=1 AND k.bsn=h.bsn AND k.from_date <= :ps AND (k.to_date IS NULL OR k.to_date >= :ps)) "
	 "AND NOT EXISTS (SELECT 1 FROM studies s WHERE s.live=1 AND s.bsn=h.bsn AND s.wsf='yes' AND s.from_date <= :ps "
	 "AND (s.to_date IS NULL OR s.to_date >= :ps))) AS n, "
	 "(SELECT count(DISTINCT y.bsn) FROM vm y WHERE y.muni=c.muni AND y.case_id=c.case_id AND y.role='partner' AND y.birth <= date(:ps,'-21 years')) AS sp "
	 "FROM vc c CROSS JOIN vm ap ON ap.muni=c.muni AND ap.case_id=c.case_id AND ap.role='applicant' "
	 "CROSS JOIN addresses a ON a.live=1 AND a.bsn=ap.bsn "
	 "CROSS JOIN vm m ON m.muni=c.muni AND m.case_id=c.case_id AND m.bsn=a.bsn "
	 "WHERE c.cost_sharers IS NOT NULL AND a.from_date <= :ps AND (a.to_date IS NULL OR a.to_date >= :ps) "
	 "AND m.birth <= date(:ps,'-21 years') LIMIT -1 OFFSET 0) WHERE cs <> CASE WHEN n=0 THEN 1 ELSE 1+sp+n END"},
	{"SANCTION_ACTIVE", "info", "PW art. 18 lid 2",
	 "a sanction (maatregel) runs on a day of the period",
	 "cases,sanctions", 0,
	 "INSERT INTO vf SELECT 'SANCTION_ACTIVE', c.muni, c.case_id, NULL, printf('sanction of %d%% from %s to %s%s', s.percent, s.from_date, "
	 "s.to_date, ifnull(' (BUS reason '||s.reason||')','')), 'sanctions', s.batch_id, s.line FROM sanctions s "
	 "CROSS JOIN vc c ON c.muni=s.muni AND c.case_id=s.case_id WHERE s.live=1 AND s.from_date <= :pe AND s.to_date >= :ps"},
};
#define NRULES (sizeof rules / sizeof rules[0])

const struct gbi_rule *gbi_verify_rules(size_t *n)
{
	*n = NRULES;
	return rules;
}

const struct gbi_rule *gbi_verify_rule(const char *code)
{
	for (size_t i = 0; i < NRULES; i++)
		if (strcmp(rules[i].code, code) == 0)
			return &rules[i];
	return NULL;
}

/* The working tables every rule reads. */
static const char setup_sql[] =
	"CREATE TEMP TABLE vc(muni TEXT, case_id TEXT, status TEXT, application_date TEXT, start_date TEXT, end_date TEXT, "
	"  iban TEXT, housing TEXT, cost_sharers INTEGER, batch_id INTEGER, line INTEGER, PRIMARY KEY(case_id, muni)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO vc SELECT c.muni, c.case_id, c.status, c.application_date, c.start_date, c.end_date, c.iban, c.housing, "
	"  c.cost_sharers, c.batch_id, c.line FROM cases c WHERE c.live=1 AND " CASE_IN_PERIOD("c") " AND " LANE("c") " AND " SCOPE("c") ";"
	"CREATE TEMP TABLE vm(muni TEXT, case_id TEXT, bsn TEXT, role TEXT, birth TEXT, pb INTEGER, pl INTEGER, "
	"  batch_id INTEGER, line INTEGER, fd TEXT, td TEXT, mr INTEGER, PRIMARY KEY(case_id, muni, role, mr)) WITHOUT ROWID;"
	"INSERT INTO vm SELECT m.muni, m.case_id, m.bsn, m.role, p.birth_date, p.batch_id, p.line, m.batch_id, m.line, "
	"  m.from_date, m.to_date, m.rowid "
	"  FROM vc c CROSS JOIN members m ON m.case_id=c.case_id AND m.muni=c.muni AND m.live=1 "
	/* the first live persons row: persons_bsn holds them in rowid order,
	   so the seek stops at the first (min() reads them all) */
	"  LEFT JOIN persons p ON p.rowid=(SELECT q.rowid FROM persons q WHERE q.live=1 AND q.bsn=m.bsn ORDER BY q.rowid LIMIT 1) "
	"  WHERE c.status='application' OR (" IN_PERIOD("m") ");"
	/* the rules that join a person's facts (by BSN) join those of applicants and partners */
	"CREATE INDEX temp.vm_bsn ON vm(bsn, case_id, muni) WHERE role IN ('applicant','partner');";

/* The incomes of the period of applicants and partners (all kinds, in the
 * order the store holds them), for the rules on income: the incomes table
 * is the largest, read once per lane. */
static const char vinc_sql[] =
	"CREATE TEMP TABLE vinc AS SELECT m.muni, m.case_id, i.bsn, i.kind, i.amount, i.source, i.period, i.batch_id, i.line "
	"  FROM incomes i CROSS JOIN vm m ON m.bsn=i.bsn WHERE i.live=1 AND i.period=:period AND " AP ";";

/* The items of the cases' means, for the rules on assets. */
static const char items_sql[] =
	"CREATE TEMP TABLE vitem(muni TEXT, case_id TEXT, kind TEXT, value INTEGER, src_table TEXT, src_batch INTEGER, src_line INTEGER);"
	/* declared: the latest statement of each kind on or before the period's end */
	"INSERT INTO vitem SELECT a.muni, a.case_id, a.kind, CASE WHEN a.kind='debt' THEN abs(a.value) ELSE a.value END, 'assets', a.batch_id, a.line "
	"  FROM assets a CROSS JOIN vc c ON c.muni=a.muni AND c.case_id=a.case_id WHERE a.live=1 AND a.reference_date <= :pe "
	"  AND " LANE("a") " "
	"  AND NOT EXISTS (SELECT 1 FROM assets b WHERE b.live=1 AND b.case_id=a.case_id AND b.muni=a.muni AND b.kind=a.kind "
	"  AND b.reference_date > a.reference_date AND b.reference_date <= :pe);"
	"INSERT INTO vitem SELECT m.muni, m.case_id, 'rdw', v.value, 'vehicles', v.batch_id, v.line FROM vehicles v CROSS JOIN vm m ON m.bsn=v.bsn "
	"  WHERE v.live=1 AND " IN_PERIOD("v") " AND " AP ";"
	"INSERT INTO vitem SELECT m.muni, m.case_id, 'kadaster', p.value, 'properties', p.batch_id, p.line FROM properties p CROSS JOIN vm m ON m.bsn=p.bsn "
	"  WHERE p.live=1 AND (p.from_date IS NULL OR p.from_date <= :pe) AND " AP ";"
	"INSERT INTO vitem SELECT m.muni, m.case_id, 'mortgage', ifnull(p.mortgage,0), 'properties', p.batch_id, p.line FROM properties p "
	"  CROSS JOIN vm m ON m.bsn=p.bsn WHERE p.live=1 AND (p.from_date IS NULL OR p.from_date <= :pe) AND " AP ";"
	/* per case, in one grouping: the larger of declared and registered for vehicles,
	   property and debts (the rules look up the rows proving them with TOP) */
	"CREATE INDEX temp.vitem_case_ix ON vitem(case_id, muni);"
	"CREATE TEMP TABLE vitem_case AS SELECT i.muni, i.case_id, c.housing, "
	"  sum(CASE WHEN kind IN ('bank','cash','other') THEN value ELSE 0 END) AS liquid, "
	"  max(sum(CASE WHEN kind='vehicle' THEN value ELSE 0 END), sum(CASE WHEN kind='rdw' THEN value ELSE 0 END)) AS veh, "
	"  max(sum(CASE WHEN kind='property' THEN value ELSE 0 END), sum(CASE WHEN kind='kadaster' THEN value ELSE 0 END)) AS prop, "
	"  max(sum(CASE WHEN kind='debt' THEN value ELSE 0 END), sum(CASE WHEN kind='mortgage' THEN value ELSE 0 END)) AS debt, "
	"  sum(kind='rdw') AS nveh, max(CASE WHEN kind='rdw' THEN value END) AS topveh "
	"  FROM vitem i CROSS JOIN vc c ON c.muni=i.muni AND c.case_id=i.case_id GROUP BY i.case_id, i.muni;";

static const char drop_sql[] =
	"DROP TABLE IF EXISTS temp.vc; DROP TABLE IF EXISTS temp.vm; DROP TABLE IF EXISTS temp.vf;"
	"DROP TABLE IF EXISTS temp.vsm; DROP TABLE IF EXISTS temp.vscase; DROP TABLE IF EXISTS temp.vrule;"
	"DROP TABLE IF EXISTS temp.voff; DROP TABLE IF EXISTS temp.vpol; DROP TABLE IF EXISTS temp.vitem;"
	"DROP TABLE IF EXISTS temp.vitem_case; DROP TABLE IF EXISTS temp.vmx;"
	"DROP TABLE IF EXISTS temp.vinc; DROP TABLE IF EXISTS temp.vnote;";

static const char tables_sql[] =
	"CREATE TEMP TABLE vsm(muni TEXT PRIMARY KEY);"
	"CREATE TEMP TABLE vscase(case_id TEXT PRIMARY KEY);"
	"CREATE TEMP TABLE vrule(code TEXT PRIMARY KEY, severity TEXT, basis TEXT);"
	"CREATE TEMP TABLE voff(muni TEXT, rule TEXT, PRIMARY KEY(muni, rule));"
	"CREATE TEMP TABLE vpol(muni TEXT PRIMARY KEY, vehicle_review INTEGER, search_weeks INTEGER);"
	/* the notes on the policy, said by the first lane after both have run */
	"CREATE TEMP TABLE vnote(muni TEXT, n INTEGER, msg TEXT, PRIMARY KEY(muni, n)) WITHOUT ROWID;"
	/* the findings, each once: a later duplicate (same case, rule, person and
   message) is ignored, so the first row found proves it; bsn is '' for none */
"CREATE TEMP TABLE vf(rule TEXT, muni TEXT, case_id TEXT, bsn TEXT NOT NULL ON CONFLICT REPLACE DEFAULT '', message TEXT, "
"  src_table TEXT, src_batch INTEGER, src_line INTEGER, PRIMARY KEY(muni, case_id, rule, bsn, message) ON CONFLICT IGNORE) WITHOUT ROWID;";

/* A lane's findings in the order of the output (vf's key), without the
 * review and info rules the municipality's policy switched off. */
static const char lane_findings_sql[] =
	"SELECT f.muni, f.case_id, f.rule, f.bsn, f.message, r.severity, r.basis, f.src_table, f.src_batch, f.src_line "
	"FROM vf f CROSS JOIN vrule r ON r.code=f.rule "
	"WHERE r.severity='block' OR NOT EXISTS (SELECT 1 FROM voff o WHERE o.muni=f.muni AND o.rule=f.rule) "
	"ORDER BY f.muni, f.case_id, f.rule, f.bsn, f.message";
/* the columns of lane_findings_sql */
enum { F_MUNI, F_CASE, F_RULE, F_BSN, F_MSG, F_SEV, F_BASIS, F_TABLE, F_BATCH, F_LINE, F_KEY = F_MSG + 1 };

/* ---- SQL functions ------------------------------------------------------ */

static void fn_bsn_ok(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *v = (const char *)sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	sqlite3_result_int(cx, v && gbi_parse_bsn(v, (size_t)n) == NULL);
}

static void fn_iban_ok(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *v = (const char *)sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	/* payable by a SEPA credit transfer: valid and of a SEPA country */
	sqlite3_result_int(cx, v && gbi_parse_iban(v, (size_t)n) == NULL && gbi_iban_sepa(v, (size_t)n) == NULL);
}

static void fn_money(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	char buf[40];
	size_t n = gbi_money_format(sqlite3_value_int64(argv[0]), buf, sizeof buf);
	sqlite3_result_text(cx, buf, (int)n, SQLITE_TRANSIENT);
}

/* gbi_aow_date(birth): the day AOW age is reached, from the parameters given
 * as user data. */
static void fn_aow_date(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const struct gbi_params *p = sqlite3_user_data(cx);
	const char *v = (const char *)sqlite3_value_text(argv[0]);
	int32_t b = v ? gbi_ymd_parse(v) : 0;
	int32_t d = b && p ? gbi_aow_date(p, b) : 0;
	if (!d) {
		sqlite3_result_null(cx);
		return;
	}
	char out[11];
	gbi_date_format(d, out);
	sqlite3_result_text(cx, out, 10, SQLITE_TRANSIENT);
}

gbi_status gbi_verify_functions(struct gbi_store *s, struct gbi_err *err)
{
	int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	int rc = sqlite3_create_function(s->db, "gbi_bsn_ok", 1, f, NULL, fn_bsn_ok, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(s->db, "gbi_iban_ok", 1, f, NULL, fn_iban_ok, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(s->db, "gbi_money", 1, f, NULL, fn_money, NULL, NULL);
	if (rc != SQLITE_OK)
		return gbi_store_error(s, rc, "registering SQL functions", err);
	return GBI_OK;
}

/* ---- running statements with named parameters --------------------------- */

struct bind {
	const char *name;   /* ":ps" */
	const char *text;   /* a text value, or NULL for the integer */
	int64_t i;
	int null;           /* bound as NULL */
};

struct ctx {
	struct gbi_store *s;
	struct bind b[16];
	int nb;
};

static void bind_text(struct ctx *c, const char *name, const char *v)
{
	c->b[c->nb++] = (struct bind){name, v, 0, v == NULL};
}

static void bind_int(struct ctx *c, const char *name, int64_t v)
{
	c->b[c->nb++] = (struct bind){name, NULL, v, 0};
}

/* Binds the named parameters st uses. */
static void bind_all(struct ctx *c, sqlite3_stmt *st)
{
	int np = sqlite3_bind_parameter_count(st);
	for (int k = 1; k <= np; k++) {
		const char *name = sqlite3_bind_parameter_name(st, k);
		for (int j = 0; name && j < c->nb; j++) {
			if (strcmp(c->b[j].name, name) != 0)
				continue;
			if (c->b[j].null)
				sqlite3_bind_null(st, k);
			else if (c->b[j].text)
				sqlite3_bind_text(st, k, c->b[j].text, -1, SQLITE_STATIC);
			else
				sqlite3_bind_int64(st, k, c->b[j].i);
		}
	}
}

/* Runs every statement of sql, binding the named parameters it uses. */
static gbi_status run_sql(struct ctx *c, const char *sql, const char *what, struct gbi_err *err)
{
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(c->s->db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK)
			return gbi_store_error(c->s, rc, what, err);
		if (!st)
			break;
		bind_all(c, st);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return gbi_store_error(c->s, rc, what, err);
	}
	return GBI_OK;
}

/* ---- parameters and policy ---------------------------------------------- */

/* The latest date of birth that has reached AOW age on ymd: gbi_aow_date is
 * monotone in the date of birth, so a binary search over days finds it. */
static int32_t aow_cutoff(const struct gbi_params *p, int32_t ymd)
{
	int32_t lo = gbi_ymd_add(ymd, -90, 0); /* reached for certain */
	int lo_n = 0, hi_n = 365 * 40;         /* day offsets from lo; hi (50 years old) not reached */
	while (hi_n - lo_n > 1) {
		int mid = lo_n + (hi_n - lo_n) / 2;
		int32_t d = gbi_aow_date(p, gbi_ymd_add_days(lo, mid));
		if (d && d <= ymd)
			lo_n = mid;
		else
			hi_n = mid;
	}
	return gbi_ymd_add_days(lo, lo_n);
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Reports the time since *t0 for step and restarts the clock. */
static void step(const struct gbi_verify_opts *o, const char *what, int64_t *t0)
{
	int64_t t = now_ns();
	if (o->on_step)
		o->on_step(o->ctx, what, t - *t0);
	*t0 = t;
}

static void note(const struct gbi_verify_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct gbi_verify_opts *o, const char *fmt, ...)
{
	if (!o->on_note)
		return;
	char msg[GBI_ERR_MSG + 200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->on_note(o->ctx, msg);
}

/* Adds note number *n of municipality muni to temp.vnote. */
static gbi_status policy_note(struct ctx *c, sqlite3_stmt *ins, const char *muni, int *n, struct gbi_err *err,
			      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static gbi_status policy_note(struct ctx *c, sqlite3_stmt *ins, const char *muni, int *n, struct gbi_err *err,
			      const char *fmt, ...)
{
	char msg[GBI_ERR_MSG + 200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sqlite3_bind_text(ins, 1, muni, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(ins, 2, (*n)++);
	sqlite3_bind_text(ins, 3, msg, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? GBI_OK : gbi_store_error(c->s, rc, "policy", err);
}

/* Fills temp.vpol, temp.voff and temp.vnote for the municipalities of the
 * lane's cases.  The lanes share municipalities: each says the same notes
 * on one, which the first lane says once (lane_notes). */
static gbi_status load_policy(struct ctx *c, int32_t ps, struct gbi_err *err)
{
	sqlite3_stmt *mu = NULL, *pol = NULL, *off = NULL, *nt = NULL;
	gbi_status r;
	if ((r = gbi_store_prepare(c->s, "SELECT DISTINCT muni FROM vc ORDER BY muni", &mu, err)) ||
	    (r = gbi_store_prepare(c->s, "INSERT INTO vpol VALUES (?, ?, ?)", &pol, err)) ||
	    (r = gbi_store_prepare(c->s, "INSERT OR IGNORE INTO voff VALUES (?, ?)", &off, err)) ||
	    (r = gbi_store_prepare(c->s, "INSERT INTO vnote VALUES (?, ?, ?)", &nt, err)))
		goto out;
	int rc;
	while (!r && (rc = sqlite3_step(mu)) == SQLITE_ROW) {
		char muni[16], v[256];
		int n = 0;
		struct gbi_err e;
		gbi_strlcpy(muni, (const char *)sqlite3_column_text(mu, 0), sizeof muni);
		sqlite3_bind_text(pol, 1, muni, -1, SQLITE_TRANSIENT);
		int64_t cents;
		gbi_err_clear(&e);
		if (gbi_policy_value(c->s, muni, "vehicle_value_review", ps, v, sizeof v, NULL, &e) == GBI_OK &&
		    !gbi_parse_money(v, strlen(v), '.', 0, &cents))
			sqlite3_bind_int64(pol, 2, cents);
		else {
			sqlite3_bind_null(pol, 2);
			r = policy_note(c, nt, muni, &n, err, "%s; VEHICLE_REVIEW checks only the number of vehicles", e.msg);
		}
		int64_t weeks;
		gbi_err_clear(&e);
		if (gbi_policy_value(c->s, muni, "application_search_weeks", ps, v, sizeof v, NULL, &e) == GBI_OK &&
		    !gbi_parse_int(v, strlen(v), 0, 52, &weeks))
			sqlite3_bind_int64(pol, 3, weeks);
		else {
			sqlite3_bind_null(pol, 3);
			r = r ? r : policy_note(c, nt, muni, &n, err, "%s; SEARCH_PERIOD_UNDER_27 is not checked there", e.msg);
		}
		if (!r && (rc = sqlite3_step(pol)) != SQLITE_DONE)
			r = gbi_store_error(c->s, rc, "policy", err);
		sqlite3_reset(pol);
		if (r)
			break;
		gbi_err_clear(&e);
		if (gbi_policy_value(c->s, muni, "verify_rules_off", ps, v, sizeof v, NULL, &e) != GBI_OK) {
			r = policy_note(c, nt, muni, &n, err, "%s", e.msg);
			continue;
		}
		/* a list of codes separated by commas or spaces; "none" for none */
		for (char *p = v; *p && !r;) {
			size_t len = strcspn(p, ", ");
			char code[64];
			if (len && len < sizeof code) {
				memcpy(code, p, len);
				code[len] = '\0';
				const struct gbi_rule *ru = gbi_verify_rule(code);
				if (strcmp(code, "none") == 0)
					;
				else if (!ru)
					r = policy_note(c, nt, muni, &n, err,
							"municipality %s: policy verify_rules_off: '%s' is not a rule code; ignored", muni, code);
				else if (strcmp(ru->severity, "block") == 0)
					r = policy_note(c, nt, muni, &n, err,
							"municipality %s: policy verify_rules_off: %s is a block rule the law requires; it stays on",
							muni, code);
				else {
					sqlite3_bind_text(off, 1, muni, -1, SQLITE_TRANSIENT);
					sqlite3_bind_text(off, 2, code, -1, SQLITE_TRANSIENT);
					sqlite3_step(off);
					sqlite3_reset(off);
				}
			}
			p += len;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(c->s, rc, "policy", err);
out:
	sqlite3_finalize(mu);
	sqlite3_finalize(pol);
	sqlite3_finalize(off);
	sqlite3_finalize(nt);
	return r;
}

/* Fills a one-column filter table from a list. */
static gbi_status fill(struct gbi_store *s, const char *sql, const char *const *v, int n, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, sql, &st, err);
	for (int i = 0; !r && i < n; i++) {
		sqlite3_bind_text(st, 1, v[i], -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			r = gbi_store_error(s, rc, "filter", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return r;
}

static int selected(const struct gbi_verify_opts *o, const char *code)
{
	if (!o->nrules)
		return 1;
	for (int i = 0; i < o->nrules; i++)
		if (strcmp(o->rules[i], code) == 0)
			return 1;
	return 0;
}

/*
 * A run works on two connections to the store, one per core: the command's
 * own, which holds the write lock from the start (so that no import changes
 * the store under the run), and a read-only one on a second thread.  The
 * cases are split between them by case id (split_point): each "lane" builds
 * the working tables of its cases and runs every rule on them; the rules
 * across cases read the other cases from the store.  The first stores the
 * findings of both when both are done (store_findings).  Without a second
 * thread the first lane has every case.
 *
 * The first lane writes to the store only after the second has finished:
 * in rollback-journal mode a write that spills the page cache needs an
 * exclusive lock, which the second lane's shared lock blocks (tried: the
 * lanes then wait on each other until a busy timeout ends one of them).
 */
struct lane {
	struct ctx c;                    /* its connection and the parameters */
	struct gbi_store own;            /* the second lane's connection */
	struct gbi_verify_opts o;        /* the run's options (no notes on the second lane) */
	const struct gbi_params *par;
	int32_t ps;
	const unsigned char *on;         /* on[i]: rule i runs */
	const char *tag;                 /* appended to its step names */
	int64_t ncases;                  /* its cases, when done */
	unsigned built;                  /* NEED_* bits of the working tables built */
	gbi_status st;
	struct gbi_err err;
	pthread_t tid;
};

/* The working tables of a connection: functions, filters, cases, members,
 * policy. */
static gbi_status lane_setup(struct lane *l, struct gbi_err *err)
{
	struct gbi_store *s = l->c.s;
	gbi_status r;
	if ((r = gbi_verify_functions(s, err)))
		return r;
	int rc = sqlite3_create_function(s->db, "gbi_aow_date", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)l->par,
					 fn_aow_date, NULL, NULL);
	if (rc != SQLITE_OK)
		return gbi_store_error(s, rc, "registering SQL functions", err);
	/* the working tables are large: the temp schema gets a 20 MiB page
	   cache (its default is 2 MiB), the store 8 MiB (its pages are read
	   once or twice); at national scale two lanes then peak at 84 MiB, as
	   fast as with 12 and 16 MiB (104 MiB); Debian's SQLite overwrites
	   every freed page (SECURE_DELETE), which is of no use in the temp
	   schema (its file is unlinked) and made dropping the working tables
	   take 0.15 s at national scale instead of 0.04 s */
	if ((r = gbi_store_exec(s, "PRAGMA temp.cache_size=-20480; PRAGMA main.cache_size=-8192; PRAGMA temp.secure_delete=OFF",
				err)) ||
	    (r = gbi_store_exec(s, drop_sql, err)) ||
	    (r = gbi_store_exec(s, tables_sql, err)) ||
	    (r = fill(s, "INSERT OR IGNORE INTO vsm VALUES (?)", l->o.munis, l->o.nmunis, err)) ||
	    (r = fill(s, "INSERT OR IGNORE INTO vscase VALUES (?)", l->o.cases, l->o.ncases, err)) ||
	    (r = run_sql(&l->c, setup_sql, "verify: the cases of the period", err)) ||
	    (r = load_policy(&l->c, l->ps, err)))
		return r;
	/* the rules that run, for lane_findings_sql */
	sqlite3_stmt *vr;
	if ((r = gbi_store_prepare(s, "INSERT INTO vrule VALUES (?, ?, ?)", &vr, err)))
		return r;
	for (size_t i = 0; !r && i < NRULES; i++) {
		if (!l->on[i])
			continue;
		sqlite3_bind_text(vr, 1, rules[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(vr, 2, rules[i].severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(vr, 3, rules[i].legal_basis, -1, SQLITE_STATIC);
		rc = sqlite3_step(vr);
		sqlite3_reset(vr);
		if (rc != SQLITE_DONE)
			r = gbi_store_error(s, rc, "verify", err);
	}
	sqlite3_finalize(vr);
	return r;
}

/* Runs the lane's rules, building the tables they need first. */
static gbi_status lane_rules(struct lane *l, int64_t *t0, struct gbi_err *err)
{
	/* the working tables some rules need, built before the first of them */
	static const struct { unsigned need; const char *sql, *name; } tables[] = {
		{NEED_ITEMS, items_sql, "assets"},
		{NEED_VINC, vinc_sql, "incomes"},
	};
	char what[80];
	gbi_status r = GBI_OK;
	for (size_t i = 0; !r && i < NRULES; i++) {
		const struct gbi_rule *ru = &rules[i];
		if (!l->on[i])
			continue;
		for (size_t k = 0; !r && k < sizeof tables / sizeof tables[0]; k++) {
			if (!(ru->needs & tables[k].need) || (l->built & tables[k].need))
				continue;
			l->built |= tables[k].need;
			snprintf(what, sizeof what, "verify: %s", tables[k].name);
			r = run_sql(&l->c, tables[k].sql, what, err);
			snprintf(what, sizeof what, "%s%s", tables[k].name, l->tag);
			step(&l->o, what, t0);
		}
		if (r)
			break;
		snprintf(what, sizeof what, "verify: rule %s", ru->code);
		r = run_sql(&l->c, ru->sql, what, err);
		snprintf(what, sizeof what, "%s%s", ru->code, l->tag);
		step(&l->o, what, t0);
	}
	return r;
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct gbi_store *s = &l->own;
	int64_t t0 = now_ns();
	int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		l->st = gbi_store_error(s, rc, "open", &l->err);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 30000);
	sqlite3_extended_result_codes(s->db, 1);
	if (!(l->st = gbi_store_exec(s, "PRAGMA temp_store=FILE", &l->err)) &&
	    !(l->st = lane_setup(l, &l->err))) {
		step(&l->o, "setup [2]", &t0);
		if (!(l->st = lane_rules(l, &t0, &l->err)))
			l->st = gbi_store_int(s, "SELECT count(*) FROM vc", &l->ncases, &l->err);
	}
	return NULL;
}

/* The case id where the second lane's cases begin: SPLIT_PCT % of the live
 * cases go to the first lane, which then also stores the findings ("" when
 * there are no cases). */
#define SPLIT_PCT "50"
static gbi_status split_point(struct gbi_store *s, char *mid, size_t size, struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s, "SELECT case_id FROM cases WHERE live=1 ORDER BY case_id "
					 "LIMIT 1 OFFSET (SELECT count(*) FROM cases WHERE live=1) * " SPLIT_PCT " / 100", &st, err);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	mid[0] = '\0';
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		gbi_strlcpy(mid, (const char *)sqlite3_column_text(st, 0), size);
	else if (rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "verify: cases", err);
	sqlite3_finalize(st);
	return r;
}

/* Says the notes on the policy of the lanes' municipalities, in their
 * order, each once: the second lane's are copied into the first's
 * temp.vnote (from is NULL without a second lane). */
static gbi_status lane_notes(struct lane *to, struct lane *from, struct gbi_err *err)
{
	sqlite3_stmt *rd = NULL, *wr = NULL;
	gbi_status r = GBI_OK;
	int rc;
	if (from) {
		if ((r = gbi_store_prepare(from->c.s, "SELECT muni, n, msg FROM vnote", &rd, err)) ||
		    (r = gbi_store_prepare(to->c.s, "INSERT OR IGNORE INTO vnote VALUES (?, ?, ?)", &wr, err)))
			goto out;
		while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
			for (int k = 0; k < 3; k++)
				sqlite3_bind_value(wr, k + 1, sqlite3_column_value(rd, k));
			if ((rc = sqlite3_step(wr)) != SQLITE_DONE) {
				r = gbi_store_error(to->c.s, rc, "verify: policy", err);
				goto out;
			}
			sqlite3_reset(wr);
		}
		if (rc != SQLITE_DONE) {
			r = gbi_store_error(from->c.s, rc, "verify: policy", err);
			goto out;
		}
		sqlite3_finalize(rd);
		rd = NULL;
	}
	if ((r = gbi_store_prepare(to->c.s, "SELECT msg FROM vnote ORDER BY muni, n", &rd, err)))
		goto out;
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW)
		note(&to->o, "%s", (const char *)sqlite3_column_text(rd, 0));
	if (rc != SQLITE_DONE)
		r = gbi_store_error(to->c.s, rc, "verify: policy", err);
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return r;
}

/* Orders two rows of lane_findings_sql by their key (muni, case, rule,
 * person, message), as SQLite's BINARY collation does. */
static int key_cmp(sqlite3_stmt *a, sqlite3_stmt *b)
{
	for (int k = 0; k < F_KEY; k++) {
		const unsigned char *x = sqlite3_column_text(a, k), *y = sqlite3_column_text(b, k);
		int nx = sqlite3_column_bytes(a, k), ny = sqlite3_column_bytes(b, k);
		int n = nx < ny ? nx : ny;
		int c = n ? memcmp(x, y, (size_t)n) : 0;
		if (c)
			return c;
		if (nx != ny)
			return nx < ny ? -1 : 1;
	}
	return 0;
}

/* Stores the findings of both lanes in the order of the output, merging
 * the two ordered lists (the lanes' cases differ, so no key is in both),
 * counts them in res and passes each to o->on_finding. */
static gbi_status store_findings(struct lane *ln, int nlanes, int64_t run, const char *period,
				 struct gbi_verify_result *res, struct gbi_err *err)
{
	sqlite3_stmt *rd[2] = {NULL, NULL}, *ins = NULL;
	int live[2] = {0, 0}, rc;
	gbi_status r;
	struct gbi_store *s = ln[0].c.s;
	const struct gbi_verify_opts *o = &ln[0].o;
	if ((r = gbi_store_prepare(s, "INSERT INTO finding(verify_run_id, rule, severity, municipality, case_id, bsn, period, message, "
				      "legal_basis, src_table, src_batch, src_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins, err)))
		goto out;
	sqlite3_bind_int64(ins, 1, run);
	sqlite3_bind_text(ins, 7, period, -1, SQLITE_STATIC);
	for (int k = 0; k < nlanes; k++) {
		if ((r = gbi_store_prepare(ln[k].c.s, lane_findings_sql, &rd[k], err)))
			goto out;
		if ((rc = sqlite3_step(rd[k])) == SQLITE_ROW)
			live[k] = 1;
		else if (rc != SQLITE_DONE) {
			r = gbi_store_error(ln[k].c.s, rc, "verify: findings", err);
			goto out;
		}
	}
	while (live[0] || live[1]) {
		int k = !live[0] || (live[1] && key_cmp(rd[1], rd[0]) < 0);
		sqlite3_stmt *f = rd[k];
		/* the texts are bound where the reading statement holds them, valid
		   until it steps again, after the insert */
		static const int col[] = {F_RULE, F_SEV, F_MUNI, F_CASE, F_BSN, -1, F_MSG, F_BASIS, F_TABLE, F_BATCH, F_LINE};
		for (int i = 0; i < 11; i++) {
			int c = col[i];
			if (c < 0)
				continue;
			if (sqlite3_column_type(f, c) == SQLITE_NULL || (c == F_BSN && sqlite3_column_bytes(f, c) == 0))
				sqlite3_bind_null(ins, i + 2);
			else if (c == F_BATCH || c == F_LINE)
				sqlite3_bind_int64(ins, i + 2, sqlite3_column_int64(f, c));
			else
				sqlite3_bind_text(ins, i + 2, (const char *)sqlite3_column_text(f, c), sqlite3_column_bytes(f, c),
						  SQLITE_STATIC);
		}
		if ((rc = sqlite3_step(ins)) != SQLITE_DONE) {
			r = gbi_store_error(s, rc, "verify: findings", err);
			goto out;
		}
		sqlite3_reset(ins);
		const char *sev = (const char *)sqlite3_column_text(f, F_SEV);
		res->findings++;
		if (strcmp(sev, "block") == 0)
			res->block++;
		else if (strcmp(sev, "review") == 0)
			res->review++;
		else
			res->info++;
		if (o->on_finding) {
			const char *t = (const char *)sqlite3_column_text(f, F_TABLE);
			struct gbi_finding fi = {
				.rule = (const char *)sqlite3_column_text(f, F_RULE), .severity = sev,
				.municipality = (const char *)sqlite3_column_text(f, F_MUNI),
				.case_id = (const char *)sqlite3_column_text(f, F_CASE),
				.bsn = (const char *)sqlite3_column_text(f, F_BSN), .period = period,
				.message = (const char *)sqlite3_column_text(f, F_MSG),
				.legal_basis = (const char *)sqlite3_column_text(f, F_BASIS), .src_table = t ? t : "",
				.src_batch = sqlite3_column_int64(f, F_BATCH), .src_line = sqlite3_column_int64(f, F_LINE)};
			if ((r = o->on_finding(o->ctx, &fi, err)))
				goto out;
		}
		if ((rc = sqlite3_step(f)) == SQLITE_DONE)
			live[k] = 0;
		else if (rc != SQLITE_ROW) {
			r = gbi_store_error(ln[k].c.s, rc, "verify: findings", err);
			goto out;
		}
	}
out:
	sqlite3_finalize(rd[0]);
	sqlite3_finalize(rd[1]);
	sqlite3_finalize(ins);
	return r;
}

gbi_status gbi_verify_run(struct gbi_store *s, const struct gbi_verify_opts *o,
			  struct gbi_verify_result *res, struct gbi_err *err)
{
	memset(res, 0, sizeof *res);
	int y = o->period / 100, mo = o->period % 100;
	if (y < 1900 || y > 2199 || mo < 1 || mo > 12)
		return gbi_err_set(err, GBI_EUSAGE, "period %d: not a YYYY-MM month", o->period);
	int32_t ps = y * 10000 + mo * 100 + 1, pe = y * 10000 + mo * 100 + gbi_days_in_month(y, mo);
	char period[8], sps[11], spe[11], sys[11], aow[11];
	gbi_period_format(o->period, period);
	gbi_date_format(ps, sps);
	gbi_date_format(pe, spe);
	gbi_date_format(y * 10000 + 101, sys);

	gbi_status r;
	struct gbi_params *par = NULL;
	if ((r = gbi_params_load(s, o->params_file, &par, err)))
		return r;

	/* the parameters, and which needs they meet */
	struct lane ln[2];
	memset(ln, 0, sizeof ln);
	struct ctx *c = &ln[0].c;
	c->s = s;
	unsigned have = 0;
	struct gbi_err e;
	char missing[3][GBI_ERR_MSG];
	missing[0][0] = missing[1][0] = missing[2][0] = '\0';
	int32_t cut = aow_cutoff(par, pe);
	gbi_date_format(cut, aow);
	if (gbi_aow_date(par, cut))
		have |= GBI_NEED_AOW;
	else
		snprintf(missing[0], sizeof missing[0], "the AOW-age table has no row for dates of birth around %s", aow);
	int64_t ls = 0, lf = 0, lh = 0, ns = 0, nc = 0;
	gbi_err_clear(&e);
	if (!gbi_params_get(par, "asset_limit_single", ps, &ls, &e) && !gbi_params_get(par, "asset_limit_family", ps, &lf, &e) &&
	    !gbi_params_get(par, "asset_limit_home_equity", ps, &lh, &e))
		have |= GBI_NEED_ASSETS;
	else
		gbi_strlcpy(missing[1], e.msg, sizeof missing[1]);
	gbi_err_clear(&e);
	if (!gbi_params_get(par, "norm_single", ps, &ns, &e) && !gbi_params_get(par, "norm_couple", ps, &nc, &e))
		have |= GBI_NEED_NORMS;
	else
		gbi_strlcpy(missing[2], e.msg, sizeof missing[2]);
	bind_text(c, ":period", period);
	bind_text(c, ":ps", sps);
	bind_text(c, ":pe", spe);
	bind_text(c, ":ys", sys);
	bind_text(c, ":aow_cut", aow);
	bind_int(c, ":lim_single", ls);
	bind_int(c, ":lim_family", lf);
	bind_int(c, ":lim_home", lh);
	bind_int(c, ":norm_single", ns);
	bind_int(c, ":norm_couple", nc);

	/* which rules run */
	unsigned char on[NRULES];
	memset(on, 0, sizeof on);
	for (size_t i = 0; i < NRULES; i++) {
		const struct gbi_rule *ru = &rules[i];
		if (!selected(o, ru->code))
			continue;
		unsigned lack = ru->needs & ~have & (GBI_NEED_AOW | GBI_NEED_ASSETS | GBI_NEED_NORMS);
		if (lack) {
			const char *why = lack & GBI_NEED_AOW ? missing[0] : lack & GBI_NEED_ASSETS ? missing[1] : missing[2];
			note(o, "rule %s not checked: %s", ru->code, why);
			res->skipped++;
			continue;
		}
		on[i] = 1;
	}
	/* the split: the second lane takes the cases from mid on */
	char mid[64] = "";
	if ((r = split_point(s, mid, sizeof mid, err)))
		goto done;
	if (o->one_lane)
		mid[0] = '\0';
	for (int k = 0; k < 2; k++) {
		ln[k].o = *o;
		ln[k].par = par;
		ln[k].ps = ps;
		ln[k].on = on;
		ln[k].tag = k ? " [2]" : "";
	}
	ln[1].o.on_note = NULL; /* the first lane says it */
	ln[1].c = *c;
	ln[1].c.s = &ln[1].own;
	gbi_strlcpy(ln[1].own.path, s->path, sizeof ln[1].own.path);
	/* the lanes' cases: case_id >= :lo and < :hi; "\xff" is above every
	   UTF-8 text */
	bind_text(&ln[1].c, ":lo", mid);
	bind_text(&ln[1].c, ":hi", "\xff");

	int64_t t0 = now_ns();
	int started = 0, noted = 0, rc;
	if ((r = gbi_store_begin(s, err)))
		goto done;
	/* the second lane reads the store as this transaction holds it */
	if (mid[0] && pthread_create(&ln[1].tid, NULL, lane_main, &ln[1]) == 0)
		started = 1;
	bind_text(&ln[0].c, ":lo", "");
	bind_text(&ln[0].c, ":hi", started ? mid : "\xff");
	if ((r = lane_setup(&ln[0], err)))
		goto fail;
	step(o, "setup", &t0);

	if ((r = lane_rules(&ln[0], &t0, err)))
		goto fail;
	if (started) {
		pthread_join(ln[1].tid, NULL);
		started = 0;
		if ((r = ln[1].st)) {
			*err = ln[1].err;
			goto fail;
		}
		step(o, "waiting for [2]", &t0);
	}
	noted = 1;
	if ((r = lane_notes(&ln[0], ln[1].own.db ? &ln[1] : NULL, err)))
		goto fail;

	/* the run and its findings */
	char now[21], munis[1024], cases[1024], rl[1024];
	gbi_timestamp(now);
	gbi_join(munis, sizeof munis, o->munis, o->nmunis);
	gbi_join(cases, sizeof cases, o->cases, o->ncases);
	gbi_join(rl, sizeof rl, o->rules, o->nrules);
	sqlite3_stmt *st;
	if ((r = gbi_store_prepare(s, "INSERT INTO verify_run(run_id, period, created, municipalities, cases, rules, last_batch) "
				      "VALUES (?, ?, ?, ?, ?, ?, (SELECT ifnull(max(id),0) FROM batch))", &st, err)))
		goto fail;
	sqlite3_bind_int64(st, 1, o->run_id);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, munis, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cases, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, rl, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		r = gbi_store_error(s, rc, "verify_run", err);
		goto fail;
	}
	res->verify_run_id = sqlite3_last_insert_rowid(s->db);
	if ((r = store_findings(ln, ln[1].own.db ? 2 : 1, res->verify_run_id, period, res, err)))
		goto fail;
	step(o, "findings", &t0);
	if ((r = gbi_store_int(s, "SELECT count(*) FROM vc", &ln[0].ncases, err)))
		goto fail;
	res->cases = (long)(ln[0].ncases + ln[1].ncases);
	if ((r = gbi_store_exec(s, drop_sql, err)) || (r = gbi_store_commit(s, err)))
		goto fail;
	goto done;
fail:
	if (started)
		pthread_join(ln[1].tid, NULL);
	/* the notes on the policy, as far as the lanes got (before the rollback
	   takes temp.vnote, which the transaction created) */
	if (!noted) {
		struct gbi_err ignored;
		if (lane_notes(&ln[0], ln[1].own.db ? &ln[1] : NULL, &ignored) && ln[1].own.db)
			lane_notes(&ln[0], NULL, &ignored);
	}
	gbi_store_rollback(s);
	sqlite3_exec(s->db, drop_sql, NULL, NULL, NULL);
done:
	if (ln[1].own.db)
		sqlite3_close_v2(ln[1].own.db);
	sqlite3_create_function(s->db, "gbi_aow_date", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	gbi_params_free(par);
	return r;
}

gbi_status gbi_verify_each(struct gbi_store *s, int64_t verify_run_id, gbi_finding_fn fn, void *ctx,
			   struct gbi_err *err)
{
	sqlite3_stmt *st;
	gbi_status r = gbi_store_prepare(s,
		"SELECT rule, severity, municipality, case_id, ifnull(bsn,''), period, message, legal_basis, ifnull(src_table,''), "
		"ifnull(src_batch,0), ifnull(src_line,0) FROM finding WHERE verify_run_id=? ORDER BY municipality, case_id, rowid",
		&st, err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, verify_run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct gbi_finding f;
		const char **p[] = {&f.rule, &f.severity, &f.municipality, &f.case_id, &f.bsn, &f.period, &f.message,
				    &f.legal_basis, &f.src_table};
		for (int i = 0; i < 9; i++)
			*p[i] = (const char *)sqlite3_column_text(st, i);
		f.src_batch = sqlite3_column_int64(st, 9);
		f.src_line = sqlite3_column_int64(st, 10);
		if ((r = fn(ctx, &f, err)))
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = gbi_store_error(s, rc, "reading findings", err);
	sqlite3_finalize(st);
	return r;
}
