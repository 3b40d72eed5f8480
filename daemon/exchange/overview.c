/*
 * overview.c — the federation overview: per region, its schools, league
 * members, cards, practices by form, pairs, offers, applications and when
 * its records last arrived.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "exchange.h"
#include "exchange_int.h"
#include "reply.h"
#include "util.h"

static int
practice_cb(void *arg, const mf_record *r)
{
	json_t *by_region = arg;	/* region -> {form: n} */
	Mentorfed__MentoringPractice *m = (Mentorfed__MentoringPractice *)mf_ex_unpack(
		r, &mentorfed__mentoring_practice__descriptor);
	char reg[MF_REGION_MAX], fn[64];
	json_t *o;

	if (m == NULL)
		return 0;
	mf_ex_region_of(r->id, reg);
	if ((o = json_object_get(by_region, reg)) == NULL) {
		o = json_object();
		json_object_set_new(by_region, reg, o);
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

/* When the region's records last arrived, "YYYY-MM-DD HH:MM:SS" or "-". */
static void
last_arrived(mf_store *st, const char *reg, char when[32])
{
	char key[48];
	int64_t arrived;

	snprintf(key, sizeof(key), "arrived:%s", reg);
	arrived = mf_store_meta_get_i64(st, key, 0);
	mf_strlcpy(when, "-", 32);
	if (arrived > 0) {
		time_t tt = (time_t)(arrived / 1000);
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(when, 32, "%Y-%m-%d %H:%M:%S", &tm);
	}
}

/* One region's line: a data object and a table row. */
static void
region_add(mf_store *st, const char *reg, const mf_ex_schools *sc, json_t *pf, json_t *data,
	   json_t *rows)
{
	static const char *const kinds[] = { "school", "competency_card", "mentoring_pair",
					     "internship_offer", "internship_application" };
	int64_t c[5], league = 0;
	char when[32], forms[256] = "", n[6][24];
	const char *k;
	json_t *v;

	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].region, reg) == 0 && sc->v[i].league)
			league++;
	for (int i = 0; i < 5; i++)
		c[i] = mf_store_count(st, kinds[i], reg, 0);
	last_arrived(st, reg, when);
	json_object_foreach(pf, k, v)
		snprintf(forms + strlen(forms), sizeof(forms) - strlen(forms), "%s%s %lld",
			 forms[0] ? ", " : "", k, (long long)json_integer_value(v));
	json_array_append_new(data, json_pack("{s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:s}",
					      "region", reg, "schools", (json_int_t)c[0],
					      "league_members", (json_int_t)league, "cards",
					      (json_int_t)c[1], "practices_by_form",
					      pf ? json_incref(pf) : json_object(), "pairs",
					      (json_int_t)c[2], "offers", (json_int_t)c[3],
					      "applications", (json_int_t)c[4], "last_arrived", when));
	snprintf(n[0], sizeof(n[0]), "%lld", (long long)c[0]);
	snprintf(n[1], sizeof(n[1]), "%lld", (long long)league);
	snprintf(n[2], sizeof(n[2]), "%lld", (long long)c[1]);
	snprintf(n[3], sizeof(n[3]), "%lld", (long long)c[2]);
	snprintf(n[4], sizeof(n[4]), "%lld", (long long)c[3]);
	snprintf(n[5], sizeof(n[5]), "%lld", (long long)c[4]);
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s,s,s,s]", reg, n[0], n[1], n[2],
					      forms[0] ? forms : "-", n[3], n[4], n[5], when));
}

json_t *
mf_exchange_overview(mf_node *node, json_t *req)
{
	static const char *const cols[] = { "REGION", "SCHOOLS", "LEAGUE", "CARDS", "PRACTICES BY FORM",
					    "PAIRS", "OFFERS", "APPLICATIONS", "LAST ARRIVED (UTC)", NULL };
	mf_store *st = node->store;
	json_t *origins, *data, *t, *by_region, *o;
	mf_ex_schools sc;
	size_t i;

	(void)req;
	if (mf_ex_schools_load(st, &sc) != 0)
		return mf_reply_error(EX_SOFTWARE, "store read failed");
	origins = json_array();
	by_region = json_object();
	mf_store_vv_each(st, origin_cb, origins);
	mf_store_each_kind(st, "mentoring_practice", practice_cb, by_region);
	data = json_array();
	t = mf_ex_table("federation overview", cols);
	json_array_foreach(origins, i, o)
		region_add(st, json_string_value(o), &sc, json_object_get(by_region, json_string_value(o)),
			   data, json_object_get(t, "rows"));
	json_decref(origins);
	json_decref(by_region);
	mf_ex_schools_free(&sc);
	return mf_ex_reply(data, json_pack("[o]", t));
}
