/*
 * apply.c — the records layer's remote side (see apply.h): every write of
 * received records, and their undoing, passes here on its way to the store.
 */
#include "config.h"

#include "apply.h"
#include "store.h"

int
mf_records_apply_begin(mf_node *node, mf_apply_result *res, char *err, size_t errlen)
{
	return mf_store_apply_begin(node->store, res, err, errlen);
}

int
mf_records_apply_block(mf_node *node, const mf_block_in *b, mf_apply_result *res, char *err,
		       size_t errlen)
{
	/* The store verifies signature, chain link and every leaf's hash;
	 * checks of what received records say belong here, after it. */
	return mf_store_apply_block(node->store, node->keyring, b, res, err, errlen);
}

int
mf_records_apply_commit(mf_node *node, char *err, size_t errlen)
{
	return mf_store_apply_commit(node->store, err, errlen);
}

void
mf_records_apply_rollback(mf_node *node, mf_apply_result *res)
{
	mf_store_apply_rollback(node->store, res);
}

int
mf_records_truncate_origin(mf_node *node, const char *origin, uint64_t from, char *err,
			   size_t errlen)
{
	return mf_store_truncate_origin(node->store, origin, from, err, errlen);
}
