/*
 * reply.c — control-socket reply objects and the JSON form of a stored record.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "reply.h"
#include "util.h"

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
