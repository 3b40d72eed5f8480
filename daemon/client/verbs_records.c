/*
 * verbs_records.c — the verbs on the node's records and on the daemon:
 * status, put, get, list, delete, export, digest, import, plugin, reload,
 * stop.  Each is one request (request.c) and a rendering of its reply.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_fmt.h"
#include "client.h"
#include "i18n.h"
#include "plugin_loader.h"
#include "request.h"
#include "util.h"

/* ---------------------------------------------------------------- status */

/* status, the peers of the sync part: each link with any catch-up. */
static void
print_links(const char *name, const char *ep, const char *since, json_t *links, mf_table *t)
{
	json_t *l, *c;
	size_t j;

	json_array_foreach(links, j, l) {
		char heard[32], cu[160] = "";
		const char *row[8];

		snprintf(heard, sizeof(heard), _("%lld ms ago"),
			 (long long)json_integer_value(json_object_get(l, "last_heard_ms_ago")));
		if ((c = json_object_get(l, "catchup")) != NULL)
			snprintf(cu, sizeof(cu), _("%s %lld..%lld of %lld (%.0f%%)"),
				 json_string_value(json_object_get(c, "origin")),
				 (long long)json_integer_value(json_object_get(c, "from")),
				 (long long)json_integer_value(json_object_get(c, "at")),
				 (long long)json_integer_value(json_object_get(c, "to")),
				 json_number_value(json_object_get(c, "percent")));
		row[0] = j == 0 ? name : "";
		row[1] = j == 0 ? ep : "";
		row[2] = json_string_value(json_object_get(l, "direction"));
		row[3] = json_is_true(json_object_get(l, "connected")) ? _("connected") : _("connecting");
		row[4] = j == 0 && since ? since : "";
		row[5] = heard;
		row[6] = cu;
		row[7] = NULL;
		mf_table_row(t, row);
	}
}

static void
print_peers(json_t *peers)
{
	static const char *const ph[] = { N_("PEER"), N_("ENDPOINT"), N_("LINK"), N_("STATE"),
					  N_("SINCE (UTC)"), N_("HEARD"), N_("CATCH-UP"), NULL };
	mf_table *t = mf_table_new(ph);
	json_t *p;
	size_t i;

	json_array_foreach(peers, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *ep = json_string_value(json_object_get(p, "endpoint"));
		const char *since = json_string_value(json_object_get(p, "since"));
		json_t *links = json_object_get(p, "links");

		if (json_array_size(links) == 0) {
			const char *row[] = { name, ep, "-", _("not connected"), since ? since : "-", "-",
					      "", NULL };
			mf_table_row(t, row);
		} else {
			print_links(name, ep, since, links, t);
		}
	}
	printf("\n%s\n", _("peers"));
	mf_table_print(t, stdout, 60);
}

/* status, the origins of the sync part: what we hold against the best
 * peer, and the non-zero counters. */
static void
print_origins(json_t *sync)
{
	static const char *const oh[] = { N_("ORIGIN"), N_("HELD"), N_("BEST PEER HOLDS"), N_("LAG"),
					  N_("TRUSTED"), N_("FORKS"), NULL };
	mf_table *t = mf_table_new(oh);
	const char *k;
	json_t *o, *c;

	json_object_foreach(json_object_get(sync, "origins"), k, o) {
		const char *bp = json_string_value(json_object_get(o, "best_peer_name"));
		char held[32], best[64], lag[32], forks[32];
		const char *row[7];

		snprintf(held, sizeof(held), "%lld", (long long)json_integer_value(json_object_get(o, "held")));
		snprintf(best, sizeof(best), "%lld (%s)",
			 (long long)json_integer_value(json_object_get(o, "best_peer")), bp ? bp : "-");
		snprintf(lag, sizeof(lag), "%lld", (long long)json_integer_value(json_object_get(o, "lag")));
		snprintf(forks, sizeof(forks), "%lld%s",
			 (long long)json_integer_value(json_object_get(o, "forks")),
			 json_is_true(json_object_get(o, "fork_flag")) ? " FORK" : "");
		row[0] = k;
		row[1] = held;
		row[2] = best;
		row[3] = lag;
		row[4] = json_is_true(json_object_get(o, "trusted")) ? _("yes") : _("no");
		row[5] = forks;
		row[6] = NULL;
		mf_table_row(t, row);
	}
	printf("\n%s\n", _("origins"));
	mf_table_print(t, stdout, 60);
	printf("\n%s\n", _("counters (non-zero)"));
	json_object_foreach(json_object_get(sync, "counters"), k, c) {
		if (json_integer_value(c) != 0) {
			char n[32];
			snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(c));
			mf_print_kv(k, n);
		}
	}
}

/* Each member of obj, a number, as "KPRE key    VPRE number"; keys of
 * family `family` (mf_label) are shown as the glossary names them. */
static void
print_counts(json_t *obj, const char *kpre, const char *vpre, const char *family)
{
	char k2[256], n[64];
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		snprintf(k2, sizeof(k2), "%s%s", kpre,
			 family != NULL && strcmp(mf_i18n_lang(), "en") != 0 ? mf_label(family, k, NULL) : k);
		snprintf(n, sizeof(n), "%s%lld", vpre, (long long)json_integer_value(v));
		mf_print_kv(k2, n);
	}
}

static double
mib(json_t *o, const char *k)
{
	return (double)json_integer_value(json_object_get(o, k)) / (1024.0 * 1024.0);
}

/* One line: the resident set and what holds it (daemon/core/store_mem.h). */
static void
print_memory(json_t *m)
{
	char buf[256];

	if (json_integer_value(json_object_get(m, "rss")) < 0)
		return;
	if (json_integer_value(json_object_get(m, "heap_used")) < 0)
		snprintf(buf, sizeof(buf),
			 _("%.1f MiB resident: SQLite %.1f MiB (page cache %.1f of %.1f), files mapped %.1f"),
			 mib(m, "rss"), mib(m, "sqlite_used"), mib(m, "sqlite_cache"),
			 mib(m, "sqlite_cache_limit"), mib(m, "rss_file"));
	else
		snprintf(buf, sizeof(buf),
			 _("%.1f MiB resident: SQLite %.1f MiB (page cache %.1f of %.1f), heap in use %.1f, kept free %.1f, files mapped %.1f"),
			 mib(m, "rss"), mib(m, "sqlite_used"), mib(m, "sqlite_cache"),
			 mib(m, "sqlite_cache_limit"), mib(m, "heap_used") + mib(m, "heap_mmap"),
			 mib(m, "heap_free"), mib(m, "rss_file"));
	mf_print_kv("memory", buf);
}

int
v_status(int argc, char **argv)
{
	json_t *rep, *v;
	int code;
	char buf[256];

	if ((code = opt_parse(argc, argv, "status", NULL, NULL, 0, 0)) >= 0)
		return code;
	if ((rep = call(json_pack("{s:s}", "cmd", "status"), &code)) == NULL)
		return code;
	if (cli.json) {
		print_reply_json(rep);
		json_decref(rep);
		return EX_OK;
	}
	mf_print_kv("region", json_string_value(json_object_get(rep, "region")));
	mf_print_kv("data directory", json_string_value(json_object_get(rep, "dir")));
	mf_print_kv("listen", json_string_value(json_object_get(rep, "listen")));
	mf_print_kv("signing key", json_string_value(json_object_get(rep, "signing_key")));
	mf_print_kv("curve key", json_string_value(json_object_get(rep, "curve_key")));
	snprintf(buf, sizeof(buf), _("%lld (%lld tombstones)"),
		 (long long)json_integer_value(json_object_get(rep, "records")),
		 (long long)json_integer_value(json_object_get(rep, "tombstones")));
	mf_print_kv("records", buf);
	print_counts(json_object_get(rep, "by_kind"), "  ", "", "kind");
	print_counts(json_object_get(rep, "version_vector"), _("held of "), _("to seq "), NULL);
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(rep, "forks")));
	mf_print_kv("forks detected", buf);
	if (json_is_true(json_object_get(rep, "recovering")))
		mf_print_kv("state", _("RECOVERING own records from peers"));
	if ((v = json_object_get(rep, "own_chain")) != NULL &&
	    json_is_true(json_object_get(v, "own_fork"))) {
		snprintf(buf, sizeof(buf),
			 _("FORKED at seq %lld: local writes stopped ('mentorfed fork show')"),
			 (long long)json_integer_value(json_object_get(v, "own_fork_seq")));
		mf_print_kv("state", buf);
	}
	if ((v = json_object_get(rep, "integrity")) != NULL) {
		const char *dmg = json_string_value(json_object_get(v, "damage"));

		if (dmg)
			snprintf(buf, sizeof(buf), _("DAMAGED: %s"), dmg);
		mf_print_kv("integrity", dmg ? buf : _("ok"));
	}
	if ((v = json_object_get(rep, "own_chain")) != NULL &&
	    json_string_value(json_object_get(v, "writes_refused")))
		mf_print_kv("local writes refused", json_string_value(json_object_get(v, "writes_refused")));
	if ((v = json_object_get(rep, "memory")) != NULL)
		print_memory(v);
	if ((v = json_object_get(rep, "sync")) != NULL) {
		print_peers(json_object_get(v, "peers"));
		print_origins(v);
	}
	json_decref(rep);
	return EX_OK;
}

/* ---------------------------------------------------------------- put */

/* All of stdin in a NUL-terminated malloc'd buffer. */
static char *
read_stdin(size_t *len)
{
	size_t cap = 0, r;
	char *buf = NULL;

	*len = 0;
	do {
		if (cap - *len < 65536)
			buf = mf_xrealloc(buf, cap = cap * 2 + 65536);
		r = fread(buf + *len, 1, cap - *len - 1, stdin);
		*len += r;
	} while (r > 0);
	buf[*len] = '\0';
	return buf;
}

/* The records of JSON lines: an array (new ref) with the line of each
 * record in *lines_out, or NULL with the error printed. */
static json_t *
parse_lines(const char *buf, size_t len, const char *name, unsigned **lines_out, int *code)
{
	json_t *arr = json_array(), *r;
	json_error_t je;
	const char *p = buf, *nl;
	unsigned ln = 0, *lines = NULL;
	size_t cap = 0, n = 0, l;

	for (; p < buf + len; p = nl ? nl + 1 : buf + len) {
		ln++;
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		l = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		if (l == 0)
			continue;
		if ((r = json_loadb(p, l, JSON_REJECT_DUPLICATES, &je)) == NULL) {
			*code = die(EX_DATAERR, N_("%s:%u:%d: not JSON: %s"), name, ln, je.column, je.text);
			goto bad;
		}
		if (!json_is_object(r)) {
			json_decref(r);
			*code = die(EX_DATAERR, N_("%s:%u: expected a JSON object"), name, ln);
			goto bad;
		}
		json_array_append_new(arr, r);
		if (n == cap)
			lines = mf_xrealloc(lines, (cap = cap * 2 + 1024) * sizeof(*lines));
		lines[n++] = ln;
	}
	*lines_out = lines;
	return arr;
bad:
	free(lines);
	json_decref(arr);
	return NULL;
}

/* Read records from FILE or stdin: one JSON value (object or array) or
 * JSON lines.  Returns an array (new ref) and the line of each record. */
static json_t *
read_records(const char *path, unsigned **lines_out, int *code)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	json_t *all, *arr;
	json_error_t je;

	*code = EX_OK;
	*lines_out = NULL;
	if (path == NULL)
		buf = read_stdin(&len);
	else if (mf_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		*code = die(EX_NOINPUT, "%s", err);
		return NULL;
	}
	/* One value spanning the whole input? */
	all = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (all != NULL && (json_is_object(all) || json_is_array(all))) {
		arr = json_is_array(all) ? all : json_pack("[o]", all);
		*lines_out = mf_xcalloc(json_array_size(arr) + 1, sizeof(**lines_out));
		for (size_t i = 0; i < json_array_size(arr); i++)
			(*lines_out)[i] = 1;
	} else {
		json_decref(all);
		arr = parse_lines(buf, len, path ? path : "<stdin>", lines_out, code);
	}
	free(buf);
	return arr;
}

/* The reply of a write (put, delete): its error at the record's line, or
 * what changed. */
static int
report_put(json_t *rep, int code, const unsigned *lines, const char *name)
{
	json_t *idx;

	if (rep == NULL)
		return code;
	if (code != EX_OK) {
		idx = json_object_get(rep, "index");
		if (json_is_integer(idx) && lines)
			die(code, "%s:%u: %s", name, lines[json_integer_value(idx)],
			    json_string_value(json_object_get(rep, "error")));
		else
			refused(rep, code);
	} else if (cli.json) {
		print_reply_json(rep);
	} else {
		printf(_("%lld changed, %lld unchanged"),
		       (long long)json_integer_value(json_object_get(rep, "changed")),
		       (long long)json_integer_value(json_object_get(rep, "unchanged")));
		if (json_integer_value(json_object_get(rep, "changed")) > 0) {
			long long nb = (long long)json_integer_value(json_object_get(rep, "blocks"));
			printf(ngettext(" (seq %lld..%lld in %lld block)", " (seq %lld..%lld in %lld blocks)",
					(unsigned long)nb),
			       (long long)json_integer_value(json_object_get(rep, "first_seq")),
			       (long long)json_integer_value(json_object_get(rep, "last_seq")), nb);
		}
		printf("\n");
		if (json_array_size(json_object_get(rep, "ids")) == 1)
			printf("%s\n", json_string_value(json_array_get(json_object_get(rep, "ids"), 0)));
	}
	json_decref(rep);
	return code;
}

int
v_put(int argc, char **argv)
{
	unsigned *lines = NULL;
	json_t *recs, *req, *rep;
	const char *path;
	int code;

	if ((code = opt_parse(argc, argv, "put", NULL, NULL, 0, 1)) >= 0)
		return code;
	path = optind < argc && strcmp(argv[optind], "-") != 0 ? argv[optind] : NULL;
	if ((recs = read_records(path, &lines, &code)) == NULL)
		return code;
	req = json_pack("{s:s, s:o}", "cmd", "put", "records", recs);
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	code = report_put(rep, code, lines, path ? path : "<stdin>");
	free(lines);
	return code;
}

int
v_delete(int argc, char **argv)
{
	json_t *req, *rep;
	int code;

	if ((code = opt_parse(argc, argv, "delete", NULL, NULL, 1, 1)) >= 0)
		return code;
	req = json_pack("{s:s, s:s}", "cmd", "delete", "id", argv[optind]);
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	return report_put(rep, code, NULL, argv[optind]);
}

/* ---------------------------------------------------------------- reads */

int
v_get(int argc, char **argv)
{
	json_t *rep;
	int code;

	if ((code = opt_parse(argc, argv, "get", NULL, NULL, 1, 1)) >= 0)
		return code;
	if ((rep = call(json_pack("{s:s, s:s}", "cmd", "get", "id", argv[optind]), &code)) == NULL)
		return code;
	mf_json_print(stdout, json_object_get(rep, "record"));
	json_decref(rep);
	return EX_OK;
}

/* The names of the schools and offers (id -> name), for list to name what
 * a card, an application or a pair refers to; an empty object when the
 * daemon does not answer. */
static json_t *
known_names(void)
{
	static const char *const kinds[] = { "school", "internship_offer", NULL };
	json_t *names = json_object();

	for (int k = 0; kinds[k]; k++) {
		json_t *req = json_pack("{s:s, s:s}", "cmd", "list", "kind", kinds[k]), *rep, *r;
		size_t i;
		int code;

		rep = request(req, NULL, NULL, &code);
		json_decref(req);
		if (rep != NULL && code == EX_OK)
			json_array_foreach(json_object_get(rep, "records"), i, r) {
				json_t *b = json_object_get(r, "body");
				const char *id = json_string_value(json_object_get(r, "id"));
				const char *nm = json_string_value(json_object_get(b, "name"));
				if (nm == NULL || *nm == '\0')
					nm = json_string_value(json_object_get(b, "title"));
				if (id != NULL && nm != NULL && *nm != '\0')
					json_object_set_new(names, id, json_string(nm));
			}
		json_decref(rep);
	}
	return names;
}

/* The records as a table; names looked up only when some record has
 * none of its own (a list of schools needs no second request). */
static void
print_named(json_t *recs)
{
	json_t *r, *names = NULL;
	size_t i;

	json_array_foreach(recs, i, r) {
		json_t *b = json_object_get(r, "body");
		if (!json_is_true(json_object_get(r, "deleted")) &&
		    json_object_get(b, "name") == NULL && json_object_get(b, "title") == NULL) {
			names = known_names();
			break;
		}
	}
	mf_print_records_named(recs, names);
	json_decref(names);
}

/* list and export: the same filters; export's lines come as the payload. */
static int
list_like(int argc, char **argv, const char *name)
{
	static const opt_def defs[] = {
		OPT_S("kind", 'k', "kind"),
		OPT_S("region", 'r', "region"),
		OPT_T("deleted", 'D', "deleted"),
		OPT_END
	};
	json_t *req = json_pack("{s:s}", "cmd", name), *rep;
	char *payload = NULL;
	size_t plen = 0;
	int code, exp = strcmp(name, "export") == 0;

	if ((code = opt_parse(argc, argv, name, defs, req, 0, 0)) >= 0) {
		json_decref(req);
		return code;
	}
	if (exp && !json_object_get(req, "deleted"))
		json_object_set_new(req, "deleted", json_true());
	rep = request(req, exp ? &payload : NULL, &plen, &code);
	json_decref(req);
	if (rep == NULL)
		return code;
	if (code != EX_OK)
		refused(rep, code);
	else if (exp && payload)
		fwrite(payload, 1, plen, stdout);
	else if (!exp && cli.json)
		mf_json_print(stdout, json_object_get(rep, "records"));
	else if (!exp)
		print_named(json_object_get(rep, "records"));
	free(payload);
	json_decref(rep);
	if (code != EX_OK)
		return code;
	return ferror(stdout) ? EX_IOERR : EX_OK;
}

int
v_list(int argc, char **argv)
{
	return list_like(argc, argv, "list");
}

int
v_export(int argc, char **argv)
{
	return list_like(argc, argv, "export");
}

/* A verb without arguments whose reply is printed as JSON or as one line:
 * the value of its member `field`, or the text `done`. */
static int
one_line(int argc, char **argv, const char *cmd, const char *field, const char *done)
{
	json_t *rep;
	int code;

	if ((code = opt_parse(argc, argv, argv[0], NULL, NULL, 0, 0)) >= 0)
		return code;
	if ((rep = call(json_pack("{s:s}", "cmd", cmd), &code)) == NULL)
		return code;
	if (cli.json)
		print_reply_json(rep);
	else
		printf("%s\n", field ? json_string_value(json_object_get(rep, field)) : done);
	json_decref(rep);
	return EX_OK;
}

int
v_digest(int argc, char **argv)
{
	return one_line(argc, argv, "digest", "digest", NULL);
}

int
v_reload(int argc, char **argv)
{
	return one_line(argc, argv, "reload", NULL, _("configuration reloaded"));
}

int
v_stop(int argc, char **argv)
{
	return one_line(argc, argv, "stop", NULL, _("stopping"));
}

/* ---------------------------------------------------------------- plugins */

/* The absolute path of a file argument into req[field]: -1, or the exit
 * code when it does not exist. */
static int
set_abs_path(json_t *req, const char *field, const char *arg)
{
	char *abs = realpath(arg, NULL);

	if (abs == NULL)
		return die(EX_NOINPUT, "%s: %s", arg, strerror(errno));
	json_object_set_new(req, field, json_string(abs));
	free(abs);
	return -1;
}

static void
print_diagnostics(json_t *rep, const char *file)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(rep, "diagnostics"), i, d) {
		const char *f = json_string_value(json_object_get(d, "file"));

		fprintf(stderr, "%s:%lld: %s: %s\n", f ? f : file,
			(long long)json_integer_value(json_object_get(d, "line")),
			json_string_value(json_object_get(d, "level")),
			json_string_value(json_object_get(d, "message")));
	}
}

/* The kind as people read it: the identifier under C/English (as before),
 * the glossary's term otherwise. */
static const char *
kind_text(const char *k)
{
	return strcmp(mf_i18n_lang(), "en") != 0 ? mf_label("kind", k, NULL) : k;
}

/* "2 roadmap_item, 1 target" from the plan's counts by kind. */
static void
plan_counts(const char *what, json_t *counts)
{
	const char *k;
	json_t *v;
	int n = 0;

	printf("  %s:", _(what));
	json_object_foreach(counts, k, v)
		printf("%s %lld %s", n++ ? "," : "", (long long)json_integer_value(v), kind_text(k));
	printf("%s\n", n ? "" : _(" nothing"));
}

/* What an import would do (--dry-run) or did (--replace): the daemon's plan. */
static void
print_plan(json_t *plan)
{
	json_t *v;
	size_t i;

	plan_counts(N_("add"), json_object_get(plan, "added"));
	plan_counts(N_("change"), json_object_get(plan, "changed"));
	plan_counts(N_("remove"), json_object_get(plan, "removed"));
	json_array_foreach(json_object_get(plan, "removed_records"), i, v)
		printf("    - %s %s\n", kind_text(json_string_value(json_object_get(v, "kind"))),
		       json_string_value(json_object_get(v, "name")));
	json_array_foreach(json_object_get(plan, "removed_sections"), i, v)
		printf(_("    - section %s «%s»\n"), json_string_value(json_object_get(v, "number")),
		       json_string_value(json_object_get(v, "title")));
	json_array_foreach(json_object_get(plan, "shrunk_records"), i, v)
		printf(_("    ~ %s %s loses %s\n"), kind_text(json_string_value(json_object_get(v, "kind"))),
		       json_string_value(json_object_get(v, "name")),
		       json_string_value(json_object_get(v, "lost")));
	printf(_("  unchanged: %lld\n"), (long long)json_integer_value(json_object_get(plan, "unchanged")));
}

/*
 * A refusal by the document's genre alone (the daemon's "incomplete"): the
 * daemon's message ends with MF_WHOLE_HINT in English; it is given in the
 * user's words instead.
 */
static int
refused_incomplete(json_t *rep, int code)
{
	const char *e = json_string_value(json_object_get(rep, "error"));
	size_t n = e ? strlen(e) : 0, h = strlen(MF_WHOLE_HINT);

	if (n < h || strcmp(e + n - h, MF_WHOLE_HINT) != 0)
		return refused(rep, code);
	n -= h;
	while (n > 0 && (e[n - 1] == ' ' || e[n - 1] == ';'))
		n--;
	fprintf(stderr, "mentorfed: %.*s; %s\n", (int)n, e,
		_("if the document is whole as it is, import it with --whole"));
	return code;
}

/* What --whole let through: the document lacks what its genre ends with,
 * the operator said it is whole (the warnings are above, with their lines). */
static void
print_taken_whole(json_t *rep)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(rep, "diagnostics"), i, d)
		if (json_is_true(json_object_get(d, "incomplete")))
			printf(_("  taken as whole (--whole), line %lld: %s\n"),
			       (long long)json_integer_value(json_object_get(d, "line")),
			       json_string_value(json_object_get(d, "message")));
}

int
v_import(int argc, char **argv)
{
	static const opt_def defs[] = {
		OPT_S("plugin", 'p', "plugin"),
		OPT_S("format", 'f', "format"),
		OPT_N("year", 'y', "year", 1990, 2100, N_("a year such as 2025")),
		/* the daemon decides what a re-import would remove (cmd_import.c) */
		OPT_T("replace", 'R', "replace"),
		OPT_T("dry-run", 'n', "dry_run"),
		/* the operator: the document is whole even where it departs
		 * from its genre (host->incomplete only warns) */
		OPT_T("whole", 'W', "whole"),
		OPT_END
	};
	json_t *req = json_pack("{s:s}", "cmd", "import"), *rep;
	int code;

	if ((code = opt_parse(argc, argv, "import", defs, req, 1, 1)) >= 0 ||
	    (code = set_abs_path(req, "path", argv[optind])) >= 0) {
		json_decref(req);
		return code;
	}
	rep = request(req, NULL, NULL, &code);
	json_decref(req);
	if (rep == NULL)
		return code;
	print_diagnostics(rep, argv[optind]);
	if (code != EX_OK) {
		if (json_is_true(json_object_get(rep, "incomplete")))
			refused_incomplete(rep, code);
		else
			refused(rep, code);
	} else if (cli.json) {
		print_reply_json(rep);
	} else if (json_is_true(json_object_get(rep, "dry_run"))) {
		printf(_("%s would be read with %s (%lld records); nothing was written:\n"),
		       argv[optind], json_string_value(json_object_get(rep, "read_by")),
		       (long long)json_integer_value(json_object_get(rep, "records")));
		print_plan(json_object_get(rep, "plan"));
		print_taken_whole(rep);
	} else {
		printf(_("imported %s with %s: %lld records, %lld changed, %lld unchanged"),
		       argv[optind], json_string_value(json_object_get(rep, "read_by")),
		       (long long)json_integer_value(json_object_get(rep, "records")),
		       (long long)json_integer_value(json_object_get(rep, "changed")),
		       (long long)json_integer_value(json_object_get(rep, "unchanged")));
		if (json_integer_value(json_object_get(rep, "removed")) > 0) {
			printf(_(", %lld removed (--replace):\n"),
			       (long long)json_integer_value(json_object_get(rep, "removed")));
			print_plan(json_object_get(rep, "plan"));
		} else {
			printf("\n");
		}
		print_taken_whole(rep);
	}
	json_decref(rep);
	return code;
}

static void
print_plugins(json_t *plugins)
{
	static const char *const h[] = { N_("NAME"), N_("VERSION"), N_("REGION"), N_("MODEL"),
					 N_("FORMATS"), N_("PATH"), NULL };
	mf_table *t = mf_table_new(h);
	json_t *p, *f;
	size_t i, k;

	json_array_foreach(plugins, i, p) {
		char fm[512] = "";
		const char *row[6];

		json_array_foreach(json_object_get(p, "formats"), k, f) {
			const char *fn = json_is_string(f) ? json_string_value(f) :
				json_string_value(json_object_get(f, "name"));
			snprintf(fm + strlen(fm), sizeof(fm) - strlen(fm), "%s%s", k ? "," : "", fn ? fn : "?");
		}
		row[0] = json_string_value(json_object_get(p, "name"));
		row[1] = json_string_value(json_object_get(p, "version"));
		row[2] = json_string_value(json_object_get(p, "region"));
		row[3] = json_string_value(json_object_get(p, "model"));
		row[4] = fm;
		row[5] = json_string_value(json_object_get(p, "path"));
		mf_table_row(t, row);
	}
	mf_table_print(t, stdout, 80);
}

int
v_plugin(int argc, char **argv)
{
	json_t *req, *rep;
	int code, n;

	if ((code = opt_parse(argc, argv, "plugin", NULL, NULL, 1, 2)) >= 0)
		return code;
	n = argc - optind;
	if (n == 1 && strcmp(argv[optind], "list") == 0) {
		req = json_pack("{s:s}", "cmd", "plugin_list");
	} else if (n == 2 && strcmp(argv[optind], "load") == 0) {
		req = json_pack("{s:s}", "cmd", "plugin_load");
		if ((code = set_abs_path(req, "path", argv[optind + 1])) >= 0) {
			json_decref(req);
			return code;
		}
	} else {
		return verb_help("plugin", stderr);
	}
	if ((rep = call(req, &code)) == NULL)
		return code;
	if (cli.json)
		mf_json_print(stdout, json_object_get(rep, "plugins"));
	else
		print_plugins(json_object_get(rep, "plugins"));
	json_decref(rep);
	return EX_OK;
}
