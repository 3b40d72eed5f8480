/*
 * json.c — JSON <-> protobuf-c messages, driven by the descriptors, so no
 * kind needs code of its own (see json.h for the mapping).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "json.h"
#include "kinds.h"
#include "util.h"

#define MAX_DEPTH 8

static int
jfail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
jfail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
type_name(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: return "a string";
	case PROTOBUF_C_TYPE_BYTES: return "base64 text";
	case PROTOBUF_C_TYPE_BOOL: return "true or false";
	case PROTOBUF_C_TYPE_ENUM: return "an identifier";
	case PROTOBUF_C_TYPE_MESSAGE: return "an object";
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: return "a number";
	default: return "an integer";
	}
}

static size_t
scalar_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return 8;
	}
}

static int json_to_msg(json_t *obj, const ProtobufCMessageDescriptor *d, ProtobufCMessage *m,
		       const char *path, int depth, char *err, size_t errlen);

static int
wrong_type(const ProtobufCFieldDescriptor *f, const char *path, char *err, size_t errlen)
{
	return jfail(err, errlen, "%s: expected %s", path, type_name(f));
}

/* bytes: standard base64 text */
static int
set_bytes(const ProtobufCFieldDescriptor *f, json_t *v, ProtobufCBinaryData *b, const char *path,
	  char *err, size_t errlen)
{
	const char *t;
	size_t tl;
	int n;

	if (!json_is_string(v))
		return wrong_type(f, path, err, errlen);
	t = json_string_value(v);
	tl = strlen(t);
	if (tl % 4 != 0)
		return jfail(err, errlen, "%s: expected base64 text", path);
	b->data = mf_xmalloc(tl / 4 * 3 + 1);
	if ((n = EVP_DecodeBlock(b->data, (const unsigned char *)t, (int)tl)) < 0) {
		free(b->data);
		b->data = NULL;
		return jfail(err, errlen, "%s: expected base64 text", path);
	}
	if (tl >= 1 && t[tl - 1] == '=')
		n--;
	if (tl >= 2 && t[tl - 2] == '=')
		n--;
	b->len = (size_t)n;
	return 0;
}

/* an enum: its identifier (or the glossary's Russian term) */
static int
set_enum(const ProtobufCFieldDescriptor *f, json_t *v, int *dst, const char *path, char *err,
	 size_t errlen)
{
	const ProtobufCEnumValue *ev;
	const ProtobufCEnumDescriptor *ed = f->descriptor;
	char list[512] = "", nb[64];

	if (!json_is_string(v))
		return wrong_type(f, path, err, errlen);
	/* the zero value means "not given": a single field may say so (it is
	 * left out), a list may not carry it as an element */
	if ((ev = mf_enum_by_ident(ed, json_string_value(v))) != NULL &&
	    !(ev->value == 0 && f->label == PROTOBUF_C_LABEL_REPEATED)) {
		*dst = ev->value;
		return 0;
	}
	for (unsigned i = 1; i < ed->n_values; i++) {
		mf_enum_ident(ed, ed->values[i].value, nb, sizeof(nb));
		if (strlen(list) + strlen(nb) + 3 < sizeof(list)) {
			strcat(list, i > 1 ? ", " : "");
			strcat(list, nb);
		}
	}
	return jfail(err, errlen, "%s: '%s' is not one of: %s%s", path, json_string_value(v), list,
		     mf_enum_term_kind(ed) ? " (or the Russian name of doc/GLOSSARY.md)" : "");
}

/* integers of every width, range-checked */
static int
set_integer(const ProtobufCFieldDescriptor *f, json_t *v, void *dst, const char *path, char *err,
	    size_t errlen)
{
	json_int_t iv;

	if (!json_is_integer(v))
		return wrong_type(f, path, err, errlen);
	iv = json_integer_value(v);
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
		if (iv < INT32_MIN || iv > INT32_MAX)
			break;
		*(int32_t *)dst = (int32_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		if (iv < 0 || iv > (json_int_t)UINT32_MAX)
			break;
		*(uint32_t *)dst = (uint32_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		if (iv < 0)
			break;
		*(uint64_t *)dst = (uint64_t)iv;
		return 0;
	default:
		*(int64_t *)dst = (int64_t)iv;
		return 0;
	}
	return jfail(err, errlen, "%s: %lld is out of range", path, (long long)iv);
}

/* Convert one JSON value into the field's storage at dst. */
static int
set_value(const ProtobufCFieldDescriptor *f, json_t *v, void *dst, const char *path, int depth,
	  char *err, size_t errlen)
{
	double dv;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		if (!json_is_string(v))
			break;
		*(char **)dst = mf_xstrdup(json_string_value(v));
		return 0;
	case PROTOBUF_C_TYPE_BYTES:
		return set_bytes(f, v, dst, path, err, errlen);
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			break;
		*(protobuf_c_boolean *)dst = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		return set_enum(f, v, dst, path, err, errlen);
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
		if (!json_is_number(v) || !isfinite(dv = json_number_value(v)))
			break;
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)dst = (float)dv;
		else
			*(double *)dst = dv;
		return 0;
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessageDescriptor *sd = f->descriptor;
		ProtobufCMessage *sm;

		if (!json_is_object(v))
			break;
		if (depth >= MAX_DEPTH)
			return jfail(err, errlen, "%s: nested too deeply", path);
		sm = mf_xcalloc(1, sd->sizeof_message);
		protobuf_c_message_init(sd, sm);
		*(ProtobufCMessage **)dst = sm;
		return json_to_msg(v, sd, sm, path, depth + 1, err, errlen);
	}
	default:
		return set_integer(f, v, dst, path, err, errlen);
	}
	return wrong_type(f, path, err, errlen);
}

static int
json_to_msg(json_t *obj, const ProtobufCMessageDescriptor *d, ProtobufCMessage *m,
	    const char *path, int depth, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	char fpath[256];

	json_object_foreach(obj, key, v) {
		const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
		char *base;

		snprintf(fpath, sizeof(fpath), "%s.%s", path, key);
		if (f == NULL)
			return jfail(err, errlen, "%s: unknown field (not in %s)", fpath, d->name);
		if (json_is_null(v))
			continue;
		base = (char *)m + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n, es = scalar_size(f->type);
			char *arr;
			if (!json_is_array(v))
				return jfail(err, errlen, "%s: expected an array of %s", fpath,
					     type_name(f));
			n = json_array_size(v);
			if (n == 0)
				continue;
			arr = mf_xcalloc(n, es);
			*(void **)base = arr;
			/* count first, so a failure frees what was set */
			*(size_t *)((char *)m + f->quantifier_offset) = 0;
			for (size_t i = 0; i < n; i++) {
				char epath[300];
				snprintf(epath, sizeof(epath), "%s[%zu]", fpath, i);
				if (set_value(f, json_array_get(v, i), arr + i * es, epath, depth, err,
					      errlen) != 0) {
					/* keep the element count at what is initialised */
					*(size_t *)((char *)m + f->quantifier_offset) =
						f->type == PROTOBUF_C_TYPE_MESSAGE &&
								*(void **)(arr + i * es) != NULL ?
							i + 1 : i;
					return -1;
				}
				*(size_t *)((char *)m + f->quantifier_offset) = i + 1;
			}
		} else {
			if (json_is_array(v))
				return jfail(err, errlen, "%s: expected %s, not an array", fpath,
					     type_name(f));
			if (set_value(f, v, base, fpath, depth, err, errlen) != 0)
				return -1;
		}
	}
	return 0;
}

int
mf_json_to_pb(json_t *obj, const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
	      const char *path, char *err, size_t errlen)
{
	ProtobufCMessage *m;

	*out = NULL;
	if (!json_is_object(obj))
		return jfail(err, errlen, "%s: expected an object", path);
	m = mf_xcalloc(1, d->sizeof_message);
	protobuf_c_message_init(d, m);
	if (json_to_msg(obj, d, m, path, 0, err, errlen) != 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		return -1;
	}
	*out = m;
	return 0;
}

int
mf_json_to_body(json_t *obj, const char *kind, uint8_t **buf, size_t *len, char *err,
		size_t errlen)
{
	const ProtobufCMessageDescriptor *d = mf_kind_descriptor(kind);
	ProtobufCMessage *m;
	int rc;

	if (d == NULL)
		return jfail(err, errlen, "unknown kind '%s'", kind);
	if (mf_json_to_pb(obj, d, &m, "body", err, errlen) != 0)
		return -1;
	rc = mf_pb_pack_body(m, buf, len, err, errlen);
	protobuf_c_message_free_unpacked(m, NULL);
	return rc;
}

int
mf_pb_pack_body(const ProtobufCMessage *m, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	size_t n = protobuf_c_message_get_packed_size(m);

	if (n > MF_JSON_BODY_MAX)
		return jfail(err, errlen, "body: %zu bytes encoded, more than the limit of %d", n,
			     MF_JSON_BODY_MAX);
	*buf = mf_xmalloc(n ? n : 1);
	*len = protobuf_c_message_pack(m, *buf);
	return 0;
}

/* ---------------------------------------------------------------- to JSON */

static json_t *
value_json(const ProtobufCFieldDescriptor *f, const void *p, int *is_default)
{
	char nb[64];

	*is_default = 0;
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		*is_default = s == NULL || *s == '\0';
		return json_string(s ? s : "");
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		char *t = mf_xmalloc(4 * ((b->len + 2) / 3) + 1);
		json_t *j;
		EVP_EncodeBlock((unsigned char *)t, b->data, (int)b->len);
		*is_default = b->len == 0;
		j = json_string(t);
		free(t);
		return j;
	}
	case PROTOBUF_C_TYPE_BOOL:
		*is_default = !*(const protobuf_c_boolean *)p;
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		*is_default = v == 0;
		if (mf_enum_ident(f->descriptor, v, nb, sizeof(nb)) == NULL)
			return json_integer(v);
		return json_string(nb);
	}
	case PROTOBUF_C_TYPE_FLOAT:
		*is_default = *(const float *)p == 0;
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		*is_default = *(const double *)p == 0;
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sm = *(ProtobufCMessage *const *)p;
		*is_default = sm == NULL;
		return sm ? mf_pb_to_json(sm) : json_null();
	}
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
		*is_default = *(const int32_t *)p == 0;
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		*is_default = *(const uint32_t *)p == 0;
		return json_integer((json_int_t)*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		*is_default = *(const uint64_t *)p == 0;
		return json_integer((json_int_t)*(const uint64_t *)p);
	default:
		*is_default = *(const int64_t *)p == 0;
		return json_integer((json_int_t)*(const int64_t *)p);
	}
}

json_t *
mf_pb_to_json(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	json_t *o = json_object();

	for (unsigned i = 0; o && i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;
		int def;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
			const char *arr = *(char *const *)base;
			size_t es = scalar_size(f->type);
			json_t *a;
			if (n == 0)
				continue;
			a = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append_new(a, value_json(f, arr + k * es, &def));
			json_object_set_new(o, f->name, a);
		} else {
			json_t *v = value_json(f, base, &def);
			if (def)
				json_decref(v);
			else
				json_object_set_new(o, f->name, v);
		}
	}
	return o;
}

json_t *
mf_body_to_json(const char *kind, const uint8_t *body, size_t len)
{
	const ProtobufCMessageDescriptor *d = mf_kind_descriptor(kind);
	ProtobufCMessage *m;
	json_t *j;

	if (d == NULL)
		return NULL;
	if ((m = protobuf_c_message_unpack(d, NULL, len, body)) == NULL)
		return NULL;
	j = mf_pb_to_json(m);
	protobuf_c_message_free_unpacked(m, NULL);
	return j;
}

const char *
mf_json_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}
