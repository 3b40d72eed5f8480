/*
 * apply.c — the records layer's remote side (see apply.h): every write of
 * received records, and their undoing, passes here on its way to the store.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "keys.h"
#include "proto/records.pb-c.h"
#include "record.h"
#include "store.h"
#include "util.h"

int
mf_records_apply_begin(mf_node *node, mf_apply_result *res, char *err, size_t errlen)
{
	return mf_store_apply_begin(node->store, res, err, errlen);
}

const char *
mf_records_outcome_name(enum mf_apply_outcome o)
{
	switch ((int)o) {
	case MF_APPLY_OK: return "ok";
	case MF_APPLY_DUPLICATE: return "duplicate";
	case MF_APPLY_BAD_SIGNATURE: return "bad signature";
	case MF_APPLY_NO_LINK: return "does not link to the chain";
	case MF_APPLY_BAD_VERSION: return "bad version";
	case MF_APPLY_FORK: return "fork";
	case (int)MF_RECV_BAD_SHAPE: return "malformed block";
	case (int)MF_RECV_UNKNOWN_ORIGIN: return "unknown origin";
	case (int)MF_RECV_TOO_LARGE: return "too large";
	}
	return "?";
}

/* The store said "bad signature": was it the shape, the key or the
 * signature?  Only on this failure path is the header decoded again, for
 * the origin and the seq the log and the counters name. */
static void
classify_rejection(mf_node *node, const mf_block_in *b, mf_apply_result *res)
{
	Mentorfed__BlockHeader *h = mentorfed__block_header__unpack(NULL, b->header_len, b->header);
	const mf_key *k;

	if (h == NULL) {
		res->first_error = MF_RECV_BAD_SHAPE;
		return;
	}
	if (h->origin != NULL && strlen(h->origin) < sizeof(res->origin))
		mf_strlcpy(res->origin, h->origin, sizeof(res->origin));
	res->error_seq = h->first_seq;
	k = h->origin ? mf_keyring_get(node->keyring, h->origin) : NULL;
	if (k == NULL)
		res->first_error = MF_RECV_UNKNOWN_ORIGIN;
	else if (mf_key_verify(k, b->header, b->header_len, b->sig, b->sig_len) == 0)
		res->first_error = MF_RECV_BAD_SHAPE;	/* signed, but malformed */
	mentorfed__block_header__free_unpacked(h, NULL);
}

int
mf_records_apply_block(mf_node *node, const mf_block_in *b, mf_apply_result *res, char *err,
		       size_t errlen)
{
	size_t bytes = 0;
	int rc;

	/* Size caps first, before anything is decoded: a block carries at
	 * most MF_BLOCK_MAX_LEAVES versions and at most the sealing cap of
	 * bodies (the signer seals a new block past it). */
	for (size_t i = 0; i < b->n_versions; i++)
		bytes += b->version_lens[i];
	if (b->n_versions > MF_BLOCK_MAX_LEAVES ||
	    bytes > MF_BLOCK_MAX_BYTES + (size_t)MF_BLOCK_MAX_LEAVES * MF_VERSION_OVERHEAD) {
		snprintf(err, errlen, "block with %zu versions of %zu bytes; the limits are %d versions and %u bytes of bodies",
			 b->n_versions, bytes, MF_BLOCK_MAX_LEAVES, MF_BLOCK_MAX_BYTES);
		res->rejected_blocks++;
		res->first_error = MF_RECV_TOO_LARGE;
		res->error_seq = 0;
		{
			Mentorfed__BlockHeader *h = mentorfed__block_header__unpack(NULL, b->header_len,
										     b->header);
			if (h != NULL) {
				if (h->origin && strlen(h->origin) < sizeof(res->origin))
					mf_strlcpy(res->origin, h->origin, sizeof(res->origin));
				res->error_seq = h->first_seq;
				mentorfed__block_header__free_unpacked(h, NULL);
			}
		}
		return 1;
	}
	/* The store verifies signature, chain link and every leaf's hash. */
	rc = mf_store_apply_block(node->store, node->keyring, b, res, err, errlen);
	if (rc == 1 && res->first_error == MF_APPLY_BAD_SIGNATURE)
		classify_rejection(node, b, res);
	return rc;
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
