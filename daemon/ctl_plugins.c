/*
 * ctl_plugins.c — the daemon's plugin commands but `import` (cmd_import.c):
 * `plugin_list`, `plugin_load`, `roadmap` and `report_roadmaps`, and the
 * start and stop of plugin support.  Each runs the plugin host once
 * (plugjob.c); no plugin code runs in the daemon.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "ctl_plugins.h"
#include "plugjob.h"
#include "json.h"
#include "kinds.h"
#include "log.h"
#include "datexpr.h"
#include "records.h"
#include "reply.h"
#include "store.h"
#include "util.h"

int
mf_daemon_plugins_start(mf_daemon *d)
{
	json_t *req, *rep;
	char err[1024];

	if (mf_plugjob_init() != 0) {
		mf_err("plugins: out of memory");
		return -1;
	}
	/* a first run says what the plugin directory holds (and that the
	 * helper works); a failure here is logged, the daemon serves on */
	req = json_pack("{s:s}", "op", "list");
	rep = mf_plugjob_run(d, req, NULL, 0, NULL, err, sizeof(err));
	json_decref(req);
	if (rep == NULL) {
		mf_err("plugins: %s", err);
		return 0;
	}
	{
		size_t n = json_array_size(json_object_get(rep, "plugins"));
		mf_info("%zu plugin%s loaded from %s (run by %s)", n, n == 1 ? "" : "s",
			d->node->cfg->plugin_dir, mf_plugjob_host());
	}
	json_decref(rep);
	return 0;
}

void
mf_daemon_plugins_stop(mf_daemon *d)
{
	(void)d;
	mf_plugjob_fini();
}

/* list, or load `try_path` on top of what is loaded: the reply, or an error reply. */
static json_t *
list_in_host(mf_daemon *d, const char *try_path)
{
	json_t *req = json_pack("{s:s}", "op", "list"), *hrep, *rep;
	char err[1024];

	hrep = mf_plugjob_run(d, req, NULL, 0, try_path, err, sizeof(err));
	json_decref(req);
	if (hrep == NULL)
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	if (!json_is_true(json_object_get(hrep, "ok"))) {
		rep = mf_reply_error(EX_DATAERR, "%s", mf_json_str(hrep, "error"));
		json_decref(hrep);
		return rep;
	}
	rep = mf_reply_ok();
	json_object_set(rep, "plugins", json_object_get(hrep, "plugins"));
	json_decref(hrep);
	return rep;
}

json_t *
mf_cmd_plugin_list(mf_daemon *d, json_t *req)
{
	(void)req;
	return list_in_host(d, NULL);
}

json_t *
mf_cmd_plugin_load(mf_daemon *d, json_t *req)
{
	const char *path = json_string_value(json_object_get(req, "path"));
	json_t *rep;

	if (path == NULL)
		return mf_reply_error(EX_USAGE, "plugin load: path missing");
	rep = list_in_host(d, path);
	if (!json_is_true(json_object_get(rep, "ok"))) {
		mf_warn("plugin refused: %s", mf_json_str(rep, "error"));
		return rep;
	}
	mf_plugjob_add_plugin(path);
	mf_info("plugin loaded from %s", path);
	return rep;
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
	char why[256];

	if (at != NULL) {
		/* the one date reader: 2025-02-31 is no date (the request
		 * check said why already; this is the last guard) */
		if (mf_date_read(at, date, why, sizeof(why)) != 0)
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

/* A region's roadmap records (JSON) for the helper; NULL on a store error. */
static json_t *
region_records(mf_daemon *d, const char *region)
{
	static const char *const kinds[] = { "roadmap", "roadmap_item", "roadmap_item_report",
					     "target", NULL };
	rm_collect c;

	c.arr = json_array();
	for (int i = 0; kinds[i]; i++)
		if (mf_store_each(d->node->store, kinds[i], region, 0, rm_fn, &c) != 0) {
			json_decref(c.arr);
			return NULL;
		}
	return c.arr;
}

/*
 * Judge the roadmaps of every region in `regions` at date, each by its own
 * region's model, in one run of the helper.  The reports (new reference),
 * or NULL with err.
 */
static json_t *
judge_regions(mf_daemon *d, json_t *regions, mf_date date, char *err, size_t errlen)
{
	json_t *jobs = json_array(), *req, *hrep, *reports, *o;
	char at[11];
	size_t i;

	json_array_foreach(regions, i, o) {
		json_t *recs = region_records(d, json_string_value(o));
		if (recs == NULL) {
			json_decref(jobs);
			snprintf(err, errlen, "roadmap: store read failed");
			return NULL;
		}
		json_array_append_new(jobs, json_pack("{s:O,s:o}", "region", o, "records", recs));
	}
	req = json_pack("{s:s,s:s,s:o}", "op", "judge", "at", mf_date_format(date, at), "jobs", jobs);
	hrep = mf_plugjob_run(d, req, NULL, 0, NULL, err, errlen);
	json_decref(req);
	if (hrep == NULL)
		return NULL;
	reports = json_object_get(hrep, "reports");
	if (!json_is_true(json_object_get(hrep, "ok")) || !json_is_array(reports) ||
	    json_array_size(reports) != json_array_size(regions)) {
		snprintf(err, errlen, "roadmap: %s", json_is_string(json_object_get(hrep, "error")) ?
			 mf_json_str(hrep, "error") : "bad reply from the plugin host");
		json_decref(hrep);
		return NULL;
	}
	json_incref(reports);
	json_decref(hrep);
	return reports;
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
	json_t **v = mf_xcalloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	/* insertion sort: stable (qsort is not), and n is small */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && row_cmp(&v[b - 1], &v[b]) > 0; b--) {
			json_t *t = v[b];
			v[b] = v[b - 1];
			v[b - 1] = t;
		}
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
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
	json_t *report, *reports, *regions, *items = json_array(), *targets = json_array();
	char err[1200];

	if (region == NULL || parse_at(req, &date) != 0) {
		json_decref(items);
		json_decref(targets);
		return mf_reply_error(EX_USAGE, region ? "--at: expected a date YYYY-MM-DD" :
							 "roadmap: region missing");
	}
	regions = json_pack("[s]", region);
	reports = judge_regions(d, regions, date, err, sizeof(err));
	json_decref(regions);
	if (reports == NULL) {
		json_decref(items);
		json_decref(targets);
		mf_warn("%s", err);
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	}
	report = json_incref(json_array_get(reports, 0));
	json_decref(reports);
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
	       *targets = json_array(), *o, *reports;
	char err[1200];
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
	reports = judge_regions(d, origins, date, err, sizeof(err));
	json_decref(origins);
	if (reports == NULL) {
		json_decref(data);
		json_decref(items);
		json_decref(targets);
		mf_warn("%s", err);
		return mf_reply_error(EX_SOFTWARE, "%s", err);
	}
	json_array_foreach(reports, i, o) {
		json_t *report = json_incref(o);
		if (json_array_size(json_object_get(report, "roadmaps")) == 0 &&
		    json_array_size(json_object_get(report, "targets")) == 0) {
			json_decref(report);
			continue;
		}
		report_rows(report, items, targets);
		json_array_append_new(data, report);
	}
	json_decref(reports);
	return roadmap_reply(data, items, targets);
}
