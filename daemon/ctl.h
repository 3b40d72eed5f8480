/*
 * ctl.h — the daemon's local control socket and the commands served on it.
 *
 * The socket is a ZeroMQ ROUTER on an ipc:// path inside the data
 * directory (mode 0600 on a 0700 directory: owner only).  A request is one
 * frame, a JSON object {"cmd": NAME, ...}; the reply is one JSON frame
 * {"ok": true, ...} or {"ok": false, "error": MESSAGE, "code": SYSEXIT},
 * followed for `export` by frames of JSON lines.
 */
#ifndef MF_CTL_H
#define MF_CTL_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "reply.h"

struct mf_sync;
struct mf_plugins;

/* Everything a command may use; owned by the daemon's main. */
typedef struct mf_daemon {
	void *zctx;
	mf_node *node;
	struct mf_sync *sync;		/* NULL in tests that run without sync */
	struct mf_plugins *plugins;	/* NULL when no plugin support */
	void *ctl;			/* the ROUTER socket */
	uint64_t started_ms;
	int stop;
} mf_daemon;

/* Bind the control socket.  0 or -1 with err. */
int mf_ctl_bind(mf_daemon *d, char *err, size_t errlen);
/* Serve every request waiting on the socket (non-blocking). */
void mf_ctl_handle(mf_daemon *d);
void mf_ctl_close(mf_daemon *d);

/* Run one command (a JSON request) and return the reply (new reference).
 * *payload, when not NULL on return, is extra text to send after the
 * reply (export); the caller frees it. */
json_t *mf_ctl_dispatch(mf_daemon *d, json_t *req, char **payload, size_t *payload_len);

/* Validate JSON records and commit them as new local versions in one
 * transaction; announce on success.  Reply JSON (new reference).  Used by
 * put and import.  `what` names the source in errors ("record 3"). */
json_t *mf_ctl_put_records(mf_daemon *d, json_t *records);

#endif
