/*
 * page_roadmaps.c — «Дорожные карты»: every region's roadmaps at a chosen
 * date, each judged by its own region's model (report_roadmaps --at):
 * the regions side by side (a column each: model, items by status,
 * targets met), the timeline chart (webx_svg.c), each region's items with
 * their status and the latest report, and targets against goals.
 * A methodologist reports an item of this region done with its evidence
 * (a roadmap_item_report record: the model counts an item done only with
 * non-empty evidence, doc/PLUGIN.md).
 *
 * GET /roadmaps[?at=YYYY-MM-DD]
 * POST /roadmaps, action = report, item, as_of, evidence (one per line), note
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "web.h"
#include "webx.h"

static const char *const statuses[] = { "overdue", "in_progress", "continuous", "planned",
					"done", "unknown", NULL };

/* A date the daemon reads: YYYY-MM-DD, else NULL. */
static const char *
valid_date(const char *s)
{
	int y, m, d;
	char tail;

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return NULL;
	return s;
}

static int
post(web_req *r, web_out *o)
{
	const char *item = web_form(r, "item"), *asof = valid_date(web_form(r, "as_of"));
	const char *ev = web_form(r, "evidence"), *note = web_form(r, "note");
	char key[512], back[64], today[11];
	json_t *evs = json_array(), *body, *req;
	char *t, *line, *save = NULL;

	if (web_require(r, o, WEB_METHODOLOGIST)) {
		json_decref(evs);
		return 0;
	}
	if (asof == NULL)
		asof = webx_today(today);
	snprintf(back, sizeof(back), "/roadmaps?at=%s", asof);
	if (item == NULL || !webx_mine(r, item)) {
		json_decref(evs);
		return web_redirect(r, o, back, web_t(r, "Only an item of this region's roadmap can be reported here."));
	}
	/* evidence: one link or document reference per line */
	t = mf_xstrdup(ev ? ev : "");
	for (line = strtok_r(t, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line)
			json_array_append_new(evs, json_string(line));
	}
	free(t);
	if (json_array_size(evs) == 0) {
		json_decref(evs);
		return web_redirect(r, o, back, web_t(r, "An item is done only with its evidence: give a link or a document."));
	}
	body = json_pack("{s:s, s:s, s:s, s:o}", "item_id", item, "status", "done", "as_of", asof,
			 "evidence", evs);
	if (note && *note)
		json_object_set_new(body, "note", json_string(note));
	snprintf(key, sizeof(key), "report|%s|%s", item, asof);
	req = json_pack("{s:s, s:[{s:s, s:s, s:o}]}", "cmd", "put", "records", "kind",
			"roadmap_item_report", "key", key, "body", body);
	return webx_after_write(r, o, web_call(r, req), back, web_t(r, "The item is reported done."));
}

/* Items of a report by status. */
static void
count_status(json_t *rep, int *n)
{
	json_t *rm, *it;
	size_t i, k;

	json_array_foreach(json_object_get(rep, "roadmaps"), i, rm)
		json_array_foreach(json_object_get(rm, "items"), k, it) {
			const char *st = json_string_value(json_object_get(it, "status"));
			for (int s = 0; statuses[s]; s++)
				if (st && strcmp(st, statuses[s]) == 0)
					n[s]++;
		}
}

/* Every target of a report (the roadmaps' and the region's own). */
static json_t *
targets_of(json_t *rep)
{
	json_t *a = json_array(), *rm, *tg;
	size_t i, k;

	json_array_foreach(json_object_get(rep, "roadmaps"), i, rm)
		json_array_foreach(json_object_get(rm, "targets"), k, tg)
			json_array_append(a, tg);
	json_array_foreach(json_object_get(rep, "targets"), k, tg)
		json_array_append(a, tg);
	return a;
}

/* The regions side by side: a column each. */
static void
side_by_side(web_req *r, web_out *o, json_t *data)
{
	json_t *rep;
	size_t i;

	web_printf(o, "<table class=\"list\" id=\"regions\"><thead><tr><th></th>");
	json_array_foreach(data, i, rep)
		web_printf(o, "<th>%s</th>", webx_region_name(r, json_string_value(json_object_get(rep, "region"))));
	web_printf(o, "</tr></thead><tbody>\n<tr><th>%s</th>", web_t(r, "Model"));
	json_array_foreach(data, i, rep)
		web_printf(o, "<td>%s</td>", json_string_value(json_object_get(rep, "model")));
	web_raw(o, "</tr>\n");
	for (int s = 0; statuses[s]; s++) {
		web_raw(o, "<tr><th>");
		webx_state(r, o, "item_status", statuses[s]);
		web_raw(o, "</th>");
		json_array_foreach(data, i, rep) {
			int n[8] = { 0 };
			count_status(rep, n);
			web_rawf(o, "<td class=\"num\">%d</td>", n[s]);
		}
		web_raw(o, "</tr>\n");
	}
	web_printf(o, "<tr><th>%s</th>", web_t(r, "Targets met"));
	json_array_foreach(data, i, rep) {
		json_t *tg = targets_of(rep), *t;
		size_t k;
		int met = 0;
		json_array_foreach(tg, k, t)
			met += json_string_value(json_object_get(t, "state")) &&
			       strcmp(json_string_value(json_object_get(t, "state")), "met") == 0;
		web_rawf(o, "<td class=\"num\">%d / %zu</td>", met, json_array_size(tg));
		json_decref(tg);
	}
	web_raw(o, "</tr>\n</tbody></table>\n");
}

static void
report_form(web_req *r, web_out *o, const char *item, const char *at)
{
	web_form_open(r, o, "/roadmaps", 0);
	web_hidden(o, "action", "report");
	web_hidden(o, "item", item);
	web_hidden(o, "as_of", at);
	web_printf(o, "<textarea name=\"evidence\" rows=\"1\" cols=\"28\" required placeholder=\"%s\"></textarea> ",
		   web_t(r, "evidence: a link or a document, one per line"));
	web_printf(o, "<button type=\"submit\" class=\"report-done\">%s</button>", web_t(r, "Report done"));
	web_form_close(o);
}

static void
items_table(web_req *r, web_out *o, json_t *rep, const char *at)
{
	const char *region = json_string_value(json_object_get(rep, "region"));
	int can = web_can(r, WEB_METHODOLOGIST);
	json_t *rm, *it, *ev;
	size_t i, k, e;

	json_array_foreach(json_object_get(rep, "roadmaps"), i, rm) {
		web_printf(o, "<h3>%s</h3>\n<p class=\"hint\">%s: %s", json_string_value(json_object_get(rm, "title")),
			   web_t(r, "issued by"), json_string_value(json_object_get(rm, "issuer")));
		if (json_string_value(json_object_get(rm, "order_number")))
			web_printf(o, ", %s № %s", web_t(r, "order"),
				   json_string_value(json_object_get(rm, "order_number")));
		web_raw(o, "; ");
		web_date(r, o, json_string_value(json_object_get(rm, "period_from")));
		web_raw(o, " – ");
		web_date(r, o, json_string_value(json_object_get(rm, "period_to")));
		web_raw(o, "</p>\n");
		web_printf(o, "<table class=\"list items\" data-region=\"%s\"><thead><tr><th>№</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
			   region ? region : "", web_t(r, "Item"), web_t(r, "Timing"), web_t(r, "Status"),
			   web_t(r, "Lead"), web_t(r, "Report"));
		json_array_foreach(json_object_get(rm, "items"), k, it) {
			const char *id = json_string_value(json_object_get(it, "id"));
			const char *st = json_string_value(json_object_get(it, "status"));
			json_t *rp = json_object_get(it, "report");

			web_printf(o, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"state\">",
				   json_string_value(json_object_get(it, "number")),
				   json_string_value(json_object_get(it, "title")),
				   json_string_value(json_object_get(it, "timing_raw")));
			webx_state(r, o, "item_status", st);
			web_printf(o, "</td><td>%s</td><td>", json_string_value(json_object_get(it, "lead")));
			if (rp) {
				webx_state(r, o, "item_status", json_string_value(json_object_get(rp, "status")));
				web_raw(o, " ");
				web_date(r, o, json_string_value(json_object_get(rp, "as_of")));
				json_array_foreach(json_object_get(rp, "evidence"), e, ev)
					web_printf(o, "<br><small class=\"evidence\">%s</small>", json_string_value(ev));
			}
			if (can && webx_mine(r, id) && (st == NULL || strcmp(st, "done") != 0))
				report_form(r, o, id, at);
			web_raw(o, "</td></tr>\n");
		}
		web_raw(o, "</tbody></table>\n");
	}
}

static void
targets_table(web_req *r, web_out *o, json_t *data)
{
	json_t *rep, *tg, *t;
	size_t i, k;
	int any = 0;

	json_array_foreach(data, i, rep) {
		tg = targets_of(rep);
		json_array_foreach(tg, k, t) {
			const char *unit = json_string_value(json_object_get(t, "unit"));
			const char *st = json_string_value(json_object_get(t, "state"));
			if (!any++)
				web_printf(o, "<h2>%s</h2>\n<table class=\"list\" id=\"targets\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
					   web_t(r, "Targets against goals"), web_t(r, "Region"),
					   web_t(r, "Indicator"), web_t(r, "Goal"), web_t(r, "Actual"),
					   web_t(r, "Deadline"), web_t(r, "State"));
			web_printf(o, "<tr><td>%s</td><td>%s</td><td class=\"num\">%g %s</td><td class=\"num\">",
				   webx_region_name(r, json_string_value(json_object_get(rep, "region"))),
				   json_string_value(json_object_get(t, "indicator")),
				   json_number_value(json_object_get(t, "value")), unit ? unit : "");
			if (json_is_true(json_object_get(t, "has_actual")))
				web_printf(o, "%g %s", json_number_value(json_object_get(t, "actual")), unit ? unit : "");
			else
				web_raw(o, "—");
			web_raw(o, "</td><td>");
			web_date(r, o, json_string_value(json_object_get(t, "deadline")));
			web_printf(o, "</td><td class=\"st st-%s\">%s</td></tr>\n",
				   st && strcmp(st, "met") == 0 ? "done" : st && strcmp(st, "missed") == 0 ? "overdue" : "planned",
				   st && strcmp(st, "met") == 0 ? web_t(r, "met") :
				   st && strcmp(st, "missed") == 0 ? web_t(r, "missed") :
				   st && strcmp(st, "pending") == 0 ? web_t(r, "pending") :
				   st && strcmp(st, "no_data") == 0 ? web_t(r, "no data") : st ? st : "");
		}
		json_decref(tg);
	}
	if (any)
		web_raw(o, "</tbody></table>\n");
}

int
page_roadmaps(web_req *r, web_out *o)
{
	const char *at = valid_date(web_query(r, "at"));
	char today[11];
	json_t *rep, *data, *one;
	size_t i;

	if (r->method == WEB_POST)
		return post(r, o);
	if (at == NULL)
		at = webx_today(today);
	/* every item: the page lists them with their report forms */
	rep = web_call(r, json_pack("{s:s, s:s, s:b}", "cmd", "report_roadmaps", "at", at, "all", 1));
	web_head(r, o, web_t(r, "Roadmaps of the regions"));
	web_raw(o, "<form method=\"get\" action=\"/roadmaps\" class=\"search\">");
	web_printf(o, "<label>%s <input type=\"date\" name=\"at\" value=\"%s\" required></label> ",
		   web_t(r, "At the date"), at);
	web_printf(o, "<button type=\"submit\">%s</button></form>\n", web_t(r, "Show"));
	web_raw(o, "<p class=\"hint\">");
	web_puts(o, web_t(r, "Each region's roadmap is judged by its own region's model, at"));
	web_raw(o, " ");
	web_date(r, o, at);
	web_raw(o, "</p>\n");
	if (!web_ok(rep)) {
		web_printf(o, "<p class=\"error\">%s</p>\n", json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		web_end(r, o);
		return 0;
	}
	data = json_object_get(rep, "data");
	if (json_array_size(data) == 0) {
		web_printf(o, "<p>%s</p>\n", web_t(r, "No roadmaps yet."));
	} else {
		side_by_side(r, o, data);
		web_printf(o, "<h2>%s</h2>\n<div class=\"chart\">", web_t(r, "Timeline"));
		webx_timeline_svg(r, o, data, at);
		web_raw(o, "</div>\n");
		targets_table(r, o, data);
		json_array_foreach(data, i, one) {
			web_printf(o, "<h2 class=\"region\">%s</h2>\n",
				   webx_region_name(r, json_string_value(json_object_get(one, "region"))));
			items_table(r, o, one, at);
		}
	}
	json_decref(rep);
	web_end(r, o);
	return 0;
}
