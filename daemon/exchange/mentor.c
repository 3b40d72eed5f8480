/*
 * mentor.c — finding mentor schools for a school: the directions it needs
 * (given, or from its latest self-diagnosis), then every school whose
 * competency cards cover them, ranked by coverage, same region, league
 * membership and current load.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "checks.h"
#include "exchange.h"
#include "exchange_int.h"
#include "i18n.h"
#include "reply.h"
#include "util.h"

typedef struct cand {
	char *id, *name;
	int covers[MF_EX_NDIRS];
	int coverage, same_region, league, load;
	char region[MF_REGION_MAX];
} cand;

typedef struct cands {
	cand *v;
	size_t n, cap;
	json_t *at;	/* school id -> index in v */
	int dir;	/* the direction being read */
} cands;

/* What the mentee needs and why. */
typedef struct need {
	int mask[MF_EX_NDIRS];
	int list[MF_EX_NDIRS];
	int n;
	char basis[256];
} need;

/* A card of direction c->dir: its school becomes a candidate (once, found
 * through c->at) covering the direction.  From the direction index alone:
 * no card body is decoded. */
static int
card_ref_cb(void *arg, const char *id, const char *school)
{
	cands *c = arg;
	json_t *at = json_object_get(c->at, school);
	cand *e;

	(void)id;
	if (at != NULL) {
		e = &c->v[json_integer_value(at)];
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 32;
			c->v = mf_xrealloc(c->v, c->cap * sizeof(*c->v));
		}
		e = &c->v[c->n];
		memset(e, 0, sizeof(*e));
		e->id = mf_xstrdup(school);
		json_object_set_new(c->at, school, json_integer((json_int_t)c->n++));
	}
	e->covers[c->dir] = 1;
	return 0;
}

/* The candidate's name and League membership from the school index. */
static int
cand_school_cb(void *arg, const mf_school_row *r)
{
	cand *c = arg;

	if (*r->name)
		c->name = mf_xstrdup(r->name);
	c->league = r->league;
	return 0;
}

static void
cands_free(cands *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].name);
	}
	free(c->v);
	json_decref(c->at);
}

typedef struct diag_ctx {
	const char *school;
	int best_year, level;
	int zero[MF_EX_NDIRS];
} diag_ctx;

static int
diag_cb(void *arg, const mf_record *r)
{
	diag_ctx *c = arg;
	Mentorfed__SelfDiagnosis *m = (Mentorfed__SelfDiagnosis *)mf_ex_unpack(
		r, &mentorfed__self_diagnosis__descriptor);

	if (m == NULL)
		return 0;
	if (m->school_id && strcmp(m->school_id, c->school) == 0 && (int)m->year >= c->best_year) {
		c->best_year = (int)m->year;
		c->level = m->level;
		memset(c->zero, 0, sizeof(c->zero));
		for (size_t i = 0; i < m->n_scores; i++)
			if (m->scores[i]->critical_zero && m->scores[i]->direction > 0 &&
			    m->scores[i]->direction < MF_EX_NDIRS)
				c->zero[m->scores[i]->direction] = 1;
	}
	mentorfed__self_diagnosis__free_unpacked(m, NULL);
	return 0;
}

/* The directions the mentee needs: those given, else the critical zeros
 * of its latest self-diagnosis, else every direction for a school below
 * the basic level.  NULL, or an error reply. */
static json_t *
needs_of(mf_store *st, const mf_ex_school *mentee, json_t *given, need *nd)
{
	const int below = MENTORFED__SELF_DIAGNOSIS_LEVEL__SELF_DIAGNOSIS_LEVEL_BELOW_BASIC;
	char err[512];
	diag_ctx dc;

	memset(nd, 0, sizeof(*nd));
	memset(&dc, 0, sizeof(dc));
	dc.school = mentee->id;
	mf_store_each_ref(st, mentee->id, "self_diagnosis", diag_cb, &dc);
	if (json_array_size(given) > 0) {
		if (mf_ex_dirs_parse(given, nd->mask, err, sizeof(err)) != 0)
			return mf_reply_error(EX_USAGE, "%s", err);
		snprintf(nd->basis, sizeof(nd->basis), "directions given");
	} else {
		memcpy(nd->mask, dc.zero, sizeof(nd->mask));
		for (int i = 1; i < MF_EX_NDIRS; i++)
			nd->n += nd->mask[i];
		if (nd->n > 0) {
			snprintf(nd->basis, sizeof(nd->basis),
				 "critical indicators at zero in the %d self-diagnosis", dc.best_year);
		} else if (dc.level == below || (dc.best_year == 0 && mentee->level == below)) {
			for (int i = 1; i < MF_EX_NDIRS; i++)
				nd->mask[i] = 1;
			snprintf(nd->basis, sizeof(nd->basis),
				 "self-diagnosis level «Ниже базового»: every direction");
		} else {
			return mf_reply_error(EX_DATAERR,
					      "%s is not at the «Ниже базового» level and has no critical indicator at zero; name the directions with --direction",
					      mentee->id);
		}
	}
	nd->n = 0;
	for (int i = 1; i < MF_EX_NDIRS; i++)
		if (nd->mask[i])
			nd->list[nd->n++] = i;
	return NULL;
}

static int
cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->coverage != y->coverage)
		return y->coverage - x->coverage;
	if (x->same_region != y->same_region)
		return y->same_region - x->same_region;
	if (x->league != y->league)
		return y->league - x->league;
	if (x->load != y->load)
		return x->load - y->load;
	return strcmp(x->id, y->id);
}

/* Coverage and region first: what the indexes give without a school read. */
static int
tier_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->coverage != y->coverage)
		return y->coverage - x->coverage;
	if (x->same_region != y->same_region)
		return y->same_region - x->same_region;
	return strcmp(x->id, y->id);
}

/*
 * Every school with a competency card of a needed direction, scored
 * against the need and sorted best first; *ranked says how many of the
 * first are fully ranked (all when limit is 0).  The cards come from the
 * direction index (one range per direction, no body).  Coverage and same
 * region order the candidates before League membership and load do, so
 * only the candidates of the (coverage, region) tiers that the first
 * `limit` shown reach need their school read and their load counted: a
 * federation has 20,000 card schools, a page shows 20.  0 or -1.
 */
static int
cands_rank(mf_store *st, const char *sid, const char *mreg, const need *nd, json_int_t limit,
	   cands *cc, size_t *ranked)
{
	mf_ex_pairs pr;
	json_t *load = json_object();	/* mentor school -> active pairs */
	size_t upto, shown = 0;
	int rc = 0;

	memset(cc, 0, sizeof(*cc));
	cc->at = json_object();
	for (int k = 0; k < nd->n && rc == 0; k++) {
		char dname[64];

		if (mf_enum_ident(&mentorfed__direction__descriptor, nd->list[k], dname,
				  sizeof(dname)) == NULL)
			continue;
		cc->dir = nd->list[k];
		rc = mf_store_dir_schools(st, "competency_card", dname, card_ref_cb, cc);
	}
	if (rc != 0 || mf_ex_pairs_load(st, &pr) != 0) {
		json_decref(load);
		cands_free(cc);
		return -1;
	}
	for (size_t k = 0; k < pr.n; k++)
		if (mf_ex_pair_active(&pr.v[k]))
			json_object_set_new(load, pr.v[k].mentor, json_integer(
				json_integer_value(json_object_get(load, pr.v[k].mentor)) + 1));
	for (size_t i = 0; i < cc->n; i++) {
		cand *c = &cc->v[i];

		mf_ex_region_of(c->id, c->region);
		c->same_region = strcmp(c->region, mreg) == 0;
		for (int k = 1; k < MF_EX_NDIRS; k++)
			c->coverage += nd->mask[k] && c->covers[k];
	}
	if (cc->n > 1)
		qsort(cc->v, cc->n, sizeof(*cc->v), tier_cmp);
	/* the first `limit` that will be shown, then the rest of that tier */
	for (upto = 0; upto < cc->n; upto++) {
		const cand *c = &cc->v[upto];

		if (limit > 0 && (json_int_t)shown >= limit &&
		    (c->coverage != cc->v[upto - 1].coverage ||
		     c->same_region != cc->v[upto - 1].same_region))
			break;
		if (c->coverage > 0 && strcmp(c->id, sid) != 0)
			shown++;
	}
	for (size_t i = 0; i < upto && rc == 0; i++) {
		cand *c = &cc->v[i];

		rc = mf_store_school(st, c->id, cand_school_cb, c);
		if (c->name == NULL)	/* a card of a school this node does not hold */
			c->name = mf_xstrdup(c->id);
		c->load = (int)json_integer_value(json_object_get(load, c->id));
	}
	json_decref(load);
	mf_ex_pairs_free(&pr);
	if (rc != 0) {
		cands_free(cc);
		return -1;
	}
	if (upto > 1)
		qsort(cc->v, upto, sizeof(*cc->v), cand_cmp);
	*ranked = upto;
	return 0;
}

/* One candidate as a data object and a table row. */
static void
cand_add(const cand *c, const need *nd, size_t rank, json_t *arr, json_t *rows)
{
	int cov[MF_EX_NDIRS], nc = 0;
	char why[512], ctext[256], rk[16], nm[16], ratio[32];
	json_t *cj;

	for (int k = 1; k < MF_EX_NDIRS; k++)
		if (nd->mask[k] && c->covers[k])
			cov[nc++] = k;
	mf_ex_dirs_text(cov, (size_t)nc, ctext, sizeof(ctext));
	snprintf(why, sizeof(why), "covers %d of %d needed (%s); %s; %s; %d mentee%s", c->coverage,
		 nd->n, ctext, c->same_region ? "same region" : "another region",
		 c->league ? "League member" : "not in a league", c->load, c->load == 1 ? "" : "s");
	cj = json_pack("{s:i, s:s, s:s, s:s, s:o, s:i, s:b, s:b, s:i, s:s}",
		       "rank", (int)rank, "school", c->id, "name", c->name,
		       "region", c->region, "covers",
		       mf_ex_dirs_json(cov, (size_t)nc), "coverage", c->coverage,
		       "same_region", c->same_region, "league", c->league,
		       "mentees", c->load, "why", why);
	mf_reason_annotate(cj, "why");	/* why_code, why_args (i18n.h) */
	json_array_append_new(arr, cj);
	snprintf(rk, sizeof(rk), "%zu", rank);
	snprintf(nm, sizeof(nm), "%d", c->load);
	snprintf(ratio, sizeof(ratio), "%d/%d", c->coverage, nd->n);
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s,s]", rk, c->name, c->region, ratio,
					      c->same_region ? "yes" : "no",
					      c->league ? "yes" : "no", nm, why, c->id));
}

/* The mentee from the school index (no body decoded). */
static int
mentee_cb(void *arg, const mf_school_row *r)
{
	mf_ex_school *m = arg;

	m->id = mf_xstrdup(r->id);
	m->name = mf_xstrdup(r->name);
	m->municipality = mf_xstrdup(r->municipality);
	mf_ex_region_of(r->id, m->region);
	m->league = r->league;
	m->level = r->level;
	return 0;
}

static void
mentee_free(mf_ex_school *m)
{
	if (m == NULL)
		return;
	free(m->id);
	free(m->name);
	free(m->municipality);
}

json_t *
mf_exchange_find_mentor(mf_node *node, json_t *req)
{
	/* SCHOOL ID last: what `pair propose --mentor` takes, without --json */
	static const char *const cols[] = { "RANK", "SCHOOL", "REGION", "COVERS", "SAME REGION",
					    "LEAGUE", "MENTEES", "WHY", "SCHOOL ID", NULL };
	mf_store *st = node->store;
	const char *sid = json_string_value(json_object_get(req, "school"));
	json_int_t limit = json_integer_value(json_object_get(req, "limit"));
	char mreg[MF_REGION_MAX];
	mf_ex_school mentee_row, *mentee = NULL;
	cands cc;
	need nd;
	json_t *data, *t, *e;
	size_t shown = 0, ranked = 0;

	if (sid == NULL)
		return mf_reply_error(EX_USAGE, "mentor find: school id missing");
	memset(&mentee_row, 0, sizeof(mentee_row));
	if (mf_store_school(st, sid, mentee_cb, &mentee_row) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	if (mentee_row.id != NULL)
		mentee = &mentee_row;
	if (mentee == NULL) {
		char hint[600];
		mf_check_school_hint(node, sid, hint, sizeof(hint));
		return mf_reply_error(EX_DATAERR, "no school %s in the federation's records%s", sid, hint);
	}
	mf_ex_region_of(sid, mreg);
	if ((e = needs_of(st, mentee, json_object_get(req, "directions"), &nd)) != NULL) {
		mentee_free(mentee);
		return e;
	}
	if (cands_rank(st, sid, mreg, &nd, limit, &cc, &ranked) != 0) {
		mentee_free(mentee);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	data = json_pack("{s:s, s:s, s:s, s:o, s:s, s:[]}", "school", sid, "name", mentee->name,
			 "region", mreg, "needed", mf_ex_dirs_json(nd.list, (size_t)nd.n), "basis",
			 nd.basis, "candidates");
	mf_reason_annotate(data, "basis");
	t = mf_ex_table("mentor candidates", cols);
	for (size_t i = 0; i < ranked; i++) {
		if (cc.v[i].coverage == 0 || strcmp(cc.v[i].id, sid) == 0)
			continue;
		if (limit > 0 && (json_int_t)shown >= limit)
			break;
		cand_add(&cc.v[i], &nd, ++shown, json_object_get(data, "candidates"),
			 json_object_get(t, "rows"));
	}
	cands_free(&cc);
	mentee_free(mentee);
	return mf_ex_reply(data, json_pack("[o]", t));
}
