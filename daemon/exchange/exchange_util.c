/*
 * exchange_util.c — the exchange's shared helpers (exchange_int.h): names
 * of regions, directions and schools, decoding records of one kind, the
 * reply shape and the one write path through the records layer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange_int.h"
#include "i18n.h"
#include "records.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- names */

void
mf_ex_region_of(const char *id, char out[MF_REGION_MAX])
{
	size_t n = strcspn(id, ":");

	if (n >= MF_REGION_MAX)
		n = 0;
	memcpy(out, id, n);
	out[n] = '\0';
}

int
mf_ex_mine(const mf_node *node, const char *id)
{
	char r[MF_REGION_MAX];

	mf_ex_region_of(id, r);
	return strcmp(r, node->cfg->region) == 0;
}

static const char *
dir_name(int v, char *buf, size_t len)
{
	if (mf_enum_ident(&mentorfed__direction__descriptor, v, buf, len) == NULL)
		snprintf(buf, len, "%d", v);
	return buf;
}

json_t *
mf_ex_dirs_json(const int *v, size_t n)
{
	json_t *a = json_array();
	char nb[64];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(dir_name(v[i], nb, sizeof(nb))));
	return a;
}

void
mf_ex_dirs_text(const int *v, size_t n, char *buf, size_t len)
{
	char nb[64];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 dir_name(v[i], nb, sizeof(nb)));
}

int
mf_ex_dirs_parse(json_t *a, int mask[MF_EX_NDIRS], char *err, size_t errlen)
{
	size_t i;
	json_t *v;

	memset(mask, 0, MF_EX_NDIRS * sizeof(int));
	json_array_foreach(a, i, v) {
		const ProtobufCEnumValue *ev;
		if (!json_is_string(v) ||
		    (ev = mf_enum_by_ident(&mentorfed__direction__descriptor, json_string_value(v))) == NULL ||
		    ev->value <= 0 || ev->value >= MF_EX_NDIRS) {
			/* the daemon does not know the reader's language: both
			 * spellings (the client checks first, in the user's) */
			char ru[512];
			snprintf(err, errlen, "'%s' is not a direction (knowledge, upbringing, health, creativity, career_guidance, teacher_team, school_climate, educational_environment; or %s)",
				 json_is_string(v) ? json_string_value(v) : "?",
				 mf_accepted_terms(ru, sizeof(ru), "direction", "ru"));
			return -1;
		}
		mask[ev->value] = 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- records */

ProtobufCMessage *
mf_ex_unpack(const mf_record *r, const ProtobufCMessageDescriptor *d)
{
	if (r == NULL || r->deleted || strcmp(d->name, mf_kind_descriptor(r->kind)->name) != 0)
		return NULL;
	return protobuf_c_message_unpack(d, NULL, r->body_len, r->body);
}

mf_record *
mf_ex_get_kind(mf_store *st, const char *id, const char *kind)
{
	mf_record *r = id ? mf_store_get(st, id) : NULL;

	if (r != NULL && (r->deleted || strcmp(r->kind, kind) != 0)) {
		mf_record_free(r);
		return NULL;
	}
	return r;
}

json_t *
mf_ex_put_one(mf_node *node, const char *kind, const char *key, json_t *body)
{
	json_t *recs = json_pack("[{s:s, s:s, s:o}]", "kind", kind, "key", key, "body", body);
	json_t *rep = mf_records_put(node, recs);

	json_decref(recs);
	return rep;
}

json_t *
mf_ex_put_id(mf_node *node, const char *kind, const char *id, json_t *body)
{
	json_t *recs = json_pack("[{s:s, s:s, s:o}]", "kind", kind, "id", id, "body", body);
	json_t *rep = mf_records_put(node, recs);

	json_decref(recs);
	return rep;
}

/* ---------------------------------------------------------------- replies */

json_t *
mf_ex_table(const char *title, const char *const *cols)
{
	json_t *t = json_pack("{s:s, s:[], s:[]}", "title", title, "columns", "rows");
	json_t *c = json_object_get(t, "columns");

	for (int i = 0; cols[i]; i++)
		json_array_append_new(c, json_string(cols[i]));
	return t;
}

json_t *
mf_ex_reply(json_t *data, json_t *tables)
{
	json_t *r = mf_reply_ok();

	json_object_set_new(r, "data", data);
	json_object_set_new(r, "tables", tables);
	return r;
}

/* ---------------------------------------------------------------- schools */

/* From the school index: no body decoded (40,000 schools in a federation). */
static int
school_cb(void *arg, const mf_school_row *r)
{
	mf_ex_schools *s = arg;
	mf_ex_school *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = mf_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	e = &s->v[s->n++];
	e->id = mf_xstrdup(r->id);
	e->name = mf_xstrdup(r->name);
	e->municipality = mf_xstrdup(r->municipality);
	mf_ex_region_of(r->id, e->region);
	e->league = r->league;
	e->level = r->level;
	return 0;
}

static int
school_cmp(const void *a, const void *b)
{
	return strcmp(((const mf_ex_school *)a)->id, ((const mf_ex_school *)b)->id);
}

int
mf_ex_schools_load(mf_store *st, mf_ex_schools *s)
{
	memset(s, 0, sizeof(*s));
	if (mf_store_schools(st, NULL, NULL, NULL, school_cb, s) != 0) {
		mf_ex_schools_free(s);
		return -1;
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), school_cmp);
	return 0;
}

const mf_ex_school *
mf_ex_schools_find(const mf_ex_schools *s, const char *id)
{
	mf_ex_school key;

	key.id = (char *)id;
	return s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), school_cmp) : NULL;
}

const char *
mf_ex_school_label(const mf_ex_schools *s, const char *id)
{
	const mf_ex_school *e = mf_ex_schools_find(s, id);

	return e && e->name && *e->name ? e->name : id;
}

void
mf_ex_schools_free(mf_ex_schools *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].name);
		free(s->v[i].municipality);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
