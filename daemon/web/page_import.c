/*
 * page_import.c — «Импорт» (operators): upload a document, see what it
 * would add, change and remove (the daemon's `import` with dry_run), then
 * confirm.
 *
 * The daemon's import reads a file by path, so the upload is written to
 * DATADIR/web-uploads/TOKEN (0600, a random name the form carries); the
 * confirmation imports that same file — what was previewed is what gets
 * imported — and removes it.  Uploads older than an hour are removed at
 * the next preview.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "plugin_loader.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

#define UPLOAD_MAX_AGE_S 3600

static char *
uploads_dir(web_req *r)
{
	char *d = mf_path(r->srv->dir, "web-uploads");

	mkdir(d, 0700);
	return d;
}

/* The path of upload token, or NULL when the token is not one of ours. */
static char *
upload_path(web_req *r, const char *token)
{
	char *d, *p;

	if (token == NULL || strlen(token) != WEB_TOKEN_HEX ||
	    strspn(token, "0123456789abcdef") != WEB_TOKEN_HEX)
		return NULL;
	d = uploads_dir(r);
	p = mf_path(d, token);
	free(d);
	return p;
}

static void
sweep(web_req *r)
{
	char *d = uploads_dir(r);
	DIR *dir = opendir(d);
	struct dirent *e;
	time_t now = time(NULL);

	while (dir && (e = readdir(dir)) != NULL) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = mf_path(d, e->d_name);
		if (stat(p, &st) == 0 && now - st.st_mtime > UPLOAD_MAX_AGE_S)
			unlink(p);
		free(p);
	}
	if (dir)
		closedir(dir);
	free(d);
}

static void
upload_form(web_req *r, web_out *o)
{
	web_form_open(r, o, "/import", 1);
	web_hidden(o, "action", "preview");
	web_printf(o, "<p><label>%s<br><input type=\"file\" name=\"document\" required></label></p>",
		   web_t(r, "Document (text as received)"));
	web_printf(o, "<p><label>%s <input name=\"year\" size=\"6\" inputmode=\"numeric\"></label> "
		      "<span class=\"muted\">%s</span></p>",
		   web_t(r, "Year"), web_t(r, "only when the document does not say it"));
	/* import --whole: the plugin's signals of the document's genre warn */
	web_printf(o, "<p><label><input type=\"checkbox\" name=\"whole\" value=\"1\"> %s</label> "
		      "<span class=\"muted\">%s</span></p>",
		   web_t(r, "The document is whole as it is"),
		   web_t(r, "when it lacks what documents of its kind end with (a signature, a "
			    "footer, contacts) and nothing is missing"));
	web_printf(o, "<p><button type=\"submit\">%s</button></p>", web_t(r, "Show what it would change"));
	web_form_close(o);
}

/* Counts by kind as «Школа: 3, Карточка: 1». */
static void
counts(web_req *r, web_out *o, json_t *by_kind, const char *cls)
{
	const char *k;
	json_t *v;
	int any = 0;

	json_object_foreach(by_kind, k, v) {
		web_printf(o, "<span class=\"tag %s\">%s: %lld</span>", cls, web_label(r, "kind", k),
			   (long long)json_integer_value(v));
		any = 1;
	}
	if (!any)
		web_raw(o, "—");
}

static void
show_plan(web_req *r, web_out *o, json_t *rep)
{
	json_t *plan = json_object_get(rep, "plan"), *v;
	size_t i;

	web_printf(o, "<dl class=\"card\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%lld</dd>",
		   web_t(r, "Read by"), json_string_value(json_object_get(rep, "read_by")),
		   web_t(r, "Source"), json_string_value(json_object_get(plan, "source")),
		   web_t(r, "Records in the document"),
		   (long long)json_integer_value(json_object_get(rep, "records")));
	web_printf(o, "<dt class=\"diff-add\">%s</dt><dd>", web_t(r, "Would add"));
	counts(r, o, json_object_get(plan, "added"), "diff-add");
	web_printf(o, "</dd><dt class=\"diff-change\">%s</dt><dd>", web_t(r, "Would change"));
	counts(r, o, json_object_get(plan, "changed"), "diff-change");
	web_printf(o, "</dd><dt class=\"diff-remove\">%s</dt><dd>", web_t(r, "Would remove"));
	counts(r, o, json_object_get(plan, "removed"), "diff-remove");
	web_printf(o, "</dd><dt>%s</dt><dd>%lld</dd></dl>\n", web_t(r, "Unchanged"),
		   (long long)json_integer_value(json_object_get(plan, "unchanged")));
	if (json_array_size(json_object_get(plan, "removed_records"))) {
		web_printf(o, "<h2 class=\"diff-remove\">%s</h2><ul>", web_t(r, "Records it would remove"));
		json_array_foreach(json_object_get(plan, "removed_records"), i, v)
			web_printf(o, "<li>%s: %s</li>",
				   web_label(r, "kind", json_string_value(json_object_get(v, "kind"))),
				   json_string_value(json_object_get(v, "name")));
		web_raw(o, "</ul>\n");
	}
	if (json_array_size(json_object_get(plan, "removed_sections"))) {
		web_printf(o, "<h2 class=\"diff-remove\">%s</h2><ul>",
			   web_t(r, "Roadmap sections it would remove"));
		json_array_foreach(json_object_get(plan, "removed_sections"), i, v)
			web_printf(o, "<li>%s %s</li>", json_string_value(json_object_get(v, "number")),
				   json_string_value(json_object_get(v, "title")));
		web_raw(o, "</ul>\n");
	}
	if (json_array_size(json_object_get(plan, "shrunk_records"))) {
		web_printf(o, "<h2 class=\"diff-remove\">%s</h2><ul>",
			   web_t(r, "Records that would lose fields"));
		json_array_foreach(json_object_get(plan, "shrunk_records"), i, v)
			web_printf(o, "<li>%s</li>", json_string_value(json_object_get(v, "name")) ?
				   json_string_value(json_object_get(v, "name")) :
				   json_string_value(json_object_get(v, "id")));
		web_raw(o, "</ul>\n");
	}
	if (json_array_size(json_object_get(rep, "diagnostics"))) {
		web_printf(o, "<h2>%s</h2><ul>", web_t(r, "Warnings"));
		json_array_foreach(json_object_get(rep, "diagnostics"), i, v)
			web_printf(o, "<li class=\"warn\">%s %lld: %s</li>", web_t(r, "line"),
				   (long long)json_integer_value(json_object_get(v, "line")),
				   json_string_value(json_object_get(v, "message")));
		web_raw(o, "</ul>\n");
	}
}

static int
removes(json_t *plan)
{
	return json_array_size(json_object_get(plan, "removed_records")) > 0 ||
	       json_array_size(json_object_get(plan, "removed_sections")) > 0 ||
	       json_array_size(json_object_get(plan, "shrunk_records")) > 0;
}

static json_t *
import_req(web_req *r, const char *path, int dry)
{
	json_t *req = json_pack("{s:s,s:s,s:b}", "cmd", "import", "path", path, "dry_run", dry);
	const char *year = web_form(r, "year");

	if (year && *year)
		json_object_set_new(req, "year", json_string(year));
	if (web_form(r, "whole") && *web_form(r, "whole"))
		json_object_set_new(req, "whole", json_true());
	return req;
}

/* A refusal by the document's genre alone ("incomplete"): the daemon's
 * hint names the client's --whole; here it is the upload form's box. */
static void
refused_incomplete(web_req *r, web_out *o, json_t *rep)
{
	const char *e = json_string_value(json_object_get(rep, "error"));
	size_t n = e ? strlen(e) : 0, h = strlen(MF_WHOLE_HINT);
	char msg[1600];

	if (n < h || strcmp(e + n - h, MF_WHOLE_HINT) != 0) {
		web_error_reply(r, o, rep);
		return;
	}
	n -= h;
	while (n > 0 && (e[n - 1] == ' ' || e[n - 1] == ';'))
		n--;
	snprintf(msg, sizeof(msg), "%.*s; %s", (int)n, e,
		 web_t(r, "if the document is whole as it is, tick «The document is whole as it is» "
			  "and upload it again"));
	web_error(r, o, 409, msg);
}

static int
preview(web_req *r, web_out *o)
{
	const web_field *f = web_field_get(r, "document");
	char token[WEB_TOKEN_HEX + 1], *path, err[256];
	json_t *rep;

	if (f == NULL || f->len == 0)
		return web_error(r, o, 400, web_t(r, "Choose a document to upload."));
	sweep(r);
	web_token(token);
	path = upload_path(r, token);
	if (mf_write_file(path, f->value, f->len, 0600, err, sizeof(err)) != 0) {
		free(path);
		return web_error(r, o, 500, err);
	}
	rep = web_call(r, import_req(r, path, 1));
	if (!web_ok(rep)) {
		unlink(path);
		free(path);
		if (json_is_true(json_object_get(rep, "incomplete")))
			refused_incomplete(r, o, rep);
		else
			web_error_reply(r, o, rep);
		json_decref(rep);
		return 0;
	}
	free(path);
	web_head(r, o, web_t(r, "Import: what would change"));
	web_printf(o, "<p>%s: <strong>%s</strong></p>\n", web_t(r, "Document"),
		   f->filename ? f->filename : "");
	show_plan(r, o, rep);
	web_form_open(r, o, "/import", 0);
	web_hidden(o, "action", "confirm");
	web_hidden(o, "upload", token);
	web_hidden(o, "name", f->filename ? f->filename : "");
	if (web_form(r, "year"))
		web_hidden(o, "year", web_form(r, "year"));
	if (web_form(r, "whole") && *web_form(r, "whole"))
		web_hidden(o, "whole", "1");
	if (removes(json_object_get(rep, "plan"))) {
		web_hidden(o, "replace", "1");
		web_printf(o, "<p class=\"error\">%s</p>",
			   web_t(r, "This import removes records an earlier import of this document created. "
				    "Confirm only if the document really changed."));
	}
	web_printf(o, "<p><button type=\"submit\">%s</button> <a href=\"/import\">%s</a></p>",
		   web_t(r, "Import"), web_t(r, "Cancel"));
	web_form_close(o);
	web_end(r, o);
	json_decref(rep);
	return 0;
}

static int
confirm(web_req *r, web_out *o)
{
	char *path = upload_path(r, web_form(r, "upload")), msg[512];
	const char *name = web_form(r, "name");
	json_t *req, *rep;

	if (path == NULL || access(path, R_OK) != 0) {
		free(path);
		return web_error(r, o, 410, web_t(r, "The uploaded document is gone (older than an hour, "
						      "or already imported): upload it again."));
	}
	req = import_req(r, path, 0);
	if (web_form(r, "replace"))
		json_object_set_new(req, "replace", json_true());
	rep = web_call(r, req);
	if (!web_ok(rep)) {
		free(path);
		web_error_reply(r, o, rep);
		json_decref(rep);
		return 0;
	}
	unlink(path);
	free(path);
	snprintf(msg, sizeof(msg), web_tf(r, "Imported %s: %lld records, %lld changed."),
		 name && *name ? name : "", (long long)json_integer_value(json_object_get(rep, "records")),
		 (long long)json_integer_value(json_object_get(rep, "changed")));
	json_decref(rep);
	return web_redirect(r, o, "/import", msg);
}

int
page_import(web_req *r, web_out *o)
{
	const char *action = web_form(r, "action");

	if (web_require(r, o, WEB_OPERATOR))
		return 0;
	if (r->method == WEB_POST && action && strcmp(action, "preview") == 0)
		return preview(r, o);
	if (r->method == WEB_POST && action && strcmp(action, "confirm") == 0)
		return confirm(r, o);
	if (r->method == WEB_POST)
		return web_error(r, o, 400, web_t(r, "Unknown action."));
	web_head(r, o, web_t(r, "Import"));
	web_printf(o, "<p>%s</p>\n",
		   web_t(r, "Upload a document of your region as it was received. Nothing is stored until "
			    "you have seen what it would add, change and remove, and confirmed."));
	upload_form(r, o);
	web_end(r, o);
	return 0;
}
