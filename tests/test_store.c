/*
 * test_store.c — the SQLite store (daemon/store.c).
 *
 * Local commits seal signed blocks and advance the vector; an unchanged put
 * creates nothing; blocks read from node A's store and applied to node B's
 * give B the same digest, and applying them again changes nothing; altered
 * versions, altered headers, gaps, forks and withheld leaves are refused or
 * recorded with the store otherwise unchanged; a failing batch leaves no
 * trace; foreign, corrupt and other-region database files are refused.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "keys.h"
#include "kinds.h"
#include "record.h"
#include "store.h"
#include "util.h"
#include "proto/records.pb-c.h"

/* Number of numbered migrations in store.c: bump with each new one. */
#define EXPECTED_SCHEMA_VERSION 2
#define APP_ID 0x4d466564

#include "testdir.h"

static char *
path_in(const char *dir, const char *name)
{
	char *p = mf_path(dir, name);

	ck_assert_ptr_nonnull(p);
	return p;
}

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

static mf_store *
open_store(const char *dir, const char *name, const char *region)
{
	char err[512] = "";
	char *p = path_in(dir, name);
	mf_store *s = mf_store_open(p, region, err, sizeof(err));

	ck_assert_msg(s != NULL, "open %s: %s", p, err);
	free(p);
	return s;
}

static mf_keyring *
ring_with(const char *region, const mf_key *k)
{
	mf_keyring *kr = mf_keyring_new();
	uint8_t pub[MF_PUBKEY_LEN];

	mf_key_public(k, pub);
	ck_assert_int_eq(mf_keyring_set(kr, region, pub), 0);
	return kr;
}

/* An encoded School body. */
static uint8_t *
school_body(const char *name, size_t *len)
{
	Mentorfed__School m = MENTORFED__SCHOOL__INIT;
	uint8_t *buf;

	m.name = (char *)name;
	m.municipality = (char *)"г. Томск";
	m.self_diagnosis_level = MENTORFED__SELF_DIAGNOSIS_LEVEL__SELF_DIAGNOSIS_LEVEL_HIGH;
	*len = mentorfed__school__get_packed_size(&m);
	buf = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(buf);
	mentorfed__school__pack(&m, buf);
	return buf;
}

/* Commit one put of a school (or a delete when name is NULL). */
static int
put_school(mf_store *s, const mf_key *k, const char *id, const char *name,
	   mf_commit_result *res, char *err, size_t errlen)
{
	mf_put p = { .id = id, .kind = "school", .deleted = name == NULL };
	uint8_t *body = NULL;
	size_t len = 0;
	int rc;

	if (name)
		body = school_body(name, &len);
	p.body = body;
	p.body_len = len;
	rc = mf_store_commit_local(s, k, &p, 1, res, err, errlen);
	free(body);
	return rc;
}

static void
must_put(mf_store *s, const mf_key *k, const char *id, const char *name)
{
	mf_commit_result res;
	char err[512] = "";

	ck_assert_msg(put_school(s, k, id, name, &res, err, sizeof(err)) == 0, "put %s: %s", id,
		      err);
	ck_assert_uint_eq(res.changed, 1);
}

/* ---------------------------------------------------- whole-store snapshot */

/* SHA-256 over every row of every table: equal exactly when nothing in the
 * store changed. */
/* A second connection to the store's file: the store keeps SQLite to
 * itself, the tests look at the tables from the side. */
static sqlite3 *
side_open(mf_store *s)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open_v2(mf_store_path(s), &db, SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void
snapshot(mf_store *s, uint8_t out[MF_HASH_LEN])
{
	sqlite3 *db = side_open(s);
	sqlite3_stmt *tl;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = MF_HASH_LEN;

	ck_assert_ptr_nonnull(c);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
					    " ORDER BY name", -1, &tl, NULL), SQLITE_OK);
	while (sqlite3_step(tl) == SQLITE_ROW) {
		char sql[256];
		sqlite3_stmt *st;
		const char *t = (const char *)sqlite3_column_text(tl, 0);

		EVP_DigestUpdate(c, t, strlen(t) + 1);
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2", t);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				int ty = sqlite3_column_type(st, i);
				const void *b = sqlite3_column_blob(st, i);
				int bl = sqlite3_column_bytes(st, i);
				uint8_t tag = (uint8_t)ty;
				EVP_DigestUpdate(c, &tag, 1);
				EVP_DigestUpdate(c, &bl, sizeof(bl));
				if (b && bl > 0)
					EVP_DigestUpdate(c, b, (size_t)bl);
			}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tl);
	sqlite3_close(db);
	EVP_DigestFinal_ex(c, out, &n);
	EVP_MD_CTX_free(c);
}

static int64_t
count_sql(mf_store *s, const char *sql)
{
	sqlite3 *db = side_open(s);
	sqlite3_stmt *st;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
digest(mf_store *s, uint8_t out[MF_HASH_LEN])
{
	ck_assert_int_eq(mf_store_digest(s, out), 0);
}

/* ------------------------------------------------ blocks as a peer sends them */

typedef struct cblock {
	uint8_t *hdr;
	size_t hl;
	uint8_t sig[MF_SIG_LEN];
	uint64_t first, last;
	size_t nv;
	uint8_t *v[MF_BLOCK_MAX_LEAVES];
	size_t vl[MF_BLOCK_MAX_LEAVES];
} cblock;

typedef struct cset {
	cblock *b;
	size_t n;
	mf_block_in *in;
} cset;

static int
on_block(void *arg, const uint8_t *header, size_t hl, const uint8_t *sig, uint64_t first,
	 uint64_t last)
{
	cset *cs = arg;
	cblock *b;

	cs->b = realloc(cs->b, (cs->n + 1) * sizeof(*cs->b));
	ck_assert_ptr_nonnull(cs->b);
	b = &cs->b[cs->n++];
	memset(b, 0, sizeof(*b));
	b->hdr = malloc(hl);
	ck_assert_ptr_nonnull(b->hdr);
	memcpy(b->hdr, header, hl);
	b->hl = hl;
	memcpy(b->sig, sig, MF_SIG_LEN);
	b->first = first;
	b->last = last;
	return 0;
}

static int
on_version(void *arg, uint64_t seq, const uint8_t *v, size_t len)
{
	cblock *b = arg;

	ck_assert_uint_ge(seq, b->first);
	ck_assert_uint_le(seq, b->last);
	b->v[b->nv] = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(b->v[b->nv]);
	memcpy(b->v[b->nv], v, len);
	b->vl[b->nv++] = len;
	return 0;
}

/* Origin's blocks after `after`, each with the current versions of its
 * leaves, as a sender streams them. */
static cset *
collect(mf_store *s, const char *origin, uint64_t after)
{
	cset *cs = calloc(1, sizeof(*cs));

	ck_assert_ptr_nonnull(cs);
	ck_assert_int_ge(mf_store_blocks_after(s, origin, after, 1000000, on_block, cs), 0);
	cs->in = calloc(cs->n ? cs->n : 1, sizeof(*cs->in));
	ck_assert_ptr_nonnull(cs->in);
	for (size_t i = 0; i < cs->n; i++) {
		cblock *b = &cs->b[i];
		ck_assert_int_ge(mf_store_versions_in(s, origin, b->first, b->last, on_version, b), 0);
		cs->in[i].header = b->hdr;
		cs->in[i].header_len = b->hl;
		cs->in[i].sig = b->sig;
		cs->in[i].sig_len = MF_SIG_LEN;
		cs->in[i].versions = (const uint8_t *const *)b->v;
		cs->in[i].version_lens = b->vl;
		cs->in[i].n_versions = b->nv;
	}
	return cs;
}

static void
cset_free(cset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->b[i].hdr);
		for (size_t j = 0; j < cs->b[i].nv; j++)
			free(cs->b[i].v[j]);
	}
	free(cs->b);
	free(cs->in);
	free(cs);
}

static int
apply(mf_store *s, const mf_keyring *kr, const mf_block_in *in, size_t n, mf_apply_result *res)
{
	char err[512] = "";
	int rc = mf_store_apply(s, kr, in, n, res, err, sizeof(err));

	ck_assert_msg(rc >= 0, "store error: %s", err);
	if (rc > 0)
		ck_assert_msg(err[0] != '\0', "a rejection gives a reason");
	return rc;
}

/* Apply one block, expecting outcome `want` and, unless it is OK, the store
 * left exactly as it was (forks excepted: their evidence is kept). */
static void
apply_expect(mf_store *s, const mf_keyring *kr, const mf_block_in *in,
	     enum mf_apply_outcome want)
{
	uint8_t before[MF_HASH_LEN], after[MF_HASH_LEN], d1[MF_HASH_LEN], d2[MF_HASH_LEN];
	mf_apply_result res;
	int rc;

	snapshot(s, before);
	digest(s, d1);
	rc = apply(s, kr, in, 1, &res);
	if (want == MF_APPLY_OK) {
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(res.applied_blocks, 1);
		return;
	}
	if (want == MF_APPLY_DUPLICATE) {
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(res.duplicate_blocks, 1);
	} else {
		ck_assert_int_eq(rc, 1);
		ck_assert_uint_eq(res.rejected_blocks, 1);
		ck_assert_int_eq(res.first_error, want);
	}
	ck_assert_uint_eq(res.applied_blocks, 0);
	ck_assert_uint_eq(res.applied_versions, 0);
	digest(s, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	if (want != MF_APPLY_FORK) {
		snapshot(s, after);
		ck_assert_msg(memcmp(before, after, MF_HASH_LEN) == 0,
			      "outcome %d changed the store", (int)want);
	}
}

/* ------------------------------------------------------------------ tests */

START_TEST(local_commit)
{
	char *d = new_dir("local");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	mf_commit_result res;
	uint8_t head[MF_HASH_LEN], hh[MF_HASH_LEN], s1[MF_HASH_LEN], s2[MF_HASH_LEN];
	uint8_t *b1, *b2;
	size_t l1, l2;
	mf_put puts[2];
	mf_record *r;
	char err[512] = "";
	cset *cs;

	ck_assert_str_eq(mf_store_region(s), "RU-TOM");
	ck_assert_uint_eq(mf_store_vv(s, "RU-TOM", head), 0);
	b1 = school_body("Школа 1", &l1);
	b2 = school_body("Школа 2", &l2);
	puts[0] = (mf_put){ "RU-TOM:school:s1", "school", 0, b1, l1 };
	puts[1] = (mf_put){ "RU-TOM:school:s2", "school", 0, b2, l2 };
	ck_assert_msg(mf_store_commit_local(s, k, puts, 2, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.changed, 2);
	ck_assert_uint_eq(res.unchanged, 0);
	ck_assert_uint_eq(res.first_seq, 1);
	ck_assert_uint_eq(res.last_seq, 2);
	ck_assert_uint_eq(res.blocks, 1);
	ck_assert_uint_eq(mf_store_vv(s, "RU-TOM", head), 2);

	/* The block is held, verifies against the node's key, its hash is the
	 * vector's head and its leaves are the two versions. */
	cs = collect(s, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 1);
	ck_assert_uint_eq(cs->b[0].first, 1);
	ck_assert_uint_eq(cs->b[0].last, 2);
	ck_assert_uint_eq(cs->b[0].nv, 2);
	mf_sha256(cs->b[0].hdr, cs->b[0].hl, hh);
	ck_assert_mem_eq(hh, head, MF_HASH_LEN);
	{
		Mentorfed__BlockHeader *h;
		ck_assert_msg(mf_block_verify(cs->b[0].hdr, cs->b[0].hl, cs->b[0].sig, MF_SIG_LEN, kr,
					      &h, err, sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(h->n_leaves, 2);
		ck_assert_str_eq(h->leaves[0]->id, "RU-TOM:school:s1");
		ck_assert_str_eq(h->leaves[1]->id, "RU-TOM:school:s2");
		ck_assert_uint_eq(h->prev_hash.len, 0);
		r = mf_store_get(s, "RU-TOM:school:s1");
		ck_assert_ptr_nonnull(r);
		ck_assert_mem_eq(h->leaves[0]->hash.data, r->hash, MF_HASH_LEN);
		mentorfed__block_header__free_unpacked(h, NULL);
	}
	cset_free(cs);

	/* The record as stored, with its version hash. */
	ck_assert_str_eq(r->id, "RU-TOM:school:s1");
	ck_assert_str_eq(r->kind, "school");
	ck_assert_str_eq(r->origin, "RU-TOM");
	ck_assert_uint_eq(r->seq, 1);
	ck_assert_int_eq(r->deleted, 0);
	ck_assert_uint_eq(r->body_len, l1);
	ck_assert_mem_eq(r->body, b1, l1);
	ck_assert_uint_gt(r->hlc, 0);
	mf_version_hash(r->id, r->kind, r->origin, r->seq, r->hlc, r->deleted, r->body, r->body_len,
			hh);
	ck_assert_mem_eq(hh, r->hash, MF_HASH_LEN);
	{
		mf_record *r2 = mf_store_get(s, "RU-TOM:school:s2");
		ck_assert_ptr_nonnull(r2);
		ck_assert_uint_eq(r2->seq, 2);
		ck_assert_uint_gt(r2->hlc, r->hlc);	/* the clock moves forward */
		mf_record_free(r2);
	}
	mf_record_free(r);
	ck_assert_ptr_null(mf_store_get(s, "RU-TOM:school:none"));
	ck_assert_int_eq(mf_store_count(s, NULL, NULL, -1), 2);

	/* The same puts again create nothing and change nothing. */
	snapshot(s, s1);
	ck_assert_int_eq(mf_store_commit_local(s, k, puts, 2, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.changed, 0);
	ck_assert_uint_eq(res.unchanged, 2);
	ck_assert_uint_eq(res.blocks, 0);
	ck_assert_uint_eq(res.first_seq, 0);
	snapshot(s, s2);
	ck_assert_mem_eq(s1, s2, MF_HASH_LEN);
	ck_assert_uint_eq(mf_store_vv(s, "RU-TOM", NULL), 2);

	/* A changed put is seq 3, in a block linked to the first. */
	must_put(s, k, "RU-TOM:school:s1", "Школа 1 (новое имя)");
	ck_assert_uint_eq(mf_store_vv(s, "RU-TOM", hh), 3);
	cs = collect(s, "RU-TOM", 2);
	ck_assert_uint_eq(cs->n, 1);
	{
		Mentorfed__BlockHeader *h;
		ck_assert_int_eq(mf_block_verify(cs->b[0].hdr, cs->b[0].hl, cs->b[0].sig, MF_SIG_LEN,
						 kr, &h, err, sizeof(err)), 0);
		ck_assert_uint_eq(h->first_seq, 3);
		ck_assert_uint_eq(h->prev_hash.len, MF_HASH_LEN);
		ck_assert_mem_eq(h->prev_hash.data, head, MF_HASH_LEN);
		mentorfed__block_header__free_unpacked(h, NULL);
	}
	cset_free(cs);
	/* Seqs persist across a reopen. */
	mf_store_close(s);
	s = open_store(d, "a.db", "RU-TOM");
	must_put(s, k, "RU-TOM:school:s3", "Школа 3");
	r = mf_store_get(s, "RU-TOM:school:s3");
	ck_assert_uint_eq(r->seq, 4);
	mf_record_free(r);

	free(b1);
	free(b2);
	mf_store_close(s);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

/* A large batch becomes several linked blocks within the size cap. */
START_TEST(large_batch_several_blocks)
{
	char *d = new_dir("large");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	size_t n = MF_BLOCK_MAX_LEAVES + 5;
	mf_put *puts = calloc(n, sizeof(*puts));
	char (*ids)[40] = calloc(n, 40);
	uint8_t *body, da[MF_HASH_LEN], db[MF_HASH_LEN];
	size_t bl;
	mf_commit_result res;
	mf_apply_result ar;
	char err[512] = "";
	cset *cs;

	body = school_body("x", &bl);
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], 40, "RU-TOM:school:n%zu", i);
		puts[i] = (mf_put){ ids[i], "school", 0, body, bl };
	}
	ck_assert_msg(mf_store_commit_local(a, k, puts, n, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.changed, n);
	ck_assert_uint_eq(res.blocks, 2);
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 2);
	ck_assert_uint_eq(cs->b[0].last - cs->b[0].first + 1, MF_BLOCK_MAX_LEAVES);
	ck_assert_uint_eq(cs->b[1].first, MF_BLOCK_MAX_LEAVES + 1);
	ck_assert_uint_eq(cs->b[1].last, n);
	ck_assert_int_eq(apply(b, kr, cs->in, cs->n, &ar), 0);
	ck_assert_uint_eq(ar.applied_blocks, 2);
	ck_assert_uint_eq(ar.applied_versions, n);
	digest(a, da);
	digest(b, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);
	cset_free(cs);
	free(body);
	free(puts);
	free(ids);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

/* A's history: several commits, updates and a delete. */
static void
build_history(mf_store *a, const mf_key *k)
{
	must_put(a, k, "RU-TOM:school:s1", "Школа 1");			/* seq 1 */
	must_put(a, k, "RU-TOM:school:s2", "Школа 2");			/* seq 2 */
	must_put(a, k, "RU-TOM:school:s1", "Школа 1, новое имя");	/* seq 3 */
	must_put(a, k, "RU-TOM:school:s3", "Школа 3");			/* seq 4 */
	must_put(a, k, "RU-TOM:school:s2", NULL);			/* seq 5: delete */
	must_put(a, k, "RU-TOM:school:s4", "Школа 4");			/* seq 6 */
}

START_TEST(apply_sync_and_idempotence)
{
	char *d = new_dir("sync");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_store *c = open_store(d, "c.db", "RU-CHE");
	uint8_t da[MF_HASH_LEN], db[MF_HASH_LEN], ha[MF_HASH_LEN], hb[MF_HASH_LEN];
	uint8_t s1[MF_HASH_LEN], s2[MF_HASH_LEN], empty[MF_HASH_LEN];
	mf_apply_result res;
	uint64_t first;
	cset *cs, *half;

	build_history(a, k);
	digest(b, empty);
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 6);
	/* superseded leaves travel without their version */
	ck_assert_uint_eq(cs->b[0].nv, 0);
	ck_assert_uint_eq(cs->b[1].nv, 0);
	ck_assert_uint_eq(cs->b[2].nv, 1);

	ck_assert_int_eq(apply(b, kr, cs->in, cs->n, &res), 0);
	ck_assert_uint_eq(res.applied_blocks, 6);
	ck_assert_uint_eq(res.duplicate_blocks, 0);
	ck_assert_uint_eq(res.rejected_blocks, 0);
	ck_assert_uint_eq(res.applied_versions, 4);
	digest(a, da);
	digest(b, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);
	ck_assert_mem_ne(db, empty, MF_HASH_LEN);
	ck_assert_uint_eq(mf_store_vv(a, "RU-TOM", ha), 6);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", hb), 6);
	ck_assert_mem_eq(ha, hb, MF_HASH_LEN);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 6, &first), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-CHE", NULL), 0);
	{
		mf_record *ra = mf_store_get(a, "RU-TOM:school:s1"), *rb = mf_store_get(b, "RU-TOM:school:s1");
		ck_assert_ptr_nonnull(rb);
		ck_assert_uint_eq(rb->seq, 3);
		ck_assert_uint_eq(rb->hlc, ra->hlc);
		ck_assert_uint_eq(rb->body_len, ra->body_len);
		ck_assert_mem_eq(rb->body, ra->body, ra->body_len);
		ck_assert_mem_eq(rb->hash, ra->hash, MF_HASH_LEN);
		mf_record_free(ra);
		mf_record_free(rb);
		rb = mf_store_get(b, "RU-TOM:school:s2");
		ck_assert_ptr_nonnull(rb);
		ck_assert_int_eq(rb->deleted, 1);
		mf_record_free(rb);
	}
	/* B relays what it holds: its blocks are A's, byte for byte. */
	{
		cset *cb = collect(b, "RU-TOM", 0);
		ck_assert_uint_eq(cb->n, cs->n);
		for (size_t i = 0; i < cs->n; i++) {
			ck_assert_uint_eq(cb->b[i].hl, cs->b[i].hl);
			ck_assert_mem_eq(cb->b[i].hdr, cs->b[i].hdr, cs->b[i].hl);
			ck_assert_mem_eq(cb->b[i].sig, cs->b[i].sig, MF_SIG_LEN);
			ck_assert_uint_eq(cb->b[i].nv, cs->b[i].nv);
		}
		cset_free(cb);
	}

	/* Re-applying the same batch: all duplicates, nothing changes. */
	snapshot(b, s1);
	ck_assert_int_eq(apply(b, kr, cs->in, cs->n, &res), 0);
	ck_assert_uint_eq(res.duplicate_blocks, 6);
	ck_assert_uint_eq(res.applied_blocks, 0);
	ck_assert_uint_eq(res.applied_versions, 0);
	snapshot(b, s2);
	ck_assert_mem_eq(s1, s2, MF_HASH_LEN);
	/* ... and so does any single block of it. */
	for (size_t i = 0; i < cs->n; i++)
		apply_expect(b, kr, &cs->in[i], MF_APPLY_DUPLICATE);

	/* In two calls (as after a partition) the result is the same. */
	ck_assert_int_eq(apply(c, kr, cs->in, 2, &res), 0);
	ck_assert_uint_eq(mf_store_vv(c, "RU-TOM", NULL), 2);
	half = collect(a, "RU-TOM", 2);
	ck_assert_uint_eq(half->n, 4);
	ck_assert_int_eq(apply(c, kr, half->in, half->n, &res), 0);
	digest(c, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);
	/* A later batch that starts with held blocks applies the rest. */
	cset_free(half);

	/* New records on A reach B the same way. */
	must_put(a, k, "RU-TOM:school:s5", "Школа 5");
	half = collect(a, "RU-TOM", mf_store_vv(b, "RU-TOM", NULL));
	ck_assert_uint_eq(half->n, 1);
	apply_expect(b, kr, &half->in[0], MF_APPLY_OK);
	digest(a, da);
	digest(b, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);
	cset_free(half);

	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_store_close(c);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(older_never_overwrites_newer)
{
	char *d = new_dir("order");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_store *c = open_store(d, "c.db", "RU-CHE");
	mf_apply_result res;
	mf_record *r;
	cset *v1, *all;
	uint8_t *body2;
	size_t l2;

	must_put(a, k, "RU-TOM:school:x", "v1");
	v1 = collect(a, "RU-TOM", 0);		/* block 1 with version 1 */
	ck_assert_uint_eq(v1->b[0].nv, 1);
	must_put(a, k, "RU-TOM:school:x", "v2");
	r = mf_store_get(a, "RU-TOM:school:x");
	body2 = school_body("v2", &l2);
	ck_assert_uint_eq(r->seq, 2);
	ck_assert_uint_eq(r->body_len, l2);
	ck_assert_mem_eq(r->body, body2, l2);
	mf_record_free(r);
	all = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(all->n, 2);

	/* B: v1 then v2, in separate calls; then v1 again. */
	ck_assert_int_eq(apply(b, kr, v1->in, 1, &res), 0);
	r = mf_store_get(b, "RU-TOM:school:x");
	ck_assert_uint_eq(r->seq, 1);
	mf_record_free(r);
	ck_assert_int_eq(apply(b, kr, &all->in[1], 1, &res), 0);
	ck_assert_uint_eq(res.applied_versions, 1);
	apply_expect(b, kr, &v1->in[0], MF_APPLY_DUPLICATE);
	r = mf_store_get(b, "RU-TOM:school:x");
	ck_assert_uint_eq(r->seq, 2);
	ck_assert_mem_eq(r->body, body2, l2);
	mf_record_free(r);

	/* C: both blocks, the first still carrying v1, in one batch. */
	{
		mf_block_in in[2] = { v1->in[0], all->in[1] };
		ck_assert_int_eq(apply(c, kr, in, 2, &res), 0);
		ck_assert_uint_eq(res.applied_blocks, 2);
		r = mf_store_get(c, "RU-TOM:school:x");
		ck_assert_uint_eq(r->seq, 2);
		ck_assert_mem_eq(r->body, body2, l2);
		mf_record_free(r);
	}
	/* The later block cannot come first: it does not link. */
	{
		mf_store *e = open_store(d, "e.db", "RU-CHE");
		apply_expect(e, kr, &all->in[1], MF_APPLY_NO_LINK);
		ck_assert_ptr_null(mf_store_get(e, "RU-TOM:school:x"));
		mf_store_close(e);
	}
	/* Locally, two puts of one id in one batch: the later wins. */
	{
		uint8_t *p1, *p2;
		size_t n1, n2;
		mf_put puts[2];
		mf_commit_result cr;
		char err[256];
		p1 = school_body("first", &n1);
		p2 = school_body("second", &n2);
		puts[0] = (mf_put){ "RU-TOM:school:y", "school", 0, p1, n1 };
		puts[1] = (mf_put){ "RU-TOM:school:y", "school", 0, p2, n2 };
		ck_assert_int_eq(mf_store_commit_local(a, k, puts, 2, &cr, err, sizeof(err)), 0);
		r = mf_store_get(a, "RU-TOM:school:y");
		ck_assert_uint_eq(r->seq, cr.last_seq);
		ck_assert_uint_eq(r->body_len, n2);
		ck_assert_mem_eq(r->body, p2, n2);
		mf_record_free(r);
		free(p1);
		free(p2);
	}
	free(body2);
	cset_free(v1);
	cset_free(all);
	mf_store_close(a);
	mf_store_close(b);
	mf_store_close(c);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(tampered_version_refused)
{
	char *d = new_dir("tamperv");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	uint8_t vv1[MF_HASH_LEN], vv2[MF_HASH_LEN], d1[MF_HASH_LEN], d2[MF_HASH_LEN];
	cset *cs;

	build_history(a, k);
	cs = collect(a, "RU-TOM", 0);
	ck_assert_int_eq(apply(b, kr, cs->in, 3, &res), 0);	/* blocks 1..3 */
	{
		cblock *blk = &cs->b[3];	/* seq 4: school s3 */
		uint8_t *orig = blk->v[0];
		size_t len = blk->vl[0];
		uint8_t *copy = malloc(len + 1);

		ck_assert_uint_eq(blk->nv, 1);
		ck_assert_ptr_nonnull(copy);
		blk->v[0] = copy;
		for (size_t i = 0; i < len; i++) {
			memcpy(copy, orig, len);
			copy[i] ^= 0x01;
			apply_expect(b, kr, &cs->in[3], MF_APPLY_BAD_VERSION);
			memcpy(copy, orig, len);
			copy[i] ^= 0x80;
			apply_expect(b, kr, &cs->in[3], MF_APPLY_BAD_VERSION);
		}
		/* truncated, and with a trailing byte */
		memcpy(copy, orig, len);
		cs->in[3].version_lens = (size_t[]){ len - 1 };
		apply_expect(b, kr, &cs->in[3], MF_APPLY_BAD_VERSION);
		/* the same version twice for one leaf */
		{
			const uint8_t *two[2] = { orig, orig };
			size_t tl[2] = { len, len };
			mf_block_in in = cs->in[3];
			in.versions = two;
			in.version_lens = tl;
			in.n_versions = 2;
			apply_expect(b, kr, &in, MF_APPLY_BAD_VERSION);
		}
		/* another block's version */
		{
			mf_block_in in = cs->in[3];
			in.versions = (const uint8_t *const *)cs->b[5].v;
			in.version_lens = cs->b[5].vl;
			in.n_versions = 1;
			apply_expect(b, kr, &in, MF_APPLY_BAD_VERSION);
		}
		cs->in[3].version_lens = blk->vl;
		blk->v[0] = orig;
		free(copy);
	}
	/* Within a batch, the good blocks before the bad one are kept. */
	{
		cblock *blk = &cs->b[5];
		uint8_t saved = blk->v[0][blk->vl[0] - 1];
		blk->v[0][blk->vl[0] - 1] ^= 0x04;
		ck_assert_int_eq(apply(b, kr, &cs->in[3], 3, &res), 1);
		ck_assert_uint_eq(res.applied_blocks, 2);
		ck_assert_int_eq(res.first_error, MF_APPLY_BAD_VERSION);
		ck_assert_str_eq(res.origin, "RU-TOM");
		ck_assert_uint_eq(res.error_seq, 6);
		ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 5);
		ck_assert_ptr_null(mf_store_get(b, "RU-TOM:school:s4"));
		blk->v[0][blk->vl[0] - 1] = saved;
	}
	ck_assert_int_eq(apply(b, kr, &cs->in[5], 1, &res), 0);
	mf_store_vv(a, "RU-TOM", vv1);
	mf_store_vv(b, "RU-TOM", vv2);
	ck_assert_mem_eq(vv1, vv2, MF_HASH_LEN);
	digest(a, d1);
	digest(b, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(tampered_header_refused)
{
	char *d = new_dir("tamperh");
	mf_key *k = gen_key(), *other = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k), *wrong = ring_with("RU-TOM", other);
	mf_keyring *none = ring_with("RU-CHE", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	cset *cs;

	build_history(a, k);
	cs = collect(a, "RU-TOM", 0);
	ck_assert_int_eq(apply(b, kr, cs->in, 2, &res), 0);
	{
		cblock *blk = &cs->b[2];
		uint8_t *orig = blk->hdr, *copy = malloc(blk->hl);
		ck_assert_ptr_nonnull(copy);
		cs->in[2].header = copy;
		for (size_t i = 0; i < blk->hl; i++) {
			memcpy(copy, orig, blk->hl);
			copy[i] ^= 0x01;
			apply_expect(b, kr, &cs->in[2], MF_APPLY_BAD_SIGNATURE);
		}
		cs->in[2].header = orig;
		free(copy);
	}
	{
		uint8_t sig[MF_SIG_LEN];
		memcpy(sig, cs->b[2].sig, MF_SIG_LEN);
		cs->in[2].sig = sig;
		for (int i = 0; i < MF_SIG_LEN; i += 7) {
			sig[i] ^= 0x10;
			apply_expect(b, kr, &cs->in[2], MF_APPLY_BAD_SIGNATURE);
			sig[i] ^= 0x10;
		}
		cs->in[2].sig_len = MF_SIG_LEN - 1;
		apply_expect(b, kr, &cs->in[2], MF_APPLY_BAD_SIGNATURE);
		cs->in[2].sig_len = MF_SIG_LEN;
		cs->in[2].sig = cs->b[2].sig;
	}
	/* another key for the origin; no key for the origin */
	apply_expect(b, wrong, &cs->in[2], MF_APPLY_BAD_SIGNATURE);
	apply_expect(b, none, &cs->in[2], MF_APPLY_BAD_SIGNATURE);
	/* untouched, it applies */
	apply_expect(b, kr, &cs->in[2], MF_APPLY_OK);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_keyring_free(wrong);
	mf_keyring_free(none);
	mf_key_free(k);
	mf_key_free(other);
	free(d);
}
END_TEST

START_TEST(gap_and_bad_link_refused)
{
	char *d = new_dir("gap");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	mf_leaf lf;
	mf_block fake;
	uint8_t head[MF_HASH_LEN];
	cset *cs;

	build_history(a, k);
	cs = collect(a, "RU-TOM", 0);
	/* Nothing held: block 2 does not link. */
	apply_expect(b, kr, &cs->in[1], MF_APPLY_NO_LINK);
	ck_assert_int_eq(apply(b, kr, cs->in, 1, &res), 0);
	/* Block 1 held: block 3 skips block 2. */
	apply_expect(b, kr, &cs->in[2], MF_APPLY_NO_LINK);
	/* In a batch too: 1 is a duplicate, 3 is refused, 2 never came. */
	{
		mf_block_in in[2] = { cs->in[0], cs->in[2] };
		ck_assert_int_eq(apply(b, kr, in, 2, &res), 1);
		ck_assert_uint_eq(res.duplicate_blocks, 1);
		ck_assert_int_eq(res.first_error, MF_APPLY_NO_LINK);
		ck_assert_uint_eq(res.error_seq, 3);
	}
	/* The right seq, validly signed, but not chained to the held head. */
	lf.id = "RU-TOM:school:zz";
	mf_version_hash(lf.id, "school", "RU-TOM", 2, 1, 1, NULL, 0, lf.hash);
	memset(head, 0x5a, sizeof(head));
	ck_assert_int_eq(mf_block_seal("RU-TOM", 2, head, &lf, 1, 1, k, &fake), 0);
	{
		mf_block_in in = { fake.header, fake.header_len, fake.sig, MF_SIG_LEN, NULL, NULL, 0 };
		apply_expect(b, kr, &in, MF_APPLY_NO_LINK);
	}
	mf_block_clear(&fake);
	ck_assert_int_eq(mf_block_seal("RU-TOM", 2, NULL, &lf, 1, 1, k, &fake), 0);
	{
		mf_block_in in = { fake.header, fake.header_len, fake.sig, MF_SIG_LEN, NULL, NULL, 0 };
		apply_expect(b, kr, &in, MF_APPLY_NO_LINK);
	}
	mf_block_clear(&fake);
	/* A first block must not claim a predecessor. */
	{
		mf_store *e = open_store(d, "e.db", "RU-CHE");
		mf_version_hash(lf.id, "school", "RU-TOM", 1, 1, 1, NULL, 0, lf.hash);
		ck_assert_int_eq(mf_block_seal("RU-TOM", 1, head, &lf, 1, 1, k, &fake), 0);
		mf_block_in in = { fake.header, fake.header_len, fake.sig, MF_SIG_LEN, NULL, NULL, 0 };
		apply_expect(e, kr, &in, MF_APPLY_NO_LINK);
		mf_block_clear(&fake);
		mf_store_close(e);
	}
	ck_assert_int_eq(apply(b, kr, &cs->in[1], cs->n - 1, &res), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 6);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(fork_recorded_original_kept)
{
	char *d = new_dir("fork");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *a2 = open_store(d, "a2.db", "RU-TOM");
	mf_store *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	uint8_t h1[MF_HASH_LEN], h2[MF_HASH_LEN], d1[MF_HASH_LEN], d2[MF_HASH_LEN];
	mf_record *r;
	cset *ca, *cf;

	must_put(a, k, "RU-TOM:school:s1", "Школа 1");
	must_put(a, k, "RU-TOM:school:s2", "Школа 2");
	/* The same key signs other content at seq 1 (a restored backup, or a
	 * dishonest owner). */
	must_put(a2, k, "RU-TOM:school:s1", "Другая школа");
	ca = collect(a, "RU-TOM", 0);
	cf = collect(a2, "RU-TOM", 0);
	ck_assert_int_eq(apply(b, kr, ca->in, ca->n, &res), 0);
	ck_assert_int_eq(mf_store_forks(b, NULL), 0);
	mf_store_vv(b, "RU-TOM", h1);
	digest(b, d1);

	ck_assert_int_eq(apply(b, kr, cf->in, 1, &res), 1);
	ck_assert_int_eq(res.first_error, MF_APPLY_FORK);
	ck_assert_str_eq(res.origin, "RU-TOM");
	ck_assert_uint_eq(res.error_seq, 1);
	ck_assert_int_eq(mf_store_forks(b, "RU-TOM"), 1);
	ck_assert_int_eq(mf_store_forks(b, NULL), 1);
	ck_assert_int_eq(mf_store_forks(b, "RU-CHE"), 0);
	/* The original is kept. */
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", h2), 2);
	ck_assert_mem_eq(h1, h2, MF_HASH_LEN);
	digest(b, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	r = mf_store_get(b, "RU-TOM:school:s1");
	{
		mf_record *ra = mf_store_get(a, "RU-TOM:school:s1");
		ck_assert_mem_eq(r->hash, ra->hash, MF_HASH_LEN);
		mf_record_free(ra);
	}
	mf_record_free(r);
	/* Both signed headers are kept as evidence. */
	ck_assert_int_eq(count_sql(b, "SELECT count(*) FROM forks WHERE held_header IS NOT NULL"
				      " AND other_header IS NOT NULL"), 1);
	/* The same fork again is one piece of evidence, not two. */
	ck_assert_int_eq(apply(b, kr, cf->in, 1, &res), 1);
	ck_assert_int_eq(mf_store_forks(b, "RU-TOM"), 1);
	/* A2's further block (seq 2, linked to its own seq 1) is a fork too. */
	must_put(a2, k, "RU-TOM:school:s9", "Ещё");
	cset_free(cf);
	cf = collect(a2, "RU-TOM", 1);
	ck_assert_int_eq(apply(b, kr, cf->in, 1, &res), 1);
	ck_assert_int_eq(res.first_error, MF_APPLY_FORK);
	ck_assert_int_eq(mf_store_forks(b, "RU-TOM"), 2);
	ck_assert_ptr_null(mf_store_get(b, "RU-TOM:school:s9"));
	digest(b, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	cset_free(ca);
	cset_free(cf);
	mf_store_close(a);
	mf_store_close(a2);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(withheld_and_truncate)
{
	char *d = new_dir("withheld");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	uint8_t da[MF_HASH_LEN], db[MF_HASH_LEN], head[MF_HASH_LEN], h1[MF_HASH_LEN];
	uint64_t first = 0;
	char err[512] = "";
	cset *cs;

	build_history(a, k);
	cs = collect(a, "RU-TOM", 0);
	/* Block 1's leaf (s1 at seq 1) comes without a body and nothing
	 * supersedes it within what was sent: withheld. */
	ck_assert_uint_eq(cs->b[0].nv, 0);
	ck_assert_int_eq(apply(b, kr, cs->in, 1, &res), 0);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 1, &first), 1);
	ck_assert_uint_eq(first, 1);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 0, &first), 0);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-CHE", 10, &first), 0);
	ck_assert_ptr_null(mf_store_get(b, "RU-TOM:school:s1"));
	/* The stream is dishonest: roll the origin back. */
	ck_assert_msg(mf_store_truncate_origin(b, "RU-TOM", first, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", head), 0);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 100, &first), 0);
	ck_assert_int_eq(count_sql(b, "SELECT count(*) FROM blocks"), 0);
	{
		/* back to an empty store (meta aside: arrival times stay) */
		ck_assert_int_eq(count_sql(b, "SELECT count(*) FROM records"), 0);
		ck_assert_int_eq(count_sql(b, "SELECT count(*) FROM vv"), 0);
		ck_assert_int_eq(count_sql(b, "SELECT count(*) FROM pending"), 0);
	}

	/* Blocks 1..2 without bodies for their superseded leaves, then 3..6:
	 * everything is superseded by the end, nothing is withheld. */
	ck_assert_int_eq(apply(b, kr, cs->in, 2, &res), 0);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 2, &first), 2);
	ck_assert_int_eq(apply(b, kr, &cs->in[2], cs->n - 2, &res), 0);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 6, &first), 0);
	digest(a, da);
	digest(b, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);

	/* Truncating from the middle of the chain keeps what came before. */
	mf_store_vv(b, "RU-TOM", head);
	mf_sha256(cs->b[2].hdr, cs->b[2].hl, h1);	/* head after block 3 */
	ck_assert_int_eq(mf_store_truncate_origin(b, "RU-TOM", 4, err, sizeof(err)), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", head), 3);
	ck_assert_mem_eq(head, h1, MF_HASH_LEN);
	ck_assert_ptr_null(mf_store_get(b, "RU-TOM:school:s3"));	/* seq 4 */
	ck_assert_ptr_null(mf_store_get(b, "RU-TOM:school:s4"));	/* seq 6 */
	{
		mf_record *r = mf_store_get(b, "RU-TOM:school:s1");	/* seq 3 */
		ck_assert_ptr_nonnull(r);
		mf_record_free(r);
	}
	ck_assert_int_eq(apply(b, kr, &cs->in[3], cs->n - 3, &res), 0);
	ck_assert_uint_eq(res.applied_blocks, 3);
	digest(b, db);
	ck_assert_mem_eq(da, db, MF_HASH_LEN);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(delete_and_atomic_batches)
{
	char *d = new_dir("atomic");
	mf_key *k = gen_key();
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	uint8_t s1[MF_HASH_LEN], s2[MF_HASH_LEN];
	mf_commit_result res;
	char err[512] = "";
	mf_record *r;

	must_put(s, k, "RU-TOM:school:s1", "Школа 1");
	snapshot(s, s1);
	/* Deleting a record that does not exist fails, nothing changes. */
	ck_assert_int_ne(put_school(s, k, "RU-TOM:school:none", NULL, &res, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "RU-TOM:school:none") != NULL, "%s", err);
	ck_assert_uint_eq(res.changed, 0);
	snapshot(s, s2);
	ck_assert_mem_eq(s1, s2, MF_HASH_LEN);

	/* A batch with one bad put leaves no trace of the good ones. */
	{
		uint8_t *b1, *b2;
		size_t l1, l2;
		mf_put puts[3];
		b1 = school_body("новая", &l1);
		b2 = school_body("карточка", &l2);
		puts[0] = (mf_put){ "RU-TOM:school:new", "school", 0, b1, l1 };
		puts[1] = (mf_put){ "RU-TOM:school:s1", "school", 0, b1, l1 };	/* an update */
		puts[2] = (mf_put){ "RU-TOM:school:s1", "competency_card", 0, b2, l2 };
		err[0] = '\0';
		ck_assert_int_ne(mf_store_commit_local(s, k, puts, 3, &res, err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, "RU-TOM:school:s1") != NULL, "%s", err);
		snapshot(s, s2);
		ck_assert_mem_eq(s1, s2, MF_HASH_LEN);
		ck_assert_ptr_null(mf_store_get(s, "RU-TOM:school:new"));
		/* ... and a delete of a missing record at the end of a batch */
		puts[1] = (mf_put){ "RU-TOM:school:gone", "school", 1, NULL, 0 };
		ck_assert_int_ne(mf_store_commit_local(s, k, puts, 2, &res, err, sizeof(err)), 0);
		snapshot(s, s2);
		ck_assert_mem_eq(s1, s2, MF_HASH_LEN);
		/* The failed batches used no seqs: the next version is seq 2. */
		ck_assert_int_eq(mf_store_commit_local(s, k, puts, 1, &res, err, sizeof(err)), 0);
		ck_assert_uint_eq(res.first_seq, 2);
		free(b1);
		free(b2);
	}

	/* A delete is a tombstone: a new version without a body. */
	must_put(s, k, "RU-TOM:school:s1", NULL);
	r = mf_store_get(s, "RU-TOM:school:s1");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->deleted, 1);
	ck_assert_uint_eq(r->body_len, 0);
	ck_assert_uint_eq(r->seq, 3);
	mf_record_free(r);
	/* Deleting it again changes nothing. */
	snapshot(s, s1);
	ck_assert_int_eq(put_school(s, k, "RU-TOM:school:s1", NULL, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.changed, 0);
	ck_assert_uint_eq(res.unchanged, 1);
	snapshot(s, s2);
	ck_assert_mem_eq(s1, s2, MF_HASH_LEN);
	mf_store_close(s);
	mf_key_free(k);
	free(d);
}
END_TEST

static int
count_rec(void *arg, const mf_record *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

START_TEST(each_filters)
{
	char *d = new_dir("each");
	mf_key *k = gen_key();
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	int n;

	must_put(s, k, "RU-TOM:school:s1", "1");
	must_put(s, k, "RU-TOM:school:s2", "2");
	must_put(s, k, "RU-TOM:school:s2", NULL);
	n = 0;
	ck_assert_int_eq(mf_store_each(s, NULL, NULL, 0, count_rec, &n), 0);
	ck_assert_int_eq(n, 1);
	n = 0;
	ck_assert_int_eq(mf_store_each(s, "school", "RU-TOM", 1, count_rec, &n), 0);
	ck_assert_int_eq(n, 2);
	n = 0;
	ck_assert_int_eq(mf_store_each(s, "event", NULL, 1, count_rec, &n), 0);
	ck_assert_int_eq(n, 0);
	n = 0;
	ck_assert_int_eq(mf_store_each(s, NULL, "RU-CHE", 1, count_rec, &n), 0);
	ck_assert_int_eq(n, 0);
	mf_store_close(s);
	mf_key_free(k);
	free(d);
}
END_TEST

/* The columns queries filter on are filled from the body. */
START_TEST(indexed_columns)
{
	char *d = new_dir("index");
	mf_key *k = gen_key();
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	Mentorfed__CompetencyCard cc = MENTORFED__COMPETENCY_CARD__INIT;
	Mentorfed__InternshipOffer of = MENTORFED__INTERNSHIP_OFFER__INIT;
	Mentorfed__DateInterval iv[2] = { MENTORFED__DATE_INTERVAL__INIT,
					  MENTORFED__DATE_INTERVAL__INIT };
	Mentorfed__DateInterval *ivp[2] = { &iv[0], &iv[1] };
	Mentorfed__Direction dirs[2] = { MENTORFED__DIRECTION__DIRECTION_KNOWLEDGE,
					 MENTORFED__DIRECTION__DIRECTION_CAREER_GUIDANCE };
	uint8_t b1[512], b2[512];
	mf_put puts[2];
	mf_commit_result res;
	char err[256];

	cc.school_id = (char *)"RU-TOM:school:s1";
	cc.n_directions = 2;
	cc.directions = dirs;
	of.host_school_id = (char *)"RU-TOM:school:s7";
	iv[0].from = (char *)"2024-09-01";
	iv[0].to = (char *)"2024-09-30";
	iv[1].from = (char *)"2024-03-01";
	iv[1].to = (char *)"2024-12-31";
	of.n_dates = 2;
	of.dates = ivp;
	puts[0] = (mf_put){ "RU-TOM:competency_card:c1", "competency_card", 0, b1,
			    mentorfed__competency_card__pack(&cc, b1) };
	puts[1] = (mf_put){ "RU-TOM:internship_offer:o1", "internship_offer", 0, b2,
			    mentorfed__internship_offer__pack(&of, b2) };
	ck_assert_msg(mf_store_commit_local(s, k, puts, 2, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(count_sql(s, "SELECT count(*) FROM records WHERE"
				      " id = 'RU-TOM:competency_card:c1' AND school = 'RU-TOM:school:s1'"), 1);
	ck_assert_int_eq(count_sql(s, "SELECT count(*) FROM record_directions WHERE"
				      " id = 'RU-TOM:competency_card:c1' AND direction IN"
				      " ('knowledge', 'career_guidance')"), 2);
	ck_assert_int_eq(count_sql(s, "SELECT count(*) FROM records WHERE"
				      " id = 'RU-TOM:internship_offer:o1' AND school = 'RU-TOM:school:s7'"
				      " AND date_from = '2024-03-01' AND date_to = '2024-12-31'"), 1);
	/* An update replaces the directions. */
	cc.n_directions = 1;
	puts[0].body_len = mentorfed__competency_card__pack(&cc, b1);
	ck_assert_int_eq(mf_store_commit_local(s, k, puts, 1, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(count_sql(s, "SELECT count(*) FROM record_directions WHERE"
				      " id = 'RU-TOM:competency_card:c1'"), 1);
	/* and the indexes exist */
	ck_assert_int_ge(count_sql(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
				      " AND tbl_name = 'records' AND sql IS NOT NULL"), 3);
	mf_store_close(s);
	mf_key_free(k);
	free(d);
}
END_TEST

/* ------------------------------------------------------------ opening */

static char *
read_all(const char *path, size_t *len)
{
	char *buf = NULL, err[256];

	ck_assert_msg(mf_read_file(path, &buf, len, err, sizeof(err)) == 0, "%s", err);
	return buf;
}

START_TEST(pragmas_and_schema)
{
	char *d = new_dir("pragma");
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	sqlite3 *side = side_open(s);
	sqlite3_stmt *st;
	char *p;

	ck_assert_int_eq(sqlite3_prepare_v2(side, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(side);
	ck_assert_int_eq(count_sql(s, "PRAGMA user_version"), EXPECTED_SCHEMA_VERSION);
	ck_assert_int_eq(count_sql(s, "PRAGMA application_id"), APP_ID);
	mf_store_close(s);
	/* Reopening keeps the schema and the region. */
	s = open_store(d, "a.db", "RU-TOM");
	ck_assert_int_eq(count_sql(s, "PRAGMA user_version"), EXPECTED_SCHEMA_VERSION);
	mf_store_close(s);
	/* WAL is a property of the file: another connection sees it. */
	{
		sqlite3 *db;
		p = path_in(d, "a.db");
		ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
		free(p);
	}
	free(d);
}
END_TEST

START_TEST(open_other_region_refused)
{
	char *d = new_dir("region");
	mf_key *k = gen_key();
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	char err[512] = "", *p = path_in(d, "a.db");

	must_put(s, k, "RU-TOM:school:s1", "1");
	mf_store_close(s);
	ck_assert_ptr_null(mf_store_open(p, "RU-CHE", err, sizeof(err)));
	ck_assert_msg(strstr(err, "RU-TOM") != NULL && strstr(err, "RU-CHE") != NULL,
		      "error names both regions: %s", err);
	ck_assert_msg(strstr(err, p) != NULL, "error names the file: %s", err);
	/* still intact for its own region */
	s = open_store(d, "a.db", "RU-TOM");
	ck_assert_int_eq(mf_store_count(s, NULL, NULL, -1), 1);
	mf_store_close(s);
	free(p);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(open_newer_schema_refused)
{
	char *d = new_dir("newer");
	mf_store *s = open_store(d, "a.db", "RU-TOM");
	char err[512] = "", *p = path_in(d, "a.db");

	sqlite3 *side = side_open(s);

	ck_assert_int_eq(sqlite3_exec(side, "PRAGMA user_version = 999", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(side);
	mf_store_close(s);
	ck_assert_ptr_null(mf_store_open(p, "RU-TOM", err, sizeof(err)));
	ck_assert_msg(strstr(err, "999") != NULL, "error gives the version: %s", err);
	free(p);
	free(d);
}
END_TEST

START_TEST(open_foreign_sqlite_refused)
{
	char *d = new_dir("foreign");
	char err[512] = "", *p = path_in(d, "other.db"), *before, *after;
	size_t lb, la;
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT);"
					  "INSERT INTO accounts(name) VALUES('x');", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	before = read_all(p, &lb);
	ck_assert_ptr_null(mf_store_open(p, "RU-TOM", err, sizeof(err)));
	ck_assert_msg(strstr(err, p) != NULL, "error names the file: %s", err);
	ck_assert_msg(strstr(err, "not a mentorfed store") != NULL, "%s", err);
	/* The foreign file is left exactly as it was: not turned into WAL
	 * mode, no tables added. */
	after = read_all(p, &la);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_msg(strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0,
		      "a refused foreign database was switched to journal_mode %s",
		      sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(before, after, lb) == 0, "a refused foreign database was modified");
	free(before);
	free(after);
	free(p);
	free(d);
}
END_TEST

START_TEST(open_non_database_refused)
{
	char *d = new_dir("junk");
	char err[512] = "", *p = path_in(d, "junk.db"), *after;
	uint8_t junk[8192];
	size_t la;
	FILE *f;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7 + (i >> 5));
	ck_assert_ptr_nonnull(f = fopen(p, "wb"));
	ck_assert_uint_eq(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	fclose(f);
	ck_assert_ptr_null(mf_store_open(p, "RU-TOM", err, sizeof(err)));
	ck_assert_msg(strstr(err, p) != NULL, "error names the file: %s", err);
	after = read_all(p, &la);
	ck_assert_uint_eq(la, sizeof(junk));
	ck_assert_mem_eq(after, junk, sizeof(junk));
	free(after);

	/* A mentorfed store whose pages were overwritten is refused too. */
	{
		mf_store *s = open_store(d, "c.db", "RU-TOM");
		char *cp = path_in(d, "c.db");
		int fd;
		mf_store_close(s);
		ck_assert_int_ge(fd = open(cp, O_WRONLY), 0);
		ck_assert_int_eq(pwrite(fd, junk, 100, 0), 100);	/* the header */
		close(fd);
		ck_assert_ptr_null(mf_store_open(cp, "RU-TOM", err, sizeof(err)));
		free(cp);
	}
	/* A directory, and a path in a missing directory. */
	ck_assert_ptr_null(mf_store_open(d, "RU-TOM", err, sizeof(err)));
	{
		char *np = path_in(d, "missing/x.db");
		ck_assert_ptr_null(mf_store_open(np, "RU-TOM", err, sizeof(err)));
		free(np);
	}
	free(p);
	free(d);
}
END_TEST

/* ------------------------------------------------ apply in steps, decode once */

/* Every protobuf unpack in this process, counted: the binary is linked with
 * -Wl,--wrap=protobuf_c_message_unpack (tests/store.mk), so the generated
 * mentorfed__*__unpack functions and the store's own calls come here. */
static size_t unpacks;

ProtobufCMessage *__real_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
						   ProtobufCAllocator *a, size_t len,
						   const uint8_t *data);
ProtobufCMessage *__wrap_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
						   ProtobufCAllocator *a, size_t len,
						   const uint8_t *data);

ProtobufCMessage *
__wrap_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d, ProtobufCAllocator *a,
				 size_t len, const uint8_t *data)
{
	unpacks++;
	return __real_protobuf_c_message_unpack(d, a, len, data);
}

/* One put of n schools: one block of n leaves. */
static void
put_many(mf_store *s, const mf_key *k, const char *prefix, size_t n)
{
	mf_put *p = calloc(n, sizeof(*p));
	char (*ids)[64] = calloc(n, sizeof(*ids));
	uint8_t **bodies = calloc(n, sizeof(*bodies));
	mf_commit_result res;
	char err[512] = "";

	ck_assert(p != NULL && ids != NULL && bodies != NULL);
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "RU-TOM:school:%s%zu", prefix, i);
		p[i].id = ids[i];
		p[i].kind = "school";
		bodies[i] = school_body(ids[i], &p[i].body_len);
		p[i].body = bodies[i];
	}
	ck_assert_msg(mf_store_commit_local(s, k, p, n, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.changed, n);
	for (size_t i = 0; i < n; i++)
		free(bodies[i]);
	free(bodies);
	free(ids);
	free(p);
}

START_TEST(apply_decodes_once)
{
	char *d = new_dir("decode");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	size_t n = 10;
	cset *cs;

	put_many(a, k, "d", n);
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 1);
	ck_assert_uint_eq(cs->in[0].n_versions, n);
	unpacks = 0;
	ck_assert_int_eq(apply(b, kr, cs->in, 1, &res), 0);
	ck_assert_uint_eq(res.applied_versions, n);
	/* The header once, and each version and its body once: 1 + 2n (the
	 * tree before the split decoded every body twice: 1 + 3n). */
	ck_assert_msg(unpacks == 1 + 2 * n, "%zu unpacks to apply a block of %zu versions", unpacks,
		      n);
	ck_assert_uint_eq(res.last_seq, n);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

START_TEST(apply_in_steps)
{
	char *d = new_dir("steps");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	mf_commit_result cres;
	uint8_t d1[MF_HASH_LEN], d2[MF_HASH_LEN];
	char err[512] = "";
	cset *cs;

	must_put(a, k, "RU-TOM:school:s1", "1");
	must_put(a, k, "RU-TOM:school:s2", "2");
	must_put(a, k, "RU-TOM:school:s3", "3");
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 3);
	digest(b, d1);
	/* Rolled back: nothing of it stays. */
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[0], &res, err, sizeof(err)), 0);
	/* Between blocks the caller may read (and does its own work). */
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 1);
	/* No other write runs inside an apply. */
	ck_assert_int_eq(put_school(b, k, "RU-CHE:school:x", "x", &cres, err, sizeof(err)), -1);
	ck_assert_int_eq(mf_store_truncate_origin(b, "RU-TOM", 1, err, sizeof(err)), -1);
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), -1);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[1], &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.applied_blocks, 2);
	mf_store_apply_rollback(b, &res);
	ck_assert_uint_eq(res.applied_blocks, 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 0);
	digest(b, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[0], &res, err, sizeof(err)), -1);
	/* Committed: all three, and a rejected block stops the steps. */
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[0], &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[2], &res, err, sizeof(err)), 1);
	ck_assert_int_eq(res.first_error, MF_APPLY_NO_LINK);
	ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 1);
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	for (size_t i = 0; i < cs->n; i++)
		ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[i], &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(res.applied_blocks, 2);
	ck_assert_uint_eq(res.duplicate_blocks, 1);
	ck_assert_uint_eq(res.last_seq, 3);
	ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), -1);
	digest(a, d1);
	digest(b, d2);
	ck_assert_mem_eq(d1, d2, MF_HASH_LEN);
	ck_assert_int_eq(mf_store_count(b, NULL, NULL, -1), 3);
	/* Writes work again after the apply. */
	ck_assert_int_eq(put_school(b, k, "RU-CHE:school:x", "x", &cres, err, sizeof(err)), 0);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

/* Group commit (a catch-up): steps share one transaction; another
 * connection sees the blocks only when the group commits; a rolled-back
 * step takes back the whole group; a local write commits the group
 * first; a group commits by itself at MF_STORE_GROUP_VERSIONS. */
static int64_t
side_vv(mf_store *s, const char *origin)
{
	sqlite3 *db = side_open(s);
	sqlite3_stmt *st;
	int64_t v = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT seq FROM vv WHERE origin = ?1", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

START_TEST(apply_group_commit)
{
	char *d = new_dir("group");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	mf_commit_result cres;
	char err[512] = "";
	cset *cs;

	for (int i = 0; i < 4; i++) {
		char id[64], name[8];
		snprintf(id, sizeof(id), "RU-TOM:school:g%d", i);
		snprintf(name, sizeof(name), "%d", i);
		must_put(a, k, id, name);
	}
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 4);
	mf_store_apply_group(b, 1);
	/* two steps, committed each: seen here at once, not from the side */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
		ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[i], &res, err, sizeof(err)), 0);
		ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(mf_store_apply_pending(b), 1);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 2);
	ck_assert_int_eq(side_vv(b, "RU-TOM"), 0);
	/* a step rolled back takes the group with it */
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[2], &res, err, sizeof(err)), 0);
	mf_store_apply_rollback(b, &res);
	ck_assert_int_eq(mf_store_apply_pending(b), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 0);
	/* again, then flushed: seen from the side */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
		ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[i], &res, err, sizeof(err)), 0);
		ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(side_vv(b, "RU-TOM"), 0);
	ck_assert_int_eq(mf_store_apply_flush(b, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_pending(b), 0);
	ck_assert_int_eq(side_vv(b, "RU-TOM"), 2);
	/* a local write commits an open group before its own transaction */
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[2], &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	ck_assert_int_eq(side_vv(b, "RU-TOM"), 2);
	ck_assert_int_eq(put_school(b, k, "RU-CHE:school:x", "x", &cres, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_pending(b), 0);
	ck_assert_int_eq(side_vv(b, "RU-TOM"), 3);
	/* the last block is left open at close: committed then */
	ck_assert_int_eq(mf_store_apply_begin(b, &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_block(b, kr, &cs->in[3], &res, err, sizeof(err)), 0);
	ck_assert_int_eq(mf_store_apply_commit(b, err, sizeof(err)), 0);
	mf_store_close(b);
	b = open_store(d, "b.db", "RU-CHE");
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 4);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

/* The seal mark, rewritten in place: read back as written, an older and
 * longer mark cut to the new line, another region's mark read as 0. */
START_TEST(seal_mark_in_place)
{
	char *d = new_dir("mark"), path[4096], *buf = NULL;
	mf_store *s = open_store(d, "m.db", "RU-TOM");
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s.sealed", mf_store_path(s));
	ck_assert_uint_eq(mf_store_seal_mark(s), 0);
	/* an older mark, longer than the new line */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "RU-TOM 5\n%100s\n", "padding of an older, longer file");
	fclose(f);
	ck_assert_uint_eq(mf_store_seal_mark(s), 5);
	ck_assert_int_eq(mf_store_seal_mark_set(s, 123), 0);
	ck_assert_uint_eq(mf_store_seal_mark(s), 123);
	ck_assert_int_eq(mf_store_seal_mark_set(s, 7), 0);
	ck_assert_uint_eq(mf_store_seal_mark(s), 7);
	ck_assert_int_eq(mf_read_file(path, &buf, &len, NULL, 0), 0);
	ck_assert_uint_eq(len, strlen("RU-TOM 00000000000000000007\n"));
	free(buf);
	mf_store_close(s);
	s = open_store(d, "m.db", "RU-TOM");
	ck_assert_uint_eq(mf_store_seal_mark(s), 7);
	mf_store_close(s);
	/* the mark of another region says nothing of this one */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "RU-CHE 00000000000000000009\n");
	fclose(f);
	s = open_store(d, "m.db", "RU-TOM");
	ck_assert_uint_eq(mf_store_seal_mark(s), 0);
	mf_store_close(s);
	free(d);
}
END_TEST

START_TEST(count_and_servable)
{
	char *d = new_dir("count");
	mf_key *k = gen_key();
	mf_keyring *kr = ring_with("RU-TOM", k);
	mf_store *a = open_store(d, "a.db", "RU-TOM"), *b = open_store(d, "b.db", "RU-CHE");
	mf_apply_result res;
	mf_block_in bare;
	uint64_t first = 0;
	cset *cs;

	must_put(a, k, "RU-TOM:school:s1", "1");
	must_put(a, k, "RU-TOM:school:s2", "2");
	must_put(a, k, "RU-TOM:school:s3", "3");
	must_put(a, k, "RU-TOM:school:s2", NULL);
	ck_assert_int_eq(mf_store_count(a, NULL, NULL, -1), 3);
	ck_assert_int_eq(mf_store_count(a, NULL, NULL, 0), 2);
	ck_assert_int_eq(mf_store_count(a, NULL, NULL, 1), 1);
	ck_assert_int_eq(mf_store_count(a, "school", NULL, 0), 2);
	ck_assert_int_eq(mf_store_count(a, "mentor", NULL, -1), 0);
	ck_assert_int_eq(mf_store_count(a, NULL, "RU-TOM", 1), 1);
	ck_assert_int_eq(mf_store_count(a, "school", "RU-CHE", -1), 0);
	/* Values are bound, never SQL text. */
	ck_assert_int_eq(mf_store_count(a, "x' OR '1'='1", NULL, -1), 0);
	ck_assert_int_eq(mf_store_count(a, NULL, "RU-TOM' OR 1 --", -1), 0);
	ck_assert_uint_eq(mf_store_servable(a, "RU-TOM"), 4);
	ck_assert_uint_eq(mf_store_servable(a, "RU-CHE"), 0);
	/* Blocks 1-2 as sent (s2's version at seq 2 is superseded by the
	 * tombstone at 4: its leaf comes without one), block 3 without its
	 * version: seqs 2 and 3 are pending until block 4 arrives, so only
	 * what is proven complete (up to 1) is served on. */
	cs = collect(a, "RU-TOM", 0);
	ck_assert_uint_eq(cs->n, 4);
	ck_assert_int_eq(apply(b, kr, cs->in, 2, &res), 0);
	bare = cs->in[2];
	bare.n_versions = 0;
	ck_assert_int_eq(apply(b, kr, &bare, 1, &res), 0);
	ck_assert_uint_eq(mf_store_vv(b, "RU-TOM", NULL), 3);
	ck_assert_uint_eq(mf_store_servable(b, "RU-TOM"), 1);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 3, &first), 2);
	ck_assert_uint_eq(first, 2);
	/* Block 4 supersedes seq 2; seq 3 stays withheld. */
	ck_assert_int_eq(apply(b, kr, &cs->in[3], 1, &res), 0);
	ck_assert_uint_eq(mf_store_servable(b, "RU-TOM"), 2);
	ck_assert_uint_eq(mf_store_withheld(b, "RU-TOM", 4, &first), 1);
	ck_assert_uint_eq(first, 3);
	cset_free(cs);
	mf_store_close(a);
	mf_store_close(b);
	mf_keyring_free(kr);
	mf_key_free(k);
	free(d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tw = tcase_create("write");
	TCase *ta = tcase_create("apply");
	TCase *to = tcase_create("open");

	if (testdir_init("mf-test-store") != 0)
		return 1;
	tcase_set_timeout(tw, 120);
	tcase_set_timeout(ta, 300);
	tcase_add_test(tw, local_commit);
	tcase_add_test(tw, large_batch_several_blocks);
	tcase_add_test(tw, delete_and_atomic_batches);
	tcase_add_test(tw, each_filters);
	tcase_add_test(tw, indexed_columns);
	tcase_add_test(ta, apply_sync_and_idempotence);
	tcase_add_test(ta, older_never_overwrites_newer);
	tcase_add_test(ta, tampered_version_refused);
	tcase_add_test(ta, tampered_header_refused);
	tcase_add_test(ta, gap_and_bad_link_refused);
	tcase_add_test(ta, fork_recorded_original_kept);
	tcase_add_test(ta, withheld_and_truncate);
	tcase_add_test(ta, apply_decodes_once);
	tcase_add_test(ta, apply_in_steps);
	tcase_add_test(ta, apply_group_commit);
	tcase_add_test(ta, seal_mark_in_place);
	tcase_add_test(ta, count_and_servable);
	tcase_add_test(to, pragmas_and_schema);
	tcase_add_test(to, open_other_region_refused);
	tcase_add_test(to, open_newer_schema_refused);
	tcase_add_test(to, open_foreign_sqlite_refused);
	tcase_add_test(to, open_non_database_refused);
	suite_add_tcase(s, tw);
	suite_add_tcase(s, ta);
	suite_add_tcase(s, to);
	return testdir_run(s);
}
