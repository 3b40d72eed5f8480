/*
 * kinds.h — the record kinds of doc/GLOSSARY.md and their body descriptors.
 *
 * The single table that maps a kind identifier ("school") to the protobuf-c
 * descriptor of its body message, and the rule that derives a record id from
 * the owner region, the kind and a content key.
 */
#ifndef MF_KINDS_H
#define MF_KINDS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define MF_ID_MAX 128		/* longest record id, including NUL */
#define MF_REGION_MAX 16	/* longest region code, including NUL */

/* The body descriptor of `kind`, or NULL for an unknown kind. */
const ProtobufCMessageDescriptor *mf_kind_descriptor(const char *kind);

/* The kind identifiers, NULL-terminated, in doc/GLOSSARY.md order. */
extern const char *const mf_kind_names[];

/* 1 when `region` looks like an ISO 3166-2 code ("RU-TOM"). */
int mf_region_valid(const char *region);

/* Write "<region>:<kind>:<16 hex of SHA-256(kind NUL key)>" into buf
 * (MF_ID_MAX bytes).  Same inputs, same id, on every node. */
void mf_make_id(const char *region, const char *kind, const char *key, char *buf);

/* Check that `id` is a well-formed id owned by `region`: "<region>:<kind>:"
 * followed by 1..64 characters of [A-Za-z0-9._-].  Returns 0 or -1. */
int mf_id_check(const char *id, const char *region, const char *kind);


/* Check that id is "<origin>:<known kind>:<key>" with a valid key; 0 or -1.
 * On success and when kind_out is not NULL, the kind is copied there
 * (MF_ID_MAX bytes). */
int mf_id_valid(const char *id, const char *origin);
int mf_id_kind(const char *id, char *kind_out, size_t len);

/* Enum values are written in JSON, the CLI and the plugin ABI as the
 * glossary identifier: the value name without the enum's prefix, in lower
 * case (DIRECTION_CAREER_GUIDANCE <-> "career_guidance").  The prefix is the
 * name of the enum's zero value minus "UNSPECIFIED". */

/* The value of enum `d` named by `ident`, or NULL.  Case-insensitive; a
 * Russian spelling of the glossary («Знание», «ЗНАНИЕ», «Ниже базового»,
 * «учитель – ученик», ё or е) is accepted too (mf_map_term's table, shared
 * with the plugins), and the identifier with spaces or hyphens for its
 * underscores ("career guidance", "Below basic"). */
const ProtobufCEnumValue *mf_enum_by_ident(const ProtobufCEnumDescriptor *d, const char *ident);

/* The identifier of `value` in enum `d`, written into buf; NULL when the
 * value is not one of d's. */
const char *mf_enum_ident(const ProtobufCEnumDescriptor *d, int value, char *buf, size_t len);

/* The mf_map_term family ("direction", "mentoring_form", ...) of enum d, or
 * NULL when the glossary has no Russian spellings for it. */
const char *mf_enum_term_kind(const ProtobufCEnumDescriptor *d);
#endif
