/*
 * page_internships.c — «Стажировки»: search offers by direction, month and
 * region; an offer's page with its applications in submission order and
 * the waiting list; offer (a school of this region hosts), apply (a school
 * of this region applies, to an offer of any region that is open to it),
 * decide (the host's region, in submission order, optionally with a
 * waiting list).  The applicant's node shows the host's decision and its
 * reason in the reader's language (i18n translates the daemon's reasons).
 *
 * GET /internships[?direction=&month=&region=] — the search
 * GET /internships?offer=ID — one offer
 * POST /internships, action = offer | apply | decide | withdraw
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "webx.h"

static void
offer_link(web_out *o, const char *id)
{
	web_raw(o, "/internships?offer=");
	web_urlenc(o, id);
}

/* ---------------------------------------------------------------- writes */

static int
post_offer(web_req *r, web_out *o)
{
	const char *places = web_form(r, "places");
	json_t *req;
	long n = places ? strtol(places, NULL, 10) : 0;
	int k;
	char *host = webx_school_resolve(r, web_region(r), web_form(r, "host"), &k);

	if (host == NULL) {
		return web_redirect(r, o, "/internships",
				    web_t(r, "The host must be a school of this region, named as in the list."));
	}
	req = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:b}", "cmd", "offer", "host", host,
			"title", web_form(r, "title") ? web_form(r, "title") : "", "directions",
			webx_dirs_arg(r), "from", web_form(r, "from") ? web_form(r, "from") : "", "to",
			web_form(r, "to") ? web_form(r, "to") : "", "places", (json_int_t)n, "open",
			web_form(r, "open") != NULL);
	free(host);
	if (web_form(r, "description") && *web_form(r, "description"))
		json_object_set_new(req, "description", json_string(web_form(r, "description")));
	return webx_after_write(r, o, web_call(r, req), "/internships", web_t(r, "The internship is offered."));
}

static int
post_apply(web_req *r, web_out *o, const char *offer, const char *back)
{
	const char *np = web_form(r, "participants");
	json_t *req;
	int k;
	char *school = webx_school_resolve(r, web_region(r), web_form(r, "school"), &k);

	if (school == NULL) {
		return web_redirect(r, o, back,
				    web_t(r, "The applicant must be a school of this region, named as in the list."));
	}
	req = json_pack("{s:s, s:s, s:s, s:I}", "cmd", "apply", "offer", offer, "school", school,
			"participants", (json_int_t)(np ? strtol(np, NULL, 10) : 1));
	free(school);
	if (web_form(r, "note") && *web_form(r, "note"))
		json_object_set_new(req, "note", json_string(web_form(r, "note")));
	return webx_after_write(r, o, web_call(r, req), back, web_t(r, "The application is sent."));
}

static int
post(web_req *r, web_out *o)
{
	const char *action = web_form(r, "action"), *offer = web_form(r, "offer");
	char back[512];
	json_t *req;

	if (web_require(r, o, WEB_METHODOLOGIST))
		return 0;
	if (action == NULL)
		return web_error(r, o, 400, web_t(r, "No action given."));
	if (strcmp(action, "offer") == 0)
		return post_offer(r, o);
	if (offer == NULL)
		return web_error(r, o, 400, web_t(r, "No offer given."));
	/* back to the offer's page: its id percent-encoded by hand (ids are
	 * "RU-XXX:kind:hex", so only ':' needs it) */
	snprintf(back, sizeof(back), "/internships?offer=");
	for (const char *p = offer; *p && strlen(back) + 4 < sizeof(back); p++) {
		size_t l = strlen(back);
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_')
			back[l] = *p, back[l + 1] = '\0';
		else
			snprintf(back + l, sizeof(back) - l, "%%%02X", (unsigned char)*p);
	}
	if (strcmp(action, "apply") == 0)
		return post_apply(r, o, offer, back);
	if (strcmp(action, "decide") == 0) {
		req = json_pack("{s:s, s:s, s:b}", "cmd", "decide", "offer", offer, "waitlist",
				web_form(r, "waitlist") != NULL);
		return webx_after_write(r, o, web_call(r, req), back,
					web_t(r, "The applications are decided in submission order."));
	}
	if (strcmp(action, "withdraw") == 0) {
		req = json_pack("{s:s, s:s, s:s, s:s}", "cmd", "decide_one", "application",
				web_form(r, "application") ? web_form(r, "application") : "", "action",
				"withdraw", "reason", web_form(r, "reason") ? web_form(r, "reason") : "");
		return webx_after_write(r, o, web_call(r, req), back, web_t(r, "The application is withdrawn."));
	}
	return web_error(r, o, 400, web_t(r, "Unknown action."));
}

/* ---------------------------------------------------------------- one offer */

static void
offer_dates(web_req *r, web_out *o, json_t *dates)
{
	json_t *d;
	size_t i;

	if (json_is_string(dates)) {
		/* the search's form: "FROM..TO, FROM..TO" */
		char *t = mf_xstrdup(json_string_value(dates)), *save = NULL, *iv;
		int first = 1;

		for (iv = strtok_r(t, ",", &save); iv; iv = strtok_r(NULL, ",", &save)) {
			char *sep = strstr(iv, "..");
			while (*iv == ' ')
				iv++;
			if (!first)
				web_raw(o, "; ");
			first = 0;
			if (sep == NULL) {
				web_puts(o, iv);
				continue;
			}
			*sep = '\0';
			web_date(r, o, iv);
			web_raw(o, " – ");
			web_date(r, o, sep + 2);
		}
		free(t);
		return;
	}
	json_array_foreach(dates, i, d) {
		if (i)
			web_raw(o, "; ");
		web_date(r, o, json_string_value(json_object_get(d, "from")));
		web_raw(o, " – ");
		web_date(r, o, json_string_value(json_object_get(d, "to")));
	}
}

/* The application's state, its place on the waiting list, the reason. */
static void
app_row(web_req *r, web_out *o, json_t *a, int can_withdraw, const char *offer)
{
	const char *sch = json_string_value(json_object_get(a, "school"));
	const char *st = json_string_value(json_object_get(a, "decision"));
	json_int_t pos = json_integer_value(json_object_get(a, "waiting_position"));
	char why[1024];

	mf_reason_json(why, sizeof(why), a, "", r->lang);
	web_printf(o, "<tr><td>%s</td><td>%s</td><td>%lld</td><td class=\"state\">", web_name(r, sch),
		   webx_region_name(r, json_string_value(json_object_get(a, "region"))),
		   (long long)json_integer_value(json_object_get(a, "participants")));
	webx_state(r, o, "application_state", st);
	if (pos > 0)
		web_printf(o, " (%s %lld)", web_t(r, "place"), (long long)pos);
	web_printf(o, "</td><td>%lld</td><td class=\"reason\">%s</td><td>",
		   (long long)json_integer_value(json_object_get(a, "places_granted")), why);
	if (can_withdraw && st && (strcmp(st, "submitted") == 0 || strcmp(st, "waitlisted") == 0 ||
				   strcmp(st, "accepted") == 0)) {
		web_form_open(r, o, "/internships", 0);
		web_hidden(o, "action", "withdraw");
		web_hidden(o, "offer", offer);
		web_hidden(o, "application", json_string_value(json_object_get(a, "application")));
		web_printf(o, "<button type=\"submit\">%s</button>", web_t(r, "Withdraw"));
		web_form_close(o);
	}
	web_raw(o, "</td></tr>\n");
}

static int
show_offer(web_req *r, web_out *o, const char *id)
{
	json_t *rep = web_call(r, json_pack("{s:s, s:s}", "cmd", "offer_show", "offer", id));
	json_t *data, *body, *a, *own;
	const char *state;
	int host_mine = webx_mine(r, id), meth = web_can(r, WEB_METHODOLOGIST);
	size_t i;

	if (!web_ok(rep)) {
		int x = web_error_reply(r, o, rep);
		json_decref(rep);
		return x;
	}
	data = json_object_get(rep, "data");
	body = json_object_get(json_object_get(data, "offer"), "body");
	state = json_string_value(json_object_get(data, "state"));
	web_head(r, o, web_t(r, "Internship"));
	web_printf(o, "<p><a href=\"/internships\">← %s</a></p>\n", web_t(r, "all internships"));
	web_printf(o, "<h2 id=\"offer-title\">%s</h2>\n", json_string_value(json_object_get(body, "title")));
	web_printf(o, "<dl class=\"card\"><dt>%s</dt><dd>%s (%s)</dd><dt>%s</dt><dd>", web_t(r, "Host"),
		   web_name(r, json_string_value(json_object_get(body, "host_school_id"))),
		   webx_region_name(r, json_string_value(json_object_get(json_object_get(data, "offer"), "origin"))),
		   web_t(r, "Directions"));
	webx_dirs_text(r, o, json_object_get(body, "directions"));
	web_printf(o, "</dd><dt>%s</dt><dd>", web_t(r, "Dates"));
	offer_dates(r, o, json_object_get(body, "dates"));
	web_printf(o, "</dd><dt>%s</dt><dd>%lld / %lld</dd><dt>%s</dt><dd>", web_t(r, "Places left"),
		   (long long)json_integer_value(json_object_get(data, "places_left")),
		   (long long)json_integer_value(json_object_get(data, "places")), web_t(r, "State"));
	webx_state(r, o, "offer_state", state);
	web_printf(o, "</dd><dt>%s</dt><dd>%s</dd>", web_t(r, "Open to other regions"),
		   json_is_true(json_object_get(body, "open_to_other_regions")) ? web_t(r, "yes") : web_t(r, "no"));
	if (json_string_value(json_object_get(body, "description")))
		web_printf(o, "<dt>%s</dt><dd>%s</dd>", web_t(r, "Description"),
			   json_string_value(json_object_get(body, "description")));
	web_raw(o, "</dl>\n");

	web_printf(o, "<h2>%s</h2>\n", web_t(r, "Applications, in submission order"));
	if (json_array_size(json_object_get(data, "applications")) == 0) {
		web_printf(o, "<p>%s</p>\n", web_t(r, "No applications yet."));
	} else {
		web_printf(o, "<table class=\"list\" id=\"applications\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n",
			   web_t(r, "School"), web_t(r, "Region"), web_t(r, "Participants"),
			   web_t(r, "State"), web_t(r, "Places granted"), web_t(r, "Reason"));
		json_array_foreach(json_object_get(data, "applications"), i, a)
			app_row(r, o, a, meth && webx_mine(r, json_string_value(json_object_get(a, "application"))), id);
		web_raw(o, "</tbody></table>\n");
	}
	if (json_array_size(json_object_get(data, "waiting_list")) > 0) {
		web_printf(o, "<h3>%s</h3>\n<ol id=\"waiting-list\">", web_t(r, "Waiting list (accepted in this order when places free)"));
		json_array_foreach(json_object_get(data, "waiting_list"), i, a)
			web_printf(o, "<li>%s — %lld</li>",
				   web_name(r, json_string_value(json_object_get(a, "school"))),
				   (long long)json_integer_value(json_object_get(a, "participants")));
		web_raw(o, "</ol>\n");
	}
	if (meth && host_mine && state && strcmp(state, "cancelled") != 0) {
		web_printf(o, "<h2>%s</h2>\n<p class=\"hint\">%s</p>\n", web_t(r, "Decide"),
			   web_t(r, "Applications are decided in submission order: each is accepted while its participants fit in the places left; one that does not fit is declined, or put on the waiting list."));
		web_form_open(r, o, "/internships", 0);
		web_hidden(o, "action", "decide");
		web_hidden(o, "offer", id);
		web_printf(o, "<label><input type=\"checkbox\" name=\"waitlist\" value=\"1\"> %s</label> ",
			   web_t(r, "waiting list instead of declining"));
		web_printf(o, "<button type=\"submit\" id=\"decide\">%s</button>", web_t(r, "Decide in submission order"));
		web_form_close(o);
	}
	if (meth && state && strcmp(state, "open") == 0 &&
	    (host_mine || json_is_true(json_object_get(body, "open_to_other_regions")))) {
		own = webx_schools(r, web_region(r));
		web_printf(o, "<h2>%s</h2>\n", web_t(r, "Apply"));
		web_form_open(r, o, "/internships", 0);
		web_hidden(o, "action", "apply");
		web_hidden(o, "offer", id);
		web_printf(o, "<p><label>%s <input type=\"text\" name=\"school\" list=\"apply-schools\" size=\"50\" required></label></p>\n",
			   web_t(r, "School (of this region)"));
		webx_datalist(o, "apply-schools", own);
		web_printf(o, "<p><label>%s <input type=\"number\" name=\"participants\" min=\"1\" max=\"100000\" value=\"1\"></label> ",
			   web_t(r, "Participants"));
		web_printf(o, "<label>%s <input type=\"text\" name=\"note\"></label></p>\n", web_t(r, "note"));
		web_printf(o, "<button type=\"submit\" id=\"apply\">%s</button>", web_t(r, "Apply"));
		web_form_close(o);
		json_decref(own);
	}
	json_decref(rep);
	web_end(r, o);
	return 0;
}

/* ---------------------------------------------------------------- search */

/* The regions that offer internships, for the search's region list: from
 * the unfiltered offers (their number is small: one per host and title). */
static json_t *
offer_regions(web_req *r, json_t *offers)
{
	json_t *rep = NULL, *a = json_array(), *of;
	size_t i, k;

	if (offers == NULL) {
		rep = web_call(r, json_pack("{s:s}", "cmd", "offers"));
		offers = json_object_get(rep, "data");
	}
	json_array_foreach(offers, i, of) {
		const char *reg = json_string_value(json_object_get(of, "region"));
		json_t *e;
		int seen = 0;
		json_array_foreach(a, k, e)
			seen |= reg && strcmp(json_string_value(e), reg) == 0;
		if (reg && !seen)
			json_array_append_new(a, json_string(reg));
	}
	json_decref(rep);
	return a;
}

static void
search_form(web_req *r, web_out *o, const char *dir, const char *month, const char *region,
	    json_t *regions)
{
	json_t *e;
	size_t i;

	web_raw(o, "<form method=\"get\" action=\"/internships\" class=\"search\">\n");
	web_printf(o, "<label>%s <select name=\"direction\"><option value=\"\">%s</option>",
		   web_t(r, "Direction"), web_t(r, "any"));
	for (int d = 0; webx_directions[d]; d++)
		web_printf(o, "<option value=\"%s\"%s>%s</option>", webx_directions[d],
			   dir && strcmp(dir, webx_directions[d]) == 0 ? " selected" : "",
			   web_label(r, "direction", webx_directions[d]));
	web_printf(o, "</select></label>\n<label>%s <input type=\"month\" name=\"month\" value=\"%s\" placeholder=\"2025-04\"></label>\n",
		   web_t(r, "Month"), month ? month : "");
	web_printf(o, "<label>%s <select name=\"region\"><option value=\"\">%s</option>", web_t(r, "Region"),
		   web_t(r, "any"));
	json_array_foreach(regions, i, e)
		web_printf(o, "<option value=\"%s\"%s>%s</option>", json_string_value(e),
			   region && strcmp(region, json_string_value(e)) == 0 ? " selected" : "",
			   webx_region_name(r, json_string_value(e)));
	web_printf(o, "</select></label>\n<button type=\"submit\">%s</button>\n</form>\n", web_t(r, "Search"));
}

static void
offer_block(web_req *r, web_out *o)
{
	json_t *own = webx_schools(r, web_region(r));

	web_printf(o, "<details class=\"block\"><summary>%s</summary>\n", web_t(r, "Offer an internship"));
	web_form_open(r, o, "/internships", 0);
	web_hidden(o, "action", "offer");
	web_printf(o, "<p><label>%s <input type=\"text\" name=\"host\" list=\"host-schools\" size=\"50\" required></label></p>\n",
		   web_t(r, "Host school (of this region)"));
	webx_datalist(o, "host-schools", own);
	web_printf(o, "<p><label>%s <input type=\"text\" name=\"title\" size=\"60\" required></label></p>\n",
		   web_t(r, "Title"));
	webx_dir_boxes(r, o, NULL);
	web_printf(o, "<p><label>%s <input type=\"date\" name=\"from\" required></label> ", web_t(r, "from"));
	web_printf(o, "<label>%s <input type=\"date\" name=\"to\" required></label> ", web_t(r, "to"));
	web_printf(o, "<label>%s <input type=\"number\" name=\"places\" min=\"1\" max=\"100000\" value=\"1\" required></label></p>\n",
		   web_t(r, "Places"));
	web_printf(o, "<p><label><input type=\"checkbox\" name=\"open\" value=\"1\" checked> %s</label></p>\n",
		   web_t(r, "open to other regions"));
	web_printf(o, "<p><label>%s<br><textarea name=\"description\" rows=\"3\" cols=\"60\"></textarea></label></p>\n",
		   web_t(r, "Description"));
	web_printf(o, "<button type=\"submit\" id=\"offer\">%s</button>", web_t(r, "Offer"));
	web_form_close(o);
	web_raw(o, "</details>\n");
	json_decref(own);
}

int
page_internships(web_req *r, web_out *o)
{
	const char *dir = web_query(r, "direction"), *month = web_query(r, "month");
	const char *region = web_query(r, "region"), *offer = web_query(r, "offer");
	json_t *req, *rep, *of, *regs;
	size_t i;

	if (r->method == WEB_POST)
		return post(r, o);
	if (offer && *offer)
		return show_offer(r, o, offer);
	req = json_pack("{s:s}", "cmd", "offers");
	if (dir && *dir)
		json_object_set_new(req, "directions", json_pack("[s]", dir));
	if (month && *month)
		json_object_set_new(req, "month", json_string(month));
	if (region && *region)
		json_object_set_new(req, "region", json_string(region));
	rep = web_call(r, req);
	web_head(r, o, web_t(r, "Interregional internships"));
	/* filtered results may not name every region: ask for all then */
	regs = offer_regions(r, (dir && *dir) || (month && *month) || (region && *region) || !web_ok(rep) ?
			     NULL : json_object_get(rep, "data"));
	search_form(r, o, dir, month, region, regs);
	json_decref(regs);
	if (web_can(r, WEB_METHODOLOGIST))
		offer_block(r, o);
	if (!web_ok(rep)) {
		web_printf(o, "<p class=\"error\">%s</p>\n", json_string_value(json_object_get(rep, "error")));
	} else if (json_array_size(json_object_get(rep, "data")) == 0) {
		web_printf(o, "<p>%s</p>\n", web_t(r, "No offers match."));
	} else {
		web_printf(o, "<table class=\"list\" id=\"offers\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
			   web_t(r, "Internship"), web_t(r, "Host"), web_t(r, "Region"),
			   web_t(r, "Directions"), web_t(r, "Dates"), web_t(r, "Places left"),
			   web_t(r, "State"));
		json_array_foreach(json_object_get(rep, "data"), i, of) {
			web_raw(o, "<tr><td><a href=\"");
			offer_link(o, json_string_value(json_object_get(of, "offer")));
			web_printf(o, "\">%s</a></td><td>%s</td><td>%s</td><td>",
				   json_string_value(json_object_get(of, "title")),
				   web_name(r, json_string_value(json_object_get(of, "host"))),
				   webx_region_name(r, json_string_value(json_object_get(of, "region"))));
			webx_dirs_text(r, o, json_object_get(of, "directions"));
			web_raw(o, "</td><td>");
			offer_dates(r, o, json_object_get(of, "dates"));
			web_printf(o, "</td><td>%lld / %lld</td><td>",
				   (long long)json_integer_value(json_object_get(of, "places_left")),
				   (long long)json_integer_value(json_object_get(of, "places")));
			webx_state(r, o, "offer_state", json_string_value(json_object_get(of, "state")));
			web_raw(o, "</td></tr>\n");
		}
		web_raw(o, "</tbody></table>\n");
	}
	json_decref(rep);
	web_end(r, o);
	return 0;
}
