/*
 * gbi-gen: a deterministic generator of national-scale test extracts in
 * format gbi-v1 (one TABLE.csv per table), for `make bench` and the tests.
 *
 *   gbi-gen [-n HOUSEHOLDS] [-s SEED] [-o DIR]
 *
 * N households (one case each) spread over 32 real municipalities, largest
 * first, with the proportions of the Dutch bijstand population roughly: about
 * 2.4 persons per household (members and housemates registered at the same
 * address) and 3.3 income rows per household over 2026-01..2026-06, so that
 * 420,000 households give about a million persons.  Its own PRNG
 * (splitmix64): the same seed writes the same bytes on every machine.  It
 * streams: memory does not depend on N.  Summary ("TABLE.csv ROWS" per
 * table) on stdout.
 *
 * Test data: BSNs are 11-proof numbers starting with 9 (the 9999 test range
 * holds only about 9,000 numbers), derived from a counter with the check
 * digit fixed; IBANs are made-up accounts with valid mod-97 check digits.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include "banned.h"

static const char usage[] =
	"usage: gbi-gen [-n HOUSEHOLDS] [-s SEED] [-o DIR]\n"
	"\n"
	"  -n, --households N  households to write, one case each (default 1000, at most 3000000)\n"
	"  -s, --seed SEED     the PRNG seed, 0..2^64-1 (default 1)\n"
	"  -o, --output DIR    where to write the gbi-v1 TABLE.csv files (default .)\n"
	"  -h, --help          this text\n"
	"Writes cases, persons, members, addresses, incomes, assets, sanctions, studies,\n"
	"detentions, stays_abroad, vehicles, properties, benefits, contracts and policy\n"
	"(mode 0600) and prints each file's row count on stdout.  The same N and seed\n"
	"write the same bytes.  Test data: made-up people, BSNs 11-proof starting with 9.\n";

/* ---- PRNG: splitmix64 ---------------------------------------------------- */
static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n < 2^32), by multiply-high: no modulo bias worth noting. */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * (uint64_t)n) >> 32);
}

/* True with probability pm per mille. */
static int chance(uint32_t pm)
{
	return rnd(1000) < pm;
}

/* ---- dates as day numbers (days since 1970-01-01, proleptic Gregorian) ------ */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- output: one buffered file per table, lines built by hand --------------- */
enum { T_CASES, T_PERSONS, T_MEMBERS, T_ADDRESSES, T_INCOMES, T_ASSETS, T_SANCTIONS, T_STUDIES,
       T_DETENTIONS, T_STAYS, T_VEHICLES, T_PROPERTIES, T_BENEFITS, T_CONTRACTS, T_POLICY, T_N };

static const struct {
	const char *name, *header;
} tables[T_N] = {
	{"cases", "case_id,municipality,status,application_date,start_date,end_date,iban,account_name,housing,"
		  "work_exemption_from,single_parent_exemption_from,cost_sharers"},
	{"persons", "bsn,birth_date,family_name,given_names,sex"},
	{"members", "case_id,bsn,role,from_date,to_date"},
	{"addresses", "bsn,municipality,postcode,house_number,house_suffix,from_date,to_date"},
	{"incomes", "bsn,period,kind,amount,source"},
	{"assets", "case_id,kind,value,reference_date"},
	{"sanctions", "case_id,percent,from_date,to_date,reason"},
	{"studies", "bsn,from_date,to_date,wsf"},
	{"detentions", "bsn,from_date,to_date"},
	{"stays_abroad", "bsn,from_date,to_date"},
	{"vehicles", "bsn,plate,value,from_date,to_date"},
	{"properties", "bsn,value,mortgage,from_date"},
	{"benefits", "bsn,agency,kind,from_date,to_date,amount"},
	{"contracts", "bsn,kind,from_date,to_date"},
	{"policy", "municipality,key,value,valid_from"},
};

static FILE *out[T_N];
static long rows[T_N];
static char line[1024];
static size_t len;

static void s(const char *str)
{
	size_t n = strlen(str);
	if (len + n < sizeof line) {
		memcpy(line + len, str, n);
		len += n;
	}
}

static void c(char ch)
{
	if (len + 1 < sizeof line)
		line[len++] = ch;
}

static void u(uint64_t v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		c(tmp[--n]);
}

static void date(int32_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	u((uint64_t)y, 4);
	c('-');
	u((uint64_t)m, 2);
	c('-');
	u((uint64_t)d, 2);
}

static void money(int64_t cents)
{
	if (cents < 0) {
		c('-');
		cents = -cents;
	}
	u((uint64_t)(cents / 100), 1);
	c('.');
	u((uint64_t)(cents % 100), 2);
}

static void bsn(uint32_t b)
{
	u(b, 9);
}

static void end(int t)
{
	c('\n');
	fwrite(line, 1, len, out[t]);
	len = 0;
	rows[t]++;
}

/* ---- identifiers ------------------------------------------------------------ */
static uint32_t bsn_counter;    /* d2..d8 of the next BSN; d1 is 9 */

/* The next unique 11-proof BSN: 9, seven counter digits, the check digit
 * (9*d1+...+2*d8 - d9 divisible by 11); counters whose check would be 10 are
 * skipped. */
static uint32_t next_bsn(void)
{
	for (;;) {
		uint32_t body = 90000000u + bsn_counter++;
		uint32_t sum = 0, x = body;
		for (int w = 2; w <= 9; w++) {
			sum += (x % 10) * (uint32_t)w;
			x /= 10;
		}
		uint32_t check = sum % 11;
		if (check < 10)
			return body * 10 + check;
	}
}

static const char *const banks[] = {"INGB", "RABO", "ABNA", "SNSB", "ASNB", "TRIO", "BUNQ", "KNAB"};

/* A Dutch IBAN for bank code BANK and a 10-digit account: ISO 13616 check
 * digits over BANK ACCOUNT "NL00" with letters as 10..35. */
static void iban(char outb[19], const char *bank, uint64_t account)
{
	char acct[11];
	snprintf(acct, sizeof acct, "%010" PRIu64, account % UINT64_C(10000000000));
	char tail[32];
	snprintf(tail, sizeof tail, "%s%sNL00", bank, acct);
	unsigned rem = 0;
	for (const char *p = tail; *p; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			unsigned v = (unsigned)(*p - 'A' + 10);
			rem = (rem * 100 + v) % 97;
		} else {
			rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
		}
	}
	snprintf(outb, 19, "NL%02u%s%s", 98 - rem, bank, acct);
}

/* ---- municipalities ----------------------------------------------------------- */
static const struct muni {
	const char *code, *name;
	int weight;        /* bijstand households, hundreds, roughly */
	int pc_lo, pc_hi;  /* postcode digits */
} munis[] = {
	{"0599", "Rotterdam", 400, 3011, 3089}, {"0363", "Amsterdam", 380, 1011, 1109},
	{"0518", "'s-Gravenhage", 280, 2491, 2599}, {"0014", "Groningen", 120, 9711, 9747},
	{"0344", "Utrecht", 120, 3511, 3585}, {"0772", "Eindhoven", 90, 5611, 5658},
	{"0268", "Nijmegen", 80, 6511, 6546}, {"0855", "Tilburg", 70, 5011, 5049},
	{"0034", "Almere", 70, 1311, 1364}, {"0202", "Arnhem", 70, 6811, 6846},
	{"0153", "Enschede", 70, 7511, 7548}, {"0392", "Haarlem", 50, 2011, 2037},
	{"0758", "Breda", 50, 4811, 4839}, {"0080", "Leeuwarden", 50, 8911, 8939},
	{"0200", "Apeldoorn", 40, 7311, 7339}, {"0307", "Amersfoort", 40, 3811, 3829},
	{"0479", "Zaanstad", 40, 1501, 1509}, {"0796", "'s-Hertogenbosch", 40, 5211, 5237},
	{"0935", "Maastricht", 40, 6211, 6229}, {"0505", "Dordrecht", 40, 3311, 3319},
	{"0917", "Heerlen", 40, 6411, 6419}, {"0193", "Zwolle", 30, 8011, 8043},
	{"0546", "Leiden", 30, 2311, 2334}, {"0637", "Zoetermeer", 30, 2711, 2729},
	{"0114", "Emmen", 30, 7811, 7826}, {"0983", "Venlo", 30, 5911, 5928},
	{"0150", "Deventer", 30, 7411, 7429}, {"0503", "Delft", 30, 2611, 2629},
	{"0606", "Schiedam", 30, 3111, 3125}, {"0361", "Alkmaar", 25, 1811, 1827},
	{"0394", "Haarlemmermeer", 20, 2131, 2134}, {"0995", "Lelystad", 20, 8211, 8245},
};
enum { NMUNI = sizeof munis / sizeof munis[0] };
static int weight_total;
static uint32_t addr_counter[NMUNI];

static int pick_muni(void)
{
	int r = (int)rnd((uint32_t)weight_total);
	for (int i = 0; i < NMUNI; i++) {
		if (r < munis[i].weight)
			return i;
		r -= munis[i].weight;
	}
	return 0;
}

/* ---- names ------------------------------------------------------------------- */
static const char *const family_names[] = {
	"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
	"Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
	"van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
	"Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "Yilmaz", "Kaya", "Çelik", "Öztürk",
	"Şahin", "El Amrani", "Bouzid", "Benali", "Haddou", "Ramdin", "Müller", "Lefèvre", "Nowak",
	"Kowalski", "Ahmadi", "Mohamed", "Abdi", "Tesfay", "Nguyen", "Martínez",
};
static const char *const given_f[] = {
	"Anna", "Emma", "Sanne", "Lotte", "Fatima", "Zoë", "Chloé", "Eva", "Sara", "Noor", "Fenna",
	"Yasmina", "Maria", "Ilse", "Priya", "Khadija", "Elif", "Nadia", "Inge", "Marieke",
};
static const char *const given_m[] = {
	"Jan", "Pieter", "Daan", "Lucas", "Mohamed", "Ahmed", "Youssef", "Mehmet", "Kevin", "Bram",
	"Thomas", "Jeroen", "Gerrit", "Willem", "Hans", "Noah", "Sem", "Emre", "Milan", "Joost",
};
#define NELEM(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ---- the reference moment: ages on 2026-05-01; data up to 2026-06-30 ------- */
static int32_t REF, DATA_END, YEAR_START;

struct person {
	uint32_t bsn;
	int32_t birth;
	int age;
	char sex;
	const char *given;
	int housemate_kind; /* 0 plain, 1 student, 2 commercial tenant */
};

static int32_t birth_for_age(int age)
{
	return REF - (int32_t)(age * 36525 / 100) - (int32_t)rnd(365);
}

static int age_on(int32_t birth, int32_t day)
{
	int by, bm, bd, y, m, d;
	civil_from_days(birth, &by, &bm, &bd);
	civil_from_days(day, &y, &m, &d);
	return y - by - (m < bm || (m == bm && d < bd));
}

static void write_person(struct person *p, const char *family, int age)
{
	p->bsn = next_bsn();
	p->birth = birth_for_age(age);
	p->age = age_on(p->birth, REF);
	p->sex = chance(480) ? 'M' : chance(980) ? 'F' : 'X';
	const char *given = p->sex == 'M' ? given_m[rnd(NELEM(given_m))] : given_f[rnd(NELEM(given_f))];
	p->given = given;
	bsn(p->bsn);
	c(',');
	date(p->birth);
	c(',');
	s(family);
	c(',');
	s(given);
	c(',');
	c(p->sex);
	end(T_PERSONS);
}

struct addr {
	int muni;
	uint32_t pc;
	char letters[3];
	uint32_t number;
	const char *suffix;
};

static void write_address(const struct person *p, const struct addr *a, int32_t from)
{
	if (from < p->birth)
		from = p->birth;
	bsn(p->bsn);
	c(',');
	s(munis[a->muni].code);
	c(',');
	u(a->pc, 4);
	s(a->letters);
	c(',');
	u(a->number, 1);
	c(',');
	s(a->suffix);
	c(',');
	date(from);
	c(',');
	end(T_ADDRESSES);
}

static void write_income(uint32_t b, int month, const char *kind, int64_t cents, const char *source)
{
	bsn(b);
	s(",2026-");
	u((uint64_t)month, 2);
	c(',');
	s(kind);
	c(',');
	money(cents);
	c(',');
	s(source);
	end(T_INCOMES);
}

static int32_t month_start(int month)
{
	return days_from_civil(2026, month, 1);
}

static int32_t month_end(int month)
{
	return days_from_civil(month == 12 ? 2027 : 2026, month == 12 ? 1 : month + 1, 1) - 1;
}

/* A random day in lo..hi. */
static int32_t day_between(int32_t lo, int32_t hi)
{
	return hi <= lo ? lo : lo + (int32_t)rnd((uint32_t)(hi - lo + 1));
}

enum { K_SINGLE, K_SINGLE_PARENT, K_COUPLE, K_COUPLE_KIDS, K_YOUTH };

static void household(uint64_t h)
{
	struct person m[8], hm[3];
	int nm = 0, nh = 0;
	int mi = pick_muni();
	const struct muni *mu = &munis[mi];
	const char *family = family_names[rnd(NELEM(family_names))];

	/* kind and members' ages */
	uint32_t k = rnd(1000);
	int kind = k < 400 ? K_SINGLE : k < 650 ? K_SINGLE_PARENT : k < 750 ? K_COUPLE
		 : k < 920 ? K_COUPLE_KIDS : K_YOUTH;
	int age;
	if (kind == K_YOUTH)
		age = 18 + (int)rnd(3);
	else if (chance(25))
		age = 67 + (int)rnd(9);  /* AOW age */
	else
		age = 21 + (int)rnd(46);
	if ((kind == K_SINGLE_PARENT || kind == K_COUPLE_KIDS) && age > 55)
		age = 25 + (int)rnd(30);

	/* the case */
	char case_id[16];
	snprintf(case_id, sizeof case_id, "C%08" PRIu64, h + 1);
	uint32_t st = rnd(1000);
	const char *status = st < 880 ? "active" : st < 920 ? "application" : st < 950 ? "suspended" : "ended";
	int32_t start, appl, endd = 0;
	if (st >= 880 && st < 920) {
		appl = day_between(days_from_civil(2026, 4, 1), days_from_civil(2026, 6, 15));
		start = appl + (int32_t)rnd(29);
	} else {
		start = day_between(days_from_civil(2012, 1, 1), days_from_civil(2026, 6, 1));
		appl = start - (int32_t)rnd(42);
		if (st >= 950)
			endd = day_between(start + 30, DATA_END);
	}
	uint32_t hs = rnd(1000);
	const char *housing = hs < 850 ? "rent" : hs < 880 ? "own" : hs < 950 ? "none" : hs < 970 ? "institution" : "homeless";

	/* the address */
	struct addr a;
	a.muni = mi;
	uint32_t ac = addr_counter[mi]++;
	uint32_t span = (uint32_t)(mu->pc_hi - mu->pc_lo + 1);
	a.number = ac % 240 + 1;
	a.letters[0] = (char)('A' + (ac / 240) % 26);
	a.letters[1] = (char)('A' + (ac / 240 / 26) % 26);
	a.letters[2] = '\0';
	a.pc = (uint32_t)mu->pc_lo + (ac / (240 * 676)) % span;
	uint32_t sx = rnd(1000);
	a.suffix = sx < 880 ? "" : sx < 930 ? "A" : sx < 960 ? "1" : sx < 980 ? "2" : "H";

	/* persons: members */
	write_person(&m[nm++], family, age);
	int partner = kind == K_COUPLE || kind == K_COUPLE_KIDS;
	if (partner) {
		int pa = age + (int)rnd(9) - 4;
		if (pa < 18)
			pa = 18;
		write_person(&m[nm++], chance(700) ? family : family_names[rnd(NELEM(family_names))], pa);
	}
	int nkids = 0;
	if (kind == K_SINGLE_PARENT || kind == K_COUPLE_KIDS) {
		uint32_t r = rnd(100);
		nkids = kind == K_SINGLE_PARENT ? (r < 40 ? 1 : r < 75 ? 2 : r < 92 ? 3 : 4)
						: (r < 25 ? 1 : r < 60 ? 2 : r < 87 ? 3 : 4);
		int maxage = age - 18 < 17 ? age - 18 : 17;
		for (int i = 0; i < nkids && nm < 8; i++) {
			int ka = maxage > 0 ? (int)rnd((uint32_t)maxage + 1) : 0;
			if (i == 0 && age >= 38 && chance(30))
				ka = 18;  /* a child member of 18: verify */
			write_person(&m[nm++], family, ka);
		}
	}
	/* housemates at the same address, not members */
	if ((kind == K_SINGLE && chance(300)) || ((kind == K_COUPLE || kind == K_SINGLE_PARENT) && chance(60))) {
		nh = chance(700) ? 1 : 2;
		for (int i = 0; i < nh; i++) {
			int ha = 18 + (int)rnd(63);
			write_person(&hm[i], family_names[rnd(NELEM(family_names))], ha);
			hm[i].housemate_kind = hm[i].age < 30 && chance(400) ? 1 : chance(100) ? 2 : 0;
		}
	} else if (kind == K_YOUTH && chance(550)) {
		nh = chance(600) ? 2 : 1;
		for (int i = 0; i < nh; i++) {
			write_person(&hm[i], family, age + 22 + (int)rnd(20));
			hm[i].housemate_kind = 0;
		}
	}
	int cost_sharers = 0;
	for (int i = 0; i < nh; i++)
		if (hm[i].age >= 27 && hm[i].housemate_kind == 0)
			cost_sharers++;

	/* the case row */
	s(case_id);
	c(',');
	s(mu->code);
	c(',');
	s(status);
	c(',');
	date(appl);
	c(',');
	date(start);
	c(',');
	if (endd)
		date(endd);
	c(',');
	if (chance(985)) {
		char ib[19];
		iban(ib, banks[rnd(NELEM(banks))], h * 7919 + 1000003);
		s(ib);
	}
	c(',');
	{
		char an[80];
		snprintf(an, sizeof an, "%c. %s", m[0].given[0], family);
		s(an);
	}
	c(',');
	s(housing);
	int has_wage = chance(100);
	int has_alimony = kind == K_SINGLE_PARENT && chance(100);
	c(',');
	if (has_wage && age >= 27 && chance(600))
		date(day_between(days_from_civil(2025, 7, 1), days_from_civil(2026, 6, 1)));
	c(',');
	if (has_wage && kind == K_SINGLE_PARENT && age >= 27 && chance(500))
		date(day_between(days_from_civil(2024, 1, 1), days_from_civil(2026, 1, 1)));
	c(',');
	if (cost_sharers && age >= 21 && !partner)
		u((uint64_t)(1 + cost_sharers + (chance(30) ? 1 : 0)), 1);
	else if (cost_sharers && age >= 21)
		u((uint64_t)(2 + cost_sharers), 1);
	end(T_CASES);

	/* members */
	for (int i = 0; i < nm; i++) {
		s(case_id);
		c(',');
		bsn(m[i].bsn);
		c(',');
		s(i == 0 ? "applicant" : i == 1 && partner ? "partner" : "child");
		c(',');
		date(start > m[i].birth ? start : m[i].birth);
		c(',');
		if (endd)
			date(endd > m[i].birth ? endd : m[i].birth + 1);
		end(T_MEMBERS);
	}

	/* addresses: members and housemates */
	int32_t moved_in = start - (int32_t)rnd(3650);
	for (int i = 0; i < nm; i++)
		write_address(&m[i], &a, moved_in);
	for (int i = 0; i < nh; i++) {
		int32_t f = moved_in + (int32_t)rnd(2000);
		write_address(&hm[i], &a, f < REF ? f : REF);
	}

	/* incomes 2026-01..06 */
	if (chance(280)) {
		int64_t zt = 12000 + (int64_t)rnd(2000);
		for (int mo = 1; mo <= 6; mo++)
			write_income(m[0].bsn, mo, "allowance", zt, "other");
	}
	if (has_wage) {
		int from = 1 + (int)rnd(6);
		int who = partner && chance(400) ? 1 : 0;
		int64_t w = 20000 + (int64_t)rnd(120000);
		for (int mo = from; mo <= 6; mo++)
			write_income(m[who].bsn, mo, "wage", w + (int64_t)rnd(5000), chance(900) ? "polis" : "declared");
	}
	if (nkids) {
		int64_t kb = 28000 * nkids;
		write_income(m[0].bsn, 1, "child_benefit", kb, "other");
		write_income(m[0].bsn, 4, "child_benefit", kb, "other");
	}
	if (has_alimony)
		for (int mo = 1; mo <= 6; mo++)
			write_income(m[0].bsn, mo, "alimony", 15000 + (int64_t)rnd(30000), "declared");
	if (chance(30)) {
		int mo = 1 + (int)rnd(6);
		write_income(m[0].bsn, mo, "gift", 5000 + (int64_t)rnd(100000), "declared");
	}
	if (kind == K_YOUTH && chance(150))
		for (int mo = 1; mo <= 6; mo++)
			write_income(m[0].bsn, mo, "study_finance", 30000 + (int64_t)rnd(20000), "other");
	for (int i = 0; i < nh; i++)
		if (hm[i].housemate_kind == 1)
			for (int mo = 1; mo <= 6; mo++)
				write_income(hm[i].bsn, mo, "study_finance", 40000, "other");

	/* assets: reference date 2026-05-01 */
	if (chance(550)) {
		s(case_id);
		s(",bank,");
		money((int64_t)rnd(chance(50) ? 2000000u : 700000u));
		c(',');
		date(REF);
		end(T_ASSETS);
	}
	if (chance(80)) {
		s(case_id);
		s(",cash,");
		money((int64_t)rnd(50000));
		c(',');
		date(REF);
		end(T_ASSETS);
	}
	if (chance(100)) {
		s(case_id);
		s(",debt,");
		money(1000 + (int64_t)rnd(1500000));
		c(',');
		date(REF);
		end(T_ASSETS);
	}
	if (chance(60)) {  /* a vehicle: RDW and the case's assets */
		int64_t v = 50000 + (int64_t)rnd(1500000);
		static const char L[] = "BDFGHJKLNPRSTVXZ";
		char plate[16];
		snprintf(plate, sizeof plate, "%c%c-%03u-%c", L[rnd(16)], L[rnd(16)], rnd(1000), L[rnd(16)]);
		bsn(m[0].bsn);
		c(',');
		s(plate);
		c(',');
		money(v);
		c(',');
		date(day_between(days_from_civil(2015, 1, 1), days_from_civil(2026, 4, 30)));
		c(',');
		end(T_VEHICLES);
		s(case_id);
		s(",vehicle,");
		money(v);
		c(',');
		date(REF);
		end(T_ASSETS);
	}
	if (strcmp(housing, "own") == 0) {
		int64_t v = 15000000 + (int64_t)rnd(30000000);
		int64_t mort = v / 2 + (int64_t)rnd((uint32_t)(v / 2));
		int32_t from = day_between(days_from_civil(1995, 1, 1), start);
		bsn(m[0].bsn);
		c(',');
		money(v);
		c(',');
		money(mort);
		c(',');
		date(from);
		end(T_PROPERTIES);
		s(case_id);
		s(",property,");
		money(v);
		c(',');
		date(REF);
		end(T_ASSETS);
		s(case_id);
		s(",debt,");
		money(mort);
		c(',');
		date(REF);
		end(T_ASSETS);
	}

	/* sanctions */
	if (chance(30)) {
		static const int pct[] = {5, 10, 20, 30, 50, 100};
		static const char *const reason[] = {"01", "03", "05", "06", "07", "08", "98"};
		int mo = 1 + (int)rnd(6);
		int mo2 = mo + (int)rnd(3);
		if (mo2 > 6)
			mo2 = 6;
		s(case_id);
		c(',');
		u((uint64_t)pct[rnd(6)], 1);
		c(',');
		date(month_start(mo));
		c(',');
		date(month_end(mo2));
		c(',');
		s(reason[rnd(7)]);
		end(T_SANCTIONS);
	}

	/* studies: student housemates and some youth */
	for (int i = 0; i < nh; i++)
		if (hm[i].housemate_kind == 1) {
			int32_t f = day_between(days_from_civil(2021, 9, 1), days_from_civil(2025, 9, 1));
			bsn(hm[i].bsn);
			c(',');
			date(f);
			c(',');
			date(f + 1460);
			s(",yes");
			end(T_STUDIES);
		}
	if (kind == K_YOUTH && chance(150)) {
		bsn(m[0].bsn);
		s(",2025-09-01,2026-07-31,");
		s(chance(700) ? "yes" : "no");
		end(T_STUDIES);
	}

	/* contracts: commercial tenants among the housemates */
	for (int i = 0; i < nh; i++)
		if (hm[i].housemate_kind == 2) {
			bsn(hm[i].bsn);
			c(',');
			s(chance(800) ? "commercial_rent" : "commercial_board");
			c(',');
			date(day_between(days_from_civil(2018, 1, 1), days_from_civil(2026, 3, 1)));
			c(',');
			end(T_CONTRACTS);
		}

	/* detentions, stays abroad */
	if (chance(5)) {
		int32_t f = day_between(YEAR_START, DATA_END);
		bsn(m[0].bsn);
		c(',');
		date(f);
		c(',');
		if (chance(700))
			date(f + 1 + (int32_t)rnd(120));
		end(T_DETENTIONS);
	}
	if (chance(15)) {
		int32_t f = day_between(days_from_civil(2025, 10, 1), DATA_END);
		bsn(m[nm > 1 && chance(300) ? 1 : 0].bsn);
		c(',');
		date(f);
		c(',');
		date(f + 3 + (int32_t)rnd(60));
		end(T_STAYS);
	}

	/* benefits: UWV (WW, WIA), SVB (AOW for those at AOW age) */
	if (chance(35)) {
		int who = partner && chance(500) ? 1 : 0;
		int mo = 1 + (int)rnd(6);
		int64_t amt = 40000 + (int64_t)rnd(110000);
		bsn(m[who].bsn);
		s(",UWV,");
		s(chance(800) ? "WW" : "WIA");
		c(',');
		date(month_start(mo));
		c(',');
		date(month_start(mo) + 180 + (int32_t)rnd(365));
		c(',');
		money(amt);
		end(T_BENEFITS);
		for (int x = mo; x <= 6; x++)
			write_income(m[who].bsn, x, "benefit", amt, "polis");
	}
	if (m[0].age >= 67) {
		int64_t amt = 20000 + (int64_t)rnd(80000);
		bsn(m[0].bsn);
		s(",SVB,AOW,");
		date(m[0].birth + 67 * 365 + 17);
		s(",,");
		money(amt);
		end(T_BENEFITS);
		for (int x = 1; x <= 6; x++)
			write_income(m[0].bsn, x, "benefit", amt, "polis");
	}
}

static void policy(void)
{
	for (int i = 0; i < NMUNI; i++) {
		const char *code = munis[i].code;
		char ib[19];
		char acct_name[80];
		iban(ib, "BNGH", UINT64_C(285000000) + (uint64_t)atoi(code) * 7);
		snprintf(acct_name, sizeof acct_name, "\"Gemeente %s\"", munis[i].name);
		struct {
			const char *key, *value;
		} kv[] = {
			{"housing_reduction_percent", i % 3 == 0 ? "20" : i % 3 == 1 ? "10" : "15"},
			{"proration", "calendar_days"},
			{"gift_allowance_per_year", "1200"},
			{"holiday_allowance_month", i % 2 ? "5" : "6"},
			{"payment_day", i % 4 == 0 ? "25" : "24"},
			{"debtor_name", acct_name},
			{"debtor_iban", ib},
			{"debtor_bic", "BNGHNL2G"},
			{"software_package", i % 3 == 0 ? "gws" : i % 3 == 1 ? "sam" : "soc"},
			{"vehicle_value_review", "5000"},
			{"application_search_weeks", "4"},
		};
		for (size_t j = 0; j < sizeof kv / sizeof kv[0]; j++) {
			s(code);
			c(',');
			s(kv[j].key);
			c(',');
			s(kv[j].value);
			s(",2026-01-01");
			end(T_POLICY);
		}
	}
}

static int parse_u64(const char *arg, uint64_t max, uint64_t *val)
{
	if (!*arg || *arg == '-' || *arg == '+')
		return -1;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(arg, &e, 10);
	if (errno || *e || v > max)
		return -1;
	*val = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000, seed = 1;
	const char *dir = ".";
	static const struct option opts[] = {
		{"households", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "n:s:o:h", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (parse_u64(optarg, 3000000, &n) || n == 0) {
				fprintf(stderr, "gbi-gen: -n '%s': not a number of households in 1..3000000\n", optarg);
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &seed)) {
				fprintf(stderr, "gbi-gen: -s '%s': not a seed in 0..18446744073709551615\n", optarg);
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gbi-gen: unexpected argument '%s'\n", argv[optind]);
		fputs(usage, stderr);
		return 2;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "gbi-gen: %s: %s\n", dir, strerror(errno));
		return 5;
	}
	for (int t = 0; t < T_N; t++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s.csv", dir, tables[t].name) >= sizeof path) {
			fprintf(stderr, "gbi-gen: %s: path too long\n", dir);
			return 2;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || !(out[t] = fdopen(fd, "w"))) {
			fprintf(stderr, "gbi-gen: %s: %s\n", path, strerror(errno));
			return 5;
		}
		setvbuf(out[t], NULL, _IOFBF, 1 << 18);
		fputs(tables[t].header, out[t]);
		fputc('\n', out[t]);
	}
	REF = days_from_civil(2026, 5, 1);
	DATA_END = days_from_civil(2026, 6, 30);
	YEAR_START = days_from_civil(2026, 1, 1);
	for (int i = 0; i < NMUNI; i++)
		weight_total += munis[i].weight;
	rng_state = seed;

	policy();
	for (uint64_t h = 0; h < n; h++)
		household(h);

	int status = 0;
	for (int t = 0; t < T_N; t++) {
		if (ferror(out[t]) | fclose(out[t])) {
			fprintf(stderr, "gbi-gen: %s/%s.csv: %s\n", dir, tables[t].name, strerror(errno));
			status = 5;
		}
	}
	if (status)
		return status;
	for (int t = 0; t < T_N; t++)
		printf("%s.csv %ld\n", tables[t].name, rows[t]);
	return 0;
}
