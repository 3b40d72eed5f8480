/*
 * pairs.c — mentoring pairs: propose, answer, list.
 *
 * A proposal is the mentee's region's record, the answer the mentor's
 * region's: this node only writes records of its own region, so "is this
 * my school" is a check of the id's region prefix.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "exchange.h"
#include "exchange_int.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- loading */

static void
add_answer(mf_ex_pairs *p, const mf_record *r, const Mentorfed__MentoringPair *m)
{
	if (p->na == p->capa) {
		p->capa = p->capa ? p->capa * 2 : 16;
		p->a = mf_xrealloc(p->a, p->capa * sizeof(*p->a));
	}
	p->a[p->na].proposal = mf_xstrdup(m->proposal_id);
	p->a[p->na].id = mf_xstrdup(r->id);
	p->a[p->na].state = m->state;
	p->a[p->na].reason = mf_xstrdup(m->end_reason && *m->end_reason ? m->end_reason : m->note);
	p->a[p->na].hlc = r->hlc;
	p->na++;
}

static void
add_proposal(mf_ex_pairs *p, const mf_record *r, const Mentorfed__MentoringPair *m)
{
	mf_ex_pair *e;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = mf_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->id = mf_xstrdup(r->id);
	e->mentor = mf_xstrdup(m->mentor_school_id);
	e->mentee = mf_xstrdup(m->mentee_school_id);
	e->start = mf_xstrdup(m->start_date);
	for (size_t i = 0; i < m->n_directions && e->n_dirs < MF_EX_NDIRS; i++)
		e->dirs[e->n_dirs++] = m->directions[i];
	e->state = m->state ? m->state : MENTORFED__PAIR_STATE__PAIR_STATE_PROPOSED;
}

static int
pair_cb(void *arg, const mf_record *r)
{
	Mentorfed__MentoringPair *m =
		(Mentorfed__MentoringPair *)mf_ex_unpack(r, &mentorfed__mentoring_pair__descriptor);

	if (m == NULL)
		return 0;
	if (m->proposal_id != NULL && *m->proposal_id)
		add_answer(arg, r, m);
	else
		add_proposal(arg, r, m);
	mentorfed__mentoring_pair__free_unpacked(m, NULL);
	return 0;
}

int
mf_ex_pairs_load(mf_store *st, mf_ex_pairs *p)
{
	memset(p, 0, sizeof(*p));
	if (mf_store_each_kind(st, "mentoring_pair", pair_cb, p) != 0) {
		mf_ex_pairs_free(p);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		uint64_t best = 0;
		char reg[MF_REGION_MAX], mreg[MF_REGION_MAX];

		mf_ex_region_of(p->v[i].mentor, mreg);
		for (size_t k = 0; k < p->na; k++) {
			/* only the mentor's region may answer */
			mf_ex_region_of(p->a[k].id, reg);
			if (strcmp(p->a[k].proposal, p->v[i].id) == 0 && strcmp(reg, mreg) == 0 &&
			    p->a[k].hlc >= best) {
				best = p->a[k].hlc;
				p->v[i].state = p->a[k].state;
				free(p->v[i].answer_id);
				p->v[i].answer_id = mf_xstrdup(p->a[k].id);
				free(p->v[i].reason);
				p->v[i].reason = mf_xstrdup(p->a[k].reason);
			}
		}
	}
	return 0;
}

void
mf_ex_pairs_free(mf_ex_pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].id);
		free(p->v[i].mentor);
		free(p->v[i].mentee);
		free(p->v[i].start);
		free(p->v[i].answer_id);
		free(p->v[i].reason);
	}
	for (size_t i = 0; i < p->na; i++) {
		free(p->a[i].proposal);
		free(p->a[i].reason);
		free(p->a[i].id);
	}
	free(p->v);
	free(p->a);
	memset(p, 0, sizeof(*p));
}

int
mf_ex_pair_active(const mf_ex_pair *e)
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

/* ---------------------------------------------------------------- commands */

/* The key of a proposal of mentor, mentee and start.  Proposing again
 * after the pair was declined or ended makes a new proposal (a new
 * record: "pair|M|E|S|2", …), as doc/LIFECYCLES.md says; while it is
 * proposed or confirmed the same key is used, so that a repeat is
 * unchanged and a different proposal is refused by the records layer. */
static int
proposal_key(mf_node *node, const char *mentor, const char *mentee, const char *start,
	     char *key, size_t len)
{
	char id[MF_ID_MAX];
	mf_ex_pairs pr;
	int n = 1, final;

	if (mf_ex_pairs_load(node->store, &pr) != 0)
		return -1;
	do {
		if (n == 1)
			snprintf(key, len, "pair|%s|%s|%s", mentor, mentee, start);
		else
			snprintf(key, len, "pair|%s|%s|%s|%d", mentor, mentee, start, n);
		mf_make_id(node->cfg->region, "mentoring_pair", key, id);
		final = 0;
		for (size_t i = 0; i < pr.n; i++)
			if (strcmp(pr.v[i].id, id) == 0)
				final = pr.v[i].state == MENTORFED__PAIR_STATE__PAIR_STATE_DECLINED ||
					pr.v[i].state == MENTORFED__PAIR_STATE__PAIR_STATE_ENDED;
		n++;
	} while (final && n < 1000);
	mf_ex_pairs_free(&pr);
	return 0;
}

json_t *
mf_exchange_pair_propose(mf_node *node, json_t *req)
{
	const char *mentor = json_string_value(json_object_get(req, "mentor"));
	const char *mentee = json_string_value(json_object_get(req, "mentee"));
	const char *start = json_string_value(json_object_get(req, "start"));
	json_t *dirs = json_object_get(req, "directions"), *body;
	int mask[MF_EX_NDIRS];
	char err[512], key[512];
	mf_record *a, *b;

	if (mentor == NULL || mentee == NULL || start == NULL)
		return mf_reply_error(EX_USAGE, "pair propose: --mentor, --mentee and --start are required");
	if (!mf_ex_mine(node, mentee))
		return mf_reply_error(EX_DATAERR,
				      "the mentee %s is not a school of %s: a pair is proposed by the mentee's region",
				      mentee, node->cfg->region);
	if (mf_ex_dirs_parse(dirs, mask, err, sizeof(err)) != 0 || json_array_size(dirs) == 0)
		return mf_reply_error(EX_USAGE, "pair propose: %s",
				      json_array_size(dirs) ? err : "at least one --direction is required");
	a = mf_ex_get_kind(node->store, mentor, "school");
	b = mf_ex_get_kind(node->store, mentee, "school");
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
	if (proposal_key(node, mentor, mentee, start, key, sizeof(key)) != 0) {
		json_decref(body);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	return mf_ex_put_one(node, "mentoring_pair", key, body);
}

json_t *
mf_exchange_pair_answer(mf_node *node, json_t *req)
{
	const char *pid = json_string_value(json_object_get(req, "proposal"));
	const char *action = json_string_value(json_object_get(req, "action"));
	const char *reason = json_string_value(json_object_get(req, "reason"));
	const char *note = json_string_value(json_object_get(req, "note"));
	const char *state;
	Mentorfed__MentoringPair *p;
	mf_record *r;
	json_t *body, *rep;
	char key[256];

	/* "confirm": true|false is what older clients send */
	if (action == NULL)
		action = json_is_true(json_object_get(req, "confirm")) ? "confirm" : "decline";
	if (strcmp(action, "confirm") == 0)
		state = "confirmed";
	else if (strcmp(action, "decline") == 0)
		state = "declined";
	else if (strcmp(action, "end") == 0)
		state = "ended";
	else
		return mf_reply_error(EX_USAGE, "pair: '%s' is not an answer (confirm, decline, end)", action);
	if (state[0] == 'e' && (reason == NULL || *reason == '\0'))
		return mf_reply_error(EX_USAGE, "pair end: --reason is required (why the pair ended)");
	if ((r = mf_ex_get_kind(node->store, pid, "mentoring_pair")) == NULL)
		return mf_reply_error(EX_DATAERR, "no pair proposal %s", pid ? pid : "(none given)");
	p = (Mentorfed__MentoringPair *)mf_ex_unpack(r, &mentorfed__mentoring_pair__descriptor);
	mf_record_free(r);
	if (p == NULL || (p->proposal_id && *p->proposal_id)) {
		if (p)
			mentorfed__mentoring_pair__free_unpacked(p, NULL);
		return mf_reply_error(EX_DATAERR, "%s is an answer, not a proposal", pid);
	}
	if (!mf_ex_mine(node, p->mentor_school_id)) {
		char mr[MF_REGION_MAX];
		mf_ex_region_of(p->mentor_school_id, mr);
		rep = mf_reply_error(EX_DATAERR,
				     "the mentor %s is not a school of %s: only %s (the mentor's region) may %s the pair %s",
				     p->mentor_school_id, node->cfg->region, mr, action, pid);
		mentorfed__mentoring_pair__free_unpacked(p, NULL);
		return rep;
	}
	body = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "mentor_school_id", p->mentor_school_id,
			 "mentee_school_id", p->mentee_school_id, "directions",
			 mf_ex_dirs_json((const int *)p->directions, p->n_directions), "start_date",
			 p->start_date, "state", state, "proposal_id", pid);
	if (state[0] == 'e')
		json_object_set_new(body, "end_reason", json_string(reason));
	if (note != NULL || (reason != NULL && state[0] != 'e'))
		json_object_set_new(body, "note", json_string(note ? note : reason));
	mentorfed__mentoring_pair__free_unpacked(p, NULL);
	snprintf(key, sizeof(key), "answer|%s", pid);
	return mf_ex_put_one(node, "mentoring_pair", key, body);
}

json_t *
mf_exchange_pair_list(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "PROPOSAL", "MENTOR", "MENTEE", "DIRECTIONS", "START",
					    "STATE", "REASON", NULL };
	mf_ex_schools sc;
	mf_ex_pairs pr;
	json_t *data, *t;

	(void)req;
	if (mf_ex_schools_load(node->store, &sc) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	if (mf_ex_pairs_load(node->store, &pr) != 0) {
		mf_ex_schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	data = json_array();
	t = mf_ex_table("mentoring pairs", cols);
	for (size_t i = 0; i < pr.n; i++) {
		mf_ex_pair *e = &pr.v[i];
		char dt[256], stn[32], mr[MF_REGION_MAX], er[MF_REGION_MAX], ml[600], me[600];

		mf_ex_dirs_text(e->dirs, (size_t)e->n_dirs, dt, sizeof(dt));
		pair_state_name(e->state, stn, sizeof(stn));
		mf_ex_region_of(e->mentor, mr);
		mf_ex_region_of(e->mentee, er);
		snprintf(ml, sizeof(ml), "%s (%s)", mf_ex_school_label(&sc, e->mentor), mr);
		snprintf(me, sizeof(me), "%s (%s)", mf_ex_school_label(&sc, e->mentee), er);
		json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s?, s:s}", "proposal",
						      e->id, "mentor", e->mentor, "mentee", e->mentee,
						      "directions", mf_ex_dirs_json(e->dirs, (size_t)e->n_dirs),
						      "start", e->start, "state", stn, "answer", e->answer_id,
						      "reason", e->reason ? e->reason : ""));
		json_array_append_new(json_object_get(t, "rows"),
				      json_pack("[s,s,s,s,s,s,s]", e->id, ml, me, dt, e->start, stn,
						e->reason ? e->reason : ""));
	}
	mf_ex_pairs_free(&pr);
	mf_ex_schools_free(&sc);
	return mf_ex_reply(data, json_pack("[o]", t));
}
