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

int mf_records_apply_begin(mf_node *node, mf_apply_result *res, char *err, size_t errlen);
int mf_records_apply_block(mf_node *node, const mf_block_in *b, mf_apply_result *res,
			   char *err, size_t errlen);
int mf_records_apply_commit(mf_node *node, char *err, size_t errlen);
void mf_records_apply_rollback(mf_node *node, mf_apply_result *res);

/* Undo origin's chain from the block holding seq `from` on (a stream
 * withheld still-current versions).  0 or -1 with err. */
int mf_records_truncate_origin(mf_node *node, const char *origin, uint64_t from, char *err,
			       size_t errlen);

#endif
