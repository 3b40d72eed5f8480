/*
 * test_keys_unit.c — the keyring's choice of a key by (origin, seq)
 * (daemon/core/keys.c), the region_key record's checks (record.c) and the
 * config's `key` and `revoke` lines (conf.c): doc/KEYS.md.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "keys.h"
#include "kinds.h"
#include "record.h"
#include "util.h"

#include "testdir.h"

static mf_key *
gen(uint8_t pub[MF_PUBKEY_LEN])
{
	char err[256];
	mf_key *k = mf_key_generate(err, sizeof(err));

	ck_assert_msg(k != NULL, "%s", err);
	mf_key_public(k, pub);
	return k;
}

/* A block of one leaf at seq for origin, signed by k: does kr verify it? */
static int
block_ok(const mf_keyring *kr, const char *origin, uint64_t seq, const mf_key *k, char *err,
	 size_t errlen)
{
	mf_leaf l;
	mf_block b;
	Mentorfed__BlockHeader *h = NULL;
	char id[MF_ID_MAX];
	int rc;

	mf_make_id(origin, "school", "x", id);
	l.id = id;
	memset(l.hash, 7, sizeof(l.hash));
	ck_assert_int_eq(mf_block_seal(origin, seq, seq > 1 ? l.hash : NULL, &l, 1, 1, k, &b), 0);
	rc = mf_block_verify(b.header, b.header_len, b.sig, MF_SIG_LEN, kr, &h, err, errlen);
	if (h)
		mentorfed__block_header__free_unpacked(h, NULL);
	mf_block_clear(&b);
	return rc;
}

START_TEST(pick_by_seq)
{
	uint8_t p1[32], p2[32], p3[32], px[32];
	mf_key *k1 = gen(p1), *k2 = gen(p2), *k3 = gen(p3), *kx = gen(px);
	mf_keyring *kr = mf_keyring_new();
	mf_key_choice c;
	char err[512];

	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 1, &c), -1);
	ck_assert_int_eq(mf_keyring_set(kr, "RU-TOM", p1), 0);
	/* added out of order: the entries are kept sorted by `from` */
	ck_assert_int_eq(mf_keyring_add(kr, "RU-TOM", p3, 20, MF_KEY_CONFIG), 0);
	ck_assert_int_eq(mf_keyring_add(kr, "RU-TOM", p2, 11, MF_KEY_CHAIN), 0);
	ck_assert_int_eq(mf_keyring_set(kr, "RU-CHE", px), 0);
	ck_assert_int_eq(mf_keyring_add(kr, "RU-TOM", p2, 0, MF_KEY_CHAIN), -1);	/* seq 0: none */
	ck_assert_uint_eq(mf_keyring_count(kr), 2);

	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 1, &c), 0);
	ck_assert(memcmp(c.pub, p1, 32) == 0 && c.from == 1 && !c.revoked);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 10, &c), 0);
	ck_assert(memcmp(c.pub, p1, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 11, &c), 0);
	ck_assert(memcmp(c.pub, p2, 32) == 0 && c.from == 11 && c.source == MF_KEY_CHAIN);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 19, &c), 0);
	ck_assert(memcmp(c.pub, p2, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 20, &c), 0);
	ck_assert(memcmp(c.pub, p3, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", UINT64_MAX, &c), 0);
	ck_assert(memcmp(c.pub, p3, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-XXX", 5, &c), -1);
	ck_assert(mf_keyring_get(kr, "RU-TOM") != NULL);
	ck_assert(mf_keyring_has(kr, "RU-TOM", p2) && !mf_keyring_has(kr, "RU-CHE", p2));

	/* what mf_block_verify makes of it: each key only in its range */
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 5, k1, err, sizeof(err)), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 11, k1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "does not verify") != NULL, "%s", err);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 10, k2, err, sizeof(err)), -1);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 11, k2, err, sizeof(err)), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 25, k3, err, sizeof(err)), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 25, k2, err, sizeof(err)), -1);
	ck_assert_int_eq(block_ok(kr, "RU-CHE", 25, k3, err, sizeof(err)), -1);

	/* revocation: past `after` refused as revoked, up to it still good */
	ck_assert_int_eq(mf_keyring_revoke(kr, "RU-TOM", p2, 15), 0);
	ck_assert_int_eq(mf_keyring_revoke(kr, "RU-TOM", p2, 17), 0);	/* the earlier holds */
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 15, &c), 0);
	ck_assert_uint_eq(c.revoked_after, 15);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 16, &c), 1);
	ck_assert(c.revoked && memcmp(c.pub, p2, 32) == 0 && c.revoked_after == 15);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 15, k2, err, sizeof(err)), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 16, k2, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "revoked key") && strstr(err, "RU-TOM") && strstr(err, "after seq 15"),
		      "%s", err);
	/* a forgery by another key past the point is a bad signature, not "revoked" */
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 16, kx, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "revoked") == NULL, "%s", err);
	/* the key from the re-join card takes over after the point */
	ck_assert_int_eq(mf_keyring_add(kr, "RU-TOM", px, 16, MF_KEY_CONFIG), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 16, kx, err, sizeof(err)), 0);
	ck_assert_int_eq(block_ok(kr, "RU-TOM", 19, k2, err, sizeof(err)), -1);

	mf_keyring_free(kr);
	mf_key_free(k1);
	mf_key_free(k2);
	mf_key_free(k3);
	mf_key_free(kx);
}
END_TEST

START_TEST(region_key_records)
{
	uint8_t p1[32], p2[32], p3[32], got[32];
	mf_key *k1 = gen(p1), *k2 = gen(p2), *k3 = gen(p3);
	mf_keyring *kr = mf_keyring_new();
	mf_key_choice c;
	uint8_t *body;
	size_t len;
	char err[512];

	ck_assert_int_eq(mf_keyring_set(kr, "RU-TOM", p1), 0);
	ck_assert_int_eq(mf_region_key_body("RU-TOM", p1, k2, "new administrator", &body, &len), 0);
	/* for another region the proof does not hold (the region is signed) */
	ck_assert_int_eq(mf_keyring_set(kr, "RU-CHE", p1), 0);
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-CHE", 7, body, len, got, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "proof") != NULL, "%s", err);
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 7, body, len, got, err, sizeof(err)), 0);
	ck_assert(memcmp(got, p2, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 7, &c), 0);
	ck_assert(memcmp(c.pub, p1, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 8, &c), 0);
	ck_assert(memcmp(c.pub, p2, 32) == 0 && c.source == MF_KEY_CHAIN && c.from == 8);
	/* the same record replayed later names a key no longer in force */
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 30, body, len, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not RU-TOM's key in force") != NULL, "%s", err);
	free(body);

	/* a proof by another key than the one announced */
	ck_assert_int_eq(mf_region_key_body("RU-TOM", p2, k3, "", &body, &len), 0);
	body[len - 1] ^= 1;	/* the reason is last: flip into the proof instead */
	{
		Mentorfed__RegionKey *rk = mentorfed__region_key__unpack(NULL, len, body);
		if (rk == NULL) {
			/* flipping the last byte broke the encoding: fine, also refused */
			ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 12, body, len, NULL, err,
							     sizeof(err)), -1);
		} else {
			rk->proof.data[0] ^= 1;
			{
				size_t l2 = mentorfed__region_key__get_packed_size(rk);
				uint8_t *b2 = malloc(l2);
				mentorfed__region_key__pack(rk, b2);
				ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 12, b2, l2, NULL,
								     err, sizeof(err)), -1);
				free(b2);
			}
			mentorfed__region_key__free_unpacked(rk, NULL);
		}
	}
	free(body);
	/* a rotation signed by a revoked key (after its point) counts for nothing */
	ck_assert_int_eq(mf_keyring_revoke(kr, "RU-TOM", p2, 10), 0);
	ck_assert_int_eq(mf_region_key_body("RU-TOM", p2, k3, "", &body, &len), 0);
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 12, body, len, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 9, body, len, NULL, err, sizeof(err)), 0);
	free(body);
	ck_assert_int_eq(mf_region_key_learn(kr, "RU-TOM", 9, (const uint8_t *)"\xff\xff", 2, NULL, err,
					     sizeof(err)), -1);
	mf_keyring_free(kr);
	mf_key_free(k1);
	mf_key_free(k2);
	mf_key_free(k3);
}
END_TEST

START_TEST(config_key_lines)
{
	char dir[4200], path[4300], err[1024];
	uint8_t p1[32], p2[32];
	char h1[65], h2[65], text[1024];
	mf_key *k1 = gen(p1), *k2 = gen(p2);
	mf_config *c;
	mf_keyring *kr;
	mf_key_choice kc;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/conf", base_dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/mentorfed.conf", dir);
	mf_hex(p1, 32, h1);
	mf_hex(p2, 32, h2);
	snprintf(text, sizeof(text),
		 "[node]\nregion = RU-CHE\n\n[region RU-TOM]\nsigning_key = %s\nname = Томская\n"
		 "\n[region RU-CHE]\nsigning_key = %s\n"
		 "\n[region RU-TOM]\nrevoke = %s after 9\nkey = %s from 10\n", h1, h2, h1, h2);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	c = mf_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	kr = mf_keyring_new();
	ck_assert_int_eq(mf_config_keyring(c, kr, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 9, &kc), 0);
	ck_assert(memcmp(kc.pub, p1, 32) == 0);
	ck_assert_int_eq(mf_keyring_pick(kr, "RU-TOM", 10, &kc), 0);
	ck_assert(memcmp(kc.pub, p2, 32) == 0);
	mf_keyring_free(kr);
	mf_config_free(c);

	/* the name set in place, then read back; the key lines untouched */
	ck_assert_int_eq(mf_config_set_region_name(path, "RU-TOM", "Томская область", err, sizeof(err)), 0);
	ck_assert_int_eq(mf_config_set_region_name(path, "RU-CHE", "Челябинская область", err, sizeof(err)), 0);
	ck_assert_int_eq(mf_config_set_region_name(path, "RU-CHE", "a; b", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(c = mf_config_load(path, err, sizeof(err)));
	ck_assert_str_eq(mf_config_region(c, "RU-TOM")->name, "Томская область");
	ck_assert_str_eq(mf_config_region(c, "RU-CHE")->name, "Челябинская область");
	ck_assert_uint_eq(mf_config_region(c, "RU-TOM")->n_keys, 1);
	ck_assert_uint_eq(mf_config_region(c, "RU-TOM")->n_revoked, 1);
	mf_config_free(c);

	/* bad lines name the line */
	ck_assert_int_eq(mf_config_append(path, "[region RU-TOM]\nkey = abc from 3\n", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "key: expected 64 hex digits") != NULL, "%s", err);
	snprintf(text, sizeof(text), "[region RU-TOM]\nkey = %s from 1\n", h2);
	ck_assert_int_eq(mf_config_append(path, text, err, sizeof(err)), -1);
	snprintf(text, sizeof(text), "[region RU-TOM]\nrevoke = %s before 3\n", h2);
	ck_assert_int_eq(mf_config_append(path, text, err, sizeof(err)), -1);
	mf_key_free(k1);
	mf_key_free(k2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("keyring");

	if (testdir_init("mf-test-keys") != 0)
		return 1;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pick_by_seq);
	tcase_add_test(tc, region_key_records);
	tcase_add_test(tc, config_key_lines);
	suite_add_tcase(s, tc);
	return testdir_run(s);
}
