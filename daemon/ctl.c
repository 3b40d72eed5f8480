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
#include "json.h"
#include "kinds.h"
#include "log.h"
#include "query.h"
#include "store.h"
#include "sync.h"
#include "util.h"

#define MF_PUT_MAX_RECORDS 2000000

json_t *
mf_reply_error(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", msg, "code", code);
}

json_t *
mf_reply_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

json_t *
mf_record_json(const mf_record *r)
{
	char hex[2 * MF_HASH_LEN + 1];
	json_t *body = NULL, *o;

	mf_hex(r->hash, MF_HASH_LEN, hex);
	if (!r->deleted)
		body = mf_body_to_json(r->kind, r->body, r->body_len);
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:s}", "id", r->id, "kind", r->kind,
		      "origin", r->origin, "seq", (json_int_t)r->seq, "hlc", (json_int_t)r->hlc,
		      "deleted", r->deleted, "hash", hex);
	if (o && !r->deleted)
		json_object_set_new(o, "body", body ? body : json_object());
	return o;
}

/* ---------------------------------------------------------------- put */

json_t *
mf_ctl_put_records(mf_daemon *d, json_t *records)
{
	const char *region = d->node->cfg->region;
	size_t n = json_array_size(records);
	mf_put *puts = NULL;
	char **ids = NULL;
	uint8_t **bodies = NULL;
	mf_commit_result res;
	json_t *reply = NULL, *idlist;
	char err[1024];

	if (!json_is_array(records))
		return mf_reply_error(EX_DATAERR, "records: expected an array");
	if (n > MF_PUT_MAX_RECORDS)
		return mf_reply_error(EX_DATAERR, "%zu records in one put; the limit is %d", n,
				      MF_PUT_MAX_RECORDS);
	if (d->sync && mf_sync_recovering(d->sync))
		return mf_reply_error(EX_TEMPFAIL,
				      "the node is recovering its own records from peers after losing its store; try again when 'mentorfed status' no longer says recovering");
	puts = calloc(n ? n : 1, sizeof(*puts));
	ids = calloc(n ? n : 1, sizeof(*ids));
	bodies = calloc(n ? n : 1, sizeof(*bodies));
	if (puts == NULL || ids == NULL || bodies == NULL) {
		reply = mf_reply_error(EX_OSERR, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(records, i), *body, *v;
		const char *kind, *id = NULL, *key = NULL, *origin = NULL, *k;
		int deleted = 0;
		json_t *tmp;

		if (!json_is_object(r)) {
			reply = mf_reply_error(EX_DATAERR, "record %zu: expected an object", i + 1);
			goto idx;
		}
		json_object_foreach(r, k, tmp) {
			if (strcmp(k, "kind") && strcmp(k, "id") && strcmp(k, "key") &&
			    strcmp(k, "body") && strcmp(k, "deleted") && strcmp(k, "origin") &&
			    strcmp(k, "seq") && strcmp(k, "hlc") && strcmp(k, "hash")) {
				reply = mf_reply_error(EX_DATAERR,
						       "record %zu: unknown field '%s' (expected kind, id or key, body, deleted)",
						       i + 1, k);
				goto idx;
			}
		}
		kind = json_string_value(json_object_get(r, "kind"));
		if (kind == NULL || mf_kind_descriptor(kind) == NULL) {
			reply = mf_reply_error(EX_DATAERR, "record %zu: %s kind%s%s%s", i + 1,
					       kind ? "unknown" : "missing", kind ? " '" : "",
					       kind ? kind : "", kind ? "'" : "");
			goto idx;
		}
		if ((v = json_object_get(r, "origin")) != NULL &&
		    (origin = json_string_value(v)) != NULL && strcmp(origin, region) != 0) {
			reply = mf_reply_error(EX_DATAERR,
					       "record %zu: origin %s is another region; this node writes only %s's records",
					       i + 1, origin, region);
			goto idx;
		}
		if ((v = json_object_get(r, "deleted")) != NULL && !json_is_boolean(v)) {
			reply = mf_reply_error(EX_DATAERR, "record %zu: deleted: expected true or false", i + 1);
			goto idx;
		}
		deleted = json_is_true(v);
		id = json_string_value(json_object_get(r, "id"));
		key = json_string_value(json_object_get(r, "key"));
		if (id != NULL) {
			const char *colon = strchr(id, ':');
			if (colon != NULL && ((size_t)(colon - id) != strlen(region) ||
					      strncmp(id, region, strlen(region)) != 0)) {
				reply = mf_reply_error(EX_DATAERR,
						       "record %zu: id %s belongs to another region; this node writes only %s's records",
						       i + 1, id, region);
				goto idx;
			}
			if (mf_id_check(id, region, kind) != 0) {
				reply = mf_reply_error(EX_DATAERR,
						       "record %zu: id '%s' is not of the form %s:%s:KEY (KEY: 1-64 of A-Z a-z 0-9 . _ -)",
						       i + 1, id, region, kind);
				goto idx;
			}
			ids[i] = strdup(id);
		} else if (key != NULL && *key) {
			char buf[MF_ID_MAX];
			mf_make_id(region, kind, key, buf);
			ids[i] = strdup(buf);
		} else {
			reply = mf_reply_error(EX_DATAERR, "record %zu: needs an id or a key", i + 1);
			goto idx;
		}
		body = json_object_get(r, "body");
		if (!deleted) {
			if (body == NULL) {
				reply = mf_reply_error(EX_DATAERR, "record %zu (%s): body is missing",
						       i + 1, ids[i]);
				goto idx;
			}
			if (mf_json_to_body(body, kind, &bodies[i], &puts[i].body_len, err,
					    sizeof(err)) != 0) {
				reply = mf_reply_error(EX_DATAERR, "record %zu (%s): %s", i + 1, ids[i],
						       err);
				goto idx;
			}
		}
		puts[i].id = ids[i];
		puts[i].kind = kind;
		puts[i].deleted = deleted;
		puts[i].body = bodies[i];
		continue;
idx:
		json_object_set_new(reply, "index", json_integer((json_int_t)i));
		goto out;
	}
	if (mf_store_commit_local(d->node->store, d->node->key, puts, n, &res, err,
				  sizeof(err)) != 0) {
		reply = mf_reply_error(EX_DATAERR, "%s", err);
		goto out;
	}
	if (res.changed > 0 && d->sync)
		mf_sync_announce(d->sync);
	reply = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "ok", 1, "changed",
			  (json_int_t)res.changed, "unchanged", (json_int_t)res.unchanged,
			  "first_seq", (json_int_t)res.first_seq, "last_seq",
			  (json_int_t)res.last_seq, "blocks", (json_int_t)res.blocks);
	if (n <= 1000) {
		idlist = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(idlist, json_string(ids[i]));
		json_object_set_new(reply, "ids", idlist);
	}
out:
	for (size_t i = 0; ids && bodies && i < n; i++) {
		free(ids[i]);
		free(bodies[i]);
	}
	free(ids);
	free(bodies);
	free(puts);
	return reply;
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

/* Plugin commands (ctl_plugins.c); weak so the core builds and tests
 * without the plugin loader. */
json_t *mf_ctl_plugins_dispatch(mf_daemon *d, const char *cmd, json_t *req)
	__attribute__((weak));

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
	if (mf_ctl_plugins_dispatch != NULL) {
		json_t *r = mf_ctl_plugins_dispatch(d, cmd, req);
		if (r != NULL)
			return r;
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
