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
#include "rm_summary.h"
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
	mf_rm_forget();
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

/* One item row with its sort key computed once. */
typedef struct sort_row {
	int rank;
	const char *region;
	size_t pos;
	json_t *row;
} sort_row;

static int
row_cmp(const void *a, const void *b)
{
	const sort_row *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = strcmp(x->region, y->region)) != 0)
		return c;
	/* stable: rows of one status and region keep their order */
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sort item rows by status (overdue first), then region, keeping the
 * order within both.  A federation's report holds tens of thousands of
 * items (64,000 at 200,000 records): the keys are read once per row, and
 * the sort is O(n log n) (the insertion sort here before took 25 s). */
static json_t *
sorted_rows(json_t *rows)
{
	size_t n = json_array_size(rows), i;
	sort_row *v = mf_xcalloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();

	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		const char *st = json_string_value(json_array_get(r, 3));
		const char *reg = json_string_value(json_array_get(r, 0));
		v[i] = (sort_row){ mf_rm_status_rank(st), reg ? reg : "", i, r };
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), row_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i].row);
	free(v);
	json_decref(rows);
	return out;
}

/* The summary table: a row per roadmap, its items counted by status. */
static json_t *
summary_table(json_t *data)
{
	json_t *rows = json_array(), *rep, *rm, *counts;
	const char *const *st = mf_rm_statuses();
	size_t i, k;

	json_array_foreach(data, i, rep)
		json_array_foreach(json_object_get(rep, "roadmaps"), k, rm) {
			char n[24];
			json_t *row;
			snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(rm, "items_total")));
			row = json_pack("[s,s,s]", mf_json_str(rep, "region"), mf_json_str(rm, "title"), n);
			counts = json_object_get(rm, "counts");
			for (int s = 0; st[s]; s++) {
				snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(json_object_get(counts, st[s])));
				json_array_append_new(row, json_string(n));
			}
			json_array_append_new(rows, row);
		}
	return json_pack("{s:s, s:[s,s,s,s,s,s,s,s,s], s:o}", "title", "roadmaps at the date: items by status",
			 "columns", "REGION", "ROADMAP", "ITEMS", "OVERDUE", "IN PROGRESS", "CONTINUOUS",
			 "PLANNED", "UNKNOWN", "DONE", "rows", rows);
}

/* The reply: data, the item rows (every item, or in a summary the first
 * MF_RM_ITEMS_SHOWN of each roadmap, with the summary table before). */
static json_t *
roadmap_reply(json_t *data, json_t *items, json_t *targets, int summary)
{
	json_t *rep = mf_reply_ok(), *t1, *t2;

	t1 = json_pack("{s:s, s:[s,s,s,s,s,s,s], s:o}", "title",
		       summary ? "roadmap items, the first 10 of each roadmap (overdue first; --all: every item)" :
				 "roadmap items (overdue first)",
		       "columns", "REGION", "MODEL", "NO", "STATUS", "TIMING", "TITLE", "LEAD", "rows",
		       sorted_rows(items));
	t2 = json_pack("{s:s, s:[s,s,s,s,s,s], s:o}", "title", "targets against goals", "columns",
		       "REGION", "INDICATOR", "GOAL", "ACTUAL", "DEADLINE", "STATE", "rows", targets);
	json_object_set_new(rep, "tables", summary ? json_pack("[o,o,o]", summary_table(data), t1, t2) :
						     json_pack("[o,o]", t1, t2));
	json_object_set_new(rep, "data", data);
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
	return roadmap_reply(report, items, targets, 0);
}

typedef struct origin_seq {
	json_t *origins;	/* region codes */
	json_t *seqs;		/* their seq held, same order */
} origin_seq;

static int
origin_cb(void *arg, const char *origin, uint64_t seq)
{
	origin_seq *o = arg;

	json_array_append_new(o->origins, json_string(origin));
	json_array_append_new(o->seqs, json_integer((json_int_t)seq));
	return 0;
}

/*
 * Every region's report at date, in summary (unless all): the summaries
 * kept for a region at its current seq, the date and these plugins are
 * used as they are; the other regions are judged in one run of the
 * plugin host, summarized and kept.  NULL with err.
 */
static json_t *
region_reports(mf_daemon *d, mf_date date, int all, char *err, size_t errlen)
{
	origin_seq os = { json_array(), json_array() };
	json_t *out = json_array(), *todo = json_array(), *todo_seq = json_array(), *judged, *o;
	uint64_t stamp = mf_rm_plugins_stamp(d->node->cfg->plugin_dir, mf_plugjob_extra());
	char at[11];
	size_t i;

	mf_date_format(date, at);
	mf_store_vv_each(d->node->store, origin_cb, &os);
	json_array_foreach(os.origins, i, o) {
		uint64_t seq = (uint64_t)json_integer_value(json_array_get(os.seqs, i));
		json_t *k = all ? NULL : mf_rm_kept(json_string_value(o), seq, at, MF_RM_ITEMS_SHOWN, stamp);
		if (k) {
			json_array_append_new(out, k);
		} else {
			json_array_append(todo, o);
			json_array_append(todo_seq, json_array_get(os.seqs, i));
			json_array_append_new(out, json_null());	/* its place */
		}
	}
	judged = json_array_size(todo) ? judge_regions(d, todo, date, err, errlen) : json_array();
	if (judged == NULL) {
		json_decref(out);
		out = NULL;
		goto done;
	}
	/* judged reports go to the places left for them, in vv order */
	{
		size_t j = 0;
		json_array_foreach(out, i, o) {
			json_t *rep;
			if (!json_is_null(o))
				continue;
			rep = json_incref(json_array_get(judged, j));
			if (!all) {
				mf_rm_summarize(rep, MF_RM_ITEMS_SHOWN);
				mf_rm_keep(json_string_value(json_array_get(todo, j)),
					   (uint64_t)json_integer_value(json_array_get(todo_seq, j)), at,
					   MF_RM_ITEMS_SHOWN, stamp, rep);
			}
			json_array_set_new(out, i, rep);
			j++;
		}
	}
	json_decref(judged);
done:
	json_decref(os.origins);
	json_decref(os.seqs);
	json_decref(todo);
	json_decref(todo_seq);
	return out;
}

json_t *
mf_cmd_report_roadmaps(mf_daemon *d, json_t *req)
{
	json_t *data = json_array(), *items = json_array(), *targets = json_array(), *o, *reports;
	int all = json_is_true(json_object_get(req, "all"));
	char err[1200];
	mf_date date;
	size_t i;

	if (parse_at(req, &date) != 0) {
		json_decref(data);
		json_decref(items);
		json_decref(targets);
		return mf_reply_error(EX_USAGE, "--at: expected a date YYYY-MM-DD");
	}
	reports = region_reports(d, date, all, err, sizeof(err));
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
	return roadmap_reply(data, items, targets, !all);
}
