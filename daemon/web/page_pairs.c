/*
 * page_pairs.c — «Пары»: every mentoring pair the node holds, with its
 * state as doc/LIFECYCLES.md derives it; the mentee's region proposes, the
 * mentor's region confirms or declines a proposal and ends a confirmed
 * pair with a reason.  Buttons are shown only where this node's region
 * may act (the records layer refuses the rest anyway, and its refusal is
 * shown as the flash message).
 *
 * POST /pairs, action = propose | confirm | decline | end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "webx.h"

static void
region_of(const char *id, char *buf, size_t len)
{
	size_t n = id ? strcspn(id, ":") : 0;

	snprintf(buf, len, "%.*s", (int)n, id ? id : "");
}

/* The school's name, linked to its page. */
static void
school_link(web_req *r, web_out *o, const char *id)
{
	web_raw(o, "<a href=\"/school?id=");
	web_urlenc(o, id);
	web_printf(o, "\">%s</a>", web_name(r, id));
}

static int
post(web_req *r, web_out *o)
{
	const char *action = web_form(r, "action");
	const char *reason = web_form(r, "reason");
	json_t *req;

	if (web_require(r, o, WEB_METHODOLOGIST))
		return 0;
	if (action == NULL)
		return web_error(r, o, 400, web_t(r, "No action given."));
	if (strcmp(action, "propose") == 0) {
		/* the propose form of this page takes names; the mentor search
		 * sends ids: both resolve here */
		json_t *dirs = webx_dirs_arg(r);
		int n;
		char *mentor = webx_school_resolve(r, NULL, web_form(r, "mentor"), &n);
		char *mentee = webx_school_resolve(r, NULL, web_form(r, "mentee"), &n);

		if (mentor == NULL || mentee == NULL) {
			free(mentor);
			free(mentee);
			json_decref(dirs);
			return web_redirect(r, o, "/pairs",
					    web_t(r, "Name the mentor and the mentee exactly as in the list."));
		}
		req = json_pack("{s:s, s:s, s:s, s:o, s:s}", "cmd", "pair_propose", "mentor", mentor,
				"mentee", mentee, "directions", dirs, "start",
				web_form(r, "start") ? web_form(r, "start") : "");
		free(mentor);
		free(mentee);
		if (web_form(r, "note") && *web_form(r, "note"))
			json_object_set_new(req, "note", json_string(web_form(r, "note")));
		return webx_after_write(r, o, web_call(r, req), "/pairs", web_t(r, "The pair is proposed."));
	}
	if (strcmp(action, "confirm") == 0 || strcmp(action, "decline") == 0 ||
	    strcmp(action, "end") == 0) {
		const char *p = web_form(r, "proposal");
		if (p == NULL)
			return web_error(r, o, 400, web_t(r, "No pair given."));
		if (action[0] == 'e' && (reason == NULL || *reason == '\0'))
			return web_redirect(r, o, "/pairs", web_t(r, "Say why the pair ends."));
		req = json_pack("{s:s, s:s, s:s}", "cmd", "pair_answer", "proposal", p, "action", action);
		if (reason && *reason)
			json_object_set_new(req, "reason", json_string(reason));
		return webx_after_write(r, o, web_call(r, req), "/pairs",
					action[0] == 'c' ? web_t(r, "The pair is confirmed.") :
					action[0] == 'd' ? web_t(r, "The pair is declined.") :
					web_t(r, "The pair is ended."));
	}
	return web_error(r, o, 400, web_t(r, "Unknown action."));
}

/* The actions this node's region may take on pair p. */
static void
actions(web_req *r, web_out *o, json_t *p)
{
	const char *id = json_string_value(json_object_get(p, "proposal"));
	const char *st = json_string_value(json_object_get(p, "state"));
	const char *mentor = json_string_value(json_object_get(p, "mentor"));

	if (!web_can(r, WEB_METHODOLOGIST) || !webx_mine(r, mentor) || st == NULL)
		return;
	if (strcmp(st, "proposed") == 0) {
		web_form_open(r, o, "/pairs", 0);
		web_hidden(o, "proposal", id);
		web_hidden(o, "action", "confirm");
		web_printf(o, "<button type=\"submit\" class=\"confirm\">%s</button>", web_t(r, "Confirm"));
		web_form_close(o);
		web_form_open(r, o, "/pairs", 0);
		web_hidden(o, "proposal", id);
		web_hidden(o, "action", "decline");
		web_printf(o, "<input type=\"text\" name=\"reason\" placeholder=\"%s\"> ", web_t(r, "reason (optional)"));
		web_printf(o, "<button type=\"submit\" class=\"decline\">%s</button>", web_t(r, "Decline"));
		web_form_close(o);
	} else if (strcmp(st, "confirmed") == 0) {
		web_form_open(r, o, "/pairs", 0);
		web_hidden(o, "proposal", id);
		web_hidden(o, "action", "end");
		web_printf(o, "<input type=\"text\" name=\"reason\" required placeholder=\"%s\"> ", web_t(r, "why the pair ends"));
		web_printf(o, "<button type=\"submit\" class=\"end\">%s</button>", web_t(r, "End the pair"));
		web_form_close(o);
	}
}

static void
propose_block(web_req *r, web_out *o)
{
	json_t *own = webx_schools(r, web_region(r)), *all = webx_schools(r, NULL);
	char today[11];

	web_printf(o, "<details class=\"block\"><summary>%s</summary>\n", web_t(r, "Propose a pair"));
	web_form_open(r, o, "/pairs", 0);
	web_hidden(o, "action", "propose");
	web_printf(o, "<p><label>%s <input type=\"text\" name=\"mentee\" list=\"pair-mentees\" size=\"50\" required></label></p>\n",
		   web_t(r, "Mentee (a school of this region)"));
	webx_datalist(o, "pair-mentees", own);
	web_printf(o, "<p><label>%s <input type=\"text\" name=\"mentor\" list=\"pair-mentors\" size=\"50\" required></label></p>\n",
		   web_t(r, "Mentor"));
	webx_datalist(o, "pair-mentors", all);
	webx_dir_boxes(r, o, NULL);
	web_printf(o, "<p><label>%s <input type=\"date\" name=\"start\" value=\"%s\" required></label> ",
		   web_t(r, "start"), webx_today(today));
	web_printf(o, "<label>%s <input type=\"text\" name=\"note\"></label></p>\n", web_t(r, "note"));
	web_printf(o, "<button type=\"submit\">%s</button>", web_t(r, "Propose a pair"));
	web_form_close(o);
	web_raw(o, "</details>\n");
	json_decref(own);
	json_decref(all);
}

int
page_pairs(web_req *r, web_out *o)
{
	json_t *rep, *p;
	size_t i;

	if (r->method == WEB_POST)
		return post(r, o);
	rep = web_call(r, json_pack("{s:s}", "cmd", "pair_list"));
	if (!web_ok(rep)) {
		int x = web_error_reply(r, o, rep);
		json_decref(rep);
		return x;
	}
	web_head(r, o, web_t(r, "Mentoring pairs"));
	web_printf(o, "<p class=\"hint\">%s</p>\n",
		   web_t(r, "The mentee's region proposes a pair; the mentor's region confirms or declines it, and ends a confirmed pair with a reason."));
	if (web_can(r, WEB_METHODOLOGIST))
		propose_block(r, o);
	if (json_array_size(json_object_get(rep, "data")) == 0) {
		web_printf(o, "<p>%s</p>\n", web_t(r, "No pairs yet."));
	} else {
		web_printf(o, "<table class=\"list\" id=\"pairs\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n",
			   web_t(r, "Mentor"), web_t(r, "Mentee"), web_t(r, "Directions"),
			   web_t(r, "Start"), web_t(r, "State"), web_t(r, "Reason"));
		json_array_foreach(json_object_get(rep, "data"), i, p) {
			const char *m = json_string_value(json_object_get(p, "mentor"));
			const char *e = json_string_value(json_object_get(p, "mentee"));
			char mr[32], er[32];

			region_of(m, mr, sizeof(mr));
			region_of(e, er, sizeof(er));
			web_printf(o, "<tr data-pair=\"%s\"><td>", json_string_value(json_object_get(p, "proposal")));
			school_link(r, o, m);
			web_printf(o, "<br><small>%s</small></td><td>", webx_region_name(r, mr));
			school_link(r, o, e);
			web_printf(o, "<br><small>%s</small></td><td>", webx_region_name(r, er));
			webx_dirs_text(r, o, json_object_get(p, "directions"));
			web_raw(o, "</td><td>");
			web_date(r, o, json_string_value(json_object_get(p, "start")));
			web_raw(o, "</td><td class=\"state\">");
			webx_state(r, o, "pair_state", json_string_value(json_object_get(p, "state")));
			web_printf(o, "</td><td>%s</td><td>", json_string_value(json_object_get(p, "reason")));
			actions(r, o, p);
			web_raw(o, "</td></tr>\n");
		}
		web_raw(o, "</tbody></table>\n");
	}
	json_decref(rep);
	web_end(r, o);
	return 0;
}
