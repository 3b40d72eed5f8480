/*
 * checks.h — the one check before sealing (issue 11), run by the records
 * layer on every local write whatever its source (put, import, the
 * exchange's verbs, a web page), and the checks of a request's arguments
 * with the hints that go with them.  Records received from peers are not
 * checked here: their owner's signature vouches for them.
 *
 * What is checked, in one place each (the rules are tables in check.c and
 * in doc/CHECKS.md):
 *   - dates: every date field of every kind read by one reader
 *     (mf_date_read: ISO or the Russian forms the plugins read) and written
 *     back as YYYY-MM-DD; calendar-valid; to >= from, end >= start;
 *   - counts: places, participants, places granted within the documented
 *     bounds below; a year within 1990..2100;
 *   - references (school_id, offer_id, roadmap_id, ...): a live record of
 *     the right kind held in the local store or written in the same batch,
 *     of the writing region where the domain says so;
 *   - ownership: no body field (region, code) claims another region; a
 *     pair's mentor is not its mentee.
 * An error names the record (number and id), the field and the reason,
 * with EX_DATAERR, and the batch stores nothing.
 */
#ifndef MF_CHECKS_H
#define MF_CHECKS_H

#include <stddef.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "kinds.h"
#include "node.h"

/* The documented bounds (exchange.h repeats them for its requests). */
#define MF_CHECK_MAX_PLACES 100000
#define MF_CHECK_MAX_PARTICIPANTS 100000
#define MF_CHECK_YEAR_MIN 1990
#define MF_CHECK_YEAR_MAX 2100

/* One record of a batch as the records layer has read it. */
typedef struct mf_check_rec {
	size_t n;		/* 1-based position in the batch, for messages */
	const char *kind;
	const char *id;
	int deleted;
	json_t *json;		/* the body as written (borrowed); NULL for a tombstone */
	ProtobufCMessage *msg;	/* the decoded body; its dates are rewritten to ISO */
} mf_check_rec;

/*
 * Check a batch of local records about to be sealed.  NULL when every
 * record passed (dates in msg are then ISO), else an error reply naming
 * the first failing record: "record N (ID): body.FIELD: reason", with
 * "index" (0-based) and "field" set, code EX_DATAERR.  Lookups in the
 * store are cached for the batch, so a 100k put with few distinct
 * references costs few queries.
 */
json_t *mf_check_records(mf_node *node, mf_check_rec *recs, size_t n);

/*
 * Check and normalise a control request's arguments before its command
 * runs (check_args.c): regions (case-insensitive, unknown ones refused
 * with the known list), dates (--at, --start, --end, --from, --to, read by
 * mf_date_read and rewritten to ISO), --month (and the offer's --month
 * turned into from/to), counts, schools and offers named by the request
 * (with "did you mean").  NULL, or an error reply (EX_DATAERR, or
 * EX_USAGE for a malformed request); req may be rewritten.
 */
json_t *mf_check_request(mf_node *node, json_t *req);

/* ---- hints (check_hint.c) */

/* The regions this node knows: its own, the configured ones and every
 * origin in its store, sorted, as "RU-CHE, RU-TOM" into buf. */
void mf_check_regions_text(mf_node *node, char *buf, size_t len);

/* given names a known region exactly, or but for case: 0 with the
 * canonical code in canon; else -1 with why ("no region RU-XXX on this
 * node (known: RU-CHE, RU-TOM)"). */
int mf_check_region(mf_node *node, const char *given, char canon[MF_REGION_MAX], char *why,
		    size_t whylen);

/* A hint for a school id that does not resolve: "; did you mean ID
 * («NAME»)?" for the closest school by id or name, a note on non-Latin
 * look-alike letters in an id, or "" (buf always terminated). */
void mf_check_school_hint(mf_node *node, const char *given, char *buf, size_t len);

#endif
