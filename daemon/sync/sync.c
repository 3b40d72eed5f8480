/*
 * sync.c — federated sync over ZeroMQ (doc/PROTOCOL.md): the API the
 * daemon's loop calls (sync.h).  Sockets are read here and each frame is
 * decoded once and dispatched to the links, serving or pulling side; the
 * private state and the split by concern are described in sync_int.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zmq.h>

#include "apply.h"
#include "kinds.h"
#include "log.h"
#include "proto/records.pb-c.h"
#include "proto/wire.pb-c.h"
#include "record.h"
#include "store.h"
#include "sync.h"
#include "sync_conns.h"
#include "sync_int.h"
#include "util.h"
#include "zap.h"

uint64_t
sy_now_ms(mf_sync *s)
{
	s->now = mf_mono_ms();
	return s->now;
}

/* See sync_int.h.  When a window opens after lines were held back, say
 * how many. */
int
sy_ratelim(mf_sync *s, ratelim *r, const char *what)
{
	if (s->now >= r->win_ms + RATELIM_MS) {
		if (r->suppressed > 0)
			mf_warn("sync: %llu more %s not logged in the last %d s",
				(unsigned long long)r->suppressed, what, RATELIM_MS / 1000);
		r->win_ms = s->now;
		r->n = 0;
		r->suppressed = 0;
	}
	if (r->n < RATELIM_N) {
		r->n++;
		return 1;
	}
	r->suppressed++;
	return 0;
}

/* ------------------------------------------------------------ fd limits */

/* Raise the soft RLIMIT_NOFILE to the hard one: libzmq aborts the whole
 * process when an accept or a new socket meets EMFILE (issue 12: 1,100
 * idle TCP connections under the systemd default of 1024 killed the
 * node), so the node takes every descriptor it is allowed. */
static uint64_t
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		if (want == RLIM_INFINITY || want > (1u << 20))
			want = 1u << 20;
		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	return rl.rlim_cur == RLIM_INFINITY ? (1u << 20) : (uint64_t)rl.rlim_cur;
}

static size_t
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Connections are accepted by libzmq's I/O thread, before ZAP or anything
 * of ours sees them, and an idle TCP connection costs a descriptor until
 * the handshake times out (ZMQ_HANDSHAKE_IVL, [node] handshake_ms).  Should open descriptors
 * still reach FD_PAUSE_PCT of the limit, the listener is closed (libzmq
 * then closes every connection it accepted: peers reconnect, our own
 * outbound links stay) and bound again FD_PAUSE_MS later.
 */
#define FD_PAUSE_PCT 70
#define FD_PAUSE_MS 1000
#define FD_CHECK_MS 250

static void
fd_guard(mf_sync *s)
{
	size_t n;

	if (s->router == NULL || s->nofile == 0)
		return;
	if (s->listener_paused) {
		if (s->now < s->resume_ms)
			return;
		if (open_fds() * 100 >= s->nofile * FD_PAUSE_PCT) {
			s->resume_ms = s->now + FD_PAUSE_MS;
			return;
		}
		if (zmq_bind(s->router, s->node->cfg->listen) != 0) {
			s->resume_ms = s->now + FD_PAUSE_MS;
			if (sy_ratelim(s, &s->rejlog, "listener messages"))
				mf_err("sync: cannot listen on %s again: %s", s->node->cfg->listen,
				       zmq_strerror(errno));
			return;
		}
		s->listener_paused = 0;
		mf_warn("sync: listening on %s again", s->node->cfg->listen);
		return;
	}
	if (s->now < s->fd_check_ms + FD_CHECK_MS)
		return;
	s->fd_check_ms = s->now;
	n = open_fds();
	if (n * 100 < s->nofile * FD_PAUSE_PCT)
		return;
	s->c.listener_paused++;
	if (sy_ratelim(s, &s->rejlog, "listener messages"))
		mf_err("sync: %zu of %llu file descriptors open (unauthenticated connections to %s?): closing the listener and every inbound connection for %d ms",
		       n, (unsigned long long)s->nofile, s->node->cfg->listen, FD_PAUSE_MS);
	{
		/* The endpoint as bound: a wildcard or port 0 in the config
		 * is not what zmq_unbind wants. */
		char ep[256];
		size_t len = sizeof(ep);

		if (zmq_getsockopt(s->router, ZMQ_LAST_ENDPOINT, ep, &len) != 0 || len == 0)
			mf_strlcpy(ep, s->node->cfg->listen, sizeof(ep));
		if (zmq_unbind(s->router, ep) == 0) {
			sy_conns_reset(s->conns);
			s->listener_paused = 1;
			s->resume_ms = s->now + FD_PAUSE_MS;
			for (size_t i = 0; i < s->n_in; i++)
				s->in[i]->dead = 1;
		}
	}
}

/* Inbound connections the listener holds at once: [node] max_inbound, or
 * half of the descriptors (the other half is the margin for what libzmq
 * accepts before the monitor's thread sees it, and for the node itself:
 * the store, outbound links, the control socket, plugin runs). */
static size_t
max_inbound(const mf_sync *s)
{
	size_t n = s->node->cfg->max_inbound;

	if (n == 0)
		n = (size_t)(s->nofile / 2);
	return n > 0 ? n : 1;
}

static void
log_malformed(mf_sync *s, session *ss, const char *what)
{
	s->c.malformed++;
	if (s->malformed_logged < 20 || s->malformed_logged % 1000 == 0)
		mf_warn("sync: dropped a malformed frame from %s: %s", ss ? sy_sess_name(ss) : "a peer",
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
	if (!ss->hello_rx && f->msg_case == MENTORFED__WIRE__FRAME__MSG_HEARTBEAT &&
	    s->now >= ss->notready_ms + 1000 && s->now >= ss->created_ms + 1000) {
		/* Heartbeats on a link that never said Hello: the peer believes
		 * in a session we do not have (we restarted and ZeroMQ
		 * reconnected it).  Tell it, at most once a second, so that it
		 * says Hello again instead of timing out. */
		ss->notready_ms = s->now;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_NOT_READY, NULL,
			      "hello first");
	}
	if (!ss->hello_rx && f->msg_case != MENTORFED__WIRE__FRAME__MSG_HELLO &&
	    f->msg_case != MENTORFED__WIRE__FRAME__MSG_ERROR &&
	    f->msg_case != MENTORFED__WIRE__FRAME__MSG_HEARTBEAT) {
		s->c.unexpected++;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_NOT_READY, NULL,
			   "hello first");
		mentorfed__wire__frame__free_unpacked(f, NULL);
		return;
	}
	switch (f->msg_case) {
	case MENTORFED__WIRE__FRAME__MSG_HELLO:
		if (ss->refused)
			ss->refused = 0;	/* a new hello may fix it */
		sy_on_hello(s, ss, f->hello);
		break;
	case MENTORFED__WIRE__FRAME__MSG_WANT:
		sy_on_want(s, ss, f->want->origin, f->want->after, f->want->credit);
		break;
	case MENTORFED__WIRE__FRAME__MSG_CREDIT:
		sy_on_credit(s, ss, f->credit->origin, f->credit->credit);
		break;
	case MENTORFED__WIRE__FRAME__MSG_BATCH:
		if (sy_on_batch(s, ss, f))
			return;		/* kept: applied in slices */
		break;
	case MENTORFED__WIRE__FRAME__MSG_ANNOUNCE:
		sy_on_announce(s, ss, f->announce);
		break;
	case MENTORFED__WIRE__FRAME__MSG_HEARTBEAT:
		break;
	case MENTORFED__WIRE__FRAME__MSG_ERROR:
		sy_on_error(s, ss, f->error);
		sy_recover_on_error(s, ss, f->error);
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

/* A new inbound session for routing id rid; its CURVE key is the ZAP
 * handler's User-Id on the payload frame. */
static session *
inbound_new(mf_sync *s, zmq_msg_t *rid, zmq_msg_t *payload)
{
	const char *uid = zmq_msg_gets(payload, "User-Id");
	const mf_peer_conf *pc;
	session *ss;

	if (s->n_in == s->cap_in) {
		s->cap_in = s->cap_in ? s->cap_in * 2 : 8;
		s->in = mf_xrealloc(s->in, s->cap_in * sizeof(*s->in));
	}
	ss = sy_sess_new(1);
	ss->rid_len = zmq_msg_size(rid);
	memcpy(ss->rid, zmq_msg_data(rid), ss->rid_len);
	ss->created_ms = s->now;
	if (uid)
		mf_strlcpy(ss->key, uid, sizeof(ss->key));
	pc = mf_config_peer_by_key(s->node->cfg, ss->key);
	snprintf(ss->name, sizeof(ss->name), "%s", pc ? pc->name : "(unconfigured)");
	s->in[s->n_in++] = ss;
	return ss;
}

static void
router_readable(mf_sync *s)
{
	for (int k = 0; k < RX_PER_HANDLE; k++) {
		zmq_msg_t p[3];
		int n = recv_parts(s->router, p, 3);
		session *ss;

		if (n == 0)
			return;
		if (n < 2 || zmq_msg_size(&p[0]) == 0 || zmq_msg_size(&p[0]) > sizeof(ss->rid)) {
			s->c.frames_rx++;
			log_malformed(s, NULL, "no payload frame");
			close_parts(p, n, 3);
			continue;
		}
		ss = inbound_find(s, zmq_msg_data(&p[0]), zmq_msg_size(&p[0]));
		if (ss == NULL)
			ss = inbound_new(s, &p[0], &p[1]);
		if (n != 2) {
			s->c.frames_rx++;
			ss->last_rx_ms = s->now;
			log_malformed(s, ss, n > 2 ? "more than one payload frame" : "empty message");
		} else {
			dispatch(s, ss, zmq_msg_data(&p[1]), zmq_msg_size(&p[1]));
		}
		close_parts(p, n, 3);
		if (sy_now_ms(s) >= s->rx_deadline)
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
		if (sy_now_ms(s) >= s->rx_deadline)
			return;
	}
}

/* ---------------------------------------------------------------- API */

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
	mf_sync *s = mf_xcalloc(1, sizeof(*s));

	s->ctx = ctx;
	s->node = node;
	/* a catch-up's apply steps share transactions (sync_pull.c) */
	mf_records_apply_group(node, 1);
	sy_now_ms(s);
	s->nofile = raise_nofile();
	if (s->nofile < 4096)
		mf_warn("sync: only %llu file descriptors allowed (RLIMIT_NOFILE); a node with a listener wants 65536 (LimitNOFILE= in the systemd unit)",
			(unsigned long long)s->nofile);
	if ((s->zap = mf_zap_open(ctx)) == NULL) {
		snprintf(err, errlen, "cannot bind the ZAP handler %s: %s", MF_ZAP_ENDPOINT,
			 zmq_strerror(errno));
		goto bad;
	}
	if (node->cfg->listen && node->cfg->listen[0]) {
		int one = 1, hs = (int)node->cfg->handshake_ms;
		const char *dom = MF_ZAP_DOMAIN;

		if ((s->router = zmq_socket(ctx, ZMQ_ROUTER)) == NULL)
			goto zerr;
		sy_sockopts_common(s->router);
		zmq_setsockopt(s->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
		zmq_setsockopt(s->router, ZMQ_CURVE_SERVER, &one, sizeof(one));
		zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, node->curve_sec, MF_Z85_KEY_LEN);
		zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, dom, strlen(dom));
		/* An idle or stalled handshake holds a descriptor: drop it. */
		zmq_setsockopt(s->router, ZMQ_HANDSHAKE_IVL, &hs, sizeof(hs));
		if (zmq_bind(s->router, node->cfg->listen) != 0) {
			snprintf(err, errlen, "cannot listen on %s: %s", node->cfg->listen,
				 zmq_strerror(errno));
			goto bad;
		}
		/* Connection limits, per source and in all (sync_conns.h):
		 * without the monitor the node still runs, guarded by
		 * fd_guard alone. */
		if ((s->conns = sy_conns_open(ctx, s->router, max_inbound(s))) == NULL)
			mf_warn("sync: cannot monitor the listener (%s): no limit on inbound connections but the descriptor guard",
				zmq_strerror(errno));
	}
	if (sy_peers_sync_config(s) != 0) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	sy_recover_init(s);
	{
		/* The heads the first push starts from (no link is ready yet:
		 * nothing is sent). */
		vv_collect vc;

		sy_vv_build(s, &vc);
		sy_push_all(s, &vc);
		sy_vv_collect_free(&vc);
	}
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
	char err[256];

	if (s == NULL)
		return;
	if (mf_records_apply_flush(s->node, err, sizeof(err)) != 0)
		mf_err("sync: committing the last received blocks: %s", err);
	mf_records_apply_group(s->node, 0);
	for (size_t i = 0; i < s->n_peers; i++) {
		sy_peer_disconnect(s, &s->peers[i]);
		sy_peer_free_fields(&s->peers[i]);
	}
	free(s->peers);
	for (size_t i = 0; i < s->n_in; i++)
		sy_sess_free(s->in[i]);
	free(s->in);
	sy_bury_all(s);
	free(s->grave);
	free(s->heads.e);
	sy_conns_close(s->conns);
	if (s->router)
		zmq_close(s->router);
	if (s->zap)
		zmq_close(s->zap);
	free(s);
}

int
mf_sync_pollitems_max(const mf_sync *s)
{
	return 3 + (int)s->n_peers;
}

int
mf_sync_pollitems(mf_sync *s, zmq_pollitem_t *items, int max)
{
	int n = 0;

	sy_bury_all(s);
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
	s->rx_deadline = sy_now_ms(s) + RX_BUDGET_MS;
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

/* Outgoing link of p: connect, reconnect with back-off, hello, heartbeat.
 * Lowers *next to when it is due again; sets *new_socket on a connect. */
static void
tick_outbound(mf_sync *s, peer *p, uint64_t now, uint64_t hb, uint64_t to, long *next,
	      int *new_socket)
{
	if (p->endpoint == NULL || p->endpoint[0] == '\0')
		return;
	if (p->dealer == NULL) {
		if (now >= p->next_connect_ms) {
			if (sy_peer_connect(s, p) != 0) {
				p->next_connect_ms = now + p->backoff_ms;
				p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
										   p->backoff_ms * 2;
			} else {
				*new_socket = 1;	/* poll it at once */
			}
		}
		if (p->dealer == NULL) {
			*next = min_due(*next, p->next_connect_ms, now);
			return;
		}
	}
	if (p->out->refused || (now >= p->out->last_rx_ms + to && !input_pending(p->dealer))) {
		if (p->out->hello_rx)
			mf_warn("sync: peer %s (%s) is silent for %llu ms: link down, reconnecting",
				p->name, p->endpoint, (unsigned long long)(now - p->out->last_rx_ms));
		s->c.reconnects++;
		sy_peer_disconnect(s, p);
		p->next_connect_ms = now + p->backoff_ms;
		p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
								   p->backoff_ms * 2;
		*next = min_due(*next, p->next_connect_ms, now);
		return;
	}
	if (!p->out->hello_sent)
		sy_send_hello(s, p->out);
	if (now >= p->out->last_tx_ms + hb)
		sy_send_heartbeat(s, p->out);
	*next = min_due(*next, p->out->last_tx_ms + hb, now);
	*next = min_due(*next, p->out->last_rx_ms + to, now);
}

/* Inbound links: heartbeats, expiry. */
static void
tick_inbound(mf_sync *s, uint64_t now, uint64_t hb, uint64_t to, long *next)
{
	int router_pending = input_pending(s->router);

	for (size_t i = 0; i < s->n_in;) {
		session *ss = s->in[i];

		if (ss->dead || (now >= ss->last_rx_ms + to && !router_pending)) {
			if (ss->hello_rx)
				mf_info("sync: inbound link of peer %s is down", sy_sess_name(ss));
			sy_sess_free(ss);
			s->in[i] = s->in[--s->n_in];
			continue;
		}
		if (ss->hello_rx && now >= ss->last_tx_ms + hb)
			sy_send_heartbeat(s, ss);
		*next = min_due(*next, ss->last_tx_ms + hb, now);
		i++;
	}
}

/* A stalled stream is asked again; an idle session starts its next pull. */
static void
tick_stream(mf_sync *s, session *ss, uint64_t now, uint64_t to)
{
	if (ss->pulling && now >= ss->pull_last_ms + to) {
		mf_warn("sync: stream of %s from peer %s stalled; asking again", ss->pull_origin,
			sy_sess_name(ss));
		sy_pull_stop(ss);
	}
	if (!ss->pulling)
		sy_pull_next(s, ss);
}

/* Announce new blocks (local commits, applied relays) to every ready link. */
static void
tick_announce(mf_sync *s)
{
	vv_collect vc;

	sy_vv_build(s, &vc);
	/* Caught-up peers get the new blocks first, in the same turn (no
	 * Want round trip); the Announce still follows on every link, so a
	 * push that was dropped or refused costs nothing but the frame. */
	sy_push_all(s, &vc);
	for (size_t i = 0; i < s->n_peers; i++)
		if (sy_sess_ready(s->peers[i].out))
			sy_send_announce(s, s->peers[i].out, &vc);
	for (size_t i = 0; i < s->n_in; i++)
		if (sy_sess_ready(s->in[i]))
			sy_send_announce(s, s->in[i], &vc);
	sy_vv_collect_free(&vc);
	s->announce_pending = 0;
}

long
mf_sync_tick(mf_sync *s, uint64_t now)
{
	const mf_config *cfg = s->node->cfg;
	uint64_t hb = cfg->heartbeat_ms ? cfg->heartbeat_ms : 1000;
	uint64_t to = cfg->peer_timeout_ms ? cfg->peer_timeout_ms : 5 * hb;
	long next = (long)hb;
	int new_socket = 0;

	s->now = now;
	fd_guard(s);
	if (s->listener_paused)
		next = min_due(next, s->resume_ms, now);
	else if (s->router)
		next = min_due(next, s->fd_check_ms + FD_CHECK_MS, now);
	for (size_t i = 0; i < s->n_peers; i++)
		tick_outbound(s, &s->peers[i], now, hb, to, &next, &new_socket);
	tick_inbound(s, now, hb, to, &next);
	/* Streams: stalls and new pulls, on every link (no fixed-size list:
	 * any number of peers). */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out)
			tick_stream(s, s->peers[i].out, now, to);
	for (size_t i = 0; i < s->n_in; i++)
		tick_stream(s, s->in[i], now, to);
	if (s->announce_pending && now >= s->announce_due)
		tick_announce(s);
	else if (s->announce_pending)
		next = min_due(next, s->announce_due, now);
	if (s->recovering) {
		sy_recovery_check(s);
		if (s->recovering)
			next = min_due(next, now + 200, now);
	}
	/* A held batch's next slice, and a batch per stream with credit:
	 * both come back at once (poll without waiting) while work is left. */
	if (sy_pull_slices(s) | sy_serve_all(s) || new_socket)
		next = 0;
	return next < 0 ? 0 : next;
}

/* A local commit is pushed and announced at once, before the control
 * reply goes out: waiting for the next turn of the loop added a poll
 * round to every live write (issue 14). */
void
mf_sync_announce(mf_sync *s)
{
	s->now = mf_mono_ms();
	tick_announce(s);
}

int
mf_sync_reload(mf_sync *s, char *err, size_t errlen)
{
	sy_now_ms(s);
	if (sy_peers_sync_config(s) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Newly trusted regions may now be pulled: and a region whose blocks
	 * were refused may have a new key now (trust NEWCARD after a
	 * revocation, doc/KEYS.md), so the back-offs of refused origins are
	 * lifted rather than left to run out. */
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].out) {
			s->peers[i].out->n_blk = 0;
			sy_pull_next(s, s->peers[i].out);
		}
	for (size_t i = 0; i < s->n_in; i++) {
		s->in[i]->n_blk = 0;
		sy_pull_next(s, s->in[i]);
	}
	return 0;
}

int
mf_sync_recovering(const mf_sync *s)
{
	return s != NULL && s->recovering;
}
