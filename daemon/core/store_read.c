/*
 * store_read.c — reads of the store: the version vector, blocks and
 * versions to serve, current records, the digest, counts, fork evidence,
 * and what a peer's stream left pending.  Nothing here writes, except
 * that a body found not to match its version hash when it is read to be
 * served is noted as damage (store_verify.c) instead of being served.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* Does a stored body still hash to the version hash its leaf signed?
 * Checked on every read that serves or exports it: rot on disk must not
 * reach a peer or an export under the original hash. */
static int
body_intact(const char *id, const char *kind, const char *origin, uint64_t seq, uint64_t hlc,
	    int deleted, const void *body, size_t body_len, const void *hash, int hash_len)
{
	uint8_t h[MF_HASH_LEN];

	mf_version_hash(id, kind, origin, seq, hlc, deleted, body, body_len, h);
	return hash_len == MF_HASH_LEN && memcmp(h, hash, MF_HASH_LEN) == 0;
}

#define ROT_WHAT "its body does not match its version hash"

uint64_t
mf_store_vv(mf_store *s, const char *origin, uint8_t head[MF_HASH_LEN])
{
	sqlite3_stmt *st = store_stmt(s, Q_GET_VV);
	uint64_t seq = 0;

	if (head)
		memset(head, 0, MF_HASH_LEN);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (head && sqlite3_column_bytes(st, 1) == MF_HASH_LEN)
			memcpy(head, sqlite3_column_blob(st, 1), MF_HASH_LEN);
	}
	sqlite3_reset(st);
	return seq;
}

int
mf_store_vv_each(mf_store *s, int (*fn)(void *, const char *, uint64_t), void *arg)
{
	int rc = 0, own;
	sqlite3_stmt *st = store_stmt_loop(s, Q_VV_ALL, &own);

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
			     (uint64_t)sqlite3_column_int64(st, 1))) != 0)
			break;
	store_stmt_done(st, own);
	return rc;
}

int
mf_store_blocks_after(mf_store *s, const char *origin, uint64_t after, size_t limit,
		      mf_block_fn fn, void *arg)
{
	int n = 0, own;
	sqlite3_stmt *st = store_stmt_loop(s, Q_BLOCKS_AFTER, &own);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n++;
		if (fn(arg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		       sqlite3_column_blob(st, 1), (uint64_t)sqlite3_column_int64(st, 2),
		       (uint64_t)sqlite3_column_int64(st, 3)) != 0)
			break;
	}
	store_stmt_done(st, own);
	return n;
}

int
mf_store_versions_in(mf_store *s, const char *origin, uint64_t lo, uint64_t hi, mf_version_fn fn,
		     void *arg)
{
	uint8_t *buf = NULL;
	size_t cap = 0;
	int n = 0, rotten = 0, own;
	char *bad_id = NULL;
	uint64_t bad_seq = 0;
	sqlite3_stmt *st = store_stmt_loop(s, Q_VERSIONS_IN, &own);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)lo);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)hi);
	while (sqlite3_step(st) == SQLITE_ROW) {
		Mentorfed__Version v = MENTORFED__VERSION__INIT;
		size_t len;

		v.id = (char *)sqlite3_column_text(st, 0);
		v.kind = (char *)sqlite3_column_text(st, 1);
		v.origin = (char *)origin;
		v.seq = (uint64_t)sqlite3_column_int64(st, 2);
		v.hlc = (uint64_t)sqlite3_column_int64(st, 3);
		v.deleted = sqlite3_column_int(st, 4) != 0;
		v.body.data = (uint8_t *)sqlite3_column_blob(st, 5);
		v.body.len = (size_t)sqlite3_column_bytes(st, 5);
		if (!body_intact(v.id, v.kind, origin, v.seq, v.hlc, v.deleted, v.body.data,
				 v.body.len, sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6))) {
			rotten = 1;
			bad_id = mf_xstrdup(v.id);
			bad_seq = v.seq;
			break;
		}
		len = mentorfed__version__get_packed_size(&v);
		if (len > cap) {
			buf = mf_xrealloc(buf, len);
			cap = len;
		}
		mentorfed__version__pack(&v, buf);
		n++;
		if (fn(arg, v.seq, buf, len) != 0)
			break;
	}
	store_stmt_done(st, own);
	free(buf);
	if (rotten) {
		/* never served: the stream stops before it (and servable too) */
		mf_store_damage_note(s, origin, bad_seq, bad_id, ROT_WHAT);
		free(bad_id);
		return -1;
	}
	return n;
}

void
mf_record_free(mf_record *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->kind);
	free(r->origin);
	free(r->body);
	free(r);
}

static mf_record *
row_record(sqlite3_stmt *st)
{
	mf_record *r = mf_xcalloc(1, sizeof(*r));
	size_t bl = (size_t)sqlite3_column_bytes(st, 6);

	r->id = mf_xstrdup((const char *)sqlite3_column_text(st, 0));
	r->kind = mf_xstrdup((const char *)sqlite3_column_text(st, 1));
	r->origin = mf_xstrdup((const char *)sqlite3_column_text(st, 2));
	r->seq = (uint64_t)sqlite3_column_int64(st, 3);
	r->hlc = (uint64_t)sqlite3_column_int64(st, 4);
	r->deleted = sqlite3_column_int(st, 5);
	r->body = mf_xmalloc(bl ? bl : 1);
	if (bl)
		memcpy(r->body, sqlite3_column_blob(st, 6), bl);
	r->body_len = bl;
	if (sqlite3_column_bytes(st, 7) == MF_HASH_LEN)
		memcpy(r->hash, sqlite3_column_blob(st, 7), MF_HASH_LEN);
	return r;
}

static int
record_intact(const mf_record *r)
{
	return body_intact(r->id, r->kind, r->origin, r->seq, r->hlc, r->deleted, r->body,
			   r->body_len, r->hash, MF_HASH_LEN);
}

mf_record *
mf_store_get(mf_store *s, const char *id)
{
	sqlite3_stmt *st = store_stmt(s, Q_GET_REC);
	mf_record *r = NULL;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = row_record(st);
	sqlite3_reset(st);
	if (r && !record_intact(r)) {
		mf_store_damage_note(s, r->origin, r->seq, r->id, ROT_WHAT);
		mf_record_free(r);
		return NULL;
	}
	return r;
}

/* fn for each row of st (columns as Q_GET_REC), which is finalized here. */
static int
each_row(mf_store *s, sqlite3_stmt *st, mf_record_fn fn, void *arg)
{
	int rc = 0, step = SQLITE_DONE;
	mf_record *bad = NULL;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mf_record *r = row_record(st);
		int stop;

		if (r == NULL) {
			rc = -1;
			break;
		}
		if (!record_intact(r)) {
			/* an export with a record missing would pass for whole */
			bad = r;
			rc = -1;
			break;
		}
		stop = fn(arg, r);
		mf_record_free(r);
		if (stop) {
			rc = stop;
			break;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	if (bad) {
		mf_store_damage_note(s, bad->origin, bad->seq, bad->id, ROT_WHAT);
		mf_record_free(bad);
	}
	return rc;
}

int
mf_store_each(mf_store *s, const char *kind, const char *origin, int with_deleted,
	      mf_record_fn fn, void *arg)
{
	sqlite3_stmt *st;
	/* One statement per filter set, so that a kind or an origin reads its
	 * index: "?1 IS NULL OR kind = ?1" made every call a scan of the
	 * whole table (300 ms at 200,000 records for a kind of 2,000). */
	static const char *const q[4] = {
		"SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
		" WHERE (?3 OR deleted = 0) ORDER BY id",
		"SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
		" INDEXED BY records_kind_origin WHERE kind = ?1 AND (?3 OR deleted = 0) ORDER BY id",
		"SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
		" INDEXED BY records_origin_seq WHERE origin = ?2 AND (?3 OR deleted = 0) ORDER BY id",
		"SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
		" INDEXED BY records_kind_origin WHERE kind = ?1 AND origin = ?2"
		" AND (?3 OR deleted = 0) ORDER BY id",
	};

	if ((st = store_prepare(s, q[(kind != NULL) | (origin != NULL) << 1])) == NULL)
		return -1;
	if (kind)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (origin)
		sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, with_deleted ? 1 : 0);
	return each_row(s, st, fn, arg);
}

/* ---------------------------------------------------------------- indexed queries */

/*
 * The queries behind the federation's searches, each through an index of
 * schema 2 (store.c).  Named, so that tests/test_query_plan.c can check
 * with EXPLAIN QUERY PLAN that none scans the records table.
 */
#define REC_COLS "r.id, r.kind, r.origin, r.seq, r.hlc, r.deleted, r.body, r.hash"
enum { IQ_KIND, IQ_REFS, IQ_REFS_ANY, IQ_DIR_REFS, IQ_DATED, IQ_DATED_DIR, IQ_DIR, IQ_SCHOOLS,
       IQ_SCHOOL, IQ_SCHOOL_MUNIS, IQ_SCHOOL_REGIONS, IQ_COUNT };
static const struct {
	const char *name, *sql;
} iq[IQ_COUNT] = {
	[IQ_KIND] = { "records of a kind",
		"SELECT " REC_COLS " FROM records r INDEXED BY records_kind_origin"
		" WHERE r.kind = ?1 AND r.deleted = 0 ORDER BY r.id" },
	[IQ_REFS] = { "records of a kind referring to a record",
		"SELECT " REC_COLS " FROM record_refs x JOIN records r ON r.id = x.id"
		" WHERE x.target = ?1 AND x.kind = ?2 AND r.deleted = 0 ORDER BY x.id" },
	[IQ_REFS_ANY] = { "records referring to a record",
		"SELECT " REC_COLS " FROM record_refs x JOIN records r ON r.id = x.id"
		" WHERE x.target = ?1 AND r.deleted = 0 ORDER BY x.id" },
	[IQ_DIR_REFS] = { "schools of the records of a kind with a direction",
		"SELECT id, school FROM record_directions WHERE direction = ?1 AND kind = ?2"
		" AND school IS NOT NULL ORDER BY id" },
	[IQ_DATED] = { "records of a kind overlapping dates",
		"SELECT " REC_COLS " FROM records r WHERE r.kind = ?1 AND r.date_to >= ?2"
		" AND r.date_from <= ?3 AND r.deleted = 0 ORDER BY r.id" },
	[IQ_DATED_DIR] = { "records of a kind overlapping dates with a direction",
		"SELECT " REC_COLS " FROM record_directions d JOIN records r ON r.id = d.id"
		" WHERE d.direction = ?4 AND d.kind = ?1 AND r.date_to >= ?2"
		" AND r.date_from <= ?3 AND r.deleted = 0 ORDER BY d.id" },
	[IQ_DIR] = { "records of a kind with a direction",
		"SELECT " REC_COLS " FROM record_directions d JOIN records r ON r.id = d.id"
		" WHERE d.direction = ?4 AND d.kind = ?1 AND r.deleted = 0 ORDER BY d.id" },
	/* a substring of a folded name: no B-tree index serves it; the
	 * school table is scanned (small rows, no body), never records */
	[IQ_SCHOOLS] = { "schools by folded name",
		"SELECT id, name, short_name, municipality, region, league, level, fname"
		" FROM school_index WHERE (?1 = '' OR instr(fname, ?1) > 0) AND (?2 IS NULL OR municipality = ?2)"
		" AND (?3 IS NULL OR region = ?3) ORDER BY id" },
	[IQ_SCHOOL] = { "a school",
		"SELECT id, name, short_name, municipality, region, league, level, fname"
		" FROM school_index WHERE id = ?1" },
	[IQ_SCHOOL_MUNIS] = { "municipalities of schools",
		"SELECT DISTINCT municipality FROM school_index WHERE municipality <> ''"
		" ORDER BY municipality" },
	[IQ_SCHOOL_REGIONS] = { "regions of schools",
		"SELECT DISTINCT region FROM school_index WHERE region <> '' ORDER BY region" },
};

int
mf_store_each_kind(mf_store *s, const char *kind, mf_record_fn fn, void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[IQ_KIND].sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	return each_row(s, st, fn, arg);
}

int
mf_store_each_ref(mf_store *s, const char *target, const char *kind, mf_record_fn fn, void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[kind ? IQ_REFS : IQ_REFS_ANY].sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
	if (kind)
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	return each_row(s, st, fn, arg);
}

/* The school index's columns of st from column c on (as IQ_SCHOOL's). */
static void
school_row_at(sqlite3_stmt *st, int c, mf_school_row *r)
{
	r->id = (const char *)sqlite3_column_text(st, c);
	r->name = (const char *)sqlite3_column_text(st, c + 1);
	r->short_name = (const char *)sqlite3_column_text(st, c + 2);
	r->municipality = (const char *)sqlite3_column_text(st, c + 3);
	r->region = (const char *)sqlite3_column_text(st, c + 4);
	r->league = sqlite3_column_int(st, c + 5);
	r->level = sqlite3_column_int(st, c + 6);
	r->fname = (const char *)sqlite3_column_text(st, c + 7);
}

int
mf_store_dir_schools(mf_store *s, const char *kind, const char *direction, mf_ref_fn fn,
		     void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[IQ_DIR_REFS].sql);
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, direction, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
			     (const char *)sqlite3_column_text(st, 1))) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
mf_store_each_dated(mf_store *s, const char *kind, const char *from, const char *to,
		    const char *direction, mf_record_fn fn, void *arg)
{
	int q = from ? (direction ? IQ_DATED_DIR : IQ_DATED) : direction ? IQ_DIR : IQ_KIND;
	sqlite3_stmt *st = store_prepare(s, iq[q].sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (from) {
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	}
	if (direction)
		sqlite3_bind_text(st, 4, direction, -1, SQLITE_STATIC);
	return each_row(s, st, fn, arg);
}

static int
school_rows(sqlite3_stmt *st, mf_school_fn fn, void *arg)
{
	int rc = 0, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mf_school_row r;

		school_row_at(st, 0, &r);
		if ((rc = fn(arg, &r)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
mf_store_schools(mf_store *s, const char *fq, const char *municipality, const char *region,
		 mf_school_fn fn, void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[IQ_SCHOOLS].sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, fq ? fq : "", -1, SQLITE_STATIC);
	if (municipality && *municipality)
		sqlite3_bind_text(st, 2, municipality, -1, SQLITE_STATIC);
	if (region && *region)
		sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	return school_rows(st, fn, arg);
}

int
mf_store_school(mf_store *s, const char *id, mf_school_fn fn, void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[IQ_SCHOOL].sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return school_rows(st, fn, arg);
}

int
mf_store_school_values(mf_store *s, int regions, int (*fn)(void *arg, const char *v), void *arg)
{
	sqlite3_stmt *st = store_prepare(s, iq[regions ? IQ_SCHOOL_REGIONS : IQ_SCHOOL_MUNIS].sql);
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(arg, (const char *)sqlite3_column_text(st, 0))) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
mf_store_query_plans(mf_store *s, int (*fn)(void *arg, const char *name, const char *plan),
		     void *arg)
{
	for (int i = 0; i < IQ_COUNT; i++) {
		char sql[1024], plan[1024] = "";
		sqlite3_stmt *st;
		int rc;

		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", iq[i].sql);
		if ((st = store_prepare(s, sql)) == NULL)
			return -1;
		while (sqlite3_step(st) == SQLITE_ROW) {
			size_t l = strlen(plan);

			snprintf(plan + l, sizeof(plan) - l, "%s%s", l ? "; " : "",
				 (const char *)sqlite3_column_text(st, 3));
		}
		sqlite3_finalize(st);
		if ((rc = fn(arg, iq[i].name, plan)) != 0)
			return rc;
	}
	return 0;
}

int
mf_store_digest(mf_store *s, uint8_t out[MF_HASH_LEN])
{
	sqlite3_stmt *st;
	EVP_MD_CTX *c;
	unsigned int n = MF_HASH_LEN;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT id, hash FROM records ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* id and its NUL, then the version hash: unambiguous framing */
		EVP_DigestUpdate(c, sqlite3_column_text(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0) + 1);
		EVP_DigestUpdate(c, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
	}
	sqlite3_finalize(st);
	EVP_DigestFinal_ex(c, out, &n);
	EVP_MD_CTX_free(c);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t
mf_store_count(mf_store *s, const char *kind, const char *origin, int deleted)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	/* From the counts the triggers keep (schema 2): a few dozen rows,
	 * whatever the number of records. */
	static const char *const q[4] = {
		"SELECT coalesce(sum(n), 0) FROM record_counts WHERE (?3 < 0 OR deleted = ?3)",
		"SELECT coalesce(sum(n), 0) FROM record_counts WHERE kind = ?1"
		" AND (?3 < 0 OR deleted = ?3)",
		"SELECT coalesce(sum(n), 0) FROM record_counts WHERE origin = ?2"
		" AND (?3 < 0 OR deleted = ?3)",
		"SELECT coalesce(sum(n), 0) FROM record_counts WHERE kind = ?1 AND origin = ?2"
		" AND (?3 < 0 OR deleted = ?3)",
	};

	if ((st = store_prepare(s, q[(kind != NULL) | (origin != NULL) << 1])) == NULL)
		return -1;
	if (kind)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (origin)
		sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, deleted < 0 ? -1 : deleted ? 1 : 0);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int64_t
mf_store_forks(mf_store *s, const char *origin)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM forks WHERE ?1 IS NULL OR origin = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (origin)
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

size_t
mf_store_withheld(mf_store *s, const char *origin, uint64_t upto, uint64_t *first)
{
	sqlite3_stmt *st;
	size_t n = 0;

	if ((st = store_prepare(s, "SELECT count(*), min(seq) FROM pending WHERE origin = ?1"
				   " AND seq <= ?2")) == NULL)
		return 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)upto);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = (size_t)sqlite3_column_int64(st, 0);
		if (first)
			*first = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return n;
}

uint64_t
mf_store_servable(mf_store *s, const char *origin)
{
	sqlite3_stmt *st;
	uint64_t vv = mf_store_vv(s, origin, NULL), pend = 0, bfirst = 0;
	int havep = 0;

	if (vv == 0)
		return 0;
	/* Damage found in the chain: served only up to the block before it
	 * (a peer then fetches the rest from another node that holds it). */
	if ((st = store_prepare(s, "SELECT min(seq) FROM temp.damage WHERE origin = ?1")) != NULL) {
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			uint64_t bad = (uint64_t)sqlite3_column_int64(st, 0);

			sqlite3_finalize(st);
			st = store_stmt(s, Q_BLOCK_AT);
			sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)(bad ? bad : 1));
			bfirst = sqlite3_step(st) == SQLITE_ROW ?
				(uint64_t)sqlite3_column_int64(st, 0) : 1;
			sqlite3_reset(st);
			if (bfirst - 1 < vv)
				vv = bfirst - 1;
			bfirst = 0;
			if (vv == 0)
				return 0;
		} else {
			sqlite3_finalize(st);
		}
	}
	if ((st = store_prepare(s, "SELECT min(seq) FROM pending WHERE origin = ?1")) == NULL)
		return vv;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		pend = (uint64_t)sqlite3_column_int64(st, 0);
		havep = 1;
	}
	sqlite3_finalize(st);
	if (!havep)
		return vv;
	st = store_stmt(s, Q_BLOCK_AT);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)pend);
	if (sqlite3_step(st) == SQLITE_ROW)
		bfirst = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (bfirst == 0)
		return 0;
	return bfirst - 1 < vv ? bfirst - 1 : vv;
}
