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
	const mf_key *k;

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
	if ((k = mf_keyring_get(kr, h->origin)) == NULL) {
		snprintf(err, errlen, "block of %s: no signing key configured for that region",
			 h->origin);
		goto bad;
	}
	if (mf_key_verify(k, header, header_len, sig, sig_len) != 0) {
		snprintf(err, errlen, "block %s %llu..%llu: signature does not verify against %s's key",
			 h->origin, (unsigned long long)h->first_seq,
			 (unsigned long long)h->last_seq, h->origin);
		goto bad;
	}
	*hdrp = h;
	return 0;
bad:
	mentorfed__block_header__free_unpacked(h, NULL);
	return -1;
}

uint64_t
mf_hlc_next(uint64_t last)
{
	uint64_t now = mf_now_ms() << 16;

	return now > last ? now : last + 1;
}
