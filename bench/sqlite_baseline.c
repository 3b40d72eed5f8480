/*
 * sqlite_baseline.c — baseline A of bench/run.sh (issue 7): the store's own
 * limit.  Applies the rows a catch-up would apply straight into SQLite, with
 * nothing of mentorfed in between (no network, no protobuf, no signatures,
 * no hashing):
 *
 *   sqlite_baseline SRC_DB DST_DB ROWS_PER_TXN
 *
 * SRC_DB is a mentorfed store (the sender's store.db after the workload was
 * written).  Its rows are read into memory first — untimed — in the order a
 * sync sends them (origin, seq).  DST_DB is created with SRC's schema,
 * copied statement by statement from SRC's sqlite_schema (so it is the
 * store's schema by construction) and opened with the PRAGMAs of
 * daemon/core/store*.c mf_store_open.  The timed loop then does per row what the
 * store's apply path does for a new record — the same INSERT text as
 * store.c Q_INS_NEW, the index rows the source store holds for it
 * (record_directions, record_refs, school_index: written by the store per
 * kind, copied here as they are) — and per block of the source the blocks
 * row, the version-vector upsert and the kept count, committing every
 * ROWS_PER_TXN rows.  Checkpoints as the daemon's backstop does: SQLite's
 * automatic checkpoint off (PRAGMA wal_autocheckpoint = 0) and a passive
 * checkpoint after a commit that leaves 2,000 WAL frames (the daemon's
 * thread checkpoints earlier, off the apply path; store_ckpt.c).
 *
 * Prints one line: "rows=N secs=S rows_per_s=R bytes=B".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

/* Keep in step with daemon/core/store*.c mf_store_open (bench/run.sh checks). */
#define STORE_PRAGMAS "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" \
	" PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768;" \
	" PRAGMA temp_store = MEMORY;"

/* daemon/core/store*.c Q_INS_NEW, Q_INS_DIR, Q_INS_SCHOOL, Q_INS_SIX,
 * Q_COUNT_ADD, Q_INS_BLOCK, Q_SET_VV. */
#define SQL_INS_NEW "INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash," \
	" school, date_from, date_to) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)" \
	" ON CONFLICT(id) DO NOTHING"
#define SQL_INS_DIR "INSERT OR IGNORE INTO record_directions(direction, kind, id, school)" \
	" VALUES(?1, ?2, ?3, ?4)"
#define SQL_INS_REF "INSERT OR IGNORE INTO record_refs(target, kind, id) VALUES(?1, ?2, ?3)"
#define SQL_INS_SIX "INSERT OR REPLACE INTO school_index(id, name, short_name, fname," \
	" municipality, region, league, level) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"
#define SQL_COUNT_ADD "INSERT INTO record_counts(kind, origin, deleted, n) VALUES(?1,?2,?3,?4)" \
	" ON CONFLICT(kind, origin, deleted) DO UPDATE SET n = n + excluded.n"
#define SQL_INS_BLOCK "INSERT INTO blocks(origin, first_seq, last_seq, hash, header, sig)" \
	" VALUES(?1,?2,?3,?4,?5,?6)"
#define SQL_SET_VV "INSERT INTO vv(origin, seq, head) VALUES(?1,?2,?3) ON CONFLICT(origin)" \
	" DO UPDATE SET seq=excluded.seq, head=excluded.head"

typedef struct blob {
	void *p;
	int n;
} blob;

typedef struct row {
	char *id, *kind, *origin, *school, *date_from, *date_to, *dirs, *refs;
	char *six[6];		/* school_index: name, short_name, fname, municipality, region */
	long long seq, hlc, six_league, six_level;
	int deleted, has_six;
	blob body, hash;
} row;

typedef struct block {
	char *origin;
	long long first, last;
	blob hash, header, sig;
} block;

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_baseline: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
	exit(1);
}

static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

static blob
col_blob(sqlite3_stmt *st, int i)
{
	blob b;

	b.n = sqlite3_column_bytes(st, i);
	b.p = malloc(b.n ? (size_t)b.n : 1);
	if (b.n)
		memcpy(b.p, sqlite3_column_blob(st, i), (size_t)b.n);
	return b;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(db, what);
	sqlite3_reset(st);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite_baseline: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

/* The daemon's inline backstop: a passive checkpoint once a commit leaves
 * 2,000 frames in the WAL. */
static int
wal_backstop(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)arg;
	if (frames >= 2000)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int
main(int argc, char **argv)
{
	sqlite3 *src, *dst;
	sqlite3_stmt *st, *up, *di, *rf, *sx, *ca, *ib, *vv;
	row *rows = NULL;
	block *blocks = NULL;
	size_t nrows = 0, caprows = 0, nblocks = 0, capblocks = 0, bi = 0;
	long per_txn;
	long long bytes = 0;
	double t0, t1;

	if (argc != 4 || (per_txn = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: sqlite_baseline SRC_DB DST_DB ROWS_PER_TXN\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(src, argv[1]);
	/* Load (untimed). */
	if (sqlite3_prepare_v2(src,
			       "SELECT r.id, r.kind, r.origin, r.seq, r.hlc, r.deleted, r.body, r.hash,"
			       " r.school, r.date_from, r.date_to, dirs, refs, x.name, x.short_name,"
			       " x.fname, x.municipality, x.region, x.league, x.level, x.id"
			       " FROM records r"
			       " LEFT JOIN (SELECT id AS did, group_concat(direction) AS dirs"
			       "  FROM record_directions GROUP BY id) ON did = r.id"
			       " LEFT JOIN (SELECT id AS rid, group_concat(target, ' ') AS refs"
			       "  FROM record_refs GROUP BY id) ON rid = r.id"
			       " LEFT JOIN school_index x ON x.id = r.id"
			       " ORDER BY r.origin, r.seq", -1, &st, NULL) != SQLITE_OK)
		die(src, "select records");
	while (sqlite3_step(st) == SQLITE_ROW) {
		row *r;
		if (nrows == caprows) {
			caprows = caprows ? caprows * 2 : 65536;
			if ((rows = realloc(rows, caprows * sizeof(*rows))) == NULL)
				die(NULL, "out of memory");
		}
		r = &rows[nrows++];
		r->id = col_str(st, 0);
		r->kind = col_str(st, 1);
		r->origin = col_str(st, 2);
		r->seq = sqlite3_column_int64(st, 3);
		r->hlc = sqlite3_column_int64(st, 4);
		r->deleted = sqlite3_column_int(st, 5);
		r->body = col_blob(st, 6);
		r->hash = col_blob(st, 7);
		r->school = col_str(st, 8);
		r->date_from = col_str(st, 9);
		r->date_to = col_str(st, 10);
		r->dirs = col_str(st, 11);
		r->refs = col_str(st, 12);
		for (int k = 0; k < 5; k++)
			r->six[k] = col_str(st, 13 + k);
		r->six_league = sqlite3_column_int64(st, 18);
		r->six_level = sqlite3_column_int64(st, 19);
		r->has_six = sqlite3_column_type(st, 20) != SQLITE_NULL;
		bytes += r->body.n;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(src, "SELECT origin, first_seq, last_seq, hash, header, sig"
			       " FROM blocks ORDER BY origin, first_seq", -1, &st, NULL) != SQLITE_OK)
		die(src, "select blocks");
	while (sqlite3_step(st) == SQLITE_ROW) {
		block *b;
		if (nblocks == capblocks) {
			capblocks = capblocks ? capblocks * 2 : 1024;
			if ((blocks = realloc(blocks, capblocks * sizeof(*blocks))) == NULL)
				die(NULL, "out of memory");
		}
		b = &blocks[nblocks++];
		b->origin = col_str(st, 0);
		b->first = sqlite3_column_int64(st, 1);
		b->last = sqlite3_column_int64(st, 2);
		b->hash = col_blob(st, 3);
		b->header = col_blob(st, 4);
		b->sig = col_blob(st, 5);
	}
	sqlite3_finalize(st);

	/* Destination: the store's PRAGMAs, then the store's schema. */
	unlink(argv[2]);
	if (sqlite3_open_v2(argv[2], &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		die(dst, argv[2]);
	exec(dst, STORE_PRAGMAS);
	exec(dst, "BEGIN");
	if (sqlite3_prepare_v2(src, "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL"
			       " ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		die(src, "schema");
	while (sqlite3_step(st) == SQLITE_ROW)
		exec(dst, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	exec(dst, "COMMIT");
	sqlite3_close(src);
	sqlite3_wal_autocheckpoint(dst, 0);
	sqlite3_wal_hook(dst, wal_backstop, NULL);
	if (sqlite3_prepare_v3(dst, SQL_INS_NEW, -1, SQLITE_PREPARE_PERSISTENT, &up, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_INS_DIR, -1, SQLITE_PREPARE_PERSISTENT, &di, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_INS_REF, -1, SQLITE_PREPARE_PERSISTENT, &rf, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_INS_SIX, -1, SQLITE_PREPARE_PERSISTENT, &sx, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_COUNT_ADD, -1, SQLITE_PREPARE_PERSISTENT, &ca, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_INS_BLOCK, -1, SQLITE_PREPARE_PERSISTENT, &ib, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_SET_VV, -1, SQLITE_PREPARE_PERSISTENT, &vv, NULL))
		die(dst, "prepare");

	/* The timed apply loop. */
	t0 = now();
	for (size_t i = 0; i < nrows; i++) {
		row *r = &rows[i];

		if (i % (size_t)per_txn == 0)
			exec(dst, "BEGIN IMMEDIATE");
		sqlite3_bind_text(up, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, r->origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 4, r->seq);
		sqlite3_bind_int64(up, 5, r->hlc);
		sqlite3_bind_int(up, 6, r->deleted);
		sqlite3_bind_blob(up, 7, r->body.p, r->body.n, SQLITE_STATIC);
		sqlite3_bind_blob(up, 8, r->hash.p, r->hash.n, SQLITE_STATIC);
		if (r->school)
			sqlite3_bind_text(up, 9, r->school, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(up, 9);
		if (r->date_from) {
			sqlite3_bind_text(up, 10, r->date_from, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 11, r->date_to, -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(up, 10);
			sqlite3_bind_null(up, 11);
		}
		step(dst, up, "insert");
		if (r->dirs) {
			char *save = NULL, *d = strtok_r(r->dirs, ",", &save);
			for (; d; d = strtok_r(NULL, ",", &save)) {
				sqlite3_bind_text(di, 1, d, -1, SQLITE_STATIC);
				sqlite3_bind_text(di, 2, r->kind, -1, SQLITE_STATIC);
				sqlite3_bind_text(di, 3, r->id, -1, SQLITE_STATIC);
				if (r->school)
					sqlite3_bind_text(di, 4, r->school, -1, SQLITE_STATIC);
				else
					sqlite3_bind_null(di, 4);
				step(dst, di, "insert direction");
			}
		}
		if (r->refs) {
			char *save = NULL, *t = strtok_r(r->refs, " ", &save);
			for (; t; t = strtok_r(NULL, " ", &save)) {
				sqlite3_bind_text(rf, 1, t, -1, SQLITE_STATIC);
				sqlite3_bind_text(rf, 2, r->kind, -1, SQLITE_STATIC);
				sqlite3_bind_text(rf, 3, r->id, -1, SQLITE_STATIC);
				step(dst, rf, "insert reference");
			}
		}
		if (r->has_six) {
			sqlite3_bind_text(sx, 1, r->id, -1, SQLITE_STATIC);
			for (int k = 0; k < 5; k++)
				sqlite3_bind_text(sx, 2 + k, r->six[k] ? r->six[k] : "", -1, SQLITE_STATIC);
			sqlite3_bind_int64(sx, 7, r->six_league);
			sqlite3_bind_int64(sx, 8, r->six_level);
			step(dst, sx, "insert school index");
		}
		/* Blocks whose range this row completes. */
		while (bi < nblocks && strcmp(blocks[bi].origin, r->origin) == 0 &&
		       blocks[bi].last <= r->seq) {
			block *b = &blocks[bi++];
			sqlite3_bind_text(ib, 1, b->origin, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ib, 2, b->first);
			sqlite3_bind_int64(ib, 3, b->last);
			sqlite3_bind_blob(ib, 4, b->hash.p, b->hash.n, SQLITE_STATIC);
			sqlite3_bind_blob(ib, 5, b->header.p, b->header.n, SQLITE_STATIC);
			sqlite3_bind_blob(ib, 6, b->sig.p, b->sig.n, SQLITE_STATIC);
			step(dst, ib, "insert block");
			sqlite3_bind_text(vv, 1, b->origin, -1, SQLITE_STATIC);
			sqlite3_bind_int64(vv, 2, b->last);
			sqlite3_bind_blob(vv, 3, b->hash.p, b->hash.n, SQLITE_STATIC);
			step(dst, vv, "version vector");
			/* the store sums a block's counts and writes them once */
			sqlite3_bind_text(ca, 1, r->kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(ca, 2, b->origin, -1, SQLITE_STATIC);
			sqlite3_bind_int(ca, 3, 0);
			sqlite3_bind_int64(ca, 4, b->last - b->first + 1);
			step(dst, ca, "count");
		}
		while (bi < nblocks && strcmp(blocks[bi].origin, r->origin) < 0)
			bi++;
		if (i % (size_t)per_txn == (size_t)per_txn - 1 || i == nrows - 1)
			exec(dst, "COMMIT");
	}
	t1 = now();
	printf("rows=%zu secs=%.3f rows_per_s=%.0f bytes=%lld blocks=%zu\n", nrows, t1 - t0,
	       nrows / (t1 - t0), bytes, bi);
	sqlite3_finalize(up);
	sqlite3_finalize(di);
	sqlite3_finalize(rf);
	sqlite3_finalize(sx);
	sqlite3_finalize(ca);
	sqlite3_finalize(ib);
	sqlite3_finalize(vv);
	sqlite3_close(dst);
	return 0;
}
