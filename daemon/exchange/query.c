/*
 * query.c — the mentoring exchange (see query.h): mentor search, pairs,
 * internships and the federation overview, over every region's records in
 * the local store.
 *
 * Ownership rules of DESIGN.md hold here too: a proposal is the mentee's
 * region's record, the answer the mentor's region's; an application is the
 * applicant's region's record, the decision the host's.  So this node only
 * ever writes records of its own region, and every check of "is this my
 * school" is a check of the id's region prefix.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "json.h"
#include "kinds.h"
#include "query.h"
#include "store.h"
#include "util.h"

#define N_DIRS 9	/* Direction enum values 1..8 */

/* ---------------------------------------------------------------- helpers */

static void
region_of(const char *id, char out[16])
{
	size_t n = strcspn(id, ":");

	if (n >= 16)
		n = 0;
	memcpy(out, id, n);
	out[n] = '\0';
}

static const char *
dir_name(int v, char *buf, size_t len)
{
	if (mf_enum_ident(&mentorfed__direction__descriptor, v, buf, len) == NULL)
		snprintf(buf, len, "%d", v);
	return buf;
}

static json_t *
dirs_json(const int *v, size_t n)
{
	json_t *a = json_array();
	char nb[64];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(dir_name(v[i], nb, sizeof(nb))));
	return a;
}

/* "knowledge, health" */
static void
dirs_text(const int *v, size_t n, char *buf, size_t len)
{
	char nb[64];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 dir_name(v[i], nb, sizeof(nb)));
}

/* Parse a JSON array of direction identifiers into mask[1..8]. */
static int
dirs_parse(json_t *a, int mask[N_DIRS], char *err, size_t errlen)
{
	size_t i;
	json_t *v;

	memset(mask, 0, N_DIRS * sizeof(int));
	json_array_foreach(a, i, v) {
		const ProtobufCEnumValue *ev;
		if (!json_is_string(v) ||
		    (ev = mf_enum_by_ident(&mentorfed__direction__descriptor, json_string_value(v))) == NULL ||
		    ev->value <= 0 || ev->value >= N_DIRS) {
			snprintf(err, errlen, "'%s' is not a direction (knowledge, upbringing, health, creativity, career_guidance, teacher_team, school_climate, educational_environment)",
				 json_is_string(v) ? json_string_value(v) : "?");
			return -1;
		}
		mask[ev->value] = 1;
	}
	return 0;
}

static ProtobufCMessage *
unpack(const mf_record *r, const ProtobufCMessageDescriptor *d)
{
	if (r == NULL || r->deleted || strcmp(d->name, mf_kind_descriptor(r->kind)->name) != 0)
		return NULL;
	return protobuf_c_message_unpack(d, NULL, r->body_len, r->body);
}

static json_t *
table(const char *title, const char *const *cols)
{
	json_t *t = json_pack("{s:s, s:[], s:[]}", "title", title, "columns", "rows");
	json_t *c = json_object_get(t, "columns");

	for (int i = 0; cols[i]; i++)
		json_array_append_new(c, json_string(cols[i]));
	return t;
}

static json_t *
reply(json_t *data, json_t *tables)
{
	json_t *r = mf_reply_ok();

	json_object_set_new(r, "data", data);
	json_object_set_new(r, "tables", tables);
	return r;
}

/* ---------------------------------------------------------------- schools */

typedef struct school {
	char *id, *name, *municipality;
	char region[16];
	int league;
	int level;	/* SelfDiagnosisLevel from the school record */
} school;

typedef struct schools {
	school *v;
	size_t n, cap;
} schools;

static int
school_cb(void *arg, const mf_record *r)
{
	schools *s = arg;
	Mentorfed__School *m = (Mentorfed__School *)unpack(r, &mentorfed__school__descriptor);
	school *e;

	if (m == NULL)
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		school *nv = realloc(s->v, nc * sizeof(*nv));
		if (nv == NULL) {
			mentorfed__school__free_unpacked(m, NULL);
			return -1;
		}
		s->v = nv;
		s->cap = nc;
	}
	e = &s->v[s->n++];
	e->id = strdup(r->id);
	e->name = strdup(m->name);
	e->municipality = strdup(m->municipality);
	region_of(r->id, e->region);
	e->league = m->n_memberships > 0;
	e->level = m->self_diagnosis_level;
	mentorfed__school__free_unpacked(m, NULL);
	return 0;
}

static int
school_cmp(const void *a, const void *b)
{
	return strcmp(((const school *)a)->id, ((const school *)b)->id);
}

static int
schools_load(mf_store *st, schools *s)
{
	memset(s, 0, sizeof(*s));
	if (mf_store_each(st, "school", NULL, 0, school_cb, s) != 0)
		return -1;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), school_cmp);
	return 0;
}

static const school *
schools_find(const schools *s, const char *id)
{
	school key;

	key.id = (char *)id;
	return s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), school_cmp) : NULL;
}

static void
schools_free(schools *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].id);
		free(s->v[i].name);
		free(s->v[i].municipality);
	}
	free(s->v);
}

static const char *
school_label(const schools *s, const char *id)
{
	const school *e = schools_find(s, id);

	return e && e->name && *e->name ? e->name : id;
}

/* ---------------------------------------------------------------- pairs */

/* A proposal and the latest answer to it. */
typedef struct pair {
	char *id, *mentor, *mentee, *start, *answer_id;
	int dirs[N_DIRS];
	int n_dirs;
	int state;	/* effective PairState */
} pair;

typedef struct pairs {
	pair *v;
	size_t n, cap;
	/* answers, matched to proposals after loading */
	struct answer {
		char *proposal, *id;
		int state;
		uint64_t hlc;
	} *a;
	size_t na, capa;
} pairs;

static int
pair_cb(void *arg, const mf_record *r)
{
	pairs *p = arg;
	Mentorfed__MentoringPair *m =
		(Mentorfed__MentoringPair *)unpack(r, &mentorfed__mentoring_pair__descriptor);

	if (m == NULL)
		return 0;
	if (m->proposal_id != NULL && *m->proposal_id) {
		if (p->na == p->capa) {
			size_t nc = p->capa ? p->capa * 2 : 16;
			struct answer *na = realloc(p->a, nc * sizeof(*na));
			if (na == NULL)
				goto oom;
			p->a = na;
			p->capa = nc;
		}
		p->a[p->na].proposal = strdup(m->proposal_id);
		p->a[p->na].id = strdup(r->id);
		p->a[p->na].state = m->state;
		p->a[p->na].hlc = r->hlc;
		p->na++;
	} else {
		pair *e;
		if (p->n == p->cap) {
			size_t nc = p->cap ? p->cap * 2 : 16;
			pair *nv = realloc(p->v, nc * sizeof(*nv));
			if (nv == NULL)
				goto oom;
			p->v = nv;
			p->cap = nc;
		}
		e = &p->v[p->n++];
		memset(e, 0, sizeof(*e));
		e->id = strdup(r->id);
		e->mentor = strdup(m->mentor_school_id);
		e->mentee = strdup(m->mentee_school_id);
		e->start = strdup(m->start_date);
		for (size_t i = 0; i < m->n_directions && e->n_dirs < N_DIRS; i++)
			e->dirs[e->n_dirs++] = m->directions[i];
		e->state = m->state ? m->state : MENTORFED__PAIR_STATE__PAIR_STATE_PROPOSED;
	}
	mentorfed__mentoring_pair__free_unpacked(m, NULL);
	return 0;
oom:
	mentorfed__mentoring_pair__free_unpacked(m, NULL);
	return -1;
}

static int
pairs_load(mf_store *st, pairs *p)
{
	memset(p, 0, sizeof(*p));
	if (mf_store_each(st, "mentoring_pair", NULL, 0, pair_cb, p) != 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		uint64_t best = 0;
		char reg[16], mreg[16];
		region_of(p->v[i].mentor, mreg);
		for (size_t k = 0; k < p->na; k++) {
			/* only the mentor's region may answer */
			region_of(p->a[k].id, reg);
			if (strcmp(p->a[k].proposal, p->v[i].id) == 0 && strcmp(reg, mreg) == 0 &&
			    p->a[k].hlc >= best) {
				best = p->a[k].hlc;
				p->v[i].state = p->a[k].state;
				free(p->v[i].answer_id);
				p->v[i].answer_id = strdup(p->a[k].id);
			}
		}
	}
	return 0;
}

static void
pairs_free(pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].id);
		free(p->v[i].mentor);
		free(p->v[i].mentee);
		free(p->v[i].start);
		free(p->v[i].answer_id);
	}
	for (size_t i = 0; i < p->na; i++) {
		free(p->a[i].proposal);
		free(p->a[i].id);
	}
	free(p->v);
	free(p->a);
}

static int
pair_active(const pair *e)
{
	return e->state == MENTORFED__PAIR_STATE__PAIR_STATE_PROPOSED ||
	       e->state == MENTORFED__PAIR_STATE__PAIR_STATE_CONFIRMED;
}

static const char *
pair_state_name(int s, char *buf, size_t len)
{
	if (mf_enum_ident(&mentorfed__pair_state__descriptor, s, buf, len) == NULL)
		snprintf(buf, len, "%d", s);
	return buf;
}

/* ---------------------------------------------------------------- find mentor */

typedef struct cand {
	const char *id;
	int covers[N_DIRS];
	int coverage, same_region, league, load;
	char region[16];
	const char *name;
} cand;

typedef struct cards_ctx {
	cand *v;
	size_t n, cap;
} cards_ctx;

static int
card_cb(void *arg, const mf_record *r)
{
	cards_ctx *c = arg;
	Mentorfed__CompetencyCard *m =
		(Mentorfed__CompetencyCard *)unpack(r, &mentorfed__competency_card__descriptor);
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
			size_t nc = c->cap ? c->cap * 2 : 32;
			cand *nv = realloc(c->v, nc * sizeof(*nv));
			if (nv == NULL) {
				mentorfed__competency_card__free_unpacked(m, NULL);
				return -1;
			}
			c->v = nv;
			c->cap = nc;
		}
		e = &c->v[c->n++];
		memset(e, 0, sizeof(*e));
		e->id = strdup(m->school_id);
	}
	for (size_t i = 0; i < m->n_directions; i++)
		if (m->directions[i] > 0 && m->directions[i] < N_DIRS)
			e->covers[m->directions[i]] = 1;
out:
	mentorfed__competency_card__free_unpacked(m, NULL);
	return 0;
}

typedef struct diag_ctx {
	const char *school;
	int best_year, level;
	int zero[N_DIRS];
} diag_ctx;

static int
diag_cb(void *arg, const mf_record *r)
{
	diag_ctx *c = arg;
	Mentorfed__SelfDiagnosis *m =
		(Mentorfed__SelfDiagnosis *)unpack(r, &mentorfed__self_diagnosis__descriptor);

	if (m == NULL)
		return 0;
	if (m->school_id && strcmp(m->school_id, c->school) == 0 && (int)m->year >= c->best_year) {
		c->best_year = (int)m->year;
		c->level = m->level;
		memset(c->zero, 0, sizeof(c->zero));
		for (size_t i = 0; i < m->n_scores; i++)
			if (m->scores[i]->critical_zero && m->scores[i]->direction > 0 &&
			    m->scores[i]->direction < N_DIRS)
				c->zero[m->scores[i]->direction] = 1;
	}
	mentorfed__self_diagnosis__free_unpacked(m, NULL);
	return 0;
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

json_t *
mf_query_find_mentor(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "RANK", "SCHOOL", "REGION", "COVERS", "SAME REGION",
					    "LEAGUE", "MENTEES", "WHY", NULL };
	mf_store *st = d->node->store;
	const char *sid = json_string_value(json_object_get(req, "school"));
	json_int_t limit = json_integer_value(json_object_get(req, "limit"));
	int need[N_DIRS], n_need = 0, need_list[N_DIRS];
	char mreg[16], err[512], basis[256] = "";
	schools sc;
	pairs pr;
	cards_ctx cc;
	diag_ctx dc;
	const school *mentee;
	json_t *data, *tables, *t, *arr;
	size_t shown = 0;

	if (sid == NULL)
		return mf_reply_error(EX_USAGE, "mentor find: school id missing");
	if (schools_load(st, &sc) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	if ((mentee = schools_find(&sc, sid)) == NULL) {
		schools_free(&sc);
		return mf_reply_error(EX_DATAERR, "no school %s in the federation's records", sid);
	}
	region_of(sid, mreg);
	memset(&dc, 0, sizeof(dc));
	dc.school = sid;
	mf_store_each(st, "self_diagnosis", NULL, 0, diag_cb, &dc);
	if (json_array_size(json_object_get(req, "directions")) > 0) {
		if (dirs_parse(json_object_get(req, "directions"), need, err, sizeof(err)) != 0) {
			schools_free(&sc);
			return mf_reply_error(EX_USAGE, "%s", err);
		}
		snprintf(basis, sizeof(basis), "directions given");
	} else {
		int below = dc.level == MENTORFED__SELF_DIAGNOSIS_LEVEL__SELF_DIAGNOSIS_LEVEL_BELOW_BASIC ||
			    (dc.best_year == 0 &&
			     mentee->level == MENTORFED__SELF_DIAGNOSIS_LEVEL__SELF_DIAGNOSIS_LEVEL_BELOW_BASIC);
		memcpy(need, dc.zero, sizeof(need));
		for (int i = 1; i < N_DIRS; i++)
			n_need += need[i];
		if (n_need > 0) {
			snprintf(basis, sizeof(basis), "critical indicators at zero in the %d self-diagnosis",
				 dc.best_year);
		} else if (below) {
			for (int i = 1; i < N_DIRS; i++)
				need[i] = 1;
			snprintf(basis, sizeof(basis), "self-diagnosis level «Ниже базового»: every direction");
		} else {
			schools_free(&sc);
			return mf_reply_error(EX_DATAERR,
					      "%s is not at the «Ниже базового» level and has no critical indicator at zero; name the directions with --direction",
					      sid);
		}
	}
	n_need = 0;
	for (int i = 1; i < N_DIRS; i++)
		if (need[i])
			need_list[n_need++] = i;
	memset(&cc, 0, sizeof(cc));
	if (mf_store_each(st, "competency_card", NULL, 0, card_cb, &cc) != 0 ||
	    pairs_load(st, &pr) != 0) {
		schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	for (size_t i = 0; i < cc.n; i++) {
		cand *c = &cc.v[i];
		const school *s = schools_find(&sc, c->id);
		region_of(c->id, c->region);
		c->name = s ? s->name : c->id;
		c->league = s ? s->league : 0;
		c->same_region = strcmp(c->region, mreg) == 0;
		for (int k = 1; k < N_DIRS; k++)
			c->coverage += need[k] && c->covers[k];
		for (size_t k = 0; k < pr.n; k++)
			if (strcmp(pr.v[k].mentor, c->id) == 0 && pair_active(&pr.v[k]))
				c->load++;
	}
	if (cc.n > 1)
		qsort(cc.v, cc.n, sizeof(*cc.v), cand_cmp);
	data = json_pack("{s:s, s:s, s:s, s:o, s:s, s:[]}", "school", sid, "name", mentee->name,
			 "region", mreg, "needed", dirs_json(need_list, (size_t)n_need), "basis", basis,
			 "candidates");
	arr = json_object_get(data, "candidates");
	t = table("mentor candidates", cols);
	for (size_t i = 0; i < cc.n; i++) {
		cand *c = &cc.v[i];
		int cov[N_DIRS], nc = 0;
		char why[512], ctext[256], rank[16], nm[16], ratio[32];

		if (c->coverage == 0 || strcmp(c->id, sid) == 0)
			continue;
		if (limit > 0 && (json_int_t)shown >= limit)
			break;
		shown++;
		for (int k = 1; k < N_DIRS; k++)
			if (need[k] && c->covers[k])
				cov[nc++] = k;
		dirs_text(cov, (size_t)nc, ctext, sizeof(ctext));
		snprintf(why, sizeof(why), "covers %d of %d needed (%s); %s; %s; %d mentee%s",
			 c->coverage, n_need, ctext,
			 c->same_region ? "same region" : "another region",
			 c->league ? "League member" : "not in a league", c->load,
			 c->load == 1 ? "" : "s");
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s, s:o, s:i, s:b, s:b, s:i, s:s}",
						     "rank", (int)shown, "school", c->id, "name", c->name,
						     "region", c->region, "covers", dirs_json(cov, (size_t)nc),
						     "coverage", c->coverage, "same_region", c->same_region,
						     "league", c->league, "mentees", c->load, "why", why));
		snprintf(rank, sizeof(rank), "%zu", shown);
		snprintf(nm, sizeof(nm), "%d", c->load);
		snprintf(ratio, sizeof(ratio), "%d/%d", c->coverage, n_need);
		json_array_append_new(json_object_get(t, "rows"),
				      json_pack("[s,s,s,s,s,s,s,s]", rank, c->name, c->region, ratio,
						c->same_region ? "yes" : "no", c->league ? "yes" : "no", nm,
						why));
	}
	tables = json_pack("[o]", t);
	for (size_t i = 0; i < cc.n; i++)
		free((char *)cc.v[i].id);
	free(cc.v);
	pairs_free(&pr);
	schools_free(&sc);
	return reply(data, tables);
}

/* ---------------------------------------------------------------- writes */

/* Put one record of this node's region; returns the put reply and, on
 * success, the id in *id (borrowed from the reply). */
static json_t *
put_one(mf_daemon *d, const char *kind, const char *key, json_t *body, const char **id)
{
	json_t *recs = json_pack("[{s:s, s:s, s:o}]", "kind", kind, "key", key, "body", body);
	json_t *rep = mf_ctl_put_records(d, recs);

	json_decref(recs);
	if (id)
		*id = json_string_value(json_array_get(json_object_get(rep, "ids"), 0));
	return rep;
}

static int
mine(mf_daemon *d, const char *id)
{
	char r[16];

	region_of(id, r);
	return strcmp(r, d->node->cfg->region) == 0;
}

static mf_record *
get_kind(mf_daemon *d, const char *id, const char *kind)
{
	mf_record *r = id ? mf_store_get(d->node->store, id) : NULL;

	if (r != NULL && (r->deleted || strcmp(r->kind, kind) != 0)) {
		mf_record_free(r);
		return NULL;
	}
	return r;
}

json_t *
mf_query_pair_propose(mf_daemon *d, json_t *req)
{
	const char *mentor = json_string_value(json_object_get(req, "mentor"));
	const char *mentee = json_string_value(json_object_get(req, "mentee"));
	const char *start = json_string_value(json_object_get(req, "start"));
	json_t *dirs = json_object_get(req, "directions"), *body, *rep;
	int mask[N_DIRS];
	char err[512], key[512];
	mf_record *a, *b;

	if (mentor == NULL || mentee == NULL || start == NULL)
		return mf_reply_error(EX_USAGE, "pair propose: --mentor, --mentee and --start are required");
	if (!mine(d, mentee))
		return mf_reply_error(EX_DATAERR,
				      "the mentee %s is not a school of %s: a pair is proposed by the mentee's region",
				      mentee, d->node->cfg->region);
	if (dirs_parse(dirs, mask, err, sizeof(err)) != 0 || json_array_size(dirs) == 0)
		return mf_reply_error(EX_USAGE, "pair propose: %s",
				      json_array_size(dirs) ? err : "at least one --direction is required");
	a = get_kind(d, mentor, "school");
	b = get_kind(d, mentee, "school");
	mf_record_free(a);
	mf_record_free(b);
	if (a == NULL || b == NULL)
		return mf_reply_error(EX_DATAERR, "no school %s", a == NULL ? mentor : mentee);
	body = json_pack("{s:s, s:s, s:O, s:s, s:s}", "mentor_school_id", mentor, "mentee_school_id",
			 mentee, "directions", dirs, "start_date", start, "state", "proposed");
	if (json_string_value(json_object_get(req, "end")))
		json_object_set(body, "end_date", json_object_get(req, "end"));
	if (json_string_value(json_object_get(req, "note")))
		json_object_set(body, "note", json_object_get(req, "note"));
	snprintf(key, sizeof(key), "pair|%s|%s|%s", mentor, mentee, start);
	rep = put_one(d, "mentoring_pair", key, body, NULL);
	return rep;
}

json_t *
mf_query_pair_answer(mf_daemon *d, json_t *req)
{
	const char *pid = json_string_value(json_object_get(req, "proposal"));
	int confirm = json_is_true(json_object_get(req, "confirm"));
	Mentorfed__MentoringPair *p;
	mf_record *r;
	json_t *body, *rep;
	char key[256];

	if ((r = get_kind(d, pid, "mentoring_pair")) == NULL)
		return mf_reply_error(EX_DATAERR, "no pair proposal %s", pid ? pid : "(none given)");
	p = (Mentorfed__MentoringPair *)unpack(r, &mentorfed__mentoring_pair__descriptor);
	mf_record_free(r);
	if (p == NULL || (p->proposal_id && *p->proposal_id)) {
		if (p)
			mentorfed__mentoring_pair__free_unpacked(p, NULL);
		return mf_reply_error(EX_DATAERR, "%s is an answer, not a proposal", pid);
	}
	if (!mine(d, p->mentor_school_id)) {
		rep = mf_reply_error(EX_DATAERR,
				     "the mentor %s is not a school of %s: only the mentor's region answers",
				     p->mentor_school_id, d->node->cfg->region);
		mentorfed__mentoring_pair__free_unpacked(p, NULL);
		return rep;
	}
	body = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "mentor_school_id", p->mentor_school_id,
			 "mentee_school_id", p->mentee_school_id, "directions",
			 dirs_json((const int *)p->directions, p->n_directions), "start_date", p->start_date,
			 "state", confirm ? "confirmed" : "declined", "proposal_id", pid);
	if (json_string_value(json_object_get(req, "note")))
		json_object_set(body, "note", json_object_get(req, "note"));
	mentorfed__mentoring_pair__free_unpacked(p, NULL);
	snprintf(key, sizeof(key), "answer|%s", pid);
	rep = put_one(d, "mentoring_pair", key, body, NULL);
	return rep;
}

json_t *
mf_query_pair_list(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "PROPOSAL", "MENTOR", "MENTEE", "DIRECTIONS", "START",
					    "STATE", NULL };
	schools sc;
	pairs pr;
	json_t *data = json_array(), *t = table("mentoring pairs", cols);

	(void)req;
	if (schools_load(d->node->store, &sc) != 0 || pairs_load(d->node->store, &pr) != 0) {
		json_decref(data);
		json_decref(t);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	for (size_t i = 0; i < pr.n; i++) {
		pair *e = &pr.v[i];
		char dt[256], stn[32], mr[16], ml[600], me[600], er[16];
		dirs_text(e->dirs, (size_t)e->n_dirs, dt, sizeof(dt));
		pair_state_name(e->state, stn, sizeof(stn));
		region_of(e->mentor, mr);
		region_of(e->mentee, er);
		snprintf(ml, sizeof(ml), "%s (%s)", school_label(&sc, e->mentor), mr);
		snprintf(me, sizeof(me), "%s (%s)", school_label(&sc, e->mentee), er);
		json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s?}", "proposal",
						      e->id, "mentor", e->mentor, "mentee", e->mentee,
						      "directions", dirs_json(e->dirs, (size_t)e->n_dirs),
						      "start", e->start, "state", stn, "answer", e->answer_id));
		json_array_append_new(json_object_get(t, "rows"),
				      json_pack("[s,s,s,s,s,s]", e->id, ml, me, dt, e->start, stn));
	}
	pairs_free(&pr);
	schools_free(&sc);
	return reply(data, json_pack("[o]", t));
}

/* ---------------------------------------------------------------- internships */

typedef struct app {
	char *id, *offer, *school;
	uint32_t participants;
	uint64_t hlc;
	/* the host's decision, if any */
	char *decision_id;
	int decision;
	uint32_t granted;
	char *reason;
} app;

typedef struct apps {
	app *v;
	size_t n, cap;
	const char *offer;	/* filter, or NULL */
} apps;

static int
app_cb(void *arg, const mf_record *r)
{
	apps *a = arg;
	Mentorfed__InternshipApplication *m = (Mentorfed__InternshipApplication *)unpack(
		r, &mentorfed__internship_application__descriptor);
	app *e;

	if (m == NULL)
		return 0;
	if (a->offer == NULL || strcmp(m->offer_id, a->offer) == 0) {
		if (a->n == a->cap) {
			size_t nc = a->cap ? a->cap * 2 : 16;
			app *nv = realloc(a->v, nc * sizeof(*nv));
			if (nv == NULL) {
				mentorfed__internship_application__free_unpacked(m, NULL);
				return -1;
			}
			a->v = nv;
			a->cap = nc;
		}
		e = &a->v[a->n++];
		memset(e, 0, sizeof(*e));
		e->id = strdup(r->id);
		e->offer = strdup(m->offer_id);
		e->school = strdup(m->applicant_school_id);
		e->participants = m->participants ? m->participants : 1;
		e->hlc = r->hlc;
	}
	mentorfed__internship_application__free_unpacked(m, NULL);
	return 0;
}

static int
decision_cb(void *arg, const mf_record *r)
{
	apps *a = arg;
	Mentorfed__InternshipDecision *m = (Mentorfed__InternshipDecision *)unpack(
		r, &mentorfed__internship_decision__descriptor);

	if (m == NULL)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		char hr[16], or[16];
		/* only the offer's (host) region decides */
		region_of(r->id, hr);
		region_of(a->v[i].offer, or);
		if (strcmp(a->v[i].id, m->application_id) == 0 && strcmp(hr, or) == 0) {
			free(a->v[i].decision_id);
			free(a->v[i].reason);
			a->v[i].decision_id = strdup(r->id);
			a->v[i].decision = m->decision;
			a->v[i].granted = m->places_granted;
			a->v[i].reason = strdup(m->reason);
		}
	}
	mentorfed__internship_decision__free_unpacked(m, NULL);
	return 0;
}

static int
app_cmp(const void *x, const void *y)
{
	const app *a = x, *b = y;

	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int
apps_load(mf_store *st, apps *a, const char *offer)
{
	memset(a, 0, sizeof(*a));
	a->offer = offer;
	if (mf_store_each(st, "internship_application", NULL, 0, app_cb, a) != 0 ||
	    mf_store_each(st, "internship_decision", NULL, 0, decision_cb, a) != 0)
		return -1;
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), app_cmp);
	return 0;
}

static void
apps_free(apps *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].id);
		free(a->v[i].offer);
		free(a->v[i].school);
		free(a->v[i].decision_id);
		free(a->v[i].reason);
	}
	free(a->v);
}

static uint32_t
places_taken(const apps *a, const char *offer)
{
	uint32_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].offer, offer) == 0 &&
		    a->v[i].decision == MENTORFED__DECISION__DECISION_ACCEPTED)
			n += a->v[i].granted;
	return n;
}

json_t *
mf_query_offer(mf_daemon *d, json_t *req)
{
	const char *host = json_string_value(json_object_get(req, "host"));
	const char *title = json_string_value(json_object_get(req, "title"));
	const char *from = json_string_value(json_object_get(req, "from"));
	const char *to = json_string_value(json_object_get(req, "to"));
	json_t *dirs = json_object_get(req, "directions"), *body;
	json_int_t places = json_integer_value(json_object_get(req, "places"));
	int mask[N_DIRS];
	char err[512], key[768];
	mf_record *h;

	if (host == NULL || title == NULL || from == NULL || to == NULL || places <= 0)
		return mf_reply_error(EX_USAGE,
				      "internship offer: --host, --title, --from/--to (or --month) and --places > 0 are required");
	if (!mine(d, host))
		return mf_reply_error(EX_DATAERR, "the host %s is not a school of %s", host,
				      d->node->cfg->region);
	if ((h = get_kind(d, host, "school")) == NULL)
		return mf_reply_error(EX_DATAERR, "no school %s", host);
	mf_record_free(h);
	if (dirs_parse(dirs, mask, err, sizeof(err)) != 0)
		return mf_reply_error(EX_USAGE, "%s", err);
	body = json_pack("{s:s, s:s, s:O, s:[{s:s, s:s}], s:I, s:b}", "host_school_id", host, "title",
			 title, "directions", dirs ? dirs : json_array(), "dates", "from", from, "to", to,
			 "places", places, "open_to_other_regions",
			 json_is_true(json_object_get(req, "open")));
	if (json_string_value(json_object_get(req, "description")))
		json_object_set(body, "description", json_object_get(req, "description"));
	snprintf(key, sizeof(key), "offer|%s|%s|%s", host, title, from);
	return put_one(d, "internship_offer", key, body, NULL);
}

json_t *
mf_query_apply(mf_daemon *d, json_t *req)
{
	const char *offer = json_string_value(json_object_get(req, "offer"));
	const char *sch = json_string_value(json_object_get(req, "school"));
	json_int_t n = json_integer_value(json_object_get(req, "participants"));
	Mentorfed__InternshipOffer *o;
	mf_record *r, *s;
	char key[512], hr[16];
	json_t *body;

	if (offer == NULL || sch == NULL)
		return mf_reply_error(EX_USAGE, "internship apply: OFFER and --school are required");
	if (n <= 0)
		n = 1;
	if (!mine(d, sch))
		return mf_reply_error(EX_DATAERR,
				      "the applicant %s is not a school of %s: a school applies through its own region's node",
				      sch, d->node->cfg->region);
	if ((s = get_kind(d, sch, "school")) == NULL)
		return mf_reply_error(EX_DATAERR, "no school %s", sch);
	mf_record_free(s);
	if ((r = get_kind(d, offer, "internship_offer")) == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s (has it synced yet?)", offer);
	o = (Mentorfed__InternshipOffer *)unpack(r, &mentorfed__internship_offer__descriptor);
	mf_record_free(r);
	region_of(offer, hr);
	if (o != NULL && !o->open_to_other_regions && strcmp(hr, d->node->cfg->region) != 0) {
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_DATAERR, "offer %s is not open to other regions", offer);
	}
	if (o)
		mentorfed__internship_offer__free_unpacked(o, NULL);
	body = json_pack("{s:s, s:s, s:I}", "offer_id", offer, "applicant_school_id", sch,
			 "participants", n);
	if (json_string_value(json_object_get(req, "note")))
		json_object_set(body, "note", json_object_get(req, "note"));
	snprintf(key, sizeof(key), "app|%s|%s", offer, sch);
	return put_one(d, "internship_application", key, body, NULL);
}

/* Write one decision; *taken is updated when accepted. */
static json_t *
write_decision(mf_daemon *d, const app *a, int accept, uint32_t granted, const char *reason)
{
	char key[256];
	json_t *body = json_pack("{s:s, s:s, s:I, s:s}", "application_id", a->id, "decision",
				 accept ? "accepted" : "declined", "places_granted",
				 (json_int_t)(accept ? granted : 0), "reason", reason);

	snprintf(key, sizeof(key), "decision|%s", a->id);
	return put_one(d, "internship_decision", key, body, NULL);
}

static Mentorfed__InternshipOffer *
my_offer(mf_daemon *d, const char *offer, json_t **err)
{
	Mentorfed__InternshipOffer *o;
	mf_record *r = get_kind(d, offer, "internship_offer");

	*err = NULL;
	if (r == NULL) {
		*err = mf_reply_error(EX_DATAERR, "no internship offer %s", offer ? offer : "(none given)");
		return NULL;
	}
	o = (Mentorfed__InternshipOffer *)unpack(r, &mentorfed__internship_offer__descriptor);
	mf_record_free(r);
	if (o == NULL || !mine(d, offer)) {
		if (o)
			mentorfed__internship_offer__free_unpacked(o, NULL);
		*err = mf_reply_error(EX_DATAERR, "offer %s is not %s's: only the host region decides",
				      offer, d->node->cfg->region);
		return NULL;
	}
	return o;
}

json_t *
mf_query_decide(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "ORDER", "APPLICATION", "SCHOOL", "PARTICIPANTS",
					    "DECISION", "GRANTED", "REASON", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	Mentorfed__InternshipOffer *o;
	json_t *e, *data, *t;
	schools sc;
	apps a;
	uint32_t taken;
	size_t order = 0;

	if ((o = my_offer(d, offer, &e)) == NULL)
		return e;
	if (apps_load(d->node->store, &a, offer) != 0 || schools_load(d->node->store, &sc) != 0) {
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	taken = places_taken(&a, offer);
	data = json_pack("{s:s, s:i, s:i, s:s, s:[]}", "offer", offer, "places", (int)o->places,
			 "taken_before", (int)taken, "order",
			 "applications are decided in order of their submission time (HLC), then id; an application is accepted while its participants fit in the places left",
			 "decisions");
	t = table("decisions", cols);
	for (size_t i = 0; i < a.n; i++) {
		app *p = &a.v[i];
		int accept;
		char reason[256], ord[16], np[16], gr[16];
		json_t *rep;

		if (p->decision_id != NULL)
			continue;
		order++;
		accept = p->participants <= o->places - (taken < o->places ? taken : o->places);
		if (accept)
			snprintf(reason, sizeof(reason), "accepted in submission order: %u of %u places taken before it",
				 taken, o->places);
		else
			snprintf(reason, sizeof(reason),
				 "places exhausted: %u of %u taken by applications submitted earlier; %u requested",
				 taken, o->places, p->participants);
		rep = write_decision(d, p, accept, p->participants, reason);
		if (!json_is_true(json_object_get(rep, "ok"))) {
			apps_free(&a);
			schools_free(&sc);
			json_decref(data);
			json_decref(t);
			mentorfed__internship_offer__free_unpacked(o, NULL);
			return rep;
		}
		json_decref(rep);
		if (accept)
			taken += p->participants;
		snprintf(ord, sizeof(ord), "%zu", order);
		snprintf(np, sizeof(np), "%u", p->participants);
		snprintf(gr, sizeof(gr), "%u", accept ? p->participants : 0);
		json_array_append_new(json_object_get(data, "decisions"),
				      json_pack("{s:i, s:s, s:s, s:i, s:s, s:i, s:s}", "order", (int)order,
						"application", p->id, "school", p->school, "participants",
						(int)p->participants, "decision", accept ? "accepted" : "declined",
						"places_granted", accept ? (int)p->participants : 0, "reason", reason));
		json_array_append_new(json_object_get(t, "rows"),
				      json_pack("[s,s,s,s,s,s,s]", ord, p->id, school_label(&sc, p->school), np,
						accept ? "accepted" : "declined", gr, reason));
	}
	json_object_set_new(data, "taken_after", json_integer(taken));
	apps_free(&a);
	schools_free(&sc);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return reply(data, json_pack("[o]", t));
}

json_t *
mf_query_decide_one(mf_daemon *d, json_t *req)
{
	const char *aid = json_string_value(json_object_get(req, "application"));
	int accept = json_is_true(json_object_get(req, "accept"));
	const char *reason = json_string_value(json_object_get(req, "reason"));
	Mentorfed__InternshipOffer *o;
	json_t *e, *rep;
	app *p = NULL;
	apps a;
	mf_record *r;
	char offer[MF_ID_MAX];

	if ((r = get_kind(d, aid, "internship_application")) == NULL)
		return mf_reply_error(EX_DATAERR, "no application %s", aid ? aid : "(none given)");
	{
		Mentorfed__InternshipApplication *m = (Mentorfed__InternshipApplication *)unpack(
			r, &mentorfed__internship_application__descriptor);
		mf_record_free(r);
		if (m == NULL)
			return mf_reply_error(EX_DATAERR, "application %s does not decode", aid);
		mf_strlcpy(offer, m->offer_id, sizeof(offer));
		mentorfed__internship_application__free_unpacked(m, NULL);
	}
	if ((o = my_offer(d, offer, &e)) == NULL)
		return e;
	if (apps_load(d->node->store, &a, offer) != 0) {
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.v[i].id, aid) == 0)
			p = &a.v[i];
	if (p != NULL && accept) {
		uint32_t taken = places_taken(&a, offer);
		if (p->decision == MENTORFED__DECISION__DECISION_ACCEPTED)
			taken -= p->granted;
		if (taken + p->participants > o->places) {
			rep = mf_reply_error(EX_DATAERR,
					     "cannot accept %s: %u participants, but only %u of %u places are left",
					     aid, p->participants, o->places - (taken < o->places ? taken : o->places),
					     o->places);
			goto out;
		}
	}
	rep = p ? write_decision(d, p, accept, p->participants,
				 reason ? reason : (accept ? "accepted by the host" : "declined by the host")) :
		  mf_reply_error(EX_DATAERR, "application %s not found", aid);
out:
	apps_free(&a);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return rep;
}

typedef struct offers_ctx {
	json_t *data, *rows;
	int dirmask[N_DIRS], any_dir;
	const char *month, *region;
	schools *sc;
	apps *a;
} offers_ctx;

static int
offer_cb(void *arg, const mf_record *r)
{
	offers_ctx *c = arg;
	Mentorfed__InternshipOffer *o =
		(Mentorfed__InternshipOffer *)unpack(r, &mentorfed__internship_offer__descriptor);
	char reg[16], dt[256], dates[128] = "", places[32];
	int ok = 1;
	uint32_t taken;

	if (o == NULL)
		return 0;
	region_of(r->id, reg);
	if (c->region && strcmp(c->region, reg) != 0)
		ok = 0;
	if (ok && c->any_dir) {
		ok = 0;
		for (size_t i = 0; i < o->n_directions; i++)
			if (o->directions[i] > 0 && o->directions[i] < N_DIRS && c->dirmask[o->directions[i]])
				ok = 1;
	}
	if (ok && c->month) {
		/* the month YYYY-MM overlaps a date interval */
		char lo[11], hi[11];
		snprintf(lo, sizeof(lo), "%.7s-01", c->month);
		snprintf(hi, sizeof(hi), "%.7s-31", c->month);
		ok = 0;
		for (size_t i = 0; i < o->n_dates; i++)
			if (strcmp(o->dates[i]->from, hi) <= 0 && strcmp(o->dates[i]->to, lo) >= 0)
				ok = 1;
	}
	if (ok) {
		dirs_text((const int *)o->directions, o->n_directions, dt, sizeof(dt));
		for (size_t i = 0; i < o->n_dates; i++)
			snprintf(dates + strlen(dates), sizeof(dates) - strlen(dates), "%s%s..%s",
				 i ? ", " : "", o->dates[i]->from, o->dates[i]->to);
		taken = places_taken(c->a, r->id);
		snprintf(places, sizeof(places), "%u of %u", o->places > taken ? o->places - taken : 0,
			 o->places);
		json_array_append_new(c->data,
				      json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:i, s:b}", "offer", r->id,
						"region", reg, "host", o->host_school_id, "title", o->title,
						"directions", dirs_json((const int *)o->directions, o->n_directions),
						"dates", dates, "places", (int)o->places, "places_left",
						(int)(o->places > taken ? o->places - taken : 0),
						"open_to_other_regions", o->open_to_other_regions));
		json_array_append_new(c->rows,
				      json_pack("[s,s,s,s,s,s,s,s]", r->id, reg,
						school_label(c->sc, o->host_school_id), o->title, dt, dates,
						places, o->open_to_other_regions ? "yes" : "no"));
	}
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return 0;
}

json_t *
mf_query_offers(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "OFFER", "REGION", "HOST", "TITLE", "DIRECTIONS", "DATES",
					    "PLACES LEFT", "OPEN", NULL };
	offers_ctx c;
	schools sc;
	apps a;
	json_t *t;
	char err[512];

	memset(&c, 0, sizeof(c));
	if (json_is_array(json_object_get(req, "directions")) &&
	    json_array_size(json_object_get(req, "directions")) > 0) {
		if (dirs_parse(json_object_get(req, "directions"), c.dirmask, err, sizeof(err)) != 0)
			return mf_reply_error(EX_USAGE, "%s", err);
		c.any_dir = 1;
	}
	c.month = json_string_value(json_object_get(req, "month"));
	c.region = json_string_value(json_object_get(req, "region"));
	if (c.month && (strlen(c.month) != 7 || c.month[4] != '-'))
		return mf_reply_error(EX_USAGE, "--month: expected YYYY-MM, got '%s'", c.month);
	if (schools_load(d->node->store, &sc) != 0 || apps_load(d->node->store, &a, NULL) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	t = table("internship offers", cols);
	c.data = json_array();
	c.rows = json_object_get(t, "rows");
	c.sc = &sc;
	c.a = &a;
	mf_store_each(d->node->store, "internship_offer", NULL, 0, offer_cb, &c);
	apps_free(&a);
	schools_free(&sc);
	return reply(c.data, json_pack("[o]", t));
}

json_t *
mf_query_offer_show(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "APPLICATION", "REGION", "SCHOOL", "PARTICIPANTS",
					    "DECISION", "GRANTED", "REASON", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	mf_record *r = get_kind(d, offer, "internship_offer");
	json_t *data, *t, *body;
	schools sc;
	apps a;
	char buf[32];

	if (r == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s", offer ? offer : "(none given)");
	body = mf_record_json(r);
	mf_record_free(r);
	if (schools_load(d->node->store, &sc) != 0 || apps_load(d->node->store, &a, offer) != 0) {
		json_decref(body);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	data = json_pack("{s:o, s:i, s:[]}", "offer", body, "places_taken",
			 (int)places_taken(&a, offer), "applications");
	t = table("applications", cols);
	for (size_t i = 0; i < a.n; i++) {
		app *p = &a.v[i];
		char reg[16], np[16];
		const char *dec = p->decision_id == NULL ? "pending" :
				  p->decision == MENTORFED__DECISION__DECISION_ACCEPTED ? "accepted" : "declined";
		region_of(p->id, reg);
		snprintf(np, sizeof(np), "%u", p->participants);
		snprintf(buf, sizeof(buf), "%u", p->granted);
		json_array_append_new(json_object_get(data, "applications"),
				      json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:s}", "application", p->id,
						"region", reg, "school", p->school, "participants",
						(int)p->participants, "decision", dec, "places_granted",
						(int)p->granted, "reason", p->reason ? p->reason : ""));
		json_array_append_new(json_object_get(t, "rows"),
				      json_pack("[s,s,s,s,s,s,s]", p->id, reg, school_label(&sc, p->school), np,
						dec, buf, p->reason ? p->reason : ""));
	}
	apps_free(&a);
	schools_free(&sc);
	return reply(data, json_pack("[o]", t));
}

/* ---------------------------------------------------------------- overview */

static int64_t
count_kind(mf_store *st, const char *region, const char *kind)
{
	char where[256];

	snprintf(where, sizeof(where), "origin = '%s' AND kind = '%s' AND deleted = 0", region, kind);
	return mf_store_count(st, where);
}

typedef struct forms_ctx {
	json_t *by_region;	/* region -> {form: n} */
} forms_ctx;

static int
practice_cb(void *arg, const mf_record *r)
{
	forms_ctx *c = arg;
	Mentorfed__MentoringPractice *m = (Mentorfed__MentoringPractice *)unpack(
		r, &mentorfed__mentoring_practice__descriptor);
	char reg[16], fn[64];
	json_t *o;

	if (m == NULL)
		return 0;
	region_of(r->id, reg);
	if ((o = json_object_get(c->by_region, reg)) == NULL) {
		o = json_object();
		json_object_set_new(c->by_region, reg, o);
	}
	if (mf_enum_ident(&mentorfed__mentoring_form__descriptor, m->form, fn, sizeof(fn)) == NULL)
		snprintf(fn, sizeof(fn), "%d", m->form);
	json_object_set_new(o, fn, json_integer(json_integer_value(json_object_get(o, fn)) + 1));
	mentorfed__mentoring_practice__free_unpacked(m, NULL);
	return 0;
}

static int
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	(void)seq;
	json_array_append_new(arg, json_string(origin));
	return 0;
}

json_t *
mf_query_overview(mf_daemon *d, json_t *req)
{
	static const char *const cols[] = { "REGION", "SCHOOLS", "LEAGUE", "CARDS", "PRACTICES BY FORM",
					    "PAIRS", "OFFERS", "APPLICATIONS", "LAST ARRIVED (UTC)", NULL };
	mf_store *st = d->node->store;
	json_t *origins = json_array(), *data = json_array(), *t = table("federation overview", cols);
	forms_ctx fc;
	schools sc;
	size_t i;
	json_t *o;

	(void)req;
	fc.by_region = json_object();
	mf_store_vv_each(st, origin_cb, origins);
	if (schools_load(st, &sc) != 0) {
		json_decref(origins);
		json_decref(data);
		json_decref(t);
		json_decref(fc.by_region);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	mf_store_each(st, "mentoring_practice", NULL, 0, practice_cb, &fc);
	json_array_foreach(origins, i, o) {
		const char *reg = json_string_value(o);
		int64_t league = 0;
		char key[48], when[32] = "-", forms[256] = "", n[9][24];
		const char *k;
		json_t *v;
		int64_t arrived;

		for (size_t s = 0; s < sc.n; s++)
			if (strcmp(sc.v[s].region, reg) == 0 && sc.v[s].league)
				league++;
		snprintf(key, sizeof(key), "arrived:%s", reg);
		arrived = mf_store_meta_get_i64(st, key, 0);
		if (arrived > 0) {
			time_t tt = (time_t)(arrived / 1000);
			struct tm tm;
			gmtime_r(&tt, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		}
		json_object_foreach(json_object_get(fc.by_region, reg), k, v)
			snprintf(forms + strlen(forms), sizeof(forms) - strlen(forms), "%s%s %lld",
				 forms[0] ? ", " : "", k, (long long)json_integer_value(v));
		{
			int64_t schools_n = count_kind(st, reg, "school");
			int64_t cards = count_kind(st, reg, "competency_card");
			int64_t pairs_n = count_kind(st, reg, "mentoring_pair");
			int64_t offers = count_kind(st, reg, "internship_offer");
			int64_t apps_n = count_kind(st, reg, "internship_application");
			json_t *pf = json_object_get(fc.by_region, reg);

			json_array_append_new(data, json_pack("{s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:s}",
							      "region", reg, "schools", (json_int_t)schools_n,
							      "league_members", (json_int_t)league, "cards",
							      (json_int_t)cards, "practices_by_form",
							      pf ? json_incref(pf) : json_object(), "pairs", (json_int_t)pairs_n,
							      "offers", (json_int_t)offers, "applications",
							      (json_int_t)apps_n, "last_arrived", when));
			snprintf(n[0], sizeof(n[0]), "%lld", (long long)schools_n);
			snprintf(n[1], sizeof(n[1]), "%lld", (long long)league);
			snprintf(n[2], sizeof(n[2]), "%lld", (long long)cards);
			snprintf(n[3], sizeof(n[3]), "%lld", (long long)pairs_n);
			snprintf(n[4], sizeof(n[4]), "%lld", (long long)offers);
			snprintf(n[5], sizeof(n[5]), "%lld", (long long)apps_n);
			json_array_append_new(json_object_get(t, "rows"),
					      json_pack("[s,s,s,s,s,s,s,s,s]", reg, n[0], n[1], n[2],
							forms[0] ? forms : "-", n[3], n[4], n[5], when));
		}
	}
	json_decref(origins);
	json_decref(fc.by_region);
	schools_free(&sc);
	return reply(data, json_pack("[o]", t));
}
