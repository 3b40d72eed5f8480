/*
 * sync_int.h — private to daemon/sync/: the state shared by its files.
 *
 *	sync.c		the API the daemon's loop calls: new/free, poll
 *			items, handling readable sockets and decoding frames,
 *			timers, reload
 *	sync_links.c	links: sockets, CURVE, sessions, hello, heartbeats,
 *			reconnects, sending frames
 *	sync_serve.c	serving: a peer's wants turned into batches
 *	sync_pull.c	pulling: wants, received batches applied through the
 *			records layer, withholding
 *	sync_recover.c	our own chain: recovery after a lost or restored
 *			store, forks of our own origin and the way out
 *	sync_status.c	status for `mentorfed status`
 *	zap.c		the ZAP handler admitting configured keys only
 */
#ifndef MF_SYNC_INT_H
#define MF_SYNC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "kinds.h"
#include "node.h"
#include "proto/wire.pb-c.h"
#include "sync.h"
#include "zap.h"

#define MF_PROTOCOL 1
#define FRAME_MAX (16u * 1024 * 1024)	/* largest frame accepted */
#define ZMQ_MSG_MAX (64 * 1024 * 1024)	/* zmq drops the link beyond this */
#define BATCH_TARGET_BYTES (4u * 1024 * 1024)
#define BATCH_MAX_BLOCKS 64
#define CREDIT_INIT 3
#define CREDIT_MAX 16
#define VV_MAX 4096
#define STREAMS_MAX 64
#define BLOCKED_MAX 32
#define REJECT_BACKOFF_MS 30000
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 8000
#define ANNOUNCE_COALESCE_MS 0
#define HWM 1000
#define RX_PER_HANDLE 64
/* Time one mf_sync_handle may spend before returning to the daemon's loop,
 * so that control requests, heartbeats and other peers are served while a
 * large catch-up is applied batch after batch. */
#define RX_BUDGET_MS 20
#define CAP_RELAY "relay"

typedef struct vv_ent {
	char origin[MF_REGION_MAX];
	uint64_t seq;
} vv_ent;

typedef struct vvmap {
	vv_ent *e;
	size_t n, cap;
} vvmap;

typedef struct serve_stream {
	char origin[MF_REGION_MAX];
	uint64_t after;
	uint32_t credit;
} serve_stream;

typedef struct blocked {
	char origin[MF_REGION_MAX];
	uint64_t until_ms;
	unsigned fails;		/* streams in a row that brought nothing */
} blocked;

/* At most RATELIM_N log lines per RATELIM_MS window (sy_ratelim). */
#define RATELIM_N 10
#define RATELIM_MS 10000
typedef struct ratelim {
	uint64_t win_ms;
	unsigned n;
	uint64_t suppressed;
} ratelim;

typedef struct session {
	int inbound;
	uint8_t rid[256];
	size_t rid_len;
	char key[MF_Z85_KEY_LEN + 1];	/* peer's curve key */
	char name[64];			/* configured peer name */
	int hello_sent, hello_rx, refused;
	char region[MF_REGION_MAX];
	uint64_t created_ms, last_rx_ms, last_tx_ms, since_wall_ms;
	vvmap known;
	uint64_t probed_self, probed_fork;	/* sync_recover.c: blocks of its own asked for */
	/* pulling */
	int pulling;
	char pull_origin[MF_REGION_MAX];
	uint64_t pull_pos, pull_start, pull_target, pull_last_ms;
	uint64_t pull_complete_to;
	blocked blk[BLOCKED_MAX];
	size_t n_blk;
	size_t pull_rr;			/* fair start among origins */
	uint64_t pull_applied;		/* blocks applied by this stream */
	uint64_t rehello_ms;		/* last Hello resent on NOT_READY */
	uint64_t notready_ms;		/* last NOT_READY for a heartbeat */
	/* A stream's batch applied in slices, one transaction each, across
	 * turns of the loop (sync_pull.c): control requests, pushes of other
	 * links and heartbeats are served between slices. */
	void *held;			/* its Mentorfed__Wire__Frame, or NULL */
	size_t held_next;		/* the next of its blocks to apply */
	uint64_t held_applied;		/* blocks applied by its slices so far */
	uint64_t held_last;		/* last seq applied by them */
	void **q;			/* batches of this link that came meanwhile */
	size_t nq, capq;
	ratelim errlog;			/* the peer's Errors, logged */
	/* serving */
	serve_stream st[STREAMS_MAX];
	size_t n_st;
	int dead;
} session;

typedef struct peer {
	char *name, *endpoint;
	char key[MF_Z85_KEY_LEN + 1];
	char region[MF_REGION_MAX];
	void *dealer;
	session *out;
	uint64_t next_connect_ms;
	unsigned backoff_ms;
	int mark;
} peer;

typedef struct counters {
	uint64_t frames_rx, frames_tx, malformed, oversized, unexpected, send_blocked;
	uint64_t batches_rx, batches_tx, blocks_sent, versions_sent;
	uint64_t records_received, records_applied, records_stale;
	uint64_t blocks_applied, blocks_duplicate;
	uint64_t rej_signature, rej_link, rej_version, rej_fork, withheld, withheld_streams;
	uint64_t version_mismatch, peer_errors, reconnects, store_errors;
	/* issue 12: rejections by their real reason, hostile streams */
	uint64_t rej_shape, rej_too_large, rej_unknown_origin, rej_beyond_complete, streams_short;
	uint64_t empty_streams, rehellos, unproven_truncated;
	uint64_t listener_paused;
	/* issue 14: blocks pushed to caught-up peers (PROTOCOL.md 6a) */
	uint64_t pushes_tx, pushes_rx, pushes_dropped;
} counters;

struct mf_sync {
	void *ctx;
	mf_node *node;
	uint64_t rx_deadline;	/* mf_sync_handle yields to the loop then */
	void *zap, *router;
	mf_zap_stats zst;
	peer *peers;
	size_t n_peers;
	session **in;
	size_t n_in, cap_in;
	counters c;
	int announce_pending;
	uint64_t announce_due;
	/* Our servable vector when the last Announce went out: a peer whose
	 * known vector equals it for an origin is caught up and is pushed the
	 * blocks after it (sy_push_all). */
	vvmap heads;
	int heads_set;
	int recovering;
	uint64_t first_hello_ms;
	int own_fork;		/* our own origin forked: local writes stopped */
	uint64_t own_fork_seq;
	char refusal[256];	/* why sync_recover.c refuses local writes, or "" */
	uint64_t now;		/* monotonic ms of the current tick/handle */
	uint64_t malformed_logged;
	ratelim rejlog;		/* rejected blocks and batches, logged */
	/* File descriptors: the soft limit after raising it, and the
	 * listener paused while too many connections are open. */
	uint64_t nofile;
	int listener_paused;
	uint64_t resume_ms, fd_check_ms;
	struct sy_conns *conns;	/* per-source limit (sync_conns.h), or NULL */
	/* Sockets to close: the daemon polls the items of mf_sync_pollitems
	 * after mf_sync_tick, so a socket is closed only at the next
	 * mf_sync_pollitems, never between the two. */
	void **grave;
	size_t n_grave, cap_grave;
};

typedef struct vv_collect {
	mf_sync *s;
	Mentorfed__Wire__VvEntry *ents;
	Mentorfed__Wire__VvEntry **ptrs;
	char (*origins)[MF_REGION_MAX];
	size_t n, cap;
} vv_collect;
/* sync.c */
/* Monotonic ms, kept in s->now for this turn of the loop. */
uint64_t sy_now_ms(mf_sync *s);
/* 1 when a line may be logged now under r's rate limit. */
int sy_ratelim(mf_sync *s, ratelim *r, const char *what);

/* sync_links.c */
const char *sy_sess_name(const session *ss);
uint64_t sy_vv_get(const vvmap *m, const char *origin);
int sy_vv_raise(vvmap *m, const char *origin, uint64_t seq);
int sy_region_ok(const char *r);
/* Send one Frame on a session.  0, or -1 with errno (EAGAIN: would block;
 * EHOSTUNREACH: the inbound peer is gone). */
int sy_sess_send(mf_sync *s, session *ss, const Mentorfed__Wire__Frame *f);
void sy_send_error(mf_sync *s, session *ss, Mentorfed__Wire__ErrorCode code, const char *origin,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sy_send_hello(mf_sync *s, session *ss);
void sy_send_announce(mf_sync *s, session *ss, vv_collect *vc);
void sy_send_heartbeat(mf_sync *s, session *ss);
/* Send the heartbeats that fell due while the loop was not turning (a long
 * apply or batch build). */
void sy_keepalive(mf_sync *s);
session *sy_sess_new(int inbound);
void sy_sess_free(session *ss);
int sy_sess_ready(const session *ss);
peer *sy_peer_by_key(mf_sync *s, const char *key);
void sy_on_hello(mf_sync *s, session *ss, const Mentorfed__Wire__Hello *h);
void sy_on_error(mf_sync *s, session *ss, const Mentorfed__Wire__Error *e);
void sy_sockopts_common(void *z);
void sy_bury_all(mf_sync *s);
void sy_peer_disconnect(mf_sync *s, peer *p);
int sy_peer_connect(mf_sync *s, peer *p);
void sy_peer_free_fields(peer *p);
int sy_peers_sync_config(mf_sync *s);

/* sync_serve.c */
/* Our servable vector as wire entries (free with sy_vv_collect_free). */
void sy_vv_build(mf_sync *s, vv_collect *vc);
void sy_vv_collect_free(vv_collect *vc);
/* Serve one batch per stream with credit, round robin.  Returns 1 when
 * more serving work is pending. */
int sy_serve_all(mf_sync *s);
void sy_on_want(mf_sync *s, session *ss, const char *origin, uint64_t after, uint32_t credit);
void sy_on_credit(mf_sync *s, session *ss, const char *origin, uint32_t credit);
/* Push (PROTOCOL.md 6a): before an Announce of vector vc, send each
 * caught-up peer of protocol 3 the new blocks as one Batch it did not
 * Want; then remember vc as the heads the next push starts from. */
void sy_push_all(mf_sync *s, const vv_collect *vc);

/* sync_pull.c */
int sy_sess_is_puller(mf_sync *s, session *ss);
void sy_block_origin(mf_sync *s, session *ss, const char *origin, uint64_t ms);
void sy_pull_stop(session *ss);
/* Start pulling the next origin this session's peer holds more of. */
void sy_pull_next(mf_sync *s, session *ss);
void sy_request_announce(mf_sync *s);
void sy_kill_session_streams(session *ss);
void sy_on_announce(mf_sync *s, session *ss, const Mentorfed__Wire__Announce *a);
/* A Batch frame received on ss.  1 when sync kept the frame (applied in
 * slices, or queued behind one): it frees it itself; 0: the caller does. */
int sy_on_batch(mf_sync *s, session *ss, Mentorfed__Wire__Frame *f);
/* Apply the next slice of every held batch.  1 when one is still held. */
int sy_pull_slices(mf_sync *s);
/* Drop a session's held and queued batches. */
void sy_held_free(session *ss);

/* sync_recover.c */
/* At start: a new or restored store recovers our own chain first. */
void sy_recover_init(mf_sync *s);
/* Recovery and own-fork state after what peers told: ends recovery when
 * we hold our chain as far as they do, starts it when a peer holds more
 * of it than our store, stops local writes on a fork of our origin. */
void sy_recovery_check(mf_sync *s);
/* A peer announced: a region holding less of its own chain than we do is
 * asked for its head block (a restore, or a fork we must see). */
void sy_recover_on_announce(mf_sync *s, session *ss);
/* A peer rejected a block of our own origin as a fork. */
void sy_recover_on_error(mf_sync *s, session *ss, const Mentorfed__Wire__Error *e);

#endif
