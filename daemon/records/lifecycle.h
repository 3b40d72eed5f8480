/*
 * lifecycle.h — the lifecycles of mentoring pairs, internship applications
 * and internship offers as state machines (doc/LIFECYCLES.md), enforced
 * in the records layer on every local write of those kinds: put, import,
 * the exchange verbs alike.
 *
 * Each kind has one table of transitions (from, to, the region that may
 * make it, what it records).  A write that is not a transition of the
 * table is refused with EX_DATAERR naming the current state and who may
 * act.  A write equal to the current version is no transition and passes
 * (the store skips it as unchanged).
 *
 * The states are derived from records, never stored apart: a pair's from
 * its proposal and the mentor region's answer, an application's from the
 * application (withdrawn) and the host region's decision, an offer's from
 * the offer.  The exchange reads them through the same functions, so what
 * it shows is what the check enforces.
 */
#ifndef MF_LIFECYCLE_H
#define MF_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "store.h"

/*
 * Check puts[0..n) — the records one local write of `region` is about to
 * commit, each already checked on its own — against the lifecycle tables.
 * Records earlier in the batch count as written.  Returns NULL, or an
 * EX_DATAERR reply naming the record ("record 2 (ID): the pair ... is
 * confirmed; only RU-TOM (the mentor's region) may end it") with "index".
 */
json_t *mf_lifecycle_check(mf_store *st, const char *region, const mf_put *puts, size_t n);

/* ---------------------------------------------------------------- states */

/* Application states (doc/LIFECYCLES.md). */
enum mf_app_state {
	MF_APP_NONE = 0,	/* no record yet */
	MF_APP_SUBMITTED,
	MF_APP_ACCEPTED,
	MF_APP_DECLINED,
	MF_APP_WAITLISTED,
	MF_APP_WITHDRAWN
};
const char *mf_app_state_name(int state);

/* Offer states; a record without a state is open. */
enum mf_offer_state {
	MF_OFFER_NONE = 0,
	MF_OFFER_OPEN,
	MF_OFFER_CLOSED,
	MF_OFFER_CANCELLED
};
const char *mf_offer_state_name(int state);
/* The lifecycle state of an offer body's OfferState value. */
int mf_offer_state_of(int pb_state);

/* One application with its host region's decision and its state. */
typedef struct mf_lc_app {
	char *id, *offer, *school, *note;
	uint64_t participants;	/* 0 in the record reads as 1 */
	uint64_t hlc;		/* UINT64_MAX for a record of the batch being checked */
	int withdrawn;
	char *decision_id;	/* NULL: undecided */
	int decision;		/* Decision value */
	uint64_t granted;
	uint64_t hlc_decision;	/* the decision's HLC: the latest counts */
	char *reason;		/* the decision's, or the withdrawal's */
	int state;		/* enum mf_app_state */
} mf_lc_app;

typedef struct mf_lc_apps {
	mf_lc_app *v;	/* in submission order: HLC, then id */
	size_t n, cap;
} mf_lc_apps;

/* The applications to `offer` (NULL: every offer) with their decisions,
 * in submission order.  Only decisions of the offer's region count, and
 * of those the latest.  0 or -1. */
int mf_lc_apps_load(mf_store *st, const char *offer, mf_lc_apps *a);
void mf_lc_apps_free(mf_lc_apps *a);
/* Places held by accepted applications to `offer` (64-bit sum). */
uint64_t mf_lc_places_taken(const mf_lc_apps *a, const char *offer);
/* 1-based position of application `id` on its offer's waiting list, or 0. */
size_t mf_lc_waiting_position(const mf_lc_apps *a, const char *id);

/* Why `want` participants do not fit, in words that match the numbers:
 * "2 places, 2 taken by accepted applications: none left; 1 requested". */
void mf_lc_no_room(char *buf, size_t len, uint64_t places, uint64_t taken, uint64_t want);

#endif
