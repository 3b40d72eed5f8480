/*
 * roadmap.c — judging roadmaps at a date (see roadmap.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "json.h"
#include "roadmap.h"
#include "datexpr.h"
#include "util.h"

#define MAX_IV 64

static enum mf_item_status
status_of_name(const char *s)
{
	static const char *const names[] = { "unspecified", "planned", "in_progress", "done",
					     "overdue", "continuous", "unknown" };
	for (int i = 0; s && i < 7; i++)
		if (strcmp(s, names[i]) == 0)
			return (enum mf_item_status)i;
	return MF_STATUS_UNSPECIFIED;
}

static void
copy_if(json_t *dst, json_t *src, const char *k)
{
	json_t *v = json_object_get(src, k);

	if (v)
		json_object_set(dst, k, v);
}

/* Natural order of item numbers: "2" < "10", "1.2" < "1.10". */
static int
numcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (*a != 0) - (*b != 0);
}

static int
item_cmp(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int oa = strcmp(mf_json_str(a, "status"), "overdue") == 0;
	int ob = strcmp(mf_json_str(b, "status"), "overdue") == 0;
	int c;

	if (oa != ob)
		return oa ? -1 : 1;
	c = numcmp(mf_json_str(a, "number"), mf_json_str(b, "number"));
	if (c)
		return c;
	return strcmp(mf_json_str(a, "id"), mf_json_str(b, "id"));
}

static json_t *
sorted(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v, *out = json_array();

	if (n == 0)
		return out;
	v = mf_xmalloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), item_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* The latest report on item_id dated on/before at; *done set when any such
 * report says done with non-empty evidence. */
static json_t *
reports_for(json_t *reports, const char *item_id, const char *at, int *done)
{
	json_t *latest = NULL, *r;
	size_t i;

	*done = 0;
	json_array_foreach(reports, i, r) {
		json_t *b = json_object_get(r, "body"), *ev, *e;
		const char *asof = mf_json_str(b, "as_of");
		size_t k;
		if (strcmp(mf_json_str(b, "item_id"), item_id) != 0)
			continue;
		if (asof[0] && strcmp(asof, at) > 0)
			continue;
		if (latest == NULL || strcmp(asof, mf_json_str(json_object_get(latest, "body"), "as_of")) >= 0)
			latest = r;
		if (strcmp(mf_json_str(b, "status"), "done") != 0)
			continue;
		ev = json_object_get(b, "evidence");
		json_array_foreach(ev, k, e) {
			const char *s = json_string_value(e);
			while (s && isspace((unsigned char)*s))
				s++;
			if (s && *s)
				*done = 1;
		}
	}
	return latest;
}

static json_t *
judge_item(json_t *rec, json_t *roadmap_body, json_t *reports, mf_date at, const char *at_s,
	   enum mf_item_status (*model)(const mf_item_view *, mf_date))
{
	json_t *b = json_object_get(rec, "body"), *t = json_object_get(b, "timing");
	json_t *ivs = json_object_get(t, "intervals"), *iv, *out, *rep;
	mf_interval buf[MAX_IV];
	mf_item_view v;
	size_t i;
	int done;
	enum mf_item_status st, gen;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.number = mf_json_str(b, "number");
	v.timing_raw = mf_json_str(t, "raw");
	v.continuous = json_is_true(json_object_get(t, "continuous"));
	v.uncertain = json_is_true(json_object_get(t, "uncertain"));
	json_array_foreach(ivs, i, iv) {
		if (v.n_iv == MAX_IV ||
		    mf_date_parse(mf_json_str(iv, "from"), &buf[v.n_iv].from) != 0 ||
		    mf_date_parse(mf_json_str(iv, "to"), &buf[v.n_iv].to) != 0 ||
		    mf_date_cmp(buf[v.n_iv].from, buf[v.n_iv].to) > 0) {
			v.uncertain = 1;   /* a stored interval we cannot read */
			break;
		}
		v.n_iv++;
	}
	v.iv = buf;
	if (roadmap_body) {
		mf_date_parse(mf_json_str(roadmap_body, "period_from"), &v.period_from);
		mf_date_parse(mf_json_str(roadmap_body, "period_to"), &v.period_to);
	}
	rep = reports_for(reports, mf_json_str(rec, "id"), at_s, &done);
	v.done_reported = done;
	v.reported = rep ? status_of_name(mf_json_str(json_object_get(rep, "body"), "status")) :
		     MF_STATUS_UNSPECIFIED;
	gen = mf_roadmap_generic_status(&v, at);
	st = model ? model(&v, at) : gen;
	if (st < MF_STATUS_PLANNED || st > MF_STATUS_UNKNOWN ||
	    (st == MF_STATUS_DONE && !v.done_reported))
		st = gen;   /* a model may not claim done without evidence */
	if (v.uncertain && st != MF_STATUS_DONE)
		st = MF_STATUS_UNKNOWN;

	out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b}", "id", mf_json_str(rec, "id"),
			"number", v.number, "section", mf_json_str(b, "section"), "title", mf_json_str(b, "title"),
			"timing_raw", v.timing_raw, "status", mf_item_status_name(st),
			"continuous", v.continuous, "uncertain", v.uncertain);
	if (out == NULL)
		return NULL;
	if (ivs)
		json_object_set(out, "intervals", ivs);
	else
		json_object_set_new(out, "intervals", json_array());
	copy_if(out, b, "lead");
	copy_if(out, b, "co_executors");
	copy_if(out, b, "expected_result");
	if (rep)
		json_object_set(out, "report", json_object_get(rep, "body"));
	return out;
}

static json_t *
judge_target(json_t *rec, const char *at_s)
{
	json_t *b = json_object_get(rec, "body"), *out;
	double value = json_number_value(json_object_get(b, "value"));
	double actual = json_number_value(json_object_get(b, "actual"));
	int has = json_is_true(json_object_get(b, "has_actual"));
	const char *deadline = mf_json_str(b, "deadline"), *state;
	int passed = deadline[0] && strcmp(at_s, deadline) > 0;

	if (has && actual >= value)
		state = "met";
	else if (!passed)
		state = "pending";
	else if (has)
		state = "missed";
	else
		state = "no_data";
	out = json_pack("{s:s,s:s,s:f,s:s,s:s,s:s,s:f,s:b,s:s}", "id", mf_json_str(rec, "id"),
			"indicator", mf_json_str(b, "indicator"), "value", value, "unit", mf_json_str(b, "unit"),
			"population", mf_json_str(b, "population"), "deadline", deadline, "actual", actual,
			"has_actual", has, "state", state);
	if (out)
		copy_if(out, b, "forms");
	return out;
}

json_t *
mf_roadmap_judge(const mf_plugins *p, const char *region, mf_date at, json_t *records)
{
	const struct mf_plugin *pl = mf_plugins_for_region(p, region);
	enum mf_item_status (*model)(const mf_item_view *, mf_date) = NULL;
	const char *model_name = "generic";
	json_t *roadmaps = json_array(), *items = json_array(), *reports = json_array();
	json_t *targets = json_array(), *out, *rms, *free_targets, *orphans, *r;
	char at_s[11];
	size_t i;

	if (pl && MF_PLUGIN_HAS(pl, item_status) &&
	    pl->item_status) {
		model = pl->item_status;
		model_name = pl->model ? pl->model : pl->name;
		mf_plugins_enter(pl->name);   /* a crash in the model names it */
	}
	mf_date_format(at, at_s);
	json_array_foreach(records, i, r) {
		const char *kind = mf_json_str(r, "kind"), *origin = mf_json_str(r, "origin");
		if (!json_is_object(json_object_get(r, "body")))
			continue;
		if (origin[0] && region && strcmp(origin, region) != 0)
			continue;
		if (strcmp(kind, "roadmap") == 0)
			json_array_append(roadmaps, r);
		else if (strcmp(kind, "roadmap_item") == 0)
			json_array_append(items, r);
		else if (strcmp(kind, "roadmap_item_report") == 0)
			json_array_append(reports, r);
		else if (strcmp(kind, "target") == 0)
			json_array_append(targets, r);
	}
	out = json_pack("{s:s,s:s,s:s}", "region", region ? region : "", "model", model_name,
			"at", at_s);
	rms = json_array();
	free_targets = json_array();
	orphans = json_array();
	json_array_foreach(roadmaps, i, r) {
		json_t *b = json_object_get(r, "body"), *o, *its = json_array(), *tg = json_array(), *x;
		const char *rid = mf_json_str(r, "id");
		size_t k;
		o = json_pack("{s:s}", "id", rid);
		copy_if(o, b, "title");
		copy_if(o, b, "issuer");
		copy_if(o, b, "order_number");
		copy_if(o, b, "order_date");
		copy_if(o, b, "period_from");
		copy_if(o, b, "period_to");
		json_object_set_new(o, "model", json_string(model_name));
		json_array_foreach(items, k, x)
			if (strcmp(mf_json_str(json_object_get(x, "body"), "roadmap_id"), rid) == 0)
				json_array_append_new(its, judge_item(x, b, reports, at, at_s, model));
		json_array_foreach(targets, k, x)
			if (strcmp(mf_json_str(json_object_get(x, "body"), "roadmap_id"), rid) == 0)
				json_array_append_new(tg, judge_target(x, at_s));
		json_object_set_new(o, "items", sorted(its));
		json_decref(its);
		json_object_set_new(o, "targets", tg);
		json_array_append_new(rms, o);
	}
	json_array_foreach(items, i, r) {
		const char *rid = mf_json_str(json_object_get(r, "body"), "roadmap_id");
		int found = 0;
		size_t k;
		json_t *x;
		json_array_foreach(roadmaps, k, x)
			if (strcmp(mf_json_str(x, "id"), rid) == 0)
				found = 1;
		if (!found)
			json_array_append_new(orphans, judge_item(r, NULL, reports, at, at_s, model));
	}
	json_array_foreach(targets, i, r) {
		const char *rid = mf_json_str(json_object_get(r, "body"), "roadmap_id");
		int found = 0;
		size_t k;
		json_t *x;
		json_array_foreach(roadmaps, k, x)
			if (rid[0] && strcmp(mf_json_str(x, "id"), rid) == 0)
				found = 1;
		if (!found)
			json_array_append_new(free_targets, judge_target(r, at_s));
	}
	json_object_set_new(out, "roadmaps", rms);
	json_object_set_new(out, "targets", free_targets);
	{
		json_t *so = sorted(orphans);
		json_object_set_new(out, "orphan_items", so);
	}
	json_decref(orphans);
	json_decref(roadmaps);
	json_decref(items);
	json_decref(reports);
	json_decref(targets);
	return out;
}
