/*
 * cmd_backup.c — the daemon's commands for its own chain and its store:
 * `backup` (a consistent copy while the daemon runs) and `fork` (show the
 * state of our own chain; adopt the federation's chain after a fork of
 * our own region).  `restore` runs without the daemon, in the client.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd_backup.h"
#include "ctl.h"
#include "log.h"
#include "reply.h"
#include "store.h"
#include "sync.h"
#include "sync_recover.h"

json_t *
mf_cmd_backup(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *own = d->node->cfg->region;
	char err[1024];
	json_t *rep;

	if (path[0] != '/')
		return mf_reply_error(EX_USAGE, "backup: the path must be absolute, got '%s'", path);
	if (mf_store_backup(d->node->store, path, err, sizeof(err)) != 0)
		return mf_reply_error(EX_CANTCREAT, "%s", err);
	mf_info("backup of the store written to %s (%s held to seq %llu)", path, own,
		(unsigned long long)mf_store_vv(d->node->store, own, NULL));
	rep = mf_reply_ok();
	json_object_set_new(rep, "path", json_string(path));
	json_object_set_new(rep, "own_seq",
			    json_integer((json_int_t)mf_store_vv(d->node->store, own, NULL)));
	return rep;
}

json_t *
mf_cmd_fork(mf_daemon *d, json_t *req)
{
	const char *action = json_string_value(json_object_get(req, "action"));
	char msg[1024];
	json_t *rep;

	if (d->sync == NULL)
		return mf_reply_error(EX_UNAVAILABLE, "the daemon runs without sync");
	if (strcmp(action, "show") == 0) {
		rep = mf_reply_ok();
		json_object_set_new(rep, "state", mf_sync_own_state(d->sync));
		json_object_set_new(rep, "forks",
				    json_integer(mf_store_forks(d->node->store, d->node->cfg->region)));
		return rep;
	}
	if (strcmp(action, "adopt") != 0)
		return mf_reply_error(EX_USAGE, "fork: expected show or adopt, got '%s'", action);
	if (mf_sync_fork_adopt(d->sync, msg, sizeof(msg)) != 0)
		return mf_reply_error(EX_DATAERR, "fork adopt: %s", msg);
	rep = mf_reply_ok();
	json_object_set_new(rep, "message", json_string(msg));
	return rep;
}
