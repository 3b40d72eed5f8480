/*
 * records.h — the records layer: the one way a local record reaches the
 * store.  Every write of this node's region, whatever its source (put,
 * import, the exchange verbs, a future web page), goes through
 * mf_records_put: check, then seal, then store, in one transaction.
 *
 * It sits above the core (store, keys, json) and below everything that
 * writes (exchange, the daemon's commands).  It announces nothing: the
 * daemon's command table tells sync after a write command committed.
 */
#ifndef MF_RECORDS_H
#define MF_RECORDS_H

#include <jansson.h>

#include "node.h"

/* Most records one put may carry. */
#define MF_PUT_MAX_RECORDS 2000000

/*
 * records: a JSON array of {"kind", "id" | "key", "body", "deleted"?}
 * (stored fields "origin", "seq", "hlc", "hash" are accepted and ignored,
 * so `export` output goes back in).  All are checked, then committed as new
 * versions of this node's region in one transaction, or none is.
 *
 * Returns a reply (new reference): {"ok": true, "changed", "unchanged",
 * "first_seq", "last_seq", "blocks", "ids" (up to 1000)} or an error reply
 * naming the record ("record 3 (ID): …", "index": 2) with a sysexits code.
 * Local writes are refused while node->writes_refused is set.
 */
json_t *mf_records_put(mf_node *node, json_t *records);

/*
 * The node's signing key (doc/KEYS.md).  mf_records_key_rotate writes a
 * region_key record (the new key and its proof) alone in a block signed by
 * the old key, then makes the new key the node's (node.h,
 * mf_node_key_switch): {"ok", "id", "signing_key", "seq", "from_seq"}.
 * mf_records_key_replace is the re-join after a revocation: no record (the
 * old key is not to be trusted with one); the config revokes the old key
 * after the chain's head and puts the new one in force from the next seq,
 * which the other regions learn from the new card:
 * {"ok", "signing_key", "revoked_key", "revoked_after", "from_seq"}.
 */
json_t *mf_records_key_rotate(mf_node *node, const char *reason);
json_t *mf_records_key_replace(mf_node *node);

#endif
