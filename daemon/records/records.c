/*
 * records.c — the records layer: check, seal and store local writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "json.h"
#include "kinds.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "util.h"

json_t *
mf_records_put(mf_node *node, json_t *records)
{
	const char *region = node->cfg->region;
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
	if (node->writes_refused[0])
		return mf_reply_error(EX_TEMPFAIL, "%s", node->writes_refused);
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
	if (mf_store_commit_local(node->store, node->key, puts, n, &res, err,
				  sizeof(err)) != 0) {
		reply = mf_reply_error(EX_DATAERR, "%s", err);
		goto out;
	}
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

