/*
 * store_int.h — private to the store's files (store.c: schema and open;
 * store_write.c: local commits and sealing; store_apply.c: verified
 * remote blocks, truncation; store_read.c: reads).  Nothing outside
 * daemon/core/store*.c includes it: SQLite stays behind store.h.
 */
#ifndef MF_STORE_INT_H
#define MF_STORE_INT_H

#include <sqlite3.h>

#include "proto/records.pb-c.h"
#include "store.h"

/* Statements prepared once at open (SQLITE_PREPARE_PERSISTENT). */
enum {
	Q_GET_CUR, Q_UPSERT, Q_DEL_DIRS, Q_INS_DIR, Q_INS_BLOCK, Q_SET_VV, Q_GET_VV,
	Q_PEND_INS, Q_PEND_DEL, Q_BLOCK_AT, Q_FORK_INS, Q_META_GET, Q_META_SET, Q_GET_REC,
	Q_DEL_SCHOOLS, Q_INS_SCHOOL, Q_DEL_SIX, Q_INS_SIX, Q_SET_IXCOLS, Q_INS_NEW, Q_CUR_STATE, Q_COUNT_ADD,
	Q_VV_ALL, Q_BLOCKS_AFTER, Q_VERSIONS_IN,
	Q_COUNT
};

struct mf_store {
	sqlite3 *db;
	char region[16];
	char *path;
	sqlite3_stmt *q[Q_COUNT];
	int in_apply;		/* between mf_store_apply_begin and commit/rollback */
	/* Group commit of received blocks (mf_store_apply_group): the
	 * transaction left open across apply steps, its start and size. */
	int group_mode, group_open;
	uint64_t group_t0_ms, group_versions, step_versions;
	int mark_fd;		/* the seal mark, open once written (-1) */
	int group_committing;	/* the COMMIT of a group runs (store_ckpt.c) */
	/* store_exec's single statements (BEGIN, COMMIT, SAVEPOINT...),
	 * prepared once: parsing them again took 15 % of a live write's CPU
	 * on a node with a peer (perf). */
	struct exec_cached {
		char *sql;
		sqlite3_stmt *st;
	} xc[12];
	size_t xc_next;
	/* While a received block is written (store_apply.c write_block), the
	 * changes to record_counts are summed here and written once at its
	 * end (store_counts_flush): a block of 300 records of a few kinds
	 * costs a few statements, not 300.  Dropped if the block fails (its
	 * savepoint is rolled back). */
	int count_batch;
	size_t ncd;
	struct count_delta {
		char kind[48], origin[32];
		int deleted, n;
	} cd[32];
};

/* err gets the message (when non-NULL); returns -1. */
int store_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Run SQL without parameters (transaction control, schema). 0 or -1. */
int store_exec(mf_store *s, const char *sql, char *err, size_t errlen);
/* Prepared statement q, reset and unbound. */
sqlite3_stmt *store_stmt(mf_store *s, int q);
/* Prepare a one-off statement; finalized by the caller.  NULL on error. */
sqlite3_stmt *store_prepare(mf_store *s, const char *sql);
/* Prepared statement q for a loop whose callback may come back into the
 * store: q itself, reset, or (when q is still stepping: the callback came
 * back into the same query) a new one, *own then set.  Done with it:
 * store_stmt_done. */
sqlite3_stmt *store_stmt_loop(mf_store *s, int q, int *own);
void store_stmt_done(sqlite3_stmt *st, int own);

/* Store one version as current if it is newer than what is held.  body_msg
 * is the body already decoded as kind's message, or NULL to decode it here
 * (the receiver decodes every body once to check it and passes it on).
 * Returns 1 when it became current, 0 when an equal or newer one is held,
 * -1 on error. */
int store_put_version(mf_store *s, const char *id, const char *kind, const char *origin,
		      uint64_t seq, uint64_t hlc, int deleted, const uint8_t *body,
		      size_t body_len, const ProtobufCMessage *body_msg,
		      const uint8_t hash[MF_HASH_LEN], char *err, size_t errlen);
/* Write the summed record_counts changes (see struct mf_store) and
 * forget them.  0 or -1. */
int store_counts_flush(mf_store *s);
/* Insert a block header and move the origin's vector to it. */
int store_insert_block(mf_store *s, const char *origin, uint64_t first, uint64_t last,
		       const uint8_t *hash, const uint8_t *header, size_t hlen, const uint8_t *sig,
		       char *err, size_t errlen);
/* Index a current record (kind, its decoded body or NULL for a tombstone)
 * into record_refs, record_directions, school_index and the records
 * row's school and date columns.  Only for store_reindex: the index
 * tables hold no row of id (they are filled from empty).  0 or -1. */
int store_index_record(mf_store *s, const char *id, const char *kind,
		       const ProtobufCMessage *body);
/* Index every current record again (schema 2 on a store of schema 1):
 * runs when meta "reindex" is set, in one transaction that clears it. */
int store_reindex(mf_store *s, char *err, size_t errlen);

/* When an origin's data last arrived (or was written, for our own). */
int store_note_arrival(mf_store *s, const char *origin);

/* Commit an open group of received blocks (store_apply.c) before a
 * statement that needs its own transaction or none (a local write, a
 * truncation, VACUUM INTO, close).  0 or -1 with err. */
int store_settle(mf_store *s, char *err, size_t errlen);

#endif
