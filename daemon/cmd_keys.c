/*
 * cmd_keys.c — the daemon's commands on regions' keys and names: `key
 * rotate`, `key replace` (the records layer writes and switches), and
 * `keys`, which shows the keyring as apply, verify and the scrub use it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd_keys.h"
#include "json.h"
#include "kinds.h"
#include "ctl.h"
#include "log.h"
#include "proto/records.pb-c.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "util.h"

json_t *
mf_cmd_key_rotate(mf_daemon *d, json_t *req)
{
	const char *reason = json_string_value(json_object_get(req, "reason"));
	json_t *rep = mf_records_key_rotate(d->node, reason);

	if (json_is_true(json_object_get(rep, "ok")))
		mf_info("keys: rotated: region_key %s at seq %lld; key %s signs from seq %lld",
			json_string_value(json_object_get(rep, "id")),
			(long long)json_integer_value(json_object_get(rep, "seq")),
			json_string_value(json_object_get(rep, "signing_key")),
			(long long)json_integer_value(json_object_get(rep, "from_seq")));
	return rep;
}

json_t *
mf_cmd_key_replace(mf_daemon *d, json_t *req)
{
	json_t *rep;

	(void)req;
	rep = mf_records_key_replace(d->node);
	if (json_is_true(json_object_get(rep, "ok")))
		mf_warn("keys: signing key replaced: %s revoked after seq %lld; %s signs from seq %lld; hand the new card to every region",
			json_string_value(json_object_get(rep, "revoked_key")),
			(long long)json_integer_value(json_object_get(rep, "revoked_after")),
			json_string_value(json_object_get(rep, "signing_key")),
			(long long)json_integer_value(json_object_get(rep, "from_seq")));
	return rep;
}

json_t *
mf_cmd_region_name(mf_daemon *d, json_t *req)
{
	mf_node *n = d->node;
	const char *name = json_string_value(json_object_get(req, "name"));
	char own[16], id[MF_ID_MAX], err[1024], *cpath;
	mf_record *cur;
	json_t *body = NULL, *rep, *recs;

	if (name == NULL || *name == '\0')
		return mf_reply_error(EX_USAGE, "region_name: expected a non-empty name");
	/* a copy: the reload below replaces n->cfg */
	mf_strlcpy(own, n->cfg->region, sizeof(own));
	/* the region's own record, its other fields kept */
	mf_make_id(own, "region", own, id);
	if ((cur = mf_store_get(n->store, id)) != NULL && !cur->deleted) {
		Mentorfed__Region *b = mentorfed__region__unpack(NULL, cur->body_len, cur->body);
		if (b != NULL) {
			body = mf_pb_to_json(&b->base);
			mentorfed__region__free_unpacked(b, NULL);
		}
	}
	mf_record_free(cur);
	if (body == NULL)
		body = json_object();
	json_object_set_new(body, "code", json_string(own));
	json_object_set_new(body, "name", json_string(name));
	recs = json_pack("[{s:s, s:s, s:o}]", "kind", "region", "key", own, "body", body);
	rep = mf_records_put(n, recs);
	json_decref(recs);
	if (!json_is_true(json_object_get(rep, "ok")))
		return rep;
	/* the config too, so that the card says it */
	cpath = mf_path(n->dir, MF_CONFIG_NAME);
	if (mf_config_set_region_name(cpath, own, name, err, sizeof(err)) != 0 ||
	    mf_node_reload(n, err, sizeof(err)) != 0)
		mf_warn("region name: stored, but the config was not updated: %s", err);
	free(cpath);
	mf_info("region %s is now named «%s» (record %s)", own, name, id);
	json_object_set_new(rep, "name", json_string(name));
	return rep;
}

/* The keyring as JSON: {region: {"keys": [...], "revoked": [...]}}. */
static int
key_fn(void *arg, const char *region, const uint8_t pub[MF_PUBKEY_LEN], uint64_t from,
       enum mf_key_source source, uint64_t revoked_after)
{
	static const char *const src[] = { "config", "chain", "own" };
	json_t *regions = arg, *r = json_object_get(regions, region), *k;
	char hex[2 * MF_PUBKEY_LEN + 1];

	if (r == NULL) {
		r = json_pack("{s:[], s:[]}", "keys", "revoked");
		json_object_set_new(regions, region, r);
	}
	mf_hex(pub, MF_PUBKEY_LEN, hex);
	if (from == 0) {	/* a revocation of a key not held otherwise */
		json_array_append_new(json_object_get(r, "revoked"),
				      json_pack("{s:s, s:I}", "key", hex, "after",
						(json_int_t)revoked_after));
		return 0;
	}
	k = json_pack("{s:s, s:I, s:s}", "key", hex, "from", (json_int_t)from, "source",
		      src[source]);
	if (revoked_after != UINT64_MAX) {
		json_object_set_new(k, "revoked_after", json_integer((json_int_t)revoked_after));
		json_array_append_new(json_object_get(r, "revoked"),
				      json_pack("{s:s, s:I}", "key", hex, "after",
						(json_int_t)revoked_after));
	}
	json_array_append_new(json_object_get(r, "keys"), k);
	return 0;
}

/* The name a region gave itself in its own `region` record. */
static int
name_fn(void *arg, const mf_record *rec)
{
	json_t *regions = arg, *r = json_object_get(regions, rec->origin);
	Mentorfed__Region *b;

	if (r == NULL || rec->deleted)
		return 0;
	b = mentorfed__region__unpack(NULL, rec->body_len, rec->body);
	if (b != NULL && b->code && strcmp(b->code, rec->origin) == 0 && b->name && *b->name)
		json_object_set_new(r, "name", json_string(b->name));
	if (b != NULL)
		mentorfed__region__free_unpacked(b, NULL);
	return 0;
}

json_t *
mf_cmd_keys(mf_daemon *d, json_t *req)
{
	mf_node *n = d->node;
	json_t *rep = mf_reply_ok(), *regions = json_object(), *r;
	const char *code;

	(void)req;
	mf_keyring_each(n->keyring, key_fn, regions);
	/* the config's name first; a region's own record, which reaches
	 * every node, wins */
	json_object_foreach(regions, code, r) {
		const mf_region_conf *rc = mf_config_region(n->cfg, code);
		json_object_set_new(r, "name", json_string(rc && rc->name ? rc->name : ""));
	}
	mf_store_each(n->store, "region", NULL, 0, name_fn, regions);
	json_object_set_new(rep, "region", json_string(n->cfg->region));
	json_object_set_new(rep, "regions", regions);
	json_object_set_new(rep, "refused", mf_keys_status(n));
	return rep;
}

json_t *
mf_keys_status(const mf_node *n)
{
	return json_pack("{s:I, s:s}", "revoked_refused", (json_int_t)n->revoked_refused, "last",
			 n->revoked_last);
}
