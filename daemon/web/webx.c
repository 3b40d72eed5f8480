/*
 * webx.c — helpers of the exchange pages (see webx.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "util.h"
#include "web.h"
#include "webx.h"

const char *const webx_directions[] = {
	"knowledge", "upbringing", "health", "creativity", "career_guidance",
	"teacher_team", "school_climate", "educational_environment", NULL
};

/* English names of the regions of the federation so far.  A region's
 * name comes from the federation (web_region_name: Russian, as a region
 * names itself); this table gives the English page an English name where
 * it knows one. */
static const struct {
	const char *code, *ru, *en;
} regions[] = {
	{ "RU-CHE", "Челябинская область", "Chelyabinsk Oblast" },
	{ "RU-NVS", "Новосибирская область", "Novosibirsk Oblast" },
	{ "RU-SVE", "Свердловская область", "Sverdlovsk Oblast" },
	{ "RU-TOM", "Томская область", "Tomsk Oblast" },
};

const char *
webx_region_name(web_req *r, const char *code)
{
	const char *fed;
	int en = r->lang && strcmp(r->lang, "en") == 0;

	if (code == NULL)
		return "";
	fed = web_region_name(r, code);
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strcmp(regions[i].code, code) == 0)
			return en ? regions[i].en : fed ? fed : regions[i].ru;
	return fed ? fed : code;
}

int
webx_mine(web_req *r, const char *id)
{
	const char *reg = web_region(r);
	size_t n = reg ? strlen(reg) : 0;

	return id != NULL && n > 0 && strncmp(id, reg, n) == 0 && id[n] == ':';
}

json_t *
webx_schools(web_req *r, const char *region)
{
	json_t *req = json_pack("{s:s, s:s}", "cmd", "list", "kind", "school"), *rep, *a;

	if (region)
		json_object_set_new(req, "region", json_string(region));
	rep = web_call(r, req);
	a = json_object_get(rep, "records");
	a = json_is_array(a) ? json_incref(a) : json_array();
	json_decref(rep);
	return a;
}

const char *
webx_school_name(json_t *rec)
{
	json_t *b = json_object_get(rec, "body");
	const char *s = json_string_value(json_object_get(b, "short_name"));

	if (s == NULL || *s == '\0')
		s = json_string_value(json_object_get(b, "name"));
	if (s == NULL || *s == '\0')
		s = json_string_value(json_object_get(rec, "id"));
	return s ? s : "";
}

/* 1 when a and b are equal after folding case and ё. */
static int
fold_eq(const char *a, const char *b)
{
	char *x = mf_fold(a), *y = mf_fold(b);
	int eq = strcmp(x, y) == 0;

	free(x);
	free(y);
	return eq;
}

const char *
webx_school_find(json_t *schools, const char *text, int *nmatch)
{
	const char *part = NULL;
	json_t *s;
	size_t i;
	int nparts = 0;

	*nmatch = 0;
	if (text == NULL || *text == '\0')
		return NULL;
	json_array_foreach(schools, i, s) {
		const char *id = json_string_value(json_object_get(s, "id"));
		json_t *b = json_object_get(s, "body");
		const char *nm = json_string_value(json_object_get(b, "name"));
		const char *sh = json_string_value(json_object_get(b, "short_name"));

		if (id && strcmp(id, text) == 0) {
			*nmatch = 1;
			return id;
		}
		if ((nm && fold_eq(nm, text)) || (sh && *sh && fold_eq(sh, text))) {
			*nmatch = 1;
			return id;
		}
		if ((nm && mf_fold_contains(nm, text)) || (sh && mf_fold_contains(sh, text))) {
			nparts++;
			part = id;
		}
	}
	*nmatch = nparts;
	return nparts == 1 ? part : NULL;
}

char *
webx_school_resolve(web_req *r, const char *region, const char *text, int *nmatch)
{
	json_t *req, *rep, *got, *cands, *s;
	const char *id;
	char *out = NULL;
	size_t i;

	*nmatch = 0;
	if (text == NULL || *text == '\0')
		return NULL;
	if (strchr(text, ':') != NULL) {	/* an id: it is checked where it is used */
		*nmatch = 1;
		return mf_xstrdup(text);
	}
	req = json_pack("{s:s, s:s, s:i}", "cmd", "web_schools", "q", text, "limit", 500);
	if (region)
		json_object_set_new(req, "region", json_string(region));
	rep = web_call(r, req);
	got = json_object_get(rep, "schools");
	/* in the shape webx_school_find reads: id and body names */
	cands = json_array();
	json_array_foreach(got, i, s)
		json_array_append_new(cands, json_pack("{s:O?, s:{s:O?, s:O?}}", "id",
						       json_object_get(s, "id"), "body", "name",
						       json_object_get(s, "name"), "short_name",
						       json_object_get(s, "short_name")));
	id = webx_school_find(cands, text, nmatch);
	if (id != NULL)
		out = mf_xstrdup(id);
	else if (json_integer_value(json_object_get(rep, "total")) > (json_int_t)json_array_size(got))
		*nmatch = (int)json_integer_value(json_object_get(rep, "total"));
	json_decref(cands);
	json_decref(rep);
	return out;
}

void
webx_datalist(web_out *o, const char *dlid, json_t *schools)
{
	json_t *s;
	size_t i;

	web_printf(o, "<datalist id=\"%s\">", dlid);
	json_array_foreach(schools, i, s)
		web_printf(o, "<option value=\"%s\"></option>", webx_school_name(s));
	web_raw(o, "</datalist>\n");
}

static int
in_array(json_t *a, const char *v)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), v) == 0)
			return 1;
	return 0;
}

void
webx_dir_boxes(web_req *r, web_out *o, json_t *ticked)
{
	web_raw(o, "<fieldset class=\"dirs\"><legend>");
	web_puts(o, web_t(r, "Directions"));
	web_raw(o, "</legend>");
	for (int i = 0; webx_directions[i]; i++)
		web_printf(o, "<label><input type=\"checkbox\" name=\"dir\" value=\"%s\"%s> %s</label> ",
			   webx_directions[i], in_array(ticked, webx_directions[i]) ? " checked" : "",
			   web_label(r, "direction", webx_directions[i]));
	web_raw(o, "</fieldset>\n");
}

json_t *
webx_dirs_arg(web_req *r)
{
	const char *v[16];
	size_t n = web_args(r, "dir", v, 16);
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < 16; i++)
		for (int k = 0; webx_directions[k]; k++)
			if (strcmp(v[i], webx_directions[k]) == 0 && !in_array(a, v[i]))
				json_array_append_new(a, json_string(v[i]));
	return a;
}

void
webx_dirs_text(web_req *r, web_out *o, json_t *dirs)
{
	json_t *e;
	size_t i;

	json_array_foreach(dirs, i, e) {
		if (i)
			web_raw(o, ", ");
		web_puts(o, web_label(r, "direction", json_string_value(e)));
	}
}

void
webx_state(web_req *r, web_out *o, const char *family, const char *value)
{
	char cls[48];
	size_t k = 0;

	/* the class is the identifier, letters and '_' only */
	for (const char *p = value ? value : ""; *p && k + 1 < sizeof(cls); p++)
		if ((*p >= 'a' && *p <= 'z') || *p == '_')
			cls[k++] = *p;
	cls[k] = '\0';
	web_printf(o, "<span class=\"st st-%s\">%s</span>", cls,
		   web_label(r, family, value ? value : ""));
}

char *
webx_today(char *buf)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
	return buf;
}

int
webx_after_write(web_req *r, web_out *o, json_t *rep, const char *back, const char *okmsg)
{
	char msg[1024];

	if (web_ok(rep)) {
		json_decref(rep);
		return web_redirect(r, o, back, okmsg);
	}
	/* the daemon's refusal, in the reader's language when it is a known
	 * reason (i18n recognises the English texts), else as the daemon
	 * said it */
	if (json_object_get(rep, "reason_code") != NULL) {
		mf_reason_json(msg, sizeof(msg), rep, "", r->lang);
	} else {
		json_t *t = json_pack("{s:s}", "reason", json_string_value(json_object_get(rep, "error")) ?
				      json_string_value(json_object_get(rep, "error")) : "?");
		char why[900];

		mf_reason_json(why, sizeof(why), t, "", r->lang);
		snprintf(msg, sizeof(msg), "%s: %s", web_t(r, "Refused"), why);
		json_decref(t);
	}
	json_decref(rep);
	return web_redirect(r, o, back, msg);
}
