/*
 * cmd_web.c — the control commands behind mentorfed-web's pages (see
 * cmd_web.h).  Each answers one page in one request: the web holds no
 * store handle, and a page built from many `list` calls would send the
 * whole store over the socket for every search.
 *
 * Schools are read from the store's school index and a school's page from
 * its reference index (schema 2, issue 14): neither decodes the bodies of
 * the federation to answer (bench/QUERIES.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "proto/records.pb-c.h"

#include "cmd_web.h"
#include "i18n.h"
#include "json.h"
#include "kinds.h"
#include "reply.h"
#include "store.h"
#include "sync.h"
#include "util.h"

#define WEB_SCHOOLS_LIMIT_MAX 500

/* ------------------------------------------------------------- schools */

/*
 * The schools come from the store's school index (schema 2): name, short
 * name folded into one column, municipality, region, League membership;
 * no body is decoded.  A copy is kept here until the store changes: a
 * substring of a name has no B-tree index, and strstr over the copy (3 ms
 * at 80,000 schools) is 15 times faster than instr() over the table; the
 * copy is rebuilt from the index (~40 ms), not from the bodies (~1 s).
 * The store changed when the sum of its version vector did (every write,
 * local or applied, takes a new seq of its origin).
 */
typedef struct school_ix {
	char *id, *name, *short_name, *municipality, *region, *fname;
	int league;
} school_ix;

static struct {
	uint64_t gen;
	int valid;
	school_ix *v;
	size_t n, cap;
	json_t *munis, *regions;	/* sorted arrays */
} schools;

static int
gen_cb(void *arg, const char *origin, uint64_t seq)
{
	uint64_t *g = arg;

	(void)origin;
	*g += seq;
	return 0;
}

/* The store's generation: changes with every new version. */
static uint64_t
store_gen(mf_store *st)
{
	uint64_t g = 0;

	mf_store_vv_each(st, gen_cb, &g);
	return g;
}

static void
schools_clear(void)
{
	for (size_t i = 0; i < schools.n; i++) {
		school_ix *x = &schools.v[i];

		free(x->id);
		free(x->name);
		free(x->short_name);
		free(x->municipality);
		free(x->region);
		free(x->fname);
	}
	free(schools.v);
	json_decref(schools.munis);
	json_decref(schools.regions);
	memset(&schools, 0, sizeof(schools));
}

static int
school_cb(void *arg, const mf_school_row *r)
{
	school_ix *x;

	(void)arg;
	if (schools.n == schools.cap) {
		schools.cap = schools.cap ? 2 * schools.cap : 1024;
		schools.v = mf_xrealloc(schools.v, schools.cap * sizeof(*schools.v));
	}
	x = &schools.v[schools.n++];
	x->id = mf_xstrdup(r->id);
	x->name = mf_xstrdup(r->name);
	x->short_name = mf_xstrdup(r->short_name);
	x->municipality = mf_xstrdup(r->municipality);
	x->region = mf_xstrdup(r->region);
	x->fname = mf_xstrdup(r->fname);
	x->league = r->league;
	return 0;
}

static int
value_cb(void *arg, const char *v)
{
	json_array_append_new(arg, json_string(v));
	return 0;
}

/* The copy, rebuilt when the store changed; 0 or -1. */
static int
schools_index(mf_store *st)
{
	uint64_t g = store_gen(st);

	if (schools.valid && schools.gen == g)
		return 0;
	schools_clear();
	schools.munis = json_array();
	schools.regions = json_array();
	if (mf_store_schools(st, NULL, NULL, NULL, school_cb, NULL) != 0 ||
	    mf_store_school_values(st, 0, value_cb, schools.munis) != 0 ||
	    mf_store_school_values(st, 1, value_cb, schools.regions) != 0) {
		schools_clear();
		return -1;
	}
	schools.gen = g;
	schools.valid = 1;
	return 0;
}

json_t *
mf_cmd_web_schools(mf_daemon *d, json_t *req)
{
	const char *league = mf_json_str(req, "league"), *mun = mf_json_str(req, "municipality");
	const char *reg = mf_json_str(req, "region");
	json_t *rep, *out, *lim = json_object_get(req, "limit"), *off = json_object_get(req, "offset");
	int want = strcmp(league, "yes") == 0 ? 1 : strcmp(league, "no") == 0 ? 0 : -1;
	size_t limit, offset, total = 0;
	char *q;

	if (schools_index(d->node->store) != 0)
		return mf_reply_error(EX_SOFTWARE, "web_schools: store read failed");
	limit = json_is_integer(lim) && json_integer_value(lim) > 0 &&
			json_integer_value(lim) <= WEB_SCHOOLS_LIMIT_MAX ?
		(size_t)json_integer_value(lim) : 50;
	offset = json_is_integer(off) && json_integer_value(off) > 0 ?
		 (size_t)json_integer_value(off) : 0;
	q = mf_fold(mf_json_str(req, "q"));
	out = json_array();
	for (size_t i = 0; i < schools.n; i++) {
		school_ix *x = &schools.v[i];

		if ((*mun && strcmp(mun, x->municipality) != 0) || (*reg && strcmp(reg, x->region) != 0) ||
		    (want >= 0 && want != x->league))
			continue;
		/* fname holds both folded names, "\n" apart */
		if (*q && strstr(x->fname, q) == NULL)
			continue;
		if (total >= offset && total < offset + limit)
			json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", x->id,
							     "name", x->name, "short_name",
							     x->short_name, "municipality",
							     x->municipality, "region", x->region,
							     "league", x->league));
		total++;
	}
	free(q);
	rep = mf_reply_ok();
	json_object_set_new(rep, "schools", out);
	json_object_set_new(rep, "total", json_integer((json_int_t)total));
	json_object_set_new(rep, "municipalities", json_incref(schools.munis));
	json_object_set_new(rep, "regions", json_incref(schools.regions));
	return rep;
}

/* -------------------------------------------------------- a school's page */

typedef struct school_page {
	const char *id;
	json_t *cards, *diag, *practices, *pairs, *offers, *apps, *decisions;
	json_t *app_ids;	/* set: applications of or to this school */
	json_t *offer_ids;	/* set: this school's offers */
	json_t *refs;		/* set: ids whose names the page shows */
} school_page;

static json_t *
rec_json(const mf_record *r)
{
	json_t *j = mf_body_to_json(r->kind, r->body, r->body_len);

	return json_pack("{s:s,s:s,s:s,s:o}", "id", r->id, "kind", r->kind, "origin", r->origin,
			 "body", j ? j : json_object());
}

/* 1 when the body's bytes hold s: a reference is stored as the id's text,
 * so a record without it cannot refer to s — skip decoding it (the school
 * page scans every card and practice of the federation). */
static int
body_has(const mf_record *r, const char *s)
{
	return memmem(r->body, r->body_len, s, strlen(s)) != NULL;
}

/* body_has for any key of the set. */
static int
body_has_any(const mf_record *r, json_t *set)
{
	const char *k;
	json_t *v;

	json_object_foreach(set, k, v)
		if (body_has(r, k))
			return 1;
	return 0;
}

static int
page_cb(void *arg, const mf_record *r)
{
	school_page *p = arg;
	json_t *j, *b;
	const char *k = r->kind;

	if (!body_has(r, p->id))
		return 0;
	j = rec_json(r);
	b = json_object_get(j, "body");

#define IS(f) (strcmp(mf_json_str(b, f), p->id) == 0)
	if (strcmp(k, "competency_card") == 0 && IS("school_id")) {
		json_array_append(p->cards, j);
	} else if (strcmp(k, "self_diagnosis") == 0 && IS("school_id")) {
		json_array_append(p->diag, j);
	} else if (strcmp(k, "mentoring_practice") == 0 && IS("school_id")) {
		json_array_append(p->practices, j);
	} else if (strcmp(k, "mentoring_pair") == 0 && (IS("mentor_school_id") || IS("mentee_school_id"))) {
		json_array_append(p->pairs, j);
		json_object_set_new(p->refs, mf_json_str(b, "mentor_school_id"), json_true());
		json_object_set_new(p->refs, mf_json_str(b, "mentee_school_id"), json_true());
	} else if (strcmp(k, "internship_offer") == 0 && IS("host_school_id")) {
		json_array_append(p->offers, j);
		json_object_set_new(p->offer_ids, r->id, json_true());
	}
#undef IS
	json_decref(j);
	return 0;
}

/* Applications of this school, and to its offers (second pass: the
 * offers are known by then). */
static int
app_cb(void *arg, const mf_record *r)
{
	school_page *p = arg;
	json_t *j, *b, *o;
	const char *offer;
	int ours;
	size_t i;

	if (strcmp(r->kind, "internship_application") != 0 || json_object_get(p->app_ids, r->id) ||
	    (!body_has(r, p->id) && !body_has_any(r, p->offer_ids)))
		return 0;
	j = rec_json(r);
	b = json_object_get(j, "body");
	offer = mf_json_str(b, "offer_id");
	ours = strcmp(mf_json_str(b, "applicant_school_id"), p->id) == 0;

	json_array_foreach(p->offers, i, o)
		if (strcmp(mf_json_str(o, "id"), offer) == 0)
			ours = 1;
	if (ours) {
		json_array_append(p->apps, j);
		json_object_set_new(p->app_ids, r->id, json_true());
		json_object_set_new(p->refs, offer, json_true());
		json_object_set_new(p->refs, mf_json_str(b, "applicant_school_id"), json_true());
	}
	json_decref(j);
	return 0;
}

static int
decision_cb(void *arg, const mf_record *r)
{
	school_page *p = arg;
	json_t *j, *b;

	if (strcmp(r->kind, "internship_decision") != 0 || !body_has_any(r, p->app_ids))
		return 0;
	j = rec_json(r);
	b = json_object_get(j, "body");

	if (json_object_get(p->app_ids, mf_json_str(b, "application_id")))
		json_array_append(p->decisions, j);
	json_decref(j);
	return 0;
}

/* The display name of a record. */
static char *
record_name(mf_store *st, const char *id)
{
	static const char *const keys[] = { "name", "title", "short_name", "indicator" };
	mf_record *r = mf_store_get(st, id);
	json_t *b;
	char *name = NULL;

	if (r == NULL)
		return NULL;
	if ((b = mf_body_to_json(r->kind, r->body, r->body_len)) != NULL) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && name == NULL; i++) {
			const char *v = json_string_value(json_object_get(b, keys[i]));

			if (v && *v)
				name = mf_xstrdup(v);
		}
		json_decref(b);
	}
	mf_record_free(r);
	return name;
}

static json_t *
names_of(mf_store *st, json_t *ids_set)
{
	json_t *names = json_object(), *v;
	const char *id;

	json_object_foreach(ids_set, id, v) {
		char *n;

		if (*id == '\0' || (n = record_name(st, id)) == NULL)
			continue;
		json_object_set_new(names, id, json_string(n));
		free(n);
	}
	return names;
}

/* Call fn for every live record that refers to target: the store's
 * reference index (a pair under both its schools, an application under
 * its school and its offer, a decision under its application). */
static void
each_ref(mf_store *st, const char *target, int (*fn)(void *, const mf_record *), void *arg)
{
	mf_store_each_ref(st, target, NULL, fn, arg);
}

json_t *
mf_cmd_web_school(mf_daemon *d, json_t *req)
{
	mf_store *st = d->node->store;
	const char *id = mf_json_str(req, "id"), *k;
	mf_record *r = mf_store_get(st, id);
	school_page p;
	json_t *rep, *v;

	if (r == NULL || r->deleted || strcmp(r->kind, "school") != 0) {
		mf_record_free(r);
		return mf_reply_error(EX_NOINPUT, "web_school: no school %s", id);
	}
	memset(&p, 0, sizeof(p));
	p.id = id;
	p.cards = json_array();
	p.diag = json_array();
	p.practices = json_array();
	p.pairs = json_array();
	p.offers = json_array();
	p.apps = json_array();
	p.decisions = json_array();
	p.app_ids = json_object();
	p.offer_ids = json_object();
	p.refs = json_object();
	/* cards, diagnoses, practices, pairs, offers; then the applications
	 * of the school and to its offers; then their decisions */
	each_ref(st, id, page_cb, &p);
	each_ref(st, id, app_cb, &p);
	json_object_foreach(p.offer_ids, k, v)
		each_ref(st, k, app_cb, &p);
	json_object_foreach(p.app_ids, k, v)
		each_ref(st, k, decision_cb, &p);
	rep = mf_reply_ok();
	json_object_set_new(rep, "school", rec_json(r));
	json_object_set_new(rep, "cards", json_incref(p.cards));
	json_object_set_new(rep, "self_diagnosis", json_incref(p.diag));
	json_object_set_new(rep, "practices", json_incref(p.practices));
	json_object_set_new(rep, "pairs", json_incref(p.pairs));
	json_object_set_new(rep, "offers", json_incref(p.offers));
	json_object_set_new(rep, "applications", json_incref(p.apps));
	json_object_set_new(rep, "decisions", json_incref(p.decisions));
	json_object_set_new(rep, "names", names_of(st, p.refs));
	mf_record_free(r);
	json_decref(p.cards);
	json_decref(p.diag);
	json_decref(p.practices);
	json_decref(p.pairs);
	json_decref(p.offers);
	json_decref(p.apps);
	json_decref(p.decisions);
	json_decref(p.app_ids);
	json_decref(p.offer_ids);
	json_decref(p.refs);
	return rep;
}

/* ----------------------------------------------------------- federation */

/*
 * Counts by kind of each origin, kept while the origin's seq stays the
 * same: counting 100,000 records on every view of the page would cost
 * ~200 ms, and an origin's counts change only with a new version of it.
 */
static json_t *fed_cache;	/* origin -> {seq, by_kind, records, tombstones} */

typedef struct fed {
	mf_daemon *d;
	json_t *regions;
} fed;

static json_t *
origin_counts(mf_store *st, const char *origin, uint64_t seq)
{
	json_t *c = json_object_get(fed_cache, origin), *bk;
	int64_t total = 0;

	if (c && (uint64_t)json_integer_value(json_object_get(c, "seq")) == seq)
		return c;
	bk = json_object();
	for (size_t k = 0; mf_kind_names[k] != NULL; k++) {
		int64_t n = mf_store_count(st, mf_kind_names[k], origin, 0);

		if (n > 0) {
			json_object_set_new(bk, mf_kind_names[k], json_integer(n));
			total += n;
		}
	}
	c = json_pack("{s:I,s:o,s:I,s:I}", "seq", (json_int_t)seq, "by_kind", bk, "records",
		      (json_int_t)total, "tombstones",
		      (json_int_t)mf_store_count(st, NULL, origin, 1));
	json_object_set_new(fed_cache, origin, c);
	return c;
}

static int
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	fed *f = arg;
	mf_store *st = f->d->node->store;
	mf_config *cfg = f->d->node->cfg;
	json_t *c = origin_counts(st, origin, seq), *o;
	const char *name = "";
	char key[64], when[32] = "";
	int64_t arrived;

	for (size_t i = 0; i < cfg->n_regions; i++)
		if (strcmp(cfg->regions[i].code, origin) == 0 && cfg->regions[i].name)
			name = cfg->regions[i].name;
	snprintf(key, sizeof(key), "arrived:%s", origin);
	arrived = mf_store_meta_get_i64(st, key, 0);
	if (arrived > 0) {
		time_t tt = (time_t)(arrived / 1000);
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	o = json_pack("{s:s,s:s,s:I,s:O,s:O,s:O,s:I}", "region", origin, "name", name, "seq",
		      (json_int_t)seq, "records", json_object_get(c, "records"), "tombstones",
		      json_object_get(c, "tombstones"), "by_kind", json_object_get(c, "by_kind"),
		      "forks", (json_int_t)mf_store_forks(st, origin));
	json_object_set_new(o, "last_arrived", when[0] ? json_string(when) : json_null());
	json_object_set_new(o, "last_arrived_ms", json_integer((json_int_t)arrived));
	json_array_append_new(f->regions, o);
	return 0;
}

json_t *
mf_cmd_web_federation(mf_daemon *d, json_t *req)
{
	fed f = { d, json_array() };
	json_t *rep;

	(void)req;
	if (fed_cache == NULL)
		fed_cache = json_object();
	if (mf_store_vv_each(d->node->store, origin_cb, &f) != 0) {
		json_decref(f.regions);
		return mf_reply_error(EX_SOFTWARE, "web_federation: store read failed");
	}
	rep = mf_reply_ok();
	json_object_set_new(rep, "region", json_string(d->node->cfg->region));
	json_object_set_new(rep, "regions", f.regions);
	json_object_set_new(rep, "writes_refused", json_string(d->node->writes_refused));
	json_object_set_new(rep, "forks", json_integer(mf_store_forks(d->node->store, NULL)));
	/* the links, as `status` gives them (without its store-wide counts) */
	if (d->sync)
		json_object_set_new(rep, "sync", mf_sync_status(d->sync));
	return rep;
}

json_t *
mf_cmd_web_names(mf_daemon *d, json_t *req)
{
	json_t *ids = json_object_get(req, "ids"), *set = json_object(), *v, *rep;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_is_string(v) && i < 1000)
			json_object_set_new(set, json_string_value(v), json_true());
	rep = mf_reply_ok();
	json_object_set_new(rep, "names", names_of(d->node->store, set));
	json_decref(set);
	return rep;
}

/* ------------------------------------------------------------- calendar */

static int
cal_cb(void *arg, const mf_record *r)
{
	json_t *out = arg, *b = mf_body_to_json(r->kind, r->body, r->body_len), *e = NULL;

	if (b == NULL)
		return 0;
	if (strcmp(r->kind, "event") == 0 && *mf_json_str(b, "date")) {
		e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", mf_json_str(b, "type"), "title",
			      mf_json_str(b, "title"), "from", mf_json_str(b, "date"), "to",
			      mf_json_str(b, "date"), "where", mf_json_str(b, "organiser"));
	} else if (strcmp(r->kind, "internship_offer") == 0) {
		json_t *dt = json_array_get(json_object_get(b, "dates"), 0);
		size_t n = json_array_size(json_object_get(b, "dates"));
		json_t *last = json_array_get(json_object_get(b, "dates"), n ? n - 1 : 0);

		if (dt && strcmp(mf_json_str(b, "state"), "cancelled") != 0)
			e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "internship", "title",
				      mf_json_str(b, "title"), "from", mf_json_str(dt, "from"), "to",
				      mf_json_str(last, "to"), "where", mf_json_str(b, "host_school_id"));
	} else if (strcmp(r->kind, "roadmap_item") == 0) {
		json_t *iv = json_object_get(json_object_get(b, "timing"), "intervals");
		json_t *last = json_array_get(iv, json_array_size(iv) ? json_array_size(iv) - 1 : 0);

		/* a deadline: the last day of the item's last interval */
		if (last && *mf_json_str(last, "to"))
			e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "deadline", "title",
				      mf_json_str(b, "title"), "from", mf_json_str(last, "to"), "to",
				      mf_json_str(last, "to"), "where", mf_json_str(b, "lead"));
	}
	if (e) {
		json_object_set_new(e, "id", json_string(r->id));
		json_object_set_new(e, "region", json_string(r->origin));
		json_array_append_new(out, e);
	}
	json_decref(b);
	return 0;
}

json_t *
mf_cmd_web_calendar(mf_daemon *d, json_t *req)
{
	json_t *out = json_array(), *rep;
	int rc = 0;

	(void)req;
	rc |= mf_store_each(d->node->store, "event", NULL, 0, cal_cb, out);
	rc |= mf_store_each(d->node->store, "internship_offer", NULL, 0, cal_cb, out);
	rc |= mf_store_each(d->node->store, "roadmap_item", NULL, 0, cal_cb, out);
	if (rc) {
		json_decref(out);
		return mf_reply_error(EX_SOFTWARE, "web_calendar: store read failed");
	}
	rep = mf_reply_ok();
	json_object_set_new(rep, "entries", out);
	return rep;
}
