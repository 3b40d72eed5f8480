/*
 * record.c — version hashing over the canonical byte form, sealing
 * versions into hash-chained signed blocks, and verifying received blocks
 * (see record.h for the canonical form).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "kinds.h"
#include "record.h"
#include "util.h"

static const char version_tag[] = "mentorfed-version-1";	/* + its NUL */

void
mf_sha256(const uint8_t *data, size_t len, uint8_t out[MF_HASH_LEN])
{
	unsigned int n = MF_HASH_LEN;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL)) {
		fprintf(stderr, "mentorfed: SHA-256 failed\n");
		abort();
	}
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)(v >> 32));
	put_u32(p + 4, (uint32_t)v);
}

static void
upd_str(EVP_MD_CTX *c, const void *s, size_t n)
{
	uint8_t l[4];

	put_u32(l, (uint32_t)n);
	EVP_DigestUpdate(c, l, 4);
	if (n)
		EVP_DigestUpdate(c, s, n);
}

void
mf_version_hash(const char *id, const char *kind, const char *origin, uint64_t seq,
		uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
		uint8_t out[MF_HASH_LEN])
{
	/* A reused context per thread would save an allocation; the daemon is
	 * single-threaded, so one static context is enough. */
	static EVP_MD_CTX *c;
	uint8_t fixed[17];
	unsigned int n = MF_HASH_LEN;

	if (c == NULL && (c = EVP_MD_CTX_new()) == NULL)
		abort();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, version_tag, sizeof(version_tag));
	upd_str(c, id, strlen(id));
	upd_str(c, kind, strlen(kind));
	upd_str(c, origin, strlen(origin));
	put_u64(fixed, seq);
	put_u64(fixed + 8, hlc);
	fixed[16] = deleted ? 1 : 0;
	EVP_DigestUpdate(c, fixed, sizeof(fixed));
	upd_str(c, body, body_len);
	EVP_DigestFinal_ex(c, out, &n);
}

void
mf_version_hash_pb(const Mentorfed__Version *v, uint8_t out[MF_HASH_LEN])
{
	mf_version_hash(v->id, v->kind, v->origin, v->seq, v->hlc, v->deleted, v->body.data,
			v->body.len, out);
}

int
mf_block_seal(const char *origin, uint64_t first_seq, const uint8_t *prev_hash,
	      const mf_leaf *leaves, size_t n, uint64_t hlc, const mf_key *key, mf_block *out)
{
	Mentorfed__BlockHeader h = MENTORFED__BLOCK_HEADER__INIT;
	Mentorfed__Leaf *lv = NULL, **lp = NULL;
	size_t len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > MF_BLOCK_MAX_LEAVES)
		return -1;
	lv = mf_xcalloc(n, sizeof(*lv));
	lp = mf_xcalloc(n, sizeof(*lp));
	for (size_t i = 0; i < n; i++) {
		mentorfed__leaf__init(&lv[i]);
		lv[i].id = (char *)leaves[i].id;
		lv[i].hash.data = (uint8_t *)leaves[i].hash;
		lv[i].hash.len = MF_HASH_LEN;
		lp[i] = &lv[i];
	}
	h.format = 1;
	h.origin = (char *)origin;
	h.first_seq = first_seq;
	h.last_seq = first_seq + n - 1;
	if (prev_hash) {
		h.prev_hash.data = (uint8_t *)prev_hash;
		h.prev_hash.len = MF_HASH_LEN;
	}
	h.n_leaves = n;
	h.leaves = lp;
	h.hlc = hlc;
	len = mentorfed__block_header__get_packed_size(&h);
	out->header = mf_xmalloc(len);
	out->header_len = mentorfed__block_header__pack(&h, out->header);
	mf_sha256(out->header, out->header_len, out->hash);
	if (mf_key_sign(key, out->header, out->header_len, out->sig) != 0) {
		mf_block_clear(out);
		goto out;
	}
	rc = 0;
out:
	free(lv);
	free(lp);
	return rc;
}

void
mf_block_clear(mf_block *b)
{
	free(b->header);
	memset(b, 0, sizeof(*b));
}

int
mf_block_verify(const uint8_t *header, size_t header_len, const uint8_t *sig, size_t sig_len,
		const mf_keyring *kr, Mentorfed__BlockHeader **hdrp, char *err, size_t errlen)
{
	Mentorfed__BlockHeader *h;
	mf_key_choice kc;
	int pr;

	*hdrp = NULL;
	if (header_len == 0 || header_len > MF_BLOCK_HEADER_MAX) {
		snprintf(err, errlen, "block header of %zu bytes", header_len);
		return -1;
	}
	if ((h = mentorfed__block_header__unpack(NULL, header_len, header)) == NULL) {
		snprintf(err, errlen, "block header does not decode");
		return -1;
	}
	if (h->format != 1) {
		snprintf(err, errlen, "block format %u, expected 1", h->format);
		goto bad;
	}
	if (!mf_region_valid(h->origin)) {
		snprintf(err, errlen, "block origin is not a region code");
		goto bad;
	}
	if (h->n_leaves == 0 || h->n_leaves > MF_BLOCK_MAX_LEAVES || h->first_seq == 0 ||
	    h->last_seq != h->first_seq + h->n_leaves - 1) {
		snprintf(err, errlen, "block %s %llu..%llu with %zu leaves is malformed", h->origin,
			 (unsigned long long)h->first_seq, (unsigned long long)h->last_seq,
			 h->n_leaves);
		goto bad;
	}
	if (h->prev_hash.len != 0 && h->prev_hash.len != MF_HASH_LEN) {
		snprintf(err, errlen, "block %s %llu: previous hash of %zu bytes", h->origin,
			 (unsigned long long)h->first_seq, h->prev_hash.len);
		goto bad;
	}
	for (size_t i = 0; i < h->n_leaves; i++)
		if (h->leaves[i]->hash.len != MF_HASH_LEN ||
		    mf_id_valid(h->leaves[i]->id, h->origin) != 0) {
			snprintf(err, errlen, "block %s %llu: leaf %zu malformed", h->origin,
				 (unsigned long long)h->first_seq, i);
			goto bad;
		}
	/* the one place a block's key is chosen: by (origin, first seq) */
	if ((pr = mf_keyring_pick(kr, h->origin, h->first_seq, &kc)) < 0) {
		snprintf(err, errlen, "block of %s: no signing key configured for that region",
			 h->origin);
		goto bad;
	}
	if (mf_key_verify(kc.key, header, header_len, sig, sig_len) != 0) {
		char fpr[17];
		mf_key_fpr(kc.pub, fpr);
		snprintf(err, errlen, "block %s %llu..%llu: signature does not verify against %s's key %s (in force from seq %llu)",
			 h->origin, (unsigned long long)h->first_seq,
			 (unsigned long long)h->last_seq, h->origin, fpr,
			 (unsigned long long)kc.from);
		goto bad;
	}
	if (pr == 1) {
		/* signed by the key, but past the point its region's operators
		 * said it was stolen */
		char fpr[17];
		mf_key_fpr(kc.pub, fpr);
		snprintf(err, errlen, "block %s %llu..%llu: signed by revoked key %s of %s (revoked after seq %llu)",
			 h->origin, (unsigned long long)h->first_seq,
			 (unsigned long long)h->last_seq, fpr, h->origin,
			 (unsigned long long)kc.revoked_after);
		goto bad;
	}
	*hdrp = h;
	return 0;
bad:
	mentorfed__block_header__free_unpacked(h, NULL);
	return -1;
}

/* ---------------------------------------------------------------- region keys */

static const char region_key_tag[] = "mentorfed-region-key-1";	/* + its NUL */

/* What the new key signs: tag, region, previous key, new key. */
static size_t
region_key_msg(const char *region, const uint8_t prev[MF_PUBKEY_LEN],
	       const uint8_t pub[MF_PUBKEY_LEN], uint8_t *buf)
{
	size_t n = 0, rl = strlen(region);

	memcpy(buf, region_key_tag, sizeof(region_key_tag));
	n += sizeof(region_key_tag);
	put_u32(buf + n, (uint32_t)rl);
	n += 4;
	memcpy(buf + n, region, rl);
	n += rl;
	memcpy(buf + n, prev, MF_PUBKEY_LEN);
	n += MF_PUBKEY_LEN;
	memcpy(buf + n, pub, MF_PUBKEY_LEN);
	return n + MF_PUBKEY_LEN;
}

int
mf_region_key_body(const char *region, const uint8_t prev[MF_PUBKEY_LEN], const mf_key *newkey,
		   const char *reason, uint8_t **body, size_t *len)
{
	Mentorfed__RegionKey rk = MENTORFED__REGION_KEY__INIT;
	uint8_t pub[MF_PUBKEY_LEN], sig[MF_SIG_LEN], msg[128];
	size_t ml;

	if (strlen(region) > 16)
		return -1;
	mf_key_public(newkey, pub);
	ml = region_key_msg(region, prev, pub, msg);
	if (mf_key_sign(newkey, msg, ml, sig) != 0)
		return -1;
	rk.public_key.data = pub;
	rk.public_key.len = MF_PUBKEY_LEN;
	rk.previous_key.data = (uint8_t *)prev;
	rk.previous_key.len = MF_PUBKEY_LEN;
	rk.proof.data = sig;
	rk.proof.len = MF_SIG_LEN;
	rk.reason = (char *)(reason ? reason : "");
	*len = mentorfed__region_key__get_packed_size(&rk);
	*body = mf_xmalloc(*len ? *len : 1);
	mentorfed__region_key__pack(&rk, *body);
	return 0;
}

int
mf_region_key_check(const mf_keyring *kr, const char *origin, uint64_t seq, const uint8_t *body,
		    size_t len, uint8_t newpub[MF_PUBKEY_LEN], char *err, size_t errlen)
{
	Mentorfed__RegionKey *rk;
	mf_key_choice kc;
	mf_key *nk = NULL;
	uint8_t msg[128];
	size_t ml;
	int rc = -1;

	if ((rk = mentorfed__region_key__unpack(NULL, len, body)) == NULL) {
		snprintf(err, errlen, "region_key of %s at seq %llu does not decode", origin,
			 (unsigned long long)seq);
		return -1;
	}
	if (rk->public_key.len != MF_PUBKEY_LEN || rk->previous_key.len != MF_PUBKEY_LEN ||
	    strlen(origin) > 16) {
		snprintf(err, errlen, "region_key of %s at seq %llu: keys of the wrong size", origin,
			 (unsigned long long)seq);
		goto out;
	}
	/* The previous key must be the one in force at that seq (which
	 * signed the record's block) and not revoked there: a rotation
	 * signed by a stolen key after its revocation point counts for
	 * nothing, even when stored before the revocation. */
	if (mf_keyring_pick(kr, origin, seq, &kc) != 0 ||
	    memcmp(kc.pub, rk->previous_key.data, MF_PUBKEY_LEN) != 0) {
		char fpr[17];
		mf_key_fpr(rk->previous_key.data, fpr);
		snprintf(err, errlen, "region_key of %s at seq %llu replaces key %s, which is not %s's key in force there",
			 origin, (unsigned long long)seq, fpr, origin);
		goto out;
	}
	ml = region_key_msg(origin, rk->previous_key.data, rk->public_key.data, msg);
	if ((nk = mf_key_from_public(rk->public_key.data)) == NULL ||
	    mf_key_verify(nk, msg, ml, rk->proof.data, rk->proof.len) != 0) {
		snprintf(err, errlen, "region_key of %s at seq %llu: the new key's proof does not verify",
			 origin, (unsigned long long)seq);
		goto out;
	}
	if (newpub)
		memcpy(newpub, rk->public_key.data, MF_PUBKEY_LEN);
	rc = 0;
out:
	mf_key_free(nk);
	mentorfed__region_key__free_unpacked(rk, NULL);
	return rc;
}

int
mf_region_key_learn(mf_keyring *kr, const char *origin, uint64_t seq, const uint8_t *body,
		    size_t len, uint8_t newpub[MF_PUBKEY_LEN], char *err, size_t errlen)
{
	uint8_t pub[MF_PUBKEY_LEN];

	if (mf_region_key_check(kr, origin, seq, body, len, pub, err, errlen) != 0)
		return -1;
	if (mf_keyring_add(kr, origin, pub, seq + 1, MF_KEY_CHAIN) != 0) {
		snprintf(err, errlen, "region_key of %s at seq %llu: cannot add the key", origin,
			 (unsigned long long)seq);
		return -1;
	}
	if (newpub)
		memcpy(newpub, pub, MF_PUBKEY_LEN);
	return 0;
}

uint64_t
mf_hlc_next(uint64_t last)
{
	uint64_t now = mf_now_ms() << 16;

	return now > last ? now : last + 1;
}
