/*
 * apply.c — the records layer's remote side (see apply.h): every write of
 * received records, and their undoing, passes here on its way to the store.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "keys.h"
#include "log.h"
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
	case (int)MF_RECV_REVOKED: return "revoked key";
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
	mf_key_choice kc;
	int pr;

	if (h == NULL) {
		res->first_error = MF_RECV_BAD_SHAPE;
		return;
	}
	if (h->origin != NULL && strlen(h->origin) < sizeof(res->origin))
		mf_strlcpy(res->origin, h->origin, sizeof(res->origin));
	res->error_seq = h->first_seq;
	pr = h->origin ? mf_keyring_pick(node->keyring, h->origin, h->first_seq, &kc) : -1;
	if (pr < 0) {
		res->first_error = MF_RECV_UNKNOWN_ORIGIN;
	} else if (mf_key_verify(kc.key, b->header, b->header_len, b->sig, b->sig_len) == 0) {
		if (pr == 1) {
			char fpr[17];
			mf_key_fpr(kc.pub, fpr);
			res->first_error = MF_RECV_REVOKED;
			node->revoked_refused++;
			snprintf(node->revoked_last, sizeof(node->revoked_last),
				 "region %s, key %s (revoked after seq %llu), block seq %llu..%llu",
				 h->origin, fpr, (unsigned long long)kc.revoked_after,
				 (unsigned long long)h->first_seq, (unsigned long long)h->last_seq);
			mf_warn("keys: refused a block signed by a revoked key: %s", node->revoked_last);
		} else {
			res->first_error = MF_RECV_BAD_SHAPE;	/* signed, but malformed */
		}
	}
	mentorfed__block_header__free_unpacked(h, NULL);
}

/*
 * A block just applied may carry a region_key record: its key is in force
 * from the next seq, for the next block of this very batch too.  Only
 * versions that mention the kind are decoded (a cheap scan first: every
 * other block costs no decode here).
 */
/* Does buf hold s (not a C string)? */
static int
holds(const uint8_t *buf, size_t len, const char *s)
{
	size_t sl = strlen(s);

	for (size_t i = 0; i + sl <= len; i++)
		if (buf[i] == (uint8_t)s[0] && memcmp(buf + i, s, sl) == 0)
			return 1;
	return 0;
}

static void
learn_keys(mf_node *node, const mf_block_in *b)
{
	static const char kind[] = "region_key";
	char err[256];

	for (size_t i = 0; i < b->n_versions; i++) {
		Mentorfed__Version *v;
		uint8_t pub[MF_PUBKEY_LEN];
		char fpr[17];

		if (!holds(b->versions[i], b->version_lens[i], kind))
			continue;
		v = mentorfed__version__unpack(NULL, b->version_lens[i], b->versions[i]);
		if (v == NULL)
			continue;
		if (strcmp(v->kind, kind) == 0 && !v->deleted) {
			if (mf_region_key_learn(node->keyring, v->origin, v->seq, v->body.data,
						v->body.len, pub, err, sizeof(err)) == 0) {
				mf_key_fpr(pub, fpr);
				mf_info("keys: region %s rotated its signing key: key %s in force from seq %llu",
					v->origin, fpr, (unsigned long long)v->seq + 1);
			} else {
				mf_warn("keys: %s; blocks of %s after it will not verify", err, v->origin);
			}
		}
		mentorfed__version__free_unpacked(v, NULL);
	}
}

/*
 * A rotation that would not hold (its proof does not verify, it replaces
 * a key not in force at its seq, it does not decode) is refused with its
 * block before anything is stored: kept, it would reach every region as a
 * signed record that announces a key nobody can use (doc/KEYS.md).  The
 * owner signed it, so the block is malformed, not forged: no relay is
 * blamed for it.  1 when refused (res and err say why).
 */
static int
rotation_refused(mf_node *node, const mf_block_in *b, mf_apply_result *res, char *err,
		 size_t errlen)
{
	static const char kind[] = "region_key";
	int refused = 0;

	for (size_t i = 0; i < b->n_versions && !refused; i++) {
		Mentorfed__Version *v;
		char why[256];

		if (!holds(b->versions[i], b->version_lens[i], kind))
			continue;
		v = mentorfed__version__unpack(NULL, b->version_lens[i], b->versions[i]);
		if (v == NULL)
			continue;	/* the store names an undecodable version */
		if (strcmp(v->kind, kind) == 0 && !v->deleted &&
		    mf_region_key_check(node->keyring, v->origin, v->seq, v->body.data, v->body.len,
					NULL, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "block of %s at seq %llu carries a key rotation that does not hold: %s",
				 v->origin, (unsigned long long)v->seq, why);
			res->rejected_blocks++;
			res->first_error = MF_RECV_BAD_SHAPE;
			if (strlen(v->origin) < sizeof(res->origin))
				mf_strlcpy(res->origin, v->origin, sizeof(res->origin));
			res->error_seq = v->seq;
			refused = 1;
		}
		mentorfed__version__free_unpacked(v, NULL);
	}
	return refused;
}

int
mf_records_apply_block(mf_node *node, const mf_block_in *b, mf_apply_result *res, char *err,
		       size_t errlen)
{
	size_t bytes = 0, before;
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
	if (rotation_refused(node, b, res, err, errlen))
		return 1;
	/* The store verifies signature, chain link and every leaf's hash. */
	before = res->applied_blocks;
	rc = mf_store_apply_block(node->store, node->keyring, b, res, err, errlen);
	if (rc == 1 && res->first_error == MF_APPLY_BAD_SIGNATURE)
		classify_rejection(node, b, res);
	if (rc == 0 && res->applied_blocks > before)
		learn_keys(node, b);
	return rc;
}

int
mf_records_apply_commit(mf_node *node, char *err, size_t errlen)
{
	char e2[256];

	if (mf_store_apply_commit(node->store, err, errlen) == 0)
		return 0;
	/* nothing was kept: nor are the keys learned from it */
	if (mf_node_rebuild_keyring(node, e2, sizeof(e2)) != 0)
		mf_err("keys: rebuilding the keyring: %s", e2);
	return -1;
}

void
mf_records_apply_rollback(mf_node *node, mf_apply_result *res)
{
	char err[256];

	mf_store_apply_rollback(node->store, res);
	/* keys learned from blocks that are now gone go with them */
	if (mf_node_rebuild_keyring(node, err, sizeof(err)) != 0)
		mf_err("keys: rebuilding the keyring: %s", err);
}

void
mf_records_apply_group(mf_node *node, int on)
{
	mf_store_apply_group(node->store, on);
}

int
mf_records_apply_flush(mf_node *node, char *err, size_t errlen)
{
	char e2[256];

	if (!mf_store_apply_pending(node->store) || mf_store_apply_flush(node->store, err, errlen) == 0)
		return 0;
	if (mf_node_rebuild_keyring(node, e2, sizeof(e2)) != 0)
		mf_err("keys: rebuilding the keyring: %s", e2);
	return -1;
}

int
mf_records_truncate_origin(mf_node *node, const char *origin, uint64_t from, char *err,
			   size_t errlen)
{
	if (mf_store_truncate_origin(node->store, origin, from, err, errlen) != 0)
		return -1;
	/* a rotation in the part cut off is not in force any more */
	return mf_node_rebuild_keyring(node, err, errlen);
}
