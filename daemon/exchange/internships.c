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
#include "i18n.h"
#include "json.h"
#include "lifecycle.h"
#include "records.h"
#include "reply.h"
#include "util.h"

/* ---------------------------------------------------------------- applications */

/* Applications and their states come from the records layer's lifecycle
 * (lifecycle.h): what the exchange shows is what the check enforces. */
typedef mf_lc_app app;
typedef mf_lc_apps apps;

static int
apps_load(mf_store *st, apps *a, const char *offer)
{
	return mf_lc_apps_load(st, offer, a);
}

static void
apps_free(apps *a)
{
	mf_lc_apps_free(a);
}

static uint64_t
places_taken(const apps *a, const char *offer)
{
	return mf_lc_places_taken(a, offer);
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

/* The key of school's application to offer.  Applying again after a
 * decline or a withdrawal makes a new application ("app|O|S|2", …: a new
 * record, a new place in the submission order); while the application is
 * submitted, waitlisted or accepted the same key is used, so a repeat is
 * unchanged and a different one is refused by the records layer
 * (doc/LIFECYCLES.md). */
static int
application_key(mf_node *node, const char *offer, const char *sch, char *key, size_t len)
{
	char id[MF_ID_MAX];
	apps a;
	int n = 1, final;

	if (apps_load(node->store, &a, offer) != 0)
		return -1;
	do {
		if (n == 1)
			snprintf(key, len, "app|%s|%s", offer, sch);
		else
			snprintf(key, len, "app|%s|%s|%d", offer, sch, n);
		mf_make_id(node->cfg->region, "internship_application", key, id);
		final = 0;
		for (size_t i = 0; i < a.n; i++)
			if (strcmp(a.v[i].id, id) == 0)
				final = a.v[i].state == MF_APP_DECLINED || a.v[i].state == MF_APP_WITHDRAWN;
		n++;
	} while (final && n < 1000);
	apps_free(&a);
	return 0;
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
	if (application_key(node, offer, sch, key, sizeof(key)) != 0) {
		json_decref(body);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	return mf_ex_put_one(node, "internship_application", key, body);
}

/* ---------------------------------------------------------------- decisions */

static const char *const decision_names[] = { "", "accepted", "declined", "waitlisted" };

/* The host's decision on a as a record for the records layer. */
static json_t *
decision_record(const app *a, int decision, const char *reason)
{
	char key[256];

	snprintf(key, sizeof(key), "decision|%s", a->id);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:I, s:s}}", "kind", "internship_decision", "key",
			 key, "body", "application_id", a->id, "decision", decision_names[decision],
			 "places_granted",
			 (json_int_t)(decision == MENTORFED__DECISION__DECISION_ACCEPTED ?
				      a->participants : 0), "reason", reason);
}

static json_t *
write_decision(mf_node *node, const app *a, int decision, const char *reason)
{
	json_t *recs = json_pack("[o]", decision_record(a, decision, reason));
	json_t *rep = mf_records_put(node, recs);

	json_decref(recs);
	return rep;
}

/* The offer `offer` if it is this node's region's; else NULL and an error
 * reply in *err. */
static Mentorfed__InternshipOffer *
my_offer(mf_node *node, const char *offer, json_t **err)
{
	Mentorfed__InternshipOffer *o;
	mf_record *r = mf_ex_get_kind(node->store, offer, "internship_offer");
	char hr[MF_REGION_MAX];

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
		mf_ex_region_of(offer, hr);
		*err = mf_reply_error(EX_DATAERR, "the offer %s is %s's: only %s (the host's region) decides, not %s",
				      offer, hr, hr, node->cfg->region);
		return NULL;
	}
	return o;
}

/* Decide one application in submission order: accepted while it fits;
 * else a waitlisted one stays where it is, and a submitted one goes on
 * the waiting list (waitlist) or is declined, in words that match the
 * numbers.  Adds the decision to recs (written together, in one put, so
 * that deciding n applications checks them in one batch) and a row. */
static void
decide_next(json_t *recs, const app *p, const Mentorfed__InternshipOffer *o, int waitlist,
	    uint64_t *taken, size_t *order, const mf_ex_schools *sc, json_t *data, json_t *rows)
{
	uint64_t places = o->places;
	int fits = p->participants <= places_left(places, *taken), d;
	char reason[320], room[256], ord[24], np[24], gr[24], pl[48];
	json_t *dj;

	if (mf_offer_state_of(o->state) == MF_OFFER_CANCELLED) {
		d = MENTORFED__DECISION__DECISION_DECLINED;
		snprintf(reason, sizeof(reason), "the offer was cancelled%s%s",
			 *o->state_reason ? ": " : "", o->state_reason);
	} else if (fits) {
		d = MENTORFED__DECISION__DECISION_ACCEPTED;
		snprintf(pl, sizeof(pl), "%" PRIu64 " place%s", places, places == 1 ? "" : "s");
		snprintf(reason, sizeof(reason),
			 "accepted in submission order: %s, %" PRIu64 " taken before it; %" PRIu64 " granted",
			 pl, *taken, p->participants);
	} else if (p->state == MF_APP_WAITLISTED) {
		return;	/* still waiting, in its place */
	} else {
		d = waitlist ? MENTORFED__DECISION__DECISION_WAITLISTED : MENTORFED__DECISION__DECISION_DECLINED;
		mf_lc_no_room(room, sizeof(room), places, *taken, p->participants);
		snprintf(reason, sizeof(reason), "%s%s", waitlist ? "on the waiting list: " : "", room);
	}
	json_array_append_new(recs, decision_record(p, d, reason));
	if (d == MENTORFED__DECISION__DECISION_ACCEPTED)
		*taken += p->participants;
	snprintf(ord, sizeof(ord), "%zu", ++*order);
	snprintf(np, sizeof(np), "%" PRIu64, p->participants);
	snprintf(gr, sizeof(gr), "%" PRIu64, d == MENTORFED__DECISION__DECISION_ACCEPTED ? p->participants : 0);
	dj = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s}", "order",
		       (json_int_t)*order, "application", p->id, "school",
		       p->school, "participants", (json_int_t)p->participants,
		       "was", mf_app_state_name(p->state),
		       "decision", decision_names[d], "places_granted",
		       (json_int_t)(d == MENTORFED__DECISION__DECISION_ACCEPTED ? p->participants : 0),
		       "reason", reason);
	/* reason_code and reason_args: the client and the web translate
	 * from them (i18n.h); "reason" stays the English text */
	mf_reason_annotate(dj, "reason");
	json_array_append_new(data, dj);
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s]", ord, p->id,
					      mf_ex_school_label(sc, p->school), np,
					      decision_names[d], gr, reason));
}

/* A new version of my offer: closed or cancelled, with the reason. */
static json_t *
offer_state_write(mf_node *node, const char *offer, const char *state, const char *reason)
{
	mf_record *r = mf_ex_get_kind(node->store, offer, "internship_offer");
	json_t *body;

	if (r == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s", offer);
	body = mf_body_to_json(r->kind, r->body, r->body_len);
	mf_record_free(r);
	if (body == NULL)
		return mf_reply_error(EX_SOFTWARE, "the offer %s does not decode", offer);
	json_object_set_new(body, "state", json_string(state));
	json_object_set_new(body, "state_reason", json_string(reason ? reason : ""));
	return mf_ex_put_id(node, "internship_offer", offer, body);
}

json_t *
mf_exchange_decide(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "ORDER", "APPLICATION", "SCHOOL", "PARTICIPANTS",
					    "DECISION", "GRANTED", "REASON", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	const char *action = json_string_value(json_object_get(req, "action"));
	int waitlist = json_is_true(json_object_get(req, "waitlist"));
	Mentorfed__InternshipOffer *o;
	json_t *e, *data, *t, *wl, *recs;
	mf_ex_schools sc;
	apps a;
	uint64_t taken;
	size_t order = 0;

	if ((o = my_offer(node, offer, &e)) == NULL)
		return e;
	if (action != NULL) {
		/* the offer's own transitions: open -> closed | cancelled */
		mentorfed__internship_offer__free_unpacked(o, NULL);
		if (strcmp(action, "close") == 0 || strcmp(action, "cancel") == 0)
			return offer_state_write(node, offer, action[1] == 'l' ? "closed" : "cancelled",
						 json_string_value(json_object_get(req, "reason")));
		return mf_reply_error(EX_USAGE, "internship: '%s' is not an action on an offer (close, cancel)",
				      action);
	}
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
	data = json_pack("{s:s, s:s, s:I, s:I, s:s, s:[], s:[]}", "offer", offer, "state",
			 mf_offer_state_name(mf_offer_state_of(o->state)), "places",
			 (json_int_t)o->places, "taken_before", (json_int_t)taken, "order",
			 "applications are decided in order of their submission time (HLC), then id, the waiting list first in its own order; an application is accepted while its participants fit in the places left",
			 "decisions", "waiting_list");
	t = mf_ex_table("decisions", cols);
	recs = json_array();
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].state == MF_APP_SUBMITTED || a.v[i].state == MF_APP_WAITLISTED)
			decide_next(recs, &a.v[i], o, waitlist, &taken, &order, &sc,
				    json_object_get(data, "decisions"), json_object_get(t, "rows"));
	apps_free(&a);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	/* all of them or none */
	if (json_array_size(recs) > 0) {
		e = mf_records_put(node, recs);
		if (json_is_true(json_object_get(e, "ok"))) {
			json_decref(e);
			e = NULL;
		}
	}
	json_decref(recs);
	if (e == NULL && apps_load(node->store, &a, offer) == 0) {
		wl = json_object_get(data, "waiting_list");
		for (size_t i = 0; i < a.n; i++)
			if (a.v[i].state == MF_APP_WAITLISTED)
				json_array_append_new(wl, json_string(a.v[i].id));
		apps_free(&a);
	}
	mf_ex_schools_free(&sc);
	if (e != NULL) {
		json_decref(data);
		json_decref(t);
		return e;
	}
	json_object_set_new(data, "taken_after", json_integer((json_int_t)taken));
	return mf_ex_reply(data, json_pack("[o]", t));
}

/* The application aid (NULL: an error reply in *err). */
static Mentorfed__InternshipApplication *
application_of(mf_store *st, const char *aid, json_t **err)
{
	Mentorfed__InternshipApplication *m;
	mf_record *r;

	*err = NULL;
	if ((r = mf_ex_get_kind(st, aid, "internship_application")) == NULL) {
		*err = mf_reply_error(EX_DATAERR, "no application %s (has it synced yet?)", aid ? aid : "(none given)");
		return NULL;
	}
	m = (Mentorfed__InternshipApplication *)mf_ex_unpack(
		r, &mentorfed__internship_application__descriptor);
	mf_record_free(r);
	if (m == NULL)
		*err = mf_reply_error(EX_DATAERR, "application %s does not decode", aid);
	return m;
}

/* The applicant's region withdraws its application: a new version of it
 * with withdrawn set. */
static json_t *
withdraw(mf_node *node, const char *aid, const char *reason)
{
	mf_record *r;
	json_t *body;
	char ar[MF_REGION_MAX];

	if (!mf_ex_mine(node, aid)) {
		mf_ex_region_of(aid, ar);
		return mf_reply_error(EX_DATAERR,
				      "the application %s is %s's: only %s (the applicant's region) may withdraw it, not %s",
				      aid, ar, ar, node->cfg->region);
	}
	if ((r = mf_ex_get_kind(node->store, aid, "internship_application")) == NULL)
		return mf_reply_error(EX_DATAERR, "no application %s", aid);
	body = mf_body_to_json(r->kind, r->body, r->body_len);
	mf_record_free(r);
	if (body == NULL)
		return mf_reply_error(EX_SOFTWARE, "the application %s does not decode", aid);
	json_object_set_new(body, "withdrawn", json_true());
	json_object_set_new(body, "withdraw_reason", json_string(reason ? reason : ""));
	return mf_ex_put_id(node, "internship_application", aid, body);
}

json_t *
mf_exchange_decide_one(mf_node *node, json_t *req)
{
	const char *aid = json_string_value(json_object_get(req, "application"));
	const char *action = json_string_value(json_object_get(req, "action"));
	const char *reason = json_string_value(json_object_get(req, "reason"));
	Mentorfed__InternshipApplication *m;
	Mentorfed__InternshipOffer *o;
	json_t *e, *rep;
	const app *p = NULL;
	apps a;
	int d;

	/* "accept": true|false is what older clients send */
	if (action == NULL)
		action = json_is_true(json_object_get(req, "accept")) ? "accept" : "decline";
	if (strcmp(action, "withdraw") == 0)
		return withdraw(node, aid, reason);
	if (strcmp(action, "accept") == 0)
		d = MENTORFED__DECISION__DECISION_ACCEPTED;
	else if (strcmp(action, "decline") == 0)
		d = MENTORFED__DECISION__DECISION_DECLINED;
	else if (strcmp(action, "waitlist") == 0)
		d = MENTORFED__DECISION__DECISION_WAITLISTED;
	else
		return mf_reply_error(EX_USAGE,
				      "internship: '%s' is not an action on an application (accept, decline, waitlist, withdraw)",
				      action);
	if ((m = application_of(node->store, aid, &e)) == NULL)
		return e;
	o = my_offer(node, m->offer_id, &e);
	if (o == NULL || apps_load(node->store, &a, m->offer_id) != 0) {
		mentorfed__internship_application__free_unpacked(m, NULL);
		if (o)
			mentorfed__internship_offer__free_unpacked(o, NULL);
		return e ? e : mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.v[i].id, aid) == 0)
			p = &a.v[i];
	/* the records layer checks the transition and the places, with the
	 * numbers (lifecycle.c); only a repeat of the decision a withdrawn
	 * application still carries would pass there as unchanged */
	if (p == NULL)
		rep = mf_reply_error(EX_DATAERR, "application %s not found", aid);
	else if (p->state == MF_APP_WITHDRAWN)
		rep = mf_reply_error(EX_DATAERR,
				     "the application %s is withdrawn; it is final: nobody may change it", aid);
	else
		rep = write_decision(node, p, d,
				     reason ? reason :
				     d == MENTORFED__DECISION__DECISION_ACCEPTED ? "accepted by the host" :
				     d == MENTORFED__DECISION__DECISION_DECLINED ? "declined by the host" :
				     "put on the waiting list by the host");
	apps_free(&a);
	mentorfed__internship_application__free_unpacked(m, NULL);
	mentorfed__internship_offer__free_unpacked(o, NULL);
	return rep;
}

/* ---------------------------------------------------------------- offers list */

typedef struct offers_ctx {
	json_t *data, *rows;
	int dirmask[MF_EX_NDIRS], any_dir;
	const char *month, *region;
	mf_store *st;
	const apps *a;
} offers_ctx;

static int
label_cb(void *arg, const mf_school_row *r)
{
	char **name = arg;

	if (*r->name)
		*name = mf_xstrdup(r->name);
	return 0;
}

/* A school's name from the school index, or its id (allocated). */
static char *
school_label(mf_store *st, const char *id)
{
	char *name = NULL;

	if (id && *id)
		mf_store_school(st, id, label_cb, &name);
	return name ? name : mf_xstrdup(id ? id : "");
}

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
	char reg[MF_REGION_MAX], dt[256], dates[128] = "", places[48], *host;
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
	if (mf_offer_state_of(o->state) != MF_OFFER_OPEN)
		snprintf(places, sizeof(places), "%s", mf_offer_state_name(mf_offer_state_of(o->state)));
	json_array_append_new(c->data,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:b}", "offer", r->id,
					"state", mf_offer_state_name(mf_offer_state_of(o->state)),
					"region", reg, "host", o->host_school_id, "title", o->title,
					"directions",
					mf_ex_dirs_json((const int *)o->directions, o->n_directions),
					"dates", dates, "places", (json_int_t)o->places, "places_left",
					(json_int_t)left, "open_to_other_regions",
					o->open_to_other_regions));
	host = school_label(c->st, o->host_school_id);
	json_array_append_new(c->rows,
			      json_pack("[s,s,s,s,s,s,s,s]", r->id, reg, host, o->title, dt, dates,
					places, o->open_to_other_regions ? "yes" : "no"));
	free(host);
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
	apps a;
	char err[512], dname[64] = "";
	int ndirs = 0, rc;

	memset(&c, 0, sizeof(c));
	if (json_is_array(dirs) && json_array_size(dirs) > 0) {
		if (mf_ex_dirs_parse(dirs, c.dirmask, err, sizeof(err)) != 0)
			return mf_reply_error(EX_USAGE, "%s", err);
		c.any_dir = 1;
		for (int k = 1; k < MF_EX_NDIRS; k++)
			if (c.dirmask[k] && ndirs++ == 0 &&
			    mf_enum_ident(&mentorfed__direction__descriptor, k, dname,
					  sizeof(dname)) == NULL)
				ndirs = 2;	/* no identifier: filter on the body only */
	}
	c.month = json_string_value(json_object_get(req, "month"));
	c.region = json_string_value(json_object_get(req, "region"));
	if (c.month && (strlen(c.month) != 7 || c.month[4] != '-'))
		return mf_reply_error(EX_USAGE, "--month: expected YYYY-MM, got '%s'", c.month);
	if (apps_load(node->store, &a, NULL) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	t = mf_ex_table("internship offers", cols);
	c.data = json_array();
	c.rows = json_object_get(t, "rows");
	c.st = node->store;
	c.a = &a;
	/*
	 * Through the indexes: a month is a range of the dates index (an
	 * offer's earliest..latest date overlapping it), one direction a range
	 * of the direction index; offer_matches then checks every filter on
	 * the body, so that an offer whose intervals leave a gap over the
	 * month, or that has another of several directions, is judged as
	 * before.  Id order either way.
	 */
	if (c.month) {
		char lo[11], hi[11];

		snprintf(lo, sizeof(lo), "%.7s-01", c.month);
		snprintf(hi, sizeof(hi), "%.7s-31", c.month);
		rc = mf_store_each_dated(node->store, "internship_offer", lo, hi,
					 ndirs == 1 ? dname : NULL, offer_cb, &c);
	} else {
		rc = mf_store_each_dated(node->store, "internship_offer", NULL, NULL,
					 ndirs == 1 ? dname : NULL, offer_cb, &c);
	}
	apps_free(&a);
	if (rc < 0) {
		json_decref(c.data);
		json_decref(t);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	return mf_ex_reply(c.data, json_pack("[o]", t));
}

static void
app_row(const apps *a, const app *p, const mf_ex_schools *sc, json_t *data, json_t *rows)
{
	char reg[MF_REGION_MAX], np[24], gr[24], st[48];
	json_t *dj;
	size_t pos = mf_lc_waiting_position(a, p->id);
	uint64_t granted = p->state == MF_APP_ACCEPTED ? p->granted : 0;

	mf_ex_region_of(p->id, reg);
	snprintf(np, sizeof(np), "%" PRIu64, p->participants);
	snprintf(gr, sizeof(gr), "%" PRIu64, granted);
	if (pos)
		snprintf(st, sizeof(st), "waitlisted (%zu)", pos);
	else
		snprintf(st, sizeof(st), "%s", mf_app_state_name(p->state));
	dj = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s}", "application",
		       p->id, "region", reg, "school", p->school,
		       "participants", (json_int_t)p->participants, "decision",
		       mf_app_state_name(p->state), "waiting_position", (json_int_t)pos,
		       "places_granted", (json_int_t)granted, "reason",
		       p->reason ? p->reason : "");
	/* the decision's record holds the English only (from this node or a
	 * peer): recognised here into reason_code and reason_args */
	mf_reason_annotate(dj, "reason");
	json_array_append_new(data, dj);
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s]", p->id, reg,
					      mf_ex_school_label(sc, p->school), np, st, gr,
					      p->reason ? p->reason : ""));
}

json_t *
mf_exchange_offer_show(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "APPLICATION", "REGION", "SCHOOL", "PARTICIPANTS",
					    "STATE", "GRANTED", "REASON", NULL };
	static const char *const wcols[] = { "POSITION", "APPLICATION", "SCHOOL", "PARTICIPANTS", NULL };
	const char *offer = json_string_value(json_object_get(req, "offer"));
	mf_record *r = mf_ex_get_kind(node->store, offer, "internship_offer");
	Mentorfed__InternshipOffer *o;
	json_t *data, *t, *w, *body;
	mf_ex_schools sc;
	uint64_t taken;
	size_t pos = 0;
	apps a;
	int state;

	if (r == NULL)
		return mf_reply_error(EX_DATAERR, "no internship offer %s", offer ? offer : "(none given)");
	body = mf_record_json(r);
	o = (Mentorfed__InternshipOffer *)mf_ex_unpack(r, &mentorfed__internship_offer__descriptor);
	mf_record_free(r);
	state = mf_offer_state_of(o ? o->state : 0);
	if (mf_ex_schools_load(node->store, &sc) != 0) {
		json_decref(body);
		if (o)
			mentorfed__internship_offer__free_unpacked(o, NULL);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	if (apps_load(node->store, &a, offer) != 0) {
		json_decref(body);
		if (o)
			mentorfed__internship_offer__free_unpacked(o, NULL);
		mf_ex_schools_free(&sc);
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	}
	taken = places_taken(&a, offer);
	data = json_pack("{s:o, s:s, s:I, s:I, s:I, s:[], s:[]}", "offer", body, "state",
			 mf_offer_state_name(state), "places", (json_int_t)(o ? o->places : 0),
			 "places_taken", (json_int_t)taken, "places_left",
			 (json_int_t)places_left(o ? o->places : 0, taken), "applications",
			 "waiting_list");
	if (o)
		mentorfed__internship_offer__free_unpacked(o, NULL);
	t = mf_ex_table("applications (in submission order)", cols);
	w = mf_ex_table("waiting list (accepted in this order when places free)", wcols);
	for (size_t i = 0; i < a.n; i++) {
		const app *p = &a.v[i];
		char ps[24], np[24];
		app_row(&a, p, &sc, json_object_get(data, "applications"), json_object_get(t, "rows"));
		if (p->state != MF_APP_WAITLISTED)
			continue;
		snprintf(ps, sizeof(ps), "%zu", ++pos);
		snprintf(np, sizeof(np), "%" PRIu64, p->participants);
		json_array_append_new(json_object_get(data, "waiting_list"),
				      json_pack("{s:I, s:s, s:s, s:I}", "position", (json_int_t)pos,
						"application", p->id, "school", p->school,
						"participants", (json_int_t)p->participants));
		json_array_append_new(json_object_get(w, "rows"),
				      json_pack("[s,s,s,s]", ps, p->id, mf_ex_school_label(&sc, p->school), np));
	}
	apps_free(&a);
	mf_ex_schools_free(&sc);
	if (pos == 0) {	/* no waiting list: no empty table */
		json_decref(w);
		return mf_ex_reply(data, json_pack("[o]", t));
	}
	return mf_ex_reply(data, json_pack("[o,o]", t, w));
}
