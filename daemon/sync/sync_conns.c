/*
 * sync_conns.c — per-source limit on the sync listener (sync_conns.h).
 *
 * The monitor tells us of every accepted and every closed connection by
 * descriptor.  We keep, per descriptor, the source address and port read
 * with getpeername() at the accept, and per source address how many of its
 * connections are open.  Past MF_CONNS_PER_SOURCE the new connection is
 * shut down, never closed: the descriptor belongs to libzmq, which sees
 * the end of the stream and closes it (and tells us so).  Before the
 * shutdown the descriptor is checked to still be the same connection
 * (address and port), so a descriptor that was closed and reused in the
 * meantime is never touched.
 *
 * Past `max_open` connections from all sources together, every new one is
 * shut down the same way, whatever its source.
 *
 * libzmq does not report every close (a listener unbound under it drops
 * its connections silently), so once a second every tracked descriptor is
 * checked against the kernel, and what is gone is forgotten.
 *
 * All of it runs on the monitor's own thread (sync_conns.h says why); the
 * event loop only reads the counters and resets the table, under `mu`.
 * The monitor's PAIR socket is created and connected before the thread
 * starts and used by that thread alone from then on.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <zmq.h>

#include "log.h"
#include "util.h"
#include "sync_conns.h"

#define RECONCILE_MS 1000
#define LOG_EVERY_MS 1000
#define POLL_MS 100		/* how soon the thread sees a stop */

typedef struct conn {
	int used;
	uint16_t port;
	char addr[INET6_ADDRSTRLEN];
} conn;

typedef struct source {
	char addr[INET6_ADDRSTRLEN];
	size_t n;
} source;

struct sy_conns {
	void *mon;		/* the thread's alone once it runs */
	pthread_t th;
	int started;
	atomic_int stop;
	pthread_mutex_t mu;	/* everything below */
	conn *by_fd;		/* indexed by descriptor */
	size_t cap_fd;
	source *src;
	size_t n_src, cap_src;
	size_t open, peak, max_open;
	uint64_t accepted, refused, refused_limit;
	uint64_t reconcile_ms, log_ms, log_limit_ms;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Address and port of the far end of fd, or -1. */
static int
peer_of(int fd, char *addr, size_t addrlen, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		if (inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)addrlen) == NULL)
			return -1;
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		if (inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)addrlen) == NULL)
			return -1;
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	return -1;		/* ipc, or something we do not count */
}

static source *
source_find(sy_conns *c, const char *addr)
{
	for (size_t i = 0; i < c->n_src; i++)
		if (strcmp(c->src[i].addr, addr) == 0)
			return &c->src[i];
	return NULL;
}

static source *
source_add(sy_conns *c, const char *addr)
{
	source *s = source_find(c, addr);

	if (s != NULL)
		return s;
	if (c->n_src == c->cap_src) {
		c->cap_src = c->cap_src ? 2 * c->cap_src : 16;
		c->src = mf_xrealloc(c->src, c->cap_src * sizeof(*c->src));
	}
	s = &c->src[c->n_src++];
	mf_strlcpy(s->addr, addr, sizeof(s->addr));
	s->n = 0;
	return s;
}

static void
forget(sy_conns *c, int fd)
{
	source *s;

	if (fd < 0 || (size_t)fd >= c->cap_fd || !c->by_fd[fd].used)
		return;
	c->by_fd[fd].used = 0;
	c->open--;
	if ((s = source_find(c, c->by_fd[fd].addr)) != NULL && s->n > 0 && --s->n == 0)
		*s = c->src[--c->n_src];	/* swap the last one in */
}

static void
track(sy_conns *c, int fd, const char *addr, uint16_t port)
{
	if ((size_t)fd >= c->cap_fd) {
		size_t cap = c->cap_fd ? c->cap_fd : 256;

		while (cap <= (size_t)fd)
			cap *= 2;
		c->by_fd = mf_xrealloc(c->by_fd, cap * sizeof(*c->by_fd));
		memset(c->by_fd + c->cap_fd, 0, (cap - c->cap_fd) * sizeof(*c->by_fd));
		c->cap_fd = cap;
	}
	c->by_fd[fd].used = 1;
	c->by_fd[fd].port = port;
	mf_strlcpy(c->by_fd[fd].addr, addr, sizeof(c->by_fd[fd].addr));
	if (++c->open > c->peak)
		c->peak = c->open;
	source_add(c, addr)->n++;
}

static void
on_accepted(sy_conns *c, int fd, uint64_t now)
{
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	source *s;

	c->accepted++;
	forget(c, fd);		/* a close we were not told of */
	if (fd < 0 || peer_of(fd, addr, sizeof(addr), &port) != 0)
		return;		/* already gone, or not TCP */
	s = source_find(c, addr);
	if (c->open >= c->max_open) {
		/* Full, whatever the source: end this connection (peer_of
		 * just read this very descriptor, so it is still the accepted
		 * one).  Configured peers reconnect; their links that are up
		 * stay. */
		(void)shutdown(fd, SHUT_RDWR);
		c->refused_limit++;
		if (now >= c->log_limit_ms + LOG_EVERY_MS) {
			mf_warn("sync: connection from %s refused: %zu inbound connections are open, the limit ([node] max_inbound) (%llu refused since start)",
				addr, c->open, (unsigned long long)c->refused_limit);
			c->log_limit_ms = now;
		}
		return;
	}
	if (s == NULL || s->n < MF_CONNS_PER_SOURCE) {
		track(c, fd, addr, port);
		return;
	}
	/* Past its share: end this connection, as above. */
	(void)shutdown(fd, SHUT_RDWR);
	c->refused++;
	if (now >= c->log_ms + LOG_EVERY_MS) {
		mf_warn("sync: connection from %s refused: it holds %zu open connections, the limit per source address (%llu refused since start)",
			addr, s->n, (unsigned long long)c->refused);
		c->log_ms = now;
	}
}

static void
reconcile(sy_conns *c)
{
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;

	for (size_t fd = 0; fd < c->cap_fd; fd++) {
		if (!c->by_fd[fd].used)
			continue;
		if (peer_of((int)fd, addr, sizeof(addr), &port) != 0 ||
		    port != c->by_fd[fd].port || strcmp(addr, c->by_fd[fd].addr) != 0)
			forget(c, (int)fd);
	}
}

/* Read every pending monitor event.  Called with mu held. */
static void
drain(sy_conns *c, uint64_t now)
{
	for (;;) {
		zmq_msg_t m;
		uint16_t ev;
		uint32_t val;
		int more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, c->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (zmq_msg_size(&m) >= 6) {
			const uint8_t *d = zmq_msg_data(&m);

			memcpy(&ev, d, 2);
			memcpy(&val, d + 2, 4);
		} else {
			ev = 0;
			val = 0;
		}
		zmq_msg_close(&m);
		/* The second frame (the endpoint) carries nothing we use. */
		while (more) {
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, c->mon, 0) < 0) {
				zmq_msg_close(&m);
				break;
			}
			more = zmq_msg_more(&m);
			zmq_msg_close(&m);
		}
		if (ev == ZMQ_EVENT_ACCEPTED)
			on_accepted(c, (int)val, now);
		else if (ev == ZMQ_EVENT_DISCONNECTED || ev == ZMQ_EVENT_CLOSED)
			forget(c, (int)val);
	}
	if (now >= c->reconcile_ms + RECONCILE_MS) {
		reconcile(c);
		c->reconcile_ms = now;
	}
}

static void *
conns_main(void *arg)
{
	sy_conns *c = arg;

	while (!atomic_load(&c->stop)) {
		zmq_pollitem_t it = { .socket = c->mon, .events = ZMQ_POLLIN };

		if (zmq_poll(&it, 1, POLL_MS) < 0 && zmq_errno() == ETERM)
			break;
		pthread_mutex_lock(&c->mu);
		drain(c, mono_ms());
		pthread_mutex_unlock(&c->mu);
	}
	return NULL;
}

sy_conns *
sy_conns_open(void *ctx, void *router, size_t max_open)
{
	sy_conns *c = mf_xcalloc(1, sizeof(*c));
	char ep[64];
	int zero = 0;

	pthread_mutex_init(&c->mu, NULL);
	atomic_init(&c->stop, 0);
	c->max_open = max_open ? max_open : 1;
	snprintf(ep, sizeof(ep), "inproc://mentorfed-conns-%p", (void *)c);
	if (zmq_socket_monitor(router, ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
						   ZMQ_EVENT_CLOSED) != 0)
		goto bad;
	if ((c->mon = zmq_socket(ctx, ZMQ_PAIR)) == NULL)
		goto bad;
	zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(c->mon, ep) != 0)
		goto bad;
	if ((errno = mf_thread_start(&c->th, conns_main, c)) != 0)
		goto bad;
	c->started = 1;
	return c;
bad:
	{
		int e = errno;

		sy_conns_close(c);
		errno = e;
	}
	return NULL;
}

void
sy_conns_close(sy_conns *c)
{
	if (c == NULL)
		return;
	if (c->started) {
		atomic_store(&c->stop, 1);
		pthread_join(c->th, NULL);
	}
	if (c->mon)
		zmq_close(c->mon);
	pthread_mutex_destroy(&c->mu);
	free(c->by_fd);
	free(c->src);
	free(c);
}

void
sy_conns_reset(sy_conns *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->by_fd)
		memset(c->by_fd, 0, c->cap_fd * sizeof(*c->by_fd));
	c->n_src = 0;
	c->open = 0;
	pthread_mutex_unlock(&c->mu);
}

void
sy_conns_stats_get(sy_conns *c, sy_conns_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	st->accepted = c->accepted;
	st->refused = c->refused;
	st->refused_limit = c->refused_limit;
	st->open = c->open;
	st->peak = c->peak;
	st->max_open = c->max_open;
	st->sources = c->n_src;
	pthread_mutex_unlock(&c->mu);
}
