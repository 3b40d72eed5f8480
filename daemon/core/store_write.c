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

#include "kinds.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* ---------------------------------------------------------------- indexing */

/* The columns queries filter on, read from a body through its descriptor:
 * the first school reference, the earliest and latest date, directions. */
typedef struct index_cols {
	const char *school;
	char date_from[11], date_to[11];
	int dirs[16];
	int n_dirs;
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
scan_msg(const ProtobufCMessage *m, index_cols *ic, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (depth > 3)
		return;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;

		if (f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED) {
			const char *v = *(char *const *)base;
			size_t nl = strlen(f->name);
			if (v == NULL || *v == '\0')
				continue;
			if (ic->school == NULL && nl >= 9 &&
			    strcmp(f->name + nl - 9, "school_id") == 0)
				ic->school = v;
			else if (strcmp(f->name, "date") == 0 || strcmp(f->name, "from") == 0 ||
				 strcmp(f->name, "to") == 0 || strcmp(f->name, "start_date") == 0 ||
				 strcmp(f->name, "end_date") == 0 || strcmp(f->name, "deadline") == 0)
				note_date(ic, v);
		} else if (f->type == PROTOBUF_C_TYPE_ENUM &&
			   f->descriptor == &mentorfed__direction__descriptor) {
			size_t n = f->label == PROTOBUF_C_LABEL_REPEATED ?
					   *(const size_t *)((const char *)m + f->quantifier_offset) : 1;
			const int *v = f->label == PROTOBUF_C_LABEL_REPEATED ? *(int *const *)base :
									   (const int *)base;
			for (size_t k = 0; k < n && ic->n_dirs < 16; k++)
				if (v[k] != 0)
					ic->dirs[ic->n_dirs++] = v[k];
		} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (f->label == PROTOBUF_C_LABEL_REPEATED) {
				size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
				ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)base;
				for (size_t k = 0; k < n; k++)
					scan_msg(v[k], ic, depth + 1);
			} else if (*(ProtobufCMessage *const *)base != NULL) {
				scan_msg(*(ProtobufCMessage *const *)base, ic, depth + 1);
			}
		}
	}
}

/* ---------------------------------------------------------------- writing */

/* See store_int.h.  body must already be a valid body of kind. */
int
store_put_version(mf_store *s, const char *id, const char *kind, const char *origin,
		  uint64_t seq, uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
		  const ProtobufCMessage *body_msg, const uint8_t hash[MF_HASH_LEN], char *err,
		  size_t errlen)
{
	const ProtobufCMessageDescriptor *d = mf_kind_descriptor(kind);
	ProtobufCMessage *m = NULL;	/* decoded here: freed here */
	index_cols ic;
	sqlite3_stmt *st;
	int rc;

	memset(&ic, 0, sizeof(ic));
	if (body_msg != NULL && !deleted) {
		scan_msg(body_msg, &ic, 0);
	} else if (d != NULL && !deleted && body_len > 0) {
		m = protobuf_c_message_unpack(d, NULL, body_len, body);
		if (m != NULL)
			scan_msg(m, &ic, 0);
	}
	st = store_stmt(s, Q_UPSERT);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)hlc);
	sqlite3_bind_int(st, 6, deleted ? 1 : 0);
	sqlite3_bind_blob(st, 7, body_len ? (const void *)body : "", (int)body_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, hash, MF_HASH_LEN, SQLITE_STATIC);
	if (ic.school)
		sqlite3_bind_text(st, 9, ic.school, -1, SQLITE_STATIC);
	if (ic.date_from[0]) {
		sqlite3_bind_text(st, 10, ic.date_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, ic.date_to, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return store_fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
	}
	if (sqlite3_changes(s->db) == 0) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return 0;
	}
	st = store_stmt(s, Q_DEL_DIRS);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	for (int i = 0; i < ic.n_dirs && rc == SQLITE_DONE; i++) {
		char name[64];
		if (mf_enum_ident(&mentorfed__direction__descriptor, ic.dirs[i], name,
				  sizeof(name)) == NULL)
			continue;
		st = store_stmt(s, Q_INS_DIR);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
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
