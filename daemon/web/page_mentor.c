/*
 * page_mentor.c — «Поиск наставника»: the user types the school's name
 * (a datalist of this region's schools: no script), ticks the directions
 * it needs (none: those of its latest self-diagnosis), and gets the
 * daemon's ranked candidates (mentor_find) with the reasons in words;
 * «Предложить пару» from a result posts to the pairs page.
 *
 * A pair is proposed by the mentee's region (doc/LIFECYCLES.md), so the
 * button is shown only for a school of this node's region and to a
 * methodologist; the search itself only reads.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "web.h"
#include "webx.h"

/* The daemon's "basis" (English, fixed forms) in the reader's words. */
static void
basis_text(web_req *r, web_out *o, const char *basis)
{
	int year;

	if (basis == NULL)
		return;
	if (strcmp(basis, "directions given") == 0)
		web_puts(o, web_t(r, "the directions you ticked"));
	else if (sscanf(basis, "critical indicators at zero in the %d self-diagnosis", &year) == 1)
		web_printf(o, "%s, %d", web_t(r, "critical indicators at zero in the self-diagnosis"), year);
	else if (strncmp(basis, "self-diagnosis level", 20) == 0)
		web_puts(o, web_t(r, "self-diagnosis level «Below basic»: every direction"));
	else
		web_puts(o, basis);
}

/* Why a candidate ranks where it does, from the reply's fields. */
static void
why_text(web_req *r, web_out *o, json_t *c, size_t needed)
{
	json_int_t cov = json_integer_value(json_object_get(c, "coverage"));
	json_int_t load = json_integer_value(json_object_get(c, "mentees"));

	/* no translated format strings: the words and the numbers apart */
	web_printf(o, "%s %lld %s %zu", web_t(r, "covers"), (long long)cov, web_t(r, "of"), needed);
	web_raw(o, " (");
	webx_dirs_text(r, o, json_object_get(c, "covers"));
	web_raw(o, "); ");
	web_puts(o, json_is_true(json_object_get(c, "same_region")) ? web_t(r, "same region") :
		 web_t(r, "another region"));
	web_raw(o, "; ");
	web_puts(o, json_is_true(json_object_get(c, "league")) ? web_t(r, "member of the Mentoring League") :
		 web_t(r, "not in a league"));
	web_raw(o, "; ");
	web_printf(o, "%s: %lld", web_t(r, "mentees now"), (long long)load);
}

/* «Предложить пару»: a form to the pairs page with this candidate. */
static void
propose_form(web_req *r, web_out *o, const char *mentee, json_t *c)
{
	char today[11];
	json_t *d;
	size_t i;

	web_form_open(r, o, "/pairs", 0);
	web_hidden(o, "action", "propose");
	web_hidden(o, "mentor", json_string_value(json_object_get(c, "school")));
	web_hidden(o, "mentee", mentee);
	json_array_foreach(json_object_get(c, "covers"), i, d)
		web_hidden(o, "dir", json_string_value(d));
	web_printf(o, "<label>%s <input type=\"date\" name=\"start\" value=\"%s\" required></label> ",
		   web_t(r, "start"), webx_today(today));
	web_printf(o, "<button type=\"submit\" class=\"propose\">%s</button>", web_t(r, "Propose a pair"));
	web_form_close(o);
}

static void
results(web_req *r, web_out *o, const char *sid, json_t *dirs)
{
	json_t *req = json_pack("{s:s, s:s, s:O, s:i}", "cmd", "mentor_find", "school", sid,
				"directions", dirs, "limit", 50);
	json_t *rep = web_call(r, req), *data, *c;
	const char *reg = web_region(r);
	size_t i, needed;
	int mine, can;

	if (!web_ok(rep)) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", json_string_value(json_object_get(rep, "error")) ?
			 json_string_value(json_object_get(rep, "error")) : "?");
		/* the usual refusal: no directions and nothing to infer them from */
		web_raw(o, "<p class=\"error\">");
		if (strstr(msg, "name the directions") != NULL)
			web_printf(o, "«%s»: %s", web_name(r, sid),
				   web_t(r, "the school is not at the «Below basic» level and has no critical indicator at zero: tick the directions it needs."));
		else
			web_puts(o, msg);
		web_raw(o, "</p>\n");
		json_decref(rep);
		return;
	}
	data = json_object_get(rep, "data");
	needed = json_array_size(json_object_get(data, "needed"));
	mine = reg != NULL && strncmp(sid, reg, strlen(reg)) == 0 && sid[strlen(reg)] == ':';
	can = mine && web_can(r, WEB_METHODOLOGIST);
	web_printf(o, "<h2>%s</h2>\n<p>", web_name(r, sid));
	web_puts(o, web_t(r, "Needed directions"));
	web_raw(o, ": <b>");
	webx_dirs_text(r, o, json_object_get(data, "needed"));
	web_raw(o, "</b> (");
	if (json_object_get(data, "basis_code") != NULL) {
		/* the daemon's reason code: i18n says it in the reader's words */
		char buf[512];
		web_puts(o, mf_reason_json(buf, sizeof(buf), data, "basis", r->lang));
	} else {
		basis_text(r, o, json_string_value(json_object_get(data, "basis")));
	}
	web_raw(o, ")</p>\n");
	if (!mine)
		web_printf(o, "<p class=\"note\">%s</p>\n",
			   web_t(r, "A pair is proposed by the mentee's region: this school is of another region, so this node can only show the candidates."));
	if (json_array_size(json_object_get(data, "candidates")) == 0) {
		web_printf(o, "<p>%s</p>\n", web_t(r, "No school's competency cards cover these directions."));
		json_decref(rep);
		return;
	}
	web_printf(o, "<table class=\"list\" id=\"candidates\"><thead><tr><th>№</th><th>%s</th><th>%s</th><th>%s</th>",
		   web_t(r, "School"), web_t(r, "Region"), web_t(r, "Why"));
	web_raw(o, can ? "<th></th></tr></thead><tbody>\n" : "</tr></thead><tbody>\n");
	json_array_foreach(json_object_get(data, "candidates"), i, c) {
		const char *cid = json_string_value(json_object_get(c, "school"));
		web_rawf(o, "<tr><td>%lld</td>", (long long)json_integer_value(json_object_get(c, "rank")));
		web_raw(o, "<td><a href=\"/school?id=");
		web_urlenc(o, cid);
		web_printf(o, "\">%s</a></td><td>%s</td><td>", web_name(r, cid),
			   webx_region_name(r, json_string_value(json_object_get(c, "region"))));
		why_text(r, o, c, needed);
		web_raw(o, "</td>");
		if (can) {
			web_raw(o, "<td>");
			propose_form(r, o, sid, c);
			web_raw(o, "</td>");
		}
		web_raw(o, "</tr>\n");
	}
	web_raw(o, "</tbody></table>\n");
	json_decref(rep);
}

int
page_mentor(web_req *r, web_out *o)
{
	const char *text = web_query(r, "school");
	json_t *dirs = webx_dirs_arg(r), *own;
	char *sid = NULL;
	int n = 0;

	web_head(r, o, web_t(r, "Mentor search"));
	own = webx_schools(r, web_region(r));
	web_raw(o, "<form method=\"get\" action=\"/mentor\" class=\"search\">\n");
	web_printf(o, "<label>%s <input type=\"text\" name=\"school\" list=\"mentee-schools\" size=\"60\" value=\"%s\" placeholder=\"%s\" autocomplete=\"off\"></label>\n",
		   web_t(r, "School (start typing its name)"), text ? text : "",
		   web_t(r, "name of the school that needs a mentor"));
	webx_datalist(o, "mentee-schools", own);
	webx_dir_boxes(r, o, dirs);
	web_printf(o, "<p class=\"hint\">%s</p>\n",
		   web_t(r, "No direction ticked: the directions come from the school's latest self-diagnosis."));
	web_printf(o, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, "Find mentors"));
	json_decref(own);
	if (text && *text) {
		sid = webx_school_resolve(r, NULL, text, &n);
		if (sid == NULL && n == 0)
			web_printf(o, "<p class=\"error\">%s «%s».</p>\n", web_t(r, "No school is named"), text);
		else if (sid == NULL)
			web_printf(o, "<p class=\"error\">%s «%s»: %d. %s</p>\n",
				   web_t(r, "Several schools match"), text, n,
				   web_t(r, "Pick one from the list."));
		else
			results(r, o, sid, dirs);
		free(sid);
	}
	json_decref(dirs);
	web_end(r, o);
	return 0;
}
