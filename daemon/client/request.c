/*
 * request.c — the client's side of the control socket (see request.h).
 *
 * The wait for a reply has two ends besides the reply itself.  A daemon
 * that dies mid-request drops its lock: that is checked every half second
 * and reported at once.  A daemon that keeps its lock but does not answer
 * (stopped with SIGSTOP, wedged in a plugin or a disk) is given up on after
 * --timeout seconds.  The default, MF_CLIENT_TIMEOUT_S (600 s), is far
 * above the slowest legitimate request: the slowest in the test suite
 * takes under 2 s, and a put of a million records (bench/RESULTS.md: 100,000
 * records in 11.5 s on two CPUs) takes about two minutes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "cli_fmt.h"
#include "client.h"
#include "conf.h"
#include "i18n.h"
#include "request.h"
#include "util.h"

/* How often the wait checks that the daemon still holds its lock. */
#define LOCK_CHECK_MS 500

int
daemon_running(const char *dir)
{
	char *lock = mf_path(dir, "mentorfedd.lock");
	int fd = open(lock, O_RDONLY | O_CLOEXEC), held;

	free(lock);
	if (fd < 0)
		return errno == EACCES ? -1 : 0;	/* -1: not ours to read */
	/* The daemon holds an exclusive lock while it runs: if we can take a
	 * shared one, nobody is serving the control socket. */
	held = flock(fd, LOCK_SH | LOCK_NB) != 0;
	close(fd);
	return held;
}

/* A REQ socket connected to the control endpoint, or NULL with *code. */
static void *
open_socket(void *ctx, const char *control, int *code)
{
	void *sock = zmq_socket(ctx, ZMQ_REQ);
	int linger = 0;

	if (sock == NULL) {
		*code = die(EX_OSERR, "zmq_socket: %s", zmq_strerror(errno));
		return NULL;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(sock, control) != 0) {
		*code = die(EX_UNAVAILABLE, "%s: %s", control, zmq_strerror(errno));
		zmq_close(sock);
		return NULL;
	}
	return sock;
}

/*
 * Wait until the reply can be read: 0, or -1 with *code when the daemon
 * went away or did not answer within cli.timeout_s.
 */
static int
wait_reply(void *sock, const char *dir, const char *control, int *code)
{
	uint64_t start = mf_mono_ms(), limit = (uint64_t)cli.timeout_s * 1000;

	for (;;) {
		zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
		uint64_t waited = mf_mono_ms() - start;
		long slice = LOCK_CHECK_MS;
		int r;

		if (limit > 0 && waited >= limit) {
			*code = die(EX_TEMPFAIL, "mentorfedd on %s did not answer within %u s: it may be "
				    "stopped or wedged (check with 'mentorfed -d %s status' and the "
				    "daemon's log; --timeout SECONDS waits longer)",
				    dir, cli.timeout_s, dir);
			return -1;
		}
		if (limit > 0 && limit - waited < (uint64_t)slice)
			slice = (long)(limit - waited);
		if ((r = zmq_poll(&it, 1, slice)) > 0)
			return 0;
		if (r < 0 && errno != EINTR) {
			*code = die(EX_UNAVAILABLE, "%s: %s", control, zmq_strerror(errno));
			return -1;
		}
		if (daemon_running(dir) == 0) {
			*code = die(EX_UNAVAILABLE, "mentorfedd on %s stopped without answering (see its log)",
				    dir);
			return -1;
		}
	}
}

/* Read the reply frame and the payload frame, if any. */
static json_t *
recv_reply(void *sock, const char *control, char **payload, size_t *plen, int *code)
{
	json_t *rep;
	json_error_t je;
	zmq_msg_t m, p;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) < 0) {
		*code = die(EX_UNAVAILABLE, "%s: no reply: %s", control, zmq_strerror(errno));
		zmq_msg_close(&m);
		return NULL;
	}
	rep = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, &je);
	if (zmq_msg_more(&m)) {
		zmq_msg_init(&p);
		if (zmq_msg_recv(&p, sock, 0) >= 0 && payload) {
			*plen = zmq_msg_size(&p);
			*payload = mf_xmalloc(*plen + 1);
			memcpy(*payload, zmq_msg_data(&p), *plen);
			(*payload)[*plen] = '\0';
		}
		zmq_msg_close(&p);
	}
	zmq_msg_close(&m);
	if (rep == NULL)
		*code = die(EX_PROTOCOL, "%s: reply is not JSON: %s", control, je.text);
	return rep;
}

/* Send req and read the reply; the config is loaded. */
static json_t *
exchange(const char *dir, const char *control, json_t *req, char **payload, size_t *plen,
	 int *code)
{
	void *ctx = zmq_ctx_new(), *sock;
	json_t *rep = NULL;
	char *s;

	if (ctx == NULL) {
		*code = die(EX_OSERR, "zmq_ctx_new: %s", zmq_strerror(errno));
		return NULL;
	}
	if ((sock = open_socket(ctx, control, code)) == NULL)
		goto out;
	s = json_dumps(req, JSON_COMPACT);
	if (s == NULL || zmq_send(sock, s, strlen(s), 0) < 0) {
		free(s);
		*code = die(EX_UNAVAILABLE, "%s: send: %s", control, zmq_strerror(errno));
		goto out;
	}
	free(s);
	if (wait_reply(sock, dir, control, code) == 0)
		rep = recv_reply(sock, control, payload, plen, code);
out:
	if (sock)
		zmq_close(sock);
	zmq_ctx_term(ctx);
	return rep;
}

json_t *
request(json_t *req, char **payload, size_t *plen, int *code)
{
	const char *dir = need_dir();
	char err[1024], *cpath = mf_path(dir, MF_CONFIG_NAME);
	mf_config *cfg;
	json_t *rep = NULL;

	if (payload)
		*payload = NULL;
	*code = EX_OK;
	cfg = mf_config_load(cpath, err, sizeof(err));
	if (cfg == NULL)
		*code = die(errno == ENOENT ? EX_NOINPUT : EX_CONFIG, "%s", err);
	free(cpath);
	if (cfg == NULL)
		return NULL;
	if (daemon_running(dir) < 0) {
		*code = die(EX_NOPERM, N_("%s/mentorfedd.lock: permission denied: you may not use this node (ask its administrator to add you to the data directory's group, doc/PRODUCTION.md)"),
			    dir);
		return NULL;
	}
	if (!daemon_running(dir)) {
		*code = die(EX_UNAVAILABLE, N_("mentorfedd is not running on %s (start it with 'mentorfedd -d %s')"),
			    dir, dir);
		mf_config_free(cfg);
		return NULL;
	}
	rep = exchange(dir, cfg->control, req, payload, plen, code);
	mf_config_free(cfg);
	if (rep != NULL && !json_is_true(json_object_get(rep, "ok"))) {
		json_t *c = json_object_get(rep, "code");
		*code = json_is_integer(c) ? (int)json_integer_value(c) : EX_SOFTWARE;
	}
	return rep;
}

json_t *
call(json_t *req, int *code)
{
	json_t *rep = request(req, NULL, NULL, code);

	json_decref(req);
	if (rep != NULL && *code != EX_OK) {
		refused(rep, *code);
		json_decref(rep);
		return NULL;
	}
	return rep;
}

int
refused(json_t *rep, int code)
{
	return die(code, "%s", json_string_value(json_object_get(rep, "error")));
}

void
print_reply_json(json_t *rep)
{
	json_object_del(rep, "ok");
	mf_json_print(stdout, rep);
}
