/*
 * sync.h — federated sync over ZeroMQ (doc/PROTOCOL.md): one ROUTER
 * listener, one DEALER per configured peer, CURVE on every link with a ZAP
 * handler admitting configured keys only, version vectors, credit-based
 * batches, announce, heartbeats, relay.
 *
 * The daemon's single-threaded loop owns the sockets: it asks sync for its
 * poll items, polls them with its own, and hands the ready ones back.
 * Received blocks are written through the records layer (apply.h); sync
 * writes nothing to the store itself except its "sync_recovering" flag in
 * the meta table.
 */
#ifndef MF_SYNC_H
#define MF_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>
#include <jansson.h>

#include "node.h"

typedef struct mf_sync mf_sync;

/* Start sync for node on zmq context ctx: ZAP handler, listener (when the
 * config has `listen`), one connection per peer.  NULL with err on failure. */
mf_sync *mf_sync_new(void *ctx, mf_node *node, char *err, size_t errlen);
void mf_sync_free(mf_sync *s);

/* The most poll items mf_sync_pollitems can fill now (it grows with the
 * number of peers: size the loop's array with it before each poll). */
int mf_sync_pollitems_max(const mf_sync *s);
/* Fill up to max poll items; returns how many. */
int mf_sync_pollitems(mf_sync *s, zmq_pollitem_t *items, int max);
/* Handle the items mf_sync_pollitems filled, after zmq_poll. */
void mf_sync_handle(mf_sync *s, zmq_pollitem_t *items, int n);
/* Timers (heartbeats, reconnects, retries).  Returns ms until the next
 * call is due (the loop's poll timeout). */
long mf_sync_tick(mf_sync *s, uint64_t now_mono_ms);

/* New local versions were committed: tell connected peers. */
void mf_sync_announce(mf_sync *s);
/* The config changed (peer added, region trusted): apply it. */
int mf_sync_reload(mf_sync *s, char *err, size_t errlen);
/* Status: peers, per-origin lag, catch-up progress, counters.  New ref. */
json_t *mf_sync_status(mf_sync *s);
/* Nonzero while the node recovers its own region's chain from peers after
 * losing its store; local writes are refused meanwhile. */
int mf_sync_recovering(const mf_sync *s);

#endif
