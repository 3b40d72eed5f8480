/*
 * ctl_plugins.c — the daemon's plugin commands: load the plugin directory
 * at start, `import`, `plugin_list`, `plugin_load` and `roadmap`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "json.h"
#include "kinds.h"
#include "log.h"
#include "plugin_loader.h"
#include "roadmap.h"
#include "store.h"
#include "util.h"

static void
plugin_log(int level, const char *msg)
{
	mf_log(level, "plugin: %s", msg);
}

int
mf_daemon_plugins_start(mf_daemon *d)
{
	int n;

	mf_plugins_set_logger(plugin_log);
	if ((d->plugins = mf_plugins_new(d->node->cfg->region)) == NULL) {
		mf_err("plugins: out of memory");
		return -1;
	}
	n = mf_plugins_load_dir(d->plugins, d->node->cfg->plugin_dir);
	mf_info("%d plugin%s loaded from %s", n, n == 1 ? "" : "s", d->node->cfg->plugin_dir);
	return 0;
}

void
mf_daemon_plugins_stop(mf_daemon *d)
{
	mf_plugins_free(d->plugins);
	d->plugins = NULL;
}

/*
 * One school appears in several documents (the League order names it with
 * its municipality and membership, the practices letter by name alone, a
 * competency card file again).  Importing one document must not erase or
 * duplicate what another contributed:
 *
 * - a school the document names without a municipality is the held school
 *   of the same name when exactly one such school is held (its id is taken
 *   over, and every reference in the document follows);
 * - an imported school is merged into its current version: memberships are
 *   united (held ones first, so a re-import changes nothing), a field the
 *   document leaves out keeps its held value, `source` lists every document.
 *   A field the document does state wins.  (A membership a later document
 *   drops is therefore kept: removing one is an explicit `put`.)
 */
typedef struct same_name {
	const char *name;
	char id[MF_ID_MAX];
	int n;
} same_name;

static int
same_name_fn(void *arg, const mf_record *r)
{
	same_name *sn = arg;
	json_t *j = mf_record_json(r), *b = json_object_get(j, "body");
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *mun = json_string_value(json_object_get(b, "municipality"));

	if (name && strcmp(name, sn->name) == 0 && mun && *mun) {
		if (sn->n++ == 0)
			mf_strlcpy(sn->id, r->id, sizeof(sn->id));
	}
	json_decref(j);
	return 0;
}

static void
replace_id(json_t *v, const char *from, const char *to)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if (json_is_string(e) && strcmp(json_string_value(e), from) == 0)
				json_object_set_new(v, k, json_string(to));
			else
				replace_id(e, from, to);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_string(e) && strcmp(json_string_value(e), from) == 0)
				json_array_set_new(v, i, json_string(to));
			else
				replace_id(e, from, to);
		}
	}
}

static void
adopt_school(mf_daemon *d, json_t *records, json_t *rec)
{
	json_t *b = json_object_get(rec, "body");
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *mun = json_string_value(json_object_get(b, "municipality"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	char old[MF_ID_MAX];
	same_name sn;

	if (name == NULL || id == NULL || (mun && *mun))
		return;
	memset(&sn, 0, sizeof(sn));
	sn.name = name;
	if (mf_store_each(d->node->store, "school", d->node->cfg->region, 0, same_name_fn, &sn) != 0 ||
	    sn.n != 1 || strcmp(sn.id, id) == 0)
		return;
	mf_strlcpy(old, id, sizeof(old));
	json_object_set_new(rec, "id", json_string(sn.id));
	for (size_t i = 0; i < json_array_size(records); i++)
		replace_id(json_object_get(json_array_get(records, i), "body"), old, sn.id);
}

static void
merge_school(mf_daemon *d, json_t *rec)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *nb = json_object_get(rec, "body"), *held, *hb, *v, *nm, *hm;
	const char *k, *hs, *ns;
	mf_record *r;

	if (id == NULL || !json_is_object(nb) || (r = mf_store_get(d->node->store, id)) == NULL)
		return;
	held = r->deleted ? NULL : mf_record_json(r);
	mf_record_free(r);
	if (held == NULL)
		return;
	hb = json_object_get(held, "body");
	json_object_foreach(hb, k, v) {
		if (strcmp(k, "memberships") == 0 || strcmp(k, "source") == 0)
			continue;
		if (json_object_get(nb, k) == NULL)
			json_object_set(nb, k, v);
	}
	if ((hm = json_object_get(hb, "memberships")) != NULL && json_array_size(hm) > 0) {
		json_t *u = json_deep_copy(hm);
		size_t i, j;

		nm = json_object_get(nb, "memberships");
		for (i = 0; i < json_array_size(nm); i++) {
			for (j = 0; j < json_array_size(hm); j++)
				if (json_equal(json_array_get(nm, i), json_array_get(hm, j)))
					break;
			if (j == json_array_size(hm))
				json_array_append(u, json_array_get(nm, i));
		}
		json_object_set_new(nb, "memberships", u);
	}
	hs = json_string_value(json_object_get(hb, "source"));
	ns = json_string_value(json_object_get(nb, "source"));
	if (hs && *hs) {
		if (ns == NULL || *ns == '\0' || strstr(hs, ns) != NULL) {
			json_object_set_new(nb, "source", json_string(hs));
		} else {
			size_t n = strlen(hs) + strlen(ns) + 3;
			char *both = malloc(n);
			if (both) {
				snprintf(both, n, "%s; %s", hs, ns);
				json_object_set_new(nb, "source", json_string(both));
				free(both);
			}
		}
	}
	json_decref(held);
}

json_t *
mf_cmd_import(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *plugin = json_string_value(json_object_get(req, "plugin"));
	const char *format = json_string_value(json_object_get(req, "format"));
	int year = (int)json_integer_value(json_object_get(req, "year"));
	json_t *records = NULL, *diag = NULL, *rep;
	char err[1024];

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "import: path missing");
	if (mf_plugins_import(d->plugins, path, plugin, format, year, &records, &diag, err,
			      sizeof(err)) != 0) {
		rep = mf_reply_error(EX_DATAERR, "%s", err);
		json_object_set_new(rep, "diagnostics", diag ? diag : json_array());
		mf_warn("import of %s refused: %s", path, err);
		return rep;
	}
	for (size_t i = 0; i < json_array_size(records); i++) {
		json_t *rec = json_array_get(records, i);
		const char *kind = json_string_value(json_object_get(rec, "kind"));
		if (kind && strcmp(kind, "school") == 0) {
			adopt_school(d, records, rec);
			merge_school(d, rec);
		}
	}
	rep = mf_ctl_put_records(d, records);
	if (json_is_true(json_object_get(rep, "ok"))) {
		json_object_set_new(rep, "read_by", json_string(err));
		json_object_set_new(rep, "records", json_integer((json_int_t)json_array_size(records)));
		json_object_del(rep, "ids");
		mf_info("imported %s: %zu records, %lld changed", path, json_array_size(records),
			(long long)json_integer_value(json_object_get(rep, "changed")));
	} else {
		/* the plugin produced records the store refused: name the document */
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: %s", path,
			 json_string_value(json_object_get(rep, "error")));
		json_object_set_new(rep, "error", json_string(msg));
		json_object_del(rep, "index");
	}
	json_object_set_new(rep, "diagnostics", diag ? diag : json_array());
	json_decref(records);
	return rep;
}

json_t *
mf_cmd_plugin_list(mf_daemon *d, json_t *req)
{
	json_t *rep = mf_reply_ok();

	json_object_set_new(rep, "plugins", mf_plugins_list_json(d->plugins));
	return rep;
}

json_t *
mf_cmd_plugin_load(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	char err[1024];

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "plugin load: path missing");
	if (mf_plugins_load(d->plugins, path, err, sizeof(err)) != 0) {
		mf_warn("plugin refused: %s", err);
		return mf_reply_error(EX_DATAERR, "%s", err);
	}
	mf_info("plugin loaded from %s", path);
	return mf_cmd_plugin_list(d, req);
}

typedef struct rm_collect {
	json_t *arr;
} rm_collect;

static int
rm_fn(void *arg, const mf_record *r)
{
	rm_collect *c = arg;
	json_t *j = mf_record_json(r);

	if (j == NULL)
		return -1;
	json_array_append_new(c->arr, j);
	return 0;
}

static int
parse_at(json_t *req, mf_date *date)
{
	const char *at = json_string_value(json_object_get(req, "at"));

	if (at != NULL) {
		if (strlen(at) != 10 ||
		    sscanf(at, "%4d-%2d-%2d", &date->year, &date->month, &date->day) != 3 ||
		    date->month < 1 || date->month > 12 || date->day < 1 || date->day > 31)
			return -1;
	} else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		date->year = tm.tm_year + 1900;
		date->month = tm.tm_mon + 1;
		date->day = tm.tm_mday;
	}
	return 0;
}

/* One region's roadmaps judged at date by its own model; NULL on error. */
static json_t *
judge_region(mf_daemon *d, const char *region, mf_date date)
{
	static const char *const kinds[] = { "roadmap", "roadmap_item", "roadmap_item_report",
					     "target", NULL };
	rm_collect c;
	json_t *report;

	c.arr = json_array();
	for (int i = 0; kinds[i]; i++)
		if (mf_store_each(d->node->store, kinds[i], region, 0, rm_fn, &c) != 0) {
			json_decref(c.arr);
			return NULL;
		}
	report = mf_roadmap_judge(d->plugins, region, date, c.arr);
	json_decref(c.arr);
	return report;
}

static void
target_row(json_t *rows, const char *region, json_t *tg)
{
	char goal[64], act[64];
	const char *unit = mf_json_str(tg, "unit");

	snprintf(goal, sizeof(goal), "%g%s%s", json_number_value(json_object_get(tg, "value")),
		 *unit && strcmp(unit, "%") != 0 ? " " : "", unit);
	if (json_is_true(json_object_get(tg, "has_actual")))
		snprintf(act, sizeof(act), "%g%s%s", json_number_value(json_object_get(tg, "actual")),
			 *unit && strcmp(unit, "%") != 0 ? " " : "", unit);
	else
		snprintf(act, sizeof(act), "-");
	json_array_append_new(rows, json_pack("[s,s,s,s,s,s]", region, mf_json_str(tg, "indicator"), goal, act,
					      mf_json_str(tg, "deadline"), mf_json_str(tg, "state")));
}

/* Rows for one region's report: items (overdue first) and targets. */
static void
report_rows(json_t *report, json_t *items, json_t *targets)
{
	const char *region = mf_json_str(report, "region");
	json_t *rm, *it, *tg;
	size_t i, k;

	json_array_foreach(json_object_get(report, "roadmaps"), i, rm) {
		json_array_foreach(json_object_get(rm, "items"), k, it)
			json_array_append_new(items, json_pack("[s,s,s,s,s,s,s]", region,
							       mf_json_str(report, "model"), mf_json_str(it, "number"),
							       mf_json_str(it, "status"), mf_json_str(it, "timing_raw"),
							       mf_json_str(it, "title"), mf_json_str(it, "lead")));
		json_array_foreach(json_object_get(rm, "targets"), k, tg)
			target_row(targets, region, tg);
	}
	json_array_foreach(json_object_get(report, "targets"), k, tg)
		target_row(targets, region, tg);
}

static int
status_rank(const char *s)
{
	static const char *const order[] = { "overdue", "in_progress", "continuous", "planned",
					      "unknown", "done", NULL };
	for (int i = 0; order[i]; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 99;
}

static int
row_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int rx = status_rank(json_string_value(json_array_get(x, 3)));
	int ry = status_rank(json_string_value(json_array_get(y, 3)));

	if (rx != ry)
		return rx - ry;
	return strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));
}

/* Sort item rows by status (overdue first), stable within a status. */
static json_t *
sorted_rows(json_t *rows)
{
	size_t n = json_array_size(rows), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (i = 0; v && i < n; i++)
		v[i] = json_array_get(rows, i);
	/* qsort is not stable: make it so by falling back to the input order */
	if (v) {
		for (size_t a = 1; a < n; a++)	/* insertion sort: stable, n is small */
			for (size_t b = a; b > 0 && row_cmp(&v[b - 1], &v[b]) > 0; b--) {
				json_t *t = v[b];
				v[b] = v[b - 1];
				v[b - 1] = t;
			}
		for (i = 0; i < n; i++)
			json_array_append(out, v[i]);
	}
	free(v);
	json_decref(rows);
	return out;
}

static json_t *
roadmap_reply(json_t *data, json_t *items, json_t *targets)
{
	json_t *rep = mf_reply_ok(), *t1, *t2;

	t1 = json_pack("{s:s, s:[s,s,s,s,s,s,s], s:o}", "title", "roadmap items (overdue first)",
		       "columns", "REGION", "MODEL", "NO", "STATUS", "TIMING", "TITLE", "LEAD", "rows",
		       sorted_rows(items));
	t2 = json_pack("{s:s, s:[s,s,s,s,s,s], s:o}", "title", "targets against goals", "columns",
		       "REGION", "INDICATOR", "GOAL", "ACTUAL", "DEADLINE", "STATE", "rows", targets);
	json_object_set_new(rep, "data", data);
	json_object_set_new(rep, "tables", json_pack("[o,o]", t1, t2));
	return rep;
}

json_t *
mf_cmd_roadmap(mf_daemon *d, json_t *req)
{
	const char *region = json_string_value(json_object_get(req, "region"));
	mf_date date;
	json_t *report, *items = json_array(), *targets = json_array();

	if (region == NULL || parse_at(req, &date) != 0) {
		json_decref(items);
		json_decref(targets);
		return mf_reply_error(EX_USAGE, region ? "--at: expected a date YYYY-MM-DD" :
							 "roadmap: region missing");
	}
	if ((report = judge_region(d, region, date)) == NULL) {
		json_decref(items);
		json_decref(targets);
		return mf_reply_error(EX_SOFTWARE, "roadmap: store read failed");
	}
	report_rows(report, items, targets);
	return roadmap_reply(report, items, targets);
}

static int
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	(void)seq;
	json_array_append_new(arg, json_string(origin));
	return 0;
}

json_t *
mf_cmd_report_roadmaps(mf_daemon *d, json_t *req)
{
	json_t *origins = json_array(), *data = json_array(), *items = json_array(),
	       *targets = json_array(), *o;
	mf_date date;
	size_t i;

	if (parse_at(req, &date) != 0) {
		json_decref(origins);
		json_decref(data);
		json_decref(items);
		json_decref(targets);
		return mf_reply_error(EX_USAGE, "--at: expected a date YYYY-MM-DD");
	}
	mf_store_vv_each(d->node->store, origin_cb, origins);
	json_array_foreach(origins, i, o) {
		json_t *report = judge_region(d, json_string_value(o), date);
		if (report == NULL)
			continue;
		if (json_array_size(json_object_get(report, "roadmaps")) == 0 &&
		    json_array_size(json_object_get(report, "targets")) == 0) {
			json_decref(report);
			continue;
		}
		report_rows(report, items, targets);
		json_array_append_new(data, report);
	}
	json_decref(origins);
	return roadmap_reply(data, items, targets);
}
