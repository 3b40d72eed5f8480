/*
 * check.c — the one check before sealing (see checks.h, doc/CHECKS.md).
 *
 * Three tables drive it: the date fields of every body message, the date
 * ranges, and the references with their region rule.  The rest (counts,
 * ownership, a pair's mentor and mentee) are a few lines per kind in
 * check_kind_rules.  Which region may make a lifecycle's transition
 * (propose, answer, decide) is lifecycle.c's table, not this file's.  Everything runs on the decoded message, so a check
 * sees the same values the store will seal.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "checks.h"
#include "datexpr.h"
#include "proto/records.pb-c.h"
#include "reply.h"
#include "store.h"
#include "util.h"

/* ---------------------------------------------------------------- tables */

/* Every date field of every body message (proto/records.proto), by
 * message short name.  required: an empty string is refused too. */
static const struct date_field {
	const char *msg, *field;
	int required;
} date_fields[] = {
	{ "Membership", "since", 0 },
	{ "MentoringPair", "start_date", 0 },
	{ "MentoringPair", "end_date", 0 },
	{ "Roadmap", "order_date", 0 },
	{ "Roadmap", "period_from", 0 },
	{ "Roadmap", "period_to", 0 },
	{ "RoadmapItemReport", "as_of", 0 },
	{ "Target", "deadline", 0 },
	{ "Target", "actual_as_of", 0 },
	{ "Event", "date", 0 },
	{ "DateInterval", "from", 1 },	/* Timing.intervals, InternshipOffer.dates */
	{ "DateInterval", "to", 1 },
};

/* Pairs of date fields of one message where the second may not come
 * before the first. */
static const struct date_range {
	const char *msg, *from, *to;
} date_ranges[] = {
	{ "MentoringPair", "start_date", "end_date" },
	{ "Roadmap", "period_from", "period_to" },
	{ "DateInterval", "from", "to" },
};

enum { RG_ANY, RG_OWN };

/* References: the field of `kind` names a live record of `target`; of the
 * writing region when region is RG_OWN (why says the domain's reason). */
static const struct ref_rule {
	const char *kind, *field, *target;
	int required, region;
	const char *why;
} ref_rules[] = {
	{ "competency_card", "school_id", "school", 1, RG_OWN,
	  "a region states its own schools' competencies" },
	{ "mentoring_practice", "school_id", "school", 0, RG_OWN,
	  "a region describes its own schools' practices" },
	{ "mentoring_pair", "mentor_school_id", "school", 1, RG_ANY, NULL },
	{ "mentoring_pair", "mentee_school_id", "school", 1, RG_ANY, NULL },
	{ "mentoring_pair", "proposal_id", "mentoring_pair", 0, RG_ANY, NULL },
	{ "roadmap_item", "roadmap_id", "roadmap", 0, RG_OWN, "a region's plan has its own items" },
	{ "roadmap_item_report", "item_id", "roadmap_item", 1, RG_OWN,
	  "a region reports on its own plan's items" },
	{ "target", "roadmap_id", "roadmap", 0, RG_OWN, "a region's targets belong to its own plans" },
	{ "event", "school_ids", "school", 0, RG_ANY, NULL },
	{ "internship_offer", "host_school_id", "school", 1, RG_OWN,
	  "an offer is published by the host school's region" },
	{ "internship_application", "offer_id", "internship_offer", 1, RG_ANY, NULL },
	{ "internship_application", "applicant_school_id", "school", 1, RG_OWN,
	  "a school applies through its own region's node" },
	{ "internship_decision", "application_id", "internship_application", 1, RG_ANY, NULL },
	{ "self_diagnosis", "school_id", "school", 1, RG_OWN,
	  "a school's self-diagnosis is its own region's record" },
};

/* ---------------------------------------------------------------- errors */

typedef struct ctx {
	mf_node *node;
	const char *region;
	const mf_check_rec *rec;	/* the record being checked */
	json_t *err;
	/* the batch's cache of lookups (ids of the batch first) */
	struct ent *tab;
	size_t cap, used;
} ctx;

static void fail(ctx *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first error: "record N (ID): FIELD: reason". */
static void
fail(ctx *c, const char *field, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	if (c->err != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	c->err = mf_reply_error(EX_DATAERR, "record %zu (%s): %s: %s", c->rec->n, c->rec->id,
				field, why);
	json_object_set_new(c->err, "index", json_integer((json_int_t)(c->rec->n - 1)));
	json_object_set_new(c->err, "field", json_string(field));
}

/* ---------------------------------------------------------------- the cache */

/* What the batch and the store say about one id. */
typedef struct ent {
	char *id;		/* NULL: empty slot */
	int state;		/* 0 no such record, 1 live, 2 deleted */
	char kind[32];
} ent;

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static ent *
slot(ctx *c, const char *id)
{
	size_t i = (size_t)hash(id) & (c->cap - 1);

	while (c->tab[i].id != NULL && strcmp(c->tab[i].id, id) != 0)
		i = (i + 1) & (c->cap - 1);
	return &c->tab[i];
}

static void
grow(ctx *c)
{
	ent *old = c->tab;
	size_t ocap = c->cap;

	c->cap = ocap ? ocap * 2 : 1024;
	c->tab = mf_xcalloc(c->cap, sizeof(*c->tab));
	for (size_t i = 0; i < ocap; i++)
		if (old[i].id != NULL)
			*slot(c, old[i].id) = old[i];
	free(old);
}

/* The entry of id, created empty (state 0) when new. */
static ent *
ent_get(ctx *c, const char *id, int *is_new)
{
	ent *e;

	if ((c->used + 1) * 2 > c->cap)
		grow(c);
	e = slot(c, id);
	*is_new = e->id == NULL;
	if (*is_new) {
		memset(e, 0, sizeof(*e));
		e->id = mf_xstrdup(id);
		c->used++;
	}
	return e;
}

static void
cache_free(ctx *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->tab[i].id);
	free(c->tab);
}

/* Every record of the batch, in order (a later version of one id wins). */
static void
cache_batch(ctx *c, mf_check_rec *recs, size_t n)
{
	int is_new;

	for (size_t i = 0; i < n; i++) {
		ent *e = ent_get(c, recs[i].id, &is_new);
		e->state = recs[i].deleted ? 2 : 1;
		mf_strlcpy(e->kind, recs[i].kind, sizeof(e->kind));
	}
}

/* What is known of id: from the batch, or looked up once in the store. */
static const ent *
lookup(ctx *c, const char *id)
{
	int is_new;
	ent *e = ent_get(c, id, &is_new);
	mf_record *r;

	if (!is_new)
		return e;
	if ((r = mf_store_get(c->node->store, id)) == NULL)
		return e;
	e->state = r->deleted ? 2 : 1;
	mf_strlcpy(e->kind, r->kind, sizeof(e->kind));
	mf_record_free(r);
	return e;
}

/* ---------------------------------------------------------------- fields */

static const ProtobufCFieldDescriptor *
field_of(const ProtobufCMessage *m, const char *name)
{
	return protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
}

/* The string field `name` of m (NULL when m has none such). */
static char **
str_field(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f = field_of(m, name);

	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return (char **)((char *)m + f->offset);
}

/* ---------------------------------------------------------------- dates */

static void check_dates(ctx *c, ProtobufCMessage *m, const char *path, int depth);

/* One date field: read, rewritten as ISO, or refused. */
static void
check_date(ctx *c, ProtobufCMessage *m, const struct date_field *df, const char *path)
{
	char **s = str_field(m, df->field), why[512], fp[300], iso[11];
	mf_date d;

	if (s == NULL)
		return;
	snprintf(fp, sizeof(fp), "%s.%s", path, df->field);
	if (*s == NULL || **s == '\0') {
		if (df->required)
			fail(c, fp, "a date is required (YYYY-MM-DD or DD.MM.YYYY)");
		return;
	}
	if (mf_date_read(*s, &d, why, sizeof(why)) != 0) {
		fail(c, fp, "%s", why);
		return;
	}
	mf_date_format(d, iso);
	if (strcmp(*s, iso) != 0) {
		free(*s);
		*s = mf_xstrdup(iso);
	}
}

static void
check_ranges(ctx *c, ProtobufCMessage *m, const char *path)
{
	for (size_t i = 0; i < sizeof(date_ranges) / sizeof(date_ranges[0]); i++) {
		const struct date_range *r = &date_ranges[i];
		char **a, **b, fp[300];
		if (strcmp(m->descriptor->short_name, r->msg) != 0)
			continue;
		a = str_field(m, r->from);
		b = str_field(m, r->to);
		if (a && b && *a && *b && **a && **b && strcmp(*b, *a) < 0) {
			snprintf(fp, sizeof(fp), "%s.%s", path, r->to);
			fail(c, fp, "%s is before %s %s; a period ends on or after its start", *b,
			     r->from, *a);
		}
	}
}

/* Every date field of m and of its sub-messages, with their ranges. */
static void
check_dates(ctx *c, ProtobufCMessage *m, const char *path, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (depth > 8)
		return;
	for (size_t i = 0; i < sizeof(date_fields) / sizeof(date_fields[0]) && !c->err; i++)
		if (strcmp(d->short_name, date_fields[i].msg) == 0)
			check_date(c, m, &date_fields[i], path);
	if (!c->err)
		check_ranges(c, m, path);
	for (unsigned i = 0; i < d->n_fields && !c->err; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char sp[300];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
			ProtobufCMessage **v = *(ProtobufCMessage ***)((char *)m + f->offset);
			for (size_t k = 0; k < n && !c->err; k++) {
				snprintf(sp, sizeof(sp), "%s.%s[%zu]", path, f->name, k);
				if (v[k])
					check_dates(c, v[k], sp, depth + 1);
			}
		} else {
			ProtobufCMessage *sm = *(ProtobufCMessage **)((char *)m + f->offset);
			snprintf(sp, sizeof(sp), "%s.%s", path, f->name);
			if (sm)
				check_dates(c, sm, sp, depth + 1);
		}
	}
}

/* ---------------------------------------------------------------- references */

static void
region_of(const char *id, char out[MF_REGION_MAX])
{
	size_t n = strcspn(id, ":");

	if (n >= MF_REGION_MAX)
		n = 0;
	memcpy(out, id, n);
	out[n] = '\0';
}

/* One reference: well-formed, resolving, of the kind and region. */
static void
check_ref(ctx *c, const struct ref_rule *rr, const char *ref, const char *fp)
{
	char reg[MF_REGION_MAX], hint[600] = "";
	const ent *e;

	if (ref == NULL || *ref == '\0') {
		if (rr->required)
			fail(c, fp, "required: the id of a %s record", rr->target);
		return;
	}
	region_of(ref, reg);
	if (strlen(ref) >= MF_ID_MAX || mf_id_valid(ref, reg) != 0) {
		if (strcmp(rr->target, "school") == 0)
			mf_check_school_hint(c->node, ref, hint, sizeof(hint));
		fail(c, fp, "'%s' is not a record id (REGION:%s:KEY in Latin letters, digits . _ -)%s",
		     ref, rr->target, hint);
		return;
	}
	e = lookup(c, ref);
	if (e->state == 0) {
		if (strcmp(rr->target, "school") == 0)
			mf_check_school_hint(c->node, ref, hint, sizeof(hint));
		if (strcmp(reg, c->region) == 0)
			fail(c, fp, "no %s %s on this node%s", rr->target, ref, hint);
		else
			fail(c, fp, "no %s %s on this node (not received from %s yet: has it synced?)%s",
			     rr->target, ref, reg, hint);
	} else if (e->state == 2) {
		fail(c, fp, "the %s %s is deleted", rr->target, ref);
	} else if (strcmp(e->kind, rr->target) != 0) {
		fail(c, fp, "%s is a %s, not a %s", ref, e->kind, rr->target);
	} else if (rr->region == RG_OWN && strcmp(reg, c->region) != 0) {
		fail(c, fp, "%s is a %s of %s, not of %s: %s", ref, rr->target, reg, c->region,
		     rr->why);
	}
}

/* The references of one record (rules of its kind). */
static void
check_refs(ctx *c, const ProtobufCMessage *m)
{
	for (size_t i = 0; i < sizeof(ref_rules) / sizeof(ref_rules[0]) && !c->err; i++) {
		const struct ref_rule *rr = &ref_rules[i];
		const ProtobufCFieldDescriptor *f;
		char fp[300];

		if (strcmp(rr->kind, c->rec->kind) != 0 || (f = field_of(m, rr->field)) == NULL)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
			char **v = *(char ***)((char *)m + f->offset);
			for (size_t k = 0; k < n && !c->err; k++) {
				snprintf(fp, sizeof(fp), "body.%s[%zu]", rr->field, k);
				check_ref(c, rr, v[k], fp);
			}
		} else {
			snprintf(fp, sizeof(fp), "body.%s", rr->field);
			check_ref(c, rr, *(char **)((char *)m + f->offset), fp);
		}
	}
}

/* ---------------------------------------------------------------- kinds */

/* A body field naming a region names the writing one. */
static void
own_region_field(ctx *c, const char *v, const char *field)
{
	if (v == NULL || *v == '\0' || strcmp(v, c->region) == 0)
		return;
	if (strcasecmp(v, c->region) == 0)
		fail(c, field, "'%s': did you mean %s? (region codes are upper case)", v, c->region);
	else
		fail(c, field, "%s is another region: this node writes only %s's records, and they name %s",
		     v, c->region, c->region);
}

/* An integer the JSON body gave explicitly as 0 (proto3 cannot tell). */
static int
explicit_zero(const mf_check_rec *r, const char *field)
{
	json_t *v = r->json ? json_object_get(r->json, field) : NULL;

	return json_is_integer(v) && json_integer_value(v) == 0;
}

static void
count_max(ctx *c, uint64_t v, uint64_t max, const char *field)
{
	if (v > max)
		fail(c, field, "%llu is more than the limit of %llu", (unsigned long long)v,
		     (unsigned long long)max);
}

/* The rules of one kind beyond dates and references. */
static void
check_kind_rules(ctx *c, const ProtobufCMessage *m)
{
	const char *k = c->rec->kind;

	if (strcmp(k, "region") == 0) {
		own_region_field(c, ((const Mentorfed__Region *)m)->code, "body.code");
	} else if (strcmp(k, "school") == 0) {
		own_region_field(c, ((const Mentorfed__School *)m)->region, "body.region");
	} else if (strcmp(k, "mentoring_practice") == 0) {
		own_region_field(c, ((const Mentorfed__MentoringPractice *)m)->region, "body.region");
	} else if (strcmp(k, "mentoring_pair") == 0) {
		/* which region may propose, answer or end is the lifecycle's
		 * table (lifecycle.c, doc/LIFECYCLES.md) */
		const Mentorfed__MentoringPair *p = (const Mentorfed__MentoringPair *)m;
		if (p->mentor_school_id && p->mentee_school_id && *p->mentor_school_id &&
		    strcmp(p->mentor_school_id, p->mentee_school_id) == 0)
			fail(c, "body.mentee_school_id",
			     "the mentee is the mentor (%s): a school does not mentor itself",
			     p->mentee_school_id);
	} else if (strcmp(k, "internship_offer") == 0) {
		const Mentorfed__InternshipOffer *o = (const Mentorfed__InternshipOffer *)m;
		if (o->places == 0)
			fail(c, "body.places", "an offer needs at least 1 place (0 or missing)");
		count_max(c, o->places, MF_CHECK_MAX_PLACES, "body.places");
	} else if (strcmp(k, "internship_application") == 0) {
		const Mentorfed__InternshipApplication *a = (const Mentorfed__InternshipApplication *)m;
		if (explicit_zero(c->rec, "participants"))
			fail(c, "body.participants", "0: an application is for at least 1 participant (leave it out for 1)");
		count_max(c, a->participants, MF_CHECK_MAX_PARTICIPANTS, "body.participants");
	} else if (strcmp(k, "internship_decision") == 0) {
		const Mentorfed__InternshipDecision *d = (const Mentorfed__InternshipDecision *)m;
		count_max(c, d->places_granted, MF_CHECK_MAX_PLACES, "body.places_granted");
	} else if (strcmp(k, "self_diagnosis") == 0) {
		const Mentorfed__SelfDiagnosis *s = (const Mentorfed__SelfDiagnosis *)m;
		if (s->year != 0 && (s->year < MF_CHECK_YEAR_MIN || s->year > MF_CHECK_YEAR_MAX))
			fail(c, "body.year", "%u is not a year of the federal project (%d..%d)", s->year,
			     MF_CHECK_YEAR_MIN, MF_CHECK_YEAR_MAX);
	}
}

/* ---------------------------------------------------------------- batch */

json_t *
mf_check_records(mf_node *node, mf_check_rec *recs, size_t n)
{
	ctx c;

	memset(&c, 0, sizeof(c));
	c.node = node;
	c.region = node->cfg->region;
	cache_batch(&c, recs, n);
	for (size_t i = 0; i < n && c.err == NULL; i++) {
		c.rec = &recs[i];
		if (recs[i].deleted || recs[i].msg == NULL)
			continue;
		check_dates(&c, recs[i].msg, "body", 0);
		if (c.err == NULL)
			check_kind_rules(&c, recs[i].msg);
		if (c.err == NULL)
			check_refs(&c, recs[i].msg);
	}
	cache_free(&c);
	return c.err;
}
