/*
 * test_apply_keys.c — a received block that carries a key rotation
 * (region_key record, doc/KEYS.md) is applied only when the rotation
 * holds; one whose proof does not verify, or that replaces a key not in
 * force at its seq, is refused whole before anything is stored, and the
 * keyring is left as it was (daemon/records/apply.c).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "keys.h"
#include "node.h"
#include "record.h"
#include "store.h"
#include "util.h"

#include "testdir.h"

#define ORIGIN "RU-EVL"

static mf_node *node;
static mf_key *evl;		/* the origin's signing key, trusted by node */
static uint8_t evl_pub[MF_PUBKEY_LEN];
static char *dir;

static mf_key *
gen(uint8_t pub[MF_PUBKEY_LEN])
{
	char err[256];
	mf_key *k = mf_key_generate(err, sizeof(err));

	ck_assert_msg(k != NULL, "%s", err);
	mf_key_public(k, pub);
	return k;
}

static void
setup(void)
{
	char err[512];

	char *base = new_dir("node");

	dir = mf_path(base, "node");
	free(base);
	ck_assert_msg(mf_node_init(dir, "RU-TOM", "", NULL, err, sizeof(err)) == 0, "%s", err);
	node = mf_node_open(dir, 0, err, sizeof(err));
	ck_assert_msg(node != NULL, "%s", err);
	evl = gen(evl_pub);
	ck_assert_int_eq(mf_keyring_set(node->keyring, ORIGIN, evl_pub), 0);
}

static void
teardown(void)
{
	mf_node_close(node);
	mf_key_free(evl);
	free(dir);
}

/* The origin's block 1 holding one region_key version with body, signed
 * by evl, applied in a transaction of its own.  Returns what
 * mf_records_apply_block returned; res and err say the rest. */
static int
apply_rotation(const uint8_t *body, size_t len, mf_apply_result *res, char *err, size_t errlen)
{
	Mentorfed__Version v = MENTORFED__VERSION__INIT;
	mf_leaf leaf;
	mf_block blk;
	mf_block_in in;
	uint8_t *vb;
	size_t vlen;
	const uint8_t *vs[1];
	int rc;

	v.id = ORIGIN ":region_key:test";
	v.kind = "region_key";
	v.origin = ORIGIN;
	v.seq = 1;
	v.hlc = (uint64_t)1 << 40;
	v.body.data = (uint8_t *)body;
	v.body.len = len;
	vlen = mentorfed__version__get_packed_size(&v);
	vb = mf_xmalloc(vlen);
	mentorfed__version__pack(&v, vb);
	leaf.id = v.id;
	mf_version_hash_pb(&v, leaf.hash);
	ck_assert_int_eq(mf_block_seal(ORIGIN, 1, NULL, &leaf, 1, v.hlc, evl, &blk), 0);
	vs[0] = vb;
	in.header = blk.header;
	in.header_len = blk.header_len;
	in.sig = blk.sig;
	in.sig_len = MF_SIG_LEN;
	in.versions = vs;
	in.version_lens = &vlen;
	in.n_versions = 1;
	ck_assert_msg(mf_records_apply_begin(node, res, err, errlen) == 0, "%s", err);
	rc = mf_records_apply_block(node, &in, res, err, errlen);
	ck_assert_msg(rc >= 0, "%s", err);
	ck_assert_msg(mf_records_apply_commit(node, err, errlen) == 0, "%s", err);
	mf_block_clear(&blk);
	free(vb);
	return rc;
}

/* The key node would check the origin's seq 2 with. */
static void
key_at_2(uint8_t out[MF_PUBKEY_LEN])
{
	mf_key_choice c;

	ck_assert_int_eq(mf_keyring_pick(node->keyring, ORIGIN, 2, &c), 0);
	memcpy(out, c.pub, MF_PUBKEY_LEN);
}

static int
stored(void)
{
	mf_record *r = mf_store_get(node->store, ORIGIN ":region_key:test");

	if (r == NULL)
		return 0;
	mf_record_free(r);
	return 1;
}

START_TEST(good_rotation_applied)
{
	uint8_t p2[MF_PUBKEY_LEN], now[MF_PUBKEY_LEN], *body;
	mf_key *k2 = gen(p2);
	mf_apply_result res;
	size_t len;
	char err[512] = "";

	ck_assert_int_eq(mf_region_key_body(ORIGIN, evl_pub, k2, "planned", &body, &len), 0);
	ck_assert_int_eq(apply_rotation(body, len, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.applied_blocks, 1);
	ck_assert(stored());
	key_at_2(now);
	ck_assert(memcmp(now, p2, MF_PUBKEY_LEN) == 0);
	free(body);
	mf_key_free(k2);
}
END_TEST

START_TEST(bad_proof_refused)
{
	uint8_t p2[MF_PUBKEY_LEN], now[MF_PUBKEY_LEN], *body, *b2;
	mf_key *k2 = gen(p2);
	Mentorfed__RegionKey *rk;
	mf_apply_result res;
	size_t len, l2;
	char err[512] = "";

	ck_assert_int_eq(mf_region_key_body(ORIGIN, evl_pub, k2, "planned", &body, &len), 0);
	rk = mentorfed__region_key__unpack(NULL, len, body);
	ck_assert(rk != NULL && rk->proof.len > 0);
	rk->proof.data[0] ^= 1;
	l2 = mentorfed__region_key__get_packed_size(rk);
	b2 = mf_xmalloc(l2);
	mentorfed__region_key__pack(rk, b2);
	ck_assert_int_eq(apply_rotation(b2, l2, &res, err, sizeof(err)), 1);
	ck_assert_uint_eq(res.applied_blocks, 0);
	ck_assert_uint_eq(res.rejected_blocks, 1);
	ck_assert_int_eq((int)res.first_error, (int)MF_RECV_BAD_SHAPE);
	ck_assert_str_eq(res.origin, ORIGIN);
	ck_assert_msg(strstr(err, "key rotation that does not hold") && strstr(err, "proof"), "%s",
		      err);
	ck_assert(!stored());
	key_at_2(now);
	ck_assert(memcmp(now, evl_pub, MF_PUBKEY_LEN) == 0);
	mentorfed__region_key__free_unpacked(rk, NULL);
	free(b2);
	free(body);
	mf_key_free(k2);
}
END_TEST

START_TEST(wrong_predecessor_refused)
{
	uint8_t p2[MF_PUBKEY_LEN], px[MF_PUBKEY_LEN], now[MF_PUBKEY_LEN], *body;
	mf_key *k2 = gen(p2), *kx = gen(px);
	mf_apply_result res;
	size_t len;
	char err[512] = "";

	/* a well-formed rotation, but of a key this origin never had */
	ck_assert_int_eq(mf_region_key_body(ORIGIN, px, k2, "", &body, &len), 0);
	ck_assert_int_eq(apply_rotation(body, len, &res, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "not " ORIGIN "'s key in force"), "%s", err);
	ck_assert(!stored());
	key_at_2(now);
	ck_assert(memcmp(now, evl_pub, MF_PUBKEY_LEN) == 0);
	free(body);
	mf_key_free(k2);
	mf_key_free(kx);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("apply_keys");
	TCase *tc = tcase_create("rotation");

	if (testdir_init("test_apply_keys") != 0)
		return 1;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_rotation_applied);
	tcase_add_test(tc, bad_proof_refused);
	tcase_add_test(tc, wrong_predecessor_refused);
	suite_add_tcase(su, tc);
	return testdir_run(su);
}
