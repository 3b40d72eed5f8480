/*
 * lifecycle.c — the lifecycle tables of mentoring pairs, internship
 * applications and internship offers, and their check in the records
 * layer (lifecycle.h, doc/LIFECYCLES.md).
 *
 * A record of one of these kinds is a step of a state machine whose state
 * lives in several regions' records: a pair's proposal is the mentee's
 * region's, its answer the mentor's; an application is the applicant's
 * region's, its decision the host's.  So the check computes the current
 * state from what this node holds (plus the records earlier in the same
 * batch), finds the transition the new record makes in the kind's table,
 * and refuses it when the table has no such transition or when another
 * region must make it.  Every region enforces the same table on its own
 * writes; a peer's records are verified by its signature only, as before.
 *
 * Across a partition, both sides act on what they hold.  The tables keep
 * each record with one writer (the proposal and the application with
 * their own region, the answer and the decision with the deciding one),
 * so nothing is overwritten by another region; the one concurrent case,
 * a withdrawal crossing an acceptance, ends withdrawn (the withdrawal
 * frees the places), as doc/LIFECYCLES.md says.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "kinds.h"
#include "lifecycle.h"
#include "proto/records.pb-c.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- tables */

/* Who may make a transition: a region named by its role. */
enum actor { ACT_MENTEE, ACT_MENTOR, ACT_HOST, ACT_APPLICANT, ACT_N };

static const char *const actor_desc[ACT_N] = {
	"the mentee's region", "the mentor's region", "the host's region", "the applicant's region"
};

typedef struct transition {
	int from, to;		/* states; 0: no record yet */
	enum actor who;
	const char *verb;	/* what `who` does, as a verb: "end" */
	const char *records;	/* what the transition records (doc/LIFECYCLES.md) */
} transition;

typedef struct lc_table {
	const char *what;		/* "pair" */
	const char *const *states;	/* state names by value */
	const transition *t;
	size_t n;
} lc_table;

#define P_PROPOSED MENTORFED__PAIR_STATE__PAIR_STATE_PROPOSED
#define P_CONFIRMED MENTORFED__PAIR_STATE__PAIR_STATE_CONFIRMED
#define P_DECLINED MENTORFED__PAIR_STATE__PAIR_STATE_DECLINED
#define P_ENDED MENTORFED__PAIR_STATE__PAIR_STATE_ENDED

static const char *const pair_states[] = { "new", "proposed", "confirmed", "declined", "ended" };
/* a state value of a record, which may be anything */
#define PAIR_STATE_NAME(s) ((s) >= 0 && (s) <= P_ENDED ? pair_states[(s)] : "unknown")

static const transition pair_t[] = {
	{ 0, P_PROPOSED, ACT_MENTEE, "propose",
	  "the proposal: a mentoring_pair record of the mentee's region, state proposed" },
	{ P_PROPOSED, P_CONFIRMED, ACT_MENTOR, "confirm",
	  "the answer: a mentoring_pair record of the mentor's region naming the proposal, state confirmed" },
	{ P_PROPOSED, P_DECLINED, ACT_MENTOR, "decline",
	  "the answer, state declined, note: why" },
	{ P_CONFIRMED, P_ENDED, ACT_MENTOR, "end",
	  "a new version of the answer: state ended, end_reason (required)" },
};

static const char *const app_states[] = { "new", "submitted", "accepted", "declined", "waitlisted",
					  "withdrawn" };

static const transition app_t[] = {
	{ 0, MF_APP_SUBMITTED, ACT_APPLICANT, "apply",
	  "the application: an internship_application record of the applicant's region; refused when its participants exceed the offer's free places" },
	{ MF_APP_SUBMITTED, MF_APP_ACCEPTED, ACT_HOST, "accept",
	  "the decision: an internship_decision record of the host's region, accepted, places_granted = participants, only while they fit" },
	{ MF_APP_SUBMITTED, MF_APP_DECLINED, ACT_HOST, "decline",
	  "the decision, declined, reason in words that match the numbers" },
	{ MF_APP_SUBMITTED, MF_APP_WAITLISTED, ACT_HOST, "waitlist",
	  "the decision, waitlisted: on the waiting list in submission order" },
	{ MF_APP_SUBMITTED, MF_APP_WITHDRAWN, ACT_APPLICANT, "withdraw",
	  "a new version of the application: withdrawn, withdraw_reason" },
	{ MF_APP_WAITLISTED, MF_APP_ACCEPTED, ACT_HOST, "accept",
	  "a new version of the decision: accepted, when a place has freed" },
	{ MF_APP_WAITLISTED, MF_APP_DECLINED, ACT_HOST, "decline",
	  "a new version of the decision: declined" },
	{ MF_APP_WAITLISTED, MF_APP_WITHDRAWN, ACT_APPLICANT, "withdraw",
	  "a new version of the application: withdrawn" },
	{ MF_APP_ACCEPTED, MF_APP_WITHDRAWN, ACT_APPLICANT, "withdraw",
	  "a new version of the application: withdrawn; its places are free again" },
};

static const char *const offer_states[] = { "new", "open", "closed", "cancelled" };

static const transition offer_t[] = {
	{ 0, MF_OFFER_OPEN, ACT_HOST, "publish",
	  "the offer: an internship_offer record of the host's region, state open" },
	{ MF_OFFER_OPEN, MF_OFFER_OPEN, ACT_HOST, "amend",
	  "a new version of the offer; its places never below those taken" },
	{ MF_OFFER_OPEN, MF_OFFER_CLOSED, ACT_HOST, "close",
	  "a new version of the offer: state closed, state_reason; no more applications" },
	{ MF_OFFER_OPEN, MF_OFFER_CANCELLED, ACT_HOST, "cancel",
	  "a new version of the offer: state cancelled, state_reason; nobody is accepted any more" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
static const lc_table pair_table = { "pair", pair_states, pair_t, NELEM(pair_t) };
static const lc_table app_table = { "application", app_states, app_t, NELEM(app_t) };
static const lc_table offer_table = { "offer", offer_states, offer_t, NELEM(offer_t) };

const char *
mf_app_state_name(int s)
{
	return s >= 0 && (size_t)s < NELEM(app_states) ? app_states[s] : "?";
}

const char *
mf_offer_state_name(int s)
{
	return s >= 0 && (size_t)s < NELEM(offer_states) ? offer_states[s] : "?";
}

int
mf_offer_state_of(int pb)
{
	switch (pb) {
	case MENTORFED__OFFER_STATE__OFFER_STATE_CLOSED:
		return MF_OFFER_CLOSED;
	case MENTORFED__OFFER_STATE__OFFER_STATE_CANCELLED:
		return MF_OFFER_CANCELLED;
	default:
		return MF_OFFER_OPEN;
	}
}

/* ---------------------------------------------------------------- names */

static void
region_of(const char *id, char out[MF_REGION_MAX])
{
	size_t n = id ? strcspn(id, ":") : 0;

	if (n >= MF_REGION_MAX)
		n = 0;
	if (n)
		memcpy(out, id, n);
	out[n] = '\0';
}

static void
plural(char *buf, size_t len, uint64_t n, const char *what)
{
	snprintf(buf, len, "%" PRIu64 " %s%s", n, what, n == 1 ? "" : "s");
}

void
mf_lc_no_room(char *buf, size_t len, uint64_t places, uint64_t taken, uint64_t want)
{
	char p[48], t[48];

	plural(p, sizeof(p), places, "place");
	snprintf(t, sizeof(t), "%" PRIu64 " taken by accepted applications", taken);
	if (taken >= places)
		snprintf(buf, len, "%s, %s: none left; %" PRIu64 " requested", p, t, want);
	else
		snprintf(buf, len, "%s, %s, %" PRIu64 " left: %" PRIu64 " requested do not fit", p, t,
			 places - taken, want);
}

/* ---------------------------------------------------------------- the batch */

/* The applications of one offer, built once per batch and kept up to
 * date with the batch's records (apps_for). */
typedef struct apps_cache {
	char *offer;	/* NULL: empty */
	size_t nlc;	/* the batch's lifecycle records when it was built */
	mf_lc_apps a;
} apps_cache;

/* Answers to pair proposals (mentoring_pair records with proposal_id),
 * read once per batch and kept up to date with the batch's records. */
typedef struct pair_answer {
	char *id, *proposal;
	char region[MF_REGION_MAX];
	int state;
	uint64_t hlc;
} pair_answer;

typedef struct pair_answers {
	pair_answer *v;
	size_t n, cap;
	int loaded;
	size_t nlc;
} pair_answers;

/* One check of a batch: the store, the writing region and the records of
 * the batch that passed before the one checked (lc: indexes into puts of
 * lifecycle kinds only, so a put of 100k schools costs nothing here; an
 * equal version is not among them, since it changes nothing). */
typedef struct check {
	mf_store *st;
	const char *region;
	const mf_put *puts;
	size_t *lc, nlc;
	size_t i;		/* the record checked */
	size_t *slot, nslot;	/* id -> latest position in lc (open addressing) */
	apps_cache *cache;
	pair_answers *ans;
} check;

/* ---- the batch's records by id: a batch of n records costs O(n), not
 * O(n^2), to look up */

static size_t
id_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The latest position in lc of id, or SIZE_MAX. */
static size_t
ov_find(const check *c, const char *id)
{
	if (c->nslot == 0)
		return SIZE_MAX;
	for (size_t h = id_hash(id) & (c->nslot - 1);; h = (h + 1) & (c->nslot - 1)) {
		if (c->slot[h] == SIZE_MAX)
			return SIZE_MAX;
		if (strcmp(c->puts[c->lc[c->slot[h]]].id, id) == 0)
			return c->slot[h];
	}
}

/* Put lc position pos into the table (replacing an older one of its id). */
static void
ov_insert(const check *c, size_t *slot, size_t nslot, size_t pos)
{
	const char *id = c->puts[c->lc[pos]].id;
	size_t h;

	for (h = id_hash(id) & (nslot - 1); slot[h] != SIZE_MAX; h = (h + 1) & (nslot - 1))
		if (strcmp(c->puts[c->lc[slot[h]]].id, id) == 0)
			break;
	slot[h] = pos;
}

/* Append puts[i] to the batch's records that passed. */
static void
ov_add(check *c, size_t i)
{
	c->lc[c->nlc] = i;
	if (2 * (c->nlc + 1) >= c->nslot) {	/* keep it at most half full */
		size_t *old = c->slot, n = c->nslot;
		c->nslot = n ? 2 * n : 16;
		c->slot = mf_xmalloc(c->nslot * sizeof(*c->slot));
		for (size_t k = 0; k < c->nslot; k++)
			c->slot[k] = SIZE_MAX;
		for (size_t k = 0; k < n; k++)
			if (old[k] != SIZE_MAX)
				ov_insert(c, c->slot, c->nslot, old[k]);
		free(old);
	}
	ov_insert(c, c->slot, c->nslot, c->nlc++);
}

static mf_record *
from_put(const mf_put *p)
{
	mf_record *r = mf_xcalloc(1, sizeof(*r));
	char reg[MF_REGION_MAX];

	region_of(p->id, reg);
	r->id = mf_xstrdup(p->id);
	r->kind = mf_xstrdup(p->kind);
	r->origin = mf_xstrdup(reg);
	r->hlc = UINT64_MAX;	/* sealed after everything held */
	r->deleted = p->deleted;
	if (p->body_len) {
		r->body = mf_xmalloc(p->body_len);
		memcpy(r->body, p->body, p->body_len);
	}
	r->body_len = p->body_len;
	return r;
}

/* The current live record id of `kind`: the batch's latest, else the
 * store's; NULL when neither holds one. */
static mf_record *
get_kind(const check *c, const char *id, const char *kind)
{
	mf_record *r = NULL;

	if (id == NULL || *id == '\0')
		return NULL;
	size_t k = ov_find(c, id);

	if (k != SIZE_MAX)
		r = from_put(&c->puts[c->lc[k]]);
	else
		r = mf_store_get(c->st, id);
	if (r != NULL && (r->deleted || strcmp(r->kind, kind) != 0)) {
		mf_record_free(r);
		return NULL;
	}
	return r;
}

static ProtobufCMessage *
unpack(const mf_record *r, const ProtobufCMessageDescriptor *d)
{
	if (r == NULL || r->deleted)
		return NULL;
	return protobuf_c_message_unpack(d, NULL, r->body_len, r->body);
}

/* Every live record of kind: the store's (minus those the batch
 * rewrites), then the batch's latest versions. */
typedef struct each_ctx {
	const check *c;
	int (*fn)(void *, const mf_record *);
	void *arg;
} each_ctx;

/* 1 when the batch has a version of id at position `after` or later. */
static int
in_batch(const check *c, const char *id, size_t after)
{
	size_t k = ov_find(c, id);

	return k != SIZE_MAX && k >= after;
}

static int
each_store_cb(void *arg, const mf_record *r)
{
	each_ctx *e = arg;

	if (e->c && in_batch(e->c, r->id, 0))
		return 0;
	return e->fn(e->arg, r);
}

static int
each(mf_store *st, const check *c, const char *kind, int (*fn)(void *, const mf_record *),
     void *arg)
{
	each_ctx e = { c, fn, arg };

	if (mf_store_each(st, kind, NULL, 0, each_store_cb, &e) != 0)
		return -1;
	for (size_t k = 0; c && k < c->nlc; k++) {
		const mf_put *p = &c->puts[c->lc[k]];
		mf_record *r;
		if (strcmp(p->kind, kind) != 0 || p->deleted || in_batch(c, p->id, k + 1))
			continue;
		r = from_put(p);
		fn(arg, r);
		mf_record_free(r);
	}
	return 0;
}

/* ---------------------------------------------------------------- applications */

typedef struct apps_ctx {
	mf_lc_apps *a;
	const char *offer;
	int upsert;	/* a record may be a new version of one held: find it */
} apps_ctx;

static int app_state(const mf_lc_app *e);

static int
app_cb(void *arg, const mf_record *r)
{
	apps_ctx *x = arg;
	mf_lc_apps *a = x->a;
	Mentorfed__InternshipApplication *m = (Mentorfed__InternshipApplication *)unpack(
		r, &mentorfed__internship_application__descriptor);
	mf_lc_app *e;

	if (m == NULL)
		return 0;
	if (x->offer == NULL || strcmp(m->offer_id, x->offer) == 0) {
		e = NULL;
		for (size_t i = 0; x->upsert && i < a->n && e == NULL; i++)
			if (strcmp(a->v[i].id, r->id) == 0)
				e = &a->v[i];
		if (e != NULL) {	/* a new version of one held */
			free(e->id);
			free(e->offer);
			free(e->school);
			free(e->note);
			free(e->reason);
			e->reason = NULL;
		} else {
			if (a->n == a->cap) {
				a->cap = a->cap ? a->cap * 2 : 16;
				a->v = mf_xrealloc(a->v, a->cap * sizeof(*a->v));
			}
			e = &a->v[a->n++];
			memset(e, 0, sizeof(*e));
		}
		e->id = mf_xstrdup(r->id);
		e->offer = mf_xstrdup(m->offer_id);
		e->school = mf_xstrdup(m->applicant_school_id);
		e->note = mf_xstrdup(m->note);
		e->participants = m->participants ? m->participants : 1;
		e->hlc = r->hlc;
		e->withdrawn = m->withdrawn;
		if (m->withdrawn)
			e->reason = mf_xstrdup(m->withdraw_reason);
		e->state = app_state(e);
	}
	mentorfed__internship_application__free_unpacked(m, NULL);
	return 0;
}

static int
id_cmp(const void *x, const void *y)
{
	return strcmp(((const mf_lc_app *)x)->id, ((const mf_lc_app *)y)->id);
}

static int
order_cmp(const void *x, const void *y)
{
	const mf_lc_app *a = x, *b = y;

	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* The host's decision: only the offer's region decides, and of its
 * decisions on one application the latest counts. */
static int
decision_cb(void *arg, const mf_record *r)
{
	apps_ctx *x = arg;
	Mentorfed__InternshipDecision *m = (Mentorfed__InternshipDecision *)unpack(
		r, &mentorfed__internship_decision__descriptor);
	char dr[MF_REGION_MAX], hr[MF_REGION_MAX];
	mf_lc_app key, *e;

	if (m == NULL)
		return 0;
	key.id = m->application_id;
	e = NULL;
	if (x->upsert) {	/* not sorted by id any more */
		for (size_t i = 0; i < x->a->n && e == NULL; i++)
			if (strcmp(x->a->v[i].id, key.id) == 0)
				e = &x->a->v[i];
	} else if (x->a->n) {
		e = bsearch(&key, x->a->v, x->a->n, sizeof(key), id_cmp);
	}
	region_of(r->id, dr);
	if (e != NULL)
		region_of(e->offer, hr);
	if (e != NULL && strcmp(dr, hr) == 0 && m->decision != 0 &&
	    (e->decision_id == NULL || r->hlc >= e->hlc_decision)) {
		free(e->decision_id);
		e->decision_id = mf_xstrdup(r->id);
		e->decision = m->decision;
		e->granted = m->places_granted;
		e->hlc_decision = r->hlc;
		if (!e->withdrawn) {
			free(e->reason);
			e->reason = mf_xstrdup(m->reason);
		}
		e->state = app_state(e);
	}
	mentorfed__internship_decision__free_unpacked(m, NULL);
	return 0;
}

static int
app_state(const mf_lc_app *e)
{
	if (e->withdrawn)
		return MF_APP_WITHDRAWN;
	if (e->decision_id == NULL)
		return MF_APP_SUBMITTED;
	switch (e->decision) {
	case MENTORFED__DECISION__DECISION_ACCEPTED:
		return MF_APP_ACCEPTED;
	case MENTORFED__DECISION__DECISION_DECLINED:
		return MF_APP_DECLINED;
	case MENTORFED__DECISION__DECISION_WAITLISTED:
		return MF_APP_WAITLISTED;
	default:
		return MF_APP_SUBMITTED;
	}
}

static int
apps_build(mf_store *st, const check *c, const char *offer, mf_lc_apps *a)
{
	apps_ctx x = { a, offer, 0 };

	memset(a, 0, sizeof(*a));
	if (each(st, c, "internship_application", app_cb, &x) != 0)
		goto fail;
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), id_cmp);
	if (each(st, c, "internship_decision", decision_cb, &x) != 0)
		goto fail;
	for (size_t i = 0; i < a->n; i++)
		a->v[i].state = app_state(&a->v[i]);
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), order_cmp);
	return 0;
fail:
	mf_lc_apps_free(a);
	return -1;
}

/* The applications to offer as the batch stands: built once and reused
 * while no record of the batch changed anything, so that a batch of many
 * identical versions (an export put back) scans the store once. */
static const mf_lc_apps *
apps_for(const check *c, const char *offer)
{
	apps_cache *k = c->cache;

	if (k->offer != NULL && strcmp(k->offer, offer) == 0) {
		/* bring it up to date with the records that passed since */
		apps_ctx x = { &k->a, offer, 1 };
		for (; k->nlc < c->nlc; k->nlc++) {
			const mf_put *p = &c->puts[c->lc[k->nlc]];
			mf_record *r;
			if (p->deleted || (strcmp(p->kind, "internship_application") != 0 &&
					   strcmp(p->kind, "internship_decision") != 0))
				continue;
			r = from_put(p);
			if (strcmp(p->kind, "internship_application") == 0)
				app_cb(&x, r);
			else
				decision_cb(&x, r);
			mf_record_free(r);
		}
		return &k->a;
	}
	if (k->offer != NULL) {
		mf_lc_apps_free(&k->a);
		free(k->offer);
		k->offer = NULL;
	}
	if (apps_build(c->st, c, offer, &k->a) != 0)
		return NULL;
	k->offer = mf_xstrdup(offer);
	k->nlc = c->nlc;
	return &k->a;
}

int
mf_lc_apps_load(mf_store *st, const char *offer, mf_lc_apps *a)
{
	return apps_build(st, NULL, offer, a);
}

void
mf_lc_apps_free(mf_lc_apps *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].id);
		free(a->v[i].offer);
		free(a->v[i].school);
		free(a->v[i].note);
		free(a->v[i].decision_id);
		free(a->v[i].reason);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

uint64_t
mf_lc_places_taken(const mf_lc_apps *a, const char *offer)
{
	uint64_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].state == MF_APP_ACCEPTED && strcmp(a->v[i].offer, offer) == 0)
			n += a->v[i].granted;
	return n;
}

size_t
mf_lc_waiting_position(const mf_lc_apps *a, const char *id)
{
	const char *offer = NULL;
	size_t pos = 0;

	for (size_t i = 0; i < a->n && offer == NULL; i++)
		if (strcmp(a->v[i].id, id) == 0)
			offer = a->v[i].offer;
	for (size_t i = 0; offer && i < a->n; i++) {
		if (a->v[i].state != MF_APP_WAITLISTED || strcmp(a->v[i].offer, offer) != 0)
			continue;
		pos++;
		if (strcmp(a->v[i].id, id) == 0)
			return pos;
	}
	return 0;
}

static const mf_lc_app *
apps_find(const mf_lc_apps *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, id) == 0)
			return &a->v[i];
	return NULL;
}

/* ---------------------------------------------------------------- refusals */

static json_t *
fail(const check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *
fail(const check *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mf_reply_error(EX_DATAERR, "record %zu (%s): %s", c->i + 1, c->puts[c->i].id, msg);
}

/* "only RU-TOM (the mentor's region) may confirm or decline it, and
 * RU-CHE (the applicant's region) may withdraw it": the transitions that
 * leave `cur`, grouped by who makes them. */
static void
who_may(const lc_table *tb, int cur, char regions[ACT_N][MF_REGION_MAX], char *buf, size_t len)
{
	int first_actor = 1;

	buf[0] = '\0';
	for (int a = 0; a < ACT_N; a++) {
		int nv = 0;
		for (size_t k = 0; k < tb->n; k++) {
			const transition *t = &tb->t[k];
			if (t->from != cur || (int)t->who != a || t->from == t->to)
				continue;
			if (nv == 0)
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s (%s) may %s",
					 first_actor ? "only " : ", and ", *regions[a] ? regions[a] : "?",
					 actor_desc[a], t->verb);
			else
				snprintf(buf + strlen(buf), len - strlen(buf), " or %s", t->verb);
			nv++;
			first_actor = 0;
		}
		if (nv)
			snprintf(buf + strlen(buf), len - strlen(buf), " it");
	}
	if (first_actor)
		snprintf(buf, len, "it is final: nobody may change it");
}

/* The transition cur -> to by region w, or a refusal naming the current
 * state and who may act; hint (or NULL) says what to do instead. */
static json_t *
step(const check *c, const lc_table *tb, const char *subject, int cur, int to,
     char regions[ACT_N][MF_REGION_MAX], const char *hint)
{
	char who[512];

	for (size_t k = 0; k < tb->n; k++) {
		const transition *t = &tb->t[k];
		if (t->from != cur || t->to != to)
			continue;
		if (strcmp(regions[t->who], c->region) == 0)
			return NULL;
		if (cur == 0)
			return fail(c, "only %s (%s) may %s the %s %s, not %s", regions[t->who],
				    actor_desc[t->who], t->verb, tb->what, subject, c->region);
		return fail(c, "the %s %s is %s; only %s (%s) may %s it, not %s%s%s", tb->what,
			    subject, tb->states[cur], regions[t->who], actor_desc[t->who], t->verb,
			    c->region, hint ? "; " : "", hint ? hint : "");
	}
	who_may(tb, cur, regions, who, sizeof(who));
	return fail(c, "the %s %s is %s; %s (%s -> %s is not a transition of doc/LIFECYCLES.md)%s%s",
		    tb->what, subject, tb->states[cur], who, tb->states[cur], tb->states[to],
		    hint ? "; " : "", hint ? hint : "");
}

static int
same_version(const mf_record *old, const mf_put *p)
{
	return old != NULL && !old->deleted && !p->deleted && old->body_len == p->body_len &&
	       (p->body_len == 0 || memcmp(old->body, p->body, p->body_len) == 0);
}

/* ---------------------------------------------------------------- pairs */

/* The state of proposal pid: proposed, or the latest answer of the
 * mentor's region; answer (MF_ID_MAX) gets that answer's id or "". */
/* Add an answer record to the cache (replacing its older version). */
static int
answers_add(void *arg, const mf_record *r)
{
	pair_answers *an = arg;
	Mentorfed__MentoringPair *m =
		(Mentorfed__MentoringPair *)unpack(r, &mentorfed__mentoring_pair__descriptor);
	pair_answer *e = NULL;

	if (m == NULL)
		return 0;
	if (m->proposal_id && *m->proposal_id) {
		for (size_t i = 0; an->loaded && i < an->n && e == NULL; i++)
			if (strcmp(an->v[i].id, r->id) == 0)
				e = &an->v[i];
		if (e == NULL) {
			if (an->n == an->cap) {
				an->cap = an->cap ? an->cap * 2 : 16;
				an->v = mf_xrealloc(an->v, an->cap * sizeof(*an->v));
			}
			e = &an->v[an->n++];
			e->id = mf_xstrdup(r->id);
			region_of(r->id, e->region);
		} else {
			free(e->proposal);
		}
		e->proposal = mf_xstrdup(m->proposal_id);
		e->state = m->state;
		e->hlc = r->hlc;
	}
	mentorfed__mentoring_pair__free_unpacked(m, NULL);
	return 0;
}

static void
answers_free(pair_answers *an)
{
	for (size_t i = 0; i < an->n; i++) {
		free(an->v[i].id);
		free(an->v[i].proposal);
	}
	free(an->v);
}

static int
pair_state(const check *c, const char *pid, const char *mreg, char answer[MF_ID_MAX])
{
	pair_answers *an = c->ans;
	int state = P_PROPOSED;
	uint64_t best = 0;

	if (!an->loaded) {
		each(c->st, c, "mentoring_pair", answers_add, an);
		an->loaded = 1;
		an->nlc = c->nlc;
	}
	for (; an->nlc < c->nlc; an->nlc++) {
		const mf_put *p = &c->puts[c->lc[an->nlc]];
		mf_record *r;
		if (p->deleted || strcmp(p->kind, "mentoring_pair") != 0)
			continue;
		r = from_put(p);
		answers_add(an, r);
		mf_record_free(r);
	}
	answer[0] = '\0';
	for (size_t i = 0; i < an->n; i++) {
		const struct pair_answer *e = &an->v[i];
		if (strcmp(e->proposal, pid) != 0 || strcmp(e->region, mreg) != 0 ||
		    (answer[0] && e->hlc < best))
			continue;
		state = e->state;
		best = e->hlc;
		mf_strlcpy(answer, e->id, MF_ID_MAX);
	}
	return state >= P_PROPOSED && state <= P_ENDED ? state : P_PROPOSED;
}

static json_t *
check_proposal(const check *c, const mf_put *p, const Mentorfed__MentoringPair *m,
	       const mf_record *old)
{
	char regions[ACT_N][MF_REGION_MAX] = { "" }, answer[MF_ID_MAX];
	Mentorfed__MentoringPair *om;
	int cur;

	region_of(m->mentee_school_id, regions[ACT_MENTEE]);
	region_of(m->mentor_school_id, regions[ACT_MENTOR]);
	if (m->state != 0 && m->state != P_PROPOSED)
		return fail(c, "a proposal is written in state proposed, not %s: %s is the answer of %s (the mentor's region) naming the proposal",
			    PAIR_STATE_NAME(m->state), PAIR_STATE_NAME(m->state),
			    regions[ACT_MENTOR]);
	if (old == NULL)
		return step(c, &pair_table, p->id, 0, P_PROPOSED, regions, NULL);
	om = (Mentorfed__MentoringPair *)unpack(old, &mentorfed__mentoring_pair__descriptor);
	if (om == NULL)
		return fail(c, "the stored record does not decode");
	if (om->proposal_id && *om->proposal_id) {
		mentorfed__mentoring_pair__free_unpacked(om, NULL);
		return fail(c, "it is an answer to %s and cannot become a proposal", old->id);
	}
	region_of(om->mentor_school_id, regions[ACT_MENTOR]);
	region_of(om->mentee_school_id, regions[ACT_MENTEE]);
	mentorfed__mentoring_pair__free_unpacked(om, NULL);
	cur = pair_state(c, p->id, regions[ACT_MENTOR], answer);
	/* proposed -> proposed is no transition: a proposal is never
	 * rewritten, so that what the mentor's region answers is what was
	 * proposed, also across a partition */
	return step(c, &pair_table, p->id, cur, P_PROPOSED, regions,
		    "a proposal is never rewritten: propose with another start date for a new pair");
}

static json_t *
check_answer(const check *c, const mf_put *p, const Mentorfed__MentoringPair *m,
	     const mf_record *old)
{
	char regions[ACT_N][MF_REGION_MAX] = { "" }, answer[MF_ID_MAX];
	Mentorfed__MentoringPair *pm = NULL, *om = NULL;
	mf_record *pr = get_kind(c, m->proposal_id, "mentoring_pair");
	json_t *e = NULL;
	int cur, to = m->state;

	if (pr == NULL) {
		e = fail(c, "it answers the proposal %s, which this node does not hold (has it synced yet?)",
			 m->proposal_id);
		goto out;
	}
	pm = (Mentorfed__MentoringPair *)unpack(pr, &mentorfed__mentoring_pair__descriptor);
	if (pm == NULL || (pm->proposal_id && *pm->proposal_id)) {
		e = fail(c, "%s is an answer, not a proposal", m->proposal_id);
		goto out;
	}
	if (strcmp(pm->mentor_school_id, m->mentor_school_id) != 0 ||
	    strcmp(pm->mentee_school_id, m->mentee_school_id) != 0) {
		e = fail(c, "the answer names mentor %s and mentee %s, but the proposal %s is for mentor %s and mentee %s",
			 m->mentor_school_id, m->mentee_school_id, m->proposal_id,
			 pm->mentor_school_id, pm->mentee_school_id);
		goto out;
	}
	region_of(pm->mentee_school_id, regions[ACT_MENTEE]);
	region_of(pm->mentor_school_id, regions[ACT_MENTOR]);
	if (old != NULL &&
	    ((om = (Mentorfed__MentoringPair *)unpack(old, &mentorfed__mentoring_pair__descriptor)) == NULL ||
	     om->proposal_id == NULL || strcmp(om->proposal_id, m->proposal_id) != 0)) {
		e = fail(c, "it is not an answer to %s and cannot become one", m->proposal_id);
		goto out;
	}
	cur = pair_state(c, m->proposal_id, regions[ACT_MENTOR], answer);
	if (to != P_CONFIRMED && to != P_DECLINED && to != P_ENDED) {
		e = fail(c, "an answer is confirmed, declined or ended, not %s",
			 PAIR_STATE_NAME(to));
		goto out;
	}
	if ((e = step(c, &pair_table, m->proposal_id, cur, to, regions,
		      cur == P_PROPOSED ? NULL : "a new pair needs a new proposal")) != NULL)
		goto out;
	if (*answer && strcmp(answer, p->id) != 0) {
		e = fail(c, "the pair %s is %s by the answer %s; only that record may change (%s)",
			 m->proposal_id, pair_states[cur], answer,
			 cur == P_CONFIRMED ? "pair end" : "it is final");
		goto out;
	}
	if (to == P_ENDED && (m->end_reason == NULL || *m->end_reason == '\0'))
		e = fail(c, "ending the pair %s needs a reason (end_reason)", m->proposal_id);
out:
	if (pm)
		mentorfed__mentoring_pair__free_unpacked(pm, NULL);
	if (om)
		mentorfed__mentoring_pair__free_unpacked(om, NULL);
	mf_record_free(pr);
	return e;
}

static json_t *
check_pair(const check *c, const mf_put *p, const mf_record *old)
{
	Mentorfed__MentoringPair *m = (Mentorfed__MentoringPair *)protobuf_c_message_unpack(
		&mentorfed__mentoring_pair__descriptor, NULL, p->body_len, p->body);
	json_t *e;

	if (m == NULL)
		return fail(c, "body does not decode");
	e = m->proposal_id && *m->proposal_id ? check_answer(c, p, m, old) :
						check_proposal(c, p, m, old);
	mentorfed__mentoring_pair__free_unpacked(m, NULL);
	return e;
}

/* ---------------------------------------------------------------- offers */

static json_t *
check_offer(const check *c, const mf_put *p, const mf_record *old)
{
	Mentorfed__InternshipOffer *m = (Mentorfed__InternshipOffer *)protobuf_c_message_unpack(
		&mentorfed__internship_offer__descriptor, NULL, p->body_len, p->body);
	Mentorfed__InternshipOffer *om = NULL;
	char regions[ACT_N][MF_REGION_MAX] = { "" }, why[256];
	int cur = MF_OFFER_NONE, to;
	json_t *e = NULL;
	const mf_lc_apps *a;
	uint64_t taken;

	if (m == NULL)
		return fail(c, "body does not decode");
	region_of(m->host_school_id, regions[ACT_HOST]);
	to = mf_offer_state_of(m->state);
	if (old != NULL) {
		om = (Mentorfed__InternshipOffer *)unpack(old, &mentorfed__internship_offer__descriptor);
		if (om == NULL) {
			e = fail(c, "the stored record does not decode");
			goto out;
		}
		cur = mf_offer_state_of(om->state);
		if (strcmp(om->host_school_id, m->host_school_id) != 0) {
			e = fail(c, "the host of an offer never changes (%s, not %s): publish a new offer",
				 om->host_school_id, m->host_school_id);
			goto out;
		}
	}
	if ((e = step(c, &offer_table, p->id, cur, to, regions,
		      cur == MF_OFFER_OPEN ? NULL : "publish a new offer")) != NULL)
		goto out;
	if (cur == MF_OFFER_OPEN && to == MF_OFFER_OPEN) {
		if ((a = apps_for(c, p->id)) == NULL) {
			e = mf_reply_error(EX_SOFTWARE, "store read failed");
			goto out;
		}
		taken = mf_lc_places_taken(a, p->id);
		plural(why, sizeof(why), taken, "place");
		if (m->places < taken)
			e = fail(c, "%s of the offer are taken by accepted applications: it cannot shrink to %u",
				 why, m->places);
	}
out:
	if (om)
		mentorfed__internship_offer__free_unpacked(om, NULL);
	mentorfed__internship_offer__free_unpacked(m, NULL);
	return e;
}

/* ---------------------------------------------------------------- applications */

static json_t *
check_application(const check *c, const mf_put *p, const mf_record *old)
{
	Mentorfed__InternshipApplication *m = (Mentorfed__InternshipApplication *)
		protobuf_c_message_unpack(&mentorfed__internship_application__descriptor, NULL,
					  p->body_len, p->body);
	Mentorfed__InternshipApplication *om = NULL;
	Mentorfed__InternshipOffer *o = NULL;
	char regions[ACT_N][MF_REGION_MAX] = { "" }, room[256];
	mf_record *or = NULL;
	const mf_lc_app *e0;
	json_t *e = NULL;
	const mf_lc_apps *a;
	uint64_t want, taken;
	int cur;

	if (m == NULL)
		return fail(c, "body does not decode");
	region_of(m->applicant_school_id, regions[ACT_APPLICANT]);
	region_of(m->offer_id, regions[ACT_HOST]);
	if ((or = get_kind(c, m->offer_id, "internship_offer")) == NULL ||
	    (o = (Mentorfed__InternshipOffer *)unpack(or, &mentorfed__internship_offer__descriptor)) == NULL) {
		e = fail(c, "the offer %s is not held by this node (has it synced yet?)", m->offer_id);
		goto out;
	}
	if ((a = apps_for(c, m->offer_id)) == NULL) {
		e = mf_reply_error(EX_SOFTWARE, "store read failed");
		goto out;
	}
	if (old == NULL) {
		if (m->withdrawn) {
			e = fail(c, "a new application cannot be withdrawn already");
			goto out;
		}
		if ((e = step(c, &app_table, p->id, 0, MF_APP_SUBMITTED, regions, NULL)) != NULL)
			goto out;
		if (mf_offer_state_of(o->state) != MF_OFFER_OPEN) {
			e = fail(c, "the offer %s is %s%s%s: it takes no applications", m->offer_id,
				 offer_states[mf_offer_state_of(o->state)], *o->state_reason ? " — " : "",
				 o->state_reason);
			goto out;
		}
		if (!o->open_to_other_regions && strcmp(regions[ACT_HOST], c->region) != 0) {
			e = fail(c, "the offer %s is not open to other regions", m->offer_id);
			goto out;
		}
		want = m->participants ? m->participants : 1;
		taken = mf_lc_places_taken(a, m->offer_id);
		if (taken > o->places || want > o->places - taken) {
			mf_lc_no_room(room, sizeof(room), o->places, taken, want);
			e = fail(c, "the offer %s has %s", m->offer_id, room);
		}
		goto out;
	}
	/* a new version of an application: only its withdrawal */
	om = (Mentorfed__InternshipApplication *)unpack(old, &mentorfed__internship_application__descriptor);
	e0 = apps_find(a, p->id);
	cur = e0 ? e0->state : MF_APP_SUBMITTED;
	if (om == NULL || strcmp(om->offer_id, m->offer_id) != 0 ||
	    strcmp(om->applicant_school_id, m->applicant_school_id) != 0 ||
	    om->participants != m->participants || !m->withdrawn || om->withdrawn) {
		e = step(c, &app_table, p->id, cur, m->withdrawn && om && !om->withdrawn ? MF_APP_WITHDRAWN : MF_APP_SUBMITTED,
			 regions, "an application is never edited: withdraw it, or apply again for a new application");
		if (e == NULL)
			e = fail(c, "a withdrawal changes nothing else of the application");
		goto out;
	}
	e = step(c, &app_table, p->id, cur, MF_APP_WITHDRAWN, regions, NULL);
out:
	if (om)
		mentorfed__internship_application__free_unpacked(om, NULL);
	if (o)
		mentorfed__internship_offer__free_unpacked(o, NULL);
	mf_record_free(or);
	mentorfed__internship_application__free_unpacked(m, NULL);
	return e;
}

static json_t *
check_decision(const check *c, const mf_put *p, const mf_record *old)
{
	Mentorfed__InternshipDecision *m = (Mentorfed__InternshipDecision *)protobuf_c_message_unpack(
		&mentorfed__internship_decision__descriptor, NULL, p->body_len, p->body);
	Mentorfed__InternshipApplication *am = NULL;
	Mentorfed__InternshipOffer *o = NULL;
	char regions[ACT_N][MF_REGION_MAX] = { "" }, room[256];
	mf_record *ar = NULL, *or = NULL;
	const mf_lc_app *e0;
	json_t *e = NULL;
	const mf_lc_apps *a;
	int cur, to;
	uint64_t taken;

	(void)old;	/* one decision record per application: checked below */
	if (m == NULL)
		return fail(c, "body does not decode");
	if ((ar = get_kind(c, m->application_id, "internship_application")) == NULL ||
	    (am = (Mentorfed__InternshipApplication *)unpack(ar, &mentorfed__internship_application__descriptor)) == NULL) {
		e = fail(c, "the application %s is not held by this node (has it synced yet?)",
			 m->application_id);
		goto out;
	}
	if ((or = get_kind(c, am->offer_id, "internship_offer")) == NULL ||
	    (o = (Mentorfed__InternshipOffer *)unpack(or, &mentorfed__internship_offer__descriptor)) == NULL) {
		e = fail(c, "the offer %s of the application %s is not held by this node", am->offer_id,
			 m->application_id);
		goto out;
	}
	region_of(am->offer_id, regions[ACT_HOST]);
	region_of(am->applicant_school_id, regions[ACT_APPLICANT]);
	if ((a = apps_for(c, am->offer_id)) == NULL) {
		e = mf_reply_error(EX_SOFTWARE, "store read failed");
		goto out;
	}
	e0 = apps_find(a, m->application_id);
	cur = e0 ? e0->state : MF_APP_SUBMITTED;
	switch (m->decision) {
	case MENTORFED__DECISION__DECISION_ACCEPTED: to = MF_APP_ACCEPTED; break;
	case MENTORFED__DECISION__DECISION_DECLINED: to = MF_APP_DECLINED; break;
	case MENTORFED__DECISION__DECISION_WAITLISTED: to = MF_APP_WAITLISTED; break;
	default:
		e = fail(c, "decision: expected accepted, declined or waitlisted");
		goto out;
	}
	if ((e = step(c, &app_table, m->application_id, cur, to, regions,
		      cur == MF_APP_ACCEPTED || cur == MF_APP_DECLINED ? "a decision is final" : NULL)) != NULL)
		goto out;
	if (e0 && e0->decision_id && strcmp(e0->decision_id, p->id) != 0) {
		e = fail(c, "the application %s already has the decision %s; only that record may change",
			 m->application_id, e0->decision_id);
		goto out;
	}
	if (mf_offer_state_of(o->state) == MF_OFFER_CANCELLED && to != MF_APP_DECLINED) {
		e = fail(c, "the offer %s is cancelled: nobody is %s any more, only declined",
			 am->offer_id, app_states[to]);
		goto out;
	}
	if (to != MF_APP_ACCEPTED) {
		if (m->places_granted != 0)
			e = fail(c, "a %s application is granted no places, not %u", app_states[to],
				 m->places_granted);
		goto out;
	}
	if (m->places_granted != (am->participants ? am->participants : 1)) {
		e = fail(c, "an acceptance grants the %u places applied for, not %u",
			 am->participants ? am->participants : 1, m->places_granted);
		goto out;
	}
	taken = mf_lc_places_taken(a, am->offer_id);
	if (taken > o->places || m->places_granted > o->places - taken) {
		mf_lc_no_room(room, sizeof(room), o->places, taken, m->places_granted);
		e = fail(c, "cannot accept %s: the offer %s has %s", m->application_id, am->offer_id, room);
	}
out:
	if (am)
		mentorfed__internship_application__free_unpacked(am, NULL);
	if (o)
		mentorfed__internship_offer__free_unpacked(o, NULL);
	mf_record_free(ar);
	mf_record_free(or);
	mentorfed__internship_decision__free_unpacked(m, NULL);
	return e;
}

/* ---------------------------------------------------------------- the check */

static const struct {
	const char *kind;
	json_t *(*fn)(const check *, const mf_put *, const mf_record *);
	const char *instead;	/* what to do instead of deleting */
} kinds[] = {
	{ "mentoring_pair", check_pair, "decline or end the pair (pair decline|end)" },
	{ "internship_offer", check_offer, "close or cancel the offer (internship close|cancel)" },
	{ "internship_application", check_application, "withdraw it (internship withdraw)" },
	{ "internship_decision", check_decision, "a decision is final; a waitlisted one may still be accepted or declined" },
};

json_t *
mf_lifecycle_check(mf_store *st, const char *region, const mf_put *puts, size_t n)
{
	apps_cache cache = { NULL, 0, { NULL, 0, 0 } };
	pair_answers ans = { NULL, 0, 0, 0, 0 };
	check c = { st, region, puts, NULL, 0, 0, NULL, 0, &cache, &ans };
	json_t *e = NULL;

	for (size_t i = 0; i < n && e == NULL; i++) {
		size_t k;
		mf_record *old;

		for (k = 0; k < NELEM(kinds) && strcmp(puts[i].kind, kinds[k].kind) != 0; k++)
			;
		if (k == NELEM(kinds))
			continue;
		if (c.lc == NULL)
			c.lc = mf_xcalloc(n, sizeof(*c.lc));
		c.i = i;
		old = get_kind(&c, puts[i].id, puts[i].kind);
		if (puts[i].deleted)
			e = fail(&c, "a %s is a step of a lifecycle (doc/LIFECYCLES.md) and is never deleted: %s",
				 puts[i].kind, kinds[k].instead);
		else if (!same_version(old, &puts[i]))
			e = kinds[k].fn(&c, &puts[i], old);
		if (e != NULL)
			json_object_set_new(e, "index", json_integer((json_int_t)i));
		else if (!same_version(old, &puts[i]))	/* an equal version changes nothing */
			ov_add(&c, i);
		mf_record_free(old);
	}
	free(c.lc);
	free(c.slot);
	answers_free(&ans);
	if (cache.offer != NULL) {
		mf_lc_apps_free(&cache.a);
		free(cache.offer);
	}
	return e;
}
