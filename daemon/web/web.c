/*
 * web.c — mentorfed-web's framework (see web.h): the page table, dispatch
 * (session, role, method, CSRF), escaping output, layout and forms, and
 * the calls to the daemon's control socket.  The HTTP side is http.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <zmq.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

/* ------------------------------------------------------------ the pages */

/* Every page, sorted by path (strcmp order: bsearch; checked at start).
 * A new page is one line here. */
const web_page web_pages[] = {
	{ "/export", page_export, N_("Export"), WEB_VIEWER, WEB_GET },
	{ "/export/calendar.ics", page_export_ics, NULL, WEB_ANON, WEB_GET },
	{ "/export/csv", page_export_csv, NULL, WEB_VIEWER, WEB_GET },
	{ "/federation", page_federation, N_("Federation"), WEB_VIEWER, WEB_GET },
	{ "/import", page_import, N_("Import"), WEB_OPERATOR, WEB_GET | WEB_POST },
	{ "/internships", page_internships, N_("Internships"), WEB_VIEWER, WEB_GET | WEB_POST },
	{ "/login", page_login, NULL, WEB_ANON, WEB_GET | WEB_POST },
	{ "/logout", page_logout, NULL, WEB_ANON, WEB_POST },
	{ "/mentor", page_mentor, N_("Find a mentor"), WEB_VIEWER, WEB_GET | WEB_POST },
	{ "/pairs", page_pairs, N_("Pairs"), WEB_VIEWER, WEB_GET | WEB_POST },
	{ "/roadmaps", page_roadmaps, N_("Roadmaps"), WEB_VIEWER, WEB_GET | WEB_POST },
	{ "/school", page_school, NULL, WEB_VIEWER, WEB_GET },
	{ "/schools", page_schools, N_("Schools"), WEB_VIEWER, WEB_GET },
};
const size_t web_npages = sizeof(web_pages) / sizeof(web_pages[0]);

/* The menu's order (the table's is by path). */
static const char *const menu_order[] = {
	"/federation", "/schools", "/mentor", "/pairs", "/internships", "/roadmaps",
	"/import", "/export",
};

static int
page_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const web_page *)elem)->path);
}

static const web_page *
page_lookup(const char *path)
{
	return bsearch(path, web_pages, web_npages, sizeof(web_pages[0]), page_cmp);
}

int
web_pages_check(void)
{
	for (size_t i = 1; i < web_npages; i++)
		if (strcmp(web_pages[i - 1].path, web_pages[i].path) >= 0) {
			fprintf(stderr, "mentorfed-web: page table out of order at %s\n",
				web_pages[i].path);
			return -1;
		}
	return 0;
}

/* --------------------------------------------------------------- fields */

static const web_field *
field_in(web_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

const char *
web_query(web_req *r, const char *name)
{
	const web_field *f = field_in(r->query, r->nquery, name);

	return f ? f->value : NULL;
}

const char *
web_form(web_req *r, const char *name)
{
	const web_field *f = field_in(r->form, r->nform, name);

	return f ? f->value : NULL;
}

const char *
web_arg(web_req *r, const char *name)
{
	const char *v = web_form(r, name);

	return v ? v : web_query(r, name);
}

const web_field *
web_field_get(web_req *r, const char *name)
{
	const web_field *f = field_in(r->form, r->nform, name);

	return f ? f : field_in(r->query, r->nquery, name);
}

size_t
web_args(web_req *r, const char *name, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0) {
			if (n < max)
				out[n] = r->form[i].value;
			n++;
		}
	for (size_t i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0) {
			if (n < max)
				out[n] = r->query[i].value;
			n++;
		}
	return n;
}

/* --------------------------------------------------------------- output */

void
web_rawn(web_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 8192;

		while (o->len + n + 1 > cap)
			cap *= 2;
		o->buf = mf_xrealloc(o->buf, cap);
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void
web_raw(web_out *o, const char *s)
{
	if (s)
		web_rawn(o, s, strlen(s));
}

void
web_rawf(web_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	web_rawn(o, s, (size_t)n);
	free(s);
}

/* HTML-escape: & < > " ' (the last two for attribute values). */
void
web_puts(web_out *o, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	for (p = s; *p; p++) {
		const char *e = NULL;

		switch (*p) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		if (e) {
			web_rawn(o, s, (size_t)(p - s));
			web_raw(o, e);
			s = p + 1;
		}
	}
	web_rawn(o, s, (size_t)(p - s));
}

/*
 * printf with every %s escaped: the format is walked conversion by
 * conversion; each is formatted alone (so flags, width and precision
 * work), strings through web_puts.  Supported: d i u x X c s f g e p
 * with the l, ll, z, h length modifiers and '*' widths.
 */
#pragma GCC diagnostic push
/* each conversion is formatted alone from the caller's format, which the
 * compiler has checked at the web_printf call (format attribute) */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
web_vprintf(web_out *o, const char *fmt, va_list ap)
{
	const char *p = fmt;

	while (*p) {
		const char *pct = strchr(p, '%');
		char spec[32];
		size_t sl;
		int star[2] = { -1, -1 }, ns = 0, lng = 0;
		const char *q;

		if (pct == NULL) {
			web_raw(o, p);
			return;
		}
		web_rawn(o, p, (size_t)(pct - p));
		q = pct + 1;
		if (*q == '%') {
			web_raw(o, "%");
			p = q + 1;
			continue;
		}
		while (*q && strchr("-+ #0", *q))
			q++;
		for (int part = 0; part < 2; part++) {
			if (*q == '*') {
				if (ns < 2)
					star[ns++] = va_arg(ap, int);
				q++;
			} else {
				while (*q >= '0' && *q <= '9')
					q++;
			}
			if (part == 0 && *q == '.')
				q++;
			else if (part == 0)
				break;
		}
		while (*q && strchr("hlzjt", *q)) {
			if (*q == 'l')
				lng++;
			if (*q == 'z' || *q == 'j' || *q == 't')
				lng = 2;
			q++;
		}
		if (*q == '\0')
			break;
		sl = (size_t)(q - pct + 1);
		if (sl >= sizeof(spec))
			abort();
		memcpy(spec, pct, sl);
		spec[sl] = '\0';
		switch (*q) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			char *t;
			int n;

			/* width/precision apply to the text, then it is escaped */
			if (ns == 2)
				n = asprintf(&t, spec, star[0], star[1], s ? s : "");
			else if (ns == 1)
				n = asprintf(&t, spec, star[0], s ? s : "");
			else
				n = asprintf(&t, spec, s ? s : "");
			if (n < 0)
				abort();
			web_puts(o, t);
			free(t);
			break;
		}
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'c': {
			char buf[64];
			if (lng >= 2) {
				long long v = va_arg(ap, long long);
				if (ns == 1)
					snprintf(buf, sizeof(buf), spec, star[0], v);
				else
					snprintf(buf, sizeof(buf), spec, v);
			} else if (lng == 1) {
				long v = va_arg(ap, long);
				if (ns == 1)
					snprintf(buf, sizeof(buf), spec, star[0], v);
				else
					snprintf(buf, sizeof(buf), spec, v);
			} else {
				int v = va_arg(ap, int);
				if (ns == 1)
					snprintf(buf, sizeof(buf), spec, star[0], v);
				else
					snprintf(buf, sizeof(buf), spec, v);
			}
			web_puts(o, buf);
			break;
		}
		case 'f': case 'g': case 'e': case 'F': case 'G': case 'E': {
			char buf[128];
			double v = va_arg(ap, double);

			if (ns == 1)
				snprintf(buf, sizeof(buf), spec, star[0], v);
			else if (ns == 2)
				snprintf(buf, sizeof(buf), spec, star[0], star[1], v);
			else
				snprintf(buf, sizeof(buf), spec, v);
			web_puts(o, buf);
			break;
		}
		case 'p': {
			char buf[64];

			snprintf(buf, sizeof(buf), "%p", va_arg(ap, void *));
			web_puts(o, buf);
			break;
		}
		default:
			abort();	/* a format this printf does not know */
		}
		p = q + 1;
	}
}

#pragma GCC diagnostic pop

void
web_printf(web_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	web_vprintf(o, fmt, ap);
	va_end(ap);
}

void
web_urlenc(web_out *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
			web_rawn(o, (const char *)p, 1);
		} else {
			char e[4] = { '%', hex[*p >> 4], hex[*p & 15], 0 };
			web_raw(o, e);
		}
	}
}

/* ------------------------------------------------------------- language */

const char *
web_t(web_req *r, const char *msgid)
{
	return mf_tr(r->lang, msgid);
}

const char *
web_tf(web_req *r, const char *msgid)
{
	return mf_tr(r->lang, msgid);
}

const char *
web_label(web_req *r, const char *family, const char *value)
{
	return mf_label(family, value, r->lang);
}

void
web_date(web_req *r, web_out *o, const char *iso)
{
	char buf[128];

	if (iso == NULL || *iso == '\0') {
		web_raw(o, "—");
		return;
	}
	web_puts(o, mf_date_human(buf, sizeof(buf), iso, r->lang));
}

/* --------------------------------------------------------------- layout */

static void
menu_item(web_req *r, web_out *o, const web_page *p)
{
	if (p->menu == NULL || p->role > r->role || !(p->methods & WEB_GET))
		return;
	web_printf(o, "<li><a href=\"%s\"", p->path);
	if (strcmp(r->path, p->path) == 0)
		web_raw(o, " aria-current=\"page\"");
	web_printf(o, ">%s</a></li>", web_t(r, p->menu));
}

void
web_head(web_req *r, web_out *o, const char *title)
{
	size_t nmenu = sizeof(menu_order) / sizeof(menu_order[0]);

	web_rawf(o, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
		 strcmp(r->lang, "en") == 0 ? "en" : "ru");
	web_raw(o, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		   "<link rel=\"stylesheet\" href=\"/static/web.css\">"
		   "<script src=\"/static/web.js\" defer></script>");
	web_printf(o, "<title>%s — %s</title></head><body>\n", title, web_t(r, "Mentoring exchange"));
	web_printf(o, "<header><span class=\"brand\">%s · %s</span>",
		   web_t(r, "Mentoring exchange"), web_region(r));
	if (r->user) {
		web_raw(o, "<nav><ul>");
		for (size_t i = 0; i < nmenu; i++) {
			const web_page *p = page_lookup(menu_order[i]);

			if (p)
				menu_item(r, o, p);
		}
		for (size_t i = 0; i < web_npages; i++) {
			int listed = 0;

			for (size_t j = 0; j < nmenu; j++)
				listed |= strcmp(menu_order[j], web_pages[i].path) == 0;
			if (!listed)
				menu_item(r, o, &web_pages[i]);
		}
		web_raw(o, "</ul></nav>");
		web_printf(o, "<span class=\"user\">%s (%s)</span>", r->user,
			   web_t(r, web_role_name(r->role)));
		web_form_open(r, o, "/logout", 0);
		web_printf(o, "<button type=\"submit\" class=\"link\">%s</button>", web_t(r, "Log out"));
		web_form_close(o);
	}
	web_raw(o, "</header>\n<main>\n");
	if (r->flash)
		web_printf(o, "<p class=\"flash\" role=\"status\">%s</p>\n", r->flash);
	web_printf(o, "<h1>%s</h1>\n", title);
}

void
web_end(web_req *r, web_out *o)
{
	(void)r;
	web_raw(o, "</main>\n</body></html>\n");
}

int
web_redirect(web_req *r, web_out *o, const char *location, const char *flash)
{
	web_priv *pv = r->priv;

	o->status = 303;
	free(o->location);
	o->location = mf_xstrdup(location);
	if (flash && pv && pv->sid[0])
		web_session_flash(pv->sid, flash);
	return 0;
}

int
web_error(web_req *r, web_out *o, int status, const char *msg)
{
	o->len = 0;
	o->status = status;
	web_head(r, o, web_t(r, status == 403 ? "Not allowed" : status == 404 ? "Not found" :
			     "Something went wrong"));
	web_printf(o, "<p class=\"error\">%s</p>\n", msg);
	web_end(r, o);
	return 0;
}

int
web_error_reply(web_req *r, web_out *o, json_t *rep)
{
	char buf[1024];
	const char *e = json_string_value(json_object_get(rep, "error"));

	if (json_object_get(rep, "reason_code") || json_object_get(rep, "reason"))
		e = mf_reason_json(buf, sizeof(buf), rep, "", r->lang);
	return web_error(r, o, 409, e ? e : web_t(r, "The daemon refused the request."));
}

/* ---------------------------------------------------------------- forms */

void
web_form_open(web_req *r, web_out *o, const char *action, int upload)
{
	web_printf(o, "<form method=\"post\" action=\"%s\"", action);
	web_raw(o, upload ? " enctype=\"multipart/form-data\">" : ">");
	web_hidden(o, "csrf", r->csrf ? r->csrf : "");
}

void
web_form_close(web_out *o)
{
	web_raw(o, "</form>\n");
}

void
web_hidden(web_out *o, const char *name, const char *value)
{
	web_printf(o, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", name, value ? value : "");
}

/* ---------------------------------------------------------------- roles */

int
web_can(web_req *r, int role)
{
	return r->role >= role;
}

int
web_require(web_req *r, web_out *o, int role)
{
	if (web_can(r, role))
		return 0;
	web_error(r, o, 403, web_t(r, "Your role does not allow this."));
	return -1;
}

const char *
web_role_name(int role)
{
	switch (role) {
	case WEB_VIEWER: return N_("viewer");
	case WEB_METHODOLOGIST: return N_("methodologist");
	case WEB_OPERATOR: return N_("operator");
	default: return N_("guest");
	}
}

/* --------------------------------------------------------------- daemon */

static json_t *
call_error(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s,s:i}", "ok", 0, "error", msg, "code", code);
}

/*
 * One REQ socket per call: a REQ socket whose reply timed out cannot be
 * used again, and connecting over ipc:// costs microseconds.  The daemon
 * serves one request at a time anyway.
 */
json_t *
web_call_payload(web_req *r, json_t *req, char **payload, size_t *plen)
{
	web_server *s = r->srv;
	void *sock;
	int linger = 0, tmo = WEB_CALL_TIMEOUT_MS;
	char *text;
	json_t *rep = NULL;
	json_error_t je;
	zmq_msg_t m;

	if (payload)
		*payload = NULL;
	if (plen)
		*plen = 0;
	if ((sock = zmq_socket(s->zctx, ZMQ_REQ)) == NULL) {
		json_decref(req);
		return call_error(EX_OSERR, "zmq_socket: %s", zmq_strerror(errno));
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &tmo, sizeof(tmo));
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (zmq_connect(sock, s->control) != 0 || text == NULL ||
	    zmq_send(sock, text, strlen(text), 0) < 0) {
		rep = call_error(EX_UNAVAILABLE, "%s: %s", s->control, zmq_strerror(errno));
		goto out;
	}
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) < 0) {
		rep = call_error(errno == EAGAIN ? EX_TEMPFAIL : EX_UNAVAILABLE,
				 "the daemon did not answer (%s)", zmq_strerror(errno));
		zmq_msg_close(&m);
		goto out;
	}
	rep = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, &je);
	if (zmq_msg_more(&m)) {
		zmq_msg_t p;

		zmq_msg_init(&p);
		if (zmq_msg_recv(&p, sock, 0) >= 0 && payload) {
			*plen = zmq_msg_size(&p);
			*payload = mf_xmalloc(*plen + 1);
			memcpy(*payload, zmq_msg_data(&p), *plen);
			(*payload)[*plen] = '\0';
		}
		zmq_msg_close(&p);
	}
	zmq_msg_close(&m);
	if (rep == NULL || !json_is_object(rep)) {
		json_decref(rep);
		rep = call_error(EX_PROTOCOL, "the daemon's reply is not JSON");
	}
out:
	free(text);
	zmq_close(sock);
	return rep;
}

json_t *
web_call(web_req *r, json_t *req)
{
	return web_call_payload(r, req, NULL, NULL);
}

int
web_ok(json_t *rep)
{
	return rep && json_is_true(json_object_get(rep, "ok"));
}

/* The display name in a record body. */
static const char *
body_name(json_t *body)
{
	static const char *const keys[] = { "name", "title", "short_name", "indicator" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(body, keys[i]));

		if (v && *v)
			return v;
	}
	return NULL;
}

const char *
web_name(web_req *r, const char *id)
{
	web_priv *pv = r->priv;
	json_t *rep, *v;
	const char *name;

	if (id == NULL)
		return "";
	if (pv->names == NULL)
		pv->names = json_object();
	if ((v = json_object_get(pv->names, id)) != NULL)
		return json_string_value(v);
	rep = web_call(r, json_pack("{s:s,s:s}", "cmd", "get", "id", id));
	name = web_ok(rep) ? body_name(json_object_get(json_object_get(rep, "record"), "body")) :
			     NULL;
	if (name == NULL && web_ok(rep))
		name = body_name(json_object_get(rep, "body"));
	json_object_set_new(pv->names, id, json_string(name ? name : id));
	json_decref(rep);
	return json_string_value(json_object_get(pv->names, id));
}

const char *
web_region_name(web_req *r, const char *code)
{
	web_priv *pv = r->priv;
	json_t *rep, *regions, *v;
	const char *c;
	char key[80];

	if (code == NULL)
		return NULL;
	if (pv->names == NULL)
		pv->names = json_object();
	/* One `keys` call per request fills every region's name: the one a
	 * region gave itself in its own record (mentorfed rename), else the
	 * config's (its card). */
	if (json_object_get(pv->names, "@regions") == NULL) {
		json_object_set_new(pv->names, "@regions", json_true());
		rep = web_call(r, json_pack("{s:s}", "cmd", "keys"));
		regions = web_ok(rep) ? json_object_get(rep, "regions") : NULL;
		json_object_foreach(regions, c, v) {
			const char *n = json_string_value(json_object_get(v, "name"));

			snprintf(key, sizeof(key), "@region:%s", c);
			if (n && *n)
				json_object_set_new(pv->names, key, json_string(n));
		}
		json_decref(rep);
	}
	snprintf(key, sizeof(key), "@region:%s", code);
	return json_string_value(json_object_get(pv->names, key));
}

const char *
web_region(web_req *r)
{
	return r->srv->region;
}

/* ------------------------------------------------------------- dispatch */

/* Only a path of our own after login: never another site. */
static int
local_path(const char *p)
{
	return p && p[0] == '/' && p[1] != '/' && p[1] != '\\' && strchr(p, '\r') == NULL &&
	       strchr(p, '\n') == NULL;
}

int
page_login(web_req *r, web_out *o)
{
	const char *user = web_form(r, "user"), *pw = web_form(r, "password");
	const char *next = web_arg(r, "next");
	const char *msg = NULL;
	int status = 200;

	if (r->method == WEB_POST) {
		web_priv *pv = r->priv;
		int role;

		if (user == NULL || pw == NULL || *user == '\0') {
			msg = web_t(r, "Enter your name and password.");
			status = 400;
		} else if (!web_login_allowed(user, r->remote)) {
			msg = web_t(r, "Too many failed attempts: try again in a few minutes.");
			status = 429;
		} else if ((role = web_users_check(r->srv, user, pw)) > 0) {
			web_session_view v;

			web_login_succeeded(user, r->remote);
			/* a new session id at login: a planted anonymous
			 * cookie never becomes a logged-in one */
			web_session_drop(pv->sid);
			web_session_new(user, &v);
			mf_strlcpy(pv->sid, v.id, sizeof(pv->sid));
			free(o->set_cookie);
			o->set_cookie = mf_xstrdup(v.id);
			return web_redirect(r, o, local_path(next) ? next : "/federation", NULL);
		} else {
			web_login_failed(user, r->remote);
			msg = role < 0 ? web_t(r, "The user list cannot be read.") :
					 web_t(r, "Wrong name or password.");
			status = 403;
		}
	} else if (r->user) {
		return web_redirect(r, o, "/federation", NULL);
	}
	o->status = status;
	web_head(r, o, web_t(r, "Log in"));
	if (msg)
		web_printf(o, "<p class=\"error\">%s</p>\n", msg);
	web_form_open(r, o, "/login", 0);
	if (local_path(next))
		web_hidden(o, "next", next);
	web_printf(o, "<p><label>%s <input name=\"user\" autocomplete=\"username\" required value=\"%s\"></label></p>",
		   web_t(r, "Name"), user ? user : "");
	web_printf(o, "<p><label>%s <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>",
		   web_t(r, "Password"));
	web_printf(o, "<p><button type=\"submit\">%s</button></p>", web_t(r, "Log in"));
	web_form_close(o);
	web_end(r, o);
	return 0;
}

int
page_logout(web_req *r, web_out *o)
{
	web_priv *pv = r->priv;

	web_session_drop(pv->sid);
	pv->sid[0] = '\0';
	return web_redirect(r, o, "/login", NULL);
}

void
web_dispatch(web_req *r, web_out *o, const char *cookie_sid, const char *accept_lang)
{
	web_priv *pv = r->priv;
	web_session_view sv;
	const web_page *p;
	const char *ql = web_query(r, "lang");

	o->status = 200;
	r->lang = ql && (strcmp(ql, "en") == 0 || strcmp(ql, "ru") == 0) ? ql :
		  mf_lang_from_accept(accept_lang);
	memset(&sv, 0, sizeof(sv));
	if (web_session_get(cookie_sid, &sv)) {
		mf_strlcpy(pv->sid, sv.id, sizeof(pv->sid));
		if (sv.user[0]) {
			/* the role as the user file says now: a deleted user's
			 * session ends, a changed role applies at once */
			int role = web_users_role(r->srv, sv.user);

			if (role <= 0) {
				web_session_drop(sv.id);
				free(sv.flash);
				memset(&sv, 0, sizeof(sv));
				web_session_new(NULL, &sv);
				mf_strlcpy(pv->sid, sv.id, sizeof(pv->sid));
				o->set_cookie = mf_xstrdup(sv.id);
			} else {
				r->user = mf_xstrdup(sv.user);
				r->role = role;
			}
		}
	} else {
		web_session_new(NULL, &sv);
		mf_strlcpy(pv->sid, sv.id, sizeof(pv->sid));
		o->set_cookie = mf_xstrdup(sv.id);
	}
	r->csrf = mf_xstrdup(sv.csrf);
	r->flash = sv.flash;

	if (strcmp(r->path, "/") == 0) {
		web_redirect(r, o, r->user ? "/federation" : "/login", NULL);
		return;
	}
	if ((p = page_lookup(r->path)) == NULL) {
		web_error(r, o, 404, web_t(r, "There is no such page."));
		return;
	}
	if (!(p->methods & r->method)) {
		web_error(r, o, 405, web_t(r, "This page does not take this method."));
		return;
	}
	/* Every POST carries the session's token: a form of another site
	 * cannot know it.  Checked before the role, before the page. */
	if (r->method == WEB_POST && !web_token_eq(web_form(r, "csrf"), sv.csrf)) {
		web_error(r, o, 403, web_t(r, "The form is out of date or did not come from this site "
					      "(CSRF token missing or wrong). Reload the page and try again."));
		return;
	}
	if (p->role > r->role) {
		if (r->user == NULL && r->method == WEB_GET) {
			web_out tmp = { 0 };

			tmp.buf = NULL;
			web_rawn(&tmp, "/login?next=", 12);
			web_urlenc(&tmp, r->path);
			web_redirect(r, o, tmp.buf, NULL);
			free(tmp.buf);
		} else {
			web_error(r, o, 403, web_t(r, "Your role does not allow this."));
		}
		return;
	}
	if (p->fn(r, o) != 0)
		web_error(r, o, 500, web_t(r, "The page failed; see the web server's log."));
}
