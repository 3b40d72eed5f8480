/*
 * store.h — the node's SQLite store: block headers with their leaves, the
 * current version of every record, the version vector, fork evidence and
 * counters.  One database file per node, WAL mode.
 *
 * Every function that changes the store runs in one SQLite transaction: a
 * failure leaves the store as it was.  SQLite itself stays behind this
 * header: callers get named functions, never a handle or SQL text.  Only
 * the records layer writes records and blocks (daemon/records/); the meta
 * counters may be set by anyone.
 */
#ifndef MF_STORE_H
#define MF_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "keys.h"
#include "record.h"

typedef struct mf_store mf_store;

/* Open or create path for `region`.  A database of another region, a file
 * that is not a mentorfed store, or a newer schema is refused with err. */
mf_store *mf_store_open(const char *path, const char *region, char *err, size_t errlen);
void mf_store_close(mf_store *s);
const char *mf_store_region(const mf_store *s);
/* The database file's path as opened. */
const char *mf_store_path(const mf_store *s);

/* ------------------------------------------------------------ local writes */

/* One record to write locally.  body is the encoded body message. */
typedef struct mf_put {
	const char *id;
	const char *kind;
	int deleted;
	const uint8_t *body;
	size_t body_len;
} mf_put;

typedef struct mf_commit_result {
	size_t changed;		/* versions created */
	size_t unchanged;	/* puts equal to the current version: skipped */
	uint64_t first_seq, last_seq;	/* seqs created (0 when none) */
	size_t blocks;
} mf_commit_result;

/* Create new versions of this node's records, seal them into blocks
 * signed by key and store everything in one transaction.  A put equal to
 * the current version (same kind, tombstone flag and body) creates
 * nothing.  A delete of a missing record is an error.  0 or -1. */
int mf_store_commit_local(mf_store *s, const mf_key *key, const mf_put *puts, size_t n,
			  mf_commit_result *res, char *err, size_t errlen);

/* ------------------------------------------------------------ remote apply */

/* A block received from a peer, with the versions sent for its leaves
 * (encoded Mentorfed__Version messages; leaves superseded later may come
 * without one). */
typedef struct mf_block_in {
	const uint8_t *header;
	size_t header_len;
	const uint8_t *sig;
	size_t sig_len;
	const uint8_t *const *versions;
	const size_t *version_lens;
	size_t n_versions;
} mf_block_in;

enum mf_apply_outcome {
	MF_APPLY_OK = 0,	/* applied */
	MF_APPLY_DUPLICATE,	/* already held, identical */
	MF_APPLY_BAD_SIGNATURE,	/* shape, unknown region or signature */
	MF_APPLY_NO_LINK,	/* does not continue the origin's chain */
	MF_APPLY_BAD_VERSION,	/* a version matches no leaf / malformed */
	MF_APPLY_FORK		/* a different signed block for held seqs */
};

typedef struct mf_apply_result {
	size_t applied_blocks, duplicate_blocks;
	size_t applied_versions;	/* versions that became current */
	size_t stale_versions;		/* older than what is held: ignored */
	size_t rejected_blocks;
	enum mf_apply_outcome first_error;
	char origin[16];		/* origin of the last block looked at */
	uint64_t error_seq;		/* its first seq */
	uint64_t last_seq;		/* last seq of the last block applied or held */
} mf_apply_result;

/*
 * Applying is driven from above in steps, so that the caller can do its
 * own work between blocks (sync sends due heartbeats during a long
 * catch-up) without the store calling up into it:
 *
 *	mf_store_apply_begin	opens the transaction, clears res
 *	mf_store_apply_block	verifies one block (its header and every
 *				version and body decoded once), links it to
 *				the held chain and applies it whole or not at
 *				all; 0 applied or duplicate, 1 rejected
 *				(details in res and err: stop there), -1 on
 *				a store error (then roll back)
 *	mf_store_apply_commit	keeps the blocks applied; 0 or -1
 *	mf_store_apply_rollback	drops them (and zeroes res's applied counts)
 *
 * A fork stores both headers as evidence, kept on commit.  No other write
 * may run between begin and commit/rollback.  The caller is the records
 * layer (daemon/records/apply.h).
 */
int mf_store_apply_begin(mf_store *s, mf_apply_result *res, char *err, size_t errlen);
int mf_store_apply_block(mf_store *s, const mf_keyring *kr, const mf_block_in *b,
			 mf_apply_result *res, char *err, size_t errlen);
int mf_store_apply_commit(mf_store *s, char *err, size_t errlen);
void mf_store_apply_rollback(mf_store *s, mf_apply_result *res);

/*
 * Group commit, for a catch-up: with the mode on, an apply step is a
 * savepoint inside a transaction left open across steps, committed when
 * it holds MF_STORE_GROUP_VERSIONS applied versions or is
 * MF_STORE_GROUP_MS old (at the step's commit), by mf_store_apply_flush
 * (the caller: when no more is queued), and before any local write,
 * truncation, backup or close.  A rollback takes back the whole group
 * (a step has no savepoint of its own: its journal would hold every page
 * it changed, in memory): the caller must pull those blocks again.
 * Readers on this connection see the group's blocks at once, other
 * connections (and processes) when it commits; a crash loses at most the
 * open group, which peers still hold.  mf_store_apply_commit returns -1
 * when it commits the group and that fails: then every step of the group
 * is gone, as mf_store_apply_flush's -1 says.
 */
#define MF_STORE_GROUP_VERSIONS 8000
#define MF_STORE_GROUP_MS 1000
void mf_store_apply_group(mf_store *s, int on);
int mf_store_apply_flush(mf_store *s, char *err, size_t errlen);
/* A group is open (applied blocks not yet committed). */
int mf_store_apply_pending(const mf_store *s);

/* The steps above over blocks in order, in one transaction: the verified
 * blocks before a rejected one are kept.  Returns 0 when every block was
 * applied or a duplicate, 1 when one was rejected, -1 on a store error. */
int mf_store_apply(mf_store *s, const mf_keyring *kr, const mf_block_in *blocks, size_t n,
		   mf_apply_result *res, char *err, size_t errlen);

/* Leaves applied without a body and not yet superseded, with seq <= upto,
 * for origin: a stream that claims completeness up to `upto` withheld
 * them.  Returns their count and the lowest seq in *first. */
size_t mf_store_withheld(mf_store *s, const char *origin, uint64_t upto, uint64_t *first);

/* The seq up to which this node serves origin: its vector, except that a
 * chain still holding body-less leaves that nothing superseded yet (a
 * stream in progress) is served only up to the block before the first of
 * them, so that no node relays what it could not prove complete. */
uint64_t mf_store_servable(mf_store *s, const char *origin);

/* Undo an origin's chain from the block holding seq `from` on: its blocks,
 * the records whose current version came from them and pending leaves are
 * deleted; the vector goes back.  Used when a stream proves dishonest. */
int mf_store_truncate_origin(mf_store *s, const char *origin, uint64_t from, char *err,
			     size_t errlen);

/* ------------------------------------------------------------ reads */

/* The version vector: seq up to which the origin's chain is held (0 when
 * nothing), and the head block's hash (zeroes when nothing). */
uint64_t mf_store_vv(mf_store *s, const char *origin, uint8_t head[MF_HASH_LEN]);
/* Call fn for each origin of the vector. */
int mf_store_vv_each(mf_store *s, int (*fn)(void *arg, const char *origin, uint64_t seq),
		     void *arg);

/* Call fn for each block of origin with last_seq > after, in seq order,
 * at most `limit` blocks.  Returns the number visited or -1. */
typedef int (*mf_block_fn)(void *arg, const uint8_t *header, size_t header_len,
			   const uint8_t *sig, uint64_t first_seq, uint64_t last_seq);
int mf_store_blocks_after(mf_store *s, const char *origin, uint64_t after, size_t limit,
			  mf_block_fn fn, void *arg);

/* Call fn for each current version of origin with seq in [lo, hi], in seq
 * order, as an encoded Mentorfed__Version. */
typedef int (*mf_version_fn)(void *arg, uint64_t seq, const uint8_t *version, size_t len);
int mf_store_versions_in(mf_store *s, const char *origin, uint64_t lo, uint64_t hi,
			 mf_version_fn fn, void *arg);

/* A current record, decoded.  Owned by the caller: mf_record_free. */
typedef struct mf_record {
	char *id, *kind, *origin;
	uint64_t seq, hlc;
	int deleted;
	uint8_t *body;
	size_t body_len;
	uint8_t hash[MF_HASH_LEN];
} mf_record;
void mf_record_free(mf_record *r);

/* The current version of id, or NULL when there is none. */
mf_record *mf_store_get(mf_store *s, const char *id);

/* Call fn for every current record matching the filters (NULL: any), in
 * id order; tombstones only when with_deleted. */
typedef int (*mf_record_fn)(void *arg, const mf_record *r);
int mf_store_each(mf_store *s, const char *kind, const char *origin, int with_deleted,
		  mf_record_fn fn, void *arg);

/* ------------------------------------------------------------ indexed queries
 * (schema 2: record_refs, record_directions, records(kind, date_to),
 * school_index; store_read.c).  Live records only, in id order. */

/* Every live record of kind, through the kind index. */
int mf_store_each_kind(mf_store *s, const char *kind, mf_record_fn fn, void *arg);
/* Live records of kind (NULL: any) that refer to target: a school (cards,
 * self-diagnoses, practices, pairs by either school, offers by host,
 * applications by applicant, events), an offer (its applications), an
 * application (its decisions), a roadmap (its items and targets), a
 * roadmap item (its reports). */
int mf_store_each_ref(mf_store *s, const char *target, const char *kind, mf_record_fn fn,
		      void *arg);
/* For each live record of kind with direction (its identifier,
 * "knowledge") that refers to a school, its first school (competency_card:
 * its school; a pair: the mentor), from one index range: no body is read,
 * no other table.  In id order. */
typedef int (*mf_ref_fn)(void *arg, const char *id, const char *school);
int mf_store_dir_schools(mf_store *s, const char *kind, const char *direction, mf_ref_fn fn,
			 void *arg);
/* Live records of kind whose dates (earliest..latest of the body) overlap
 * [from, to] (YYYY-MM-DD, inclusive; from NULL: any dates) and, direction
 * non-NULL, that have the direction.  A record without dates matches only
 * when from is NULL. */
int mf_store_each_dated(mf_store *s, const char *kind, const char *from, const char *to,
			const char *direction, mf_record_fn fn, void *arg);

/* A school as the school index holds it (no body decoded). */
typedef struct mf_school_row {
	const char *id, *name, *short_name, *municipality, *region;
	int league;	/* has a membership */
	int level;	/* SelfDiagnosisLevel */
	const char *fname;	/* mf_fold(name) "\n" mf_fold(short_name) */
} mf_school_row;
typedef int (*mf_school_fn)(void *arg, const mf_school_row *r);
/* Schools whose folded name or short name contains fq (already folded,
 * mf_fold; NULL or "": every school), of municipality and region (NULL
 * or "": any), in id order. */
int mf_store_schools(mf_store *s, const char *fq, const char *municipality, const char *region,
		     mf_school_fn fn, void *arg);
/* One school (fn not called when there is none). */
int mf_store_school(mf_store *s, const char *id, mf_school_fn fn, void *arg);
/* The distinct municipalities (regions 0) or regions (1) of schools, sorted. */
int mf_store_school_values(mf_store *s, int regions, int (*fn)(void *arg, const char *v),
			   void *arg);
/* EXPLAIN QUERY PLAN of each query above, by name, for the tests. */
int mf_store_query_plans(mf_store *s, int (*fn)(void *arg, const char *name, const char *plan),
			 void *arg);

/* SHA-256 over every current record's (id, version hash), in id order.
 * Equal on two nodes exactly when they hold the same current versions. */
int mf_store_digest(mf_store *s, uint8_t out[MF_HASH_LEN]);

/* Current records of kind and origin (NULL: any); deleted 0 counts live
 * records, 1 tombstones, -1 both.  -1 on error. */
int64_t mf_store_count(mf_store *s, const char *kind /* NULL: any */,
		       const char *origin /* NULL: any */,
		       int deleted /* 0 live, 1 tombstones, -1 both */);

/* Fork evidence: number of forks recorded for origin (NULL: all). */
int64_t mf_store_forks(mf_store *s, const char *origin);

/* Small key/value meta table (persisted counters, flags). */
int mf_store_meta_get(mf_store *s, const char *key, char *buf, size_t len);
int mf_store_meta_set(mf_store *s, const char *key, const char *value);
int64_t mf_store_meta_get_i64(mf_store *s, const char *key, int64_t dflt);
int mf_store_meta_add_i64(mf_store *s, const char *key, int64_t delta);

/* ------------------------------------------------------------ rot and corruption (store_verify.c) */

/*
 * Damage is a body that no longer hashes to the version hash its leaf
 * signed, a block whose signature, hash or chain link fails, or SQLite
 * finding the file itself corrupt (SQLITE_CORRUPT or SQLITE_NOTADB on any
 * statement, or PRAGMA quick_check failing when the store is opened).
 * Every read that serves or exports a body checks its hash first and
 * notes a mismatch here instead of serving it.  Noted damage is kept in
 * memory and its first reason in meta "damage" (so that a restart does
 * not forget it) until a clean full check clears it; SQLite's own
 * corruption reports are kept until the process ends.
 */

/* Note damage of origin's version (or block) at seq; id is the record's
 * id, or "" for a block.  Logs an error the first time.  The origin's
 * servable range stops before it. */
void mf_store_damage_note(mf_store *s, const char *origin, uint64_t seq, const char *id,
			  const char *what);
/* 1 when damage is known, with a one-line reason in buf; else 0. */
int mf_store_damaged(mf_store *s, char *buf, size_t len);
/* Call fn for each noted damaged record or block, in (origin, seq) order. */
typedef int (*mf_damage_fn)(void *arg, const char *origin, uint64_t seq, const char *id,
			    const char *what);
int mf_store_damage_each(mf_store *s, mf_damage_fn fn, void *arg);
/* How many notes of damage were taken so far (by this process): a check
 * that started before the last one cannot vouch that it is gone. */
uint64_t mf_store_damage_serial(const mf_store *s);
/* Forget the damage noted for origin (after its chain was cut back to be
 * fetched again), or, origin NULL, all of it, the persisted reason too
 * (after a clean full check).  SQLite's corruption reports stay. */
void mf_store_damage_clear(mf_store *s, const char *origin);

/* What a full check found. */
#define MF_VERIFY_FIRST 5
typedef struct mf_verify_report {
	uint64_t records, blocks, origins;	/* checked */
	uint64_t bad_bodies;	/* body does not hash to its version hash */
	uint64_t bad_leaves;	/* version hash not the one its block's leaf signed, or no block */
	uint64_t bad_blocks;	/* header hash or signature fails */
	uint64_t bad_links;	/* chain broken: prev_hash, seq gap, vector head */
	uint64_t unverifiable;	/* blocks of origins without a trusted key */
	int integrity_ok;	/* PRAGMA integrity_check / quick_check said ok */
	char integrity[256];	/* its first line otherwise */
	size_t n_first;		/* the first few problems, for the operator */
	struct {
		char origin[16];
		uint64_t seq;
		char id[MF_ID_MAX_WIRE + 1];
		char what[96];
	} first[MF_VERIFY_FIRST];
} mf_verify_report;

/* 1 when the report found nothing wrong. */
int mf_verify_report_clean(const mf_verify_report *r);
/* The report as JSON (new reference): clean, counts, integrity, problems. */
json_t *mf_verify_report_json(const mf_verify_report *r);

/*
 * A full check, run in slices so that the daemon's loop never stalls:
 * every current body against its version hash and its block's leaf, every
 * block's hash, signature and link to the one before, each origin's
 * vector head, then PRAGMA integrity_check (full 1), quick_check (full 0)
 * or no whole-file check (full -1: the background pass, which must never
 * stall; SQLite reports damage of the pages its scans read).
 * Each problem is also noted as damage.  mf_store_verify_step does about
 * `budget` records or blocks and returns 1 when the check is complete, 0
 * when more remains, -1 on a store error (noted as damage too).  kr is
 * passed on each step because a reload replaces the node's keyring.
 */
typedef struct mf_verify mf_verify;
mf_verify *mf_store_verify_new(mf_store *s, int full);
int mf_store_verify_step(mf_verify *v, const mf_keyring *kr, size_t budget);
const mf_verify_report *mf_store_verify_report(const mf_verify *v);
void mf_store_verify_free(mf_verify *v);

/* Like mf_store_digest, but over hashes recomputed from the stored
 * bodies: equal on two nodes only when the bodies are.  Equal to
 * mf_store_digest on an intact store. */
int mf_store_digest_recompute(mf_store *s, uint8_t out[MF_HASH_LEN]);

/* ------------------------------------------------------------ backup, restore
 * (store_backup.c; doc/OPERATIONS.md) */

/* A consistent copy of the open store into a new file path (VACUUM INTO):
 * online, readers and the daemon go on.  A file already at path is
 * refused.  0 or -1. */
int mf_store_backup(mf_store *s, const char *path, char *err, size_t errlen);

/* Put the backup `from` in place of the store at store_path (no process
 * may have it open): checked to be a mentorfed store of `region`, copied,
 * then marked restored, so that the node recovers its own chain from its
 * peers before any local write.  The replaced store is kept as
 * store_path.before-restore.  0 or -1. */
int mf_store_restore(const char *from, const char *store_path, const char *region,
		     char *err, size_t errlen);

/* The seal mark: a small file next to the store (path + ".sealed") with
 * the last seq of our own region this node sealed, rewritten after each
 * local commit.  Kept outside the database so that a store put back by
 * hand (a backup copied over the file) shows that it went back: its own
 * chain ends below the mark.  Not synced (it may lag after a power cut,
 * never lead: the store's seal is synced first).  The mark's seq, 0 when
 * none or of another region. */
uint64_t mf_store_seal_mark(mf_store *s);
int mf_store_seal_mark_set(mf_store *s, uint64_t seq);

/* The lowest seq at which origin has a recorded fork, 0 when none. */
uint64_t mf_store_fork_first(mf_store *s, const char *origin);

#endif
