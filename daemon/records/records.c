/*
 * records.c — the records layer: check, seal and store local writes.
 *
 * mf_records_put runs in two phases.  The checks come first, one function
 * per family (shape, kind, ownership, tombstone, id, body), each returning NULL or an
 * error reply; then the checks of the batch as a whole (check.c: dates,
 * counts, references, ownership of body fields; lifecycle.c).  Only when
 * every record passed are they sealed and stored, in one transaction, by
 * the store.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "checks.h"
#include "i18n.h"
#include "json.h"
#include "kinds.h"
#include "lifecycle.h"
#include "record.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "util.h"

/* One record of a put while it is checked. */
typedef struct rec_in {
	size_t n;		/* 1-based, for messages */
	const char *kind;	/* borrowed from the request */
	char *id;
	int deleted;
	uint8_t *body;
	size_t body_len;
	json_t *json;		/* the body as written (borrowed) */
	ProtobufCMessage *msg;	/* decoded by check_body, encoded after the checks */
} rec_in;

/* ---------------------------------------------------------------- checks */

/* The put as a whole: an array of at most MF_PUT_MAX_RECORDS, and a node
 * that accepts local writes now. */
static json_t *
check_batch(const mf_node *node, json_t *records)
{
	size_t n = json_array_size(records);

	if (!json_is_array(records))
		return mf_reply_error(EX_DATAERR, "records: expected an array");
	if (n > MF_PUT_MAX_RECORDS)
		return mf_reply_error(EX_DATAERR, "%zu records in one put; the limit is %d", n,
				      MF_PUT_MAX_RECORDS);
	if (node->writes_refused[0])
		return mf_reply_error(EX_TEMPFAIL, "%s", node->writes_refused);
	return NULL;
}

/* Shape: an object with known fields only.  The stored fields (origin,
 * seq, hlc, hash) are accepted so that `export` output goes back in. */
static json_t *
check_shape(json_t *r, const rec_in *in)
{
	static const char *const known[] = { "kind", "id", "key", "body", "deleted",
					     "origin", "seq", "hlc", "hash", NULL };
	const char *k;
	json_t *v;

	if (!json_is_object(r))
		return mf_reply_error(EX_DATAERR, "record %zu: expected an object", in->n);
	json_object_foreach(r, k, v) {
		int ok = 0;
		for (int i = 0; known[i] && !ok; i++)
			ok = strcmp(k, known[i]) == 0;
		if (!ok)
			return mf_reply_error(EX_DATAERR,
					      "record %zu: unknown field '%s' (expected kind, id or key, body, deleted)",
					      in->n, k);
	}
	return NULL;
}

/* Kind: one of the glossary's. */
static json_t *
check_kind(json_t *r, rec_in *in)
{
	const char *kind = json_string_value(json_object_get(r, "kind"));

	if (kind == NULL)
		return mf_reply_error(EX_DATAERR, "record %zu: missing kind", in->n);
	if (mf_kind_descriptor(kind) == NULL)
		return mf_reply_error(EX_DATAERR, "record %zu: unknown kind '%s'", in->n, kind);
	/* a key announcement needs the new key's proof and must switch the
	 * node's key in the same step: only mf_records_key_rotate writes it */
	if (strcmp(kind, "region_key") == 0)
		return mf_reply_error(EX_DATAERR, _("record %zu: kind 'region_key' is written only by 'mentorfed key rotate'"),
				      in->n);
	in->kind = kind;
	return NULL;
}

/* Ownership: this node writes only its own region's records. */
static json_t *
check_origin(json_t *r, const char *region, const rec_in *in)
{
	const char *origin = json_string_value(json_object_get(r, "origin"));

	if (origin != NULL && strcmp(origin, region) != 0)
		return mf_reply_error(EX_DATAERR,
				      "record %zu: origin %s is another region; this node writes only %s's records",
				      in->n, origin, region);
	return NULL;
}

/* A version or a tombstone. */
static json_t *
check_deleted(json_t *r, rec_in *in)
{
	json_t *v = json_object_get(r, "deleted");

	if (v != NULL && !json_is_boolean(v))
		return mf_reply_error(EX_DATAERR, "record %zu: deleted: expected true or false", in->n);
	in->deleted = json_is_true(v);
	return NULL;
}

/* Id: given (of this region and kind), or derived from the key. */
static json_t *
check_id(json_t *r, const char *region, rec_in *in)
{
	const char *id = json_string_value(json_object_get(r, "id"));
	const char *key = json_string_value(json_object_get(r, "key"));
	char buf[MF_ID_MAX];

	if (id != NULL) {
		const char *colon = strchr(id, ':');
		if (colon != NULL && ((size_t)(colon - id) != strlen(region) ||
				      strncmp(id, region, strlen(region)) != 0))
			return mf_reply_error(EX_DATAERR,
					      "record %zu: id %s belongs to another region; this node writes only %s's records",
					      in->n, id, region);
		if (mf_id_check(id, region, in->kind) != 0)
			return mf_reply_error(EX_DATAERR,
					      "record %zu: id '%s' is not of the form %s:%s:KEY (KEY: 1-64 of A-Z a-z 0-9 . _ -)",
					      in->n, id, region, in->kind);
		in->id = mf_xstrdup(id);
	} else if (key != NULL && *key) {
		mf_make_id(region, in->kind, key, buf);
		in->id = mf_xstrdup(buf);
	} else {
		return mf_reply_error(EX_DATAERR, "record %zu: needs an id or a key", in->n);
	}
	return NULL;
}

/* Body: present unless deleted, and valid for its kind (encoded here). */
static json_t *
check_body(json_t *r, rec_in *in)
{
	json_t *body = json_object_get(r, "body");
	char err[1024];

	if (in->deleted)
		return NULL;
	if (body == NULL)
		return mf_reply_error(EX_DATAERR, "record %zu (%s): body is missing", in->n, in->id);
	/* decoded only: the checks of the batch (check.c) read and normalise
	 * the message before it is encoded */
	if (mf_json_to_pb(body, mf_kind_descriptor(in->kind), &in->msg, "body", err, sizeof(err)) != 0)
		return mf_reply_error(EX_DATAERR, "record %zu (%s): %s", in->n, in->id, err);
	in->json = body;
	return NULL;
}

/* The batch's checks (checks.h): dates, counts, references, ownership. */
static json_t *
check_content(mf_node *node, rec_in *in, size_t n)
{
	mf_check_rec *c = mf_xcalloc(n ? n : 1, sizeof(*c));
	json_t *e;

	for (size_t i = 0; i < n; i++) {
		c[i].n = in[i].n;
		c[i].kind = in[i].kind;
		c[i].id = in[i].id;
		c[i].deleted = in[i].deleted;
		c[i].json = in[i].json;
		c[i].msg = in[i].msg;
	}
	e = mf_check_records(node, c, n);
	free(c);
	return e;
}

/* Encode the checked bodies for sealing. */
static json_t *
encode_bodies(rec_in *in, size_t n)
{
	char err[256];
	json_t *e;

	for (size_t i = 0; i < n; i++) {
		if (in[i].msg == NULL)
			continue;
		if (mf_pb_pack_body(in[i].msg, &in[i].body, &in[i].body_len, err, sizeof(err)) != 0) {
			e = mf_reply_error(EX_DATAERR, "record %zu (%s): %s", in[i].n, in[i].id, err);
			json_object_set_new(e, "index", json_integer((json_int_t)i));
			return e;
		}
	}
	return NULL;
}

/* Every check of one record, in order; NULL or the first error. */
static json_t *
check_record(json_t *r, const char *region, rec_in *in)
{
	json_t *e;

	if ((e = check_shape(r, in)) != NULL || (e = check_kind(r, in)) != NULL ||
	    (e = check_origin(r, region, in)) != NULL || (e = check_deleted(r, in)) != NULL ||
	    (e = check_id(r, region, in)) != NULL || (e = check_body(r, in)) != NULL)
		return e;
	return NULL;
}

/* ---------------------------------------------------------------- seal, store */

static json_t *
commit(mf_node *node, const rec_in *in, size_t n)
{
	mf_put *puts = mf_xcalloc(n ? n : 1, sizeof(*puts));
	mf_commit_result res;
	json_t *reply, *ids;
	char err[1024];

	for (size_t i = 0; i < n; i++) {
		puts[i].id = in[i].id;
		puts[i].kind = in[i].kind;
		puts[i].deleted = in[i].deleted;
		puts[i].body = in[i].body;
		puts[i].body_len = in[i].body_len;
	}
	/* the lifecycles (lifecycle.h) judge the batch as a whole: a record
	 * may step on one written earlier in it */
	if ((reply = mf_lifecycle_check(node->store, node->cfg->region, puts, n)) != NULL) {
		free(puts);
		return reply;
	}
	if (mf_store_commit_local(node->store, node->key, puts, n, &res, err, sizeof(err)) != 0) {
		free(puts);
		return mf_reply_error(EX_DATAERR, "%s", err);
	}
	free(puts);
	reply = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "ok", 1, "changed",
			  (json_int_t)res.changed, "unchanged", (json_int_t)res.unchanged,
			  "first_seq", (json_int_t)res.first_seq, "last_seq",
			  (json_int_t)res.last_seq, "blocks", (json_int_t)res.blocks);
	if (n <= 1000) {
		ids = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(ids, json_string(in[i].id));
		json_object_set_new(reply, "ids", ids);
	}
	return reply;
}

json_t *
mf_records_put(mf_node *node, json_t *records)
{
	size_t n = json_array_size(records);
	rec_in *in;
	json_t *reply = NULL;

	if ((reply = check_batch(node, records)) != NULL)
		return reply;
	in = mf_xcalloc(n ? n : 1, sizeof(*in));
	for (size_t i = 0; i < n && reply == NULL; i++) {
		in[i].n = i + 1;
		if ((reply = check_record(json_array_get(records, i), node->cfg->region, &in[i])) != NULL)
			json_object_set_new(reply, "index", json_integer((json_int_t)i));
	}
	/* the checks of the batch as a whole, one call each */
	if (reply == NULL)
		reply = check_content(node, in, n);
	if (reply == NULL)
		reply = encode_bodies(in, n);
	if (reply == NULL)
		reply = commit(node, in, n);
	for (size_t i = 0; i < n; i++) {
		free(in[i].id);
		free(in[i].body);
		if (in[i].msg)
			protobuf_c_message_free_unpacked(in[i].msg, NULL);
	}
	free(in);
	return reply;
}

/* ---------------------------------------------------------------- keys */

json_t *
mf_records_key_rotate(mf_node *node, const char *reason)
{
	char err[1024], hex[2 * MF_PUBKEY_LEN + 1], id[MF_ID_MAX], *next;
	uint8_t pub[MF_PUBKEY_LEN], *body = NULL;
	size_t len;
	mf_key *nk;
	mf_put p;
	mf_commit_result res;
	json_t *reply;

	if (node->writes_refused[0])
		return mf_reply_error(EX_TEMPFAIL, "%s", node->writes_refused);
	if (reason && strlen(reason) > 1000)
		return mf_reply_error(EX_DATAERR, _("the reason runs past 1000 bytes"));
	if ((nk = mf_key_generate(err, sizeof(err))) == NULL)
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	/* the new key reaches the disk before anything announces it: a
	 * crash after the commit finishes the switch at the next start
	 * (node.c), one before it drops the key */
	next = mf_path(node->dir, "signing.key.next");
	if (mf_key_save_private(nk, next, err, sizeof(err)) != 0) {
		mf_key_free(nk);
		free(next);
		return mf_reply_error(EX_CANTCREAT, _("%s (a rotation cut short: restart the daemon to finish or drop it)"),
				      err);
	}
	mf_key_public(nk, pub);
	mf_hex(pub, MF_PUBKEY_LEN, hex);
	mf_make_id(node->cfg->region, "region_key", hex, id);
	if (mf_region_key_body(node->cfg->region, node->pub, nk, reason, &body, &len) != 0) {
		reply = mf_reply_error(EX_SOFTWARE, "cannot sign the new key's proof");
		goto fail;
	}
	p.id = id;
	p.kind = "region_key";
	p.deleted = 0;
	p.body = body;
	p.body_len = len;
	/* alone in its block, signed by the old key */
	if (mf_store_commit_local(node->store, node->key, &p, 1, &res, err, sizeof(err)) != 0 ||
	    res.changed != 1) {
		reply = mf_reply_error(EX_DATAERR, "%s", err);
		goto fail;
	}
	free(body);
	free(next);
	if (mf_node_key_switch(node, nk, res.last_seq, err, sizeof(err)) != 0)
		return mf_reply_error(EX_SOFTWARE, _("the new key was announced at seq %llu but the switch failed: %s; restart the daemon to finish it"),
				      (unsigned long long)res.last_seq, err);
	reply = json_pack("{s:b, s:s, s:s, s:I, s:I}", "ok", 1, "id", id, "signing_key", hex,
			  "seq", (json_int_t)res.last_seq, "from_seq", (json_int_t)res.last_seq + 1);
	return reply;
fail:
	(void)unlink(next);
	free(next);
	free(body);
	mf_key_free(nk);
	return reply;
}

json_t *
mf_records_key_replace(mf_node *node)
{
	char err[1024], hex[2 * MF_PUBKEY_LEN + 1], old[2 * MF_PUBKEY_LEN + 1], text[512];
	char *cpath;
	uint8_t head[MF_HASH_LEN], pub[MF_PUBKEY_LEN];
	uint64_t seq = mf_store_vv(node->store, node->cfg->region, head);
	mf_key *nk;

	if ((nk = mf_key_generate(err, sizeof(err))) == NULL)
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	mf_key_public(nk, pub);
	mf_hex(pub, MF_PUBKEY_LEN, hex);
	mf_hex(node->pub, MF_PUBKEY_LEN, old);
	/* the old key is revoked after the chain's head here too, so this
	 * node refuses what a thief signs with it like every other */
	cpath = mf_path(node->dir, MF_CONFIG_NAME);
	snprintf(text, sizeof(text), "\n; replaced after a revocation (doc/KEYS.md)\n[region %s]\nrevoke = %s after %llu\n",
		 node->cfg->region, old, (unsigned long long)seq);
	if (mf_config_append(cpath, text, err, sizeof(err)) != 0) {
		free(cpath);
		mf_key_free(nk);
		return mf_reply_error(EX_CONFIG, "%s", err);
	}
	free(cpath);
	if (mf_node_key_switch(node, nk, seq, err, sizeof(err)) != 0)
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	return json_pack("{s:b, s:s, s:s, s:I, s:I}", "ok", 1, "signing_key", hex, "revoked_key", old,
			 "revoked_after", (json_int_t)seq, "from_seq", (json_int_t)seq + 1);
}
