/*
 * zap.c — ZAP handler admitting configured peers' CURVE keys (see zap.h).
 *
 * Request frames (RFC 27): version "1.0", request id, domain, address,
 * routing id, mechanism, then credentials (CURVE: the client's 32-byte
 * long-term public key).  Reply: version, request id, status code,
 * status text, user id, metadata.  An admitted peer's user id is its
 * Z85 curve key, which sync reads back from each message ("User-Id").
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "log.h"
#include "util.h"
#include "zap.h"

#define ZAP_FRAMES_MAX 8

void *
mf_zap_open(void *ctx)
{
	void *z = zmq_socket(ctx, ZMQ_REP);
	int linger = 0;

	if (z == NULL)
		return NULL;
	zmq_setsockopt(z, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(z, MF_ZAP_ENDPOINT) != 0) {
		int e = errno;
		zmq_close(z);
		errno = e;
		return NULL;
	}
	return z;
}

static void
send_str(void *z, const void *data, size_t len, int more)
{
	zmq_send(z, data, len, more ? ZMQ_SNDMORE : 0);
}

static void
reply(void *z, const zmq_msg_t *reqid, const char *code, const char *text, const char *user)
{
	send_str(z, "1.0", 3, 1);
	zmq_send(z, zmq_msg_data((zmq_msg_t *)reqid), zmq_msg_size((zmq_msg_t *)reqid), ZMQ_SNDMORE);
	send_str(z, code, strlen(code), 1);
	send_str(z, text, strlen(text), 1);
	send_str(z, user, strlen(user), 1);
	send_str(z, "", 0, 0);
}

static int
frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);
	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static int
log_ok(mf_zap_stats *st)
{
	uint64_t now = mf_mono_ms();

	if (now >= st->log_win_ms + 10000) {
		if (st->log_suppressed > 0)
			mf_warn("sync: %llu more refused connections not logged in the last 10 s",
				(unsigned long long)st->log_suppressed);
		st->log_win_ms = now;
		st->log_n = 0;
		st->log_suppressed = 0;
	}
	if (st->log_n < 10) {
		st->log_n++;
		return 1;
	}
	st->log_suppressed++;
	return 0;
}

void
mf_zap_handle(void *zap, const mf_config *cfg, mf_zap_stats *st)
{
	for (int round = 0; round < 64; round++) {
		zmq_msg_t f[ZAP_FRAMES_MAX];
		int n = 0, more = 1;

		while (more) {
			zmq_msg_t tmp;
			zmq_msg_init(&tmp);
			if (zmq_msg_recv(&tmp, zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
				zmq_msg_close(&tmp);
				if (n == 0)
					return;	/* nothing pending */
				break;
			}
			more = zmq_msg_more(&tmp);
			if (n < ZAP_FRAMES_MAX) {
				f[n++] = tmp;
			} else {
				zmq_msg_close(&tmp);
			}
		}
		if (n < 6 || !frame_is(&f[0], "1.0")) {
			st->malformed++;
			if (n >= 2)
				reply(zap, &f[1], "500", "malformed ZAP request", "");
			else
				send_str(zap, "", 0, 0);	/* keep REP in step */
		} else if (frame_is(&f[5], "CURVE") && n >= 7 && zmq_msg_size(&f[6]) == 32) {
			char z85[MF_Z85_KEY_LEN + 1];
			const mf_peer_conf *p;

			zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
			p = mf_config_peer_by_key(cfg, z85);
			if (p != NULL) {
				st->admitted++;
				mf_debug("sync: admitted peer %s (curve key %s)", p->name, z85);
				reply(zap, &f[1], "200", "OK", z85);
			} else {
				char addr[64];
				size_t al = zmq_msg_size(&f[3]) < sizeof(addr) - 1 ? zmq_msg_size(&f[3]) :
										   sizeof(addr) - 1;
				memcpy(addr, zmq_msg_data(&f[3]), al);
				addr[al] = '\0';
				st->denied++;
				if (log_ok(st))
					mf_warn("sync: refused a connection from %s: CURVE key %s is not a configured peer",
						addr, z85);
				reply(zap, &f[1], "400", "unknown CURVE key", "");
			}
		} else if (frame_is(&f[5], "NULL") && !frame_is(&f[2], MF_ZAP_DOMAIN)) {
			/* Local sockets without security (the control socket):
			 * not the sync listener, which is always a CURVE server. */
			reply(zap, &f[1], "200", "OK", "");
		} else {
			st->denied++;
			reply(zap, &f[1], "400", "mechanism not allowed", "");
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}
