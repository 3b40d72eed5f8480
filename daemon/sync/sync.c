/*
 * sync.c — federated sync over ZeroMQ (see sync.h, doc/PROTOCOL.md).
 *
 * One ROUTER listener (CURVE server, ZAP domain MF_ZAP_DOMAIN), one DEALER
 * per configured peer (CURVE client).  Every link, whichever side opened
 * it, is a "session": both ends send Hello, then either end may pull
 * (Want / Batch / Credit) and Announce.  A node pulls a given peer over
 * one session only (its own DEALER when that is up, else the peer's
 * inbound link) and each origin from one session at a time.
 *
 * Sending never relies on ZeroMQ queueing: every send is non-blocking;
 * a Batch is only built when the receiver has granted credit and is
 * retried when the socket would block; the ROUTER is ROUTER_MANDATORY so a
 * vanished peer is an error, not a silent drop.  Lost control messages
 * are covered by heartbeats and the stream stall timer.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "kinds.h"
#include "log.h"
#include "proto/records.pb-c.h"
#include "proto/wire.pb-c.h"
#include "record.h"
#include "store.h"
#include "sync.h"
#include "util.h"
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
} blocked;

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
	/* pulling */
	int pulling;
	char pull_origin[MF_REGION_MAX];
	uint64_t pull_pos, pull_start, pull_target, pull_last_ms;
	uint64_t pull_complete_to;
	blocked blk[BLOCKED_MAX];
	size_t n_blk;
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
	int recovering;
	uint64_t first_hello_ms;
	uint64_t now;		/* monotonic ms of the current tick/handle */
	uint64_t malformed_logged;
	/* Sockets to close: the daemon polls the items of mf_sync_pollitems
	 * after mf_sync_tick, so a socket is closed only at the next
	 * mf_sync_pollitems, never between the two. */
	void **grave;
	size_t n_grave, cap_grave;
};

/* ---------------------------------------------------------------- helpers */

static uint64_t
now_ms(mf_sync *s)
{
	s->now = mf_mono_ms();
	return s->now;
}

static const char *
sess_name(const session *ss)
{
	return ss->name[0] ? ss->name : "(unknown peer)";
}

static uint64_t
vv_get(const vvmap *m, const char *origin)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].origin, origin) == 0)
			return m->e[i].seq;
	return 0;
}

static int
vv_raise(vvmap *m, const char *origin, uint64_t seq)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].origin, origin) == 0) {
			if (seq > m->e[i].seq)
				m->e[i].seq = seq;
			return 0;
		}
	if (m->n >= VV_MAX)
		return -1;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 8;
		vv_ent *ne = realloc(m->e, nc * sizeof(*ne));
		if (ne == NULL)
			return -1;
		m->e = ne;
		m->cap = nc;
	}
	mf_strlcpy(m->e[m->n].origin, origin, sizeof(m->e[m->n].origin));
	m->e[m->n].seq = seq;
	m->n++;
	return 0;
}

static int
region_ok(const char *r)
{
	return r != NULL && strlen(r) < MF_REGION_MAX && mf_region_valid(r);
}

/* The seq up to which this node serves origin: its vector, except that a
 * chain still holding body-less leaves that nothing superseded yet (a
 * stream in progress) is served only up to the block before the first of
 * them, so that no node relays what it could not prove complete. */
static uint64_t
safe_vv(mf_sync *s, const char *origin)
{
	sqlite3 *db = mf_store_db(s->node->store);
	sqlite3_stmt *st;
	uint64_t vv = mf_store_vv(s->node->store, origin, NULL), pend = 0, bfirst = 0;
	int havep = 0;

	if (vv == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT min(seq) FROM pending WHERE origin = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return vv;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		pend = (uint64_t)sqlite3_column_int64(st, 0);
		havep = 1;
	}
	sqlite3_finalize(st);
	if (!havep)
		return vv;
	if (sqlite3_prepare_v2(db, "SELECT first_seq FROM blocks WHERE origin = ?1 AND first_seq <= ?2"
			       " ORDER BY first_seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)pend);
	if (sqlite3_step(st) == SQLITE_ROW)
		bfirst = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return bfirst > 0 ? bfirst - 1 : 0;
}

typedef struct vv_collect {
	mf_sync *s;
	Mentorfed__Wire__VvEntry *ents;
	Mentorfed__Wire__VvEntry **ptrs;
	char (*origins)[MF_REGION_MAX];
	size_t n, cap;
} vv_collect;

static int
collect_vv(void *arg, const char *origin, uint64_t seq)
{
	vv_collect *vc = arg;

	(void)seq;
	if (vc->n >= VV_MAX)
		return 1;
	if (vc->n == vc->cap) {
		size_t nc = vc->cap ? vc->cap * 2 : 16;
		void *a = realloc(vc->ents, nc * sizeof(*vc->ents));
		if (a == NULL)
			return 1;
		vc->ents = a;
		if ((a = realloc(vc->ptrs, nc * sizeof(*vc->ptrs))) == NULL)
			return 1;
		vc->ptrs = a;
		if ((a = realloc(vc->origins, nc * sizeof(*vc->origins))) == NULL)
			return 1;
		vc->origins = a;
		vc->cap = nc;
	}
	mf_strlcpy(vc->origins[vc->n], origin, MF_REGION_MAX);
	vc->n++;
	return 0;
}

/* Our servable vector as wire entries (free with vv_collect_free). */
static void
vv_build(mf_sync *s, vv_collect *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->s = s;
	mf_store_vv_each(s->node->store, collect_vv, vc);
	for (size_t i = 0; i < vc->n; i++) {
		mentorfed__wire__vv_entry__init(&vc->ents[i]);
		vc->ents[i].origin = vc->origins[i];
		vc->ents[i].seq = safe_vv(s, vc->origins[i]);
	}
	for (size_t i = 0; i < vc->n; i++)
		vc->ptrs[i] = &vc->ents[i];
}

static void
vv_collect_free(vv_collect *vc)
{
	free(vc->ents);
	free(vc->ptrs);
	free(vc->origins);
}

/* ---------------------------------------------------------------- sending */

/* Send one Frame on a session.  0, or -1 with errno (EAGAIN: would block;
 * EHOSTUNREACH: the inbound peer is gone). */
static int
sess_send(mf_sync *s, session *ss, const Mentorfed__Wire__Frame *f)
{
	size_t len = mentorfed__wire__frame__get_packed_size(f);
	void *sock;
	zmq_msg_t m;
	int e;

	if (ss->inbound) {
		sock = s->router;
	} else {
		sock = NULL;
		for (size_t i = 0; i < s->n_peers; i++)
			if (s->peers[i].out == ss)
				sock = s->peers[i].dealer;
	}
	if (sock == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	if (zmq_msg_init_size(&m, len) != 0)
		return -1;
	mentorfed__wire__frame__pack(f, zmq_msg_data(&m));
	if (ss->inbound) {
		if (zmq_send(sock, ss->rid, ss->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
			e = errno;
			zmq_msg_close(&m);
			if (e == EHOSTUNREACH)
				ss->dead = 1;
			if (e == EAGAIN)
				s->c.send_blocked++;
			errno = e;
			return -1;
		}
	}
	if (zmq_msg_send(&m, sock, ZMQ_DONTWAIT) < 0) {
		e = errno;
		zmq_msg_close(&m);
		if (e == EAGAIN)
			s->c.send_blocked++;
		errno = e;
		return -1;
	}
	s->c.frames_tx++;
	ss->last_tx_ms = s->now;
	return 0;
}

static void
send_error(mf_sync *s, session *ss, Mentorfed__Wire__ErrorCode code, const char *origin,
	   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
send_error(mf_sync *s, session *ss, Mentorfed__Wire__ErrorCode code, const char *origin,
	   const char *fmt, ...)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Error e = MENTORFED__WIRE__ERROR__INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e.code = code;
	e.message = msg;
	if (origin)
		e.origin = (char *)origin;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_ERROR;
	f.error = &e;
	sess_send(s, ss, &f);
}

static void
send_hello(mf_sync *s, session *ss)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Hello h = MENTORFED__WIRE__HELLO__INIT;
	char *caps[] = { CAP_RELAY };
	vv_collect vc;

	vv_build(s, &vc);
	h.protocol = MF_PROTOCOL;
	h.region = s->node->cfg->region;
	h.n_vv = vc.n;
	h.vv = vc.ptrs;
	h.n_capabilities = 1;
	h.capabilities = caps;
	h.max_frame = FRAME_MAX;
	h.software = (char *)PACKAGE_STRING;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_HELLO;
	f.hello = &h;
	if (sess_send(s, ss, &f) == 0)
		ss->hello_sent = 1;
	vv_collect_free(&vc);
}

static void
send_announce(mf_sync *s, session *ss, vv_collect *vc)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Announce a = MENTORFED__WIRE__ANNOUNCE__INIT;

	a.n_vv = vc->n;
	a.vv = vc->ptrs;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_ANNOUNCE;
	f.announce = &a;
	sess_send(s, ss, &f);
}

static void
send_heartbeat(mf_sync *s, session *ss)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Heartbeat h = MENTORFED__WIRE__HEARTBEAT__INIT;

	h.time_ms = mf_now_ms();
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &h;
	sess_send(s, ss, &f);
}

/* ---------------------------------------------------------------- sessions */

static session *
sess_new(int inbound)
{
	session *ss = calloc(1, sizeof(*ss));

	if (ss)
		ss->inbound = inbound;
	return ss;
}

static void
sess_free(session *ss)
{
	if (ss == NULL)
		return;
	free(ss->known.e);
	free(ss);
}

static int
sess_ready(const session *ss)
{
	return ss != NULL && ss->hello_rx && ss->hello_sent && !ss->refused && !ss->dead;
}

static peer *
peer_by_key(mf_sync *s, const char *key)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].key, key) == 0)
			return &s->peers[i];
	return NULL;
}

/* Is ss the session this node pulls its peer over? */
static int
sess_is_puller(mf_sync *s, session *ss)
{
	peer *p;

	if (!sess_ready(ss))
		return 0;
	if (!ss->inbound)
		return 1;
	p = peer_by_key(s, ss->key);
	if (p == NULL)
		return 0;	/* no longer configured */
	if (sess_ready(p->out))
		return 0;
	/* Of several inbound links of one peer, the most recent one. */
	for (size_t i = 0; i < s->n_in; i++) {
		session *o = s->in[i];
		if (o != ss && sess_ready(o) && strcmp(o->key, ss->key) == 0 &&
		    o->since_wall_ms > ss->since_wall_ms)
			return 0;
	}
	return 1;
}

static int
origin_being_pulled(mf_sync *s, const char *origin)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out && s->peers[i].out->pulling &&
		    strcmp(s->peers[i].out->pull_origin, origin) == 0)
			return 1;
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i]->pulling && strcmp(s->in[i]->pull_origin, origin) == 0)
			return 1;
	return 0;
}

static int
is_blocked(mf_sync *s, session *ss, const char *origin)
{
	for (size_t i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, origin) == 0)
			return ss->blk[i].until_ms > s->now;
	return 0;
}

static void
block_origin(mf_sync *s, session *ss, const char *origin, uint64_t ms)
{
	size_t i;

	for (i = 0; i < ss->n_blk; i++)
		if (strcmp(ss->blk[i].origin, origin) == 0)
			break;
	if (i == ss->n_blk) {
		if (ss->n_blk == BLOCKED_MAX)
			i = 0;
		else
			ss->n_blk++;
	}
	mf_strlcpy(ss->blk[i].origin, origin, sizeof(ss->blk[i].origin));
	ss->blk[i].until_ms = s->now + ms;
}

static void
pull_stop(session *ss)
{
	ss->pulling = 0;
	ss->pull_origin[0] = '\0';
}

/* Start pulling the next origin this session's peer holds more of. */
static void
pull_next(mf_sync *s, session *ss)
{
	if (ss->pulling || !sess_is_puller(s, ss))
		return;
	for (size_t i = 0; i < ss->known.n; i++) {
		const vv_ent *e = &ss->known.e[i];
		uint64_t have;
		Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
		Mentorfed__Wire__Want w = MENTORFED__WIRE__WANT__INIT;

		if (mf_keyring_get(s->node->keyring, e->origin) == NULL)
			continue;	/* untrusted origin: its blocks could not verify */
		have = mf_store_vv(s->node->store, e->origin, NULL);
		if (e->seq <= have || is_blocked(s, ss, e->origin) ||
		    origin_being_pulled(s, e->origin))
			continue;
		w.origin = (char *)e->origin;
		w.after = have;
		w.credit = CREDIT_INIT;
		f.msg_case = MENTORFED__WIRE__FRAME__MSG_WANT;
		f.want = &w;
		if (sess_send(s, ss, &f) != 0)
			return;	/* retried from tick */
		ss->pulling = 1;
		mf_strlcpy(ss->pull_origin, e->origin, sizeof(ss->pull_origin));
		ss->pull_pos = have;
		ss->pull_start = have;
		ss->pull_target = e->seq;
		ss->pull_complete_to = 0;
		ss->pull_last_ms = s->now;
		mf_debug("sync: pulling %s from peer %s after seq %llu (peer holds %llu)", e->origin,
			 sess_name(ss), (unsigned long long)have, (unsigned long long)e->seq);
		return;
	}
}

static void
request_announce(mf_sync *s)
{
	if (!s->announce_pending) {
		s->announce_pending = 1;
		s->announce_due = s->now + ANNOUNCE_COALESCE_MS;
	}
}

static void
kill_session_streams(session *ss)
{
	pull_stop(ss);
	ss->n_st = 0;
}

/* ---------------------------------------------------------------- recovery */

static void
recovery_check(mf_sync *s)
{
	const char *own = s->node->cfg->region;
	uint64_t have, best = 0;
	size_t ready = 0, configured_ready = 0;

	if (!s->recovering || s->first_hello_ms == 0)
		return;
	have = mf_store_vv(s->node->store, own, NULL);
	for (size_t i = 0; i < s->n_peers; i++)
		if (sess_ready(s->peers[i].out))
			configured_ready++;
		else {
			for (size_t j = 0; j < s->n_in; j++)
				if (sess_ready(s->in[j]) && strcmp(s->in[j]->key, s->peers[i].key) == 0) {
					configured_ready++;
					break;
				}
		}
	for (size_t i = 0; i < s->n_peers; i++) {
		session *ss = s->peers[i].out;
		if (sess_ready(ss)) {
			ready++;
			if (vv_get(&ss->known, own) > best)
				best = vv_get(&ss->known, own);
		}
	}
	for (size_t j = 0; j < s->n_in; j++)
		if (sess_ready(s->in[j])) {
			ready++;
			if (vv_get(&s->in[j]->known, own) > best)
				best = vv_get(&s->in[j]->known, own);
		}
	if (ready == 0 || origin_being_pulled(s, own) || have < best)
		return;
	if (configured_ready < s->n_peers &&
	    s->now < s->first_hello_ms + s->node->cfg->peer_timeout_ms)
		return;	/* give the other peers a chance to say what they hold */
	s->recovering = 0;
	s->node->writes_refused[0] = '\0';
	mf_store_meta_set(s->node->store, "sync_recovering", "0");
	mf_info("sync: recovery done: %s's own chain recovered from peers up to seq %llu; local writes continue at seq %llu",
		own, (unsigned long long)have, (unsigned long long)(have + 1));
}

/* ---------------------------------------------------------------- serving */

typedef struct batch_build {
	mf_sync *s;
	const char *origin;
	uint64_t limit_seq;	/* serve blocks up to here */
	Mentorfed__Wire__BlockOnWire *bw;
	Mentorfed__Wire__BlockOnWire **bp;
	size_t n;
	size_t bytes;
	uint64_t first_seq, last_seq;
	/* versions of the block being filled */
	ProtobufCBinaryData *vers;
	size_t nv, capv;
} batch_build;

static int
collect_version(void *arg, uint64_t seq, const uint8_t *v, size_t len)
{
	batch_build *b = arg;
	uint8_t *copy;

	(void)seq;
	if (b->nv == b->capv) {
		size_t nc = b->capv ? b->capv * 2 : 64;
		ProtobufCBinaryData *nv = realloc(b->vers, nc * sizeof(*nv));
		if (nv == NULL)
			return 1;
		b->vers = nv;
		b->capv = nc;
	}
	if ((copy = malloc(len ? len : 1)) == NULL)
		return 1;
	memcpy(copy, v, len);
	b->vers[b->nv].data = copy;
	b->vers[b->nv].len = len;
	b->nv++;
	b->bytes += len + 4;
	return 0;
}

static void keepalive(void *arg);

static int
collect_block(void *arg, const uint8_t *header, size_t header_len, const uint8_t *sig,
	      uint64_t first_seq, uint64_t last_seq)
{
	batch_build *b = arg;
	Mentorfed__Wire__BlockOnWire *w;

	if (last_seq > b->limit_seq || b->n >= BATCH_MAX_BLOCKS ||
	    (b->n > 0 && b->bytes >= BATCH_TARGET_BYTES))
		return 1;
	w = &b->bw[b->n];
	mentorfed__wire__block_on_wire__init(w);
	if ((w->header.data = malloc(header_len)) == NULL ||
	    (w->signature.data = malloc(MF_SIG_LEN)) == NULL)
		return 1;
	memcpy(w->header.data, header, header_len);
	w->header.len = header_len;
	memcpy(w->signature.data, sig, MF_SIG_LEN);
	w->signature.len = MF_SIG_LEN;
	b->nv = 0;
	b->vers = NULL;
	b->capv = 0;
	if (mf_store_versions_in(b->s->node->store, b->origin, first_seq, last_seq,
				 collect_version, b) < 0) {
		for (size_t i = 0; i < b->nv; i++)
			free(b->vers[i].data);
		free(b->vers);
		free(w->header.data);
		free(w->signature.data);
		return 1;
	}
	w->versions = b->vers;
	w->n_versions = b->nv;
	b->bytes += header_len + MF_SIG_LEN + 16;
	b->bp[b->n] = w;
	if (b->n == 0)
		b->first_seq = first_seq;
	b->last_seq = last_seq;
	b->n++;
	keepalive(b->s);	/* building a large batch takes a while */
	return 0;
}

static void
batch_free(batch_build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t j = 0; j < b->bw[i].n_versions; j++)
			free(b->bw[i].versions[j].data);
		free(b->bw[i].versions);
		free(b->bw[i].header.data);
		free(b->bw[i].signature.data);
	}
	free(b->bw);
	free(b->bp);
}

/* Send the next batch of stream st; 1 when the stream is over, 0 when it
 * goes on, -1 when the send would block (retry later). */
static int
serve_step(mf_sync *s, session *ss, serve_stream *st)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Batch bm = MENTORFED__WIRE__BATCH__INIT;
	batch_build b;
	uint64_t safe = safe_vv(s, st->origin);
	int rc, end;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.origin = st->origin;
	b.limit_seq = safe;
	b.bw = calloc(BATCH_MAX_BLOCKS, sizeof(*b.bw));
	b.bp = calloc(BATCH_MAX_BLOCKS, sizeof(*b.bp));
	if (b.bw == NULL || b.bp == NULL) {
		batch_free(&b);
		return -1;
	}
	if (st->after < safe)
		mf_store_blocks_after(s->node->store, st->origin, st->after, BATCH_MAX_BLOCKS,
				      collect_block, &b);
	bm.origin = st->origin;
	bm.after = b.n > 0 && b.first_seq <= st->after ? b.first_seq - 1 : st->after;
	bm.n_blocks = b.n;
	bm.blocks = b.bp;
	bm.complete_to = safe;
	end = (b.n > 0 ? b.last_seq : st->after) >= safe;
	if (b.n == 0 && st->after < safe)
		end = 1;	/* nothing servable although behind: should not happen */
	bm.end = end;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_BATCH;
	f.batch = &bm;
	rc = sess_send(s, ss, &f);
	if (rc == 0) {
		s->c.batches_tx++;
		s->c.blocks_sent += b.n;
		for (size_t i = 0; i < b.n; i++)
			s->c.versions_sent += b.bw[i].n_versions;
		if (b.n > 0)
			st->after = b.last_seq;
		st->credit--;
	}
	batch_free(&b);
	if (rc != 0)
		return -1;
	return end;
}

/* Serve one batch per stream with credit, round robin.  Returns 1 when
 * more serving work is pending. */
static int
serve_all(mf_sync *s)
{
	int more = 0;
	session *list[1024];
	size_t nl = 0;

	for (size_t i = 0; i < s->n_peers && nl < 1024; i++)
		if (s->peers[i].out)
			list[nl++] = s->peers[i].out;
	for (size_t i = 0; i < s->n_in && nl < 1024; i++)
		list[nl++] = s->in[i];
	for (size_t k = 0; k < nl; k++) {
		session *ss = list[k];

		for (size_t i = 0; i < ss->n_st;) {
			serve_stream *st = &ss->st[i];
			int r;

			if (st->credit == 0 || ss->dead || !sess_ready(ss)) {
				i++;
				continue;
			}
			r = serve_step(s, ss, st);
			if (r == 1) {
				ss->st[i] = ss->st[--ss->n_st];
				continue;
			}
			if (r == 0 && st->credit > 0)
				more = 1;
			i++;
		}
	}
	return more;
}

/* ---------------------------------------------------------------- receiving */

static void
on_hello(mf_sync *s, session *ss, const Mentorfed__Wire__Hello *h)
{
	if (h->protocol != MF_PROTOCOL) {
		s->c.version_mismatch++;
		mf_err("sync: peer %s speaks protocol version %u; this node speaks version %u: link refused",
		       sess_name(ss), h->protocol, MF_PROTOCOL);
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_PROTOCOL_VERSION, NULL,
			   "protocol version %u is not supported; node %s speaks protocol version %u",
			   h->protocol, s->node->cfg->region, MF_PROTOCOL);
		ss->refused = 1;
		kill_session_streams(ss);
		return;
	}
	if (!region_ok(h->region) || h->n_vv > VV_MAX) {
		s->c.malformed++;
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
			   "hello: bad region or too many vector entries");
		return;
	}
	for (size_t i = 0; i < h->n_vv; i++)
		if (!region_ok(h->vv[i]->origin)) {
			s->c.malformed++;
			send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
				   "hello: vector entry %zu is not a region code", i);
			return;
		}
	{
		peer *p = peer_by_key(s, ss->key);
		if (p && p->region[0] && strcmp(p->region, h->region) != 0)
			mf_warn("sync: peer %s says it is region %s; the config says %s", sess_name(ss),
				h->region, p->region);
	}
	if (ss->hello_rx) {
		/* A repeated hello (the peer reconnected its socket): restart. */
		kill_session_streams(ss);
	}
	mf_strlcpy(ss->region, h->region, sizeof(ss->region));
	ss->known.n = 0;
	for (size_t i = 0; i < h->n_vv; i++)
		vv_raise(&ss->known, h->vv[i]->origin, h->vv[i]->seq);
	if (ss->inbound || !ss->hello_sent)
		send_hello(s, ss);
	if (!ss->hello_rx) {
		ss->since_wall_ms = mf_now_ms();
		mf_info("sync: link with peer %s (%s, %s) is up", sess_name(ss), ss->region,
			ss->inbound ? "inbound" : "outbound");
	}
	ss->hello_rx = 1;
	if (!ss->inbound) {
		peer *p = peer_by_key(s, ss->key);
		if (p)
			p->backoff_ms = BACKOFF_MIN_MS;
	}
	if (s->first_hello_ms == 0)
		s->first_hello_ms = s->now;
	pull_next(s, ss);
	recovery_check(s);
}

static void
on_announce(mf_sync *s, session *ss, const Mentorfed__Wire__Announce *a)
{
	if (a->n_vv > VV_MAX) {
		s->c.malformed++;
		return;
	}
	for (size_t i = 0; i < a->n_vv; i++) {
		if (!region_ok(a->vv[i]->origin)) {
			s->c.malformed++;
			continue;
		}
		vv_raise(&ss->known, a->vv[i]->origin, a->vv[i]->seq);
	}
	pull_next(s, ss);
}

static void
on_want(mf_sync *s, session *ss, const char *origin, uint64_t after, uint32_t credit)
{
	size_t i;

	if (!region_ok(origin)) {
		s->c.malformed++;
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
			   "want: origin is not a region code");
		return;
	}
	if (credit == 0)
		credit = 1;
	if (credit > CREDIT_MAX)
		credit = CREDIT_MAX;
	for (i = 0; i < ss->n_st; i++)
		if (strcmp(ss->st[i].origin, origin) == 0)
			break;
	if (i == ss->n_st) {
		if (ss->n_st == STREAMS_MAX) {
			send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
				   "too many streams at once (limit %d)", STREAMS_MAX);
			return;
		}
		ss->n_st++;
	}
	mf_strlcpy(ss->st[i].origin, origin, sizeof(ss->st[i].origin));
	ss->st[i].after = after;
	ss->st[i].credit = credit;
}

static void
on_credit(mf_sync *s, session *ss, const char *origin, uint32_t credit)
{
	for (size_t i = 0; i < ss->n_st; i++)
		if (strcmp(ss->st[i].origin, origin) == 0) {
			uint64_t c = (uint64_t)ss->st[i].credit + credit;
			ss->st[i].credit = c > CREDIT_MAX ? CREDIT_MAX : (uint32_t)c;
			return;
		}
	s->c.unexpected++;
}

static const char *
outcome_name(enum mf_apply_outcome o)
{
	switch (o) {
	case MF_APPLY_OK: return "ok";
	case MF_APPLY_DUPLICATE: return "duplicate";
	case MF_APPLY_BAD_SIGNATURE: return "bad signature";
	case MF_APPLY_NO_LINK: return "does not link to the chain";
	case MF_APPLY_BAD_VERSION: return "bad version";
	case MF_APPLY_FORK: return "fork";
	}
	return "?";
}

static void
send_credit(mf_sync *s, session *ss, const char *origin, uint32_t n)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Credit c = MENTORFED__WIRE__CREDIT__INIT;

	c.origin = (char *)origin;
	c.credit = n;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_CREDIT;
	f.credit = &c;
	sess_send(s, ss, &f);
}

static void
on_batch(mf_sync *s, session *ss, const Mentorfed__Wire__Batch *b)
{
	mf_block_in *in = NULL;
	const uint8_t **vptr = NULL;
	size_t *vlen = NULL, nv = 0, off = 0;
	mf_apply_result res;
	char err[512], origin[MF_REGION_MAX];
	uint64_t vv;
	int rc;

	s->c.batches_rx++;
	if (!ss->pulling || strcmp(b->origin, ss->pull_origin) != 0 || b->after > ss->pull_pos) {
		s->c.unexpected++;
		mf_debug("sync: unexpected batch of %s from peer %s", b->origin, sess_name(ss));
		return;
	}
	mf_strlcpy(origin, b->origin, sizeof(origin));
	ss->pull_last_ms = s->now;
	if (b->n_blocks > BATCH_MAX_BLOCKS) {
		s->c.malformed++;
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, origin,
			   "batch of %zu blocks; the limit is %d", b->n_blocks, BATCH_MAX_BLOCKS);
		pull_stop(ss);
		block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		return;
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		if (b->blocks[i]->n_versions > MF_BLOCK_MAX_LEAVES) {
			s->c.malformed++;
			pull_stop(ss);
			block_origin(s, ss, origin, REJECT_BACKOFF_MS);
			return;
		}
		nv += b->blocks[i]->n_versions;
	}
	in = calloc(b->n_blocks ? b->n_blocks : 1, sizeof(*in));
	vptr = calloc(nv ? nv : 1, sizeof(*vptr));
	vlen = calloc(nv ? nv : 1, sizeof(*vlen));
	if (in == NULL || vptr == NULL || vlen == NULL)
		goto out;
	for (size_t i = 0; i < b->n_blocks; i++) {
		const Mentorfed__Wire__BlockOnWire *w = b->blocks[i];

		in[i].header = w->header.data;
		in[i].header_len = w->header.len;
		in[i].sig = w->signature.data;
		in[i].sig_len = w->signature.len;
		in[i].versions = vptr + off;
		in[i].version_lens = vlen + off;
		in[i].n_versions = w->n_versions;
		for (size_t j = 0; j < w->n_versions; j++) {
			vptr[off + j] = w->versions[j].data;
			vlen[off + j] = w->versions[j].len;
		}
		off += w->n_versions;
	}
	s->c.records_received += nv;
	rc = b->n_blocks ? mf_store_apply(s->node->store, s->node->keyring, in, b->n_blocks, &res,
					  err, sizeof(err)) : 0;
	if (b->n_blocks == 0)
		memset(&res, 0, sizeof(res));
	s->c.blocks_applied += res.applied_blocks;
	s->c.blocks_duplicate += res.duplicate_blocks;
	s->c.records_applied += res.applied_versions;
	s->c.records_stale += res.stale_versions;
	if (res.applied_blocks > 0)
		request_announce(s);	/* relay: tell the other peers */
	if (rc < 0) {
		s->c.store_errors++;
		mf_err("sync: store error applying %s from peer %s: %s", origin, sess_name(ss), err);
		pull_stop(ss);
		block_origin(s, ss, origin, 2000);
		goto out;
	}
	if (rc == 1) {
		switch (res.first_error) {
		case MF_APPLY_BAD_SIGNATURE: s->c.rej_signature++; break;
		case MF_APPLY_NO_LINK: s->c.rej_link++; break;
		case MF_APPLY_BAD_VERSION: s->c.rej_version++; break;
		case MF_APPLY_FORK: s->c.rej_fork++; break;
		default: break;
		}
		if (res.origin[0] == '\0')
			mf_strlcpy(res.origin, origin, sizeof(res.origin));
		mf_warn("sync: rejected a block of %s (seq %llu) from peer %s: %s: %s", res.origin,
			(unsigned long long)res.error_seq, sess_name(ss), outcome_name(res.first_error),
			err);
		if (res.first_error == MF_APPLY_FORK)
			mf_err("sync: FORK: region %s signed two different blocks at seq %llu; both kept as evidence (peer %s); the operator must decide",
			       res.origin, (unsigned long long)res.error_seq, sess_name(ss));
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_REJECTED, origin,
			   "block of %s at seq %llu rejected: %s: %s", res.origin,
			   (unsigned long long)res.error_seq, outcome_name(res.first_error), err);
		pull_stop(ss);
		block_origin(s, ss, origin, REJECT_BACKOFF_MS);
		goto out;
	}
	vv = mf_store_vv(s->node->store, origin, NULL);
	if (b->n_blocks > 0) {
		Mentorfed__BlockHeader *h = mentorfed__block_header__unpack(
			NULL, b->blocks[b->n_blocks - 1]->header.len, b->blocks[b->n_blocks - 1]->header.data);
		if (h) {
			if (h->last_seq > ss->pull_pos)
				ss->pull_pos = h->last_seq;
			mentorfed__block_header__free_unpacked(h, NULL);
		}
	}
	if (b->complete_to > ss->pull_complete_to)
		ss->pull_complete_to = b->complete_to;
	if (b->complete_to > ss->pull_target)
		ss->pull_target = b->complete_to;
	if (vv >= b->complete_to) {
		uint64_t first = 0;
		size_t n = mf_store_withheld(s->node->store, origin, b->complete_to, &first);

		if (n > 0) {
			s->c.withheld += n;
			s->c.withheld_streams++;
			mf_warn("sync: peer %s withheld %zu still-current version(s) of %s (first at seq %llu) in a stream it said was complete to %llu: truncating %s's chain from seq %llu",
				sess_name(ss), n, origin, (unsigned long long)first,
				(unsigned long long)b->complete_to, origin, (unsigned long long)first);
			if (mf_store_truncate_origin(s->node->store, origin, first, err, sizeof(err)) != 0)
				mf_err("sync: truncating %s: %s", origin, err);
			send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_WITHHELD, origin,
				   "stream of %s withheld %zu still-current version(s) from seq %llu",
				   origin, n, (unsigned long long)first);
			pull_stop(ss);
			block_origin(s, ss, origin, REJECT_BACKOFF_MS);
			goto out;
		}
	}
	if (b->end) {
		if (vv < b->complete_to) {
			/* The sender ended short of what it claimed. */
			block_origin(s, ss, origin, 2000);
		}
		mf_debug("sync: stream of %s from peer %s complete to %llu", origin, sess_name(ss),
			 (unsigned long long)vv);
		pull_stop(ss);
		pull_next(s, ss);
		recovery_check(s);
	} else {
		send_credit(s, ss, origin, 1);
	}
out:
	free(in);
	free(vptr);
	free(vlen);
}

static void
on_error(mf_sync *s, session *ss, const Mentorfed__Wire__Error *e)
{
	s->c.peer_errors++;
	if (e->code == MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_PROTOCOL_VERSION) {
		s->c.version_mismatch++;
		mf_err("sync: peer %s refused the link: protocol version mismatch: %s (this node speaks version %u)",
		       sess_name(ss), e->message, MF_PROTOCOL);
		ss->refused = 1;
		kill_session_streams(ss);
		return;
	}
	mf_warn("sync: peer %s reports error %d%s%s: %s", sess_name(ss), (int)e->code,
		e->origin[0] ? " about " : "", e->origin, e->message);
	if (ss->pulling && (e->origin[0] == '\0' || strcmp(e->origin, ss->pull_origin) == 0) &&
	    e->code != MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_REJECTED &&
	    e->code != MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_WITHHELD) {
		block_origin(s, ss, ss->pull_origin, 2000);
		pull_stop(ss);
	}
}

static void
log_malformed(mf_sync *s, session *ss, const char *what)
{
	s->c.malformed++;
	if (s->malformed_logged < 20 || s->malformed_logged % 1000 == 0)
		mf_warn("sync: dropped a malformed frame from %s: %s", ss ? sess_name(ss) : "a peer",
			what);
	s->malformed_logged++;
}

/* Decode and dispatch one payload frame of session ss. */
static void
dispatch(mf_sync *s, session *ss, const uint8_t *data, size_t len)
{
	Mentorfed__Wire__Frame *f;

	s->c.frames_rx++;
	ss->last_rx_ms = s->now;
	if (len > FRAME_MAX) {
		s->c.oversized++;
		log_malformed(s, ss, "frame over the size limit");
		s->c.malformed--;	/* counted as oversized */
		return;
	}
	f = mentorfed__wire__frame__unpack(NULL, len, data);
	if (f == NULL || f->msg_case == MENTORFED__WIRE__FRAME__MSG__NOT_SET) {
		log_malformed(s, ss, f ? "no message in frame" : "does not decode");
		if (f)
			mentorfed__wire__frame__free_unpacked(f, NULL);
		return;
	}
	if (ss->refused && f->msg_case != MENTORFED__WIRE__FRAME__MSG_HELLO) {
		mentorfed__wire__frame__free_unpacked(f, NULL);
		return;
	}
	if (!ss->hello_rx && f->msg_case != MENTORFED__WIRE__FRAME__MSG_HELLO &&
	    f->msg_case != MENTORFED__WIRE__FRAME__MSG_ERROR &&
	    f->msg_case != MENTORFED__WIRE__FRAME__MSG_HEARTBEAT) {
		s->c.unexpected++;
		send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_NOT_READY, NULL,
			   "hello first");
		mentorfed__wire__frame__free_unpacked(f, NULL);
		return;
	}
	switch (f->msg_case) {
	case MENTORFED__WIRE__FRAME__MSG_HELLO:
		if (ss->refused)
			ss->refused = 0;	/* a new hello may fix it */
		on_hello(s, ss, f->hello);
		break;
	case MENTORFED__WIRE__FRAME__MSG_WANT:
		on_want(s, ss, f->want->origin, f->want->after, f->want->credit);
		break;
	case MENTORFED__WIRE__FRAME__MSG_CREDIT:
		on_credit(s, ss, f->credit->origin, f->credit->credit);
		break;
	case MENTORFED__WIRE__FRAME__MSG_BATCH:
		on_batch(s, ss, f->batch);
		break;
	case MENTORFED__WIRE__FRAME__MSG_ANNOUNCE:
		on_announce(s, ss, f->announce);
		break;
	case MENTORFED__WIRE__FRAME__MSG_HEARTBEAT:
		break;
	case MENTORFED__WIRE__FRAME__MSG_ERROR:
		on_error(s, ss, f->error);
		break;
	default:
		log_malformed(s, ss, "unknown message");
		break;
	}
	mentorfed__wire__frame__free_unpacked(f, NULL);
}

/* Receive a whole multipart message into parts (up to max; the rest is
 * drained).  Returns the number of parts (>max means truncated), 0 when
 * nothing was pending. */
static int
recv_parts(void *sock, zmq_msg_t *parts, int max)
{
	int n = 0, more = 1;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (n < max)
			parts[n] = m;
		else
			zmq_msg_close(&m);
		n++;
	}
	return n;
}

static void
close_parts(zmq_msg_t *parts, int n, int max)
{
	for (int i = 0; i < n && i < max; i++)
		zmq_msg_close(&parts[i]);
}

static session *
inbound_find(mf_sync *s, const uint8_t *rid, size_t len)
{
	for (size_t i = 0; i < s->n_in; i++)
		if (s->in[i]->rid_len == len && memcmp(s->in[i]->rid, rid, len) == 0)
			return s->in[i];
	return NULL;
}

static void
router_readable(mf_sync *s)
{
	for (int k = 0; k < RX_PER_HANDLE; k++) {
		zmq_msg_t p[3];
		int n = recv_parts(s->router, p, 3);
		session *ss;
		const char *uid;

		if (n == 0)
			return;
		if (n < 2 || zmq_msg_size(&p[0]) == 0 || zmq_msg_size(&p[0]) > sizeof(ss->rid)) {
			s->c.frames_rx++;
			log_malformed(s, NULL, "no payload frame");
			close_parts(p, n, 3);
			continue;
		}
		ss = inbound_find(s, zmq_msg_data(&p[0]), zmq_msg_size(&p[0]));
		if (ss == NULL) {
			uid = zmq_msg_gets(&p[1], "User-Id");
			if (s->n_in == s->cap_in) {
				size_t nc = s->cap_in ? s->cap_in * 2 : 8;
				session **ni = realloc(s->in, nc * sizeof(*ni));
				if (ni == NULL) {
					close_parts(p, n, 3);
					continue;
				}
				s->in = ni;
				s->cap_in = nc;
			}
			if ((ss = sess_new(1)) == NULL) {
				close_parts(p, n, 3);
				continue;
			}
			ss->rid_len = zmq_msg_size(&p[0]);
			memcpy(ss->rid, zmq_msg_data(&p[0]), ss->rid_len);
			ss->created_ms = s->now;
			if (uid)
				mf_strlcpy(ss->key, uid, sizeof(ss->key));
			{
				const mf_peer_conf *pc = mf_config_peer_by_key(s->node->cfg, ss->key);
				snprintf(ss->name, sizeof(ss->name), "%s", pc ? pc->name : "(unconfigured)");
			}
			s->in[s->n_in++] = ss;
		}
		if (n != 2) {
			s->c.frames_rx++;
			ss->last_rx_ms = s->now;
			log_malformed(s, ss, n > 2 ? "more than one payload frame" : "empty message");
		} else {
			dispatch(s, ss, zmq_msg_data(&p[1]), zmq_msg_size(&p[1]));
		}
		close_parts(p, n, 3);
		if (now_ms(s) >= s->rx_deadline)
			return;
	}
}

static void
dealer_readable(mf_sync *s, peer *p)
{
	for (int k = 0; k < RX_PER_HANDLE && p->dealer && p->out; k++) {
		zmq_msg_t parts[2];
		int n = recv_parts(p->dealer, parts, 2);

		if (n == 0)
			return;
		if (n != 1) {
			s->c.frames_rx++;
			p->out->last_rx_ms = s->now;
			log_malformed(s, p->out, "more than one frame");
		} else {
			dispatch(s, p->out, zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]));
		}
		close_parts(parts, n, 2);
		if (now_ms(s) >= s->rx_deadline)
			return;
	}
}

/* ---------------------------------------------------------------- sockets */

static void
sockopts_common(void *z)
{
	int linger = 0, hwm = HWM;
	int64_t maxmsg = ZMQ_MSG_MAX;
	int ivl = 100, ivlmax = 2000;

	zmq_setsockopt(z, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(z, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(z, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(z, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	zmq_setsockopt(z, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(z, ZMQ_RECONNECT_IVL_MAX, &ivlmax, sizeof(ivlmax));
}

static void
bury(mf_sync *s, void *sock)
{
	if (s->n_grave == s->cap_grave) {
		size_t nc = s->cap_grave ? s->cap_grave * 2 : 8;
		void **ng = realloc(s->grave, nc * sizeof(*ng));
		if (ng == NULL) {
			zmq_close(sock);	/* better than a leak */
			return;
		}
		s->grave = ng;
		s->cap_grave = nc;
	}
	s->grave[s->n_grave++] = sock;
}

static void
bury_all(mf_sync *s)
{
	for (size_t i = 0; i < s->n_grave; i++)
		zmq_close(s->grave[i]);
	s->n_grave = 0;
}

static void
peer_disconnect(mf_sync *s, peer *p)
{
	if (p->dealer) {
		bury(s, p->dealer);
		p->dealer = NULL;
	}
	sess_free(p->out);
	p->out = NULL;
}

static int
peer_connect(mf_sync *s, peer *p)
{
	void *z = zmq_socket(s->ctx, ZMQ_DEALER);
	uint8_t srv[32];

	if (z == NULL)
		return -1;
	sockopts_common(z);
	if (zmq_z85_decode(srv, p->key) == NULL ||
	    zmq_setsockopt(z, ZMQ_CURVE_SERVERKEY, p->key, MF_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(z, ZMQ_CURVE_PUBLICKEY, s->node->curve_pub, MF_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(z, ZMQ_CURVE_SECRETKEY, s->node->curve_sec, MF_Z85_KEY_LEN) != 0 ||
	    zmq_connect(z, p->endpoint) != 0) {
		mf_err("sync: peer %s: cannot connect to %s: %s", p->name, p->endpoint,
		       zmq_strerror(errno));
		zmq_close(z);
		return -1;
	}
	p->dealer = z;
	p->out = sess_new(0);
	if (p->out == NULL) {
		peer_disconnect(s, p);
		return -1;
	}
	p->out->created_ms = s->now;
	p->out->last_rx_ms = s->now;
	mf_strlcpy(p->out->key, p->key, sizeof(p->out->key));
	snprintf(p->out->name, sizeof(p->out->name), "%s", p->name);
	/* The hello waits in the socket's pipe until the link is up. */
	send_hello(s, p->out);
	return 0;
}

static void
peer_free_fields(peer *p)
{
	free(p->name);
	free(p->endpoint);
}

/* Bring s->peers in line with the config: keep unchanged peers and their
 * links, drop removed ones, add new ones. */
static int
peers_sync_config(mf_sync *s)
{
	const mf_config *cfg = s->node->cfg;
	peer *np;
	size_t nn = 0;

	np = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*np));
	if (np == NULL)
		return -1;
	for (size_t i = 0; i < s->n_peers; i++)
		s->peers[i].mark = 0;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const mf_peer_conf *pc = &cfg->peers[i];
		peer *old = NULL;

		for (size_t j = 0; j < s->n_peers; j++)
			if (!s->peers[j].mark && strcmp(s->peers[j].key, pc->curve_key) == 0 &&
			    strcmp(s->peers[j].endpoint, pc->endpoint ? pc->endpoint : "") == 0) {
				old = &s->peers[j];
				break;
			}
		if (old) {
			old->mark = 1;
			np[nn] = *old;
			free(np[nn].name);
			np[nn].name = strdup(pc->name);
		} else {
			np[nn].name = strdup(pc->name);
			np[nn].endpoint = strdup(pc->endpoint ? pc->endpoint : "");
			mf_strlcpy(np[nn].key, pc->curve_key, sizeof(np[nn].key));
			np[nn].backoff_ms = BACKOFF_MIN_MS;
			np[nn].next_connect_ms = 0;
		}
		mf_strlcpy(np[nn].region, pc->region, sizeof(np[nn].region));
		if (np[nn].out)
			snprintf(np[nn].out->name, sizeof(np[nn].out->name), "%s", np[nn].name);
		nn++;
	}
	for (size_t j = 0; j < s->n_peers; j++)
		if (!s->peers[j].mark) {
			mf_info("sync: peer %s removed from the configuration", s->peers[j].name);
			peer_disconnect(s, &s->peers[j]);
			peer_free_fields(&s->peers[j]);
		}
	free(s->peers);
	s->peers = np;
	s->n_peers = nn;
	/* Inbound links of keys no longer configured go. */
	for (size_t i = 0; i < s->n_in; i++) {
		const mf_peer_conf *pc = mf_config_peer_by_key(cfg, s->in[i]->key);
		if (pc == NULL)
			s->in[i]->dead = 1;
		else
			snprintf(s->in[i]->name, sizeof(s->in[i]->name), "%s", pc->name);
	}
	return 0;
}

/* ---------------------------------------------------------------- API */

/* The store's progress hook while it applies a batch: the loop is not
 * turning, so send the heartbeats that fall due meanwhile, lest a large
 * apply (or a slow disk) makes our peers take us for dead. */
static void
keepalive(void *arg)
{
	mf_sync *s = arg;
	uint64_t hb = s->node->cfg->heartbeat_ms;

	now_ms(s);
	for (size_t i = 0; i < s->n_peers; i++) {
		session *ss = s->peers[i].out;
		if (ss && ss->hello_sent && s->now >= ss->last_tx_ms + hb)
			send_heartbeat(s, ss);
	}
	for (size_t i = 0; i < s->n_in; i++) {
		session *ss = s->in[i];
		if (ss->hello_rx && !ss->dead && s->now >= ss->last_tx_ms + hb)
			send_heartbeat(s, ss);
	}
}

/* Has this socket input waiting?  Then its peer is not silent: we have
 * only not read it yet (the loop was busy). */
static int
input_pending(void *sock)
{
	int ev = 0;
	size_t len = sizeof(ev);

	return sock && zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN);
}

mf_sync *
mf_sync_new(void *ctx, mf_node *node, char *err, size_t errlen)
{
	mf_sync *s = calloc(1, sizeof(*s));
	const char *own = node->cfg->region;
	char buf[8];

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->ctx = ctx;
	s->node = node;
	now_ms(s);
	if ((s->zap = mf_zap_open(ctx)) == NULL) {
		snprintf(err, errlen, "cannot bind the ZAP handler %s: %s", MF_ZAP_ENDPOINT,
			 zmq_strerror(errno));
		goto bad;
	}
	if (node->cfg->listen && node->cfg->listen[0]) {
		int one = 1;
		const char *dom = MF_ZAP_DOMAIN;

		if ((s->router = zmq_socket(ctx, ZMQ_ROUTER)) == NULL)
			goto zerr;
		sockopts_common(s->router);
		zmq_setsockopt(s->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
		zmq_setsockopt(s->router, ZMQ_CURVE_SERVER, &one, sizeof(one));
		zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, node->curve_sec, MF_Z85_KEY_LEN);
		zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, dom, strlen(dom));
		if (zmq_bind(s->router, node->cfg->listen) != 0) {
			snprintf(err, errlen, "cannot listen on %s: %s", node->cfg->listen,
				 zmq_strerror(errno));
			goto bad;
		}
	}
	if (peers_sync_config(s) != 0) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	/* Disaster recovery: a node whose store was just created, whose own
	 * chain is empty and that has peers first learns its own chain from
	 * them.  The flag is persisted so a restart mid-recovery keeps it. */
	if (node->store_was_new && mf_store_vv(node->store, own, NULL) == 0 && s->n_peers > 0)
		mf_store_meta_set(node->store, "sync_recovering", "1");
	if (mf_store_meta_get(node->store, "sync_recovering", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "1") == 0) {
		s->recovering = 1;
		snprintf(node->writes_refused, sizeof(node->writes_refused), "%s",
			 "the node is recovering its own records from peers after losing its store; try again when 'mentorfed status' no longer says recovering");
		mf_warn("sync: the store of %s is new and holds none of its own records: recovering them from peers before any local write",
			own);
	}
	mf_store_set_progress(node->store, keepalive, s);
	return s;
zerr:
	snprintf(err, errlen, "zmq: %s", zmq_strerror(errno));
bad:
	mf_sync_free(s);
	return NULL;
}

void
mf_sync_free(mf_sync *s)
{
	if (s == NULL)
		return;
	if (s->node && s->node->store)
		mf_store_set_progress(s->node->store, NULL, NULL);
	for (size_t i = 0; i < s->n_peers; i++) {
		peer_disconnect(s, &s->peers[i]);
		peer_free_fields(&s->peers[i]);
	}
	free(s->peers);
	for (size_t i = 0; i < s->n_in; i++)
		sess_free(s->in[i]);
	free(s->in);
	bury_all(s);
	free(s->grave);
	if (s->router)
		zmq_close(s->router);
	if (s->zap)
		zmq_close(s->zap);
	free(s);
}

int
mf_sync_pollitems_max(const mf_sync *s)
{
	return 2 + (int)s->n_peers;
}

int
mf_sync_pollitems(mf_sync *s, zmq_pollitem_t *items, int max)
{
	int n = 0;

	bury_all(s);
	if (n < max && s->zap) {
		items[n] = (zmq_pollitem_t){ .socket = s->zap, .events = ZMQ_POLLIN };
		n++;
	}
	if (n < max && s->router) {
		items[n] = (zmq_pollitem_t){ .socket = s->router, .events = ZMQ_POLLIN };
		n++;
	}
	for (size_t i = 0; i < s->n_peers && n < max; i++)
		if (s->peers[i].dealer) {
			items[n] = (zmq_pollitem_t){ .socket = s->peers[i].dealer, .events = ZMQ_POLLIN };
			n++;
		}
	return n;
}

void
mf_sync_handle(mf_sync *s, zmq_pollitem_t *items, int n)
{
	s->rx_deadline = now_ms(s) + RX_BUDGET_MS;
	/* The ZAP handler first: a handshake may wait on it. */
	for (int i = 0; i < n; i++) {
		if (!(items[i].revents & ZMQ_POLLIN))
			continue;
		if (items[i].socket == s->zap && s->zap)
			mf_zap_handle(s->zap, s->node->cfg, &s->zst);
	}
	for (int i = 0; i < n; i++) {
		if (!(items[i].revents & ZMQ_POLLIN) || items[i].socket == NULL)
			continue;
		if (items[i].socket == s->zap)
			continue;
		if (items[i].socket == s->router && s->router) {
			router_readable(s);
			continue;
		}
		/* A reload may have closed the socket since the poll: match
		 * against the live ones only. */
		for (size_t k = 0; k < s->n_peers; k++)
			if (s->peers[k].dealer == items[i].socket) {
				dealer_readable(s, &s->peers[k]);
				break;
			}
	}
}

static long
min_due(long cur, uint64_t due, uint64_t now)
{
	long d = due > now ? (long)(due - now) : 0;
	return cur < 0 || d < cur ? d : cur;
}

long
mf_sync_tick(mf_sync *s, uint64_t now)
{
	const mf_config *cfg = s->node->cfg;
	uint64_t hb = cfg->heartbeat_ms ? cfg->heartbeat_ms : 1000;
	uint64_t to = cfg->peer_timeout_ms ? cfg->peer_timeout_ms : 5 * hb;
	long next = (long)hb;
	int new_socket = 0, router_pending;

	s->now = now;
	/* Outgoing links: connect, reconnect with back-off, heartbeats. */
	for (size_t i = 0; i < s->n_peers; i++) {
		peer *p = &s->peers[i];

		if (p->endpoint == NULL || p->endpoint[0] == '\0')
			continue;
		if (p->dealer == NULL) {
			if (now >= p->next_connect_ms) {
				if (peer_connect(s, p) != 0) {
					p->next_connect_ms = now + p->backoff_ms;
					p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ?
								BACKOFF_MAX_MS : p->backoff_ms * 2;
				} else {
					new_socket = 1;	/* poll it at once */
				}
			}
			if (p->dealer == NULL) {
				next = min_due(next, p->next_connect_ms, now);
				continue;
			}
		}
		if (p->out->refused || (now >= p->out->last_rx_ms + to && !input_pending(p->dealer))) {
			if (p->out->hello_rx)
				mf_warn("sync: peer %s (%s) is silent for %llu ms: link down, reconnecting",
					p->name, p->endpoint, (unsigned long long)(now - p->out->last_rx_ms));
			s->c.reconnects++;
			peer_disconnect(s, p);
			p->next_connect_ms = now + p->backoff_ms;
			p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
									   p->backoff_ms * 2;
			next = min_due(next, p->next_connect_ms, now);
			continue;
		}
		if (!p->out->hello_sent)
			send_hello(s, p->out);
		if (now >= p->out->last_tx_ms + hb)
			send_heartbeat(s, p->out);
		next = min_due(next, p->out->last_tx_ms + hb, now);
		next = min_due(next, p->out->last_rx_ms + to, now);
	}
	/* Inbound links: heartbeats, expiry. */
	router_pending = input_pending(s->router);
	for (size_t i = 0; i < s->n_in;) {
		session *ss = s->in[i];

		if (ss->dead || (now >= ss->last_rx_ms + to && !router_pending)) {
			if (ss->hello_rx)
				mf_info("sync: inbound link of peer %s is down", sess_name(ss));
			sess_free(ss);
			s->in[i] = s->in[--s->n_in];
			continue;
		}
		if (ss->hello_rx && now >= ss->last_tx_ms + hb)
			send_heartbeat(s, ss);
		next = min_due(next, ss->last_tx_ms + hb, now);
		i++;
	}
	/* Streams: stalls and new pulls. */
	{
		session *all[1024];
		size_t na = 0;

		for (size_t i = 0; i < s->n_peers && na < 1024; i++)
			if (s->peers[i].out)
				all[na++] = s->peers[i].out;
		for (size_t i = 0; i < s->n_in && na < 1024; i++)
			all[na++] = s->in[i];
		for (size_t i = 0; i < na; i++) {
			session *ss = all[i];
			if (ss->pulling && now >= ss->pull_last_ms + to) {
				mf_warn("sync: stream of %s from peer %s stalled; asking again",
					ss->pull_origin, sess_name(ss));
				pull_stop(ss);
			}
			if (!ss->pulling)
				pull_next(s, ss);
		}
	}
	/* Announce new blocks (local commits, applied relays). */
	if (s->announce_pending && now >= s->announce_due) {
		vv_collect vc;

		vv_build(s, &vc);
		for (size_t i = 0; i < s->n_peers; i++)
			if (sess_ready(s->peers[i].out))
				send_announce(s, s->peers[i].out, &vc);
		for (size_t i = 0; i < s->n_in; i++)
			if (sess_ready(s->in[i]))
				send_announce(s, s->in[i], &vc);
		vv_collect_free(&vc);
		s->announce_pending = 0;
	} else if (s->announce_pending) {
		next = min_due(next, s->announce_due, now);
	}
	if (s->recovering) {
		recovery_check(s);
		if (s->recovering)
			next = min_due(next, now + 200, now);
	}
	if (serve_all(s) || new_socket)
		next = 0;
	return next < 0 ? 0 : next;
}

void
mf_sync_announce(mf_sync *s)
{
	s->now = mf_mono_ms();
	request_announce(s);
}

int
mf_sync_reload(mf_sync *s, char *err, size_t errlen)
{
	now_ms(s);
	if (peers_sync_config(s) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Newly trusted regions may now be pulled. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			pull_next(s, s->peers[i].out);
	for (size_t i = 0; i < s->n_in; i++)
		pull_next(s, s->in[i]);
	return 0;
}

int
mf_sync_recovering(const mf_sync *s)
{
	return s != NULL && s->recovering;
}

/* ---------------------------------------------------------------- status */

static json_t *
sess_json(mf_sync *s, session *ss)
{
	json_t *j = json_object();

	json_object_set_new(j, "direction", json_string(ss->inbound ? "inbound" : "outbound"));
	json_object_set_new(j, "connected", json_boolean(sess_ready(ss)));
	json_object_set_new(j, "region", json_string(ss->region));
	if (ss->hello_rx)
		json_object_set_new(j, "since_ms", json_integer((json_int_t)ss->since_wall_ms));
	json_object_set_new(j, "last_heard_ms_ago",
			    json_integer((json_int_t)(s->now - ss->last_rx_ms)));
	if (ss->pulling) {
		json_t *c = json_object();
		uint64_t have = mf_store_vv(s->node->store, ss->pull_origin, NULL);
		uint64_t span = ss->pull_target > ss->pull_start ? ss->pull_target - ss->pull_start : 0;
		uint64_t done = have > ss->pull_start ? have - ss->pull_start : 0;

		json_object_set_new(c, "origin", json_string(ss->pull_origin));
		json_object_set_new(c, "from", json_integer((json_int_t)ss->pull_start));
		json_object_set_new(c, "at", json_integer((json_int_t)have));
		json_object_set_new(c, "to", json_integer((json_int_t)ss->pull_target));
		json_object_set_new(c, "percent",
				    json_real(span ? 100.0 * (double)done / (double)span : 100.0));
		json_object_set_new(j, "catchup", c);
	}
	json_object_set_new(j, "serving", json_integer((json_int_t)ss->n_st));
	return j;
}

typedef struct status_ctx {
	mf_sync *s;
	json_t *origins;
} status_ctx;

static uint64_t
best_known(mf_sync *s, const char *origin, const char **who)
{
	uint64_t best = 0;

	for (size_t i = 0; i < s->n_peers; i++)
		if (sess_ready(s->peers[i].out) && vv_get(&s->peers[i].out->known, origin) > best) {
			best = vv_get(&s->peers[i].out->known, origin);
			*who = s->peers[i].name;
		}
	for (size_t i = 0; i < s->n_in; i++)
		if (sess_ready(s->in[i]) && vv_get(&s->in[i]->known, origin) > best) {
			best = vv_get(&s->in[i]->known, origin);
			*who = s->in[i]->name;
		}
	return best;
}

static void
origin_json(mf_sync *s, json_t *origins, const char *origin, uint64_t seq)
{
	const char *who = NULL;
	uint64_t best;
	json_t *o;
	int64_t forks;

	if (json_object_get(origins, origin))
		return;
	best = best_known(s, origin, &who);
	forks = mf_store_forks(s->node->store, origin);
	o = json_object();
	json_object_set_new(o, "held", json_integer((json_int_t)seq));
	json_object_set_new(o, "best_peer", json_integer((json_int_t)best));
	if (who)
		json_object_set_new(o, "best_peer_name", json_string(who));
	json_object_set_new(o, "lag", json_integer((json_int_t)(best > seq ? best - seq : 0)));
	json_object_set_new(o, "trusted",
			    json_boolean(mf_keyring_get(s->node->keyring, origin) != NULL));
	json_object_set_new(o, "forks", json_integer(forks > 0 ? forks : 0));
	json_object_set_new(o, "fork_flag", json_boolean(forks > 0));
	json_object_set_new(origins, origin, o);
}

static int
status_origin(void *arg, const char *origin, uint64_t seq)
{
	status_ctx *c = arg;

	origin_json(c->s, c->origins, origin, seq);
	return 0;
}

json_t *
mf_sync_status(mf_sync *s)
{
	json_t *j = json_object(), *peers = json_array(), *origins = json_object(), *c;
	status_ctx sc = { s, origins };

	now_ms(s);
	json_object_set_new(j, "protocol", json_integer(MF_PROTOCOL));
	json_object_set_new(j, "recovering", json_boolean(s->recovering));
	for (size_t i = 0; i < s->n_peers; i++) {
		peer *p = &s->peers[i];
		json_t *pj = json_object(), *links = json_array();
		int connected = 0;
		uint64_t since = 0;
		const char *region = p->region;

		json_object_set_new(pj, "name", json_string(p->name));
		json_object_set_new(pj, "endpoint", json_string(p->endpoint));
		json_object_set_new(pj, "curve_key", json_string(p->key));
		if (p->out) {
			json_array_append_new(links, sess_json(s, p->out));
			if (sess_ready(p->out)) {
				connected = 1;
				since = p->out->since_wall_ms;
				if (p->out->region[0])
					region = p->out->region;
			}
		}
		for (size_t k = 0; k < s->n_in; k++)
			if (strcmp(s->in[k]->key, p->key) == 0) {
				json_array_append_new(links, sess_json(s, s->in[k]));
				if (sess_ready(s->in[k])) {
					if (!connected || s->in[k]->since_wall_ms < since)
						since = s->in[k]->since_wall_ms;
					connected = 1;
					if (s->in[k]->region[0])
						region = s->in[k]->region;
				}
			}
		json_object_set_new(pj, "region", json_string(region));
		json_object_set_new(pj, "connected", json_boolean(connected));
		if (connected) {
			char iso[32];
			time_t t = (time_t)(since / 1000);
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
			json_object_set_new(pj, "since", json_string(iso));
		} else {
			json_object_set_new(pj, "since", json_null());
		}
		json_object_set_new(pj, "links", links);
		json_array_append_new(peers, pj);
	}
	json_object_set_new(j, "peers", peers);
	mf_store_vv_each(s->node->store, status_origin, &sc);
	/* Origins peers hold that this node has nothing of yet. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			for (size_t k = 0; k < s->peers[i].out->known.n; k++)
				origin_json(s, origins, s->peers[i].out->known.e[k].origin, 0);
	for (size_t i = 0; i < s->n_in; i++)
		for (size_t k = 0; k < s->in[i]->known.n; k++)
			origin_json(s, origins, s->in[i]->known.e[k].origin, 0);
	json_object_set_new(j, "origins", origins);
	c = json_object();
#define CNT(name, v) json_object_set_new(c, name, json_integer((json_int_t)(v)))
	CNT("frames_received", s->c.frames_rx);
	CNT("frames_sent", s->c.frames_tx);
	CNT("frames_malformed", s->c.malformed);
	CNT("frames_oversized", s->c.oversized);
	CNT("frames_unexpected", s->c.unexpected);
	CNT("sends_would_block", s->c.send_blocked);
	CNT("batches_received", s->c.batches_rx);
	CNT("batches_sent", s->c.batches_tx);
	CNT("blocks_sent", s->c.blocks_sent);
	CNT("records_sent", s->c.versions_sent);
	CNT("records_received", s->c.records_received);
	CNT("records_applied", s->c.records_applied);
	CNT("records_stale", s->c.records_stale);
	CNT("blocks_applied", s->c.blocks_applied);
	CNT("blocks_duplicate", s->c.blocks_duplicate);
	CNT("rejected_bad_signature", s->c.rej_signature);
	CNT("rejected_no_link", s->c.rej_link);
	CNT("rejected_bad_version", s->c.rej_version);
	CNT("rejected_fork", s->c.rej_fork);
	CNT("rejected", s->c.rej_signature + s->c.rej_link + s->c.rej_version + s->c.rej_fork);
	CNT("withheld_versions", s->c.withheld);
	CNT("withheld_streams", s->c.withheld_streams);
	CNT("forks", mf_store_forks(s->node->store, NULL) > 0 ? mf_store_forks(s->node->store, NULL) : 0);
	CNT("protocol_mismatches", s->c.version_mismatch);
	CNT("peer_errors", s->c.peer_errors);
	CNT("reconnects", s->c.reconnects);
	CNT("store_errors", s->c.store_errors);
	CNT("zap_admitted", s->zst.admitted);
	CNT("zap_denied", s->zst.denied);
#undef CNT
	json_object_set_new(j, "counters", c);
	return j;
}
