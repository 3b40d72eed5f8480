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
 * libzmq does not report every close (a listener unbound under it drops
 * its connections silently), so once a second every tracked descriptor is
 * checked against the kernel, and what is gone is forgotten.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>

#include "log.h"
#include "util.h"
#include "sync_conns.h"

#define RECONCILE_MS 1000
#define LOG_EVERY_MS 1000

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
	void *mon;
	conn *by_fd;		/* indexed by descriptor */
	size_t cap_fd;
	source *src;
	size_t n_src, cap_src;
	size_t open;
	uint64_t accepted, refused, refused_logged;
	uint64_t reconcile_ms, log_ms;
};

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
	c->open++;
	source_add(c, addr)->n++;
}

static int
on_accepted(sy_conns *c, int fd, uint64_t now)
{
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	source *s;

	c->accepted++;
	forget(c, fd);		/* a close we were not told of */
	if (fd < 0 || peer_of(fd, addr, sizeof(addr), &port) != 0)
		return 0;	/* already gone, or not TCP */
	s = source_find(c, addr);
	if (s == NULL || s->n < MF_CONNS_PER_SOURCE) {
		track(c, fd, addr, port);
		return 0;
	}
	/* Past its share: end this connection.  peer_of just read this very
	 * descriptor, in this thread, so it is still the accepted one. */
	(void)shutdown(fd, SHUT_RDWR);
	c->refused++;
	if (now >= c->log_ms + LOG_EVERY_MS) {
		mf_warn("sync: connection from %s refused: it holds %zu open connections, the limit per source address (%llu refused since start)",
			addr, s->n, (unsigned long long)c->refused);
		c->log_ms = now;
	}
	return 1;
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

sy_conns *
sy_conns_open(void *ctx, void *router)
{
	sy_conns *c = mf_xcalloc(1, sizeof(*c));
	char ep[64];
	int zero = 0;

	snprintf(ep, sizeof(ep), "inproc://mentorfed-conns-%p", (void *)c);
	if (zmq_socket_monitor(router, ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
						   ZMQ_EVENT_CLOSED) != 0)
		goto bad;
	if ((c->mon = zmq_socket(ctx, ZMQ_PAIR)) == NULL)
		goto bad;
	zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(c->mon, ep) != 0)
		goto bad;
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
	if (c->mon)
		zmq_close(c->mon);
	free(c->by_fd);
	free(c->src);
	free(c);
}

void *
sy_conns_socket(const sy_conns *c)
{
	return c ? c->mon : NULL;
}

size_t
sy_conns_handle(sy_conns *c, uint64_t now)
{
	size_t shut = 0;

	if (c == NULL)
		return 0;
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
			shut += (size_t)on_accepted(c, (int)val, now);
		else if (ev == ZMQ_EVENT_DISCONNECTED || ev == ZMQ_EVENT_CLOSED)
			forget(c, (int)val);
	}
	if (now >= c->reconcile_ms + RECONCILE_MS) {
		reconcile(c);
		c->reconcile_ms = now;
	}
	return shut;
}

void
sy_conns_reset(sy_conns *c)
{
	if (c == NULL)
		return;
	memset(c->by_fd, 0, c->cap_fd * sizeof(*c->by_fd));
	c->n_src = 0;
	c->open = 0;
}

void
sy_conns_stats_get(const sy_conns *c, sy_conns_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	st->accepted = c->accepted;
	st->refused = c->refused;
	st->open = c->open;
	st->sources = c->n_src;
}
