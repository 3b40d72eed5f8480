/*
 * cmd_records.c — the record commands of the control socket (see
 * cmd_records.h).  Writes go through the records layer; the command
 * table announces them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd_keys.h"
#include "cmd_records.h"
#include "kinds.h"
#include "log.h"
#include "records.h"
#include "reply.h"
#include "scrub.h"
#include "store.h"
#include "store_mem.h"
#include "sync.h"
#include "sync_recover.h"
#include "util.h"

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
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		return -1;
	l = strlen(s);
	if (c->len + l + 2 > c->cap) {
		c->cap = (c->cap ? c->cap * 2 : 65536) + l;
		c->text = mf_xrealloc(c->text, c->cap);
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

/* Where the node's memory goes, in bytes (store_mem.h); -1 unknown. */
static json_t *
memory_json(mf_store *s)
{
	mf_memstat m;

	mf_memstat_read(s, &m);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "rss", (json_int_t)m.rss, "rss_anon", (json_int_t)m.rss_anon,
			 "rss_file", (json_int_t)m.rss_file, "rss_shmem", (json_int_t)m.rss_shmem,
			 "heap_arena", (json_int_t)m.heap_arena, "heap_used", (json_int_t)m.heap_used,
			 "heap_free", (json_int_t)m.heap_free, "heap_mmap", (json_int_t)m.heap_mmap,
			 "sqlite_used", (json_int_t)m.sqlite_used,
			 "sqlite_peak", (json_int_t)m.sqlite_peak,
			 "sqlite_cache", (json_int_t)m.cache_used,
			 "sqlite_cache_limit", (json_int_t)m.cache_limit,
			 "sqlite_statements", (json_int_t)m.stmt_used,
			 "sqlite_schema", (json_int_t)m.schema_used, "wal_bytes", (json_int_t)m.wal_bytes);
}

json_t *
mf_cmd_status(mf_daemon *d, json_t *req)
{
	mf_store *s = d->node->store;
	json_t *r = mf_reply_ok(), *kinds = json_object(), *vv = json_object();
	char hex[2 * MF_PUBKEY_LEN + 1];

	(void)req;
	for (int i = 0; mf_kind_names[i]; i++) {
		int64_t c = mf_store_count(s, mf_kind_names[i], NULL, 0);
		if (c > 0)
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
	json_object_set_new(r, "records", json_integer(mf_store_count(s, NULL, NULL, 0)));
	json_object_set_new(r, "tombstones", json_integer(mf_store_count(s, NULL, NULL, 1)));
	json_object_set_new(r, "by_kind", kinds);
	json_object_set_new(r, "version_vector", vv);
	json_object_set_new(r, "forks", json_integer(mf_store_forks(s, NULL)));
	json_object_set_new(r, "integrity", mf_scrub_status(d));
	json_object_set_new(r, "keys", mf_keys_status(d->node));
	json_object_set_new(r, "memory", memory_json(s));
	if (d->sync) {
		json_object_set_new(r, "own_chain", mf_sync_own_state(d->sync));
		json_object_set_new(r, "sync", mf_sync_status(d->sync));
		json_object_set_new(r, "recovering", json_boolean(mf_sync_recovering(d->sync)));
	}
	return r;
}

json_t *
mf_cmd_get(mf_daemon *d, json_t *req)
{
	const char *id = json_string_value(json_object_get(req, "id"));
	mf_record *r;
	json_t *rep;

	if ((r = mf_store_get(d->node->store, id)) == NULL)
		return mf_reply_error(EX_DATAERR, "no record %s", id);
	rep = mf_reply_ok();
	json_object_set_new(rep, "record", mf_record_json(r));
	mf_record_free(r);
	return rep;
}

static json_t *
list_or_export(mf_daemon *d, json_t *req, int as_text)
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
		mf_ctl_set_payload(d, c.text ? c.text : mf_xstrdup(""), c.len);
	} else {
		json_object_set_new(rep, "records", c.arr);
	}
	return rep;
}

json_t *
mf_cmd_list(mf_daemon *d, json_t *req)
{
	return list_or_export(d, req, 0);
}

json_t *
mf_cmd_export(mf_daemon *d, json_t *req)
{
	return list_or_export(d, req, 1);
}

json_t *
mf_cmd_digest(mf_daemon *d, json_t *req)
{
	uint8_t h[MF_HASH_LEN];
	char hex[2 * MF_HASH_LEN + 1];
	json_t *rep;

	(void)req;
	if (mf_store_digest(d->node->store, h) != 0)
		return mf_reply_error(EX_SOFTWARE, "digest: store read failed");
	mf_hex(h, MF_HASH_LEN, hex);
	rep = mf_reply_ok();
	json_object_set_new(rep, "digest", json_string(hex));
	json_object_set_new(rep, "records",
			    json_integer(mf_store_count(d->node->store, NULL, NULL, -1)));
	return rep;
}

/* ---------------------------------------------------------------- writes */

json_t *
mf_cmd_put(mf_daemon *d, json_t *req)
{
	return mf_records_put(d->node, json_object_get(req, "records"));
}

json_t *
mf_cmd_delete(mf_daemon *d, json_t *req)
{
	const char *id = json_string_value(json_object_get(req, "id"));
	char kind[64];
	json_t *recs, *rep;

	if (mf_id_kind(id, kind, sizeof(kind)) != 0 || mf_kind_descriptor(kind) == NULL)
		return mf_reply_error(EX_DATAERR, "'%s' is not a record id", id);
	recs = json_pack("[{s:s, s:s, s:b}]", "id", id, "kind", kind, "deleted", 1);
	rep = mf_records_put(d->node, recs);
	json_decref(recs);
	return rep;
}

/* ---------------------------------------------------------------- the node */

json_t *
mf_cmd_reload(mf_daemon *d, json_t *req)
{
	char err[512];

	(void)req;
	if (mf_node_reload(d->node, err, sizeof(err)) != 0)
		return mf_reply_error(EX_CONFIG, "%s", err);
	mf_log_set_level(d->node->cfg->log_level);
	if (d->sync && mf_sync_reload(d->sync, err, sizeof(err)) != 0)
		return mf_reply_error(EX_CONFIG, "%s", err);
	mf_info("configuration reloaded from %s", d->node->cfg->path);
	return mf_reply_ok();
}

json_t *
mf_cmd_stop(mf_daemon *d, json_t *req)
{
	(void)req;
	d->stop = 1;
	return mf_reply_ok();
}
