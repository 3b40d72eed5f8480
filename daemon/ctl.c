/*
 * ctl.c — the control socket: bind it (owner-only, or owner and the data
 * directory's group when that directory is open to its group: staff
 * without sudo, doc/PRODUCTION.md), read each request, hand
 * it to the command table (mf_ctl_dispatch, ctl_table.c) after its
 * arguments were checked (mf_check_request, records/check_args.c), and
 * send the reply and any payload frame back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "checks.h"
#include "ctl.h"
#include "log.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- socket */

/*
 * Who may connect: the socket is no more open than its directory.  When
 * the data directory is open to its group (g+x; the package makes
 * /var/lib/mentorfed 0750 mentorfed:mentorfed), the socket belongs to
 * that group, mode 0660, and its members use every verb that goes
 * through the daemon; otherwise it is 0600.  Returns 0 or -1 with err.
 */
static int
ctl_share(const char *dir, const char *path, char *err, size_t errlen)
{
	struct stat dsb;
	mode_t mode = 0600;

	if (stat(dir, &dsb) == 0 && (dsb.st_mode & S_IXGRP)) {
		if (chown(path, (uid_t)-1, dsb.st_gid) == 0)
			mode = 0660;
		else
			mf_warn("control socket %s: cannot give it to group %ld of %s (%s): "
				"only its owner can use it", path, (long)dsb.st_gid, dir, strerror(errno));
	}
	if (chmod(path, mode) != 0) {
		snprintf(err, errlen, "control socket %s: chmod: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
mf_ctl_bind(mf_daemon *d, char *err, size_t errlen)
{
	const char *ep = d->node->cfg->control;
	int linger = 0;

	if ((d->ctl = zmq_socket(d->zctx, ZMQ_ROUTER)) == NULL) {
		snprintf(err, errlen, "control socket: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(d->ctl, ZMQ_LINGER, &linger, sizeof(linger));
	if (strncmp(ep, "ipc://", 6) == 0)
		unlink(ep + 6);	/* a stale socket of a dead daemon; the lock file guards a live one */
	if (zmq_bind(d->ctl, ep) != 0) {
		snprintf(err, errlen, "control socket %s: %s", ep, zmq_strerror(errno));
		zmq_close(d->ctl);
		d->ctl = NULL;
		return -1;
	}
	if (strncmp(ep, "ipc://", 6) == 0 && ctl_share(d->node->dir, ep + 6, err, errlen) != 0) {
		zmq_close(d->ctl);
		d->ctl = NULL;
		return -1;
	}
	return 0;
}

void
mf_ctl_close(mf_daemon *d)
{
	if (d->ctl) {
		const char *ep = d->node->cfg->control;
		zmq_close(d->ctl);
		d->ctl = NULL;
		if (strncmp(ep, "ipc://", 6) == 0)
			unlink(ep + 6);
	}
}

void
mf_ctl_handle(mf_daemon *d)
{
	for (;;) {
		zmq_msg_t id, part;
		json_t *req = NULL, *rep;
		json_error_t je;
		char *out, *payload = NULL;
		size_t plen = 0;
		int more, bad = 0;

		zmq_msg_init(&id);
		if (zmq_msg_recv(&id, d->ctl, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&id);
			return;
		}
		/* Read every remaining frame; the request is the last one. */
		zmq_msg_init(&part);
		do {
			zmq_msg_close(&part);
			zmq_msg_init(&part);
			if (zmq_msg_recv(&part, d->ctl, 0) < 0) {
				bad = 1;
				break;
			}
			more = zmq_msg_more(&part);
		} while (more);
		if (!bad)
			req = json_loadb(zmq_msg_data(&part), zmq_msg_size(&part), 0, &je);
		zmq_msg_close(&part);
		if (req == NULL)
			rep = mf_reply_error(EX_DATAERR, "request is not JSON: %s", bad ? "truncated" : je.text);
		else if ((rep = mf_check_request(d->node, req)) == NULL)
			/* the arguments were read (dates, months, regions,
			 * schools) and normalised by the records layer first:
			 * whichever client sent them, they mean the same */
			rep = mf_ctl_dispatch(d, req, &payload, &plen);
		json_decref(req);
		out = json_dumps(rep, JSON_COMPACT);
		json_decref(rep);
		zmq_msg_send(&id, d->ctl, ZMQ_SNDMORE);
		zmq_send(d->ctl, "", 0, ZMQ_SNDMORE);
		if (out == NULL)
			out = mf_xstrdup("{\"ok\":false,\"error\":\"reply encoding failed\",\"code\":70}");
		zmq_send(d->ctl, out, strlen(out), payload ? ZMQ_SNDMORE : 0);
		if (payload)
			zmq_send(d->ctl, payload, plen, 0);
		free(out);
		free(payload);
		zmq_msg_close(&id);
	}
}
