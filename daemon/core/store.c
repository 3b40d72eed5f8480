/*
 * store.c — the node's SQLite store (see store.h).
 *
 * Owns the schema and its migrations, the local write path (versions ->
 * signed blocks in one transaction) and the remote apply path (verify ->
 * link -> apply, one transaction per call).  Bodies of current versions
 * only are kept; every block header is kept with its leaves, because a node
 * relays blocks and must be able to prove history.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "kinds.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define APP_ID 0x4d466564	/* "MFed" in PRAGMA application_id */

enum {
	Q_GET_CUR, Q_UPSERT, Q_DEL_DIRS, Q_INS_DIR, Q_INS_BLOCK, Q_SET_VV, Q_GET_VV,
	Q_PEND_INS, Q_PEND_DEL, Q_BLOCK_AT, Q_FORK_INS, Q_META_GET, Q_META_SET, Q_GET_REC,
	Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_GET_CUR] = "SELECT kind, deleted, body, seq FROM records WHERE id = ?1",
	[Q_UPSERT] = "INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash,"
		     " school, date_from, date_to) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
		     " ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, seq=excluded.seq,"
		     " hlc=excluded.hlc, deleted=excluded.deleted, body=excluded.body,"
		     " hash=excluded.hash, school=excluded.school, date_from=excluded.date_from,"
		     " date_to=excluded.date_to"
		     " WHERE excluded.seq > records.seq AND excluded.origin = records.origin",
	[Q_DEL_DIRS] = "DELETE FROM record_directions WHERE id = ?1",
	[Q_INS_DIR] = "INSERT OR IGNORE INTO record_directions(direction, id) VALUES(?1, ?2)",
	[Q_INS_BLOCK] = "INSERT INTO blocks(origin, first_seq, last_seq, hash, header, sig)"
			" VALUES(?1,?2,?3,?4,?5,?6)",
	[Q_SET_VV] = "INSERT INTO vv(origin, seq, head) VALUES(?1,?2,?3) ON CONFLICT(origin)"
		     " DO UPDATE SET seq=excluded.seq, head=excluded.head",
	[Q_GET_VV] = "SELECT seq, head FROM vv WHERE origin = ?1",
	[Q_PEND_INS] = "INSERT OR REPLACE INTO pending(origin, seq, id) VALUES(?1,?2,?3)",
	[Q_PEND_DEL] = "DELETE FROM pending WHERE id = ?1 AND seq < ?2",
	[Q_BLOCK_AT] = "SELECT first_seq, last_seq, header, sig FROM blocks WHERE origin = ?1"
		       " AND first_seq <= ?2 ORDER BY first_seq DESC LIMIT 1",
	[Q_FORK_INS] = "INSERT OR IGNORE INTO forks(origin, first_seq, held_header, held_sig,"
		       " other_header, other_sig, detected_at) VALUES(?1,?2,?3,?4,?5,?6,?7)",
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key)"
		       " DO UPDATE SET value = excluded.value",
	[Q_GET_REC] = "SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
		      " WHERE id = ?1",
};

struct mf_store {
	sqlite3 *db;
	char region[16];
	char *path;
	sqlite3_stmt *q[Q_COUNT];
	void (*progress)(void *arg);
	void *progress_arg;
};

void
mf_store_set_progress(mf_store *s, void (*fn)(void *arg), void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

/* Migrations: index i brings user_version from i to i+1. */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE blocks(origin TEXT NOT NULL, first_seq INTEGER NOT NULL,"
	" last_seq INTEGER NOT NULL, hash BLOB NOT NULL, header BLOB NOT NULL,"
	" sig BLOB NOT NULL, PRIMARY KEY(origin, first_seq)) WITHOUT ROWID;"
	"CREATE TABLE vv(origin TEXT PRIMARY KEY, seq INTEGER NOT NULL, head BLOB NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE records(id TEXT PRIMARY KEY, kind TEXT NOT NULL, origin TEXT NOT NULL,"
	" seq INTEGER NOT NULL, hlc INTEGER NOT NULL, deleted INTEGER NOT NULL,"
	" body BLOB NOT NULL, hash BLOB NOT NULL, school TEXT, date_from TEXT, date_to TEXT);"
	"CREATE INDEX records_origin_seq ON records(origin, seq);"
	"CREATE INDEX records_kind_origin ON records(kind, origin);"
	"CREATE INDEX records_school ON records(school) WHERE school IS NOT NULL;"
	"CREATE INDEX records_dates ON records(date_from, date_to) WHERE date_from IS NOT NULL;"
	"CREATE TABLE record_directions(direction TEXT NOT NULL, id TEXT NOT NULL,"
	" PRIMARY KEY(direction, id)) WITHOUT ROWID;"
	"CREATE INDEX record_directions_id ON record_directions(id);"
	"CREATE TABLE pending(origin TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,"
	" PRIMARY KEY(origin, seq)) WITHOUT ROWID;"
	"CREATE INDEX pending_id ON pending(id);"
	"CREATE TABLE forks(origin TEXT NOT NULL, first_seq INTEGER NOT NULL,"
	" held_header BLOB NOT NULL, held_sig BLOB NOT NULL, other_header BLOB NOT NULL,"
	" other_sig BLOB NOT NULL, detected_at INTEGER NOT NULL,"
	" UNIQUE(origin, first_seq, other_header));",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int
fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
exec(mf_store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail(err, errlen, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *
stmt(mf_store *s, int q)
{
	sqlite3_stmt *st = s->q[q];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int
pragma_int(mf_store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Is this file an empty database or a mentorfed store of a schema we know?
 * Asked before anything is written to it (journal mode included). */
static int
check_identity(mf_store *s, char *err, size_t errlen)
{
	int uv, app, nobjects;

	if (pragma_int(s, "PRAGMA user_version", &uv) != 0 ||
	    pragma_int(s, "PRAGMA application_id", &app) != 0 ||
	    pragma_int(s, "SELECT count(*) FROM sqlite_schema", &nobjects) != 0)
		return fail(err, errlen, "%s: not an SQLite database: %s", s->path,
			    sqlite3_errmsg(s->db));
	if (app != APP_ID && !(app == 0 && uv == 0 && nobjects == 0))
		return fail(err, errlen, "%s: not a mentorfed store (application_id %#x)", s->path,
			    (unsigned)app);
	if (uv > SCHEMA_VERSION)
		return fail(err, errlen,
			    "%s: schema version %d is newer than this mentorfed knows (%d)",
			    s->path, uv, SCHEMA_VERSION);
	return 0;
}

static int
migrate(mf_store *s, char *err, size_t errlen)
{
	int uv;
	char sql[64];

	if (pragma_int(s, "PRAGMA user_version", &uv) != 0)
		return fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	for (; uv < SCHEMA_VERSION; uv++) {
		if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", uv + 1);
		if (exec(s, migrations[uv], err, errlen) != 0 || exec(s, sql, err, errlen) != 0) {
			exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", APP_ID);
		if (exec(s, sql, err, errlen) != 0 || exec(s, "COMMIT", err, errlen) != 0) {
			exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
	return 0;
}

mf_store *
mf_store_open(const char *path, const char *region, char *err, size_t errlen)
{
	mf_store *s = calloc(1, sizeof(*s));
	char have[32];

	if (s == NULL) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	s->path = strdup(path);
	mf_strlcpy(s->region, region, sizeof(s->region));
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fail(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto bad;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* Identity first: a file that is not ours is refused untouched. */
	if (check_identity(s, err, errlen) != 0)
		goto bad;
	if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    " PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768;"
		    " PRAGMA temp_store = MEMORY;", err, errlen) != 0)
		goto bad;
	if (migrate(s, err, errlen) != 0)
		goto bad;
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK) {
			fail(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
			goto bad;
		}
	if (mf_store_meta_get(s, "region", have, sizeof(have)) == 0) {
		if (strcmp(have, region) != 0) {
			fail(err, errlen, "%s: this store belongs to region %s, not %s", path, have,
			     region);
			goto bad;
		}
	} else if (mf_store_meta_set(s, "region", region) != 0) {
		fail(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto bad;
	}
	return s;
bad:
	mf_store_close(s);
	return NULL;
}

void
mf_store_close(mf_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

sqlite3 *
mf_store_db(mf_store *s)
{
	return s->db;
}

const char *
mf_store_region(const mf_store *s)
{
	return s->region;
}

/* ---------------------------------------------------------------- meta */

int
mf_store_meta_get(mf_store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = stmt(s, Q_META_GET);
	int rc = -1;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		mf_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), len);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int
mf_store_meta_set(mf_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = stmt(s, Q_META_SET);
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

int64_t
mf_store_meta_get_i64(mf_store *s, const char *key, int64_t dflt)
{
	char buf[32];

	if (mf_store_meta_get(s, key, buf, sizeof(buf)) != 0)
		return dflt;
	return strtoll(buf, NULL, 10);
}

int
mf_store_meta_add_i64(mf_store *s, const char *key, int64_t delta)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)(mf_store_meta_get_i64(s, key, 0) + delta));
	return mf_store_meta_set(s, key, buf);
}

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

/* Store one version as current if it is newer than what is held.  Returns
 * 1 when it became current, 0 when an equal or newer one is held, -1 on
 * error.  body must already be a valid body of kind. */
static int
put_version(mf_store *s, const char *id, const char *kind, const char *origin, uint64_t seq,
	    uint64_t hlc, int deleted, const uint8_t *body, size_t body_len,
	    const uint8_t hash[MF_HASH_LEN], char *err, size_t errlen)
{
	const ProtobufCMessageDescriptor *d = mf_kind_descriptor(kind);
	ProtobufCMessage *m = NULL;
	index_cols ic;
	sqlite3_stmt *st;
	int rc;

	memset(&ic, 0, sizeof(ic));
	if (d != NULL && !deleted && body_len > 0) {
		m = protobuf_c_message_unpack(d, NULL, body_len, body);
		if (m != NULL)
			scan_msg(m, &ic, 0);
	}
	st = stmt(s, Q_UPSERT);
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
		return fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
	}
	if (sqlite3_changes(s->db) == 0) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return 0;
	}
	st = stmt(s, Q_DEL_DIRS);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	for (int i = 0; i < ic.n_dirs && rc == SQLITE_DONE; i++) {
		char name[64];
		if (mf_enum_ident(&mentorfed__direction__descriptor, ic.dirs[i], name,
				  sizeof(name)) == NULL)
			continue;
		st = stmt(s, Q_INS_DIR);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	if (rc != SQLITE_DONE)
		return fail(err, errlen, "store %s: %s", id, sqlite3_errmsg(s->db));
	return 1;
}

static int
insert_block(mf_store *s, const char *origin, uint64_t first, uint64_t last,
	     const uint8_t *hash, const uint8_t *header, size_t hlen, const uint8_t *sig,
	     char *err, size_t errlen)
{
	sqlite3_stmt *st = stmt(s, Q_INS_BLOCK);
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
		return fail(err, errlen, "store block %s %llu: %s", origin,
			    (unsigned long long)first, sqlite3_errmsg(s->db));
	st = stmt(s, Q_SET_VV);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)last);
	sqlite3_bind_blob(st, 3, hash, MF_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(err, errlen, "store vector %s: %s", origin, sqlite3_errmsg(s->db));
	return 0;
}

/* When an origin's data last arrived (or was written, for our own). */
static int
note_arrival(mf_store *s, const char *origin)
{
	char key[48], val[32];

	snprintf(key, sizeof(key), "arrived:%s", origin);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)mf_now_ms());
	return mf_store_meta_set(s, key, val);
}

uint64_t
mf_store_vv(mf_store *s, const char *origin, uint8_t head[MF_HASH_LEN])
{
	sqlite3_stmt *st = stmt(s, Q_GET_VV);
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
mf_store_commit_local(mf_store *s, const mf_key *key, const mf_put *puts, size_t n,
		      mf_commit_result *res, char *err, size_t errlen)
{
	mf_leaf *leaves = NULL;
	size_t *lens = NULL;
	char **ids = NULL;
	uint8_t head[MF_HASH_LEN];
	uint64_t next, vv, hlc, first_unsealed;
	size_t nl = 0;
	int have_head;
	char buf[32];

	memset(res, 0, sizeof(*res));
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	vv = mf_store_vv(s, s->region, head);
	have_head = vv > 0;
	next = (uint64_t)mf_store_meta_get_i64(s, "next_seq", 1);
	if (next < vv + 1)
		next = vv + 1;
	hlc = (uint64_t)mf_store_meta_get_i64(s, "hlc", 0);
	if ((leaves = calloc(n ? n : 1, sizeof(*leaves))) == NULL ||
	    (lens = calloc(n ? n : 1, sizeof(*lens))) == NULL ||
	    (ids = calloc(n ? n : 1, sizeof(*ids))) == NULL) {
		fail(err, errlen, "out of memory");
		goto rollback;
	}
	first_unsealed = next;
	for (size_t i = 0; i < n; i++) {
		const mf_put *p = &puts[i];
		sqlite3_stmt *st = stmt(s, Q_GET_CUR);
		int exists = 0, same = 0, r;

		sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *k = (const char *)sqlite3_column_text(st, 0);
			int del = sqlite3_column_int(st, 1);
			size_t bl = (size_t)sqlite3_column_bytes(st, 2);
			const void *b = sqlite3_column_blob(st, 2);

			exists = 1;
			if (strcmp(k, p->kind) != 0) {
				fail(err, errlen, "record %s is a %s, not a %s", p->id, k, p->kind);
				sqlite3_reset(st);
				goto rollback;
			}
			same = del == (p->deleted ? 1 : 0) &&
			       (p->deleted || (bl == p->body_len && (bl == 0 || memcmp(b, p->body, bl) == 0)));
		}
		sqlite3_reset(st);
		if (p->deleted && !exists) {
			fail(err, errlen, "record %s does not exist", p->id);
			goto rollback;
		}
		if (same) {
			res->unchanged++;
			continue;
		}
		hlc = mf_hlc_next(hlc);
		leaves[nl].id = p->id;
		lens[nl] = p->deleted ? 0 : p->body_len;
		mf_version_hash(p->id, p->kind, s->region, next, hlc, p->deleted,
				p->deleted ? NULL : p->body, p->deleted ? 0 : p->body_len,
				leaves[nl].hash);
		r = put_version(s, p->id, p->kind, s->region, next, hlc, p->deleted,
				p->deleted ? NULL : p->body, p->deleted ? 0 : p->body_len,
				leaves[nl].hash, err, errlen);
		if (r < 0)
			goto rollback;
		if (r == 0) {
			fail(err, errlen, "record %s: a newer version is held than seq %llu", p->id,
			     (unsigned long long)next);
			goto rollback;
		}
		/* A later put of the same id in this batch supersedes this one. */
		nl++;
		next++;
	}
	/* Seal the new versions into blocks of at most MF_BLOCK_MAX_LEAVES
	 * leaves and MF_BLOCK_MAX_BYTES of bodies, so that any block fits in
	 * one sync frame with its versions. */
	for (size_t off = 0, cnt; off < nl; off += cnt) {
		size_t bytes = 0;
		uint64_t first = first_unsealed + off;
		mf_block b;
		int rc;

		for (cnt = 0; off + cnt < nl && cnt < MF_BLOCK_MAX_LEAVES; cnt++) {
			if (cnt > 0 && bytes + lens[off + cnt] > MF_BLOCK_MAX_BYTES)
				break;
			bytes += lens[off + cnt];
		}
		hlc = mf_hlc_next(hlc);
		if (mf_block_seal(s->region, first, have_head ? head : NULL, leaves + off, cnt, hlc,
				  key, &b) != 0) {
			fail(err, errlen, "cannot sign block %llu with the node's key",
			     (unsigned long long)first);
			goto rollback;
		}
		rc = insert_block(s, s->region, first, first + cnt - 1, b.hash, b.header,
				  b.header_len, b.sig, err, errlen);
		memcpy(head, b.hash, MF_HASH_LEN);
		have_head = 1;
		mf_block_clear(&b);
		if (rc != 0)
			goto rollback;
		res->blocks++;
	}
	if (nl > 0 && note_arrival(s, s->region) != 0)
		goto dberr;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)next);
	if (mf_store_meta_set(s, "next_seq", buf) != 0)
		goto dberr;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)hlc);
	if (mf_store_meta_set(s, "hlc", buf) != 0)
		goto dberr;
	if (exec(s, "COMMIT", err, errlen) != 0)
		goto rollback;
	res->changed = nl;
	if (nl > 0) {
		res->first_seq = first_unsealed;
		res->last_seq = next - 1;
	}
	free(leaves);
	free(lens);
	free(ids);
	return 0;
dberr:
	fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
rollback:
	exec(s, "ROLLBACK", NULL, 0);
	free(leaves);
	free(lens);
	free(ids);
	memset(res, 0, sizeof(*res));
	return -1;
}

/* ---------------------------------------------------------------- applying */

static int
pending_update(mf_store *s, const char *origin, uint64_t seq, const char *id, int has_body)
{
	sqlite3_stmt *st = stmt(s, Q_PEND_DEL);
	int rc;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (has_body)
		return 0;
	st = stmt(s, Q_PEND_INS);
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A validly signed block for seqs already held: a duplicate, or a fork. */
static enum mf_apply_outcome
held_block(mf_store *s, const Mentorfed__BlockHeader *h, const mf_block_in *b)
{
	sqlite3_stmt *st = stmt(s, Q_BLOCK_AT);
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
			/* Keep both signed headers as evidence. */
			uint8_t *held = malloc(hl ? hl : 1), heldsig[MF_SIG_LEN];
			sqlite3_stmt *f;

			if (held != NULL) {
				memcpy(held, hh, hl);
				memcpy(heldsig, sqlite3_column_blob(st, 3), MF_SIG_LEN);
				sqlite3_reset(st);
				f = stmt(s, Q_FORK_INS);
				sqlite3_bind_text(f, 1, h->origin, -1, SQLITE_STATIC);
				sqlite3_bind_int64(f, 2, (sqlite3_int64)h->first_seq);
				sqlite3_bind_blob(f, 3, held, (int)hl, SQLITE_STATIC);
				sqlite3_bind_blob(f, 4, heldsig, MF_SIG_LEN, SQLITE_STATIC);
				sqlite3_bind_blob(f, 5, b->header, (int)b->header_len, SQLITE_STATIC);
				sqlite3_bind_blob(f, 6, b->sig, MF_SIG_LEN, SQLITE_STATIC);
				sqlite3_bind_int64(f, 7, (sqlite3_int64)(mf_now_ms() / 1000));
				sqlite3_step(f);
				sqlite3_reset(f);
				free(held);
			}
		}
	}
	sqlite3_reset(st);
	return out;
}

/* A signed body must still decode as its kind's message. */
static int
body_ok(const char *kind, const ProtobufCBinaryData *body)
{
	ProtobufCMessage *m;

	if (body->len == 0)
		return 1;
	m = protobuf_c_message_unpack(mf_kind_descriptor(kind), NULL, body->len, body->data);
	if (m == NULL)
		return 0;
	protobuf_c_message_free_unpacked(m, NULL);
	return 1;
}

static enum mf_apply_outcome
apply_one(mf_store *s, const mf_keyring *kr, const mf_block_in *b, mf_apply_result *res,
	  char *err, size_t errlen, int *dberr)
{
	Mentorfed__BlockHeader *h = NULL;
	Mentorfed__Version **vs = NULL;
	uint8_t head[MF_HASH_LEN], hash[MF_HASH_LEN];
	uint64_t vv;
	enum mf_apply_outcome out = MF_APPLY_OK;
	char e2[256];

	if (mf_block_verify(b->header, b->header_len, b->sig, b->sig_len, kr, &h, e2,
			    sizeof(e2)) != 0) {
		fail(err, errlen, "%s", e2);
		return MF_APPLY_BAD_SIGNATURE;
	}
	mf_strlcpy(res->origin, h->origin, sizeof(res->origin));
	res->error_seq = h->first_seq;
	vv = mf_store_vv(s, h->origin, head);
	if (h->first_seq <= vv) {
		out = held_block(s, h, b);
		if (out == MF_APPLY_FORK)
			fail(err, errlen, "fork: %s signed two different blocks at seq %llu",
			     h->origin, (unsigned long long)h->first_seq);
		goto done;
	}
	if (h->first_seq != vv + 1 ||
	    (vv == 0 ? h->prev_hash.len != 0 :
		       (h->prev_hash.len != MF_HASH_LEN || memcmp(h->prev_hash.data, head, MF_HASH_LEN) != 0))) {
		fail(err, errlen, "block %s %llu..%llu does not link to the held chain (held to %llu)",
		     h->origin, (unsigned long long)h->first_seq, (unsigned long long)h->last_seq,
		     (unsigned long long)vv);
		out = MF_APPLY_NO_LINK;
		goto done;
	}
	/* Decode and match every version to its leaf before writing anything. */
	if (b->n_versions > h->n_leaves) {
		fail(err, errlen, "block %s %llu: %zu versions for %zu leaves", h->origin,
		     (unsigned long long)h->first_seq, b->n_versions, h->n_leaves);
		out = MF_APPLY_BAD_VERSION;
		goto done;
	}
	if ((vs = calloc(h->n_leaves, sizeof(*vs))) == NULL) {
		*dberr = 1;
		fail(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < b->n_versions; i++) {
		Mentorfed__Version *v = mentorfed__version__unpack(NULL, b->version_lens[i],
								   b->versions[i]);
		size_t li;

		if (v == NULL || v->seq < h->first_seq || v->seq > h->last_seq ||
		    strcmp(v->origin, h->origin) != 0 || v->body.len > MF_BODY_MAX ||
		    mf_kind_descriptor(v->kind) == NULL) {
			fail(err, errlen, "block %s %llu: version %zu is malformed or outside the block",
			     h->origin, (unsigned long long)h->first_seq, i);
			if (v)
				mentorfed__version__free_unpacked(v, NULL);
			out = MF_APPLY_BAD_VERSION;
			goto done;
		}
		li = (size_t)(v->seq - h->first_seq);
		mf_version_hash_pb(v, hash);
		if (vs[li] != NULL || strcmp(v->id, h->leaves[li]->id) != 0 ||
		    memcmp(hash, h->leaves[li]->hash.data, MF_HASH_LEN) != 0 ||
		    mf_id_check(v->id, h->origin, v->kind) != 0 ||
		    (!v->deleted && !body_ok(v->kind, &v->body))) {
			fail(err, errlen, "record %s (%s seq %llu): hash does not match the signed leaf",
			     v->id, h->origin, (unsigned long long)v->seq);
			mentorfed__version__free_unpacked(v, NULL);
			out = MF_APPLY_BAD_VERSION;
			goto done;
		}
		vs[li] = v;
	}
	for (size_t li = 0; li < h->n_leaves; li++) {
		const Mentorfed__Leaf *l = h->leaves[li];
		uint64_t seq = h->first_seq + li;

		if (pending_update(s, h->origin, seq, l->id, vs[li] != NULL) != 0) {
			*dberr = 1;
			fail(err, errlen, "store: %s", sqlite3_errmsg(s->db));
			goto done;
		}
		if (vs[li] != NULL) {
			Mentorfed__Version *v = vs[li];
			int r = put_version(s, v->id, v->kind, v->origin, v->seq, v->hlc, v->deleted,
					    v->body.data, v->body.len, l->hash.data, err, errlen);
			if (r < 0) {
				*dberr = 1;
				goto done;
			}
			if (r > 0)
				res->applied_versions++;
			else
				res->stale_versions++;
		}
	}
	mf_sha256(b->header, b->header_len, hash);
	if (insert_block(s, h->origin, h->first_seq, h->last_seq, hash, b->header, b->header_len,
			 b->sig, err, errlen) != 0 || note_arrival(s, h->origin) != 0) {
		*dberr = 1;
		goto done;
	}
done:
	if (vs != NULL) {
		for (size_t i = 0; i < h->n_leaves; i++)
			if (vs[i])
				mentorfed__version__free_unpacked(vs[i], NULL);
		free(vs);
	}
	mentorfed__block_header__free_unpacked(h, NULL);
	return out;
}

int
mf_store_apply(mf_store *s, const mf_keyring *kr, const mf_block_in *blocks, size_t n,
	       mf_apply_result *res, char *err, size_t errlen)
{
	int dberr = 0, rejected = 0;

	memset(res, 0, sizeof(*res));
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		enum mf_apply_outcome o;

		/* A savepoint per block: a block is applied whole or not at all. */
		if (exec(s, "SAVEPOINT blk", err, errlen) != 0) {
			dberr = 1;
			break;
		}
		o = apply_one(s, kr, &blocks[i], res, err, errlen, &dberr);
		if (dberr) {
			exec(s, "ROLLBACK TO blk; RELEASE blk", NULL, 0);
			break;
		}
		if (o == MF_APPLY_OK) {
			res->applied_blocks++;
		} else if (o == MF_APPLY_DUPLICATE) {
			res->duplicate_blocks++;
		} else {
			/* Fork evidence is kept; everything else of the block is not. */
			if (o != MF_APPLY_FORK)
				exec(s, "ROLLBACK TO blk", NULL, 0);
			res->rejected_blocks++;
			res->first_error = o;
			exec(s, "RELEASE blk", NULL, 0);
			rejected = 1;
			break;
		}
		if (exec(s, "RELEASE blk", err, errlen) != 0) {
			dberr = 1;
			break;
		}
		if (s->progress)
			s->progress(s->progress_arg);
	}
	if (dberr) {
		exec(s, "ROLLBACK", NULL, 0);
		res->applied_blocks = res->applied_versions = 0;
		return -1;
	}
	if (exec(s, "COMMIT", err, errlen) != 0) {
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return rejected;
}

size_t
mf_store_withheld(mf_store *s, const char *origin, uint64_t upto, uint64_t *first)
{
	sqlite3_stmt *st;
	size_t n = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT count(*), min(seq) FROM pending WHERE origin = ?1 AND seq <= ?2",
			       -1, &st, NULL) != SQLITE_OK)
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

int
mf_store_truncate_origin(mf_store *s, const char *origin, uint64_t from, char *err,
			 size_t errlen)
{
	sqlite3_stmt *st = NULL;
	uint64_t bfirst = 0, plast = 0;
	uint8_t phash[MF_HASH_LEN];
	int have_prev = 0;
	static const char *const dels[] = {
		"DELETE FROM record_directions WHERE id IN (SELECT id FROM records WHERE origin = ?1 AND seq >= ?2)",
		"DELETE FROM records WHERE origin = ?1 AND seq >= ?2",
		"DELETE FROM pending WHERE origin = ?1 AND seq >= ?2",
		"DELETE FROM blocks WHERE origin = ?1 AND first_seq >= ?2",
	};

	if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT first_seq FROM blocks WHERE origin = ?1 AND first_seq <= ?2"
			       " ORDER BY first_seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	if (sqlite3_step(st) == SQLITE_ROW)
		bfirst = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (bfirst == 0)
		bfirst = from;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT last_seq, hash FROM blocks WHERE origin = ?1 AND first_seq < ?2"
			       " ORDER BY first_seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)bfirst);
	if (sqlite3_step(st) == SQLITE_ROW) {
		plast = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(phash, sqlite3_column_blob(st, 1), MF_HASH_LEN);
		have_prev = 1;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < sizeof(dels) / sizeof(dels[0]); i++) {
		if (sqlite3_prepare_v2(s->db, dels[i], -1, &st, NULL) != SQLITE_OK)
			goto dberr;
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)bfirst);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (have_prev) {
		st = stmt(s, Q_SET_VV);
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)plast);
		sqlite3_bind_blob(st, 3, phash, MF_HASH_LEN, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			st = NULL;
			goto dberr;
		}
		sqlite3_reset(st);
		st = NULL;
	} else {
		if (sqlite3_prepare_v2(s->db, "DELETE FROM vv WHERE origin = ?1", -1, &st, NULL) !=
		    SQLITE_OK)
			goto dberr;
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
		sqlite3_finalize(st);
		st = NULL;
	}
	return exec(s, "COMMIT", err, errlen);
dberr:
	fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	if (st)
		sqlite3_finalize(st);
	exec(s, "ROLLBACK", NULL, 0);
	return -1;
}

/* ---------------------------------------------------------------- reading */

int
mf_store_vv_each(mf_store *s, int (*fn)(void *, const char *, uint64_t), void *arg)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT origin, seq FROM vv ORDER BY origin", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
			     (uint64_t)sqlite3_column_int64(st, 1))) != 0)
			break;
	sqlite3_finalize(st);
	return rc;
}

int
mf_store_blocks_after(mf_store *s, const char *origin, uint64_t after, size_t limit,
		      mf_block_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(s->db,
			       /* blocks chain without gaps: start at the one holding
				* after+1, so the primary key bounds the scan */
			       "SELECT header, sig, first_seq, last_seq FROM blocks WHERE origin = ?1"
			       " AND first_seq >= (SELECT coalesce(max(first_seq), 0) FROM blocks"
			       " WHERE origin = ?1 AND first_seq <= ?2 + 1)"
			       " AND last_seq > ?2 ORDER BY first_seq LIMIT ?3", -1, &st, NULL) !=
	    SQLITE_OK)
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
	sqlite3_finalize(st);
	return n;
}

int
mf_store_versions_in(mf_store *s, const char *origin, uint64_t lo, uint64_t hi, mf_version_fn fn,
		     void *arg)
{
	sqlite3_stmt *st;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int n = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, kind, seq, hlc, deleted, body FROM records WHERE origin = ?1"
			       " AND seq BETWEEN ?2 AND ?3 ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
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
		len = mentorfed__version__get_packed_size(&v);
		if (len > cap) {
			uint8_t *nb = realloc(buf, len);
			if (nb == NULL) {
				n = -1;
				break;
			}
			buf = nb;
			cap = len;
		}
		mentorfed__version__pack(&v, buf);
		n++;
		if (fn(arg, v.seq, buf, len) != 0)
			break;
	}
	sqlite3_finalize(st);
	free(buf);
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
	mf_record *r = calloc(1, sizeof(*r));
	size_t bl = (size_t)sqlite3_column_bytes(st, 6);

	if (r == NULL)
		return NULL;
	r->id = strdup((const char *)sqlite3_column_text(st, 0));
	r->kind = strdup((const char *)sqlite3_column_text(st, 1));
	r->origin = strdup((const char *)sqlite3_column_text(st, 2));
	r->seq = (uint64_t)sqlite3_column_int64(st, 3);
	r->hlc = (uint64_t)sqlite3_column_int64(st, 4);
	r->deleted = sqlite3_column_int(st, 5);
	r->body = malloc(bl ? bl : 1);
	if (r->id == NULL || r->kind == NULL || r->origin == NULL || r->body == NULL) {
		mf_record_free(r);
		return NULL;
	}
	if (bl)
		memcpy(r->body, sqlite3_column_blob(st, 6), bl);
	r->body_len = bl;
	if (sqlite3_column_bytes(st, 7) == MF_HASH_LEN)
		memcpy(r->hash, sqlite3_column_blob(st, 7), MF_HASH_LEN);
	return r;
}

mf_record *
mf_store_get(mf_store *s, const char *id)
{
	sqlite3_stmt *st = stmt(s, Q_GET_REC);
	mf_record *r = NULL;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = row_record(st);
	sqlite3_reset(st);
	return r;
}

int
mf_store_each(mf_store *s, const char *kind, const char *origin, int with_deleted,
	      mf_record_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, kind, origin, seq, hlc, deleted, body, hash FROM records"
			       " WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR origin = ?2)"
			       " AND (?3 OR deleted = 0) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (kind)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (origin)
		sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, with_deleted ? 1 : 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mf_record *r = row_record(st);
		int stop;

		if (r == NULL) {
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
	return rc;
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
mf_store_count(mf_store *s, const char *sql_where)
{
	sqlite3_stmt *st;
	char sql[512];
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM records%s%s", sql_where ? " WHERE " : "",
		 sql_where ? sql_where : "");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
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
