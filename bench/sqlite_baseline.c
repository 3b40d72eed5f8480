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
 * store's apply path does — the same UPSERT text as store.c Q_UPSERT, the
 * record_directions delete/insert — and per block of the source the blocks
 * row and the version-vector upsert, committing every ROWS_PER_TXN rows.
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

/* daemon/core/store*.c Q_UPSERT, Q_DEL_DIRS, Q_INS_DIR, Q_INS_BLOCK, Q_SET_VV. */
#define SQL_UPSERT "INSERT INTO records(id, kind, origin, seq, hlc, deleted, body, hash," \
	" school, date_from, date_to) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)" \
	" ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, seq=excluded.seq," \
	" hlc=excluded.hlc, deleted=excluded.deleted, body=excluded.body," \
	" hash=excluded.hash, school=excluded.school, date_from=excluded.date_from," \
	" date_to=excluded.date_to" \
	" WHERE excluded.seq > records.seq AND excluded.origin = records.origin"
#define SQL_DEL_DIRS "DELETE FROM record_directions WHERE id = ?1"
#define SQL_INS_DIR "INSERT OR IGNORE INTO record_directions(direction, id) VALUES(?1, ?2)"
#define SQL_INS_BLOCK "INSERT INTO blocks(origin, first_seq, last_seq, hash, header, sig)" \
	" VALUES(?1,?2,?3,?4,?5,?6)"
#define SQL_SET_VV "INSERT INTO vv(origin, seq, head) VALUES(?1,?2,?3) ON CONFLICT(origin)" \
	" DO UPDATE SET seq=excluded.seq, head=excluded.head"

typedef struct blob {
	void *p;
	int n;
} blob;

typedef struct row {
	char *id, *kind, *origin, *school, *date_from, *date_to, *dirs;
	long long seq, hlc;
	int deleted;
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

int
main(int argc, char **argv)
{
	sqlite3 *src, *dst;
	sqlite3_stmt *st, *up, *dd, *di, *ib, *vv;
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
			       "SELECT id, kind, origin, seq, hlc, deleted, body, hash, school,"
			       " date_from, date_to, (SELECT group_concat(direction) FROM"
			       " record_directions d WHERE d.id = r.id) FROM records r"
			       " ORDER BY origin, seq", -1, &st, NULL) != SQLITE_OK)
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
	if (sqlite3_prepare_v3(dst, SQL_UPSERT, -1, SQLITE_PREPARE_PERSISTENT, &up, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_DEL_DIRS, -1, SQLITE_PREPARE_PERSISTENT, &dd, NULL) ||
	    sqlite3_prepare_v3(dst, SQL_INS_DIR, -1, SQLITE_PREPARE_PERSISTENT, &di, NULL) ||
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
		step(dst, up, "upsert");
		sqlite3_bind_text(dd, 1, r->id, -1, SQLITE_STATIC);
		step(dst, dd, "delete directions");
		if (r->dirs) {
			char *save = NULL, *d = strtok_r(r->dirs, ",", &save);
			for (; d; d = strtok_r(NULL, ",", &save)) {
				sqlite3_bind_text(di, 1, d, -1, SQLITE_STATIC);
				sqlite3_bind_text(di, 2, r->id, -1, SQLITE_STATIC);
				step(dst, di, "insert direction");
			}
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
	sqlite3_finalize(dd);
	sqlite3_finalize(di);
	sqlite3_finalize(ib);
	sqlite3_finalize(vv);
	sqlite3_close(dst);
	return 0;
}
