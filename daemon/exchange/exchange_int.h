/*
 * exchange_int.h — helpers shared by the exchange's files (mentor.c,
 * pairs.c, internships.c, overview.c); not for use outside daemon/exchange.
 *
 * Loading records of one kind into plain structs, the names of schools,
 * directions and states, the reply shape, and the one write path: every
 * write goes to the records layer as a record of this node's region.
 */
#ifndef MF_EXCHANGE_INT_H
#define MF_EXCHANGE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "kinds.h"
#include "node.h"
#include "proto/records.pb-c.h"
#include "store.h"

#define MF_EX_NDIRS 9	/* Direction enum values 1..8 */

/* ---------------------------------------------------------------- names */

/* The region prefix of a record id ("RU-TOM"); "" when it has none. */
void mf_ex_region_of(const char *id, char out[MF_REGION_MAX]);
/* 1 when id belongs to this node's region. */
int mf_ex_mine(const mf_node *node, const char *id);

/* Directions as identifiers: a JSON array, or "knowledge, health". */
json_t *mf_ex_dirs_json(const int *v, size_t n);
void mf_ex_dirs_text(const int *v, size_t n, char *buf, size_t len);
/* A JSON array of direction identifiers into mask[1..8]; 0 or -1 with err. */
int mf_ex_dirs_parse(json_t *a, int mask[MF_EX_NDIRS], char *err, size_t errlen);

/* ---------------------------------------------------------------- records */

/* The body of r decoded as d, or NULL when r is a tombstone, of another
 * kind, or does not decode.  Free with protobuf_c_message_free_unpacked. */
ProtobufCMessage *mf_ex_unpack(const mf_record *r, const ProtobufCMessageDescriptor *d);
/* The live record id of `kind`, or NULL (id NULL too). */
mf_record *mf_ex_get_kind(mf_store *st, const char *id, const char *kind);

/* Put one record of this node's region through the records layer; returns
 * the records layer's reply.  body is stolen. */
json_t *mf_ex_put_one(mf_node *node, const char *kind, const char *key, json_t *body);
/* The same for a new version of the record `id`; body is stolen. */
json_t *mf_ex_put_id(mf_node *node, const char *kind, const char *id, json_t *body);

/* ---------------------------------------------------------------- replies */

/* {"title", "columns": cols (NULL-terminated), "rows": []} */
json_t *mf_ex_table(const char *title, const char *const *cols);
/* {"ok": true, "data": data, "tables": tables}; both stolen. */
json_t *mf_ex_reply(json_t *data, json_t *tables);

/* ---------------------------------------------------------------- schools */

typedef struct mf_ex_school {
	char *id, *name, *municipality;
	char region[MF_REGION_MAX];
	int league;
	int level;	/* SelfDiagnosisLevel from the school record */
} mf_ex_school;

typedef struct mf_ex_schools {
	mf_ex_school *v;	/* sorted by id */
	size_t n, cap;
} mf_ex_schools;

int mf_ex_schools_load(mf_store *st, mf_ex_schools *s);
const mf_ex_school *mf_ex_schools_find(const mf_ex_schools *s, const char *id);
/* The school's name, or its id when it has none or is unknown. */
const char *mf_ex_school_label(const mf_ex_schools *s, const char *id);
void mf_ex_schools_free(mf_ex_schools *s);

/* ---------------------------------------------------------------- pairs */

/* A proposal and the state given by the latest answer of the mentor's
 * region to it. */
typedef struct mf_ex_pair {
	char *id, *mentor, *mentee, *start, *answer_id;
	char *reason;	/* the latest answer's end_reason, else its note */
	int dirs[MF_EX_NDIRS];
	int n_dirs;
	int state;	/* effective PairState */
} mf_ex_pair;

typedef struct mf_ex_answer {
	char *proposal, *id, *reason;
	int state;
	uint64_t hlc;
} mf_ex_answer;

typedef struct mf_ex_pairs {
	mf_ex_pair *v;
	size_t n, cap;
	mf_ex_answer *a;	/* matched to proposals after loading */
	size_t na, capa;
} mf_ex_pairs;

int mf_ex_pairs_load(mf_store *st, mf_ex_pairs *p);
void mf_ex_pairs_free(mf_ex_pairs *p);
/* Proposed or confirmed: the pair counts in the mentor's load. */
int mf_ex_pair_active(const mf_ex_pair *e);

#endif
