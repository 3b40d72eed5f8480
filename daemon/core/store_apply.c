/*
 * store_apply.c — blocks received from peers: verified, linked to the held
 * chain and applied, one block per step inside one transaction that whoever
 * drives the apply opens and closes (the records layer, for sync), so that
 * it can do its own work between blocks (sync sends due heartbeats) without
 * the store calling up into it.  Also the truncation of an origin's chain
 * when a stream proves dishonest.
 *
 * Each block header is decoded once (by mf_block_verify) and each version
 * and its body once: the decoded body that passed the check is what the
 * index columns are read from.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* A block being applied: its decoded header, and per leaf the version
 * sent for it with its decoded body (NULL when none was sent, or for a
 * tombstone or an empty body). */
typedef struct block_work {
	const mf_block_in *in;
	Mentorfed__BlockHeader *h;
	Mentorfed__Version **vs;
	ProtobufCMessage **bodies;
	size_t body_bytes;	/* bodies sent with the block so far */
} block_work;

static void
work_free(block_work *w)
{
	if (w->vs != NULL)
		for (size_t i = 0; i < w->h->n_leaves; i++) {
			if (w->bodies[i])
				protobuf_c_message_free_unpacked(w->bodies[i], NULL);
			if (w->vs[i])
				mentorfed__version__free_unpacked(w->vs[i], NULL);
		}
	free(w->vs);
	free(w->bodies);
	if (w->h)
		mentorfed__block_header__free_unpacked(w->h, NULL);
}

static int
pending_update(mf_store *s, const char *origin, uint64_t seq, const char *id, int has_body)
{
	sqlite3_stmt *st = store_stmt(s, Q_PEND_DEL);
	int rc;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (has_body)
		return 0;
	st = store_stmt(s, Q_PEND_INS);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Keep both signed headers of a fork as evidence. */
static void
record_fork(mf_store *s, const Mentorfed__BlockHeader *h, const mf_block_in *b,
	    const uint8_t *held, size_t hl, const uint8_t *heldsig)
{
	sqlite3_stmt *f = store_stmt(s, Q_FORK_INS);

	sqlite3_bind_text(f, 1, h->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(f, 2, (sqlite3_int64)h->first_seq);
	sqlite3_bind_blob(f, 3, held, (int)hl, SQLITE_STATIC);
	sqlite3_bind_blob(f, 4, heldsig, MF_SIG_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(f, 5, b->header, (int)b->header_len, SQLITE_STATIC);
	sqlite3_bind_blob(f, 6, b->sig, MF_SIG_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(f, 7, (sqlite3_int64)(mf_now_ms() / 1000));
	sqlite3_step(f);
	sqlite3_reset(f);
}

/* A validly signed block for seqs already held: a duplicate, or a fork. */
static enum mf_apply_outcome
held_block(mf_store *s, const Mentorfed__BlockHeader *h, const mf_block_in *b)
{
	sqlite3_stmt *st = store_stmt(s, Q_BLOCK_AT);
	enum mf_apply_outcome out = MF_APPLY_FORK;

	sqlite3_bind_text(st, 1, h->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)h->first_seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t first = (uint64_t)sqlite3_column_int64(st, 0);
		const void *hh = sqlite3_column_blob(st, 2);
		size_t hl = (size_t)sqlite3_column_bytes(st, 2);

		if (first == h->first_seq && hl == b->header_len && memcmp(hh, b->header, hl) == 0) {
			out = MF_APPLY_DUPLICATE;
		} else {
			/* Copied out: the fork insert reuses the connection. */
			uint8_t *held = mf_xmalloc(hl ? hl : 1), heldsig[MF_SIG_LEN];

			memcpy(held, hh, hl);
			memcpy(heldsig, sqlite3_column_blob(st, 3), MF_SIG_LEN);
			sqlite3_reset(st);
			record_fork(s, h, b, held, hl, heldsig);
			free(held);
		}
	}
	sqlite3_reset(st);
	return out;
}

/* Where does block h stand against the held chain of its origin?
 * MF_APPLY_OK when it links right after it. */
static enum mf_apply_outcome
link_check(mf_store *s, const block_work *w, char *err, size_t errlen)
{
	const Mentorfed__BlockHeader *h = w->h;
	uint8_t head[MF_HASH_LEN];
	uint64_t vv = mf_store_vv(s, h->origin, head);
	enum mf_apply_outcome out;

	if (h->first_seq <= vv) {
		out = held_block(s, h, w->in);
		if (out == MF_APPLY_FORK)
			store_fail(err, errlen, "fork: %s signed two different blocks at seq %llu",
				   h->origin, (unsigned long long)h->first_seq);
		return out;
	}
	if (h->first_seq != vv + 1 ||
	    (vv == 0 ? h->prev_hash.len != 0 :
		       (h->prev_hash.len != MF_HASH_LEN ||
			memcmp(h->prev_hash.data, head, MF_HASH_LEN) != 0))) {
		store_fail(err, errlen,
			   "block %s %llu..%llu does not link to the held chain (held to %llu)",
			   h->origin, (unsigned long long)h->first_seq,
			   (unsigned long long)h->last_seq, (unsigned long long)vv);
		return MF_APPLY_NO_LINK;
	}
	return MF_APPLY_OK;
}

/* Decode version i of the block and match it to its signed leaf; its body
 * is decoded here, once, and kept for indexing.  0 or -1 with err. */
static int
take_version(block_work *w, size_t i, char *err, size_t errlen)
{
	const Mentorfed__BlockHeader *h = w->h;
	Mentorfed__Version *v;
	ProtobufCMessage *body = NULL;
	uint8_t hash[MF_HASH_LEN];
	size_t li;

	v = mentorfed__version__unpack(NULL, w->in->version_lens[i], w->in->versions[i]);
	if (v == NULL) {
		store_fail(err, errlen, "block %s %llu: version %zu does not decode", h->origin,
			   (unsigned long long)h->first_seq, i);
		goto bad;
	}
	if (v->seq < h->first_seq || v->seq > h->last_seq || strcmp(v->origin, h->origin) != 0) {
		store_fail(err, errlen, "block %s %llu..%llu: version %zu (%s seq %llu) lies outside the block",
			   h->origin, (unsigned long long)h->first_seq,
			   (unsigned long long)h->last_seq, i, v->origin, (unsigned long long)v->seq);
		goto bad;
	}
	if (v->body.len > MF_BODY_MAX) {
		store_fail(err, errlen, "record %s (%s seq %llu): body of %zu bytes; the limit is %d",
			   v->id, h->origin, (unsigned long long)v->seq, v->body.len, MF_BODY_MAX);
		goto bad;
	}
	if (mf_kind_descriptor(v->kind) == NULL) {
		store_fail(err, errlen, "record %s (%s seq %llu): unknown kind '%s'", v->id, h->origin,
			   (unsigned long long)v->seq, v->kind);
		goto bad;
	}
	if (v->deleted && v->body.len > 0) {
		store_fail(err, errlen, "record %s (%s seq %llu): a tombstone with a body", v->id,
			   h->origin, (unsigned long long)v->seq);
		goto bad;
	}
	li = (size_t)(v->seq - h->first_seq);
	if (w->vs[li] != NULL) {
		store_fail(err, errlen, "record %s (%s seq %llu): sent twice in one block", v->id,
			   h->origin, (unsigned long long)v->seq);
		goto bad;
	}
	if (strcmp(v->id, h->leaves[li]->id) != 0 || mf_id_check(v->id, h->origin, v->kind) != 0) {
		store_fail(err, errlen, "record %s (%s seq %llu): the id does not match the signed leaf %s or its origin and kind",
			   v->id, h->origin, (unsigned long long)v->seq, h->leaves[li]->id);
		goto bad;
	}
	mf_version_hash_pb(v, hash);
	if (memcmp(hash, h->leaves[li]->hash.data, MF_HASH_LEN) != 0)
		goto mismatch;
	/* A signed body must still decode as its kind's message. */
	if (!v->deleted && v->body.len > 0 &&
	    (body = protobuf_c_message_unpack(mf_kind_descriptor(v->kind), NULL, v->body.len,
					      v->body.data)) == NULL) {
		store_fail(err, errlen, "record %s (%s seq %llu): the body does not decode as a %s",
			   v->id, h->origin, (unsigned long long)v->seq, v->kind);
		goto bad;
	}
	w->vs[li] = v;
	w->bodies[li] = body;
	w->body_bytes += v->body.len;
	return 0;
mismatch:
	store_fail(err, errlen, "record %s (%s seq %llu): hash does not match the signed leaf",
		   v->id, h->origin, (unsigned long long)v->seq);
bad:
	if (v)
		mentorfed__version__free_unpacked(v, NULL);
	return -1;
}

/* The pending leaves and current versions of a checked block.  0 or -1. */
static int
write_versions(mf_store *s, block_work *w, mf_apply_result *res, char *err, size_t errlen)
{
	const Mentorfed__BlockHeader *h = w->h;

	for (size_t li = 0; li < h->n_leaves; li++) {
		const Mentorfed__Version *v = w->vs[li];
		int r;

		if (pending_update(s, h->origin, h->first_seq + li, h->leaves[li]->id, v != NULL) != 0)
			return store_fail(err, errlen, "store: %s", sqlite3_errmsg(s->db));
		if (v == NULL)
			continue;
		r = store_put_version(s, v->id, v->kind, v->origin, v->seq, v->hlc, v->deleted,
				      v->body.data, v->body.len, w->bodies[li],
				      h->leaves[li]->hash.data, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0)
			res->applied_versions++;
		else
			res->stale_versions++;
	}
	return 0;
}

/* Write a checked block: pending leaves, current versions, the header and
 * the vector.  0, or -1 on a store error. */
static int
write_block(mf_store *s, block_work *w, mf_apply_result *res, char *err, size_t errlen)
{
	const Mentorfed__BlockHeader *h = w->h;
	uint8_t hash[MF_HASH_LEN];
	int rc;

	s->count_batch = 1;
	s->ncd = 0;
	rc = write_versions(s, w, res, err, errlen);
	s->count_batch = 0;
	if (rc == 0 && store_counts_flush(s) != 0)
		rc = store_fail(err, errlen, "store: %s", sqlite3_errmsg(s->db));
	s->ncd = 0;
	if (rc != 0)
		return -1;
	mf_sha256(w->in->header, w->in->header_len, hash);
	if (store_insert_block(s, h->origin, h->first_seq, h->last_seq, hash, w->in->header,
			       w->in->header_len, w->in->sig, err, errlen) != 0)
		return -1;
	if (store_note_arrival(s, h->origin) != 0)
		return store_fail(err, errlen, "store: %s", sqlite3_errmsg(s->db));
	return 0;
}

static enum mf_apply_outcome
apply_one(mf_store *s, const mf_keyring *kr, const mf_block_in *b, mf_apply_result *res,
	  char *err, size_t errlen, int *dberr)
{
	block_work w = { .in = b };
	enum mf_apply_outcome out;
	char e2[256];

	if (mf_block_verify(b->header, b->header_len, b->sig, b->sig_len, kr, &w.h, e2,
			    sizeof(e2)) != 0) {
		store_fail(err, errlen, "%s", e2);
		return MF_APPLY_BAD_SIGNATURE;
	}
	mf_strlcpy(res->origin, w.h->origin, sizeof(res->origin));
	res->error_seq = w.h->first_seq;
	if ((out = link_check(s, &w, err, errlen)) != MF_APPLY_OK)
		goto done;
	/* Decode and match every version to its leaf before writing anything. */
	if (b->n_versions > w.h->n_leaves) {
		store_fail(err, errlen, "block %s %llu: %zu versions for %zu leaves", w.h->origin,
			   (unsigned long long)w.h->first_seq, b->n_versions, w.h->n_leaves);
		out = MF_APPLY_BAD_VERSION;
		goto done;
	}
	w.vs = mf_xcalloc(w.h->n_leaves, sizeof(*w.vs));
	w.bodies = mf_xcalloc(w.h->n_leaves, sizeof(*w.bodies));
	for (size_t i = 0; i < b->n_versions; i++)
		if (take_version(&w, i, err, errlen) != 0) {
			out = MF_APPLY_BAD_VERSION;
			goto done;
		}
	/* The sealing cap on receipt too: no signer makes a block whose
	 * bodies exceed it, so that every block fits one frame. */
	if (w.body_bytes > MF_BLOCK_MAX_BYTES) {
		store_fail(err, errlen, "block %s %llu..%llu: %zu bytes of bodies; the limit is %u",
			   w.h->origin, (unsigned long long)w.h->first_seq,
			   (unsigned long long)w.h->last_seq, w.body_bytes, MF_BLOCK_MAX_BYTES);
		out = MF_APPLY_BAD_VERSION;
		goto done;
	}
	if (write_block(s, &w, res, err, errlen) != 0)
		*dberr = 1;
done:
	if (out == MF_APPLY_OK || out == MF_APPLY_DUPLICATE)
		res->last_seq = w.h->last_seq;
	work_free(&w);
	return out;
}

int
mf_store_apply_begin(mf_store *s, mf_apply_result *res, char *err, size_t errlen)
{
	if (s->in_apply)
		return store_fail(err, errlen, "store: an apply is already under way");
	memset(res, 0, sizeof(*res));
	if (!s->group_open) {
		if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
			return -1;
		/* outside group mode the transaction is this step's alone */
		s->group_open = s->group_mode;
		s->group_t0_ms = mf_mono_ms();
		s->group_versions = 0;
	}
	/* No savepoint for the step: its journal would hold every page
	 * the step changes, in memory (temp_store), and a rollback of a step
	 * is rare (a store error, a stream refused after its first slice):
	 * it takes back the whole group, which the caller pulls again. */
	s->in_apply = 1;
	return 0;
}

int
mf_store_apply_block(mf_store *s, const mf_keyring *kr, const mf_block_in *b,
		     mf_apply_result *res, char *err, size_t errlen)
{
	enum mf_apply_outcome o;
	uint64_t before = res->applied_versions;
	int dberr = 0;

	if (!s->in_apply)
		return store_fail(err, errlen, "store: no apply under way");
	/* A savepoint per block: a block is applied whole or not at all. */
	if (store_exec(s, "SAVEPOINT blk", err, errlen) != 0)
		return -1;
	o = apply_one(s, kr, b, res, err, errlen, &dberr);
	if (dberr) {
		store_exec(s, "ROLLBACK TO blk; RELEASE blk", NULL, 0);
		return -1;
	}
	if (o == MF_APPLY_OK || o == MF_APPLY_DUPLICATE) {
		if (o == MF_APPLY_OK)
			res->applied_blocks++;
		else
			res->duplicate_blocks++;
		s->step_versions += res->applied_versions - before;
		return store_exec(s, "RELEASE blk", err, errlen);
	}
	/* Fork evidence is kept; everything else of the block is not. */
	if (o != MF_APPLY_FORK)
		store_exec(s, "ROLLBACK TO blk", NULL, 0);
	res->rejected_blocks++;
	res->first_error = o;
	store_exec(s, "RELEASE blk", NULL, 0);
	return 1;
}

int
mf_store_apply_commit(mf_store *s, char *err, size_t errlen)
{
	if (!s->in_apply)
		return store_fail(err, errlen, "store: no apply under way");
	s->in_apply = 0;
	if (s->group_open) {
		s->group_versions += s->step_versions;
		s->step_versions = 0;
		if (s->group_versions < MF_STORE_GROUP_VERSIONS &&
		    mf_mono_ms() - s->group_t0_ms < MF_STORE_GROUP_MS)
			return 0;
		return mf_store_apply_flush(s, err, errlen);
	}
	if (store_exec(s, "COMMIT", err, errlen) != 0) {
		store_exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

void
mf_store_apply_rollback(mf_store *s, mf_apply_result *res)
{
	if (s->in_apply)
		store_exec(s, "ROLLBACK", NULL, 0);
	s->in_apply = 0;
	s->group_open = 0;
	s->step_versions = 0;
	if (res != NULL)
		res->applied_blocks = res->applied_versions = 0;
}

void
mf_store_apply_group(mf_store *s, int on)
{
	s->group_mode = on;
}

int
mf_store_apply_pending(const mf_store *s)
{
	return s->group_open;
}

int
mf_store_apply_flush(mf_store *s, char *err, size_t errlen)
{
	int rc;

	if (!s->group_open || s->in_apply)
		return 0;
	s->group_open = 0;
	s->group_committing = 1;
	rc = store_exec(s, "COMMIT", err, errlen);
	s->group_committing = 0;
	if (rc != 0) {
		store_exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

int
store_settle(mf_store *s, char *err, size_t errlen)
{
	char e[256];

	if (!s->group_open || s->in_apply)
		return 0;
	if (mf_store_apply_flush(s, e, sizeof(e)) != 0)
		return store_fail(err, errlen, "committing the received blocks before it: %s", e);
	return 0;
}

int
mf_store_apply(mf_store *s, const mf_keyring *kr, const mf_block_in *blocks, size_t n,
	       mf_apply_result *res, char *err, size_t errlen)
{
	int rc = 0;

	if (mf_store_apply_begin(s, res, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = mf_store_apply_block(s, kr, &blocks[i], res, err, errlen);
	if (rc < 0) {
		mf_store_apply_rollback(s, res);
		return -1;
	}
	if (mf_store_apply_commit(s, rc == 1 ? NULL : err, rc == 1 ? 0 : errlen) != 0)
		return -1;
	return rc;
}

/* ---------------------------------------------------------------- truncation */

/* The first seq of the block holding seq `from` (from itself when none),
 * and the last seq and hash of the block before it (*have_prev). */
static int
truncation_point(mf_store *s, const char *origin, uint64_t from, uint64_t *bfirst,
		 uint64_t *plast, uint8_t phash[MF_HASH_LEN], int *have_prev)
{
	sqlite3_stmt *st = store_stmt(s, Q_BLOCK_AT);

	*bfirst = 0;
	*have_prev = 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	if (sqlite3_step(st) == SQLITE_ROW)
		*bfirst = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (*bfirst == 0)
		*bfirst = from;
	if ((st = store_prepare(s, "SELECT last_seq, hash FROM blocks WHERE origin = ?1"
				   " AND first_seq < ?2 ORDER BY first_seq DESC LIMIT 1")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)*bfirst);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*plast = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(phash, sqlite3_column_blob(st, 1), MF_HASH_LEN);
		*have_prev = 1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Run one statement with (?1 origin, ?2 seq) bound; 0 or -1. */
static int
run_origin_seq(mf_store *s, const char *sql, const char *origin, uint64_t seq, int has_seq)
{
	sqlite3_stmt *st = store_prepare(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (has_seq)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
mf_store_truncate_origin(mf_store *s, const char *origin, uint64_t from, char *err,
			 size_t errlen)
{
	uint64_t bfirst, plast = 0;
	uint8_t phash[MF_HASH_LEN];
	int have_prev;
	static const char *const dels[] = {
		"DELETE FROM record_directions WHERE id IN (SELECT id FROM records WHERE origin = ?1 AND seq >= ?2)",
		"DELETE FROM record_refs WHERE id IN (SELECT id FROM records WHERE origin = ?1 AND seq >= ?2)",
		"DELETE FROM school_index WHERE id IN (SELECT id FROM records WHERE origin = ?1 AND seq >= ?2)",
		"DELETE FROM records WHERE origin = ?1 AND seq >= ?2",
		"DELETE FROM pending WHERE origin = ?1 AND seq >= ?2",
		"DELETE FROM blocks WHERE origin = ?1 AND first_seq >= ?2",
	};

	if (s->in_apply)
		return store_fail(err, errlen, "store: an apply is under way");
	if (store_settle(s, err, errlen) != 0 || store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	if (truncation_point(s, origin, from, &bfirst, &plast, phash, &have_prev) != 0)
		goto dberr;
	for (size_t i = 0; i < sizeof(dels) / sizeof(dels[0]); i++)
		if (run_origin_seq(s, dels[i], origin, bfirst, 1) != 0)
			goto dberr;
	/* The kept counts of the origin, counted again from what is left
	 * (record_counts, store.c; rare: a truncation is a recovery). */
	if (run_origin_seq(s, "DELETE FROM record_counts WHERE origin = ?1", origin, 0, 0) != 0 ||
	    run_origin_seq(s, "INSERT INTO record_counts SELECT kind, origin, deleted, count(*)"
			      " FROM records WHERE origin = ?1 GROUP BY kind, deleted", origin, 0, 0) != 0)
		goto dberr;
	if (have_prev) {
		sqlite3_stmt *st = store_stmt(s, Q_SET_VV);
		int rc;

		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)plast);
		sqlite3_bind_blob(st, 3, phash, MF_HASH_LEN, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto dberr;
	} else if (run_origin_seq(s, "DELETE FROM vv WHERE origin = ?1", origin, 0, 0) != 0) {
		goto dberr;
	}
	return store_exec(s, "COMMIT", err, errlen);
dberr:
	store_fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	store_exec(s, "ROLLBACK", NULL, 0);
	return -1;
}
