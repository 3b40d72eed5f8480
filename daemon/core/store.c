/*
 * store.c — the node's SQLite store (see store.h): the schema and its
 * migrations, open and close, the meta table, and the helpers the other
 * store files share (store_int.h).
 *
 * The store is split by concern: store_write.c (local versions sealed
 * into signed blocks), store_apply.c (verified blocks from peers, applied
 * in steps driven by the records layer; truncation), store_read.c (reads,
 * digest, counts).  Bodies of current versions only are kept; every block
 * header is kept with its leaves, because a node relays blocks and must
 * be able to prove history.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

#define APP_ID 0x4d466564	/* "MFed" in PRAGMA application_id */

/*
 * SQLite reports every SQLITE_CORRUPT and SQLITE_NOTADB it meets, on any
 * statement, through its error log: the one place that sees corruption
 * met by the statements of every store file.  The log is process-wide and
 * does not say which database, and its callback may not call SQLite: it
 * only counts; the next mf_store_damaged (every loop turn of the daemon)
 * confirms with PRAGMA integrity_check on its own store before calling
 * that store damaged (another file opened by the process, a backup being
 * checked, must not stop the node).
 */
static char corrupt_msg[128];		/* SQLite's first report */
static unsigned long corrupt_reports, corrupt_checked;
static uint64_t corrupt_check_ms;
static int corrupt_confirmed;		/* the store's file is damaged */
static char corrupt_reason[256];

static void
sqlite_log(void *arg, int code, const char *msg)
{
	(void)arg;
	if ((code & 0xff) != SQLITE_CORRUPT && (code & 0xff) != SQLITE_NOTADB)
		return;
	if (corrupt_reports++ == 0)
		snprintf(corrupt_msg, sizeof(corrupt_msg), "%s", msg ? msg : "corrupt");
}

/*
 * A damaged file is not written into any more by this process: no local
 * write, no block from a peer (a write into a damaged B-tree spreads the
 * damage).  PRAGMA query_only makes every write statement fail, the
 * prepared ones too; reads (status, export of what is intact, backup)
 * go on.
 */
static void
stop_writing(mf_store *s)
{
	if (store_exec(s, "PRAGMA query_only = ON", NULL, 0) == 0)
		mf_err("store %s: the database file is damaged (%s): it is read-only from now on (no local write, no block from peers); see 'Rot and corruption' in doc/OPERATIONS.md",
		       s->path, corrupt_reason);
}

/* SQLite reported corruption since the last look: is it this store's? */
static void
confirm_corruption(mf_store *s)
{
	sqlite3_stmt *st;
	const char *r;
	uint64_t now = mf_mono_ms();

	if (corrupt_confirmed || corrupt_reports == corrupt_checked ||
	    (corrupt_check_ms && now - corrupt_check_ms < 60000))
		return;		/* known, nothing new, or checked within the minute */
	corrupt_checked = corrupt_reports;
	corrupt_check_ms = now;
	if ((st = store_prepare(s, "PRAGMA integrity_check(1)")) == NULL)
		return;
	r = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (r == NULL || strcmp(r, "ok") != 0) {
		corrupt_confirmed = 1;
		snprintf(corrupt_reason, sizeof(corrupt_reason), "SQLite reports %s; integrity_check: %s",
			 corrupt_msg, r ? r : sqlite3_errmsg(s->db));
		mf_err("store %s: damage found: %s", s->path, corrupt_reason);
	} else {
		mf_warn("store %s: SQLite reported corruption (%s), but integrity_check finds this store intact (another database file?)",
			s->path, corrupt_msg);
	}
	sqlite3_finalize(st);
	if (corrupt_confirmed)
		stop_writing(s);
}

static void
store_init_log(void)
{
	static int done;

	/* only possible before SQLite initializes: the first open */
	if (!done) {
		done = 1;
		sqlite3_config(SQLITE_CONFIG_LOG, sqlite_log, NULL);
	}
}

static const char *const sql_text[Q_COUNT] = {
	[Q_GET_CUR] = "SELECT kind, deleted, body, seq FROM records WHERE id = ?1",
	[Q_UPSERT] = "INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash,"
		     " school, date_from, date_to) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
		     " ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, seq=excluded.seq,"
		     " hlc=excluded.hlc, deleted=excluded.deleted, body=excluded.body,"
		     " hash=excluded.hash, school=excluded.school, date_from=excluded.date_from,"
		     " date_to=excluded.date_to"
		     " WHERE excluded.seq > records.seq AND excluded.origin = records.origin",
	[Q_DEL_DIRS] = "DELETE FROM record_directions WHERE direction = ?1 AND kind = ?2 AND id = ?3",
	[Q_INS_DIR] = "INSERT OR IGNORE INTO record_directions(direction, kind, id, school)"
		     " VALUES(?1, ?2, ?3, ?4)",
	[Q_DEL_SCHOOLS] = "DELETE FROM record_refs WHERE target = ?1 AND kind = ?2 AND id = ?3",
	[Q_INS_SCHOOL] = "INSERT OR IGNORE INTO record_refs(target, kind, id) VALUES(?1, ?2, ?3)",
	[Q_DEL_SIX] = "DELETE FROM school_index WHERE id = ?1",
	[Q_INS_SIX] = "INSERT OR REPLACE INTO school_index(id, name, short_name, fname, municipality,"
		      " region, league, level) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
	[Q_SET_IXCOLS] = "UPDATE records SET school = ?2, date_from = ?3, date_to = ?4 WHERE id = ?1",
	/* a new record (most of an apply): inserted without the lookup */
	[Q_INS_NEW] = "INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash,"
		      " school, date_from, date_to) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
		      " ON CONFLICT(id) DO NOTHING",
	[Q_CUR_STATE] = "SELECT deleted, kind, body FROM records WHERE id = ?1",
	[Q_COUNT_ADD] = "INSERT INTO record_counts(kind, origin, deleted, n) VALUES(?1,?2,?3,?4)"
			" ON CONFLICT(kind, origin, deleted) DO UPDATE SET n = n + excluded.n",
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
	[Q_VV_ALL] = "SELECT origin, seq FROM vv ORDER BY origin",
	/* blocks chain without gaps: start at the one holding after+1, so
	 * the primary key bounds the scan */
	[Q_BLOCKS_AFTER] = "SELECT header, sig, first_seq, last_seq FROM blocks WHERE origin = ?1"
			   " AND first_seq >= (SELECT coalesce(max(first_seq), 0) FROM blocks"
			   " WHERE origin = ?1 AND first_seq <= ?2 + 1)"
			   " AND last_seq > ?2 ORDER BY first_seq LIMIT ?3",
	[Q_VERSIONS_IN] = "SELECT id, kind, seq, hlc, deleted, body, hash FROM records WHERE origin = ?1"
			  " AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
};


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
	/*
	 * 2: indexes that queries read (issue 14).  What a record refers
	 * to (schools, an offer, an application, a roadmap), its directions
	 * and dates are taken from its body by kind (index_body in
	 * store_write.c), not guessed from field names; a record that names
	 * two schools (a pair) has a row for each in record_refs.  Directions carry
	 * the kind and the record's first school, so that "the schools of the
	 * cards of direction D" is one range of one index, no join.  The
	 * school table holds what listing and ranking schools needs (folded
	 * name for search, league, level) so that neither decodes 40,000
	 * bodies.  Existing rows are indexed after this step (meta "reindex",
	 * store_reindex): a store made before it opens with its indexes full.
	 * No index on id in record_refs and record_directions: a new version
	 * deletes its predecessor's rows by their full keys, taken from the
	 * predecessor's body (store_put_version); an index on id costs a
	 * random page per row on every applied record (bench/QUERIES.md).
	 */
	"DROP INDEX records_school;"
	"DROP INDEX records_dates;"
	"DROP TABLE record_directions;"
	"CREATE INDEX records_kind_dates ON records(kind, date_to) WHERE date_to IS NOT NULL;"
	"CREATE TABLE record_directions(direction TEXT NOT NULL, kind TEXT NOT NULL,"
	" id TEXT NOT NULL, school TEXT, PRIMARY KEY(direction, kind, id)) WITHOUT ROWID;"
	"CREATE TABLE record_refs(target TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,"
	" PRIMARY KEY(target, kind, id)) WITHOUT ROWID;"
	"CREATE TABLE school_index(id TEXT PRIMARY KEY, name TEXT NOT NULL, short_name TEXT NOT NULL,"
	" fname TEXT NOT NULL,"
	" municipality TEXT NOT NULL, region TEXT NOT NULL, league INTEGER NOT NULL,"
	" level INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX school_index_municipality ON school_index(municipality);"
	"CREATE INDEX school_index_region ON school_index(region);"
	/* Counts by (kind, origin, tombstone), kept, not counted: status
	 * counted 200,000 rows in 300 ms.  Kept in C by store_put_version
	 * and mf_store_truncate_origin in the transaction that changes the
	 * records, not by triggers: a trigger on records made every applied
	 * record's INSERT about ten times slower (bench/QUERIES.md). */
	"CREATE TABLE record_counts(kind TEXT NOT NULL, origin TEXT NOT NULL,"
	" deleted INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(kind, origin, deleted))"
	" WITHOUT ROWID;"
	"INSERT INTO record_counts SELECT kind, origin, deleted, count(*) FROM records"
	" GROUP BY kind, origin, deleted;"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'reindex', '1'"
	" WHERE EXISTS(SELECT 1 FROM records);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A single statement of store_exec, prepared once (NULL: run it through
 * sqlite3_exec: several statements, or it does not prepare). */
static sqlite3_stmt *
exec_cached(mf_store *s, const char *sql)
{
	struct exec_cached *x;
	const char *tail = NULL;
	sqlite3_stmt *st = NULL;
	const size_t n = sizeof(s->xc) / sizeof(s->xc[0]);

	for (size_t i = 0; i < n; i++)
		if (s->xc[i].sql != NULL && strcmp(s->xc[i].sql, sql) == 0)
			return s->xc[i].st;
	if (strlen(sql) > 64 || strchr(sql, ';') != NULL)
		return NULL;	/* schema, several statements: once */
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail) != SQLITE_OK ||
	    st == NULL) {
		sqlite3_finalize(st);
		return NULL;
	}
	x = &s->xc[s->xc_next];
	s->xc_next = (s->xc_next + 1) % n;
	sqlite3_finalize(x->st);
	free(x->sql);
	x->sql = mf_xstrdup(sql);
	x->st = st;
	return st;
}

int
store_exec(mf_store *s, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = exec_cached(s, sql);
	char *msg = NULL;

	if (st != NULL) {
		int rc = sqlite3_step(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			store_fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
	}
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_fail(err, errlen, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_stmt(mf_store *s, int q)
{
	sqlite3_stmt *st = s->q[q];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

sqlite3_stmt *
store_stmt_loop(mf_store *s, int q, int *own)
{
	*own = sqlite3_stmt_busy(s->q[q]) != 0;
	return *own ? store_prepare(s, sqlite3_sql(s->q[q])) : store_stmt(s, q);
}

void
store_stmt_done(sqlite3_stmt *st, int own)
{
	if (own)
		sqlite3_finalize(st);
	else if (st != NULL)
		sqlite3_reset(st);
}

sqlite3_stmt *
store_prepare(mf_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
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
		return store_fail(err, errlen, "%s: not an SQLite database: %s", s->path,
			    sqlite3_errmsg(s->db));
	if (app != APP_ID && !(app == 0 && uv == 0 && nobjects == 0))
		return store_fail(err, errlen, "%s: not a mentorfed store (application_id %#x)", s->path,
			    (unsigned)app);
	if (uv > SCHEMA_VERSION)
		return store_fail(err, errlen,
			    "%s: schema version %d is newer than this mentorfed knows (%d): "
			    "a newer release wrote it; install that release (or a later one) to run "
			    "this node, or restore a backup made with this release "
			    "(mentorfed restore FILE); the store was not changed",
			    s->path, uv, SCHEMA_VERSION);
	return 0;
}

static int
migrate(mf_store *s, char *err, size_t errlen)
{
	int uv;
	char sql[64];

	if (pragma_int(s, "PRAGMA user_version", &uv) != 0)
		return store_fail(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	for (; uv < SCHEMA_VERSION; uv++) {
		if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", uv + 1);
		if (store_exec(s, migrations[uv], err, errlen) != 0 || store_exec(s, sql, err, errlen) != 0) {
			store_exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", APP_ID);
		if (store_exec(s, sql, err, errlen) != 0 || store_exec(s, "COMMIT", err, errlen) != 0) {
			store_exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
	return 0;
}

/* A damaged B-tree must be found before anything is written into it:
 * PRAGMA quick_check reads every page (O(size), not index contents).  1
 * with the reason in why when it fails; the store is still opened (read
 * only, see stop_writing) so that the operator can look at it (status,
 * verify, backup). */
static int
check_on_open(mf_store *s, char *why, size_t len)
{
	sqlite3_stmt *st;
	const char *r;
	int rc, bad;

	if ((st = store_prepare(s, "PRAGMA quick_check(1)")) == NULL) {
		snprintf(why, len, "PRAGMA quick_check cannot run on open: %s", sqlite3_errmsg(s->db));
		return 1;
	}
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if ((bad = r == NULL || strcmp(r, "ok") != 0))
		snprintf(why, len, "PRAGMA quick_check on open: %s", r ? r : sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return bad;
}

mf_store *
mf_store_open(const char *path, const char *region, char *err, size_t errlen)
{
	mf_store *s = mf_xcalloc(1, sizeof(*s));
	char have[32], why[256];
	int damaged;
	unsigned long reports0 = corrupt_reports;

	s->mark_fd = -1;
	s->path = mf_xstrdup(path);
	mf_strlcpy(s->region, region, sizeof(s->region));
	store_init_log();
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		store_fail(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto bad;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* Identity first: a file that is not ours is refused untouched. */
	if (check_identity(s, err, errlen) != 0)
		goto bad;
	damaged = check_on_open(s, why, sizeof(why));
	if (store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    " PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768;"
		    " PRAGMA temp_store = MEMORY;", err, errlen) != 0)
		goto bad;
	sqlite3_wal_autocheckpoint(s->db, 0);	/* PRAGMA wal_autocheckpoint = 0: checkpoints off the hot path, store_ckpt.h */
	if (!damaged && migrate(s, err, errlen) != 0)
		goto bad;
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK) {
			store_fail(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
			goto bad;
		}
	if (mf_store_meta_get(s, "region", have, sizeof(have)) == 0) {
		if (strcmp(have, region) != 0) {
			store_fail(err, errlen, "%s: this store belongs to region %s, not %s", path, have,
			     region);
			goto bad;
		}
	} else if (mf_store_meta_set(s, "region", region) != 0) {
		store_fail(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto bad;
	}
	if (!damaged && store_reindex(s, err, errlen) != 0)
		goto bad;
	/* Damage found by reads lives in a temporary table: per connection,
	 * in memory, outside the file that may be damaged. */
	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS damage(origin TEXT NOT NULL,"
		       " seq INTEGER NOT NULL, id TEXT NOT NULL, what TEXT NOT NULL,"
		       " PRIMARY KEY(origin, seq))", err, errlen) != 0)
		goto bad;
	if (damaged) {
		mf_store_damage_note(s, "", 0, "", why);
		corrupt_confirmed = 1;
		corrupt_checked = corrupt_reports;	/* the check's own reports */
		mf_strlcpy(corrupt_reason, why, sizeof(corrupt_reason));
		stop_writing(s);
	}
	return s;
bad:
	if (corrupt_reports > reports0 && err != NULL && strstr(err, "restore") == NULL) {
		/* a file SQLite calls corrupt (or not a database at all) */
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (the store file is damaged: see 'Rot and corruption'"
			 " in doc/OPERATIONS.md; a backup can be put back with 'mentorfed restore')");
	}
	mf_store_close(s);
	return NULL;
}


void
mf_store_close(mf_store *s)
{
	if (s == NULL)
		return;
	if (s->in_apply)
		mf_store_apply_rollback(s, NULL);
	if (store_settle(s, NULL, 0) != 0)
		mf_warn("%s: the last received blocks were not committed at close", s->path);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	for (size_t i = 0; i < sizeof(s->xc) / sizeof(s->xc[0]); i++) {
		sqlite3_finalize(s->xc[i].st);
		free(s->xc[i].sql);
	}
	if (s->mark_fd >= 0)
		close(s->mark_fd);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *
mf_store_region(const mf_store *s)
{
	return s->region;
}

const char *
mf_store_path(const mf_store *s)
{
	return s->path;
}

/* ---------------------------------------------------------------- damage */

int
mf_store_damaged(mf_store *s, char *buf, size_t len)
{
	sqlite3_stmt *st;
	char what[256];
	int n = 0;

	confirm_corruption(s);
	if (corrupt_confirmed) {
		mf_strlcpy(buf, corrupt_reason, len);
		return 1;
	}
	if ((st = store_prepare(s, "SELECT count(*), origin, seq, id, what FROM temp.damage"
				   " ORDER BY origin, seq LIMIT 1")) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW && (n = sqlite3_column_int(st, 0)) > 0) {
			const char *o = (const char *)sqlite3_column_text(st, 1);
			const char *id = (const char *)sqlite3_column_text(st, 3);

			if (id[0])
				snprintf(buf, len, "record %s (%s seq %lld): %s%s", id, o,
					 (long long)sqlite3_column_int64(st, 2),
					 (const char *)sqlite3_column_text(st, 4),
					 n > 1 ? " (and more: see 'mentorfed verify')" : "");
			else if (o[0])
				snprintf(buf, len, "block of %s at seq %lld: %s%s", o,
					 (long long)sqlite3_column_int64(st, 2),
					 (const char *)sqlite3_column_text(st, 4),
					 n > 1 ? " (and more: see 'mentorfed verify')" : "");
			else
				snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 4));
		}
		sqlite3_finalize(st);
	}
	if (n > 0)
		return 1;
	/* found by an earlier run and not yet cleared by a clean check */
	if (mf_store_meta_get(s, "damage", what, sizeof(what)) == 0 && what[0]) {
		snprintf(buf, len, "%s (found before the last restart)", what);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- meta */

int
mf_store_meta_get(mf_store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = store_stmt(s, Q_META_GET);
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
	sqlite3_stmt *st = store_stmt(s, Q_META_SET);
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

