/*
 * page_schools.c — «Школы»: search by name (case and ё/е folded by the
 * daemon's web_schools), municipality, region and League membership; and
 * a school's page with its competency cards, self-diagnosis, practices,
 * pairs and internships (web_school).  Names everywhere, never bare ids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "webx.h"

#define PAGE_SIZE 50

static void
select_opt(web_out *o, const char *value, const char *label, const char *chosen)
{
	web_printf(o, "<option value=\"%s\"%s>%s</option>", value,
		   chosen && strcmp(chosen, value) == 0 ? " selected" : "", label);
}

/* A link to the school's page. */
static void
school_link(web_out *o, const char *id, const char *name)
{
	web_raw(o, "<a href=\"/school?id=");
	web_urlenc(o, id);
	web_printf(o, "\">%s</a>", name && *name ? name : id);
}

/* A link to the same search at another offset. */
static void
page_link(web_req *r, web_out *o, long long offset, const char *label)
{
	static const char *const keep[] = { "q", "municipality", "region", "league" };

	web_raw(o, "<a href=\"/schools?offset=");
	web_rawf(o, "%lld", offset);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = web_query(r, keep[i]);

		if (v && *v) {
			web_rawf(o, "&amp;%s=", keep[i]);
			web_urlenc(o, v);
		}
	}
	web_printf(o, "\">%s</a>", label);
}

int
page_schools(web_req *r, web_out *o)
{
	const char *q = web_query(r, "q"), *mun = web_query(r, "municipality");
	const char *reg = web_query(r, "region"), *league = web_query(r, "league");
	const char *offs = web_query(r, "offset");
	long long offset = offs ? atoll(offs) : 0, total;
	json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "cmd", "web_schools", "q", q ? q : "",
				"municipality", mun ? mun : "", "region", reg ? reg : "", "league",
				league ? league : "", "offset", (json_int_t)(offset > 0 ? offset : 0),
				"limit", (json_int_t)PAGE_SIZE);
	json_t *rep = web_call(r, req), *v;
	size_t i;

	if (!web_ok(rep)) {
		web_error_reply(r, o, rep);
		json_decref(rep);
		return 0;
	}
	if (offset < 0)
		offset = 0;
	web_head(r, o, web_t(r, "Schools"));
	web_raw(o, "<form method=\"get\" action=\"/schools\" class=\"search\">");
	web_printf(o, "<label>%s<br><input type=\"search\" name=\"q\" value=\"%s\" autofocus></label>",
		   web_t(r, "Name"), q ? q : "");
	web_printf(o, "<label>%s<br><select name=\"municipality\">", web_t(r, "Municipality"));
	select_opt(o, "", web_t(r, "any"), mun);
	json_array_foreach(json_object_get(rep, "municipalities"), i, v)
		select_opt(o, json_string_value(v), json_string_value(v), mun);
	web_printf(o, "</select></label><label>%s<br><select name=\"region\">", web_t(r, "Region"));
	select_opt(o, "", web_t(r, "any"), reg);
	json_array_foreach(json_object_get(rep, "regions"), i, v)
		select_opt(o, json_string_value(v), webx_region_name(r, json_string_value(v)), reg);
	web_printf(o, "</select></label><label>%s<br><select name=\"league\">",
		   web_t(r, "Mentoring League"));
	select_opt(o, "", web_t(r, "any"), league);
	select_opt(o, "yes", web_t(r, "members"), league);
	select_opt(o, "no", web_t(r, "not members"), league);
	web_printf(o, "</select></label><button type=\"submit\">%s</button></form>\n",
		   web_t(r, "Search"));

	total = json_integer_value(json_object_get(rep, "total"));
	web_printf(o, "<p class=\"muted\">%s: %lld</p>\n", web_t(r, "Schools found"), total);
	if (total > 0) {
		web_printf(o, "<table class=\"schools\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			      "<th>%s</th></tr></thead><tbody>\n",
			   web_t(r, "School"), web_t(r, "Municipality"), web_t(r, "Region"),
			   web_t(r, "Mentoring League"));
		json_array_foreach(json_object_get(rep, "schools"), i, v) {
			web_raw(o, "<tr><td>");
			school_link(o, json_string_value(json_object_get(v, "id")),
				    json_string_value(json_object_get(v, "name")));
			web_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				   json_string_value(json_object_get(v, "municipality")),
				   webx_region_name(r, json_string_value(json_object_get(v, "region"))),
				   json_is_true(json_object_get(v, "league")) ? web_t(r, "member") : "");
		}
		web_raw(o, "</tbody></table>\n<p class=\"pager\">");
		if (offset > 0)
			page_link(r, o, offset > PAGE_SIZE ? offset - PAGE_SIZE : 0, web_t(r, "← previous"));
		if (offset + PAGE_SIZE < total)
			page_link(r, o, offset + PAGE_SIZE, web_t(r, "next →"));
		web_raw(o, "</p>\n");
	}
	web_end(r, o);
	json_decref(rep);
	return 0;
}

/* ------------------------------------------------------- a school's page */

static const char *
nm(json_t *names, const char *id)
{
	const char *n = json_string_value(json_object_get(names, id));

	return n ? n : id;
}

/* An array of enum identifiers as glossary terms. */
static void
labels(web_req *r, web_out *o, const char *family, json_t *arr)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		web_printf(o, "<span class=\"tag\">%s</span>", web_label(r, family,
									 json_string_value(v)));
}

static void
section_cards(web_req *r, web_out *o, json_t *cards)
{
	json_t *c;
	size_t i;

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Competency cards"));
	if (json_array_size(cards) == 0)
		web_printf(o, "<p class=\"muted\">%s</p>\n", web_t(r, "none"));
	json_array_foreach(cards, i, c) {
		json_t *b = json_object_get(c, "body");

		web_printf(o, "<dl class=\"card\"><dt>%s</dt><dd>", web_t(r, "Directions"));
		labels(r, o, "direction", json_object_get(b, "directions"));
		web_printf(o, "</dd><dt>%s</dt><dd>", web_t(r, "Offers"));
		labels(r, o, "support_type", json_object_get(b, "offers"));
		web_printf(o, "</dd><dt>%s</dt><dd>%s</dd></dl>\n", web_t(r, "Description"),
			   json_string_value(json_object_get(b, "description")));
	}
}

static void
section_diag(web_req *r, web_out *o, json_t *diag, json_t *school)
{
	const char *lvl = json_string_value(json_object_get(school, "self_diagnosis_level"));
	json_t *d;
	size_t i;

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Self-diagnosis"));
	if (lvl && *lvl)
		web_printf(o, "<p>%s: <strong>%s</strong></p>\n", web_t(r, "Level"),
			   web_label(r, "self_diagnosis_level", lvl));
	if (json_array_size(diag) == 0 && !(lvl && *lvl))
		web_printf(o, "<p class=\"muted\">%s</p>\n", web_t(r, "none"));
	json_array_foreach(diag, i, d) {
		json_t *b = json_object_get(d, "body"), *s;
		size_t j;

		web_printf(o, "<p>%lld: <strong>%s</strong></p>",
			   (long long)json_integer_value(json_object_get(b, "year")),
			   web_label(r, "self_diagnosis_level",
				     json_string_value(json_object_get(b, "level"))));
		web_printf(o, "<table><thead><tr><th>%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
			   web_t(r, "Direction"), web_t(r, "Score"));
		json_array_foreach(json_object_get(b, "scores"), j, s) {
			int zero = json_is_true(json_object_get(s, "critical_zero"));

			web_printf(o, "<tr class=\"%s\"><td>%s%s</td><td class=\"num\">%.1f</td></tr>",
				   zero ? "bad" : "",
				   web_label(r, "direction", json_string_value(json_object_get(s, "direction"))),
				   zero ? web_t(r, " (a critical indicator is zero)") : "",
				   json_number_value(json_object_get(s, "score")));
		}
		web_raw(o, "</tbody></table>\n");
	}
}

static void
section_practices(web_req *r, web_out *o, json_t *pr)
{
	json_t *p;
	size_t i;

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Mentoring practices"));
	if (json_array_size(pr) == 0) {
		web_printf(o, "<p class=\"muted\">%s</p>\n", web_t(r, "none"));
		return;
	}
	web_raw(o, "<ul>");
	json_array_foreach(pr, i, p) {
		json_t *b = json_object_get(p, "body");
		const char *goal = json_string_value(json_object_get(b, "goal"));

		web_printf(o, "<li><strong>%s</strong>",
			   web_label(r, "mentoring_form", json_string_value(json_object_get(b, "form"))));
		if (goal && *goal)
			web_printf(o, " — %s", goal);
		web_raw(o, "</li>");
	}
	web_raw(o, "</ul>\n");
}

static void
section_pairs(web_req *r, web_out *o, json_t *pairs, json_t *names, const char *self)
{
	json_t *p;
	size_t i;

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Mentoring pairs"));
	if (json_array_size(pairs) == 0) {
		web_printf(o, "<p class=\"muted\">%s</p>\n", web_t(r, "none"));
		return;
	}
	web_printf(o, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		   web_t(r, "Mentor"), web_t(r, "Mentee"), web_t(r, "Directions"), web_t(r, "Start"),
		   web_t(r, "State"));
	json_array_foreach(pairs, i, p) {
		json_t *b = json_object_get(p, "body");
		const char *mr = json_string_value(json_object_get(b, "mentor_school_id"));
		const char *me = json_string_value(json_object_get(b, "mentee_school_id"));

		web_raw(o, "<tr><td>");
		if (mr && strcmp(mr, self) != 0)
			school_link(o, mr, nm(names, mr));
		else
			web_printf(o, "%s", nm(names, mr));
		web_raw(o, "</td><td>");
		if (me && strcmp(me, self) != 0)
			school_link(o, me, nm(names, me));
		else
			web_printf(o, "%s", nm(names, me));
		web_raw(o, "</td><td>");
		labels(r, o, "direction", json_object_get(b, "directions"));
		web_raw(o, "</td><td>");
		web_date(r, o, json_string_value(json_object_get(b, "start_date")));
		web_printf(o, "</td><td>%s</td></tr>",
			   web_label(r, "pair_state", json_string_value(json_object_get(b, "state"))));
	}
	web_raw(o, "</tbody></table>\n");
}

static void
section_internships(web_req *r, web_out *o, json_t *rep, json_t *names)
{
	json_t *offers = json_object_get(rep, "offers"), *apps = json_object_get(rep, "applications");
	json_t *decs = json_object_get(rep, "decisions"), *x;
	size_t i;

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Internships"));
	if (json_array_size(offers) == 0 && json_array_size(apps) == 0) {
		web_printf(o, "<p class=\"muted\">%s</p>\n", web_t(r, "none"));
		return;
	}
	if (json_array_size(offers)) {
		web_printf(o, "<h3>%s</h3><ul>", web_t(r, "Offered by this school"));
		json_array_foreach(offers, i, x) {
			json_t *b = json_object_get(x, "body");

			web_printf(o, "<li><strong>%s</strong> — %s, %s: %lld</li>",
				   json_string_value(json_object_get(b, "title")),
				   web_label(r, "offer_state", json_string_value(json_object_get(b, "state"))),
				   web_t(r, "places"),
				   (long long)json_integer_value(json_object_get(b, "places")));
		}
		web_raw(o, "</ul>\n");
	}
	if (json_array_size(apps)) {
		web_printf(o, "<h3>%s</h3><table><thead><tr><th>%s</th><th>%s</th><th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
			   web_t(r, "Applications"), web_t(r, "Internship"), web_t(r, "Applicant"),
			   web_t(r, "Participants"), web_t(r, "Decision"));
		json_array_foreach(apps, i, x) {
			json_t *b = json_object_get(x, "body"), *d;
			const char *id = json_string_value(json_object_get(x, "id"));
			size_t j;

			web_printf(o, "<tr><td>%s</td><td>%s</td><td class=\"num\">%lld</td><td>",
				   nm(names, json_string_value(json_object_get(b, "offer_id"))),
				   nm(names, json_string_value(json_object_get(b, "applicant_school_id"))),
				   (long long)json_integer_value(json_object_get(b, "participants")));
			if (json_is_true(json_object_get(b, "withdrawn")))
				web_puts(o, web_t(r, "withdrawn"));
			json_array_foreach(decs, j, d) {
				json_t *db = json_object_get(d, "body");
				char why[512];

				if (strcmp(json_string_value(json_object_get(db, "application_id")), id) != 0)
					continue;
				web_printf(o, "<strong>%s</strong>",
					   web_label(r, "decision",
						     json_string_value(json_object_get(db, "decision"))));
				if (json_object_get(db, "reason"))
					web_printf(o, " — %s",
						   mf_reason_json(why, sizeof(why), db, "", r->lang));
			}
			web_raw(o, "</td></tr>");
		}
		web_raw(o, "</tbody></table>\n");
	}
}

int
page_school(web_req *r, web_out *o)
{
	const char *id = web_query(r, "id");
	json_t *rep, *school, *b, *m;
	size_t i;

	if (id == NULL || *id == '\0')
		return web_redirect(r, o, "/schools", NULL);
	rep = web_call(r, json_pack("{s:s,s:s}", "cmd", "web_school", "id", id));
	if (!web_ok(rep)) {
		web_error(r, o, 404, web_t(r, "There is no such school."));
		json_decref(rep);
		return 0;
	}
	school = json_object_get(rep, "school");
	b = json_object_get(school, "body");
	web_head(r, o, json_string_value(json_object_get(b, "name")));
	web_printf(o, "<dl class=\"card\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
		   web_t(r, "Short name"), json_string_value(json_object_get(b, "short_name")),
		   web_t(r, "Municipality"), json_string_value(json_object_get(b, "municipality")),
		   web_t(r, "Region"), webx_region_name(r, json_string_value(json_object_get(b, "region"))));
	json_array_foreach(json_object_get(b, "memberships"), i, m) {
		const char *since = json_string_value(json_object_get(m, "since"));

		web_printf(o, "<dt>%s</dt><dd>%s", web_t(r, "Member of"),
			   json_string_value(json_object_get(m, "body")));
		if (since && *since) {
			web_printf(o, ", %s ", web_t(r, "since"));
			web_date(r, o, since);
		}
		web_raw(o, "</dd>");
	}
	web_printf(o, "<dt>%s</dt><dd>%s</dd></dl>\n", web_t(r, "Source"),
		   json_string_value(json_object_get(b, "source")));
	section_cards(r, o, json_object_get(rep, "cards"));
	section_diag(r, o, json_object_get(rep, "self_diagnosis"), b);
	section_practices(r, o, json_object_get(rep, "practices"));
	section_pairs(r, o, json_object_get(rep, "pairs"), json_object_get(rep, "names"), id);
	section_internships(r, o, rep, json_object_get(rep, "names"));
	web_end(r, o);
	json_decref(rep);
	return 0;
}
