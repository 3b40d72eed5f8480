/*
 * internships.c — interregional internships: offers, applications and the
 * host's decisions.
 *
 * An offer and its decisions are the host region's records, an
 * application the applicant's region's.  Places and participants are
 * summed in 64 bits: a peer's record may carry any uint32, and a sum of
 * them must not wrap into "fits".
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "exchange.h"
#include "exchange_int.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- applications */

typedef struct app {
	char *id, *offer, *school;
	uint64_t participants;
	uint64_t hlc;
	/* the host's decision, if any */
	char *decision_id;
	int decision;
	uint64_t granted;
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
	Mentorfed__InternshipApplication *m = (Mentorfed__InternshipApplication *)mf_ex_unpack(
		r, &mentorfed__internship_application__descriptor);
	app *e;

	if (m == NULL)
		return 0;
	if (a->offer == NULL || strcmp(m->offer_id, a->offer) == 0) {
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 16;
			a->v = mf_xrealloc(a->v, a->cap * sizeof(*a->v));
		}
		e = &a->v[a->n++];
		memset(e, 0, sizeof(*e));
		e->id = mf_xstrdup(r->id);
		e->offer = mf_xstrdup(m->offer_id);
		e->school = mf_xstrdup(m->applicant_school_id);
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
	Mentorfed__InternshipDecision *m = (Mentorfed__InternshipDecision *)mf_ex_unpack(
		r, &mentorfed__internship_decision__descriptor);
	char hr[MF_REGION_MAX], or[MF_REGION_MAX];

	if (m == NULL)
		return 0;
	mf_ex_region_of(r->id, hr);
	for (size_t i = 0; i < a->n; i++) {
		/* only the offer's (host) region decides */
		mf_ex_region_of(a->v[i].offer, or);
		if (strcmp(a->v[i].id, m->application_id) == 0 && strcmp(hr, or) == 0) {
			free(a->v[i].decision_id);
			free(a->v[i].reason);
			a->v[i].decision_id = mf_xstrdup(r->id);
			a->v[i].decision = m->decision;
			a->v[i].granted = m->places_granted;
			a->v[i].reason = mf_xstrdup(m->reason);
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
	memset(a, 0, sizeof(*a));
}

/* Applications (to `offer`, or to any when NULL) with the host's latest
 * decision, in submission order (HLC, then id). */
static int
apps_load(mf_store *st, apps *a, const char *offer)
{
	memset(a, 0, sizeof(*a));
	a->offer = offer;
	if (mf_store_each(st, "internship_application", NULL, 0, app_cb, a) != 0 ||
	    mf_store_each(st, "internship_decision", NULL, 0, decision_cb, a) != 0) {
		apps_free(a);
		return -1;
	}
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), app_cmp);
	return 0;
}

static uint64_t
places_taken(const apps *a, const char *offer)
{
	uint64_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].offer, offer) == 0 &&
		    a->v[i].decision == MENTORFED__DECISION__DECISION_ACCEPTED)
			n += a->v[i].granted;
	return n;
}

static uint64_t
places_left(uint64_t places, uint64_t taken)
{
	return taken < places ? places - taken : 0;
}

/* ---------------------------------------------------------------- offer, apply */

json_t *
mf_exchange_offer(mf_node *node, json_t *req)
{
	const char *host = json_string_value(json_object_get(req, "host"));
	const char *title = json_string_value(json_object_get(req, "title"));
	const char *from = json_string_value(json_object_get(req, "from"));
	const char *to = json_string_value(json_object_get(req, "to"));
	json_t *dirs = json_object_get(req, "directions"), *body;
	json_int_t places = json_integer_value(json_object_get(req, "places"));
	int mask[MF_EX_NDIRS];
	char err[512], key[768];
	mf_record *h;

	if (host == NULL || title == NULL || from == NULL || to == NULL || places <= 0)
		return mf_reply_error(EX_USAGE,
				      "internship offer: --host, --title, --from/--to (or --month) and --places > 0 are required");
	if (places > MF_EXCHANGE_MAX_PLACES)
		return mf_reply_error(EX_DATAERR, "places: %lld is more than the limit of %d",
				      (long long)places, MF_EXCHANGE_MAX_PLACES);
	if (!mf_ex_mine(node, host))
		return mf_reply_error(EX_DATAERR, "the host %s is not a school of %s", host,
				      node->cfg->region);
	if ((h = mf_ex_get_kind(node->store, host, "school")) == NULL)
		return mf_reply_error(EX_DATAERR, "no school %s", host);
	mf_record_free(h);
	if (mf_ex_dirs_parse(dirs, mask, err, sizeof(err)) != 0)
		return mf_reply_error(EX_USAGE, "%s", err);
	body = json_pack("{s:s, s:s, s:O, s:[{s:s, s:s}], s:I, s:b}", "host_school_id", host, "title",
			 title, "directions", dirs ? dirs : json_array(), "dates", "from", from, "to", to,
			 "places", places, "open_to_other_regions",
			 json_is_true(json_object_get(req, "open")));
	if (json_string_value(json_object_get(req, "description")))
		json_object_set(body, "description", json_object_get(req, "description"));
	snprintf(key, sizeof(key), "offer|%s|%s|%s", host, title, from);
	return mf_ex_put_one(node, "internship_offer", key, body);
}

json_t *
mf_exchange_apply(mf_node *node, json_t *req)
{
	const char *offer = json_string_value(json_object_get(req, "offer"));
	const char *sch = json_string_value(json_object_get(req, "school"));
	json_int_t n = json_integer_value(json_object_get(req, "participants"));
	Mentorfed__InternshipOffer *o;
	mf_record *r, *s;
	char key[512], hr[MF_REGION_MAX];
	json_t *body;
	int closed;

	if (offer == NULL || sch == NULL)
		return mf_reply_error(EX_USAGE, "internship apply: OFFER and --school are required");
	if (n <= 0)
		n = 1;
	if (n > MF_EXCHANGE_MAX_PARTICIPANTS)
		return mf_reply_error(EX_DATAERR, "participants: %lld is more than the limit of %d",
				      (long long)n, MF_EXCHANGE_MAX_PARTICIPANTS);
	if (!mf_ex_mine(node, sch))
		return mf_reply_error(EX_DATAERR,
				      "the applicant %s is not a school of %s: a school applies through its own region's node",
				      sch, node->cfg->region);
	if ((s = mf_ex_get_kind(node->store, sch, "school")) == NULL)
		return mf_reply_error(EX_DATAERR, "no school %s", sch);
	mf_record_free(s);
	if ((r = mf_ex_get_kind(node->store, offer, "internship_offer")) == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s (has it synced yet?)", offer);
	o = (Mentorfed__InternshipOffer *)mf_ex_unpack(r, &mentorfed__internship_offer__descriptor);
	mf_record_free(r);
	mf_ex_region_of(offer, hr);
	closed = o != NULL && !o->open_to_other_regions && strcmp(hr, node->cfg->region) != 0;
	if (o)
		mentorfed__internship_offer__free_unpacked(o, NULL);
	if (closed)
		return mf_reply_error(EX_DATAERR, "offer %s is not open to other regions", offer);
	body = json_pack("{s:s, s:s, s:I}", "offer_id", offer, "applicant_school_id", sch,
			 "participants", n);
	if (json_string_value(json_object_get(req, "note")))
		json_object_set(body, "note", json_object_get(req, "note"));
	snprintf(key, sizeof(key), "app|%s|%s", offer, sch);
	return mf_ex_put_one(node, "internship_application", key, body);
}

/* ---------------------------------------------------------------- decisions */

static json_t *
write_decision(mf_node *node, const app *a, int accept, const char *reason)
{
	char key[256];
	json_t *body = json_pack("{s:s, s:s, s:I, s:s}", "application_id", a->id, "decision",
				 accept ? "accepted" : "declined", "places_granted",
				 (json_int_t)(accept ? a->participants : 0), "reason", reason);

	snprintf(key, sizeof(key), "decision|%s", a->id);
	return mf_ex_put_one(node, "internship_decision", key, body);
}

/* The offer `offer` if it is this node's region's; else NULL and an error
 * reply in *err. */
static Mentorfed__InternshipOffer *
my_offer(mf_node *node, const char *offer, json_t **err)
{
	Mentorfed__InternshipOffer *o;
	mf_record *r = mf_ex_get_kind(node->store, offer, "internship_offer");

	*err = NULL;
	if (r == NULL) {
		*err = mf_reply_error(EX_DATAERR, "no internship offer %s", offer ? offer : "(none given)");
		return NULL;
	}
	o = (Mentorfed__InternshipOffer *)mf_ex_unpack(r, &mentorfed__internship_offer__descriptor);
	mf_record_free(r);
	if (o == NULL || !mf_ex_mine(node, offer)) {
		if (o)
			mentorfed__internship_offer__free_unpacked(o, NULL);
		*err = mf_reply_error(EX_DATAERR, "offer %s is not %s's: only the host region decides",
				      offer, node->cfg->region);
		return NULL;
	}
	return o;
}

/* Decide one undecided application in order; add it to data and rows.
 * Returns NULL, or the records layer's error reply. */
static json_t *
decide_next(mf_node *node, const app *p, uint64_t places, uint64_t *taken, size_t order,
	    const mf_ex_schools *sc, json_t *data, json_t *rows)
{
	int accept = p->participants <= places_left(places, *taken);
	char reason[256], ord[24], np[24], gr[24];
	json_t *rep;

	if (accept)
		snprintf(reason, sizeof(reason),
			 "accepted in submission order: %" PRIu64 " of %" PRIu64 " places taken before it",
			 *taken, places);
	else
		snprintf(reason, sizeof(reason),
			 "places exhausted: %" PRIu64 " of %" PRIu64 " taken by applications submitted earlier; %" PRIu64 " requested",
			 *taken, places, p->participants);
	rep = write_decision(node, p, accept, reason);
	if (!json_is_true(json_object_get(rep, "ok")))
		return rep;
	json_decref(rep);
	if (accept)
		*taken += p->participants;
	snprintf(ord, sizeof(ord), "%zu", order);
	snprintf(np, sizeof(np), "%" PRIu64, p->participants);
	snprintf(gr, sizeof(gr), "%" PRIu64, accept ? p->participants : 0);
	json_array_append_new(data, json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:s}", "order",
					      (json_int_t)order, "application", p->id, "school",
					      p->school, "participants", (json_int_t)p->participants,
					      "decision", accept ? "accepted" : "declined",
					      "places_granted",
					      (json_int_t)(accept ? p->participants : 0), "reason",
					      reason));
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s]", ord, p->id,
					      mf_ex_school_label(sc, p->school), np,
					      accept ? "accepted" : "declined", gr, reason));
	return NULL;
}

json_t *
mf_exchange_decide(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "ORDER", "APPLICATION", "SCHOOL", "PARTICIPANTS",
					    "DECISION", "GRANTED", "REASON", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	Mentorfed__InternshipOffer *o;
	json_t *e, *data, *t;
	mf_ex_schools sc;
	apps a;
	uint64_t taken;
	size_t order = 0;

	if ((o = my_offer(node, offer, &e)) == NULL)
		return e;
	if (apps_load(node->store, &a, offer) != 0) {
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	if (mf_ex_schools_load(node->store, &sc) != 0) {
		apps_free(&a);
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	taken = places_taken(&a, offer);
	data = json_pack("{s:s, s:I, s:I, s:s, s:[]}", "offer", offer, "places",
			 (json_int_t)o->places, "taken_before", (json_int_t)taken, "order",
			 "applications are decided in order of their submission time (HLC), then id; an application is accepted while its participants fit in the places left",
			 "decisions");
	t = mf_ex_table("decisions", cols);
	for (size_t i = 0; i < a.n && e == NULL; i++)
		if (a.v[i].decision_id == NULL)
			e = decide_next(node, &a.v[i], o->places, &taken, ++order, &sc,
					json_object_get(data, "decisions"), json_object_get(t, "rows"));
	apps_free(&a);
	mf_ex_schools_free(&sc);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	if (e != NULL) {
		json_decref(data);
		json_decref(t);
		return e;
	}
	json_object_set_new(data, "taken_after", json_integer((json_int_t)taken));
	return mf_ex_reply(data, json_pack("[o]", t));
}

/* The offer id an application is for, into offer (MF_ID_MAX); NULL or an
 * error reply. */
static json_t *
offer_of(mf_store *st, const char *aid, char offer[MF_ID_MAX])
{
	Mentorfed__InternshipApplication *m;
	mf_record *r;

	if ((r = mf_ex_get_kind(st, aid, "internship_application")) == NULL)
		return mf_reply_error(EX_DATAERR, "no application %s", aid ? aid : "(none given)");
	m = (Mentorfed__InternshipApplication *)mf_ex_unpack(
		r, &mentorfed__internship_application__descriptor);
	mf_record_free(r);
	if (m == NULL)
		return mf_reply_error(EX_DATAERR, "application %s does not decode", aid);
	mf_strlcpy(offer, m->offer_id, MF_ID_MAX);
	mentorfed__internship_application__free_unpacked(m, NULL);
	return NULL;
}

json_t *
mf_exchange_decide_one(mf_node *node, json_t *req)
{
	const char *aid = json_string_value(json_object_get(req, "application"));
	int accept = json_is_true(json_object_get(req, "accept"));
	const char *reason = json_string_value(json_object_get(req, "reason"));
	Mentorfed__InternshipOffer *o;
	json_t *e, *rep;
	app *p = NULL;
	apps a;
	char offer[MF_ID_MAX];

	if ((e = offer_of(node->store, aid, offer)) != NULL)
		return e;
	if ((o = my_offer(node, offer, &e)) == NULL)
		return e;
	if (apps_load(node->store, &a, offer) != 0) {
		mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.v[i].id, aid) == 0)
			p = &a.v[i];
	if (p != NULL && accept) {
		uint64_t taken = places_taken(&a, offer);
		if (p->decision == MENTORFED__DECISION__DECISION_ACCEPTED)
			taken -= p->granted;
		if (taken + p->participants > o->places) {
			rep = mf_reply_error(EX_DATAERR,
					     "cannot accept %s: %" PRIu64 " participants, but only %" PRIu64 " of %u places are left",
					     aid, p->participants, places_left(o->places, taken), o->places);
			goto out;
		}
	}
	rep = p ? write_decision(node, p, accept,
				 reason ? reason : (accept ? "accepted by the host" : "declined by the host")) :
		  mf_reply_error(EX_DATAERR, "application %s not found", aid);
out:
	apps_free(&a);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return rep;
}

/* ---------------------------------------------------------------- offers list */

typedef struct offers_ctx {
	json_t *data, *rows;
	int dirmask[MF_EX_NDIRS], any_dir;
	const char *month, *region;
	const mf_ex_schools *sc;
	const apps *a;
} offers_ctx;

/* The offer matches the filters of the list: region, a direction, dates
 * overlapping the month YYYY-MM. */
static int
offer_matches(const offers_ctx *c, const char *reg, const Mentorfed__InternshipOffer *o)
{
	int ok;

	if (c->region && strcmp(c->region, reg) != 0)
		return 0;
	if (c->any_dir) {
		ok = 0;
		for (size_t i = 0; i < o->n_directions; i++)
			if (o->directions[i] > 0 && o->directions[i] < MF_EX_NDIRS &&
			    c->dirmask[o->directions[i]])
				ok = 1;
		if (!ok)
			return 0;
	}
	if (c->month) {
		char lo[11], hi[11];
		snprintf(lo, sizeof(lo), "%.7s-01", c->month);
		snprintf(hi, sizeof(hi), "%.7s-31", c->month);
		ok = 0;
		for (size_t i = 0; i < o->n_dates; i++)
			if (strcmp(o->dates[i]->from, hi) <= 0 && strcmp(o->dates[i]->to, lo) >= 0)
				ok = 1;
		if (!ok)
			return 0;
	}
	return 1;
}

static int
offer_cb(void *arg, const mf_record *r)
{
	offers_ctx *c = arg;
	Mentorfed__InternshipOffer *o = (Mentorfed__InternshipOffer *)mf_ex_unpack(
		r, &mentorfed__internship_offer__descriptor);
	char reg[MF_REGION_MAX], dt[256], dates[128] = "", places[48];
	uint64_t left;

	if (o == NULL)
		return 0;
	mf_ex_region_of(r->id, reg);
	if (!offer_matches(c, reg, o))
		goto out;
	mf_ex_dirs_text((const int *)o->directions, o->n_directions, dt, sizeof(dt));
	for (size_t i = 0; i < o->n_dates; i++)
		snprintf(dates + strlen(dates), sizeof(dates) - strlen(dates), "%s%s..%s",
			 i ? ", " : "", o->dates[i]->from, o->dates[i]->to);
	left = places_left(o->places, places_taken(c->a, r->id));
	snprintf(places, sizeof(places), "%" PRIu64 " of %u", left, o->places);
	json_array_append_new(c->data,
			      json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:b}", "offer", r->id,
					"region", reg, "host", o->host_school_id, "title", o->title,
					"directions",
					mf_ex_dirs_json((const int *)o->directions, o->n_directions),
					"dates", dates, "places", (json_int_t)o->places, "places_left",
					(json_int_t)left, "open_to_other_regions",
					o->open_to_other_regions));
	json_array_append_new(c->rows,
			      json_pack("[s,s,s,s,s,s,s,s]", r->id, reg,
					mf_ex_school_label(c->sc, o->host_school_id), o->title, dt, dates,
					places, o->open_to_other_regions ? "yes" : "no"));
out:
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return 0;
}

json_t *
mf_exchange_offers(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "OFFER", "REGION", "HOST", "TITLE", "DIRECTIONS", "DATES",
					    "PLACES LEFT", "OPEN", NULL };
	json_t *dirs = json_object_get(req, "directions"), *t;
	offers_ctx c;
	mf_ex_schools sc;
	apps a;
	char err[512];

	memset(&c, 0, sizeof(c));
	if (json_is_array(dirs) && json_array_size(dirs) > 0) {
		if (mf_ex_dirs_parse(dirs, c.dirmask, err, sizeof(err)) != 0)
			return mf_reply_error(EX_USAGE, "%s", err);
		c.any_dir = 1;
	}
	c.month = json_string_value(json_object_get(req, "month"));
	c.region = json_string_value(json_object_get(req, "region"));
	if (c.month && (strlen(c.month) != 7 || c.month[4] != '-'))
		return mf_reply_error(EX_USAGE, "--month: expected YYYY-MM, got '%s'", c.month);
	if (mf_ex_schools_load(node->store, &sc) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	if (apps_load(node->store, &a, NULL) != 0) {
		mf_ex_schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	t = mf_ex_table("internship offers", cols);
	c.data = json_array();
	c.rows = json_object_get(t, "rows");
	c.sc = &sc;
	c.a = &a;
	mf_store_each(node->store, "internship_offer", NULL, 0, offer_cb, &c);
	apps_free(&a);
	mf_ex_schools_free(&sc);
	return mf_ex_reply(c.data, json_pack("[o]", t));
}

static void
app_row(const app *p, const mf_ex_schools *sc, json_t *data, json_t *rows)
{
	char reg[MF_REGION_MAX], np[24], gr[24];
	const char *dec = p->decision_id == NULL ? "pending" :
			  p->decision == MENTORFED__DECISION__DECISION_ACCEPTED ? "accepted" : "declined";

	mf_ex_region_of(p->id, reg);
	snprintf(np, sizeof(np), "%" PRIu64, p->participants);
	snprintf(gr, sizeof(gr), "%" PRIu64, p->granted);
	json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "application",
					      p->id, "region", reg, "school", p->school,
					      "participants", (json_int_t)p->participants, "decision",
					      dec, "places_granted", (json_int_t)p->granted, "reason",
					      p->reason ? p->reason : ""));
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s]", p->id, reg,
					      mf_ex_school_label(sc, p->school), np, dec, gr,
					      p->reason ? p->reason : ""));
}

json_t *
mf_exchange_offer_show(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "APPLICATION", "REGION", "SCHOOL", "PARTICIPANTS",
					    "DECISION", "GRANTED", "REASON", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	mf_record *r = mf_ex_get_kind(node->store, offer, "internship_offer");
	json_t *data, *t, *body;
	mf_ex_schools sc;
	apps a;

	if (r == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s", offer ? offer : "(none given)");
	body = mf_record_json(r);
	mf_record_free(r);
	if (mf_ex_schools_load(node->store, &sc) != 0) {
		json_decref(body);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	if (apps_load(node->store, &a, offer) != 0) {
		json_decref(body);
		mf_ex_schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	data = json_pack("{s:o, s:I, s:[]}", "offer", body, "places_taken",
			 (json_int_t)places_taken(&a, offer), "applications");
	t = mf_ex_table("applications", cols);
	for (size_t i = 0; i < a.n; i++)
		app_row(&a.v[i], &sc, json_object_get(data, "applications"), json_object_get(t, "rows"));
	apps_free(&a);
	mf_ex_schools_free(&sc);
	return mf_ex_reply(data, json_pack("[o]", t));
}
