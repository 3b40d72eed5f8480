/*
 * apply.h — the records layer's remote side: blocks received from peers
 * reach the store only through here, as local writes do through
 * mf_records_put.  Thin today (it verifies with the node's keyring and
 * hands each block to the store), it is the place where later checks of
 * received records go.
 *
 * The caller drives the apply block by block, so it can do its own work
 * between blocks (sync sends due heartbeats):
 *
 *	if (mf_records_apply_begin(node, &res, err, len) != 0) fail;
 *	for each block: rc = mf_records_apply_block(node, &b, &res, err, len);
 *		rc 0: applied or already held; 1: rejected (details in res,
 *		err): stop, commit what came before; -1: store error: roll back
 *	mf_records_apply_commit(node, err, len) or
 *	mf_records_apply_rollback(node, &res)
 */
#ifndef MF_RECORDS_APPLY_H
#define MF_RECORDS_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"
#include "store.h"

/*
 * Receipt checks of the records layer and the real reason of a rejection
 * the store reports as MF_APPLY_BAD_SIGNATURE (mf_block_verify checks the
 * header's shape and its signature in one): these outcomes extend enum
 * mf_apply_outcome (store.h) in res->first_error.
 *
 *	MF_RECV_BAD_SHAPE	header or leaves malformed (validly signed or not
 *				decodable): never a matter of keys
 *	MF_RECV_UNKNOWN_ORIGIN	no signing key configured for the origin
 *	MF_RECV_TOO_LARGE	the versions sent with one block exceed the
 *				sealing cap (MF_BLOCK_MAX_BYTES of bodies, plus
 *				MF_VERSION_OVERHEAD per leaf for their fields)
 *	MF_RECV_REVOKED		validly signed by a key revoked for that seq
 *				(doc/KEYS.md); counted in node->revoked_refused
 *
 * A block applied that carries a region_key record puts its key in force
 * for the blocks after it (the node's keyring learns it at once, so the
 * next block of the same batch already verifies against it).
 */
#define MF_RECV_BAD_SHAPE ((enum mf_apply_outcome)(MF_APPLY_FORK + 1))
#define MF_RECV_UNKNOWN_ORIGIN ((enum mf_apply_outcome)(MF_APPLY_FORK + 2))
#define MF_RECV_TOO_LARGE ((enum mf_apply_outcome)(MF_APPLY_FORK + 3))
#define MF_RECV_REVOKED ((enum mf_apply_outcome)(MF_APPLY_FORK + 4))
#define MF_VERSION_OVERHEAD 256

/* A short name of an outcome, for logs ("bad signature", "too large"). */
const char *mf_records_outcome_name(enum mf_apply_outcome o);

int mf_records_apply_begin(mf_node *node, mf_apply_result *res, char *err, size_t errlen);
int mf_records_apply_block(mf_node *node, const mf_block_in *b, mf_apply_result *res,
			   char *err, size_t errlen);
int mf_records_apply_commit(mf_node *node, char *err, size_t errlen);
void mf_records_apply_rollback(mf_node *node, mf_apply_result *res);

/* Group commit for a catch-up (store.h, mf_store_apply_group): steps
 * share one transaction, committed by size or age, or here when nothing
 * more is queued.  Flush: 0, or -1 with err when the commit failed and the
 * group's blocks (and keys learned from them) are gone. */
void mf_records_apply_group(mf_node *node, int on);
int mf_records_apply_flush(mf_node *node, char *err, size_t errlen);

/* Undo origin's chain from the block holding seq `from` on (a stream
 * withheld still-current versions).  0 or -1 with err. */
int mf_records_truncate_origin(mf_node *node, const char *origin, uint64_t from, char *err,
			       size_t errlen);

#endif
