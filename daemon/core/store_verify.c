/*
 * store_verify.c — finding rot and corruption (see store.h): damage
 * noted by reads and checks, the full check run in slices (every body
 * against its version hash and its block's leaf, every block's hash,
 * signature and link, each vector head, then SQLite's own check), and
 * the digest recomputed from bodies.
 *
 * Nothing here repairs: the daemon decides what to do with damage (stop
 * local writes, fetch a foreign origin's chain again from peers).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "log.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* ---------------------------------------------------------------- damage */

static uint64_t damage_serial;

uint64_t
mf_store_damage_serial(const mf_store *s)
{
	(void)s;
	return damage_serial;
}

void
mf_store_damage_note(mf_store *s, const char *origin, uint64_t seq, const char *id,
		     const char *what)
{
	sqlite3_stmt *st;
	char first[256];
	int added = 0, rc;

	if ((st = store_prepare(s, "INSERT OR IGNORE INTO temp.damage(origin, seq, id, what)"
				   " VALUES(?1, ?2, ?3, ?4)")) != NULL) {
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, what, -1, SQLITE_STATIC);
		/* a store made read-only (damaged file) cannot remember it: say it */
		rc = sqlite3_step(st);
		added = rc != SQLITE_DONE || sqlite3_changes(s->db) > 0;
		sqlite3_finalize(st);
	} else {
		rc = SQLITE_ERROR;
		added = 1;	/* cannot even remember it: at least say it */
	}
	if (!added)
		return;		/* said once already */
	damage_serial++;
	if (rc != SQLITE_DONE) {
		/* not remembered, so not deduplicated: say it every 10 s at most */
		static uint64_t said_ms;
		uint64_t now = mf_mono_ms();

		if (said_ms && now - said_ms < 10000)
			return;
		said_ms = now;
	}
	if (id[0])
		snprintf(first, sizeof(first), "record %s (%s seq %llu): %s", id, origin,
			 (unsigned long long)seq, what);
	else if (origin[0])
		snprintf(first, sizeof(first), "block of %s at seq %llu: %s", origin,
			 (unsigned long long)seq, what);
	else
		snprintf(first, sizeof(first), "%s", what);
	mf_err("store %s: damage found: %s; it is not served, and local writes stop until a clean check ('mentorfed verify')",
	       s->path, first);
	/* Persisted so that a restart does not forget it: the first only;
	 * damage of the file itself is found again by the check on open, and
	 * nothing is written into a damaged file. */
	if (origin[0]) {
		char have[8];

		if (mf_store_meta_get(s, "damage", have, sizeof(have)) != 0 || have[0] == '\0')
			mf_store_meta_set(s, "damage", first);
	}
}

typedef struct damage_ent {
	char origin[16];
	uint64_t seq;
	char *id, *what;
} damage_ent;

int
mf_store_damage_each(mf_store *s, mf_damage_fn fn, void *arg)
{
	sqlite3_stmt *st;
	damage_ent *e = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if ((st = store_prepare(s, "SELECT origin, seq, id, what FROM temp.damage"
				   " ORDER BY origin, seq")) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			e = mf_xrealloc(e, cap * sizeof(*e));
		}
		mf_strlcpy(e[n].origin, (const char *)sqlite3_column_text(st, 0), sizeof(e[n].origin));
		e[n].seq = (uint64_t)sqlite3_column_int64(st, 1);
		e[n].id = mf_xstrdup((const char *)sqlite3_column_text(st, 2));
		e[n].what = mf_xstrdup((const char *)sqlite3_column_text(st, 3));
		n++;
	}
	sqlite3_finalize(st);
	/* fn may change the store (cut a chain back): no statement is open */
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = fn(arg, e[i].origin, e[i].seq, e[i].id, e[i].what);
		free(e[i].id);
		free(e[i].what);
	}
	free(e);
	return rc;
}

void
mf_store_damage_clear(mf_store *s, const char *origin)
{
	sqlite3_stmt *st;
	char have[8];

	if ((st = store_prepare(s, "DELETE FROM temp.damage WHERE ?1 IS NULL OR origin = ?1")) != NULL) {
		if (origin)
			sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (origin == NULL && mf_store_meta_get(s, "damage", have, sizeof(have)) == 0 && have[0])
		mf_store_meta_set(s, "damage", "");
}

/* ---------------------------------------------------------------- the check */

enum { PH_RECORDS, PH_BLOCKS, PH_VV, PH_INTEGRITY, PH_DONE };

/* A problem found while a statement is open: noted as damage after it
 * is finalized, so that no write runs under an open read. */
typedef struct problem {
	char origin[16];
	uint64_t seq;
	char id[MF_ID_MAX_WIRE + 1];
	char what[160];
} problem;

struct mf_verify {
	mf_store *s;
	int full;
	int phase;
	char origin[16];	/* cursor: (origin, seq) of the last row checked */
	uint64_t seq;
	/* the block whose leaves records are checked against (one decode per
	 * block: records are visited in seq order) */
	Mentorfed__BlockHeader *blk;
	char blk_origin[16];
	uint64_t blk_first, blk_last;
	problem *pend;
	size_t n_pend, cap_pend;
	mf_verify_report rep;
};

int
mf_verify_report_clean(const mf_verify_report *r)
{
	return r->bad_bodies == 0 && r->bad_leaves == 0 && r->bad_blocks == 0 &&
	       r->bad_links == 0 && r->integrity_ok;
}

static void
problem_add(mf_verify *v, uint64_t *counter, const char *origin, uint64_t seq, const char *id,
	    const char *what)
{
	problem *p;
	mf_verify_report *r = &v->rep;

	if (counter)
		(*counter)++;
	if (r->n_first < MF_VERIFY_FIRST) {
		mf_strlcpy(r->first[r->n_first].origin, origin, sizeof(r->first[0].origin));
		r->first[r->n_first].seq = seq;
		mf_strlcpy(r->first[r->n_first].id, id, sizeof(r->first[0].id));
		mf_strlcpy(r->first[r->n_first].what, what, sizeof(r->first[0].what));
		r->n_first++;
	}
	if (v->n_pend == v->cap_pend) {
		v->cap_pend = v->cap_pend ? v->cap_pend * 2 : 16;
		v->pend = mf_xrealloc(v->pend, v->cap_pend * sizeof(*v->pend));
	}
	p = &v->pend[v->n_pend++];
	mf_strlcpy(p->origin, origin, sizeof(p->origin));
	p->seq = seq;
	mf_strlcpy(p->id, id, sizeof(p->id));
	mf_strlcpy(p->what, what, sizeof(p->what));
}

static void
problems_flush(mf_verify *v)
{
	for (size_t i = 0; i < v->n_pend; i++)
		mf_store_damage_note(v->s, v->pend[i].origin, v->pend[i].seq, v->pend[i].id,
				     v->pend[i].what);
	v->n_pend = 0;
}

/* A statement failed mid-scan: SQLite could not read the store. */
static void
read_failed(mf_verify *v, const char *what)
{
	char why[256];

	snprintf(why, sizeof(why), "reading %s failed: %s", what, sqlite3_errmsg(v->s->db));
	if (v->rep.integrity_ok) {
		v->rep.integrity_ok = 0;
		mf_strlcpy(v->rep.integrity, why, sizeof(v->rep.integrity));
	}
	problem_add(v, NULL, "", 0, "", why);
}

mf_verify *
mf_store_verify_new(mf_store *s, int full)
{
	mf_verify *v = mf_xcalloc(1, sizeof(*v));

	v->s = s;
	v->full = full;
	v->rep.integrity_ok = 1;
	return v;
}

void
mf_store_verify_free(mf_verify *v)
{
	if (v == NULL)
		return;
	if (v->blk)
		mentorfed__block_header__free_unpacked(v->blk, NULL);
	free(v->pend);
	free(v);
}

const mf_verify_report *
mf_store_verify_report(const mf_verify *v)
{
	return &v->rep;
}

/* The header of origin's block holding seq, decoded once per block.
 * NULL when no block holds it (or it does not decode). */
static const Mentorfed__BlockHeader *
block_for(mf_verify *v, const char *origin, uint64_t seq)
{
	sqlite3_stmt *st;

	if (v->blk && strcmp(v->blk_origin, origin) == 0 && seq >= v->blk_first &&
	    seq <= v->blk_last)
		return v->blk;
	if (v->blk)
		mentorfed__block_header__free_unpacked(v->blk, NULL);
	v->blk = NULL;
	st = store_stmt(v->s, Q_BLOCK_AT);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (uint64_t)sqlite3_column_int64(st, 1) >= seq) {
		v->blk = mentorfed__block_header__unpack(NULL, (size_t)sqlite3_column_bytes(st, 2),
							 sqlite3_column_blob(st, 2));
		mf_strlcpy(v->blk_origin, origin, sizeof(v->blk_origin));
		v->blk_first = (uint64_t)sqlite3_column_int64(st, 0);
		v->blk_last = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (v->blk && (v->blk->first_seq != v->blk_first ||
		       v->blk->n_leaves != v->blk_last - v->blk_first + 1)) {
		mentorfed__block_header__free_unpacked(v->blk, NULL);
		v->blk = NULL;	/* the block check names it */
	}
	return v->blk;
}

/*
 * One slice of a paged scan: the next `budget` rows of sql after the
 * cursor (v->origin, v->seq) — sql takes ?1 origin, ?2 seq, ?3 limit and
 * orders by the same pair — each handed to row(), which moves the cursor.
 * Returns 1 when the table is done (or unreadable: then `what` is
 * reported), 0 when rows remain.
 */
typedef void (*row_fn)(mf_verify *v, sqlite3_stmt *st, void *arg);

static int
page_scan(mf_verify *v, const char *sql, size_t budget, row_fn row, void *arg, const char *what)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	if ((st = store_prepare(v->s, sql)) == NULL) {
		read_failed(v, what);
		return 1;
	}
	sqlite3_bind_text(st, 1, v->origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)v->seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)budget);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(v, st, arg);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		read_failed(v, what);
		return 1;
	}
	return n < budget;
}

/* A record: its body against its version hash, its version against the
 * leaf its block signed. */
static void
record_row(mf_verify *v, sqlite3_stmt *st, void *arg)
{
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	uint64_t seq = (uint64_t)sqlite3_column_int64(st, 1);
	const char *id = (const char *)sqlite3_column_text(st, 2);
	const Mentorfed__BlockHeader *h;
	const Mentorfed__Leaf *leaf;
	uint8_t hash[MF_HASH_LEN];

	(void)arg;
	mf_version_hash(id, (const char *)sqlite3_column_text(st, 3), origin, seq,
			(uint64_t)sqlite3_column_int64(st, 4), sqlite3_column_int(st, 5) != 0,
			sqlite3_column_blob(st, 6), (size_t)sqlite3_column_bytes(st, 6), hash);
	if (sqlite3_column_bytes(st, 7) != MF_HASH_LEN ||
	    memcmp(hash, sqlite3_column_blob(st, 7), MF_HASH_LEN) != 0)
		problem_add(v, &v->rep.bad_bodies, origin, seq, id,
			    "its body does not match its version hash");
	else if ((h = block_for(v, origin, seq)) == NULL)
		problem_add(v, &v->rep.bad_leaves, origin, seq, id,
			    "no block of its origin holds its seq");
	else if (leaf = h->leaves[seq - v->blk_first], strcmp(leaf->id, id) != 0 ||
		 leaf->hash.len != MF_HASH_LEN || memcmp(leaf->hash.data, hash, MF_HASH_LEN) != 0)
		problem_add(v, &v->rep.bad_leaves, origin, seq, id,
			    "it is not the version its block's leaf signed");
	v->rep.records++;
	mf_strlcpy(v->origin, origin, sizeof(v->origin));
	v->seq = seq;
}

static int
step_records(mf_verify *v, size_t budget)
{
	return page_scan(v, "SELECT origin, seq, id, kind, hlc, deleted, body, hash"
			    " FROM records WHERE (origin, seq) > (?1, ?2)"
			    " ORDER BY origin, seq LIMIT ?3", budget, record_row, NULL, "records");
}

typedef struct block_ctx {
	const mf_keyring *kr;
	sqlite3_stmt *pv;	/* the block before a given one */
} block_ctx;

/* Its link to the block before it (first is not 1). */
static void
check_link(mf_verify *v, sqlite3_stmt *pv, const Mentorfed__BlockHeader *h, const char *origin,
	   uint64_t first)
{
	sqlite3_reset(pv);
	sqlite3_bind_text(pv, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(pv, 2, (sqlite3_int64)first);
	if (sqlite3_step(pv) != SQLITE_ROW)
		problem_add(v, &v->rep.bad_links, origin, first, "",
			    "the blocks before it are missing");
	else if ((uint64_t)sqlite3_column_int64(pv, 0) != first - 1)
		problem_add(v, &v->rep.bad_links, origin, first, "",
			    "it does not follow the block before it (seq gap)");
	else if (h->prev_hash.len != MF_HASH_LEN || sqlite3_column_bytes(pv, 1) != MF_HASH_LEN ||
		 memcmp(h->prev_hash.data, sqlite3_column_blob(pv, 1), MF_HASH_LEN) != 0)
		problem_add(v, &v->rep.bad_links, origin, first, "",
			    "its previous hash is not the block before it");
	sqlite3_clear_bindings(pv);
}

/* A block: its header against its hash, its signature, its seqs, its
 * link. */
static void
block_row(mf_verify *v, sqlite3_stmt *st, void *arg)
{
	block_ctx *c = arg;
	const char *origin = (const char *)sqlite3_column_text(st, 0);
	uint64_t first = (uint64_t)sqlite3_column_int64(st, 1);
	uint64_t last = (uint64_t)sqlite3_column_int64(st, 2);
	const uint8_t *hdr = sqlite3_column_blob(st, 4);
	size_t hlen = (size_t)sqlite3_column_bytes(st, 4);
	Mentorfed__BlockHeader *h = NULL;
	uint8_t hash[MF_HASH_LEN];
	char err[160];

	v->rep.blocks++;
	mf_strlcpy(v->origin, origin, sizeof(v->origin));
	v->seq = first;
	mf_sha256(hdr, hlen, hash);
	if (sqlite3_column_bytes(st, 3) != MF_HASH_LEN ||
	    memcmp(hash, sqlite3_column_blob(st, 3), MF_HASH_LEN) != 0) {
		problem_add(v, &v->rep.bad_blocks, origin, first, "",
			    "its header does not match its hash");
		return;
	}
	if (mf_keyring_get(c->kr, origin) == NULL) {
		/* no key to check it with (trust withdrawn): the rest still holds */
		v->rep.unverifiable++;
		if ((h = mentorfed__block_header__unpack(NULL, hlen, hdr)) == NULL) {
			problem_add(v, &v->rep.bad_blocks, origin, first, "",
				    "its header does not decode");
			return;
		}
	} else if (mf_block_verify(hdr, hlen, sqlite3_column_blob(st, 5),
				   (size_t)sqlite3_column_bytes(st, 5), c->kr, &h, err,
				   sizeof(err)) != 0) {
		problem_add(v, &v->rep.bad_blocks, origin, first, "", err);
		return;
	}
	if (strcmp(h->origin, origin) != 0 || h->first_seq != first || h->last_seq != last)
		problem_add(v, &v->rep.bad_blocks, origin, first, "",
			    "its header names other seqs than it is stored under");
	else if (first == 1 && h->prev_hash.len != 0)
		problem_add(v, &v->rep.bad_links, origin, first, "",
			    "the first block names a previous block");
	else if (first != 1)
		check_link(v, c->pv, h, origin, first);
	mentorfed__block_header__free_unpacked(h, NULL);
}

static int
step_blocks(mf_verify *v, const mf_keyring *kr, size_t budget)
{
	block_ctx c = { kr, NULL };
	int done;

	if ((c.pv = store_prepare(v->s, "SELECT last_seq, hash FROM blocks WHERE origin = ?1"
					" AND first_seq < ?2 ORDER BY first_seq DESC LIMIT 1")) == NULL) {
		read_failed(v, "blocks");
		return 1;
	}
	done = page_scan(v, "SELECT origin, first_seq, last_seq, hash, header, sig"
			    " FROM blocks WHERE (origin, first_seq) > (?1, ?2)"
			    " ORDER BY origin, first_seq LIMIT ?3", budget, block_row, &c, "blocks");
	sqlite3_finalize(c.pv);
	return done;
}

/* Each origin's vector: its head is its last block. */
static void
step_vv(mf_verify *v)
{
	sqlite3_stmt *st, *bl;
	int rc;

	if ((st = store_prepare(v->s, "SELECT origin, seq, head FROM vv ORDER BY origin")) == NULL ||
	    (bl = store_prepare(v->s, "SELECT last_seq, hash FROM blocks WHERE origin = ?1"
				      " ORDER BY first_seq DESC LIMIT 1")) == NULL) {
		sqlite3_finalize(st);
		read_failed(v, "the version vector");
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(st, 0);
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 1);
		int have;

		v->rep.origins++;
		sqlite3_reset(bl);
		sqlite3_bind_text(bl, 1, origin, -1, SQLITE_STATIC);
		have = sqlite3_step(bl) == SQLITE_ROW;
		if (seq == 0 && !have)
			continue;
		if (!have || (uint64_t)sqlite3_column_int64(bl, 0) != seq)
			problem_add(v, &v->rep.bad_links, origin, seq, "",
				    "the version vector does not end at the last block held");
		else if (sqlite3_column_bytes(st, 2) != MF_HASH_LEN ||
			 sqlite3_column_bytes(bl, 1) != MF_HASH_LEN ||
			 memcmp(sqlite3_column_blob(st, 2), sqlite3_column_blob(bl, 1), MF_HASH_LEN) != 0)
			problem_add(v, &v->rep.bad_links, origin, seq, "",
				    "the version vector's head is not the last block's hash");
	}
	sqlite3_finalize(bl);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		read_failed(v, "the version vector");
}

static void
step_integrity(mf_verify *v)
{
	sqlite3_stmt *st;
	const char *r;
	char why[256];
	int rc;

	if ((st = store_prepare(v->s, v->full ? "PRAGMA integrity_check(5)"
					      : "PRAGMA quick_check(5)")) == NULL) {
		read_failed(v, "the database pages");
		return;
	}
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (r == NULL || strcmp(r, "ok") != 0) {
		snprintf(why, sizeof(why), "PRAGMA %s: %s", v->full > 0 ? "integrity_check" : "quick_check",
			 r ? r : sqlite3_errmsg(v->s->db));
		if (v->rep.integrity_ok) {
			v->rep.integrity_ok = 0;
			mf_strlcpy(v->rep.integrity, why, sizeof(v->rep.integrity));
		}
		problem_add(v, NULL, "", 0, "", why);
	}
	sqlite3_finalize(st);
}

int
mf_store_verify_step(mf_verify *v, const mf_keyring *kr, size_t budget)
{
	if (budget == 0)
		budget = 1;
	switch (v->phase) {
	case PH_RECORDS:
		if (step_records(v, budget)) {
			v->phase = PH_BLOCKS;
			v->origin[0] = '\0';
			v->seq = 0;
		}
		break;
	case PH_BLOCKS:
		/* a block (a signature, a header of up to 1000 leaves) costs
		 * about ten records */
		if (step_blocks(v, kr, budget / 10 ? budget / 10 : 1))
			v->phase = PH_VV;
		break;
	case PH_VV:
		step_vv(v);
		v->phase = PH_INTEGRITY;
		break;
	case PH_INTEGRITY:
		/* A whole-file check cannot be cut in slices: the background
		 * pass (quick_check < 0) leaves it to the check on open, to
		 * verify, and to SQLite's own reports of the pages its scans
		 * read (every page of records and blocks). */
		if (v->full >= 0)
			step_integrity(v);
		v->phase = PH_DONE;
		break;
	}
	problems_flush(v);
	return v->phase == PH_DONE;
}

/* ---------------------------------------------------------------- digest */

int
mf_store_digest_recompute(mf_store *s, uint8_t out[MF_HASH_LEN])
{
	sqlite3_stmt *st;
	EVP_MD_CTX *c;
	unsigned int n = MF_HASH_LEN;
	int rc;

	if ((st = store_prepare(s, "SELECT id, kind, origin, seq, hlc, deleted, body FROM records"
				   " ORDER BY id")) == NULL)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t h[MF_HASH_LEN];

		mf_version_hash((const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1),
				(const char *)sqlite3_column_text(st, 2),
				(uint64_t)sqlite3_column_int64(st, 3), (uint64_t)sqlite3_column_int64(st, 4),
				sqlite3_column_int(st, 5) != 0, sqlite3_column_blob(st, 6),
				(size_t)sqlite3_column_bytes(st, 6), h);
		/* the framing of mf_store_digest: equal to it on an intact store */
		EVP_DigestUpdate(c, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0) + 1);
		EVP_DigestUpdate(c, h, MF_HASH_LEN);
	}
	sqlite3_finalize(st);
	EVP_DigestFinal_ex(c, out, &n);
	EVP_MD_CTX_free(c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The report as JSON: what `verify` answers, from the daemon or the client. */
json_t *
mf_verify_report_json(const mf_verify_report *r)
{
	json_t *j = json_object(), *p = json_array();

	json_object_set_new(j, "clean", json_boolean(mf_verify_report_clean(r)));
	json_object_set_new(j, "records", json_integer((json_int_t)r->records));
	json_object_set_new(j, "blocks", json_integer((json_int_t)r->blocks));
	json_object_set_new(j, "origins", json_integer((json_int_t)r->origins));
	json_object_set_new(j, "bad_bodies", json_integer((json_int_t)r->bad_bodies));
	json_object_set_new(j, "bad_leaves", json_integer((json_int_t)r->bad_leaves));
	json_object_set_new(j, "bad_blocks", json_integer((json_int_t)r->bad_blocks));
	json_object_set_new(j, "bad_links", json_integer((json_int_t)r->bad_links));
	json_object_set_new(j, "unverifiable", json_integer((json_int_t)r->unverifiable));
	json_object_set_new(j, "integrity", json_string(r->integrity_ok ? "ok" : r->integrity));
	for (size_t i = 0; i < r->n_first; i++)
		json_array_append_new(p, json_pack("{s:s, s:I, s:s, s:s}", "origin", r->first[i].origin,
						   "seq", (json_int_t)r->first[i].seq, "id",
						   r->first[i].id, "what", r->first[i].what));
	json_object_set_new(j, "problems", p);
	return j;
}
