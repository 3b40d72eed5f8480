/*
 * sync_links.c — the links of sync: one DEALER per configured peer and the
 * ROUTER's inbound sessions, CURVE on every link (admission by the ZAP
 * handler, zap.c), hello, heartbeats, reconnects with back-off, and the
 * sending of frames.
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
#include "sync_int.h"
#include "sync_proto.h"
#include "util.h"
#include "zap.h"

/* A session and what this file keeps about the link's protocol version.
 * Every session is made by sy_sess_new, so the session is the first
 * member of a sess_x and a session pointer converts back to it. */
typedef struct sess_x {
	session ss;
	unsigned proto;		/* agreed with the peer's Hello, 0 before */
	unsigned hello_proto;	/* the version our last Hello was cut for, 0: none */
	vvmap said;		/* origin -> seq + 1 of the cut already logged */
} sess_x;

const char *
sy_sess_name(const session *ss)
{
	return ss->name[0] ? ss->name : "(unknown peer)";
}

uint64_t
sy_vv_get(const vvmap *m, const char *origin)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].origin, origin) == 0)
			return m->e[i].seq;
	return 0;
}

int
sy_vv_raise(vvmap *m, const char *origin, uint64_t seq)
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
		m->e = mf_xrealloc(m->e, nc * sizeof(*m->e));
		m->cap = nc;
	}
	mf_strlcpy(m->e[m->n].origin, origin, sizeof(m->e[m->n].origin));
	m->e[m->n].seq = seq;
	m->n++;
	return 0;
}

int
sy_region_ok(const char *r)
{
	return r != NULL && strlen(r) < MF_REGION_MAX && mf_region_valid(r);
}

/* Send one Frame on a session.  0, or -1 with errno (EAGAIN: would block;
 * EHOSTUNREACH: the inbound peer is gone). */
int
sy_sess_send(mf_sync *s, session *ss, const Mentorfed__Wire__Frame *f)
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

void
sy_send_error(mf_sync *s, session *ss, Mentorfed__Wire__ErrorCode code, const char *origin,
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
	sy_sess_send(s, ss, &f);
}

/* Cut a vector down to what a peer of an older protocol may be served
 * (sy_proto_limit); say why in the log when `say`.  Returns how many
 * entries were lowered. */
static size_t
vv_for_peer(mf_sync *s, session *ss, vv_collect *vc, int say)
{
	sess_x *x = (sess_x *)(void *)ss;
	unsigned proto = sy_sess_proto(ss);
	size_t cut = 0;

	if (proto == 0 || proto >= MF_PROTOCOL_KINDS)
		return 0;
	for (size_t i = 0; i < vc->n; i++) {
		uint64_t lim = sy_proto_limit(s, vc->ents[i].origin, proto, vc->ents[i].seq);

		if (lim >= vc->ents[i].seq)
			continue;
		/* Once per link and cut, not at every Announce. */
		if (say && sy_vv_get(&x->said, vc->ents[i].origin) != lim + 1 &&
		    sy_vv_raise(&x->said, vc->ents[i].origin, lim + 1) == 0)
			mf_warn("sync: peer %s speaks protocol version %u only: blocks of %s after seq %llu "
				"hold record kinds of version %u (region keys) and are not sent to it; "
				"upgrade mentorfed on that node",
				sy_sess_name(ss), proto, vc->ents[i].origin, (unsigned long long)lim,
				MF_PROTOCOL_KINDS);
		vc->ents[i].seq = lim;
		cut++;
	}
	return cut;
}

void
sy_send_hello(mf_sync *s, session *ss)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Hello h = MENTORFED__WIRE__HELLO__INIT;
	char *caps[] = { CAP_RELAY };
	vv_collect vc;

	sy_vv_build(s, &vc);
	vv_for_peer(s, ss, &vc, 1);
	((sess_x *)(void *)ss)->hello_proto = sy_sess_proto(ss);
	h.protocol = MF_PROTOCOL_MIN;
	h.protocol_max = MF_PROTOCOL_MAX;
	h.region = s->node->cfg->region;
	h.n_vv = vc.n;
	h.vv = vc.ptrs;
	h.n_capabilities = 1;
	h.capabilities = caps;
	h.max_frame = FRAME_MAX;
	h.software = (char *)PACKAGE_STRING;
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_HELLO;
	f.hello = &h;
	if (sy_sess_send(s, ss, &f) == 0)
		ss->hello_sent = 1;
	sy_vv_collect_free(&vc);
}

void
sy_send_announce(mf_sync *s, session *ss, vv_collect *vc)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Announce a = MENTORFED__WIRE__ANNOUNCE__INIT;
	Mentorfed__Wire__VvEntry *ents = NULL, **ptrs = NULL;

	a.n_vv = vc->n;
	a.vv = vc->ptrs;
	if (sy_sess_proto(ss) != 0 && sy_sess_proto(ss) < MF_PROTOCOL_KINDS && vc->n > 0) {
		/* The vector is shared by every link: cut a copy. */
		vv_collect cut = *vc;

		ents = mf_xmalloc(vc->n * sizeof(*ents));
		ptrs = mf_xmalloc(vc->n * sizeof(*ptrs));
		memcpy(ents, vc->ents, vc->n * sizeof(*ents));
		for (size_t i = 0; i < vc->n; i++)
			ptrs[i] = &ents[i];
		cut.ents = ents;
		cut.ptrs = ptrs;
		vv_for_peer(s, ss, &cut, 1);
		a.vv = ptrs;
	}
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_ANNOUNCE;
	f.announce = &a;
	sy_sess_send(s, ss, &f);
	free(ents);
	free(ptrs);
}

void
sy_send_heartbeat(mf_sync *s, session *ss)
{
	Mentorfed__Wire__Frame f = MENTORFED__WIRE__FRAME__INIT;
	Mentorfed__Wire__Heartbeat h = MENTORFED__WIRE__HEARTBEAT__INIT;

	h.time_ms = mf_now_ms();
	f.msg_case = MENTORFED__WIRE__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &h;
	sy_sess_send(s, ss, &f);
}

/* ---------------------------------------------------------------- sessions */

session *
sy_sess_new(int inbound)
{
	sess_x *x = mf_xcalloc(1, sizeof(*x));

	x->ss.inbound = inbound;
	return &x->ss;
}

unsigned
sy_sess_proto(const session *ss)
{
	return ((const sess_x *)(const void *)ss)->proto;
}

void
sy_sess_free(session *ss)
{
	if (ss == NULL)
		return;
	sy_held_free(ss);
	free(((sess_x *)(void *)ss)->said.e);
	free(ss->known.e);
	free(ss);
}

int
sy_sess_ready(const session *ss)
{
	return ss != NULL && ss->hello_rx && ss->hello_sent && !ss->refused && !ss->dead;
}

peer *
sy_peer_by_key(mf_sync *s, const char *key)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].key, key) == 0)
			return &s->peers[i];
	return NULL;
}

void
sy_on_hello(mf_sync *s, session *ss, const Mentorfed__Wire__Hello *h)
{
	sess_x *x = (sess_x *)(void *)ss;
	unsigned lo = h->protocol, hi = h->protocol_max ? h->protocol_max : h->protocol;
	unsigned use;

	/* Versions between releases: the peer speaks lo..hi (a node of the
	 * first release sends only `protocol`), we speak MIN..MAX; the link
	 * uses the highest both speak.  0 is no version at all. */
	if (hi < lo)
		hi = lo;
	use = hi < MF_PROTOCOL_MAX ? hi : MF_PROTOCOL_MAX;
	if (lo == 0 || lo > MF_PROTOCOL_MAX || hi < MF_PROTOCOL_MIN) {
		char theirs[32];

		if (hi > lo)
			snprintf(theirs, sizeof(theirs), "versions %u..%u", lo, hi);
		else
			snprintf(theirs, sizeof(theirs), "version %u", lo);
		s->c.version_mismatch++;
		mf_err("sync: peer %s speaks protocol %s; this node speaks versions %u..%u: link refused "
		       "(%s)", sy_sess_name(ss), theirs, MF_PROTOCOL_MIN, MF_PROTOCOL_MAX,
		       lo > MF_PROTOCOL_MAX ? "the peer runs a newer mentorfed: upgrade this node"
					    : "the peer runs an older mentorfed: it must be upgraded");
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_PROTOCOL_VERSION, NULL,
			   "protocol %s %s not supported; node %s speaks protocol versions %u..%u",
			   theirs, hi > lo ? "are" : "is", s->node->cfg->region, MF_PROTOCOL_MIN,
			   MF_PROTOCOL_MAX);
		ss->refused = 1;
		sy_kill_session_streams(ss);
		return;
	}
	if (!sy_region_ok(h->region) || h->n_vv > VV_MAX) {
		s->c.malformed++;
		sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
			   "hello: bad region or too many vector entries");
		return;
	}
	for (size_t i = 0; i < h->n_vv; i++)
		if (!sy_region_ok(h->vv[i]->origin)) {
			s->c.malformed++;
			sy_send_error(s, ss, MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_MALFORMED, NULL,
				   "hello: vector entry %zu is not a region code", i);
			return;
		}
	{
		peer *p = sy_peer_by_key(s, ss->key);
		if (p && p->region[0] && strcmp(p->region, h->region) != 0)
			mf_warn("sync: peer %s says it is region %s; the config says %s", sy_sess_name(ss),
				h->region, p->region);
	}
	if (ss->hello_rx) {
		/* A repeated hello (the peer reconnected its socket): restart. */
		sy_kill_session_streams(ss);
	}
	mf_strlcpy(ss->region, h->region, sizeof(ss->region));
	ss->known.n = 0;
	for (size_t i = 0; i < h->n_vv; i++)
		sy_vv_raise(&ss->known, h->vv[i]->origin, h->vv[i]->seq);
	x->proto = use;
	if (ss->inbound || !ss->hello_sent) {
		sy_send_hello(s, ss);
	} else if (x->hello_proto != use && use < MF_PROTOCOL_KINDS) {
		/* Our Hello went out before we knew the peer's version and
		 * may advertise blocks it cannot be sent: say it again, cut
		 * to its version (a vector may go down between two Hellos). */
		vv_collect vc;
		size_t cut;

		sy_vv_build(s, &vc);
		cut = vv_for_peer(s, ss, &vc, 0);
		sy_vv_collect_free(&vc);
		if (cut > 0)
			sy_send_hello(s, ss);
		else
			x->hello_proto = use;
	}
	if (!ss->hello_rx) {
		ss->since_wall_ms = mf_now_ms();
		mf_info("sync: link with peer %s (%s, %s, protocol version %u) is up", sy_sess_name(ss),
			ss->region, ss->inbound ? "inbound" : "outbound", use);
	}
	ss->hello_rx = 1;
	if (!ss->inbound) {
		peer *p = sy_peer_by_key(s, ss->key);
		if (p)
			p->backoff_ms = BACKOFF_MIN_MS;
	}
	if (s->first_hello_ms == 0)
		s->first_hello_ms = s->now;
	sy_pull_next(s, ss);
	sy_recovery_check(s);
}

void
sy_on_error(mf_sync *s, session *ss, const Mentorfed__Wire__Error *e)
{
	s->c.peer_errors++;
	if (e->code == MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_PROTOCOL_VERSION) {
		s->c.version_mismatch++;
		mf_err("sync: peer %s refused the link: protocol version mismatch: %s (this node speaks versions %u..%u)",
		       sy_sess_name(ss), e->message, MF_PROTOCOL_MIN, MF_PROTOCOL_MAX);
		ss->refused = 1;
		sy_kill_session_streams(ss);
		return;
	}
	if (e->code == MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_NOT_READY) {
		/* The peer has no session for this link although we sent our
		 * Hello: it restarted and ZeroMQ reconnected under us (a
		 * half-open link).  Say Hello again, at most once a second;
		 * the streams of the old session are gone with it. */
		if (s->now >= ss->rehello_ms + 1000) {
			ss->rehello_ms = s->now;
			s->c.rehellos++;
			mf_info("sync: peer %s has no session for this link (it restarted?): sending Hello again",
				sy_sess_name(ss));
			sy_kill_session_streams(ss);
			sy_send_hello(s, ss);
		}
		return;
	}
	if (sy_ratelim(s, &ss->errlog, "errors reported by this peer"))
		mf_warn("sync: peer %s reports error %d%s%s: %s", sy_sess_name(ss), (int)e->code,
			e->origin[0] ? " about " : "", e->origin, e->message);
	if (ss->pulling && (e->origin[0] == '\0' || strcmp(e->origin, ss->pull_origin) == 0) &&
	    e->code != MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_REJECTED &&
	    e->code != MENTORFED__WIRE__ERROR_CODE__ERROR_CODE_WITHHELD) {
		sy_block_origin(s, ss, ss->pull_origin, 2000);
		sy_pull_stop(ss);
	}
}

/* ---------------------------------------------------------------- sockets */

void
sy_sockopts_common(void *z)
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
		s->grave = mf_xrealloc(s->grave, nc * sizeof(*s->grave));
		s->cap_grave = nc;
	}
	s->grave[s->n_grave++] = sock;
}

void
sy_bury_all(mf_sync *s)
{
	for (size_t i = 0; i < s->n_grave; i++)
		zmq_close(s->grave[i]);
	s->n_grave = 0;
}

void
sy_peer_disconnect(mf_sync *s, peer *p)
{
	if (p->dealer) {
		bury(s, p->dealer);
		p->dealer = NULL;
	}
	sy_sess_free(p->out);
	p->out = NULL;
}

int
sy_peer_connect(mf_sync *s, peer *p)
{
	void *z = zmq_socket(s->ctx, ZMQ_DEALER);
	uint8_t srv[32];

	if (z == NULL)
		return -1;
	sy_sockopts_common(z);
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
	p->out = sy_sess_new(0);
	p->out->created_ms = s->now;
	p->out->last_rx_ms = s->now;
	mf_strlcpy(p->out->key, p->key, sizeof(p->out->key));
	snprintf(p->out->name, sizeof(p->out->name), "%s", p->name);
	/* The hello waits in the socket's pipe until the link is up. */
	sy_send_hello(s, p->out);
	return 0;
}

void
sy_peer_free_fields(peer *p)
{
	free(p->name);
	free(p->endpoint);
}

/* Bring s->peers in line with the config: keep unchanged peers and their
 * links, drop removed ones, add new ones. */
int
sy_peers_sync_config(mf_sync *s)
{
	const mf_config *cfg = s->node->cfg;
	peer *np;
	size_t nn = 0;

	np = mf_xcalloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*np));
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
			np[nn].name = mf_xstrdup(pc->name);
		} else {
			np[nn].name = mf_xstrdup(pc->name);
			np[nn].endpoint = mf_xstrdup(pc->endpoint ? pc->endpoint : "");
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
			sy_peer_disconnect(s, &s->peers[j]);
			sy_peer_free_fields(&s->peers[j]);
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

/* See sync_int.h: called between the blocks of an apply and while a
 * large batch is built. */
void
sy_keepalive(mf_sync *s)
{
	uint64_t hb = s->node->cfg->heartbeat_ms;

	sy_now_ms(s);
	for (size_t i = 0; i < s->n_peers; i++) {
		session *ss = s->peers[i].out;
		if (ss && ss->hello_sent && s->now >= ss->last_tx_ms + hb)
			sy_send_heartbeat(s, ss);
	}
	for (size_t i = 0; i < s->n_in; i++) {
		session *ss = s->in[i];
		if (ss->hello_rx && !ss->dead && s->now >= ss->last_tx_ms + hb)
			sy_send_heartbeat(s, ss);
	}
}
