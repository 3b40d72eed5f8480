/*
 * sqlite_ceiling.c — the SQLite ceiling row of bench/run.sh (issue 14):
 * what SQLite alone takes in with the least a synced store could have.
 *
 *   sqlite_ceiling SRC_DB DST_DB ROWS_PER_TXN
 *
 * SRC_DB is a mentorfed store (the sender's store.db).  Its records (id,
 * origin, seq, body, hash) are read into memory and sorted by id, untimed.
 * DST_DB gets one table, `records(id TEXT PRIMARY KEY, origin, seq, body,
 * hash)` with an index on (origin, seq) and nothing else (no query index,
 * no blocks, no counts), the store's PRAGMAs, and the rows in id order,
 * ROWS_PER_TXN per transaction; checkpoints are left to SQLite's own
 * automatic checkpoint.  Baseline A (sqlite_baseline.c) is the store's
 * schema; this is the limit of the table shape alone.
 *
 * Prints one line: "rows=N secs=S rows_per_s=R".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

/* The store's PRAGMAs (daemon/core/store*.c mf_store_open). */
#define PRAGMAS "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" \
	" PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768;" \
	" PRAGMA temp_store = MEMORY;"

typedef struct row {
	char *id, *origin;
	long long seq;
	void *body, *hash;
	int nbody, nhash;
} row;

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_ceiling: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
	exit(1);
}

static void *
dup_blob(const void *p, int n)
{
	void *b = malloc(n > 0 ? (size_t)n : 1);

	if (b == NULL) {
		fprintf(stderr, "sqlite_ceiling: out of memory\n");
		exit(1);
	}
	if (n > 0)
		memcpy(b, p, (size_t)n);
	return b;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const row *)a)->id, ((const row *)b)->id);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

int
main(int argc, char **argv)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *st;
	row *v = NULL;
	size_t n = 0, cap = 0;
	long per_txn;
	double t0, secs;

	if (argc != 4 || (per_txn = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: sqlite_ceiling SRC_DB DST_DB ROWS_PER_TXN\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(src, argv[1]);
	if (sqlite3_prepare_v2(src, "SELECT id, origin, seq, body, hash FROM records", -1, &st,
			       NULL) != SQLITE_OK)
		die(src, "select");
	while (sqlite3_step(st) == SQLITE_ROW) {
		row *r;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				die(NULL, "out of memory");
		}
		r = &v[n++];
		r->id = strdup((const char *)sqlite3_column_text(st, 0));
		r->origin = strdup((const char *)sqlite3_column_text(st, 1));
		r->seq = sqlite3_column_int64(st, 2);
		r->nbody = sqlite3_column_bytes(st, 3);
		r->body = dup_blob(sqlite3_column_blob(st, 3), r->nbody);
		r->nhash = sqlite3_column_bytes(st, 4);
		r->hash = dup_blob(sqlite3_column_blob(st, 4), r->nhash);
		if (r->id == NULL || r->origin == NULL)
			die(NULL, "out of memory");
	}
	sqlite3_finalize(st);
	sqlite3_close(src);
	qsort(v, n, sizeof(*v), by_id);

	unlink(argv[2]);
	if (sqlite3_open_v2(argv[2], &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		die(dst, argv[2]);
	exec(dst, PRAGMAS);
	exec(dst, "CREATE TABLE records(id TEXT PRIMARY KEY, origin TEXT NOT NULL, seq INTEGER NOT NULL,"
		  " body BLOB, hash BLOB NOT NULL)");
	exec(dst, "CREATE INDEX records_origin_seq ON records(origin, seq)");
	if (sqlite3_prepare_v2(dst, "INSERT INTO records(id, origin, seq, body, hash) VALUES(?1,?2,?3,?4,?5)",
			       -1, &st, NULL) != SQLITE_OK)
		die(dst, "insert");
	t0 = now();
	exec(dst, "BEGIN");
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, v[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v[i].origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, v[i].seq);
		sqlite3_bind_blob(st, 4, v[i].body, v[i].nbody, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, v[i].hash, v[i].nhash, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(dst, "insert");
		sqlite3_reset(st);
		if ((i + 1) % (size_t)per_txn == 0) {
			exec(dst, "COMMIT");
			exec(dst, "BEGIN");
		}
	}
	exec(dst, "COMMIT");
	secs = now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(dst);
	printf("rows=%zu secs=%.3f rows_per_s=%.0f\n", n, secs, secs > 0 ? n / secs : 0.0);
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].origin);
		free(v[i].body);
		free(v[i].hash);
	}
	free(v);
	return 0;
}
