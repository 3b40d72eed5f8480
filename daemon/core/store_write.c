/*
 * store_write.c — the store's local write path: new versions of this
 * node's records, sealed into signed blocks in one transaction, and the
 * indexing of a body into the columns queries filter on (shared with the
 * apply path through store_put_version).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* ---------------------------------------------------------------- indexing */

/*
 * What queries filter on, read from a body by its kind (never guessed from
 * field names: a new kind is indexed when a rule for it is written here):
 * the records it refers to (schools, an offer, an application, a roadmap),
 * its earliest and latest date, its directions,
 * and for a school what listing and ranking schools needs.  Pointers are
 * into the decoded body.
 */
#define IX_MAX 16
typedef struct index_cols {
	const char *refs[IX_MAX];
	int n_refs;
	char date_from[11], date_to[11];
	int dirs[IX_MAX];
	int n_dirs;
	const char *school;	/* the first school referred to: records.school */
	const Mentorfed__School *school_body;	/* kind "school" */
} index_cols;

static void
note_date(index_cols *ic, const char *d)
{
	if (d == NULL || strlen(d) != 10)
		return;
	if (ic->date_from[0] == '\0' || strcmp(d, ic->date_from) < 0)
		memcpy(ic->date_from, d, 11);
	if (ic->date_to[0] == '\0' || strcmp(d, ic->date_to) > 0)
		memcpy(ic->date_to, d, 11);
}

static void
note_ref(index_cols *ic, const char *id)
{
	if (id == NULL || *id == '\0' || ic->n_refs == IX_MAX)
		return;
	for (int i = 0; i < ic->n_refs; i++)
		if (strcmp(ic->refs[i], id) == 0)
			return;
	ic->refs[ic->n_refs++] = id;
}

/* A reference that is a school's. */
static void
note_school(index_cols *ic, const char *id)
{
	if (ic->school == NULL && id != NULL && *id != '\0')
		ic->school = id;
	note_ref(ic, id);
}

static void
note_dirs(index_cols *ic, const Mentorfed__Direction *d, size_t n)
{
	for (size_t i = 0; i < n && ic->n_dirs < IX_MAX; i++)
		if (d[i] != 0)
			ic->dirs[ic->n_dirs++] = (int)d[i];
}

static void
note_intervals(index_cols *ic, Mentorfed__DateInterval *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		note_date(ic, v[i]->from);
		note_date(ic, v[i]->to);
	}
}

static void
index_body(const char *kind, const ProtobufCMessage *m, index_cols *ic)
{
	if (strcmp(kind, "school") == 0) {
		ic->school_body = (const Mentorfed__School *)m;
	} else if (strcmp(kind, "competency_card") == 0) {
		const Mentorfed__CompetencyCard *c = (const void *)m;
		note_school(ic, c->school_id);
		note_dirs(ic, c->directions, c->n_directions);
	} else if (strcmp(kind, "self_diagnosis") == 0) {
		const Mentorfed__SelfDiagnosis *c = (const void *)m;
		note_school(ic, c->school_id);
		for (size_t i = 0; i < c->n_scores; i++)
			note_dirs(ic, &c->scores[i]->direction, 1);
	} else if (strcmp(kind, "mentoring_practice") == 0) {
		note_school(ic, ((const Mentorfed__MentoringPractice *)m)->school_id);
	} else if (strcmp(kind, "mentoring_pair") == 0) {
		const Mentorfed__MentoringPair *c = (const void *)m;
		/* both schools: the pair shows on the mentor's and the mentee's page */
		note_school(ic, c->mentor_school_id);
		note_school(ic, c->mentee_school_id);
		note_dirs(ic, c->directions, c->n_directions);
		note_date(ic, c->start_date);
		note_date(ic, c->end_date);
	} else if (strcmp(kind, "internship_offer") == 0) {
		const Mentorfed__InternshipOffer *c = (const void *)m;
		note_school(ic, c->host_school_id);
		note_dirs(ic, c->directions, c->n_directions);
		note_intervals(ic, c->dates, c->n_dates);
	} else if (strcmp(kind, "internship_application") == 0) {
		const Mentorfed__InternshipApplication *c = (const void *)m;
		note_school(ic, c->applicant_school_id);
		/* the offer too: "applications to offer O" is the same lookup */
		note_ref(ic, c->offer_id);
	} else if (strcmp(kind, "internship_decision") == 0) {
		note_ref(ic, ((const Mentorfed__InternshipDecision *)m)->application_id);
	} else if (strcmp(kind, "event") == 0) {
		const Mentorfed__Event *c = (const void *)m;
		for (size_t i = 0; i < c->n_school_ids; i++)
			note_school(ic, c->school_ids[i]);
		note_date(ic, c->date);
	} else if (strcmp(kind, "roadmap_item") == 0) {
		const Mentorfed__RoadmapItem *c = (const void *)m;
		note_ref(ic, c->roadmap_id);
		if (c->timing)
			note_intervals(ic, c->timing->intervals, c->timing->n_intervals);
	} else if (strcmp(kind, "roadmap_item_report") == 0) {
		note_ref(ic, ((const Mentorfed__RoadmapItemReport *)m)->item_id);
	} else if (strcmp(kind, "roadmap") == 0) {
		const Mentorfed__Roadmap *c = (const void *)m;
		note_date(ic, c->period_from);
		note_date(ic, c->period_to);
	} else if (strcmp(kind, "target") == 0) {
		const Mentorfed__Target *c = (const void *)m;
		note_ref(ic, c->roadmap_id);
		note_date(ic, c->deadline);
	}
}

static int
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The index tables' rows of id: its predecessor's (old, of old_kind, as
 * index_body found them in the predecessor's body; NULL: it had none, a
 * new record or a tombstone) removed by their full keys, ic's (NULL:
 * none) written. */
/* One row per direction of dirs in record_directions, by statement q:
 * Q_DEL_DIRS (by full key) or Q_INS_DIR (with the record's school). */
static int
dir_rows(mf_store *s, int q, const char *id, const char *kind, const int *dirs, int n,
	 const char *school)
{
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st;
		char name[64];

		if (mf_enum_ident(&mentorfed__direction__descriptor, dirs[i], name,
				  sizeof(name)) == NULL)
			continue;
		st = store_stmt(s, q);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		if (q == Q_INS_DIR && school)
			sqlite3_bind_text(st, 4, school, -1, SQLITE_STATIC);
		if (step_done(st) != 0)
			return -1;
	}
	return 0;
}

/* One row per reference in record_refs, by q: Q_DEL_SCHOOLS or
 * Q_INS_SCHOOL (both take target, kind, id). */
static int
ref_rows(mf_store *s, int q, const char *id, const char *kind, const char *const *refs, int n)
{
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st = store_stmt(s, q);

		sqlite3_bind_text(st, 1, refs[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		if (step_done(st) != 0)
			return -1;
	}
	return 0;
}

static int
index_write(mf_store *s, const char *id, const char *kind, const index_cols *ic,
	    const char *old_kind, const index_cols *old)
{
	sqlite3_stmt *st;

	if (old != NULL &&
	    (dir_rows(s, Q_DEL_DIRS, id, old_kind, old->dirs, old->n_dirs, NULL) != 0 ||
	     ref_rows(s, Q_DEL_SCHOOLS, id, old_kind, old->refs, old->n_refs) != 0))
		return -1;
	if (old != NULL && old->school_body != NULL) {
		st = store_stmt(s, Q_DEL_SIX);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (step_done(st) != 0)
			return -1;
	}
	if (ic == NULL)
		return 0;
	if (dir_rows(s, Q_INS_DIR, id, kind, ic->dirs, ic->n_dirs, ic->school) != 0 ||
	    ref_rows(s, Q_INS_SCHOOL, id, kind, ic->refs, ic->n_refs) != 0)
		return -1;
	if (ic->school_body != NULL) {
		const Mentorfed__School *sc = ic->school_body;
		char *fn = mf_fold(sc->name), *fs = mf_fold(sc->short_name), *f;
		size_t l = strlen(fn) + strlen(fs) + 2;
		int rc;

		/* one column for both names; "\n" never occurs in a folded query */
		f = mf_xmalloc(l);
		snprintf(f, l, "%s\n%s", fn, fs);
		st = store_stmt(s, Q_INS_SIX);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, sc->name ? sc->name : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, sc->short_name ? sc->short_name : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, f, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, sc->municipality ? sc->municipality : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, sc->region ? sc->region : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, sc->n_memberships > 0);
		sqlite3_bind_int(st, 8, (int)sc->self_diagnosis_level);
		rc = step_done(st);
		free(f);
		free(fn);
		free(fs);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
store_index_record(mf_store *s, const char *id, const char *kind, const ProtobufCMessage *body)
{
	index_cols ic;
	sqlite3_stmt *st;

	memset(&ic, 0, sizeof(ic));
	if (body != NULL)
		index_body(kind, body, &ic);
	st = store_stmt(s, Q_SET_IXCOLS);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (ic.school)
		sqlite3_bind_text(st, 2, ic.school, -1, SQLITE_STATIC);
	if (ic.date_from[0]) {
		sqlite3_bind_text(st, 3, ic.date_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ic.date_to, -1, SQLITE_STATIC);
	}
	if (step_done(st) != 0)
		return -1;
	/* only on the empty tables of a migration: nothing to remove */
	return index_write(s, id, kind, body ? &ic : NULL, NULL, NULL);
}

/* A slice of records read for reindexing (see store_reindex). */
typedef struct reix_row {
	char *id, *kind;
	uint8_t *body;
	size_t len;
} reix_row;

#define REIX_SLICE 2000

int
store_reindex(mf_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	reix_row rows[REIX_SLICE];
	sqlite3_int64 after = 0;
	char flag[8];
	int rc = 0, n = 0;
	size_t got;

	if (mf_store_meta_get(s, "reindex", flag, sizeof(flag)) != 0)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	if ((st = store_prepare(s, "SELECT rowid, id, kind, body FROM records WHERE rowid > ?1"
				   " AND deleted = 0 ORDER BY rowid LIMIT ?2")) == NULL)
		goto dberr;
	/* In slices read whole before they are written: SQLite leaves a
	 * table changed under a running SELECT of it undefined. */
	do {
		got = 0;
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int(st, 2, REIX_SLICE);
		while (got < REIX_SLICE && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			reix_row *r = &rows[got++];

			after = sqlite3_column_int64(st, 0);
			r->id = mf_xstrdup((const char *)sqlite3_column_text(st, 1));
			r->kind = mf_xstrdup((const char *)sqlite3_column_text(st, 2));
			r->len = (size_t)sqlite3_column_bytes(st, 3);
			r->body = mf_xmalloc(r->len ? r->len : 1);
			if (r->len)
				memcpy(r->body, sqlite3_column_blob(st, 3), r->len);
		}
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
		for (size_t i = 0; i < got; i++) {
			const ProtobufCMessageDescriptor *d = mf_kind_descriptor(rows[i].kind);
			ProtobufCMessage *m = d ? protobuf_c_message_unpack(d, NULL, rows[i].len,
									    rows[i].body) : NULL;

			/* an undecodable body is left unindexed, as a received one is */
			if (m != NULL && rc == 0) {
				rc = store_index_record(s, rows[i].id, rows[i].kind, m);
				n++;
			}
			if (m != NULL)
				protobuf_c_message_free_unpacked(m, NULL);
			free(rows[i].id);
			free(rows[i].kind);
			free(rows[i].body);
		}
	} while (rc == 0 && got == REIX_SLICE);
	sqlite3_finalize(st);
	if (rc != 0)
		goto dberr;
	if (store_exec(s, "DELETE FROM meta WHERE key = 'reindex'", err, errlen) != 0)
		goto dberr;
	if (store_exec(s, "COMMIT", err, errlen) != 0)
		goto dberr;
	mf_info("store %s: indexed %d records for the queries (schema 2)", s->path, n);
	return 0;
dberr:
	store_fail(err, errlen, "%s: reindex: %s", s->path, sqlite3_errmsg(s->db));
	store_exec(s, "ROLLBACK", NULL, 0);
	return -1;
}

/* ---------------------------------------------------------------- writing */

/* n records more (or fewer) of kind and origin, tombstones or live, in
 * record_counts: at once, or summed while a block is written (struct
 * mf_store).  SQLITE_DONE or an SQLite error. */
static int
count_write(mf_store *s, const char *kind, const char *origin, int deleted, int n)
{
	sqlite3_stmt *st = store_stmt(s, Q_COUNT_ADD);
	int rc;

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, deleted ? 1 : 0);
	sqlite3_bind_int(st, 4, n);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

static int
count_add(mf_store *s, const char *kind, const char *origin, int deleted, int n)
{
	struct count_delta *d;

	deleted = deleted ? 1 : 0;
	if (!s->count_batch)
		return count_write(s, kind, origin, deleted, n);
	for (size_t i = 0; i < s->ncd; i++) {
		d = &s->cd[i];
		if (d->deleted == deleted && strcmp(d->kind, kind) == 0 &&
		    strcmp(d->origin, origin) == 0) {
			d->n += n;
			return SQLITE_DONE;
		}
	}
	if (s->ncd == sizeof(s->cd) / sizeof(s->cd[0]) || strlen(kind) >= sizeof(d->kind) ||
	    strlen(origin) >= sizeof(d->origin))
		return count_write(s, kind, origin, deleted, n);
	d = &s->cd[s->ncd++];
	mf_strlcpy(d->kind, kind, sizeof(d->kind));
	mf_strlcpy(d->origin, origin, sizeof(d->origin));
	d->deleted = deleted;
	d->n = n;
	return SQLITE_DONE;
}

int
store_counts_flush(mf_store *s)
{
	int rc = SQLITE_DONE;

	for (size_t i = 0; i < s->ncd && rc == SQLITE_DONE; i++)
		if (s->cd[i].n != 0)
			rc = count_write(s, s->cd[i].kind, s->cd[i].origin, s->cd[i].deleted,
					 s->cd[i].n);
	s->ncd = 0;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The parameters of Q_INS_NEW and Q_UPSERT. */
static void
bind_version(sqlite3_stmt *st, const char *id, const char *kind, const char *origin,
	     uint64_t seq, uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
	     const uint8_t hash[MF_HASH_LEN], const index_cols *ic)
{
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)hlc);
	sqlite3_bind_int(st, 6, deleted ? 1 : 0);
	sqlite3_bind_blob(st, 7, body_len ? (const void *)body : "", (int)body_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, hash, MF_HASH_LEN, SQLITE_STATIC);
	if (ic->school)
		sqlite3_bind_text(st, 9, ic->school, -1, SQLITE_STATIC);
	if (ic->date_from[0]) {
		sqlite3_bind_text(st, 10, ic->date_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, ic->date_to, -1, SQLITE_STATIC);
	}
}

/* See store_int.h.  body must already be a valid body of kind. */
int
store_put_version(mf_store *s, const char *id, const char *kind, const char *origin,
		  uint64_t seq, uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
		  const ProtobufCMessage *body_msg, const uint8_t hash[MF_HASH_LEN], char *err,
		  size_t errlen)
{
	const ProtobufCMessageDescriptor *d = mf_kind_descriptor(kind);
	ProtobufCMessage *m = NULL;	/* decoded here: freed here */
	ProtobufCMessage *old_m = NULL;	/* the predecessor's body, likewise */
	index_cols ic, oic;
	sqlite3_stmt *st;
	char old_kind[64] = "";
	int rc, existed = 0, old_deleted = 0;

	memset(&ic, 0, sizeof(ic));
	memset(&oic, 0, sizeof(oic));
	if (body_msg == NULL && d != NULL && !deleted && body_len > 0)
		body_msg = m = protobuf_c_message_unpack(d, NULL, body_len, body);
	if (body_msg != NULL && !deleted)
		index_body(kind, body_msg, &ic);
	/* A new record is inserted as it is (most of an apply); only when
	 * the id is held already is the row read (its state for the kept
	 * counts, its body for its index rows) and the upsert run. */
	st = store_stmt(s, Q_INS_NEW);
	bind_version(st, id, kind, origin, seq, hlc, deleted, body, body_len, hash, &ic);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return store_fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
	}
	if (sqlite3_changes(s->db) == 0) {
		st = store_stmt(s, Q_CUR_STATE);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const ProtobufCMessageDescriptor *od;
			size_t olen = (size_t)sqlite3_column_bytes(st, 2);

			existed = 1;
			old_deleted = sqlite3_column_int(st, 0);
			mf_strlcpy(old_kind, (const char *)sqlite3_column_text(st, 1),
				   sizeof(old_kind));
			/* The predecessor's index rows are found from its body
			 * (the tables have no index on id).  Decoded into its
			 * own memory: the column is valid only until the reset. */
			if (!old_deleted && olen > 0 && (od = mf_kind_descriptor(old_kind)) != NULL)
				old_m = protobuf_c_message_unpack(od, NULL, olen,
								  sqlite3_column_blob(st, 2));
		}
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) {
			st = store_stmt(s, Q_UPSERT);
			bind_version(st, id, kind, origin, seq, hlc, deleted, body, body_len, hash, &ic);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
		}
		if (rc != SQLITE_DONE) {
			if (m)
				protobuf_c_message_free_unpacked(m, NULL);
			if (old_m)
				protobuf_c_message_free_unpacked(old_m, NULL);
			return store_fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
		}
		if (!existed || sqlite3_changes(s->db) == 0) {
			if (m)
				protobuf_c_message_free_unpacked(m, NULL);
			if (old_m)
				protobuf_c_message_free_unpacked(old_m, NULL);
			if (!existed)
				return store_fail(err, errlen, "store %s: neither inserted nor found", id);
			return 0;
		}
	}
	if (old_m != NULL)
		index_body(old_kind, old_m, &oic);
	/* The upsert changes a row only of the same origin; a new row
	 * counts once, a version that turns a record into a tombstone (or
	 * changes its kind) moves it between counts. */
	rc = SQLITE_DONE;
	if (!existed)
		rc = count_add(s, kind, origin, deleted, 1);
	else if (old_deleted != (deleted ? 1 : 0) || strcmp(old_kind, kind) != 0) {
		rc = count_add(s, old_kind, origin, old_deleted, -1);
		if (rc == SQLITE_DONE)
			rc = count_add(s, kind, origin, deleted, 1);
	}
	if (rc == SQLITE_DONE)
		rc = index_write(s, id, kind, deleted || body_msg == NULL ? NULL : &ic, old_kind,
				 old_m != NULL ? &oic : NULL) == 0 ? SQLITE_DONE : SQLITE_ERROR;
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	if (old_m)
		protobuf_c_message_free_unpacked(old_m, NULL);
	if (rc != SQLITE_DONE)
		return store_fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
	return 1;
}

int
store_insert_block(mf_store *s, const char *origin, uint64_t first, uint64_t last,
		   const uint8_t *hash, const uint8_t *header, size_t hlen, const uint8_t *sig,
		   char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, Q_INS_BLOCK);
	int rc;

	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	sqlite3_bind_blob(st, 4, hash, MF_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, header, (int)hlen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, sig, MF_SIG_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(err, errlen, "store block %s %llu: %s", origin,
			    (unsigned long long)first, sqlite3_errmsg(s->db));
	st = store_stmt(s, Q_SET_VV);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)last);
	sqlite3_bind_blob(st, 3, hash, MF_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(err, errlen, "store vector %s: %s", origin, sqlite3_errmsg(s->db));
	return 0;
}

int
store_note_arrival(mf_store *s, const char *origin)
{
	char key[48], val[32];

	snprintf(key, sizeof(key), "arrived:%s", origin);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)mf_now_ms());
	return mf_store_meta_set(s, key, val);
}

/* A local commit under way: the new versions' leaves, waiting to be sealed. */
typedef struct commit_ctx {
	mf_leaf *leaves;
	size_t *lens;		/* body bytes per leaf, for block sizing */
	size_t nl;
	uint64_t next, hlc;
	uint8_t head[MF_HASH_LEN];
	int have_head;
} commit_ctx;

/* Is put p equal to the held current version?  1 yes, 0 no (or none:
 * *exists says which), -1 with err when it would change a record's kind. */
static int
same_as_held(mf_store *s, const mf_put *p, int *exists, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, Q_GET_CUR);
	int same = 0;

	*exists = 0;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		int del = sqlite3_column_int(st, 1);
		size_t bl = (size_t)sqlite3_column_bytes(st, 2);
		const void *b = sqlite3_column_blob(st, 2);

		*exists = 1;
		if (strcmp(k, p->kind) != 0) {
			store_fail(err, errlen, "record %s is a %s, not a %s", p->id, k, p->kind);
			sqlite3_reset(st);
			return -1;
		}
		same = del == (p->deleted ? 1 : 0) &&
		       (p->deleted || (bl == p->body_len && (bl == 0 || memcmp(b, p->body, bl) == 0)));
	}
	sqlite3_reset(st);
	return same;
}

/* Write put p as the next version; unchanged puts only count.  0 or -1. */
static int
stage_put(mf_store *s, commit_ctx *c, const mf_put *p, mf_commit_result *res, char *err,
	  size_t errlen)
{
	const uint8_t *body = p->deleted ? NULL : p->body;
	size_t blen = p->deleted ? 0 : p->body_len;
	int exists, same, r;

	if ((same = same_as_held(s, p, &exists, err, errlen)) < 0)
		return -1;
	if (p->deleted && !exists)
		return store_fail(err, errlen, "record %s does not exist", p->id);
	if (same) {
		res->unchanged++;
		return 0;
	}
	c->hlc = mf_hlc_next(c->hlc);
	c->leaves[c->nl].id = p->id;
	c->lens[c->nl] = blen;
	mf_version_hash(p->id, p->kind, s->region, c->next, c->hlc, p->deleted, body, blen,
			c->leaves[c->nl].hash);
	r = store_put_version(s, p->id, p->kind, s->region, c->next, c->hlc, p->deleted, body,
			      blen, NULL, c->leaves[c->nl].hash, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0)
		return store_fail(err, errlen, "record %s: a newer version is held than seq %llu",
				  p->id, (unsigned long long)c->next);
	/* A later put of the same id in this batch supersedes this one. */
	c->nl++;
	c->next++;
	return 0;
}

/* Seal the staged versions from seq `first` on into blocks of at most
 * MF_BLOCK_MAX_LEAVES leaves and MF_BLOCK_MAX_BYTES of bodies, so that any
 * block fits in one sync frame with its versions.  0 or -1. */
static int
seal_blocks(mf_store *s, commit_ctx *c, uint64_t first_unsealed, const mf_key *key,
	    mf_commit_result *res, char *err, size_t errlen)
{
	for (size_t off = 0, cnt; off < c->nl; off += cnt) {
		size_t bytes = 0;
		uint64_t first = first_unsealed + off;
		mf_block b;
		int rc;

		for (cnt = 0; off + cnt < c->nl && cnt < MF_BLOCK_MAX_LEAVES; cnt++) {
			if (cnt > 0 && bytes + c->lens[off + cnt] > MF_BLOCK_MAX_BYTES)
				break;
			bytes += c->lens[off + cnt];
		}
		c->hlc = mf_hlc_next(c->hlc);
		if (mf_block_seal(s->region, first, c->have_head ? c->head : NULL, c->leaves + off,
				  cnt, c->hlc, key, &b) != 0)
			return store_fail(err, errlen, "cannot sign block %llu with the node's key",
					  (unsigned long long)first);
		rc = store_insert_block(s, s->region, first, first + cnt - 1, b.hash, b.header,
					b.header_len, b.sig, err, errlen);
		memcpy(c->head, b.hash, MF_HASH_LEN);
		c->have_head = 1;
		mf_block_clear(&b);
		if (rc != 0)
			return -1;
		res->blocks++;
	}
	return 0;
}

int
mf_store_commit_local(mf_store *s, const mf_key *key, const mf_put *puts, size_t n,
		      mf_commit_result *res, char *err, size_t errlen)
{
	commit_ctx c;
	uint64_t vv, first_unsealed;
	char buf[32];

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	if (s->in_apply)
		return store_fail(err, errlen, "store: a remote apply is under way");
	if (store_settle(s, err, errlen) != 0)
		return -1;
	/* Durable seals: once a block of ours is committed it may be sent,
	 * and a power cut must not take it back (the WAL is synced at this
	 * commit), or the node would seal those seqs again, a fork of its own
	 * region.  The level may only change outside a transaction. */
	if (store_exec(s, "PRAGMA synchronous = FULL", err, errlen) != 0)
		return -1;
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0) {
		store_exec(s, "PRAGMA synchronous = NORMAL", NULL, 0);
		return -1;
	}
	vv = mf_store_vv(s, s->region, c.head);
	c.have_head = vv > 0;
	c.next = (uint64_t)mf_store_meta_get_i64(s, "next_seq", 1);
	if (c.next < vv + 1)
		c.next = vv + 1;
	c.hlc = (uint64_t)mf_store_meta_get_i64(s, "hlc", 0);
	c.leaves = mf_xcalloc(n ? n : 1, sizeof(*c.leaves));
	c.lens = mf_xcalloc(n ? n : 1, sizeof(*c.lens));
	first_unsealed = c.next;
	for (size_t i = 0; i < n; i++)
		if (stage_put(s, &c, &puts[i], res, err, errlen) != 0)
			goto rollback;
	if (seal_blocks(s, &c, first_unsealed, key, res, err, errlen) != 0)
		goto rollback;
	if (c.nl > 0 && store_note_arrival(s, s->region) != 0)
		goto dberr;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c.next);
	if (mf_store_meta_set(s, "next_seq", buf) != 0)
		goto dberr;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c.hlc);
	if (mf_store_meta_set(s, "hlc", buf) != 0)
		goto dberr;
	if (store_exec(s, "COMMIT", err, errlen) != 0)
		goto rollback;
	store_exec(s, "PRAGMA synchronous = NORMAL", NULL, 0);
	if (c.nl > 0 && mf_store_seal_mark_set(s, c.next - 1) != 0)
		mf_warn("%s: cannot write the seal mark: %s", s->path, strerror(errno));
	res->changed = c.nl;
	if (c.nl > 0) {
		res->first_seq = first_unsealed;
		res->last_seq = c.next - 1;
	}
	free(c.leaves);
	free(c.lens);
	return 0;
dberr:
	store_fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
rollback:
	store_exec(s, "ROLLBACK", NULL, 0);
	store_exec(s, "PRAGMA synchronous = NORMAL", NULL, 0);
	free(c.leaves);
	free(c.lens);
	memset(res, 0, sizeof(*res));
	return -1;
}
