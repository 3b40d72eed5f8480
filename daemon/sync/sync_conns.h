/*
 * sync_conns.h — per-source limit on the sync listener's connections.
 *
 * libzmq accepts TCP connections in its I/O thread, before ZAP or anything
 * of ours sees them.  A socket monitor reports each accept with its
 * descriptor; the source address comes from getpeername().  A source past
 * its share has the new connection shut down (libzmq then sees the end of
 * the stream and closes it itself: the descriptor stays libzmq's).  So one
 * address cannot take the descriptors every other peer needs
 * (doc/PROTOCOL.md, "Connection limits").
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
	size_t open;		/* tracked as open now */
	size_t sources;		/* distinct source addresses open now */
} sy_conns_stats;

/* Watch the listener `router` (a bound ROUTER).  NULL, with errno set,
 * when libzmq cannot monitor it. */
sy_conns *sy_conns_open(void *ctx, void *router);
void sy_conns_close(sy_conns *c);

/* The monitor's socket, to poll for ZMQ_POLLIN. */
void *sy_conns_socket(const sy_conns *c);

/* Read the pending monitor events; `now_ms` paces the log and the
 * reconciliation with the kernel's view (an event libzmq never sends, as
 * on unbind, cannot leave a source counted for good).  Returns how many
 * connections it shut down. */
size_t sy_conns_handle(sy_conns *c, uint64_t now_ms);

/* Every tracked connection is gone (the listener was closed). */
void sy_conns_reset(sy_conns *c);

void sy_conns_stats_get(const sy_conns *c, sy_conns_stats *st);

#endif
