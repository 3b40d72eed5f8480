/*
 * plugin_loader.c — loading plugins and running imports (see plugin_loader.h).
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "plugin_loader.h"
#include "generic_model.h"
#include "datexpr.h"
#include "kinds.h"
#include "util.h"

#define MAX_DOC_SIZE (64u * 1024 * 1024)
#define MAX_RECORDS 200000
#define MAX_EXPECTS 32

/* ------------------------------------------------------------------ logger */

static void (*logger)(int level, const char *msg);

void
mf_plugins_set_logger(void (*fn)(int level, const char *msg))
{
	logger = fn;
}

static void
logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logmsg(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (logger) {
		logger(level, buf);
	} else {
		static const char *const names[] = { "error", "warning", "info", "debug" };
		fprintf(stderr, "mentorfed: %s: %s\n",
			(level >= 0 && level <= 3) ? names[level] : "log", buf);
	}
}

/* ------------------------------------------------------ entering plugins */

static void (*enter_hook)(const char *name);

void
mf_plugins_set_enter_hook(void (*fn)(const char *name))
{
	enter_hook = fn;
}

void
mf_plugins_enter(const char *name)
{
	if (enter_hook)
		enter_hook(name);
}

/* ------------------------------------------------------------- the set */

struct loaded {
	char *path;
	void *handle;
	mf_plugin_entry_fn entry;
	const struct mf_plugin *d;   /* NULL while the entry is not yet called */
};

struct mf_plugins {
	char region[MF_REGION_MAX];
	struct loaded *v;
	int n, cap;
	int deferred;                /* load only maps; mf_plugins_activate calls entries */
	int whole;                   /* import --whole: host->incomplete only warns */
	int refused_incomplete;      /* the last import was refused only by incomplete() */
};

mf_plugins *
mf_plugins_new(const char *node_region)
{
	mf_plugins *p = mf_xcalloc(1, sizeof(*p));

	snprintf(p->region, sizeof(p->region), "%s", node_region ? node_region : "");
	return p;
}

void
mf_plugins_free(mf_plugins *p)
{
	if (p == NULL)
		return;
	for (int i = p->n - 1; i >= 0; i--) {
		const struct mf_plugin *d = p->v[i].d;
		if (d && MF_PLUGIN_HAS(d, shutdown) &&
		    d->shutdown) {
			mf_plugins_enter(d->name);
			d->shutdown();
		}
		dlclose(p->v[i].handle);
		free(p->v[i].path);
	}
	free(p->v);
	free(p);
}

int
mf_plugins_count(const mf_plugins *p)
{
	return p ? p->n : 0;
}

void
mf_plugins_set_deferred(mf_plugins *p, int on)
{
	if (p)
		p->deferred = on;
}

void
mf_plugins_set_whole(mf_plugins *p, int on)
{
	if (p)
		p->whole = on;
}

int
mf_plugins_refused_incomplete(const mf_plugins *p)
{
	return p ? p->refused_incomplete : 0;
}

static int
name_ok(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
		      s[n] == '_'))
			return 0;
	return n >= 1 && n <= max;
}

/* The descriptor's checks; NULL when fine, else the reason. */
static const char *
check_descriptor(const struct mf_plugin *d, char *why, size_t wl)
{
	if (d->abi_version != MF_PLUGIN_ABI_VERSION) {
		snprintf(why, wl, "built for plugin ABI version %d, this host speaks version %d: "
			 "rebuild the plugin against this host's mentorfed-plugin.h",
			 d->abi_version, MF_PLUGIN_ABI_VERSION);
		return why;
	}
	if (d->size < offsetof(struct mf_plugin, item_status)) {
		snprintf(why, wl, "descriptor incomplete: size %zu, at least %zu expected", d->size,
			 offsetof(struct mf_plugin, item_status));
		return why;
	}
	if (!name_ok(d->name, 32)) {
		snprintf(why, wl, "descriptor incomplete: missing or invalid name "
			 "(1..32 characters of a-z 0-9 - _)");
		return why;
	}
	if (d->version == NULL || d->version[0] == '\0') {
		snprintf(why, wl, "descriptor incomplete: plugin '%s' has no version", d->name);
		return why;
	}
	if (d->region == NULL || !mf_region_valid(d->region)) {
		snprintf(why, wl, "descriptor incomplete: plugin '%s' has no valid region code "
			 "(ISO 3166-2 such as RU-TOM)", d->name);
		return why;
	}
	if (d->n_formats < 1 || d->n_formats > 64 || d->formats == NULL) {
		snprintf(why, wl, "descriptor incomplete: plugin '%s' declares no formats", d->name);
		return why;
	}
	for (int i = 0; i < d->n_formats; i++) {
		const mf_format *f = &d->formats[i];
		if (!name_ok(f->name, 64) || f->probe == NULL || f->import == NULL) {
			snprintf(why, wl, "descriptor incomplete: plugin '%s' format %d lacks a valid "
				 "name, probe or import", d->name, i);
			return why;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(d->formats[j].name, f->name) == 0) {
				snprintf(why, wl, "descriptor incomplete: plugin '%s' declares format "
					 "'%s' twice", d->name, f->name);
				return why;
			}
	}
	return NULL;
}

static int
check_file(const char *path, char *err, size_t errlen)
{
	struct stat st, dst;
	char *dir, *slash;
	uid_t me = geteuid();

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot load plugin: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: refused: not a regular file", path);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s: refused: the file is world-writable (mode %04o); "
			 "run chmod o-w on it", path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_uid != me && st.st_uid != 0) {
		snprintf(err, errlen, "%s: refused: the file is owned by uid %u, not by the node's "
			 "user (uid %u) or root", path, (unsigned)st.st_uid, (unsigned)me);
		return -1;
	}
	dir = mf_xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &dst) != 0) {
		snprintf(err, errlen, "%s: cannot load plugin: directory %s: %s", path, dir,
			 strerror(errno));
		free(dir);
		return -1;
	}
	if (dst.st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s: refused: its directory %s is world-writable (mode %04o)",
			 path, dir, (unsigned)(dst.st_mode & 07777));
		free(dir);
		return -1;
	}
	if (dst.st_uid != me && dst.st_uid != 0) {
		snprintf(err, errlen, "%s: refused: its directory %s is owned by uid %u, not by the "
			 "node's user (uid %u) or root", path, dir, (unsigned)dst.st_uid, (unsigned)me);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* Call the entry point of v[i] and check what it returns; 0 or -1 with err. */
static int
activate_one(mf_plugins *p, int i, char *err, size_t errlen)
{
	struct loaded *l = &p->v[i];
	const struct mf_plugin *d;
	char why[320];

	mf_plugins_enter(l->path);
	d = l->entry(mf_plugins_host_api(), MF_PLUGIN_ABI_VERSION);
	if (d == NULL) {
		snprintf(err, errlen, "%s: refused: the entry point returned no descriptor "
			 "(the plugin declined host ABI version %d)", l->path, MF_PLUGIN_ABI_VERSION);
		return -1;
	}
	if (check_descriptor(d, why, sizeof(why)) != NULL) {
		snprintf(err, errlen, "%s: refused: %s", l->path, why);
		return -1;
	}
	for (int j = 0; j < p->n; j++)
		if (j != i && p->v[j].d && strcmp(p->v[j].d->name, d->name) == 0) {
			snprintf(err, errlen, "%s: refused: a plugin named '%s' is already loaded "
				 "from %s", l->path, d->name, p->v[j].path);
			return -1;
		}
	l->d = d;
	logmsg(MF_LOG_INFO, "loaded plugin %s %s (region %s, %d formats) from %s", d->name,
	       d->version, d->region, d->n_formats, l->path);
	return 0;
}

/* Drop v[i] (a refused plugin): dlclose also right when it is the same
 * object as another entry, it only drops our reference. */
static void
drop(mf_plugins *p, int i)
{
	dlclose(p->v[i].handle);
	free(p->v[i].path);
	memmove(&p->v[i], &p->v[i + 1], (size_t)(p->n - i - 1) * sizeof(p->v[0]));
	p->n--;
}

int
mf_plugins_load(mf_plugins *p, const char *path, char *err, size_t errlen)
{
	void *h;
	union { void *obj; mf_plugin_entry_fn fn; } u;

	if (err && errlen)
		err[0] = '\0';
	if (p == NULL || path == NULL) {
		snprintf(err, errlen, "(null): no plugin path");
		return -1;
	}
	if (check_file(path, err, errlen) != 0)
		return -1;
	dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s: refused: dlopen failed: %s%s", path, e ? e : "unknown error",
			 e && strstr(e, "undefined symbol") ? " (a plugin may use only the host "
			 "table, no symbol of the daemon)" : "");
		return -1;
	}
	dlerror();
	u.obj = dlsym(h, MF_PLUGIN_ENTRY_NAME);
	if (u.obj == NULL) {
		snprintf(err, errlen, "%s: refused: no entry point %s (not a mentorfed plugin?)",
			 path, MF_PLUGIN_ENTRY_NAME);
		dlclose(h);
		return -1;
	}
	if (p->n == p->cap) {
		int nc = p->cap ? p->cap * 2 : 4;
		p->v = mf_xrealloc(p->v, (size_t)nc * sizeof(*p->v));
		p->cap = nc;
	}
	p->v[p->n].path = mf_xstrdup(path);
	p->v[p->n].handle = h;
	p->v[p->n].entry = u.fn;
	p->v[p->n].d = NULL;
	p->n++;
	if (p->deferred)
		return 0;
	if (activate_one(p, p->n - 1, err, errlen) != 0) {
		drop(p, p->n - 1);
		return -1;
	}
	return 0;
}

int
mf_plugins_activate(mf_plugins *p, void (*refused)(void *arg, const char *path, const char *err),
		    void *arg)
{
	char err[1024];
	int n = 0;

	for (int i = 0; p && i < p->n; i++) {
		if (p->v[i].d)
			continue;
		if (activate_one(p, i, err, sizeof(err)) == 0) {
			n++;
			continue;
		}
		if (refused)
			refused(arg, p->v[i].path, err);
		else
			logmsg(MF_LOG_ERROR, "%s", err);
		drop(p, i--);
	}
	return n;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mf_plugins_load_dir(mf_plugins *p, const char *dir)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int loaded = 0;

	if (p == NULL || dir == NULL)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		logmsg(MF_LOG_ERROR, "plugin directory %s: %s", dir, strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".so") != 0 || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			names = mf_xrealloc(names, nc * sizeof(*names));
			cap = nc;
		}
		if ((names[n] = mf_path(dir, e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char err[1024];
		if (mf_plugins_load(p, names[i], err, sizeof(err)) == 0)
			loaded++;
		else
			logmsg(MF_LOG_ERROR, "%s", err);
		free(names[i]);
	}
	free(names);
	return loaded;
}

/* What makes a document of format j complete, as the plugin says
 * (struct mf_plugin.complete, appended after shutdown), or NULL: an older
 * plugin, or a format without such a signal. */
static const char *
format_complete(const struct mf_plugin *d, int j)
{
	size_t bad;
	const char *c;

	if (!MF_PLUGIN_HAS(d, complete) || d->complete == NULL)
		return NULL;
	c = d->complete[j];
	if (c == NULL || c[0] == '\0' || !mf_utf8_valid(c, strlen(c), &bad))
		return NULL;
	return c;
}

json_t *
mf_plugins_list_json(const mf_plugins *p)
{
	json_t *a = json_array();

	for (int i = 0; p && i < p->n; i++) {
		const struct mf_plugin *d = p->v[i].d;
		json_t *f;

		if (d == NULL)
			continue;
		f = json_array();
		for (int j = 0; j < d->n_formats; j++) {
			const char *c = format_complete(d, j);
			json_array_append_new(f, json_pack("{s:s,s:s,s:s?}", "name", d->formats[j].name,
							   "description",
							   d->formats[j].description ?
							   d->formats[j].description : "",
							   "complete", c));
		}
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}",
						   "name", d->name, "version", d->version,
						   "region", d->region,
						   "description", d->description ? d->description : "",
						   "path", p->v[i].path,
						   "model", d->model ? d->model : "generic",
						   "formats", f));
	}
	return a;
}

const struct mf_plugin *
mf_plugins_for_region(const mf_plugins *p, const char *region)
{
	for (int i = 0; p && region && i < p->n; i++)
		if (p->v[i].d && strcmp(p->v[i].d->region, region) == 0)
			return p->v[i].d;
	return NULL;
}

/* ------------------------------------------------------------- imports */

/*
 * A record or sub-message handle.  Handles live until the import ends (they
 * are never freed earlier, so a stale one is an error, not a use after
 * free); a sub-message follows the state of its top-level record through
 * `root`: once that is emitted or discarded every handle of it is ended.
 */
struct mf_rec {
	mf_import *imp;
	const ProtobufCMessageDescriptor *desc;
	json_t *obj;         /* top level: owned; sub-message: borrowed from parent */
	struct mf_rec *root; /* the top-level record (itself when top) */
	int top, emitted, discarded;
	char kind[32];
	char id[MF_ID_MAX];
	char *key;
	struct mf_rec *next;
};

struct mf_import {
	const char *path;
	const char *region;
	int year;
	const struct mf_plugin *plugin;
	json_t *records;     /* array of {id,kind,body} */
	json_t *by_id;       /* id -> index in records */
	json_t *diag;
	int failed;
	int whole;           /* import --whole: incomplete() warns */
	int incomplete;      /* errors reported through incomplete() */
	int hard;            /* errors reported otherwise */
	char first_err[1024];
	struct mf_rec *recs;
	/* what the document states it holds (host->expect), checked at the end */
	struct expectation {
		char kind[32];
		unsigned count, line;
		char what[300];
	} expects[MAX_EXPECTS];
	int nexpects;
};

static unsigned
line_of(const char *data, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

static json_t *
diag_add(mf_import *imp, const char *level, unsigned line, const char *msg)
{
	json_t *d = json_pack("{s:s,s:s,s:i,s:s}", "level", level, "file", imp->path,
			      "line", (int)line, "message", msg);

	json_array_append_new(imp->diag, d);
	return d;
}

static void
imp_verror(mf_import *imp, unsigned line, const char *fmt, va_list ap)
{
	char msg[900];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* the diag array must hold valid UTF-8 strings */
	{
		size_t bad;
		if (!mf_utf8_valid(msg, strlen(msg), &bad))
			msg[bad] = '\0';
	}
	diag_add(imp, "error", line, msg);
	imp->hard = 1;
	if (!imp->failed) {
		if (line)
			snprintf(imp->first_err, sizeof(imp->first_err), "%s:%u: %s", imp->path, line, msg);
		else
			snprintf(imp->first_err, sizeof(imp->first_err), "%s: %s", imp->path, msg);
	}
	imp->failed = 1;
}

static void
host_error(mf_import *imp, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (imp == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	imp_verror(imp, line, fmt, ap);
	va_end(ap);
}

/* A plugin's message as text: formatted, cut at the first invalid UTF-8. */
static void
host_msg(char *msg, size_t len, const char *fmt, va_list ap)
{
	size_t bad;

	vsnprintf(msg, len, fmt, ap);
	if (!mf_utf8_valid(msg, strlen(msg), &bad))
		msg[bad] = '\0';
}

static void
host_warn(mf_import *imp, unsigned line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	if (imp == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	host_msg(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(imp, "warning", line, msg);
}

/*
 * host->incomplete: the document lacks what its genre ends with.  Without
 * --whole an error like any other (kept apart so that a refusal by these
 * alone can say how to import a whole document: run_import); with it a
 * warning marked "incomplete", which the client shows in its summary.
 */
static void
host_incomplete(mf_import *imp, unsigned line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	if (imp == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	host_msg(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (imp->whole) {
		json_object_set_new(diag_add(imp, "warning", line, msg), "incomplete", json_true());
		return;
	}
	json_object_set_new(diag_add(imp, "error", line, msg), "incomplete", json_true());
	imp->incomplete = 1;
	if (!imp->failed) {
		if (line)
			snprintf(imp->first_err, sizeof(imp->first_err), "%s:%u: %s", imp->path, line, msg);
		else
			snprintf(imp->first_err, sizeof(imp->first_err), "%s: %s", imp->path, msg);
	}
	imp->failed = 1;
}

static void
host_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logmsg(level, "plugin: %s", msg);
}

static const char *
host_import_path(mf_import *imp)
{
	return imp ? imp->path : "";
}

static const char *
host_import_region(mf_import *imp)
{
	return imp ? imp->region : "";
}

static int
host_import_year(mf_import *imp)
{
	return imp ? imp->year : 0;
}

/* Report a record-building error against the plugin. */
static void
rec_fail(mf_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rec_fail(mf_rec *r, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host_error(r->imp, 0, "plugin %s: %s record: %s",
		   r->imp->plugin ? r->imp->plugin->name : "?", r->kind, msg);
}

static mf_rec *
rec_alloc(mf_import *imp, const ProtobufCMessageDescriptor *desc, const char *kind)
{
	mf_rec *r = mf_xcalloc(1, sizeof(*r));

	r->imp = imp;
	r->desc = desc;
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	r->next = imp->recs;
	imp->recs = r;
	return r;
}

static mf_rec *
host_rec_new(mf_import *imp, const char *kind, const char *key)
{
	const ProtobufCMessageDescriptor *d;
	mf_rec *r;
	size_t bad;

	if (imp == NULL)
		return NULL;
	d = mf_kind_descriptor(kind);
	if (d == NULL) {
		host_error(imp, 0, "plugin %s: unknown record kind '%s'",
			   imp->plugin ? imp->plugin->name : "?", kind ? kind : "(null)");
		return NULL;
	}
	if (key == NULL || key[0] == '\0' || !mf_utf8_valid(key, strlen(key), &bad)) {
		host_error(imp, 0, "plugin %s: %s record without a valid key",
			   imp->plugin ? imp->plugin->name : "?", kind);
		return NULL;
	}
	r = rec_alloc(imp, d, kind);
	r->key = mf_xstrdup(key);
	if ((r->obj = json_object()) == NULL) {
		host_error(imp, 0, "out of memory");
		return NULL;
	}
	r->top = 1;
	r->root = r;
	mf_make_id(imp->region, kind, key, r->id);
	return r;
}

static const ProtobufCFieldDescriptor *
field_of(mf_rec *r, const char *field)
{
	const ProtobufCFieldDescriptor *f;

	if (field == NULL) {
		rec_fail(r, "NULL field name");
		return NULL;
	}
	f = protobuf_c_message_descriptor_get_field_by_name(r->desc, field);
	if (f == NULL)
		rec_fail(r, "message %s has no field '%s'", r->desc->short_name, field);
	return f;
}

static int
parse_int(const char *v, long long min, long long max, long long *out)
{
	char *end;
	long long x;

	errno = 0;
	while (*v == ' ')
		v++;
	if (*v == '\0')
		return -1;
	x = strtoll(v, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || *end != '\0' || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/* The JSON value of `value` for field f, or NULL after reporting. */
static json_t *
convert(mf_rec *r, const ProtobufCFieldDescriptor *f, const char *value)
{
	long long ll;
	size_t bad;

	if (value == NULL) {
		rec_fail(r, "field '%s': NULL value", f->name);
		return NULL;
	}
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		if (!mf_utf8_valid(value, strlen(value), &bad)) {
			rec_fail(r, "field '%s': value is not valid UTF-8", f->name);
			return NULL;
		}
		return json_string(value);
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev = mf_enum_by_ident(f->descriptor, value);
		char buf[96];
		if (ev == NULL || mf_enum_ident(f->descriptor, ev->value, buf, sizeof(buf)) == NULL) {
			rec_fail(r, "field '%s': '%.100s' is not a value of %s", f->name, value,
				 ((const ProtobufCEnumDescriptor *)f->descriptor)->short_name);
			return NULL;
		}
		return json_string(buf);
	}
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		if (parse_int(value, INT32_MIN, INT32_MAX, &ll) != 0)
			break;
		return json_integer(ll);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if (parse_int(value, 0, UINT32_MAX, &ll) != 0)
			break;
		return json_integer(ll);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		if (parse_int(value, LLONG_MIN, LLONG_MAX, &ll) != 0)
			break;
		return json_integer(ll);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (parse_int(value, 0, LLONG_MAX, &ll) != 0)
			break;
		return json_integer(ll);
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		char buf[64], *end;
		double x;
		if (strlen(value) >= sizeof(buf) || value[0] == '\0')
			break;
		strcpy(buf, value);
		for (char *c = buf; *c; c++)
			if (*c == ',')
				*c = '.';
		errno = 0;
		x = strtod(buf, &end);
		if (errno || *end != '\0' || !isfinite(x))
			break;
		return json_real(x);
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			return json_true();
		if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			return json_false();
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		rec_fail(r, "field '%s' is a message: use rec_msg/rec_add_msg", f->name);
		return NULL;
	default:
		rec_fail(r, "field '%s' has a type plugins cannot set", f->name);
		return NULL;
	}
	rec_fail(r, "field '%s': '%.100s' is not a valid %s", f->name, value,
		 f->type == PROTOBUF_C_TYPE_BOOL ? "bool (true/false)" :
		 (f->type == PROTOBUF_C_TYPE_FLOAT || f->type == PROTOBUF_C_TYPE_DOUBLE) ?
		 "number" : "integer in range");
	return NULL;
}

static int
rec_usable(mf_rec *r)
{
	if (r == NULL)
		return 0;
	if (r->root->emitted || r->root->discarded) {
		rec_fail(r, "used after %s (rec_emit ends a record and all its sub-messages)",
			 r->root->emitted ? "rec_emit" : "rec_discard");
		return 0;
	}
	return 1;
}

static int
host_rec_set(mf_rec *r, const char *field, const char *value)
{
	const ProtobufCFieldDescriptor *f;
	json_t *v;

	if (!rec_usable(r) || (f = field_of(r, field)) == NULL)
		return -1;
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		rec_fail(r, "field '%s' is repeated: use rec_add", f->name);
		return -1;
	}
	if ((v = convert(r, f, value)) == NULL)
		return -1;
	json_object_set_new(r->obj, f->name, v);
	return 0;
}

static int
host_rec_add(mf_rec *r, const char *field, const char *value)
{
	const ProtobufCFieldDescriptor *f;
	json_t *v, *a;

	if (!rec_usable(r) || (f = field_of(r, field)) == NULL)
		return -1;
	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		rec_fail(r, "field '%s' is not repeated: use rec_set", f->name);
		return -1;
	}
	if ((v = convert(r, f, value)) == NULL)
		return -1;
	a = json_object_get(r->obj, f->name);
	if (a == NULL) {
		a = json_array();
		json_object_set_new(r->obj, f->name, a);
	}
	json_array_append_new(a, v);
	return 0;
}

static int
ref_id(mf_rec *r, const char *kind, const char *key, char *id)
{
	size_t bad;

	if (mf_kind_descriptor(kind) == NULL) {
		rec_fail(r, "reference to unknown kind '%s'", kind ? kind : "(null)");
		return -1;
	}
	if (key == NULL || key[0] == '\0' || !mf_utf8_valid(key, strlen(key), &bad)) {
		rec_fail(r, "reference to a %s without a valid key", kind);
		return -1;
	}
	mf_make_id(r->imp->region, kind, key, id);
	return 0;
}

static int
host_rec_set_ref(mf_rec *r, const char *field, const char *kind, const char *key)
{
	char id[MF_ID_MAX];

	if (!rec_usable(r) || ref_id(r, kind, key, id) != 0)
		return -1;
	return host_rec_set(r, field, id);
}

static int
host_rec_add_ref(mf_rec *r, const char *field, const char *kind, const char *key)
{
	char id[MF_ID_MAX];

	if (!rec_usable(r) || ref_id(r, kind, key, id) != 0)
		return -1;
	return host_rec_add(r, field, id);
}

static mf_rec *
sub_msg(mf_rec *r, const char *field, int repeated)
{
	const ProtobufCFieldDescriptor *f;
	mf_rec *c;
	json_t *o;

	if (!rec_usable(r) || (f = field_of(r, field)) == NULL)
		return NULL;
	if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
		rec_fail(r, "field '%s' is not a message", f->name);
		return NULL;
	}
	if (repeated != (f->label == PROTOBUF_C_LABEL_REPEATED)) {
		rec_fail(r, "field '%s' is %srepeated: use %s", f->name, repeated ? "not " : "",
			 repeated ? "rec_msg" : "rec_add_msg");
		return NULL;
	}
	c = rec_alloc(r->imp, f->descriptor, r->kind);
	if (c == NULL) {
		host_error(r->imp, 0, "out of memory");
		return NULL;
	}
	if (repeated) {
		json_t *a = json_object_get(r->obj, f->name);
		if (a == NULL) {
			a = json_array();
			json_object_set_new(r->obj, f->name, a);
		}
		o = json_object();
		json_array_append_new(a, o);
	} else {
		o = json_object_get(r->obj, f->name);
		if (o == NULL) {
			o = json_object();
			json_object_set_new(r->obj, f->name, o);
		}
	}
	c->obj = o;   /* borrowed */
	c->root = r->root;
	return c;
}

static mf_rec *
host_rec_msg(mf_rec *r, const char *field)
{
	return sub_msg(r, field, 0);
}

static mf_rec *
host_rec_add_msg(mf_rec *r, const char *field)
{
	return sub_msg(r, field, 1);
}

static int
host_rec_emit(mf_rec *r, const char **id_out)
{
	mf_import *imp;
	json_t *prev, *entry;

	if (id_out)
		*id_out = NULL;
	if (r == NULL)
		return -1;
	imp = r->imp;
	if (!r->top) {
		rec_fail(r, "a sub-message cannot be emitted");
		return -1;
	}
	if (!rec_usable(r))
		return -1;
	if (json_array_size(imp->records) >= MAX_RECORDS) {
		rec_fail(r, "too many records in one import (limit %d)", MAX_RECORDS);
		return -1;
	}
	prev = json_object_get(imp->by_id, r->id);
	if (prev) {
		size_t idx = (size_t)json_integer_value(prev);
		json_t *old = json_array_get(imp->records, idx);
		if (!json_equal(json_object_get(old, "body"), r->obj)) {
			rec_fail(r, "two different records with the same id %s (key '%.200s')",
				 r->id, r->key);
			return -1;
		}
		json_object_set(old, "body", r->obj);   /* identical: the later one wins */
	} else {
		entry = json_pack("{s:s,s:s,s:O}", "id", r->id, "kind", r->kind, "body", r->obj);
		if (entry == NULL) {
			rec_fail(r, "cannot build the record");
			return -1;
		}
		json_object_set_new(imp->by_id, r->id, json_integer((json_int_t)json_array_size(imp->records)));
		json_array_append_new(imp->records, entry);
	}
	r->emitted = 1;
	if (id_out)
		*id_out = r->id;
	return 0;
}

static void
host_rec_discard(mf_rec *r)
{
	if (r == NULL || !rec_usable(r))
		return;
	if (!r->top) {
		rec_fail(r, "a sub-message cannot be discarded alone");
		return;
	}
	r->discarded = 1;
}

/* The import running now (the host runs one at a time): parse_period has
 * no import argument but a bad call must fail that import. */
static mf_import *cur_imp;

/*
 * parse_period with the size check: the plugin's mf_period must be of a
 * layout this host knows (MF_PERIOD_INIT), and the host writes no byte
 * past the size it was given.
 */
static int
host_parse_period(const char *text, int default_year, mf_period *out)
{
	mf_period tmp;
	int rc;

	if (out == NULL)
		return -1;
	if (out->size < sizeof(mf_period)) {
		if (cur_imp)
			host_error(cur_imp, 0, "plugin %s: parse_period: mf_period.size is %zu, "
				   "expected %zu (declare it as mf_period p = MF_PERIOD_INIT;)",
				   cur_imp->plugin ? cur_imp->plugin->name : "?", out->size,
				   sizeof(mf_period));
		else
			logmsg(MF_LOG_ERROR, "plugin: parse_period: mf_period.size is %zu, "
			       "expected %zu (MF_PERIOD_INIT)", out->size, sizeof(mf_period));
		return -1;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.size = sizeof(tmp);
	rc = mf_parse_period(text, default_year, &tmp);
	tmp.size = out->size;
	memcpy(out, &tmp, sizeof(tmp));
	return rc;
}

static char *
host_date_format(mf_date d, char *buf)
{
	return mf_date_format(d, buf);
}

/*
 * host->expect: the document states it holds `count` records of `kind`
 * (at `line`).  Kept until the import ends (check_expects); a second
 * statement about the same kind must agree with the first.
 */
static int
host_expect(mf_import *imp, unsigned line, const char *kind, unsigned count, const char *what)
{
	const char *pl;
	size_t bad;
	struct expectation *e;

	if (imp == NULL)
		return -1;
	pl = imp->plugin ? imp->plugin->name : "?";
	if (mf_kind_descriptor(kind) == NULL) {
		host_error(imp, 0, "plugin %s: expect: unknown record kind '%s'", pl,
			   kind ? kind : "(null)");
		return -1;
	}
	if (what == NULL || !mf_utf8_valid(what, strlen(what), &bad))
		what = "";
	for (int i = 0; i < imp->nexpects; i++) {
		e = &imp->expects[i];
		if (strcmp(e->kind, kind) != 0)
			continue;
		if (e->count != count) {
			/* the document contradicts itself: that is the document's fault */
			host_error(imp, line, "incomplete or damaged document: %s says %u %s "
				   "records, but line %u (%s) says %u", what[0] ? what : "this line",
				   count, kind, e->line, e->what[0] ? e->what : "?", e->count);
			return 0;
		}
		return 0;
	}
	if (imp->nexpects == MAX_EXPECTS) {
		host_error(imp, 0, "plugin %s: expect: more than %d kinds", pl, MAX_EXPECTS);
		return -1;
	}
	e = &imp->expects[imp->nexpects++];
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->count = count;
	e->line = line;
	snprintf(e->what, sizeof(e->what), "%s", what);
	/* the copy may cut a UTF-8 sequence: keep what is whole */
	if (!mf_utf8_valid(e->what, strlen(e->what), &bad))
		e->what[bad] = '\0';
	return 0;
}

/* At the end of an import: every statement of the document against what
 * was emitted.  A shortfall is a cut or damaged document; a surplus is a
 * plugin that read more than the document says it has.  Both refuse it. */
static void
check_expects(mf_import *imp)
{
	for (int i = 0; i < imp->nexpects && !imp->failed; i++) {
		const struct expectation *e = &imp->expects[i];
		unsigned n = 0;
		size_t k;
		json_t *r;

		json_array_foreach(imp->records, k, r)
			if (strcmp(json_string_value(json_object_get(r, "kind")), e->kind) == 0)
				n++;
		if (n != e->count)
			host_error(imp, e->line, "incomplete document: it states %u %s record%s "
				   "(%s), but %u %s read: %s; nothing was imported",
				   e->count, e->kind, e->count == 1 ? "" : "s",
				   e->what[0] ? e->what : "here", n, n == 1 ? "was" : "were",
				   n < e->count ? "the document is cut or damaged" :
				   "the plugin read more than the document states");
	}
}

static const struct mf_host_api host_api = {
	.size = sizeof(struct mf_host_api),
	.abi_version = MF_PLUGIN_ABI_VERSION,
	.error = host_error,
	.warn = host_warn,
	.log = host_log,
	.import_path = host_import_path,
	.import_region = host_import_region,
	.import_year = host_import_year,
	.rec_new = host_rec_new,
	.rec_set = host_rec_set,
	.rec_add = host_rec_add,
	.rec_set_ref = host_rec_set_ref,
	.rec_add_ref = host_rec_add_ref,
	.rec_msg = host_rec_msg,
	.rec_add_msg = host_rec_add_msg,
	.rec_emit = host_rec_emit,
	.rec_discard = host_rec_discard,
	.parse_period = host_parse_period,
	.map_term = mf_map_term,
	.date_format = host_date_format,
	.date_cmp = mf_date_cmp,
	.generic_status = mf_roadmap_generic_status,
	.expect = host_expect,
	.incomplete = host_incomplete,
};

const struct mf_host_api *
mf_plugins_host_api(void)
{
	return &host_api;
}

static void
import_free(mf_import *imp)
{
	mf_rec *r = imp->recs, *n;

	while (r) {
		n = r->next;
		if (r->top)
			json_decref(r->obj);
		free(r->key);
		free(r);
		r = n;
	}
	json_decref(imp->records);
	json_decref(imp->by_id);
	json_decref(imp->diag);
}

static int
fail(json_t *diag, const char *path, unsigned line, char *err, size_t errlen,
     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
fail(json_t *diag, const char *path, unsigned line, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", path, line, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
	json_array_append_new(diag, json_pack("{s:s,s:s,s:i,s:s}", "level", "error", "file", path,
					      "line", (int)line, "message", msg));
	return -1;
}

/* Checks every document gets before a plugin sees it; 0 or -1 (fail). */
static int
check_document(json_t *diag, const char *path, const char *data, size_t len, char *err,
	       size_t errlen)
{
	const char *nul;
	size_t bad;

	if (len == 0)
		return fail(diag, path, 1, err, errlen, "empty document");
	if (len > MAX_DOC_SIZE)
		return fail(diag, path, 0, err, errlen, "document larger than %u bytes", MAX_DOC_SIZE);
	nul = memchr(data, '\0', len);
	if (nul)
		return fail(diag, path, line_of(data, (size_t)(nul - data)), err, errlen,
			    "NUL byte at offset %zu: a binary file, not a text document",
			    (size_t)(nul - data));
	if (!mf_utf8_valid(data, len, &bad))
		return fail(diag, path, line_of(data, bad), err, errlen,
			    "invalid UTF-8 (byte 0x%02X at offset %zu): the document must be UTF-8 "
			    "text (a CP1251 file? convert it with iconv -f cp1251 -t utf-8)",
			    (unsigned char)data[bad], bad);
	return 0;
}

/* The plugin and format the caller named, if any; 0 or -1 (fail). */
static int
choose_named(mf_plugins *p, json_t *diag, const char *path, const char *plugin,
	     const char *format, const struct mf_plugin **pdp, const mf_format **fmtp,
	     char *err, size_t errlen)
{
	const struct mf_plugin *pd = NULL;

	if (plugin) {
		for (int i = 0; i < p->n; i++)
			if (p->v[i].d && strcmp(p->v[i].d->name, plugin) == 0)
				pd = p->v[i].d;
		if (pd == NULL)
			return fail(diag, path, 0, err, errlen, "no plugin named '%s' is loaded", plugin);
	}
	*pdp = pd;
	if (format == NULL)
		return 0;
	for (int i = 0; i < p->n; i++) {
		const struct mf_plugin *d = p->v[i].d;
		if (d == NULL || (pd && d != pd))
			continue;
		for (int j = 0; j < d->n_formats; j++)
			if (strcmp(d->formats[j].name, format) == 0) {
				*fmtp = &d->formats[j];
				*pdp = d;
				return 0;
			}
	}
	return fail(diag, path, 0, err, errlen, "no format '%s'%s%s", format,
		    plugin ? " in plugin " : " in any loaded plugin", plugin ? plugin : "");
}

/* Probe every format (of *pdp only when set): the best score wins. */
static void
probe_all(mf_plugins *p, const char *buf, size_t len, const struct mf_plugin **pdp,
	  const mf_format **fmtp)
{
	const struct mf_plugin *only = *pdp;
	int best = 0;

	for (int i = 0; i < p->n; i++) {
		const struct mf_plugin *d = p->v[i].d;
		if (d == NULL || (only && d != only))
			continue;
		mf_plugins_enter(d->name);
		for (int j = 0; j < d->n_formats; j++) {
			int s = d->formats[j].probe(buf, len);
			if (s > best && s <= 100) {
				best = s;
				*fmtp = &d->formats[j];
				*pdp = d;
			}
		}
	}
}

/* Run the format's import; 0 with *records, or -1 with err. */
static int
run_import(mf_plugins *p, const char *path, const struct mf_plugin *pd, const mf_format *fmt,
	   const char *buf, size_t len, int year, json_t *diag, json_t **records, char *err,
	   size_t errlen)
{
	mf_import imp;
	int rc;

	memset(&imp, 0, sizeof(imp));
	imp.path = path;
	imp.region = p->region;
	imp.year = year;
	imp.whole = p->whole;
	imp.plugin = pd;
	imp.records = json_array();
	imp.by_id = json_object();
	imp.diag = diag;
	json_incref(imp.diag);
	cur_imp = &imp;
	mf_plugins_enter(pd->name);
	rc = fmt->import(&imp, buf, len);
	cur_imp = NULL;
	if (rc != 0 && !imp.failed)
		host_error(&imp, 0, "plugin %s: format %s failed without saying why", pd->name, fmt->name);
	if (rc == 0 && !imp.failed)
		check_expects(&imp);
	if (!imp.failed && json_array_size(imp.records) == 0)
		host_error(&imp, 0, "format %s of plugin %s found no records in this document",
			   fmt->name, pd->name);
	if (imp.failed) {
		/* refused by its genre alone: the operator may know better */
		p->refused_incomplete = imp.incomplete && !imp.hard;
		if (p->refused_incomplete)
			snprintf(err, errlen, "%s; nothing was imported; %s", imp.first_err,
				 MF_WHOLE_HINT);
		else
			snprintf(err, errlen, "%s", imp.first_err);
		import_free(&imp);
		return -1;
	}
	*records = imp.records;
	json_incref(*records);
	snprintf(err, errlen, "%s/%s", pd->name, fmt->name);
	import_free(&imp);
	return 0;
}

int
mf_plugins_import_mem(mf_plugins *p, const char *path, const char *data, size_t len,
		      const char *plugin, const char *format, int year,
		      json_t **records, json_t **diag, char *err, size_t errlen)
{
	const struct mf_plugin *pd = NULL;
	const mf_format *fmt = NULL;
	char *buf;
	int rc;

	*records = NULL;
	*diag = json_array();
	if (err && errlen)
		err[0] = '\0';
	if (p)
		p->refused_incomplete = 0;
	if (path == NULL)
		path = "(document)";
	if (p == NULL || data == NULL)
		return fail(*diag, path, 0, err, errlen, "no plugins or no data");
	if (check_document(*diag, path, data, len, err, errlen) != 0 ||
	    choose_named(p, *diag, path, plugin, format, &pd, &fmt, err, errlen) != 0)
		return -1;
	buf = mf_xmalloc(len + 1);
	memcpy(buf, data, len);
	buf[len] = '\0';
	if (fmt == NULL)
		probe_all(p, buf, len, &pd, &fmt);
	if (fmt == NULL)
		rc = fail(*diag, path, 1, err, errlen,
			  "no loaded plugin recognises this document (%d plugins probed); "
			  "name one with --plugin/--format", p->n);
	else if (strcmp(pd->region, p->region) != 0)
		rc = fail(*diag, path, 0, err, errlen,
			  "refused: the document is of region %s (plugin %s, format %s) and this "
			  "node is %s; a node imports only its own region's documents",
			  pd->region, pd->name, fmt->name, p->region);
	else
		rc = run_import(p, path, pd, fmt, buf, len, year, *diag, records, err, errlen);
	free(buf);
	return rc;
}

int
mf_plugins_import(mf_plugins *p, const char *path, const char *plugin, const char *format,
		  int year, json_t **records, json_t **diag, char *err, size_t errlen)
{
	FILE *f;
	struct stat st;
	char *data;
	size_t n;
	int rc;

	*records = NULL;
	*diag = json_array();
	if (path == NULL)
		return fail(*diag, "(null)", 0, err, errlen, "no document path");
	f = fopen(path, "rb");
	if (f == NULL)
		return fail(*diag, path, 0, err, errlen, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return fail(*diag, path, 0, err, errlen, "not a regular file");
	}
	if ((unsigned long long)st.st_size > MAX_DOC_SIZE) {
		fclose(f);
		return fail(*diag, path, 0, err, errlen, "document larger than %u bytes", MAX_DOC_SIZE);
	}
	data = mf_xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		fclose(f);
		free(data);
		return fail(*diag, path, 0, err, errlen, "read error: %s", strerror(errno));
	}
	fclose(f);
	json_decref(*diag);
	rc = mf_plugins_import_mem(p, path, data, n, plugin, format, year, records, diag, err, errlen);
	free(data);
	return rc;
}
