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
	char *id;
	int covers[MF_EX_NDIRS];
	int coverage, same_region, league, load;
	char region[MF_REGION_MAX];
	const char *name;
} cand;

typedef struct cands {
	cand *v;
	size_t n, cap;
} cands;

/* What the mentee needs and why. */
typedef struct need {
	int mask[MF_EX_NDIRS];
	int list[MF_EX_NDIRS];
	int n;
	char basis[256];
} need;

static int
card_cb(void *arg, const mf_record *r)
{
	cands *c = arg;
	Mentorfed__CompetencyCard *m = (Mentorfed__CompetencyCard *)mf_ex_unpack(
		r, &mentorfed__competency_card__descriptor);
	cand *e = NULL;

	if (m == NULL)
		return 0;
	if (m->school_id == NULL || *m->school_id == '\0')
		goto out;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, m->school_id) == 0)
			e = &c->v[i];
	if (e == NULL) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 32;
			c->v = mf_xrealloc(c->v, c->cap * sizeof(*c->v));
		}
		e = &c->v[c->n++];
		memset(e, 0, sizeof(*e));
		e->id = mf_xstrdup(m->school_id);
	}
	for (size_t i = 0; i < m->n_directions; i++)
		if (m->directions[i] > 0 && m->directions[i] < MF_EX_NDIRS)
			e->covers[m->directions[i]] = 1;
out:
	mentorfed__competency_card__free_unpacked(m, NULL);
	return 0;
}

static void
cands_free(cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].id);
	free(c->v);
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
	mf_store_each(st, "self_diagnosis", NULL, 0, diag_cb, &dc);
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

/* Every school with a competency card, scored against the need and sorted
 * best first.  0 or -1 (store read failed). */
static int
cands_rank(mf_store *st, const mf_ex_schools *sc, const char *mreg, const need *nd, cands *cc)
{
	mf_ex_pairs pr;

	memset(cc, 0, sizeof(*cc));
	if (mf_store_each(st, "competency_card", NULL, 0, card_cb, cc) != 0 ||
	    mf_ex_pairs_load(st, &pr) != 0) {
		cands_free(cc);
		return -1;
	}
	for (size_t i = 0; i < cc->n; i++) {
		cand *c = &cc->v[i];
		const mf_ex_school *s = mf_ex_schools_find(sc, c->id);

		mf_ex_region_of(c->id, c->region);
		c->name = s ? s->name : c->id;
		c->league = s ? s->league : 0;
		c->same_region = strcmp(c->region, mreg) == 0;
		for (int k = 1; k < MF_EX_NDIRS; k++)
			c->coverage += nd->mask[k] && c->covers[k];
		for (size_t k = 0; k < pr.n; k++)
			if (strcmp(pr.v[k].mentor, c->id) == 0 && mf_ex_pair_active(&pr.v[k]))
				c->load++;
	}
	mf_ex_pairs_free(&pr);
	if (cc->n > 1)
		qsort(cc->v, cc->n, sizeof(*cc->v), cand_cmp);
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
	mf_ex_schools sc;
	const mf_ex_school *mentee;
	cands cc;
	need nd;
	json_t *data, *t, *e;
	size_t shown = 0;

	if (sid == NULL)
		return mf_reply_error(EX_USAGE, "mentor find: school id missing");
	if (mf_ex_schools_load(st, &sc) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	if ((mentee = mf_ex_schools_find(&sc, sid)) == NULL) {
		char hint[600];
		mf_ex_schools_free(&sc);
		mf_check_school_hint(node, sid, hint, sizeof(hint));
		return mf_reply_error(EX_DATAERR, "no school %s in the federation's records%s", sid, hint);
	}
	mf_ex_region_of(sid, mreg);
	if ((e = needs_of(st, mentee, json_object_get(req, "directions"), &nd)) != NULL) {
		mf_ex_schools_free(&sc);
		return e;
	}
	if (cands_rank(st, &sc, mreg, &nd, &cc) != 0) {
		mf_ex_schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	data = json_pack("{s:s, s:s, s:s, s:o, s:s, s:[]}", "school", sid, "name", mentee->name,
			 "region", mreg, "needed", mf_ex_dirs_json(nd.list, (size_t)nd.n), "basis",
			 nd.basis, "candidates");
	mf_reason_annotate(data, "basis");
	t = mf_ex_table("mentor candidates", cols);
	for (size_t i = 0; i < cc.n; i++) {
		if (cc.v[i].coverage == 0 || strcmp(cc.v[i].id, sid) == 0)
			continue;
		if (limit > 0 && (json_int_t)shown >= limit)
			break;
		cand_add(&cc.v[i], &nd, ++shown, json_object_get(data, "candidates"),
			 json_object_get(t, "rows"));
	}
	cands_free(&cc);
	mf_ex_schools_free(&sc);
	return mf_ex_reply(data, json_pack("[o]", t));
}
