/*
 * ctl_table.c — the command table (see ctl.h): every command the daemon
 * serves is one entry below, dispatched by name (bsearch over the sorted
 * table).  The record commands live in cmd_records.c, the plugin commands
 * in ctl_plugins.c and cmd_import.c, the exchange in daemon/exchange.
 *
 * The table lives apart from the socket (ctl.c) so that the handlers'
 * headers, which need ctl.h for mf_daemon, are included only here: no
 * include cycle between the socket and the commands.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd_backup.h"
#include "cmd_keys.h"
#include "cmd_records.h"
#include "cmd_web.h"
#include "ctl.h"
#include "ctl_plugins.h"
#include "exchange.h"
#include "log.h"
#include "reply.h"
#include "scrub.h"
#include "store.h"
#include "sync.h"

/* ---------------------------------------------------------------- table */

/* The exchange takes the node only: it needs nothing else of the daemon. */
#define EXCHANGE_CMD(fn)						\
	static json_t *							\
	cmd_##fn(mf_daemon *d, json_t *req)				\
	{								\
		return mf_exchange_##fn(d->node, req);			\
	}
EXCHANGE_CMD(find_mentor)
EXCHANGE_CMD(pair_propose)
EXCHANGE_CMD(pair_answer)
EXCHANGE_CMD(pair_list)
EXCHANGE_CMD(offer)
EXCHANGE_CMD(apply)
EXCHANGE_CMD(decide)
EXCHANGE_CMD(decide_one)
EXCHANGE_CMD(offers)
EXCHANGE_CMD(offer_show)
EXCHANGE_CMD(overview)

#define W MF_CMD_WRITE
#define P MF_CMD_PAYLOAD

/* Every command, sorted by name (strcmp order: bsearch; checked on the
 * first lookup).  A new command is one line here. */
static const mf_command commands[] = {
	{ "apply", cmd_apply, W, { "offer", "school" } },
	{ "backup", mf_cmd_backup, 0, { "path" } },
	{ "decide", cmd_decide, W, { "offer" } },
	{ "decide_one", cmd_decide_one, W, { "application" } },
	{ "delete", mf_cmd_delete, W, { "id" } },
	{ "digest", mf_cmd_digest, 0, { NULL } },
	{ "digest_recompute", mf_cmd_digest_recompute, 0, { NULL } },
	{ "export", mf_cmd_export, P, { NULL } },
	{ "fork", mf_cmd_fork, 0, { "action" } },
	{ "get", mf_cmd_get, 0, { "id" } },
	{ "import", mf_cmd_import, W, { "path" } },
	{ "key_replace", mf_cmd_key_replace, W, { NULL } },
	{ "key_rotate", mf_cmd_key_rotate, W, { NULL } },
	{ "keys", mf_cmd_keys, 0, { NULL } },
	{ "list", mf_cmd_list, 0, { NULL } },
	{ "mentor_find", cmd_find_mentor, 0, { "school" } },
	{ "offer", cmd_offer, W, { "host", "title", "from", "to" } },
	{ "offer_show", cmd_offer_show, 0, { "offer" } },
	{ "offers", cmd_offers, 0, { NULL } },
	{ "overview", cmd_overview, 0, { NULL } },
	{ "pair_answer", cmd_pair_answer, W, { "proposal" } },
	{ "pair_list", cmd_pair_list, 0, { NULL } },
	{ "pair_propose", cmd_pair_propose, W, { "mentor", "mentee", "start" } },
	{ "plugin_list", mf_cmd_plugin_list, 0, { NULL } },
	{ "plugin_load", mf_cmd_plugin_load, 0, { "path" } },
	{ "put", mf_cmd_put, W, { NULL } },
	{ "region_name", mf_cmd_region_name, W, { "name" } },
	{ "reload", mf_cmd_reload, 0, { NULL } },
	{ "report_roadmaps", mf_cmd_report_roadmaps, 0, { NULL } },
	{ "roadmap", mf_cmd_roadmap, 0, { "region" } },
	{ "status", mf_cmd_status, 0, { NULL } },
	{ "stop", mf_cmd_stop, 0, { NULL } },
	{ "verify", mf_cmd_verify, 0, { NULL } },
	{ "web_calendar", mf_cmd_web_calendar, 0, { NULL } },
	{ "web_federation", mf_cmd_web_federation, 0, { NULL } },
	{ "web_names", mf_cmd_web_names, 0, { NULL } },
	{ "web_school", mf_cmd_web_school, 0, { "id" } },
	{ "web_schools", mf_cmd_web_schools, 0, { NULL } },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

#undef W
#undef P

static int
command_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const mf_command *)elem)->name);
}

const mf_command *
mf_ctl_lookup(const char *name)
{
	static int checked;

	if (!checked) {
		/* a table out of order would make bsearch miss commands */
		for (size_t i = 1; i < N_COMMANDS; i++)
			if (strcmp(commands[i - 1].name, commands[i].name) >= 0) {
				mf_err("command table out of order at '%s'", commands[i].name);
				abort();
			}
		checked = 1;
	}
	return bsearch(name, commands, N_COMMANDS, sizeof(commands[0]), command_cmp);
}

/* {"ok": false, "error": "unknown command 'x' (known: a, b, ...)",
 *  "code": EX_USAGE, "commands": [...]} */
static json_t *
unknown_command(const char *cmd)
{
	char known[1024] = "";
	json_t *rep, *names = json_array();

	for (size_t i = 0; i < N_COMMANDS; i++) {
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
			 commands[i].name);
		json_array_append_new(names, json_string(commands[i].name));
	}
	rep = mf_reply_error(EX_USAGE, "unknown command '%s' (known: %s)", cmd, known);
	json_object_set_new(rep, "commands", names);
	return rep;
}

/* The request fields the table requires; NULL or an EX_USAGE reply. */
static json_t *
check_required(const mf_command *c, json_t *req)
{
	for (int i = 0; i < MF_CMD_MAX_FIELDS && c->required[i]; i++)
		if (!json_is_string(json_object_get(req, c->required[i])))
			return mf_reply_error(EX_USAGE, "%s: %s missing (a string field '%s' is required)",
					      c->name, c->required[i], c->required[i]);
	return NULL;
}

void
mf_ctl_set_payload(mf_daemon *d, char *text, size_t len)
{
	free(d->payload);
	d->payload = text;
	d->payload_len = len;
}

json_t *
mf_ctl_dispatch(mf_daemon *d, json_t *req, char **payload, size_t *plen)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	const mf_command *c;
	uint64_t before = 0;
	json_t *rep;

	*payload = NULL;
	*plen = 0;
	if (cmd == NULL)
		return mf_reply_error(EX_USAGE, "request without cmd");
	if ((c = mf_ctl_lookup(cmd)) == NULL)
		return unknown_command(cmd);
	if ((rep = check_required(c, req)) != NULL)
		return rep;
	if (c->flags & MF_CMD_WRITE)
		before = mf_store_vv(d->node->store, d->node->cfg->region, NULL);
	mf_ctl_set_payload(d, NULL, 0);
	rep = c->fn(d, req);
	/* Our own chain grew: tell the peers.  Neither the records layer nor
	 * the exchange knows sync; this is the one place that does. */
	if ((c->flags & MF_CMD_WRITE) && d->sync &&
	    mf_store_vv(d->node->store, d->node->cfg->region, NULL) > before)
		mf_sync_announce(d->sync);
	if (c->flags & MF_CMD_PAYLOAD) {
		*payload = d->payload;
		*plen = d->payload_len;
		d->payload = NULL;
	}
	mf_ctl_set_payload(d, NULL, 0);
	return rep;
}
