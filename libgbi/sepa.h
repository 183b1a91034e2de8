/*
 * sepa.h: the SEPA Credit Transfer file (ISO 20022 pain.001) and the same
 * transactions as CSV (gbi-export(1): pain001, payments).
 *
 * One transaction per calc_result with status 'payable' and payable > 0,
 * ordered by municipality and case id; one payment information block per
 * municipality, split every batch_max transactions.  The debtor (name, IBAN,
 * BIC) and the payment day come from the municipality's policy.  Following
 * the EPC 2023 customer-to-bank rules: CtrlSum and NbOfTxs in the group
 * header and every block, ChrgBr SLEV, SvcLvl SEPA, CtgyPurp SSBE, EUR,
 * names cut to 70, the SEPA Latin character set (diacritics transliterated),
 * no postal addresses, UTF-8 without BOM, written with libxml2's
 * xmlTextWriter straight to the output.
 *
 * First SQL aggregates give the counts and sums of every block (the headers
 * need them before the transactions); then one stream over the rows inside
 * the caller's read transaction checks each (IBAN mod-97, amount, name, the
 * character set, EndToEndId uniqueness with a fixed-size filter and an exact
 * recount of the ids it flags) while a second thread writes the XML, and the
 * counts and sums written must equal the aggregates.  A failure returns an
 * error: with a gbi_out on a temporary file nothing is left in place.  The
 * debtor policy is checked before anything is written.
 */
#ifndef GBI_SEPA_H
#define GBI_SEPA_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "export.h"
#include "store.h"

#define GBI_SEPA_BATCH_MAX 100000 /* BNG: at most 100,000 transactions per batch */
#define GBI_SEPA_ID_MAX 35

struct gbi_sepa_opts {
	int version;             /* 9 (pain.001.001.09, default) or 3 */
	const char *date;        /* requested execution date YYYY-MM-DD, or NULL: policy payment_day */
	const char *munis;       /* municipality filter, see gbi_export_munis */
	int64_t batch_max;       /* transactions per block, 1..GBI_SEPA_BATCH_MAX (0: the maximum) */
	int indent;              /* 1: one element per line, indented (about 30% larger, slower) */
};

/* Writes the pain.001 of run r to out.  t gets the counts and sum;
 * GBI_EINPUT (nothing written) when a check fails or a policy key is
 * missing, naming the municipality, case or key. */
gbi_status gbi_sepa_write(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
			  struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);

/* The same transactions as CSV:
 * municipality,case_id,period,iban,name,amount,end_to_end_id */
gbi_status gbi_sepa_payments_csv(struct gbi_store *s, const struct gbi_export_run *r, const struct gbi_sepa_opts *o,
				 struct gbi_out *out, struct gbi_export_totals *t, struct gbi_err *err);

/* Transliterates UTF-8 text into the SEPA Latin set (a-z A-Z 0-9 / - ? : ( )
 * . , ' + space): diacritics lose their marks, sharp s becomes ss, ae/oe/ij
 * ligatures two letters, '&' '+', quotes "'", '_' '-', anything else '.';
 * runs of spaces become one and the ends are trimmed.  At most maxchars
 * characters (out must hold maxchars+1).  Invalid UTF-8 bytes become '.'.
 * Returns the length. */
size_t gbi_sepa_translit(const char *in, char *out, size_t maxchars);

/* 1 when every byte of s is in the SEPA Latin set. */
int gbi_sepa_charset_ok(const char *s);

/* The EndToEndId of a case: "MMMM-YYYYMM-CASE" when the case id is at most
 * 23 characters of A-Z a-z 0-9 . -, else "MMMMYYYYMMH" and 24 base-32
 * characters of the SHA-256 of "MMMM/YYYY-MM/CASE".  At most 35
 * characters, no '/', distinct for distinct (municipality, case, period). */
void gbi_sepa_e2e_id(const char *muni, const char *period, const char *case_id, char out[GBI_SEPA_ID_MAX + 1]);

/* A BIC: 4 letters bank, 2 letters country, 2 letters/digits location,
 * optionally 3 letters/digits branch.  NULL when valid, else the reason. */
const char *gbi_sepa_check_bic(const char *s);

#endif
