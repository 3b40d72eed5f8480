/*
 * page_export.c — «Экспорт»: tables as CSV that Excel opens in a Russian
 * locale (i18n's writer: BOM, ';', CRLF, formula guard), and an iCalendar
 * feed (libical) of webinars and other events, internships and roadmap
 * deadlines.
 *
 * A calendar application cannot log in, so the feed has its own URL per
 * user: /export/calendar.ics?user=NAME&key=K, K = HMAC-SHA256(web-secret,
 * NAME).  The key reads the calendar only (nothing else accepts it) and
 * dies with the user (`mentorfed user del`) or with the secret file.
 */
#include "config.h"

#include <libical/ical.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

/* ----------------------------------------------------------------- CSV */

typedef struct csv_col {
	const char *head;	/* English msgid */
	const char *field;	/* body field; "#id", "#region" the record's */
	const char *family;	/* enum family to translate, or NULL */
} csv_col;

typedef struct csv_table {
	const char *name;	/* ?what= */
	const char *kind;
	const char *title;	/* msgid */
	csv_col cols[8];
} csv_table;

static const csv_table tables[] = {
	{ "schools", "school", N_("Schools"), {
		{ N_("Name"), "name", NULL }, { N_("Short name"), "short_name", NULL },
		{ N_("Municipality"), "municipality", NULL }, { N_("Region"), "region", NULL },
		{ N_("Self-diagnosis level"), "self_diagnosis_level", "self_diagnosis_level" },
		{ N_("Source"), "source", NULL }, { NULL, NULL, NULL } } },
	{ "events", "event", N_("Events"), {
		{ N_("Date"), "date", NULL }, { N_("Type"), "type", "event_type" },
		{ N_("Title"), "title", NULL }, { N_("Organiser"), "organiser", NULL },
		{ N_("Region"), "#region", NULL }, { N_("Recording"), "recording_url", NULL },
		{ NULL, NULL, NULL } } },
	{ "offers", "internship_offer", N_("Internship offers"), {
		{ N_("Title"), "title", NULL }, { N_("Host school"), "@host_school_id", NULL },
		{ N_("Places"), "places", NULL }, { N_("State"), "state", "offer_state" },
		{ N_("Region"), "#region", NULL }, { N_("Description"), "description", NULL },
		{ NULL, NULL, NULL } } },
	{ "roadmap_items", "roadmap_item", N_("Roadmap items"), {
		{ N_("Roadmap"), "@roadmap_id", NULL }, { N_("Number"), "number", NULL },
		{ N_("Item"), "title", NULL }, { N_("Timing"), "timing.raw", NULL },
		{ N_("Lead"), "lead", NULL }, { N_("Region"), "#region", NULL },
		{ NULL, NULL, NULL } } },
};

static const csv_table *
table_named(const char *name)
{
	for (size_t i = 0; name && i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

/* A cell's text (numbers as numbers; "@field" the referenced record's
 * name; "a.b" a nested field). */
static const char *
cell(web_req *r, json_t *rec, const csv_col *c, char *buf, size_t len)
{
	json_t *b = json_object_get(rec, "body"), *v;
	const char *f = c->field, *dot;

	if (strcmp(f, "#region") == 0)
		return json_string_value(json_object_get(rec, "origin"));
	if (f[0] == '@')
		return web_name(r, json_string_value(json_object_get(b, f + 1)));
	if ((dot = strchr(f, '.')) != NULL) {
		char head[64];

		snprintf(head, sizeof(head), "%.*s", (int)(dot - f), f);
		v = json_object_get(json_object_get(b, head), dot + 1);
	} else {
		v = json_object_get(b, f);
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	}
	if (!json_is_string(v))
		return "";
	return c->family ? mf_label(c->family, json_string_value(v), r->lang) : json_string_value(v);
}

int
page_export_csv(web_req *r, web_out *o)
{
	const csv_table *t = table_named(web_query(r, "what"));
	json_t *rep, *rec;
	struct mf_csv csv;
	char *text = NULL, disp[128], buf[64];
	size_t len = 0, i;
	FILE *f;

	if (t == NULL)
		return web_error(r, o, 404, web_t(r, "There is no such table."));
	rep = web_call(r, json_pack("{s:s,s:s}", "cmd", "list", "kind", t->kind));
	if (!web_ok(rep)) {
		web_error_reply(r, o, rep);
		json_decref(rep);
		return 0;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		return -1;
	mf_csv_begin(&csv, f, 1);
	for (const csv_col *c = t->cols; c->head; c++)
		mf_csv_field(&csv, web_t(r, c->head));
	mf_csv_end_row(&csv);
	json_array_foreach(json_object_get(rep, "records"), i, rec) {
		for (const csv_col *c = t->cols; c->head; c++)
			mf_csv_field(&csv, cell(r, rec, c, buf, sizeof(buf)));
		mf_csv_end_row(&csv);
	}
	fclose(f);
	json_decref(rep);
	o->ctype = "text/csv; charset=utf-8";
	snprintf(disp, sizeof(disp), "attachment; filename=\"mentorfed-%s.csv\"", t->name);
	o->disposition = mf_xstrdup(disp);
	web_rawn(o, text, len);
	free(text);
	return 0;
}

/* ------------------------------------------------------------ calendar */

/* The feed key of user, hex. */
static void
feed_key(web_req *r, const char *user, char out[65])
{
	uint8_t mac[32];
	unsigned mlen = sizeof(mac);

	HMAC(EVP_sha256(), r->srv->secret, sizeof(r->srv->secret), (const uint8_t *)user,
	     strlen(user), mac, &mlen);
	mf_hex(mac, 32, out);
	out[64] = '\0';
}

static struct icaltimetype
ical_date(const char *iso, int plus_days)
{
	struct icaltimetype t = icaltime_from_string(iso);

	if (plus_days)
		icaltime_adjust(&t, plus_days, 0, 0, 0);
	t.is_date = 1;
	return t;
}

static int
valid_date(const char *s)
{
	int y, m, d;

	return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 &&
	       m <= 12 && d >= 1 && d <= 31;
}

int
page_export_ics(web_req *r, web_out *o)
{
	const char *user = web_query(r, "user"), *key = web_query(r, "key");
	icalcomponent *cal;
	struct icaltimetype now = icaltime_current_time_with_zone(icaltimezone_get_utc_timezone());
	json_t *rep, *e;
	char *text;
	size_t i;

	if (r->user == NULL) {
		char want[65];

		/* not logged in: the feed key of a user who still exists */
		if (user == NULL || key == NULL || web_users_role(r->srv, user) <= 0)
			return web_error(r, o, 403, web_t(r, "This calendar address is not valid (any more)."));
		feed_key(r, user, want);
		if (!web_token_eq(key, want))
			return web_error(r, o, 403, web_t(r, "This calendar address is not valid (any more)."));
	}
	rep = web_call(r, json_pack("{s:s}", "cmd", "web_calendar"));
	if (!web_ok(rep)) {
		web_error_reply(r, o, rep);
		json_decref(rep);
		return 0;
	}
	cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
				  icalproperty_new_prodid("-//mentorfed//mentorfed-web//RU"), NULL);
	icalcomponent_add_property(cal, icalproperty_new_x(web_t(r, "Mentoring exchange")));
	icalproperty_set_x_name(icalcomponent_get_first_property(cal, ICAL_X_PROPERTY),
				"X-WR-CALNAME");
	json_array_foreach(json_object_get(rep, "entries"), i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *from = json_string_value(json_object_get(e, "from"));
		const char *to = json_string_value(json_object_get(e, "to"));
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *where = json_string_value(json_object_get(e, "where"));
		char summary[1024], uid[256];
		icalcomponent *ev;

		if (!valid_date(from))
			continue;
		if (!valid_date(to))
			to = from;
		if (strcmp(type, "deadline") == 0)
			snprintf(summary, sizeof(summary), "%s: %s", web_t(r, "Deadline"),
				 json_string_value(json_object_get(e, "title")));
		else if (strcmp(type, "internship") == 0)
			snprintf(summary, sizeof(summary), "%s: %s", web_t(r, "Internship"),
				 json_string_value(json_object_get(e, "title")));
		else
			snprintf(summary, sizeof(summary), "%s: %s",
				 mf_label("event_type", type, r->lang),
				 json_string_value(json_object_get(e, "title")));
		snprintf(uid, sizeof(uid), "%s@mentorfed", id);
		ev = icalcomponent_vanew(ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
					 icalproperty_new_summary(summary),
					 icalproperty_new_dtstart(ical_date(from, 0)),
					 /* DTEND of an all-day event is exclusive */
					 icalproperty_new_dtend(ical_date(to, 1)),
					 icalproperty_new_dtstamp(now),
					 NULL);
		if (where && *where) {
			const char *wn = strchr(where, ':') && strncmp(where, "RU-", 3) == 0 ?
						 web_name(r, where) : where;

			icalcomponent_add_property(ev, icalproperty_new_location(wn));
		}
		icalcomponent_add_property(ev, icalproperty_new_categories(
						       json_string_value(json_object_get(e, "region"))));
		icalcomponent_add_component(cal, ev);
	}
	json_decref(rep);
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	o->ctype = "text/calendar; charset=utf-8";
	o->disposition = mf_xstrdup("inline; filename=\"mentorfed.ics\"");
	web_raw(o, text);
	free(text);
	return 0;
}

/* ---------------------------------------------------------------- page */

int
page_export(web_req *r, web_out *o)
{
	char key[65];

	web_head(r, o, web_t(r, "Export"));
	web_printf(o, "<h2>%s</h2>\n<p>%s</p>\n<ul>", web_t(r, "Tables for Excel"),
		   web_t(r, "CSV in UTF-8 with ';' between columns: Excel in a Russian locale opens it "
			    "with a double click."));
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		web_printf(o, "<li><a href=\"/export/csv?what=%s\" download>%s</a></li>", tables[i].name,
			   web_t(r, tables[i].title));
	web_raw(o, "</ul>\n");
	web_printf(o, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, "Calendar"),
		   web_t(r, "Webinars and other events, internships and roadmap deadlines as iCalendar."));
	web_printf(o, "<p><a href=\"/export/calendar.ics\" download>%s</a></p>\n",
		   web_t(r, "Download the calendar (.ics)"));
	feed_key(r, r->user, key);
	web_printf(o, "<p>%s</p>\n<p><code>/export/calendar.ics?user=", web_t(r,
		   "To subscribe in a calendar application (it updates by itself), add this address "
		   "after this site's address; it is yours, do not share it:"));
	web_urlenc(o, r->user);
	web_printf(o, "&amp;key=%s</code></p>\n", key);
	web_end(r, o);
	return 0;
}
