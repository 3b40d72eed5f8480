/*
 * sync_conns.h — per-source limit on the sync listener's connections.
 *
 * libzmq accepts TCP connections in its I/O thread, before ZAP or anything
 * of ours sees them.  A socket monitor reports each accept with its
 * descriptor; the source address comes from getpeername().  A source past
 * its share, or any source once the listener holds `max_open` connections,
 * has the new connection shut down (libzmq then sees the end of the stream
 * and closes it itself: the descriptor stays libzmq's).  So one address
 * cannot take the descriptors every other peer needs, and no number of
 * addresses can take the descriptors the node needs for itself
 * (doc/PROTOCOL.md, "Connection limits").
 *
 * The monitor is read by a thread of its own, not by the event loop: the
 * loop may be busy for up to a second (a group commit, a large reply),
 * and libzmq goes on accepting meanwhile.  Before, a loop that checked
 * every 250 ms let a flood use up every descriptor between two checks,
 * and libzmq aborted the process on the next accept of the control socket.
 */
#ifndef MF_SYNC_CONNS_H
#define MF_SYNC_CONNS_H

#include <stddef.h>
#include <stdint.h>

/* Connections one source address may hold open at once.  A node links to
 * a peer with one connection (two while it reconnects); several nodes
 * behind one NAT address stay far below this. */
#define MF_CONNS_PER_SOURCE 64

typedef struct sy_conns sy_conns;

typedef struct sy_conns_stats {
	uint64_t accepted;	/* connections accepted by the listener */
	uint64_t refused;	/* shut down: their source was past its share */
	uint64_t refused_limit;	/* shut down: max_open were open */
	size_t open;		/* tracked as open now */
	size_t peak;		/* the most tracked open at once since start */
	size_t max_open;	/* the limit for all sources together */
	size_t sources;		/* distinct source addresses open now */
} sy_conns_stats;

/* Watch the listener `router` (a bound ROUTER) from a thread of its own,
 * holding at most `max_open` inbound connections (at least 1).  NULL,
 * with errno set, when libzmq cannot monitor it or the thread cannot
 * start.  Once a second the thread also checks the tracked descriptors
 * against the kernel (an event libzmq never sends, as on unbind, cannot
 * leave a source counted for good). */
sy_conns *sy_conns_open(void *ctx, void *router, size_t max_open);
/* Stops the thread (within 100 ms) and frees everything.  Call it before
 * closing the router. */
void sy_conns_close(sy_conns *c);

/* Every tracked connection is gone (the listener was closed). */
void sy_conns_reset(sy_conns *c);

/* A consistent copy of the counters (any thread). */
void sy_conns_stats_get(sy_conns *c, sy_conns_stats *st);

#endif
