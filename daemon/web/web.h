/*
 * web.h — the framework of mentorfed-web, the node's web page (issue 13).
 *
 * mentorfed-web is a layer beside the client: it includes only daemon/core
 * headers and its own.  It holds no signing key and no store handle: every
 * read and every write is a request on the daemon's control socket
 * (web_call), the same wire as the command-line client.
 *
 * A page is one function `int page_x(web_req *, web_out *)` and one line of
 * the page table in web.c (path, handler, menu label, minimum role,
 * methods).  The framework has already, before the handler runs:
 *   - resolved the session (r->user, r->role; pages below WEB_VIEWER are
 *     the login page and static files only),
 *   - refused a method the table does not allow, and a user below the
 *     page's minimum role,
 *   - on POST, checked the CSRF token of the form (a page never sees a POST
 *     without a valid token),
 *   - parsed the query string and the form (urlencoded or multipart).
 * A handler writes into `out` (status 200 and text/html by default) and
 * returns 0; -1 makes the framework answer 500.  A GET handler never
 * changes anything: only POST handlers call write commands.
 *
 * Output: every `%s` of web_printf is HTML-escaped (so are web_puts and
 * web_attr).  Raw text is written only by the web_raw* functions, which
 * take trusted text (markup, numbers): never a value from a record.
 *
 * Language: r->lang is "ru" (default) or "en" (Accept-Language); labels go
 * through web_t (gettext msgids in English, Russian in po/web.ru.po), enum
 * values through web_label, dates through web_date.
 */
#ifndef MF_WEB_H
#define MF_WEB_H

#include <stdarg.h>
#include <stddef.h>
#include <jansson.h>

/* Roles, ordered: a higher role may do everything a lower one may. */
enum {
	WEB_ANON = 0,		/* not logged in: the login page, static files */
	WEB_VIEWER = 1,		/* reads */
	WEB_METHODOLOGIST = 2,	/* pairs, internships, roadmap reports */
	WEB_OPERATOR = 3,	/* also imports documents */
};

/* Methods a page accepts (web_page.methods). */
enum {
	WEB_GET = 1 << 0,
	WEB_POST = 1 << 1,
};

/* One query or form field.  Repeated names (check boxes) are kept in
 * order; value is NUL-terminated (len excludes the NUL, for uploads). */
typedef struct web_field {
	char *name;
	char *value;
	size_t len;
	char *filename;		/* multipart file fields: the client's name */
} web_field;

struct web_server;

typedef struct web_req {
	int method;			/* WEB_GET or WEB_POST */
	const char *path;		/* without the query string */
	const char *lang;		/* "ru" or "en" */
	const char *user;		/* NULL when not logged in */
	int role;			/* WEB_ANON .. WEB_OPERATOR */
	const char *csrf;		/* the session's CSRF token (forms) */
	const char *remote;		/* the client's address, text */
	web_field *query;		/* ?a=b&c=d */
	size_t nquery;
	web_field *form;		/* POST body */
	size_t nform;
	char *flash;			/* message carried from the last redirect */
	struct web_server *srv;		/* private to web.c */
	void *priv;			/* private to web.c */
} web_req;

typedef struct web_out {
	int status;			/* 200 unless set */
	const char *ctype;		/* "text/html; charset=utf-8" unless set */
	char *buf;
	size_t len, cap;
	char *location;			/* redirect target (web_redirect) */
	char *disposition;		/* Content-Disposition (downloads) */
	char *set_cookie;		/* private to web.c */
} web_out;

typedef int web_page_fn(web_req *r, web_out *o);

/* One line of the page table (web.c). */
typedef struct web_page {
	const char *path;	/* exact path, e.g. "/schools" */
	web_page_fn *fn;
	const char *menu;	/* English msgid of the menu label, NULL: not in the menu */
	int role;		/* minimum role */
	unsigned methods;	/* WEB_GET | WEB_POST */
} web_page;

/* ---- fields */

/* The first value of a query field, or NULL. */
const char *web_query(web_req *r, const char *name);
/* The first value of a form field (POST), or NULL. */
const char *web_form(web_req *r, const char *name);
/* The form field, else the query field, or NULL. */
const char *web_arg(web_req *r, const char *name);
/* The field itself (uploads: value, len, filename), form first. */
const web_field *web_field_get(web_req *r, const char *name);
/* Every value of a repeated field (form, then query) into out[max];
 * returns how many there are (may exceed max). */
size_t web_args(web_req *r, const char *name, const char **out, size_t max);

/* ---- output */

/* printf into the page; every %s argument is HTML-escaped. */
void web_printf(web_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void web_vprintf(web_out *o, const char *fmt, va_list ap);
/* Escaped text (NULL writes nothing). */
void web_puts(web_out *o, const char *s);
/* Trusted text as is: markup and numbers only. */
void web_raw(web_out *o, const char *s);
void web_rawn(web_out *o, const char *s, size_t n);
void web_rawf(web_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A URL query value, percent-encoded (then HTML-escaped: safe in href). */
void web_urlenc(web_out *o, const char *s);

/* ---- language */

/* msgid translated into r->lang. */
const char *web_t(web_req *r, const char *msgid);
/* The same for a printf format: web_printf(o, web_tf(r, "%d schools"), n)
 * (format_arg: the compiler checks the English msgid against the
 * arguments, and -Wformat-nonliteral stays quiet). */
const char *web_tf(web_req *r, const char *msgid) __attribute__((format_arg(2)));
/* The glossary's term for an enum value (family as in kinds.h:
 * "level", "direction", "form", "pair_state", ...), in r->lang;
 * value itself when unknown. */
const char *web_label(web_req *r, const char *family, const char *value);
/* An ISO date as «1 марта 2025 г.» / "1 March 2025", escaped; the text
 * itself when it is not a date; "—" for NULL. */
void web_date(web_req *r, web_out *o, const char *iso);

/* ---- layout */

/* <!doctype html>, head (CSS), the menu (pages this role may see), the
 * user and the flash message; title is already translated. */
void web_head(web_req *r, web_out *o, const char *title);
void web_end(web_req *r, web_out *o);
/* A 303 to location with a message shown on the next page (may be NULL;
 * copied).  Returns 0, for `return web_redirect(...)`. */
int web_redirect(web_req *r, web_out *o, const char *location, const char *flash);
/* A whole error page with status and message (translated text).  Returns 0. */
int web_error(web_req *r, web_out *o, int status, const char *msg);
/* The reply of a refused control command as a page (its "error" text;
 * a decision reason in r->lang when the reply has one).  Returns 0. */
int web_error_reply(web_req *r, web_out *o, json_t *rep);

/* ---- forms: every form carries the CSRF token */

/* <form method="post" action="..."> plus the hidden token; multipart when
 * upload is set. */
void web_form_open(web_req *r, web_out *o, const char *action, int upload);
void web_form_close(web_out *o);
/* Hidden field with an escaped value. */
void web_hidden(web_out *o, const char *name, const char *value);

/* ---- roles */

/* 1 if the user has at least role. */
int web_can(web_req *r, int role);
/* 0 if the user has at least role, else writes a 403 page and returns -1:
 * `if (web_require(r, o, WEB_METHODOLOGIST)) return 0;` */
int web_require(web_req *r, web_out *o, int role);
/* English role name ("viewer"...), and its translation. */
const char *web_role_name(int role);

/* ---- the daemon */

/*
 * Send req (stolen) on the control socket and return the reply (new
 * reference).  Never NULL: a daemon that is not running or does not
 * answer within the web's timeout gives {"ok": false, "error": ...,
 * "code": EX_UNAVAILABLE/EX_TEMPFAIL}.  Test with web_ok.
 */
json_t *web_call(web_req *r, json_t *req);
/* The same, with the extra payload frame (export); *payload malloc'd or
 * NULL. */
json_t *web_call_payload(web_req *r, json_t *req, char **payload, size_t *plen);
/* 1 when rep is {"ok": true, ...}. */
int web_ok(json_t *rep);

/* A record's name for display (schools, roadmaps, offers...): the name of
 * record `id` as the daemon has it, or id itself when there is none.
 * Cached per request; the pointer is valid until the request ends. */
const char *web_name(web_req *r, const char *id);

/* The name region `code` goes by in the federation (its own `region`
 * record, else its card), or NULL; per request, like web_name. */
const char *web_region_name(web_req *r, const char *code);

/* This node's region (from the daemon's status; cached). */
const char *web_region(web_req *r);

/* The page table, sorted by path (web.c). */
extern const web_page web_pages[];
extern const size_t web_npages;

/* ---- the pages (one line each in web.c's table) */
web_page_fn page_login, page_logout, page_federation, page_schools, page_school,
	page_import, page_export, page_export_csv, page_export_ics;
/* the exchange pages (also in webx.h; declared here so that web.c's table
 * does not include webx.h, which includes this header) */
web_page_fn page_mentor, page_pairs, page_internships, page_roadmaps;

#endif
