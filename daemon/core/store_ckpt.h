/*
 * store_ckpt.h — WAL checkpoints off the hot path (issue 14).
 *
 * The store opens with SQLite's automatic checkpoint off (store.c): left
 * on, every 1,000th page written made the commit that crossed it copy the
 * WAL into the database and fsync both, inside a put or a received batch —
 * the live latency's p99.  Instead a thread of the daemon holds a
 * connection of its own to the same file and runs PASSIVE checkpoints
 * (they never block the daemon's writes or reads): when the loop says it
 * is idle, when a commit leaves 500 frames in the WAL (a hook on the
 * daemon's connection wakes the thread, where SQLite would have
 * checkpointed inside the commit that reached 1,000), and every
 * CKPT_PERIOD_MS.  Only a commit that leaves 2,000 frames (a bulk put the
 * thread could not keep up with) still checkpoints inline, so the WAL
 * stays bounded.
 */
#ifndef MF_STORE_CKPT_H
#define MF_STORE_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct mf_ckpt mf_ckpt;

/* Start the checkpointer of store s (its own connection, its own thread).
 * NULL with err when it cannot: SQLite's automatic checkpoint is then
 * turned on again on s, and the caller may add mf_store_checkpoint when
 * idle. */
mf_ckpt *mf_ckpt_start(mf_store *s, char *err, size_t errlen);
/* The loop has nothing to do: checkpoint now (returns at once). */
void mf_ckpt_idle(mf_ckpt *c);
/* Stop the thread, run a last checkpoint, close its connection. */
void mf_ckpt_stop(mf_ckpt *c);

typedef struct mf_ckpt_stats {
	uint64_t runs;		/* checkpoints run */
	int wal_frames;		/* frames in the WAL at the last run */
	int wal_done;		/* of which copied into the database */
	uint64_t max_ms;	/* longest checkpoint */
} mf_ckpt_stats;
void mf_ckpt_get_stats(mf_ckpt *c, mf_ckpt_stats *st);

/* A PASSIVE checkpoint on the store's own connection (the fallback):
 * 0, or -1 with err.  *log / *done: frames in the WAL, frames copied. */
int mf_store_checkpoint(mf_store *s, int *log, int *done, char *err, size_t errlen);

#endif
