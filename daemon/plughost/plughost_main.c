/*
 * plughost_main.c — mentorfed-plugin-host, the process in which plugin code
 * runs.  The daemon (plugjob.c) starts one per job; it holds no key, no
 * store, no socket, and gives up the rest before the first plugin entry
 * point runs (confine.h).  The protocol (doc/PLUGIN.md, "How plugins run"):
 *
 *   stdin   one line of JSON, the request, then for `import` the document's
 *           bytes (doc_len of them, as read from the file: not necessarily
 *           UTF-8, the loader checks), then end of file;
 *   stdout  one JSON object, the reply: {"ok":true, ...} or
 *           {"ok":false, "error": MESSAGE, ...};
 *   stderr  lines "@plugin NAME" (the plugin whose code runs from now on),
 *           "@log LEVEL MESSAGE" (for the daemon's log), and, when the job
 *           dies, one line saying why.
 *
 * Request: {"op": "list"|"import"|"judge", "region": the node's region,
 *           "plugin_dir": DIR or absent, "plugins": [extra files loaded at
 *           run time], "try": a file to load whose refusal fails the job
 *           (plugin load), "cpu_ms", "memory_mb",
 *           import: "path" (for messages), "doc_len", "plugin", "format", "year",
 *           "whole" (true: import --whole, host->incomplete only warns),
 *           judge: "at": "YYYY-MM-DD", "jobs": [{"region", "records": [...]}]}
 * Reply:   list:   {"ok":true, "plugins": [...]}
 *          import: {"ok":true, "records", "diagnostics", "read_by"} or
 *                  {"ok":false, "error", "diagnostics", "incomplete": true when
 *                  only host->incomplete refused it (--whole would import it)}
 *          judge:  {"ok":true, "reports": [one mf_roadmap_judge per job]}
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "confine.h"
#include "datexpr.h"
#include "kinds.h"
#include "plugin_loader.h"
#include "roadmap.h"
#include "util.h"

#define MAX_REQUEST (256u * 1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
/*
 * In a sanitizer build, a plugin's crash must reach confine.c's handler
 * (which names the plugin), not ASan's, whose report opens files the
 * filter forbids; leak checking at exit is skipped (_exit) anyway.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:"
	       "handle_abort=0:allow_user_segv_handler=1:detect_leaks=0";
}
#endif

static void
put(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);   /* the daemon went away */
		s += w;
		n -= (size_t)w;
	}
}

static void
line(const char *a, const char *b)
{
	put(STDERR_FILENO, a, strlen(a));
	put(STDERR_FILENO, b, strlen(b));
	put(STDERR_FILENO, "\n", 1);
}

static void
on_enter(const char *name)
{
	static char last[256];

	mf_confine_set_current(name);
	if (name && strncmp(last, name, sizeof(last) - 1) != 0) {
		snprintf(last, sizeof(last), "%s", name);
		line("@plugin ", name);
	}
}

static void
on_log(int level, const char *msg)
{
	char pre[16];
	char buf[1100];
	size_t i;

	snprintf(pre, sizeof(pre), "@log %d ", level);
	/* one message, one line */
	snprintf(buf, sizeof(buf), "%s", msg);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	line(pre, buf);
}

/* Fatal before the job: the reply says why, exit 0 (the daemon reads it). */
static void
reply_and_exit(json_t *rep)
{
	char *s = json_dumps(rep, JSON_COMPACT);

	if (s == NULL)
		_exit(1);
	put(STDOUT_FILENO, s, strlen(s));
	/* _exit: no atexit handlers, no leak check, no plugin destructors */
	_exit(0);
}

static void
die(const char *what, const char *detail)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "plugin host: %s%s", what, detail);
	reply_and_exit(json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

static char *
read_all(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = mf_xmalloc(cap);

	for (;;) {
		ssize_t r;
		if (n == cap) {
			if (cap >= MAX_REQUEST)
				die("request too large", "");
			cap *= 2;
			buf = mf_xrealloc(buf, cap);
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("reading the request: ", strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

typedef struct try_state {
	const char *path;
	char err[1024];
} try_state;

static void
on_refused(void *arg, const char *path, const char *err)
{
	try_state *t = arg;

	if (t->path && strcmp(path, t->path) == 0)
		snprintf(t->err, sizeof(t->err), "%s", err);
	else
		on_log(MF_LOG_ERROR, err);
}

/* Load (map) every plugin the request names; entry points run later. */
static mf_plugins *
load(json_t *req, try_state *t)
{
	const char *dir = json_string_value(json_object_get(req, "plugin_dir"));
	mf_plugins *p = mf_plugins_new(json_string_value(json_object_get(req, "region")));
	json_t *v;
	size_t i;
	char err[1024];

	if (p == NULL)
		die("out of memory", "");
	mf_plugins_set_deferred(p, 1);
	if (dir)
		mf_plugins_load_dir(p, dir);
	json_array_foreach(json_object_get(req, "plugins"), i, v)
		if (json_is_string(v) && mf_plugins_load(p, json_string_value(v), err, sizeof(err)) != 0)
			on_log(MF_LOG_ERROR, err);
	if (t->path && mf_plugins_load(p, t->path, t->err, sizeof(t->err)) != 0 && t->err[0] == '\0')
		snprintf(t->err, sizeof(t->err), "%s: refused", t->path);
	return p;
}

static json_t *
do_import(mf_plugins *p, json_t *req, const char *doc, size_t len)
{
	json_t *records = NULL, *diag = NULL, *rep;
	char err[1024];
	const char *path = json_string_value(json_object_get(req, "path"));

	mf_plugins_set_whole(p, json_is_true(json_object_get(req, "whole")));
	if (mf_plugins_import_mem(p, path, doc, len,
				  json_string_value(json_object_get(req, "plugin")),
				  json_string_value(json_object_get(req, "format")),
				  (int)json_integer_value(json_object_get(req, "year")),
				  &records, &diag, err, sizeof(err)) != 0)
		return json_pack("{s:b,s:s,s:o,s:b}", "ok", 0, "error", err, "diagnostics", diag,
				 "incomplete", mf_plugins_refused_incomplete(p));
	rep = json_pack("{s:b,s:o,s:o,s:s}", "ok", 1, "records", records, "diagnostics", diag,
			"read_by", err);
	return rep;
}

static json_t *
do_judge(mf_plugins *p, json_t *req)
{
	json_t *reports = json_array(), *job;
	mf_date at;
	size_t i;

	if (mf_date_parse(json_string_value(json_object_get(req, "at")), &at) != 0)
		die("judge: bad date", "");
	json_array_foreach(json_object_get(req, "jobs"), i, job) {
		json_t *r = mf_roadmap_judge(p, json_string_value(json_object_get(job, "region")), at,
					     json_object_get(job, "records"));
		if (r == NULL)
			die("out of memory", "");
		json_array_append_new(reports, r);
	}
	return json_pack("{s:b,s:o}", "ok", 1, "reports", reports);
}

/* Touch what initialises itself lazily (and would need a forbidden call
 * when done under the filter): jansson's hash seed, stdio's buffers,
 * OpenSSL (record ids are hashes; it reads openssl.cnf on first use). */
static void
warm_up(void)
{
	json_t *j = json_pack("{s:f}", "x", 1.5);
	char *s = json_dumps(j, JSON_COMPACT);
	char buf[64], id[MF_ID_MAX];
	mf_period per;

	mf_make_id("RU-TOM", "school", "warm-up", id);
	memset(&per, 0, sizeof(per));
	per.size = sizeof(per);
	mf_parse_period("12.02.2025", 2025, &per);

	free(s);
	json_decref(j);
	snprintf(buf, sizeof(buf), "%g %s", 2.5, strerror(ENOENT));
}

int
main(int argc, char **argv)
{
	size_t len;
	char *buf = read_all(&len), *nl, err[512];
	json_t *req, *rep;
	json_error_t je;
	const char *op;
	try_state t;
	mf_plugins *p;

	(void)argc;
	(void)argv;
	mf_plugins_set_logger(on_log);
	mf_plugins_set_enter_hook(on_enter);
	if ((nl = memchr(buf, '\n', len)) == NULL ||
	    (req = json_loadb(buf, (size_t)(nl - buf), 0, &je)) == NULL)
		die("bad request (expected a line of JSON)", "");
	op = json_string_value(json_object_get(req, "op"));
	if (op == NULL)
		die("request without op", "");
	memset(&t, 0, sizeof(t));
	t.path = json_string_value(json_object_get(req, "try"));
	p = load(req, &t);
	warm_up();
	if (mf_confine((unsigned)json_integer_value(json_object_get(req, "cpu_ms")),
		       (unsigned)json_integer_value(json_object_get(req, "memory_mb")),
		       err, sizeof(err)) != 0)
		die("cannot confine itself: ", err);
	mf_plugins_activate(p, on_refused, &t);
	if (t.err[0])
		reply_and_exit(json_pack("{s:b,s:s}", "ok", 0, "error", t.err));
	if (strcmp(op, "list") == 0)
		rep = json_pack("{s:b,s:o}", "ok", 1, "plugins", mf_plugins_list_json(p));
	else if (strcmp(op, "import") == 0) {
		size_t doclen = (size_t)json_integer_value(json_object_get(req, "doc_len"));
		if (doclen > len - (size_t)(nl + 1 - buf))
			die("import: the document is shorter than doc_len", "");
		rep = do_import(p, req, nl + 1, doclen);
	} else if (strcmp(op, "judge") == 0)
		rep = do_judge(p, req);
	else
		die("unknown op ", op);
	if (rep == NULL)
		die("out of memory", "");
	reply_and_exit(rep);
}
