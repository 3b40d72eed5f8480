/*
 * json.h — JSON <-> protobuf-c, generic over message descriptors.
 *
 * Mapping: a message is a JSON object keyed by field name; strings are
 * strings; integers and doubles numbers; bools true/false; enums their
 * identifier of doc/GLOSSARY.md ("career_guidance", or its Russian name
 * «Профориентация»; "unspecified" only outside lists); bytes base64; repeated
 * fields arrays; sub-messages objects.  Unknown fields and wrong types are
 * errors that name the field's path ("body.timing.intervals[1].from").  Fields at
 * their default value are left out of the JSON written.
 */
#ifndef MF_JSON_H
#define MF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#define MF_JSON_BODY_MAX (64 * 1024)

/* Build a message of type d from obj.  *out is owned by the caller
 * (protobuf_c_message_free_unpacked(*out, NULL)).  path prefixes errors. */
int mf_json_to_pb(json_t *obj, const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
		  const char *path, char *err, size_t errlen);

/* JSON body of `kind` -> encoded body (malloc'd *buf, caller frees). */
int mf_json_to_body(json_t *obj, const char *kind, uint8_t **buf, size_t *len, char *err,
		    size_t errlen);

/* Encode a body message (malloc'd *buf, caller frees); -1 with err when
 * it is larger than MF_JSON_BODY_MAX encoded. */
int mf_pb_pack_body(const ProtobufCMessage *m, uint8_t **buf, size_t *len, char *err,
		    size_t errlen);

/* The string member k of object o, or "" when it is missing or not a string. */
const char *mf_json_str(const json_t *o, const char *k);

/* Message -> new JSON object. */
json_t *mf_pb_to_json(const ProtobufCMessage *m);
/* Encoded body of `kind` -> new JSON object, or NULL when it does not decode. */
json_t *mf_body_to_json(const char *kind, const uint8_t *body, size_t len);

#endif
