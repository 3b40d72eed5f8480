/*
 * sync_recover.h — this node's own chain (doc/OPERATIONS.md): recovery
 * after a lost or restored store, forks of our own origin, and the way
 * out of one.  Used by the daemon's fork command (cmd_backup.c).
 */
#ifndef MF_SYNC_RECOVER_H
#define MF_SYNC_RECOVER_H

#include <jansson.h>

#include "sync.h"

/* The state of our own chain: recovering, forked (and where), why local
 * writes are refused.  A new object. */
json_t *mf_sync_own_state(mf_sync *s);

/*
 * The way out of a fork of our own origin: adopt the chain the federation
 * holds.  Our records whose current version lies in the forked part (seq
 * >= the fork's) are saved to fork-reseal.jsonl in the data directory,
 * our chain is cut back to before the fork and recovered from peers, and
 * the saved records are then sealed again after it as new versions.
 * 0 with what was done in msg, or -1 with why not.
 */
int mf_sync_fork_adopt(mf_sync *s, char *msg, size_t msglen);

#endif
