/*
 * test_record.c — versions and signed blocks (daemon/core/record.c, keys.c).
 *
 * A block sealed with a generated key verifies; flipping any single bit of
 * its encoded header or of its signature, verifying against another key or
 * with no key for the origin all fail; a validly signed header of the wrong
 * shape fails; the version hash is the documented canonical form and
 * changes when any single field or body byte changes.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>	/* this test only: the core itself has no libzmq */

#include "keys.h"
#include "record.h"
#include "util.h"

#include "testdir.h"

/* A generated private key. */
static mf_key *
gen_key(void)
{
	char err[512] = "";
	char *d = new_dir("key");
	mf_key *k;

	ck_assert_msg(mf_keys_generate(d, err, sizeof(err)) == 0, "keygen: %s", err);
	k = mf_key_load_private(d, err, sizeof(err));
	ck_assert_msg(k != NULL, "load: %s", err);
	free(d);
	return k;
}

static mf_keyring *
ring_with(const char *region, const mf_key *k)
{
	mf_keyring *kr = mf_keyring_new();
	uint8_t pub[MF_PUBKEY_LEN];

	ck_assert_ptr_nonnull(kr);
	mf_key_public(k, pub);
	ck_assert_int_eq(mf_keyring_set(kr, region, pub), 0);
	return kr;
}

#define NL 3
static const char *const leaf_ids[NL] = {
	"RU-TOM:school:a1", "RU-TOM:school:b2", "RU-TOM:roadmap_item:c3"
};

static void
make_leaves(mf_leaf *lv, uint64_t first_seq)
{
	static const uint8_t body[] = { 0x0a, 0x03, 'a', 'b', 'c' };

	for (int i = 0; i < NL; i++) {
		lv[i].id = leaf_ids[i];
		mf_version_hash(leaf_ids[i], i == 2 ? "roadmap_item" : "school", "RU-TOM",
				first_seq + (uint64_t)i, 1000 + (uint64_t)i, 0, body, sizeof(body),
				lv[i].hash);
	}
}

static void
seal_three(const mf_key *k, uint64_t first, const uint8_t *prev, mf_block *b)
{
	mf_leaf lv[NL];

	make_leaves(lv, first);
	ck_assert_int_eq(mf_block_seal("RU-TOM", first, prev, lv, NL, 4242, k, b), 0);
	ck_assert_ptr_nonnull(b->header);
	ck_assert_uint_gt(b->header_len, 0);
}

static int
verify(const mf_block *b, const uint8_t *hdr, size_t hlen, const uint8_t *sig, size_t slen,
       const mf_keyring *kr, char *err, size_t errlen)
{
	Mentorfed__BlockHeader *h = NULL;
	int rc;

	(void)b;
	err[0] = '\0';
	rc = mf_block_verify(hdr, hlen, sig, slen, kr, &h, err, errlen);
	if (rc == 0) {
		ck_assert_ptr_nonnull(h);
		mentorfed__block_header__free_unpacked(h, NULL);
	} else {
		ck_assert_ptr_null(h);
		ck_assert_msg(err[0] != '\0', "a failed verification gives a reason");
	}
	return rc;
}

/* ------------------------------------------------------------------ tests */

START_TEST(seal_and_verify)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_block b1, b2;
	mf_leaf lv[NL];
	Mentorfed__BlockHeader *h = NULL;
	uint8_t hh[MF_HASH_LEN];
	char err[256];

	seal_three(k, 1, NULL, &b1);
	mf_sha256(b1.header, b1.header_len, hh);
	ck_assert_mem_eq(hh, b1.hash, MF_HASH_LEN);
	ck_assert_msg(mf_block_verify(b1.header, b1.header_len, b1.sig, MF_SIG_LEN, kr, &h, err,
				      sizeof(err)) == 0, "verify: %s", err);
	ck_assert_uint_eq(h->format, 1);
	ck_assert_str_eq(h->origin, "RU-TOM");
	ck_assert_uint_eq(h->first_seq, 1);
	ck_assert_uint_eq(h->last_seq, NL);
	ck_assert_uint_eq(h->prev_hash.len, 0);
	ck_assert_uint_eq(h->hlc, 4242);
	ck_assert_uint_eq(h->n_leaves, NL);
	make_leaves(lv, 1);
	for (int i = 0; i < NL; i++) {
		ck_assert_str_eq(h->leaves[i]->id, leaf_ids[i]);
		ck_assert_uint_eq(h->leaves[i]->hash.len, MF_HASH_LEN);
		ck_assert_mem_eq(h->leaves[i]->hash.data, lv[i].hash, MF_HASH_LEN);
	}
	mentorfed__block_header__free_unpacked(h, NULL);

	/* The next block links to the first through its hash. */
	seal_three(k, NL + 1, b1.hash, &b2);
	ck_assert_msg(mf_block_verify(b2.header, b2.header_len, b2.sig, MF_SIG_LEN, kr, &h, err,
				      sizeof(err)) == 0, "verify: %s", err);
	ck_assert_uint_eq(h->first_seq, NL + 1);
	ck_assert_uint_eq(h->last_seq, 2 * NL);
	ck_assert_uint_eq(h->prev_hash.len, MF_HASH_LEN);
	ck_assert_mem_eq(h->prev_hash.data, b1.hash, MF_HASH_LEN);
	mentorfed__block_header__free_unpacked(h, NULL);

	/* Sealing is deterministic (Ed25519): same input, same bytes. */
	{
		mf_block again;
		seal_three(k, 1, NULL, &again);
		ck_assert_uint_eq(again.header_len, b1.header_len);
		ck_assert_mem_eq(again.header, b1.header, b1.header_len);
		ck_assert_mem_eq(again.sig, b1.sig, MF_SIG_LEN);
		mf_block_clear(&again);
	}
	mf_block_clear(&b1);
	mf_block_clear(&b2);
	mf_keyring_free(kr);
	mf_key_free(k);
}
END_TEST

/* Every bit of every header byte, for a first block and a linked one. */
START_TEST(header_any_bit_flip_fails)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_block blocks[2];
	char err[256];

	seal_three(k, 1, NULL, &blocks[0]);
	seal_three(k, NL + 1, blocks[0].hash, &blocks[1]);
	for (int bi = 0; bi < 2; bi++) {
		mf_block *b = &blocks[bi];
		uint8_t *copy = malloc(b->header_len);

		ck_assert_ptr_nonnull(copy);
		ck_assert_int_eq(verify(b, b->header, b->header_len, b->sig, MF_SIG_LEN, kr, err,
					sizeof(err)), 0);
		for (size_t i = 0; i < b->header_len; i++)
			for (int bit = 0; bit < 8; bit++) {
				memcpy(copy, b->header, b->header_len);
				copy[i] ^= (uint8_t)(1u << bit);
				ck_assert_msg(verify(b, copy, b->header_len, b->sig, MF_SIG_LEN, kr, err,
						     sizeof(err)) != 0,
					      "block %d: header byte %zu bit %d flipped still verifies",
					      bi, i, bit);
			}
		/* Shortened, extended (a trailing field) and emptied headers. */
		ck_assert_int_ne(verify(b, b->header, b->header_len - 1, b->sig, MF_SIG_LEN, kr, err,
					sizeof(err)), 0);
		{
			uint8_t *ext = malloc(b->header_len + 3);
			ck_assert_ptr_nonnull(ext);
			memcpy(ext, b->header, b->header_len);
			ext[b->header_len] = 0x38;	/* field 7 (hlc), varint */
			ext[b->header_len + 1] = 0x01;
			ck_assert_int_ne(verify(b, ext, b->header_len + 2, b->sig, MF_SIG_LEN, kr,
						err, sizeof(err)), 0);
			free(ext);
		}
		ck_assert_int_ne(verify(b, b->header, 0, b->sig, MF_SIG_LEN, kr, err, sizeof(err)),
				 0);
		free(copy);
	}
	mf_block_clear(&blocks[0]);
	mf_block_clear(&blocks[1]);
	mf_keyring_free(kr);
	mf_key_free(k);
}
END_TEST

START_TEST(signature_any_bit_flip_fails)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_block b;
	uint8_t sig[MF_SIG_LEN + 1];
	char err[256];

	seal_three(k, 1, NULL, &b);
	for (int i = 0; i < MF_SIG_LEN; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(sig, b.sig, MF_SIG_LEN);
			sig[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(verify(&b, b.header, b.header_len, sig, MF_SIG_LEN, kr, err,
					     sizeof(err)) != 0,
				      "signature byte %d bit %d flipped still verifies", i, bit);
		}
	/* wrong lengths */
	memcpy(sig, b.sig, MF_SIG_LEN);
	sig[MF_SIG_LEN] = 0;
	ck_assert_int_ne(verify(&b, b.header, b.header_len, sig, MF_SIG_LEN - 1, kr, err,
				sizeof(err)), 0);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, sig, MF_SIG_LEN + 1, kr, err,
				sizeof(err)), 0);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, sig, 0, kr, err, sizeof(err)), 0);
	/* all zeroes */
	memset(sig, 0, sizeof(sig));
	ck_assert_int_ne(verify(&b, b.header, b.header_len, sig, MF_SIG_LEN, kr, err, sizeof(err)),
			 0);
	mf_block_clear(&b);
	mf_keyring_free(kr);
	mf_key_free(k);
}
END_TEST

START_TEST(wrong_key_fails)
{
	mf_key *k = gen_key(), *other = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", other);
	mf_block b;
	char err[256];
	uint8_t pub[MF_PUBKEY_LEN];

	seal_three(k, 1, NULL, &b);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, kr, err,
				sizeof(err)), 0);
	ck_assert_msg(strstr(err, "RU-TOM") != NULL, "error names the origin: %s", err);
	/* The right key for another region does not help either. */
	mf_key_public(k, pub);
	ck_assert_int_eq(mf_keyring_set(kr, "RU-CHE", pub), 0);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, kr, err,
				sizeof(err)), 0);
	/* Replacing the region's key with the right one makes it verify. */
	ck_assert_int_eq(mf_keyring_set(kr, "RU-TOM", pub), 0);
	ck_assert_uint_eq(mf_keyring_count(kr), 2);
	ck_assert_int_eq(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, kr, err,
				sizeof(err)), 0);
	mf_block_clear(&b);
	mf_keyring_free(kr);
	mf_key_free(k);
	mf_key_free(other);
}
END_TEST

START_TEST(unknown_origin_fails)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-CHE", k), *empty = mf_keyring_new();
	mf_block b;
	char err[256];

	seal_three(k, 1, NULL, &b);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, kr, err,
				sizeof(err)), 0);
	ck_assert_msg(strstr(err, "RU-TOM") != NULL, "error names the origin: %s", err);
	ck_assert_int_ne(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, empty, err,
				sizeof(err)), 0);
	mf_block_clear(&b);
	mf_keyring_free(kr);
	mf_keyring_free(empty);
	mf_key_free(k);
}
END_TEST

/* A header the owner did sign but whose shape is wrong is refused. */
static int
sign_and_verify(const mf_key *k, const mf_keyring *kr, Mentorfed__BlockHeader *h, char *err,
		size_t errlen)
{
	size_t len = mentorfed__block_header__get_packed_size(h);
	uint8_t *buf = malloc(len ? len : 1), sig[MF_SIG_LEN];
	int rc;

	ck_assert_ptr_nonnull(buf);
	mentorfed__block_header__pack(h, buf);
	ck_assert_int_eq(mf_key_sign(k, buf, len, sig), 0);
	rc = verify(NULL, buf, len, sig, MF_SIG_LEN, kr, err, errlen);
	free(buf);
	return rc;
}

START_TEST(signed_but_malformed_fails)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	Mentorfed__BlockHeader h = MENTORFED__BLOCK_HEADER__INIT;
	Mentorfed__Leaf lv[NL], *lp[NL];
	mf_leaf ml[NL];
	uint8_t prev[MF_HASH_LEN] = { 1, 2, 3 };
	char err[256];

	make_leaves(ml, 5);
	for (int i = 0; i < NL; i++) {
		mentorfed__leaf__init(&lv[i]);
		lv[i].id = (char *)ml[i].id;
		lv[i].hash.data = ml[i].hash;
		lv[i].hash.len = MF_HASH_LEN;
		lp[i] = &lv[i];
	}
#define RESET() do { \
		h.format = 1; h.origin = (char *)"RU-TOM"; h.first_seq = 5; \
		h.last_seq = 5 + NL - 1; h.prev_hash.data = prev; h.prev_hash.len = MF_HASH_LEN; \
		h.n_leaves = NL; h.leaves = lp; h.hlc = 7; \
		for (int i_ = 0; i_ < NL; i_++) { lv[i_].id = (char *)ml[i_].id; \
			lv[i_].hash.len = MF_HASH_LEN; } \
	} while (0)

	RESET();
	ck_assert_msg(sign_and_verify(k, kr, &h, err, sizeof(err)) == 0, "well-formed: %s", err);

	RESET(); h.format = 2;
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.format = 0;
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.last_seq = h.first_seq + NL;		/* claims one seq too many */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.last_seq = h.first_seq;		/* claims fewer */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.first_seq = 0; h.last_seq = NL - 1;	/* seqs start at 1 */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.n_leaves = 0; h.last_seq = h.first_seq - 1;	/* no leaves */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); h.prev_hash.len = 31;
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[1].hash.len = 31;
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[2].hash.len = 0;
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[0].id = (char *)"RU-CHE:school:a1";	/* a leaf of another region */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[0].id = (char *)"RU-TOM:nosuchkind:a1";	/* unknown kind */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[0].id = (char *)"RU-TOM:school:";	/* empty key */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	RESET(); lv[0].id = (char *)"RU-TOM:school:a b";	/* bad character */
	ck_assert_int_ne(sign_and_verify(k, kr, &h, err, sizeof(err)), 0);
	{
		/* an origin that is not a region code, even with a key for it */
		mf_keyring *kr2 = ring_with("tomsk", k);
		RESET(); h.origin = (char *)"tomsk";
		for (int i = 0; i < NL; i++)
			lv[i].id = (char *)"tomsk:school:a1";
		ck_assert_int_ne(sign_and_verify(k, kr2, &h, err, sizeof(err)), 0);
		mf_keyring_free(kr2);
	}
	/* Garbage that is not a header at all. */
	{
		uint8_t junk[64], sig[MF_SIG_LEN];
		memset(junk, 0xff, sizeof(junk));
		ck_assert_int_eq(mf_key_sign(k, junk, sizeof(junk), sig), 0);
		ck_assert_int_ne(verify(NULL, junk, sizeof(junk), sig, MF_SIG_LEN, kr, err,
					sizeof(err)), 0);
	}
#undef RESET
	mf_keyring_free(kr);
	mf_key_free(k);
}
END_TEST

START_TEST(seal_limits)
{
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	size_t n = MF_BLOCK_MAX_LEAVES + 1;
	mf_leaf *lv = calloc(n, sizeof(*lv));
	char (*ids)[40] = calloc(n, 40);
	mf_block b;
	char err[256];

	ck_assert_ptr_nonnull(lv);
	ck_assert_ptr_nonnull(ids);
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], 40, "RU-TOM:school:k%zu", i);
		lv[i].id = ids[i];
		mf_version_hash(ids[i], "school", "RU-TOM", i + 1, 1, 0, NULL, 0, lv[i].hash);
	}
	ck_assert_int_ne(mf_block_seal("RU-TOM", 1, NULL, lv, 0, 1, k, &b), 0);
	ck_assert_int_ne(mf_block_seal("RU-TOM", 1, NULL, lv, n, 1, k, &b), 0);
	ck_assert_int_eq(mf_block_seal("RU-TOM", 1, NULL, lv, n - 1, 1, k, &b), 0);
	ck_assert_uint_le(b.header_len, MF_BLOCK_HEADER_MAX);
	ck_assert_int_eq(verify(&b, b.header, b.header_len, b.sig, MF_SIG_LEN, kr, err,
				sizeof(err)), 0);
	mf_block_clear(&b);
	/* A public-only key cannot sign. */
	{
		uint8_t pub[MF_PUBKEY_LEN];
		mf_key *pk;
		mf_key_public(k, pub);
		pk = mf_key_from_public(pub);
		ck_assert_ptr_nonnull(pk);
		ck_assert_int_ne(mf_block_seal("RU-TOM", 1, NULL, lv, 1, 1, pk, &b), 0);
		mf_key_free(pk);
	}
	free(lv);
	free(ids);
	mf_keyring_free(kr);
	mf_key_free(k);
}
END_TEST

/* ------------------------------------------------------------ version hash */

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static size_t
put_str(uint8_t *p, const void *s, size_t n)
{
	be32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	return 4 + n;
}

/* The hash is SHA-256 of the canonical form record.h documents. */
START_TEST(version_hash_canonical_form)
{
	static const uint8_t body[] = { 0x0a, 0x02, 'h', 'i', 0x30, 0x01 };
	uint8_t buf[512], want[MF_HASH_LEN], got[MF_HASH_LEN];
	size_t n = 0;

	memcpy(buf, "mentorfed-version-1", 20);	/* with its NUL */
	n = 20;
	n += put_str(buf + n, "RU-TOM:school:x", 15);
	n += put_str(buf + n, "school", 6);
	n += put_str(buf + n, "RU-TOM", 6);
	be64(buf + n, 0x0102030405060708ull);
	n += 8;
	be64(buf + n, 0x1112131415161718ull);
	n += 8;
	buf[n++] = 1;
	n += put_str(buf + n, body, sizeof(body));
	mf_sha256(buf, n, want);
	mf_version_hash("RU-TOM:school:x", "school", "RU-TOM", 0x0102030405060708ull,
			0x1112131415161718ull, 1, body, sizeof(body), got);
	ck_assert_mem_eq(got, want, MF_HASH_LEN);
	/* Any non-zero deleted flag is written as 1. */
	mf_version_hash("RU-TOM:school:x", "school", "RU-TOM", 0x0102030405060708ull,
			0x1112131415161718ull, 7, body, sizeof(body), got);
	ck_assert_mem_eq(got, want, MF_HASH_LEN);

	/* The protobuf form hashes the same. */
	{
		Mentorfed__Version v = MENTORFED__VERSION__INIT;
		v.id = (char *)"RU-TOM:school:x";
		v.kind = (char *)"school";
		v.origin = (char *)"RU-TOM";
		v.seq = 0x0102030405060708ull;
		v.hlc = 0x1112131415161718ull;
		v.deleted = 1;
		v.body.data = (uint8_t *)body;
		v.body.len = sizeof(body);
		mf_version_hash_pb(&v, got);
		ck_assert_mem_eq(got, want, MF_HASH_LEN);
	}
	/* An empty body (a tombstone) is a zero length. */
	n = 20;
	n += put_str(buf + n, "RU-TOM:school:x", 15);
	n += put_str(buf + n, "school", 6);
	n += put_str(buf + n, "RU-TOM", 6);
	be64(buf + n, 9);
	n += 8;
	be64(buf + n, 10);
	n += 8;
	buf[n++] = 1;
	be32(buf + n, 0);
	n += 4;
	mf_sha256(buf, n, want);
	mf_version_hash("RU-TOM:school:x", "school", "RU-TOM", 9, 10, 1, NULL, 0, got);
	ck_assert_mem_eq(got, want, MF_HASH_LEN);
}
END_TEST

typedef struct vfields {
	char id[64], kind[32], origin[16];
	uint64_t seq, hlc;
	int deleted;
	uint8_t body[64];
	size_t body_len;
} vfields;

static void
vhash(const vfields *f, uint8_t out[MF_HASH_LEN])
{
	mf_version_hash(f->id, f->kind, f->origin, f->seq, f->hlc, f->deleted, f->body,
			f->body_len, out);
}

static void
base_fields(vfields *f)
{
	static const uint8_t body[] = { 0x0a, 0x05, 'S', 'c', 'h', 'o', 'o', 0x12, 0x01, 'x',
					0x30, 0x02 };

	memset(f, 0, sizeof(*f));
	strcpy(f->id, "RU-TOM:school:abc");
	strcpy(f->kind, "school");
	strcpy(f->origin, "RU-TOM");
	f->seq = 42;
	f->hlc = (uint64_t)1700000000000ull << 16;
	f->deleted = 0;
	memcpy(f->body, body, sizeof(body));
	f->body_len = sizeof(body);
}

static void
differs(const vfields *f, const uint8_t ref[MF_HASH_LEN], const char *what)
{
	uint8_t h[MF_HASH_LEN];

	vhash(f, h);
	ck_assert_msg(memcmp(h, ref, MF_HASH_LEN) != 0, "hash unchanged when %s changes", what);
}

START_TEST(version_hash_covers_every_field)
{
	vfields f;
	uint8_t ref[MF_HASH_LEN], h[MF_HASH_LEN];
	char what[64];

	base_fields(&f);
	vhash(&f, ref);
	vhash(&f, h);
	ck_assert_mem_eq(h, ref, MF_HASH_LEN);	/* deterministic */

	/* each character of the strings */
	for (size_t i = 0; i < strlen("RU-TOM:school:abc"); i++) {
		base_fields(&f);
		f.id[i] ^= 0x01;
		snprintf(what, sizeof(what), "id byte %zu", i);
		differs(&f, ref, what);
	}
	base_fields(&f);
	strcat(f.id, "d");
	differs(&f, ref, "id length");
	for (size_t i = 0; i < strlen("school"); i++) {
		base_fields(&f);
		f.kind[i] ^= 0x20;
		snprintf(what, sizeof(what), "kind byte %zu", i);
		differs(&f, ref, what);
	}
	base_fields(&f);
	strcpy(f.kind, "competency_card");
	differs(&f, ref, "kind");
	for (size_t i = 0; i < strlen("RU-TOM"); i++) {
		base_fields(&f);
		f.origin[i] ^= 0x01;
		snprintf(what, sizeof(what), "origin byte %zu", i);
		differs(&f, ref, what);
	}
	base_fields(&f);
	strcpy(f.origin, "RU-CHE");
	differs(&f, ref, "origin");
	/* each bit of seq and hlc */
	for (int bit = 0; bit < 64; bit++) {
		base_fields(&f);
		f.seq ^= (uint64_t)1 << bit;
		snprintf(what, sizeof(what), "seq bit %d", bit);
		differs(&f, ref, what);
		base_fields(&f);
		f.hlc ^= (uint64_t)1 << bit;
		snprintf(what, sizeof(what), "hlc bit %d", bit);
		differs(&f, ref, what);
	}
	base_fields(&f);
	f.deleted = 1;
	differs(&f, ref, "deleted");
	/* each bit of each body byte, and the body's length */
	for (size_t i = 0; i < f.body_len; i++)
		for (int bit = 0; bit < 8; bit++) {
			base_fields(&f);
			f.body[i] ^= (uint8_t)(1u << bit);
			snprintf(what, sizeof(what), "body byte %zu bit %d", i, bit);
			differs(&f, ref, what);
		}
	base_fields(&f);
	f.body_len--;
	differs(&f, ref, "body truncated");
	base_fields(&f);
	f.body[f.body_len++] = 0;
	differs(&f, ref, "body extended by a zero byte");
	base_fields(&f);
	f.body_len = 0;
	differs(&f, ref, "body emptied");

	/* Moving bytes between adjacent fields changes the hash (length
	 * prefixes keep the form unambiguous). */
	{
		uint8_t a[MF_HASH_LEN], b[MF_HASH_LEN];
		mf_version_hash("ab", "c", "RU-TOM", 1, 1, 0, NULL, 0, a);
		mf_version_hash("a", "bc", "RU-TOM", 1, 1, 0, NULL, 0, b);
		ck_assert_mem_ne(a, b, MF_HASH_LEN);
		mf_version_hash("x", "school", "RU-TOM", 1, 1, 0, (const uint8_t *)"A", 1, a);
		mf_version_hash("x", "school", "RU-TOMA", 1, 1, 0, NULL, 0, b);
		ck_assert_mem_ne(a, b, MF_HASH_LEN);
	}
}
END_TEST

/* ------------------------------------------------------------------ keys */

START_TEST(keys_files_and_bad_keys)
{
	char err[512];
	char *d = new_dir("keys"), path[4200];
	struct stat st;
	mf_key *k;
	FILE *f;

	ck_assert_int_eq(mf_keys_generate(d, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/signing.key", d);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/curve.key", d);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* signing.pub is the public key in 64 hex digits */
	{
		char *txt = NULL;
		uint8_t pub[MF_PUBKEY_LEN], want[MF_PUBKEY_LEN];
		snprintf(path, sizeof(path), "%s/signing.pub", d);
		ck_assert_int_eq(mf_read_file(path, &txt, NULL, err, sizeof(err)), 0);
		ck_assert_uint_ge(strlen(txt), 64);
		txt[64] = '\0';
		ck_assert_int_eq(mf_unhex(txt, pub, MF_PUBKEY_LEN), 0);
		k = mf_key_load_private(d, err, sizeof(err));
		ck_assert_ptr_nonnull(k);
		mf_key_public(k, want);
		ck_assert_mem_eq(pub, want, MF_PUBKEY_LEN);
		mf_key_free(k);
		free(txt);
	}
	/* Never overwrites. */
	ck_assert_int_ne(mf_keys_generate(d, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "exists") != NULL, "%s", err);

	/* A key readable by others is refused. */
	snprintf(path, sizeof(path), "%s/signing.key", d);
	ck_assert_int_eq(chmod(path, 0644), 0);
	err[0] = '\0';
	ck_assert_ptr_null(mf_key_load_private(d, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL, "error names the file: %s", err);
	ck_assert_int_eq(chmod(path, 0600), 0);

	/* A key file that is not PEM is refused. */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n", f);
	fclose(f);
	err[0] = '\0';
	ck_assert_ptr_null(mf_key_load_private(d, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL, "error names the file: %s", err);

	/* A missing key is refused with the path. */
	ck_assert_int_eq(unlink(path), 0);
	err[0] = '\0';
	ck_assert_ptr_null(mf_key_load_private(d, err, sizeof(err)));
	ck_assert_msg(strstr(err, "signing.key") != NULL, "error names the file: %s", err);
	free(d);
}
END_TEST

/*
 * The core's Z85 matches libzmq's byte for byte: the RFC 32 test vector,
 * random data of every size up to 64 bytes both ways, and random text
 * (Z85 characters or not, any length) decoded alike or refused alike.
 */
START_TEST(z85_matches_libzmq)
{
	static const uint8_t hello[8] = { 0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B };
	static const char chars[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		".-:+=^!/*?&<>()[]{}@%$#";
	char ours[128], theirs[128];
	uint8_t data[64], d1[64], d2[64];
	unsigned seed = 20261130;
	int decoded = 0, refused = 0;

	ck_assert_ptr_nonnull(mf_z85_encode(ours, hello, 8));
	ck_assert_str_eq(ours, "HelloWorld");
	ck_assert_ptr_nonnull(mf_z85_decode(d1, "HelloWorld"));
	ck_assert_mem_eq(d1, hello, 8);
	ck_assert_ptr_null(mf_z85_encode(ours, hello, 7));
	ck_assert_ptr_null(mf_z85_decode(d1, "HelloWorl"));

	for (int round = 0; round < 2000; round++) {
		size_t n = 4 * (size_t)(rand_r(&seed) % 17);

		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)rand_r(&seed);
		if (round % 7 == 0)
			memset(data, round % 2 ? 0xff : 0, n);	/* the extremes */
		ck_assert_ptr_nonnull(mf_z85_encode(ours, data, n));
		ck_assert_ptr_nonnull(zmq_z85_encode(theirs, data, n));
		ck_assert_str_eq(ours, theirs);
		if (n == 0)
			continue;	/* "" decodes in neither */
		ck_assert_ptr_nonnull(mf_z85_decode(d1, ours));
		ck_assert_mem_eq(d1, data, n);
	}
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 26);
		char text[32];
		void *a, *b;

		for (size_t i = 0; i < n; i++) {
			int r = rand_r(&seed) % 100;
			/* mostly Z85, sometimes any byte, "#" often (overflow) */
			text[i] = r < 85 ? chars[r] : r < 92 ? '#' : (char)(1 + rand_r(&seed) % 255);
		}
		text[n] = '\0';
		memset(d1, 0xaa, sizeof(d1));
		memset(d2, 0xaa, sizeof(d2));
		a = mf_z85_decode(d1, text);
		b = zmq_z85_decode(d2, text);
		ck_assert_msg((a == NULL) == (b == NULL), "'%s': ours %s, libzmq's %s", text,
			      a ? "decodes" : "refuses", b ? "decodes" : "refuses");
		if (a != NULL) {
			ck_assert_mem_eq(d1, d2, n * 4 / 5);
			decoded++;
		} else
			refused++;
	}
	/* both paths were taken, many times */
	ck_assert_int_gt(decoded, 1000);
	ck_assert_int_gt(refused, 1000);
}
END_TEST

/*
 * A CURVE pair made by the core (OpenSSL X25519) is a CurveZMQ pair: its
 * public key is what libzmq derives from its secret, and two such pairs
 * complete a CURVE handshake and carry a message.
 */
START_TEST(curve_keys_work_with_libzmq)
{
	char err[512], spub[41], ssec[41], cpub[41], csec[41], derived[41], buf[16];
	char *ds = new_dir("curve-s"), *dc = new_dir("curve-c");
	void *ctx, *srv, *cli;
	int one = 1, zero = 0, tmo = 5000;

	ck_assert_msg(mf_keys_generate(ds, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(mf_keys_generate(dc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(mf_curve_load(ds, spub, ssec, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(mf_curve_load(dc, cpub, csec, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_ne(spub, cpub);
	ck_assert_int_eq(zmq_curve_public(derived, ssec), 0);
	ck_assert_str_eq(derived, spub);
	ck_assert_int_eq(zmq_curve_public(derived, csec), 0);
	ck_assert_str_eq(derived, cpub);

	ck_assert_ptr_nonnull(ctx = zmq_ctx_new());
	ck_assert_ptr_nonnull(srv = zmq_socket(ctx, ZMQ_PAIR));
	ck_assert_ptr_nonnull(cli = zmq_socket(ctx, ZMQ_PAIR));
	zmq_setsockopt(srv, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(cli, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(srv, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	ck_assert_int_eq(zmq_setsockopt(srv, ZMQ_CURVE_SERVER, &one, sizeof(one)), 0);
	ck_assert_int_eq(zmq_setsockopt(srv, ZMQ_CURVE_SECRETKEY, ssec, 40), 0);
	ck_assert_int_eq(zmq_setsockopt(cli, ZMQ_CURVE_SERVERKEY, spub, 40), 0);
	ck_assert_int_eq(zmq_setsockopt(cli, ZMQ_CURVE_PUBLICKEY, cpub, 40), 0);
	ck_assert_int_eq(zmq_setsockopt(cli, ZMQ_CURVE_SECRETKEY, csec, 40), 0);
	ck_assert_int_eq(zmq_bind(srv, "tcp://127.0.0.1:*"), 0);
	{
		char ep[256];
		size_t el = sizeof(ep);
		ck_assert_int_eq(zmq_getsockopt(srv, ZMQ_LAST_ENDPOINT, ep, &el), 0);
		ck_assert_int_eq(zmq_connect(cli, ep), 0);
	}
	ck_assert_int_eq(zmq_send(cli, "привет", strlen("привет"), 0), (int)strlen("привет"));
	memset(buf, 0, sizeof(buf));
	ck_assert_msg(zmq_recv(srv, buf, sizeof(buf) - 1, 0) == (int)strlen("привет"),
		      "no message through CURVE: %s", zmq_strerror(zmq_errno()));
	ck_assert_str_eq(buf, "привет");
	zmq_close(cli);
	zmq_close(srv);
	zmq_ctx_term(ctx);
	free(ds);
	free(dc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("blocks");
	TCase *tv = tcase_create("versions");
	TCase *tk = tcase_create("keys");

	if (testdir_init("mf-test-record") != 0)
		return 1;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, seal_and_verify);
	tcase_add_test(tc, header_any_bit_flip_fails);
	tcase_add_test(tc, signature_any_bit_flip_fails);
	tcase_add_test(tc, wrong_key_fails);
	tcase_add_test(tc, unknown_origin_fails);
	tcase_add_test(tc, signed_but_malformed_fails);
	tcase_add_test(tc, seal_limits);
	tcase_add_test(tv, version_hash_canonical_form);
	tcase_add_test(tv, version_hash_covers_every_field);
	tcase_add_test(tk, keys_files_and_bad_keys);
	tcase_add_test(tk, z85_matches_libzmq);
	tcase_add_test(tk, curve_keys_work_with_libzmq);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tv);
	suite_add_tcase(s, tk);
	return testdir_run(s);
}
