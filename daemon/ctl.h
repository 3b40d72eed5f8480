/*
 * ctl.h — the daemon's local control socket and its command table.
 *
 * The socket is a ZeroMQ ROUTER on an ipc:// path inside the data
 * directory (0600; 0660 for the data directory's group when that directory
 * is open to its group: ctl.c).  A request is one
 * frame, a JSON object {"cmd": NAME, ...}; the reply is one JSON frame
 * {"ok": true, ...} or {"ok": false, "error": MESSAGE, "code": SYSEXIT},
 * followed for `export` by frames of JSON lines.
 *
 * Every command is one entry of one table (ctl_table.c), as in Redis: name,
 * handler, flags and the request fields it requires.  The dispatcher
 * checks the required fields before the handler runs, and after a WRITE
 * command tells sync when this node's own chain grew, so that no handler,
 * the exchange or the records layer ever calls sync.
 */
#ifndef MF_CTL_H
#define MF_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "records.h"
#include "reply.h"

struct mf_sync;

/* Everything a command may use; owned by the daemon's main. */
typedef struct mf_daemon {
	void *zctx;
	mf_node *node;
	struct mf_sync *sync;		/* NULL in tests that run without sync */
	void *ctl;			/* the ROUTER socket */
	uint64_t started_ms;
	int stop;
	/* Extra frame after the reply of the command being run: set by
	 * PAYLOAD commands (export) with mf_ctl_set_payload. */
	char *payload;
	size_t payload_len;
} mf_daemon;

/* Every command handler: req is the request object (borrowed); returns a
 * reply (new reference). */
typedef json_t *mf_cmd_fn(mf_daemon *d, json_t *req);

enum {
	MF_CMD_WRITE = 1 << 0,		/* may create local versions: announce after */
	MF_CMD_PAYLOAD = 1 << 1,	/* may send an extra frame after the reply */
};

#define MF_CMD_MAX_FIELDS 4

typedef struct mf_command {
	const char *name;
	mf_cmd_fn *fn;
	unsigned flags;
	/* String fields the request must carry (NULL-terminated when fewer
	 * than MF_CMD_MAX_FIELDS): checked before fn runs. */
	const char *required[MF_CMD_MAX_FIELDS];
} mf_command;

/* ---- the socket (ctl.c) */

/* Bind the control socket.  0 or -1 with err. */
int mf_ctl_bind(mf_daemon *d, char *err, size_t errlen);
/* Serve every request waiting on the socket (non-blocking). */
void mf_ctl_handle(mf_daemon *d);
void mf_ctl_close(mf_daemon *d);

/* ---- the command table and dispatch (ctl_table.c) */

/* The table entry of `name`, or NULL. */
const mf_command *mf_ctl_lookup(const char *name);

/* Run one command (a JSON request) and return the reply (new reference).
 * An unknown command or a missing required field is an EX_USAGE reply;
 * after a WRITE command that advanced this node's own chain, sync is told.
 * *payload, when not NULL on return, is extra text to send after the
 * reply (export); the caller frees it. */
json_t *mf_ctl_dispatch(mf_daemon *d, json_t *req, char **payload, size_t *payload_len);

/* For PAYLOAD commands: text (malloc'd, taken) to send after the reply. */
void mf_ctl_set_payload(mf_daemon *d, char *text, size_t len);


#endif
