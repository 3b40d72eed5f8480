/*
 * ctl.c — the control socket and the record commands served on it
 * (status, put, get, list, delete, export, digest, reload).  Plugin
 * commands (import, plugin, roadmap) live in ctl_plugins.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <zmq.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "json.h"
#include "kinds.h"
#include "log.h"
#include "query.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "sync.h"
#include "util.h"

/* ---------------------------------------------------------------- put */

json_t *
mf_ctl_put_records(mf_daemon *d, json_t *records)
{
	json_t *rep = mf_records_put(d->node, records);

	if (json_is_true(json_object_get(rep, "ok")) &&
	    json_integer_value(json_object_get(rep, "changed")) > 0 && d->sync)
		mf_sync_announce(d->sync);
	return rep;
}

/* ---------------------------------------------------------------- reads */

typedef struct collect {
	json_t *arr;
	char *text;
	size_t len, cap;
	int as_text;
} collect;

static int
collect_fn(void *arg, const mf_record *r)
{
	collect *c = arg;
	json_t *j = mf_record_json(r);
	char *s;
	size_t l;

	if (j == NULL)
		return -1;
	if (!c->as_text) {
		json_array_append_new(c->arr, j);
		return 0;
	}
	s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
	json_decref(j);
	if (s == NULL)
		return -1;
	l = strlen(s);
	if (c->len + l + 2 > c->cap) {
		size_t nc = (c->cap ? c->cap * 2 : 65536) + l;
		char *nt = realloc(c->text, nc);
		if (nt == NULL) {
			free(s);
			return -1;
		}
		c->text = nt;
		c->cap = nc;
	}
	memcpy(c->text + c->len, s, l);
	c->len += l;
	c->text[c->len++] = '\n';
	free(s);
	return 0;
}

static int
vv_fn(void *arg, const char *origin, uint64_t seq)
{
	json_object_set_new(arg, origin, json_integer((json_int_t)seq));
	return 0;
}

static json_t *
cmd_status(mf_daemon *d)
{
	mf_store *s = d->node->store;
	json_t *r = mf_reply_ok(), *kinds = json_object(), *vv = json_object();
	char hex[2 * MF_PUBKEY_LEN + 1];

	for (int i = 0; mf_kind_names[i]; i++) {
		char where[128];
		int64_t c;
		snprintf(where, sizeof(where), "kind = '%s' AND deleted = 0", mf_kind_names[i]);
		if ((c = mf_store_count(s, where)) > 0)
			json_object_set_new(kinds, mf_kind_names[i], json_integer(c));
	}
	mf_store_vv_each(s, vv_fn, vv);
	mf_hex(d->node->pub, MF_PUBKEY_LEN, hex);
	json_object_set_new(r, "region", json_string(d->node->cfg->region));
	json_object_set_new(r, "dir", json_string(d->node->dir));
	json_object_set_new(r, "listen", json_string(d->node->cfg->listen));
	json_object_set_new(r, "signing_key", json_string(hex));
	json_object_set_new(r, "curve_key", json_string(d->node->curve_pub));
	json_object_set_new(r, "uptime_s",
			    json_integer((json_int_t)((mf_now_ms() - d->started_ms) / 1000)));
	json_object_set_new(r, "records", json_integer(mf_store_count(s, "deleted = 0")));
	json_object_set_new(r, "tombstones", json_integer(mf_store_count(s, "deleted = 1")));
	json_object_set_new(r, "by_kind", kinds);
	json_object_set_new(r, "version_vector", vv);
	json_object_set_new(r, "forks", json_integer(mf_store_forks(s, NULL)));
	if (d->sync) {
		json_object_set_new(r, "sync", mf_sync_status(d->sync));
		json_object_set_new(r, "recovering", json_boolean(mf_sync_recovering(d->sync)));
	}
	return r;
}

static json_t *
cmd_get(mf_daemon *d, json_t *req)
{
	const char *id = json_string_value(json_object_get(req, "id"));
	mf_record *r;
	json_t *rep;

	if (id == NULL)
		return mf_reply_error(EX_USAGE, "get: id missing");
	if ((r = mf_store_get(d->node->store, id)) == NULL)
		return mf_reply_error(EX_DATAERR, "no record %s", id);
	rep = mf_reply_ok();
	json_object_set_new(rep, "record", mf_record_json(r));
	mf_record_free(r);
	return rep;
}

static json_t *
cmd_list(mf_daemon *d, json_t *req, int as_text, char **payload, size_t *plen)
{
	const char *kind = json_string_value(json_object_get(req, "kind"));
	const char *region = json_string_value(json_object_get(req, "region"));
	int with_deleted = json_is_true(json_object_get(req, "deleted"));
	collect c;
	json_t *rep;

	if (kind && mf_kind_descriptor(kind) == NULL)
		return mf_reply_error(EX_USAGE, "unknown kind '%s'", kind);
	if (region && !mf_region_valid(region))
		return mf_reply_error(EX_USAGE, "region: expected an ISO 3166-2 code, got '%s'", region);
	memset(&c, 0, sizeof(c));
	c.as_text = as_text;
	c.arr = json_array();
	if (mf_store_each(d->node->store, kind, region, with_deleted, collect_fn, &c) != 0) {
		json_decref(c.arr);
		free(c.text);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	rep = mf_reply_ok();
	if (as_text) {
		json_decref(c.arr);
		*payload = c.text ? c.text : strdup("");
		*plen = c.len;
	} else {
		json_object_set_new(rep, "records", c.arr);
	}
	return rep;
}

static json_t *
cmd_delete(mf_daemon *d, json_t *req)
{
	const char *id = json_string_value(json_object_get(req, "id"));
	char kind[64];
	json_t *recs, *rep;

	if (id == NULL)
		return mf_reply_error(EX_USAGE, "delete: id missing");
	if (mf_id_kind(id, kind, sizeof(kind)) != 0 || mf_kind_descriptor(kind) == NULL)
		return mf_reply_error(EX_DATAERR, "'%s' is not a record id", id);
	recs = json_pack("[{s:s, s:s, s:b}]", "id", id, "kind", kind, "deleted", 1);
	rep = mf_ctl_put_records(d, recs);
	json_decref(recs);
	return rep;
}

static json_t *
cmd_digest(mf_daemon *d)
{
	uint8_t h[MF_HASH_LEN];
	char hex[2 * MF_HASH_LEN + 1];
	json_t *rep;

	if (mf_store_digest(d->node->store, h) != 0)
		return mf_reply_error(EX_SOFTWARE, "digest: store read failed");
	mf_hex(h, MF_HASH_LEN, hex);
	rep = mf_reply_ok();
	json_object_set_new(rep, "digest", json_string(hex));
	json_object_set_new(rep, "records", json_integer(mf_store_count(d->node->store, NULL)));
	return rep;
}

static json_t *
cmd_reload(mf_daemon *d)
{
	char err[512];

	if (mf_node_reload(d->node, err, sizeof(err)) != 0)
		return mf_reply_error(EX_CONFIG, "%s", err);
	mf_log_set_level(d->node->cfg->log_level);
	if (d->sync && mf_sync_reload(d->sync, err, sizeof(err)) != 0)
		return mf_reply_error(EX_CONFIG, "%s", err);
	mf_info("configuration reloaded from %s", d->node->cfg->path);
	return mf_reply_ok();
}

json_t *
mf_ctl_dispatch(mf_daemon *d, json_t *req, char **payload, size_t *plen)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	*payload = NULL;
	*plen = 0;
	if (cmd == NULL)
		return mf_reply_error(EX_USAGE, "request without cmd");
	if (strcmp(cmd, "status") == 0)
		return cmd_status(d);
	if (strcmp(cmd, "put") == 0)
		return mf_ctl_put_records(d, json_object_get(req, "records"));
	if (strcmp(cmd, "get") == 0)
		return cmd_get(d, req);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(d, req, 0, payload, plen);
	if (strcmp(cmd, "export") == 0)
		return cmd_list(d, req, 1, payload, plen);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(d, req);
	if (strcmp(cmd, "digest") == 0)
		return cmd_digest(d);
	if (strcmp(cmd, "reload") == 0)
		return cmd_reload(d);
	{
		static const struct {
			const char *name;
			json_t *(*fn)(mf_daemon *, json_t *);
		} q[] = {
			{ "mentor_find", mf_query_find_mentor }, { "pair_propose", mf_query_pair_propose },
			{ "pair_answer", mf_query_pair_answer }, { "pair_list", mf_query_pair_list },
			{ "offer", mf_query_offer }, { "apply", mf_query_apply },
			{ "decide", mf_query_decide }, { "decide_one", mf_query_decide_one },
			{ "offers", mf_query_offers }, { "offer_show", mf_query_offer_show },
			{ "overview", mf_query_overview },
		};
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
			if (strcmp(cmd, q[i].name) == 0)
				return q[i].fn(d, req);
	}
	if (strcmp(cmd, "stop") == 0) {
		d->stop = 1;
		return mf_reply_ok();
	}
	{
		static const struct {
			const char *name;
			json_t *(*fn)(mf_daemon *, json_t *);
		} p[] = {
			{ "import", mf_cmd_import }, { "plugin_list", mf_cmd_plugin_list },
			{ "plugin_load", mf_cmd_plugin_load }, { "roadmap", mf_cmd_roadmap },
			{ "report_roadmaps", mf_cmd_report_roadmaps },
		};
		for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
			if (strcmp(cmd, p[i].name) == 0)
				return p[i].fn(d, req);
	}
	return mf_reply_error(EX_USAGE, "unknown command '%s'", cmd);
}

/* ---------------------------------------------------------------- socket */

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
	if (strncmp(ep, "ipc://", 6) == 0 && chmod(ep + 6, 0600) != 0) {
		snprintf(err, errlen, "control socket %s: chmod: %s", ep, strerror(errno));
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
		else
			rep = mf_ctl_dispatch(d, req, &payload, &plen);
		json_decref(req);
		out = json_dumps(rep, JSON_COMPACT);
		json_decref(rep);
		zmq_msg_send(&id, d->ctl, ZMQ_SNDMORE);
		zmq_send(d->ctl, "", 0, ZMQ_SNDMORE);
		if (out == NULL)
			out = strdup("{\"ok\":false,\"error\":\"reply encoding failed\",\"code\":70}");
		zmq_send(d->ctl, out, strlen(out), payload ? ZMQ_SNDMORE : 0);
		if (payload)
			zmq_send(d->ctl, payload, plen, 0);
		free(out);
		free(payload);
		zmq_msg_close(&id);
	}
}
