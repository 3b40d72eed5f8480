/*
 * kinds.c — the record kinds and id rules (see kinds.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <openssl/evp.h>

#include "datexpr.h"
#include "kinds.h"
#include "proto/records.pb-c.h"

static const struct {
	const char *name;
	const ProtobufCMessageDescriptor *desc;
} kinds[] = {
	{ "region", &mentorfed__region__descriptor },
	{ "region_key", &mentorfed__region_key__descriptor },
	{ "school", &mentorfed__school__descriptor },
	{ "competency_card", &mentorfed__competency_card__descriptor },
	{ "mentoring_practice", &mentorfed__mentoring_practice__descriptor },
	{ "mentoring_pair", &mentorfed__mentoring_pair__descriptor },
	{ "roadmap", &mentorfed__roadmap__descriptor },
	{ "roadmap_item", &mentorfed__roadmap_item__descriptor },
	{ "roadmap_item_report", &mentorfed__roadmap_item_report__descriptor },
	{ "target", &mentorfed__target__descriptor },
	{ "event", &mentorfed__event__descriptor },
	{ "internship_offer", &mentorfed__internship_offer__descriptor },
	{ "internship_application", &mentorfed__internship_application__descriptor },
	{ "internship_decision", &mentorfed__internship_decision__descriptor },
	{ "self_diagnosis", &mentorfed__self_diagnosis__descriptor },
};

const char *const mf_kind_names[] = {
	"region", "school", "competency_card", "mentoring_practice",
	"mentoring_pair", "roadmap", "roadmap_item", "roadmap_item_report",
	"target", "event", "internship_offer", "internship_application",
	"internship_decision", "self_diagnosis", "region_key", NULL
};

const ProtobufCMessageDescriptor *
mf_kind_descriptor(const char *kind)
{
	if (kind == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, kind) == 0)
			return kinds[i].desc;
	return NULL;
}

int
mf_region_valid(const char *r)
{
	/* two upper-case letters, '-', 1..3 upper-case letters or digits */
	size_t n;

	if (r == NULL || !isupper((unsigned char)r[0]) || !isupper((unsigned char)r[1]) || r[2] != '-')
		return 0;
	for (n = 0; r[3 + n] != '\0'; n++)
		if (!isupper((unsigned char)r[3 + n]) && !isdigit((unsigned char)r[3 + n]))
			return 0;
	return n >= 1 && n <= 3;
}

void
mf_make_id(const char *region, const char *kind, const char *key, char *buf)
{
	unsigned char md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char hex[17];

	/* OpenSSL fails here only on allocation failure; treat as fatal. */
	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(c, kind, strlen(kind) + 1) ||
	    !EVP_DigestUpdate(c, key, strlen(key)) ||
	    !EVP_DigestFinal_ex(c, md, NULL)) {
		fprintf(stderr, "mentorfed: SHA-256 unavailable\n");
		abort();
	}
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(buf, MF_ID_MAX, "%s:%s:%s", region, kind, hex);
}

int
mf_id_check(const char *id, const char *region, const char *kind)
{
	size_t rl = strlen(region), kl = strlen(kind), n = 0;
	const char *p;

	if (strncmp(id, region, rl) != 0 || id[rl] != ':' ||
	    strncmp(id + rl + 1, kind, kl) != 0 || id[rl + 1 + kl] != ':')
		return -1;
	for (p = id + rl + kl + 2; *p; p++, n++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return -1;
	return (n >= 1 && n <= 64) ? 0 : -1;
}

/* Length of d's value-name prefix ("DIRECTION_"), from its zero value. */
static size_t
enum_prefix_len(const ProtobufCEnumDescriptor *d)
{
	const ProtobufCEnumValue *z = protobuf_c_enum_descriptor_get_value(d, 0);
	const char *u;

	if (z == NULL || (u = strstr(z->name, "UNSPECIFIED")) == NULL)
		return 0;
	return (size_t)(u - z->name);
}

/* The glossary term family of enum d (datexpr.c's tables, shared with the
 * plugins through map_term), or NULL when its values have no Russian
 * spellings. */
const char *
mf_enum_term_kind(const ProtobufCEnumDescriptor *d)
{
	static const struct {
		const ProtobufCEnumDescriptor *d;
		const char *kind;
	} fam[] = {
		{ &mentorfed__direction__descriptor, "direction" },
		{ &mentorfed__mentoring_form__descriptor, "mentoring_form" },
		{ &mentorfed__self_diagnosis_level__descriptor, "self_diagnosis_level" },
		{ &mentorfed__event_type__descriptor, "event_type" },
		{ &mentorfed__support_type__descriptor, "support_type" },
	};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		if (fam[i].d == d)
			return fam[i].kind;
	return NULL;
}

static const ProtobufCEnumValue *
enum_by_exact_ident(const ProtobufCEnumDescriptor *d, const char *ident)
{
	size_t pl = enum_prefix_len(d);

	for (unsigned i = 0; i < d->n_values; i++) {
		const char *n = d->values[i].name;
		if (strlen(n) >= pl && strcasecmp(n + pl, ident) == 0)
			return &d->values[i];
	}
	return NULL;
}

const ProtobufCEnumValue *
mf_enum_by_ident(const ProtobufCEnumDescriptor *d, const char *ident)
{
	const ProtobufCEnumValue *v;
	const char *fam, *term;

	if (ident == NULL)
		return NULL;
	if ((v = enum_by_exact_ident(d, ident)) != NULL)
		return v;
	/* A methodologist writes «Знание» or «учитель – ученик»: the glossary's
	 * Russian spellings are accepted wherever the identifier is. */
	if ((fam = mf_enum_term_kind(d)) != NULL && (term = mf_map_term(fam, ident)) != NULL)
		return enum_by_exact_ident(d, term);
	/* The English label as a person writes it: "career guidance",
	 * "Below basic", "teacher-student". */
	if (strpbrk(ident, " -") != NULL && strlen(ident) < 64) {
		char u[64];
		size_t i;

		for (i = 0; ident[i] != '\0'; i++)
			u[i] = ident[i] == ' ' || ident[i] == '-' ? '_' : ident[i];
		u[i] = '\0';
		return enum_by_exact_ident(d, u);
	}
	return NULL;
}

const char *
mf_enum_ident(const ProtobufCEnumDescriptor *d, int value, char *buf, size_t len)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
	size_t pl = enum_prefix_len(d), i;

	if (v == NULL || len == 0)
		return NULL;
	for (i = 0; v->name[pl + i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)v->name[pl + i]);
	buf[i] = '\0';
	return buf;
}

int
mf_id_kind(const char *id, char *kind_out, size_t len)
{
	const char *a = strchr(id, ':'), *b;

	if (a == NULL || (b = strchr(a + 1, ':')) == NULL || (size_t)(b - a - 1) >= len)
		return -1;
	memcpy(kind_out, a + 1, (size_t)(b - a - 1));
	kind_out[b - a - 1] = '\0';
	return 0;
}

int
mf_id_valid(const char *id, const char *origin)
{
	char kind[64];

	if (strlen(id) >= MF_ID_MAX || mf_id_kind(id, kind, sizeof(kind)) != 0 ||
	    mf_kind_descriptor(kind) == NULL)
		return -1;
	return mf_id_check(id, origin, kind);
}
