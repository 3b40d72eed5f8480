/*
 * query.h — the mentoring exchange over the whole federation's records:
 * finding mentor schools, mentoring pairs, interregional internships and
 * the federation overview.  Everything here reads the local store, which
 * holds every region's verified records; writes go through
 * mf_ctl_put_records as records of this node's region only.
 *
 * Each function returns a reply object (new reference) shaped for the
 * client: {"ok": true, "data": ..., "tables": [{"title", "columns",
 * "rows"}]} so the client renders tables, CSV or JSON generically.
 */
#ifndef MF_QUERY_H
#define MF_QUERY_H

#include <jansson.h>

#include "ctl.h"

/* req: {"school": ID, "directions": [..]?, "limit": N?} */
json_t *mf_query_find_mentor(mf_daemon *d, json_t *req);

/* req: {"mentor": ID, "mentee": ID, "directions": [..], "start": DATE, "end"?, "note"?} */
json_t *mf_query_pair_propose(mf_daemon *d, json_t *req);
/* req: {"proposal": ID, "confirm": bool, "note"?} */
json_t *mf_query_pair_answer(mf_daemon *d, json_t *req);
json_t *mf_query_pair_list(mf_daemon *d, json_t *req);

/* req: {"host": ID, "title", "directions": [..], "from", "to", "places", "open": bool, "description"?} */
json_t *mf_query_offer(mf_daemon *d, json_t *req);
/* req: {"offer": ID, "school": ID, "participants": N, "note"?} */
json_t *mf_query_apply(mf_daemon *d, json_t *req);
/* req: {"offer": ID}: decide every undecided application in a
 * deterministic order (application HLC, then id) without over-filling. */
json_t *mf_query_decide(mf_daemon *d, json_t *req);
/* req: {"application": ID, "accept": bool, "reason"?} */
json_t *mf_query_decide_one(mf_daemon *d, json_t *req);
/* req: {"direction"?, "month"? "YYYY-MM", "region"?} */
json_t *mf_query_offers(mf_daemon *d, json_t *req);
/* req: {"offer": ID} */
json_t *mf_query_offer_show(mf_daemon *d, json_t *req);

/* req: {} */
json_t *mf_query_overview(mf_daemon *d, json_t *req);

#endif
