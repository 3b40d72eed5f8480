/*
 * exchange.h — the mentoring exchange over the whole federation's records:
 * finding mentor schools, mentoring pairs, interregional internships and
 * the federation overview.  Included only by the daemon's command table.
 *
 * Everything here reads the node's store, which holds every region's
 * verified records; writes go through the records layer (mf_records_put)
 * as records of this node's region only: a proposal is the mentee's
 * region's record, the answer the mentor's; an application the
 * applicant's region's, the decision the host's.  The exchange announces
 * nothing: the command table tells sync after a write command.
 *
 * Each function takes the request object (borrowed) and returns a reply
 * (new reference) shaped for the client: {"ok": true, "data": ...,
 * "tables": [{"title", "columns", "rows"}]} so the client renders tables,
 * CSV or JSON generically; writes return the records layer's reply.
 */
#ifndef MF_EXCHANGE_H
#define MF_EXCHANGE_H

#include <jansson.h>

#include "node.h"

/* Most places one offer and participants one application may carry (the
 * client's --places/--participants accept 1..100000 too).  More is refused
 * with EX_DATAERR naming the field.  Records of other regions may carry
 * any uint32: sums are taken in 64 bits, so they never wrap. */
#define MF_EXCHANGE_MAX_PLACES 100000
#define MF_EXCHANGE_MAX_PARTICIPANTS 100000

/* req: {"school": ID, "directions": [..]?, "limit": N?} */
json_t *mf_exchange_find_mentor(mf_node *node, json_t *req);

/* req: {"mentor": ID, "mentee": ID, "directions": [..], "start": DATE, "end"?, "note"?} */
json_t *mf_exchange_pair_propose(mf_node *node, json_t *req);
/* req: {"proposal": ID, "confirm": bool, "note"?} */
json_t *mf_exchange_pair_answer(mf_node *node, json_t *req);
/* req: {} */
json_t *mf_exchange_pair_list(mf_node *node, json_t *req);

/* req: {"host": ID, "title", "directions": [..], "from", "to", "places", "open": bool, "description"?} */
json_t *mf_exchange_offer(mf_node *node, json_t *req);
/* req: {"offer": ID, "school": ID, "participants": N?, "note"?} */
json_t *mf_exchange_apply(mf_node *node, json_t *req);
/* req: {"offer": ID}: decide every undecided application in a
 * deterministic order (application HLC, then id) without over-filling. */
json_t *mf_exchange_decide(mf_node *node, json_t *req);
/* req: {"application": ID, "accept": bool, "reason"?} */
json_t *mf_exchange_decide_one(mf_node *node, json_t *req);
/* req: {"directions"?: [..], "month"?: "YYYY-MM", "region"?} */
json_t *mf_exchange_offers(mf_node *node, json_t *req);
/* req: {"offer": ID} */
json_t *mf_exchange_offer_show(mf_node *node, json_t *req);

/* req: {} */
json_t *mf_exchange_overview(mf_node *node, json_t *req);

#endif
